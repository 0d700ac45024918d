#!/bin/bash
# t_store_full.sh --- the state directory on a tiny filesystem that fills
# up, and on a filesystem that goes emergency read-only under the writer
# (errors=remount-ro): the writer says it spools, every event it printed as
# recorded survives, `e4errd report` still reads, and the merge brings
# everything home exactly once when the directory is writable again.
. "$TEST_SRCDIR/lib.sh"
require_live
command -v jq >/dev/null || skip_all "jq not installed"
TOOL=$TEST_BUILDDIR/tools/store_tool
[ -x "$TOOL" ] || skip_all "tests/tools/store_tool not built"
make_tmpdir

R=$T/run

# exactly_once STATE RECORDED-FILE DESCRIPTION
exactly_once() {
	local missing dups
	"$TOOL" dump "$1" "$R" >"$T/dump" 2>"$T/dump.err" ||
		{ fail "$3" "dump: $(cat "$T/dump.err")"; return; }
	sed -n 's/^recorded //p' "$2" | sort -u >"$T/want"
	cut -d' ' -f1 "$T/dump" | sort >"$T/have"
	missing=$(comm -23 "$T/want" <(sort -u "$T/have") | wc -l)
	dups=$(uniq -d "$T/have" | wc -l)
	if [ "$missing" -eq 0 ] && [ "$dups" -eq 0 ]; then
		pass "$3: $(wc -l <"$T/want") recorded, all present once"
	else
		fail "$3" "$missing recorded events missing, $dups stored twice"
	fi
}

# ---- a 1 MiB ext4 that fills up ----
truncate -s 1M "$T/small.img"
mke2fs -q -F -t ext4 -b 1024 "$T/small.img" >/dev/null 2>&1 || skip_all "mke2fs failed"
mount_image "$T/small.img" "$T/small" errors=continue || skip_all "cannot loop-mount"
S=$T/small/state
"$TOOL" record "$S" "$R" 1 200 10 >"$T/full.rec"
ok "record on the small filesystem" test $? -eq 0
dd if=/dev/zero of="$T/small/filler" bs=4k status=none 2>/dev/null
ok "filesystem is full" test "$(df --output=avail -B1 "$T/small" | tail -1)" -lt 4096
"$TOOL" record "$S" "$R" 1000 3000 10 >>"$T/full.rec" 2>"$T/full.err"
ok "recording goes on while full (exit 0)" test $? -eq 0
ok "every event of the run printed as recorded" test "$(grep -c '^recorded' "$T/full.rec")" -eq 3200
ok "writer says it spools, naming the database" \
	grep -q "while \(opening\|writing\) $S/e4errd.db: spooling findings to $R/spool.db" "$T/full.err"
ok "writer names the cause (no space)" grep -qi 'no space' "$T/full.err"
ok "report works while spooling" \
	test "$("$E4ERRD" report --json --state-dir "$S" --spool-dir "$R" | jq '.filesystems[0].events')" -eq 3200
exactly_once "$S" "$T/full.rec" "full filesystem: main database and spool"
rm -f "$T/small/filler"
ok "merge once there is room" bash -c '"$1" merge "$2" "$3" | grep -q "^main"' _ "$TOOL" "$S" "$R"
exactly_once "$S" "$T/full.rec" "full filesystem: after the merge"
ok "spool emptied" test "$("$TOOL" dump "$T/nowhere" "$R" 2>/dev/null | wc -l)" -eq 0
umount "$T/small"

# ---- the state directory's filesystem goes emergency read-only ----
rm -f "$R/spool.db" "$R/spool.db-wal" "$R/spool.db-shm"
truncate -s 64M "$T/ro.img"
mke2fs -q -F -t ext4 "$T/ro.img" >/dev/null 2>&1
mount_image "$T/ro.img" "$T/ro" errors=remount-ro || skip_all "cannot loop-mount"
dev=$(findmnt -no SOURCE "$T/ro")
S=$T/ro/state
"$TOOL" record "$S" "$R" 1 0 1 >"$T/ro.rec" 2>"$T/ro.err" &
pid=$!
at_exit "kill -9 $pid"
sleep 0.5
before=$(grep -c '^recorded' "$T/ro.rec")
echo "e4errd store test" >"/sys/fs/ext4/${dev#/dev/}/trigger_fs_error"
sleep 0.5
ok "filesystem went emergency read-only" grep -q "$T/ro .*emergency_ro\|$T/ro .* ro," /proc/self/mountinfo
ok "writer still alive after the error (no SIGBUS, no exit)" kill -0 "$pid"
sleep 0.3
after=$(grep -c '^recorded' "$T/ro.rec")
ok "writer kept recording ($before before, $after after the error)" test "$after" -gt "$before"
ok "writer says it spools" grep -q "spooling findings to $R/spool.db" "$T/ro.err"
"$E4ERRD" report --json --state-dir "$S" --spool-dir "$R" >"$T/ro.json" 2>"$T/ro.rep.err"
ok "report reads a state directory on a read-only filesystem" test $? -eq 0
ok "report includes the spool" test "$(jq -r .spool "$T/ro.json")" = "$R/spool.db"
kill -9 "$pid"
wait "$pid" 2>/dev/null
ok "report counts every recorded event" \
	test "$(jq '.filesystems[0].events' "$T/ro.json")" -ge "$after"
exactly_once "$S" "$T/ro.rec" "failed filesystem: main database and spool"
umount "$T/ro"
mount -o loop "$T/ro.img" "$T/ro"
ok "merge after remounting" bash -c '"$1" merge "$2" "$3" | grep -q "^main"' _ "$TOOL" "$S" "$R"
exactly_once "$S" "$T/ro.rec" "failed filesystem: after the merge"

finish
