#!/bin/bash
# One hung filesystem does not starve another.  Filesystem A lives on a
# loop device over a FUSE file (tests/tools/stallfs) that stops answering:
# the inspection of A's error blocks in the kernel, for real.  Meanwhile an
# error on filesystem B is recorded and confirmed as promptly as ever; A's
# inspection ends inconclusive at its deadline, and A's event is recorded
# all the same.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/live/daemon_helpers.bash"
require_live
command -v jq >/dev/null || skip_all "jq not installed"
stallfs=$TEST_BUILDDIR/tools/stallfs
[ -x "$stallfs" ] && [ -e /dev/fuse ] || skip_all "no FUSE or no stallfs to make a device hang"
make_tmpdir

ino_a=$(damaged_dir_image "$T/a.img") || skip_all "could not build image A"
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
# Whatever happens, the device answers again before the cleanup.
at_exit "kill -USR2 $stall_pid"
mount_image "$T/b.img" "$T/b" || skip_all "could not mount B"

# A's damaged directory block is read once and stays cached: reading it
# again raises the error without touching the device, while the inspector
# needs blocks that are no longer cached (dropped by --flushbufs).
blockdev --flushbufs "$loop"
ls "$T/a/d" >/dev/null 2>&1

state=$T/state
daemon_config "$T/conf" "inspect_deadline=1500ms" "flood_window=60s"
start_daemon "$T/log" --config "$T/conf" --state-dir "$state" "$T/a" "$T/b"
wait_log "$T/log" "ready: 2 filesystems watched" 10 || { fail "daemon ready" "$(cat "$T/log")"; finish; }
pass "daemon ready, watching A and B"

kill -USR1 "$stall_pid"
ta=$EPOCHREALTIME
ls "$T/a/d" >/dev/null 2>&1
ok "A's event is recorded while A's device hangs" wait_log "$T/log" "recorded 1 event on $T/a " 5
sleep 0.3
ok "A's inspection is still blocked in the kernel" \
	quietly test "$(grep -c "inspected $T/a inode" "$T/log")" = 0

tb=$EPOCHREALTIME
ls "$T/b/d" >/dev/null 2>&1
if secs=$(wait_verdict "$tb" "$state" "$T/b" "$ino_b" confirmed 1); then
	pass "B confirmed within a second while A hangs (${secs}s)"
else
	fail "B confirmed within a second while A hangs (${secs}s)" "$(cat "$T/log")"
fi
note "measured: B's error -> confirmed in e4errd report: ${secs}s, with A's inspection hung"
ok "A had no verdict yet when B was confirmed" \
	quietly test "$(grep -c "inspected $T/a inode" "$T/log")" = 0

if secs=$(wait_verdict "$ta" "$state" "$T/a" "$ino_a" inconclusive 5); then
	pass "A's inspection ends inconclusive at its deadline (${secs}s after the error)"
else
	fail "A's inspection ends inconclusive at its deadline" "$(cat "$T/log")"
fi
j=$(inode_json "$state" "$T/a" "$ino_a")
note "A in the report: $(jq -c '{events, verdict, verdict_reason}' <<<"$j")"
ok "A's verdict names the deadline" quietly jq -e '.verdict_reason | test("deadline")' <<<"$j"
ok "A's event is in the report" test "$(jq .events <<<"$j")" = 1
ok "it took at least the deadline" awk -v s="$secs" 'BEGIN { exit !(s >= 1.4) }'

kill -USR2 "$stall_pid"
if grep -q "the inspector stuck on $T/a has ended" "$T/log" ||
	wait_log "$T/log" "the inspector stuck on $T/a has ended" 5; then
	pass "once A answers again its stuck inspector is reaped"
else
	note "the killed inspector was not stuck in uninterruptible sleep: nothing to reap"
	skip "once A answers again its stuck inspector is reaped" "the kill took effect at once"
fi
stop_daemon TERM
ok "stops with status 0" test "$DAEMON_RC" = 0
finish
