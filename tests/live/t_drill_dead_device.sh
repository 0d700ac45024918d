#!/bin/bash
# Failure drill: a mounted filesystem's device dies (every read fails) while
# the daemon watches it and a healthy one.
#
# Filesystem A sits on a loop device over a FUSE file (tests/tools/stallfs);
# ending stallfs makes every later read of A's device fail with an I/O
# error, as a pulled disk does.  A's file "target" has an inode far into
# the inode table (after 220 others), in a block nothing reads before the
# drill (mount's inode-table readahead stops 32 blocks in): its stat then
# must read the dead device, and ext4 reports "unable to read itable
# block" against that inode.  Then:
#   - A's new errors (the failed read, trigger_fs_error) are recorded;
#   - A's inspection ends, naming the read error (the superblock itself
#     still reads: a mounted ext4 keeps its buffer in the page cache, so
#     the superblock-unreadable case is drilled by t_drill_detach.sh and
#     t_drill_superblock.sh on devices nothing has mounted);
#   - B's error meanwhile is recorded and confirmed as usual;
#   - the daemon keeps running, `e4errd report` lists every event recorded
#     on A and B, and SIGTERM stops it with status 0.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/live/daemon_helpers.bash"
require_live
command -v jq >/dev/null || skip_all "jq not installed"
stallfs=$TEST_BUILDDIR/tools/stallfs
[ -x "$stallfs" ] && [ -e /dev/fuse ] || skip_all "no FUSE or no stallfs to kill a device"
make_tmpdir

ino_a=$(damaged_dir_image "$T/a.img") || skip_all "could not build image A"
{
	echo "mkdir fill"
	for ((i = 0; i < 220; i++)); do echo "write /dev/null fill/f$i"; done
	echo "write /dev/null target"
} | debugfs -w -f - "$T/a.img" >/dev/null 2>&1
ino_t=$(debugfs -R "stat target" "$T/a.img" 2>/dev/null | sed -n 's/^Inode: \([0-9]*\).*/\1/p')
[ "${ino_t:-0}" -gt 200 ] || skip_all "could not place the target inode far enough"
ino_b=$(damaged_dir_image "$T/b.img") || skip_all "could not build image B"
mkdir -p "$T/fuse" "$T/a"
coproc STALL { exec "$stallfs" "$T/a.img" "$T/fuse"; }
stall_pid=$STALL_PID
at_exit "kill $stall_pid; umount -l '$T/fuse'"
read -r -t 10 line <&"${STALL[0]}"
[ "${line:-}" = ready ] || skip_all "stallfs did not start"
loop=$(losetup -f --show "$T/fuse/disk") || skip_all "no loop device over FUSE"
at_exit "losetup -d $loop"
mount -o errors=continue "$loop" "$T/a" || skip_all "could not mount A"
at_exit "umount -l '$T/a'"
mount_image "$T/b.img" "$T/b" || skip_all "could not mount B"

state=$T/state
daemon_config "$T/conf" "flood_window=100ms" "inspect_deadline=3s"
start_daemon "$T/log" --config "$T/conf" --state-dir "$state" "$T/a" "$T/b"
wait_log "$T/log" "ready: 2 filesystems watched" 10 || { fail "daemon ready" "$(cat "$T/log")"; finish; }

# A healthy first: its error confirmed.
ls "$T/a/d" >/dev/null 2>&1
ok "A's first error confirmed while its device lives" \
	wait_log "$T/log" "inspected $T/a inode $ino_a: confirmed" 10

# A's device dies.
kill -TERM "$stall_pid"
for ((i = 0; i < 50; i++)); do kill -0 "$stall_pid" 2>/dev/null || break; sleep 0.1; done
ok "A's device is dead: reading it fails" \
	bash -c "! dd if='$loop' of=/dev/null bs=4096 count=1 iflag=direct status=none 2>/dev/null"
n_before=$(grep -c "recorded [0-9]* events\? on $T/a " "$T/log")
sleep 0.2
stat "$T/a/target" >/dev/null 2>&1
echo "dead device drill" >"/sys/fs/ext4/${loop##*/}/trigger_fs_error" 2>/dev/null
for ((i = 0; i < 100; i++)); do
	[ "$(grep -c "recorded [0-9]* events\? on $T/a " "$T/log")" -gt "$n_before" ] && break
	sleep 0.05
done
ok "A's errors after its death are recorded" \
	test "$(grep -c "recorded [0-9]* events\? on $T/a " "$T/log")" -gt "$n_before"
ok "the failed read is reported against the target inode" \
	wait_log "$T/log" "inode $ino_t EIO" 5
wait_log "$T/log" "inspected $T/a inode $ino_t:" 10
line=$(grep "inspected $T/a inode $ino_t:" "$T/log" | tail -1)
if [ -n "$line" ]; then
	pass "A's inspection on the dead device ends"
else
	fail "A's inspection on the dead device ends"
	tail -n 15 "$T/log" | sed 's/^/# /'
fi
note "A: $line"
ok "it names the read error" quietly grep -qiE "read_error|I/O error|Input/output" <<<"$line"

# B keeps being served.
tb=$EPOCHREALTIME
ls "$T/b/d" >/dev/null 2>&1
if secs=$(wait_verdict "$tb" "$state" "$T/b" "$ino_b" confirmed 5); then
	pass "B's error confirmed while A is dead (${secs}s)"
else
	fail "B's error confirmed while A is dead"
	tail -n 15 "$T/log" | sed 's/^/# /'
fi
ok "the daemon is still running" kill -0 "$DAEMON_PID"

# Nothing recorded is lost: the report holds every event the log counted.
logged() {
	grep -o "recorded [0-9]* events\? on $1 " "$T/log" | awk '{ s += $2 } END { print s + 0 }'
}
rep() {
	report_json "$state" | jq --arg m "$1" \
		'[.filesystems[] | select(.mountpoint == $m) | .inodes[].events] | add // 0'
}
ok "every event recorded on A is in the report ($(logged "$T/a") logged, $(rep "$T/a") reported)" \
	test "$(rep "$T/a")" -eq "$(logged "$T/a")"
ok "every event recorded on B is in the report ($(logged "$T/b") logged, $(rep "$T/b") reported)" \
	test "$(rep "$T/b")" -eq "$(logged "$T/b")"
stop_daemon TERM
ok "stops with status 0" test "$DAEMON_RC" = 0
finish
