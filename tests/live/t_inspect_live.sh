#!/bin/bash
# t_inspect_live.sh --- the inspector against the live kernel: a real error
# on a mounted filesystem is confirmed; heavy allocation on a healthy one
# gives no false finding while it runs; a device gone and a device that
# stops answering both end inconclusive (exit 8), the latter at the deadline.
. "$TEST_SRCDIR/lib.sh"

require_live
command -v jq >/dev/null || skip_all "jq not installed"
make_tmpdir

# jq_true FILTER [FILE]: the filter holds for the JSON (stdin or FILE), quietly.
jq_true() { jq -e "$@" >/dev/null 2>&1; }

# --- A real kernel error on a mounted image is confirmed -----------------
ino=$(damaged_dir_image "$T/err.img") || skip_all "could not build the damaged image"
mount_image "$T/err.img" "$T/err" || skip_all "cannot loop-mount an image"
ls "$T/err/d" >/dev/null 2>&1
dev=$(findmnt -no SOURCE "$T/err")
if dmesg 2>/dev/null | tail -20 | grep -q "EXT4-fs error (device $(basename "$dev")).*inode #$ino"; then
	pass "the kernel reported an error on inode $ino"
else
	note "no kernel log line seen (dmesg restricted?); going on"
fi
json=$("$E4ERRD" inspect --json --inode "$ino" "$T/err")
rc=$?
ok "inspect --inode $ino MOUNTPOINT confirms (exit 4)" test "$rc" -eq 4
ok "verdict confirmed" test "$(jq -r .verdict <<<"$json")" = confirmed
ok "it names the directory block" jq_true \
	'any(.findings[]; (.code == "dir_block_checksum" or .code == "dir_entry_corrupt") and .related)' \
	<<<"$json"
ok "the mount point and device are resolved" test \
	"$(jq -r '.mountpoint + " " + .device' <<<"$json")" = "$T/err $dev"
json=$("$E4ERRD" inspect --json --inode "$ino" --function ext4_readdir --error 74 "$dev")
ok "as the kernel reported it (EFSBADCRC from a readdir): confirmed" \
	test "$(jq -r .verdict <<<"$json")" = confirmed

# --- Heavy allocation on a healthy mounted filesystem: no false finding ---
mke2fs -q -F -t ext4 -b 1024 "$T/busy.img" 256M >/dev/null 2>&1
mount_image "$T/busy.img" "$T/busy" || skip_all "cannot loop-mount an image"
mkdir -p "$T/busy/w"
churn() {
	local i j
	for ((i = 0; i < 400; i++)); do
		for ((j = 0; j < 8; j++)); do
			head -c $(((i * 7 + j * 13) % 64 * 1024 + 100)) /dev/zero >"$T/busy/w/f$i.$j"
		done
		fallocate -l $((i % 16 + 1))M "$T/busy/w/big$((i % 5))" 2>/dev/null
		mkdir -p "$T/busy/w/d$((i % 20))"
		touch "$T/busy/w/d$((i % 20))/e$i"
		rm -f "$T/busy/w/f$((i - 3))".* "$T/busy/w/big$(((i + 2) % 5))"
		[ $((i % 50)) -eq 0 ] && sync
	done
}
churn &
churn_pid=$!
at_exit "kill $churn_pid"
checked=0 false_findings=0 failures=0
while kill -0 "$churn_pid" 2>/dev/null || [ "$checked" -lt 60 ]; do
	for f in "$T"/busy/w/big* "$T"/busy/w/f*.[0-3] "$T"/busy/w/d*; do
		i=$(stat -c %i "$f" 2>/dev/null) || continue
		# The first allocated extent (delayed allocation shows as 0).
		b=$(filefrag -v "$f" 2>/dev/null |
			awk '$1 ~ /^[0-9]+:$/ { sub(/\.\..*/, "", $4); if ($4 + 0 > 0) { print $4; exit } }')
		args=(--inode "$i")
		[ -n "$b" ] && args+=(--block "$b")
		json=$("$E4ERRD" inspect --json "${args[@]}" "$T/busy")
		rc=$?
		checked=$((checked + 1))
		if [ "$rc" -ne 0 ]; then
			failures=$((failures + 1))
			[ "$false_findings" -lt 3 ] && note "exit $rc for ${args[*]}: $(jq -c "{verdict, reason, findings, inode: .inode | {in_use, links, size, map, extents}, block: .block | {kind, allocated, belongs_to_inode}}" <<<"$json" 2>/dev/null)"
			false_findings=$((false_findings + 1))
		fi
		[ "$checked" -ge 600 ] && break 2
	done
done
wait "$churn_pid" 2>/dev/null
note "inspected $checked inodes (with a block each) while the kernel allocated"
ok "no false finding in $checked inspections during heavy allocation" test "$false_findings" -eq 0
sync
json=$("$E4ERRD" inspect --json --group 0 "$T/busy")
ok "group 0 checks out after the churn" test "$(jq -r .verdict <<<"$json")" = not_confirmed
umount "$T/busy"
e2fsck -fn "$T/busy.img" >/dev/null 2>&1
ok "e2fsck -fn agrees the busy filesystem is clean" test $? -eq 0

# --- Device gone: inconclusive, exit 8 ------------------------------------
"$E4ERRD" inspect --json --inode 12 "$T/no-such-device" >"$T/gone.json"
rc=$?
ok "a missing device: exit 8" test "$rc" -eq 8
ok "a missing device: inconclusive with a reason" \
	jq_true '.verdict == "inconclusive" and (.reason | length) > 0' "$T/gone.json"
loop=$(losetup -f --show "$T/busy.img")
losetup -d "$loop"
"$E4ERRD" inspect --json --inode 12 "$loop" >"$T/detached.json"
rc=$?
ok "a detached loop device: exit 8" test "$rc" -eq 8
ok "a detached loop device: inconclusive" \
	jq_true '.verdict == "inconclusive"' "$T/detached.json"

# --- A device that stops answering: the deadline, exit 8 -----------------
stallfs=$TEST_BUILDDIR/tools/stallfs
if [ ! -x "$stallfs" ] || [ ! -e /dev/fuse ]; then
	skip "a stuck device ends inconclusive at the deadline" "no FUSE or no stallfs"
	finish
fi
mkdir -p "$T/fuse"
cp --sparse=always "$T/busy.img" "$T/stuck.img"
coproc STALL { exec "$stallfs" "$T/stuck.img" "$T/fuse"; }
stall_pid=$STALL_PID
at_exit "kill $stall_pid; umount -l '$T/fuse'"
read -r -t 10 line <&"${STALL[0]}"
if [ "${line:-}" != ready ]; then
	fail "stallfs starts" "no 'ready' from stallfs"
	finish
fi
loop=$(losetup -f --show "$T/fuse/disk")
at_exit "losetup -d $loop"
"$E4ERRD" inspect --json --inode 2 "$loop" >"$T/alive.json"
ok "through the FUSE loop device while it answers: not confirmed" \
	jq_true '.verdict == "not_confirmed"' "$T/alive.json"
blockdev --flushbufs "$loop"
kill -USR1 "$stall_pid"
start=$EPOCHREALTIME
"$E4ERRD" inspect --json --deadline 1500 --inode 2 "$loop" >"$T/stuck.json"
rc=$?
secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
note "stuck device: exit $rc after ${secs}s: $(cat "$T/stuck.json")"
ok "a stuck device: exit 8" test "$rc" -eq 8
ok "a stuck device: inconclusive, the deadline named" \
	jq_true '.verdict == "inconclusive" and (.reason | test("deadline"))' "$T/stuck.json"
ok "a stuck device: the command returns at the deadline (${secs}s)" \
	awk -v s="$secs" 'BEGIN { exit !(s >= 1.4 && s < 5) }'
kill -TERM "$stall_pid"
wait "$stall_pid" 2>/dev/null
finish
