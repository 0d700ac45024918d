#!/bin/bash
# Failure drill: the device goes away while `e4errd inspect` reads it.
#
# The image sits behind a loop device over a FUSE file (tests/tools/
# stallfs) that stops answering, so the inspection is caught mid-way for
# certain.  Then the loop device is detached (`losetup -d` on an open
# device detaches it lazily, at the last close) and:
#   1. the device answers again: the inspection finishes -- with its real
#      verdict (exit 4) when the stall caught the read that holds the
#      device open, or with exit 8 naming the device when the stall caught
#      an earlier look (blkid) and the device was gone by the time the
#      inspector opened it -- and the loop device is gone afterwards;
#   2. the device dies instead (stallfs ends: every waiting and later read
#      fails): the inspection ends promptly -- well before its deadline --
#      with exit status 8 and a message naming the device and the cause;
#   3. inspecting the detached device says so clearly (exit 8).
# Then, without FUSE, a loop device detached while inspections of it run
# back to back: each ends with a documented status, none by a signal.
. "$TEST_SRCDIR/lib.sh"
require_live
stallfs=$TEST_BUILDDIR/tools/stallfs
make_tmpdir

ino=$(damaged_dir_image "$T/img") || skip_all "could not build the test image"

# start_stallfs: serve $T/img as $T/fuse/disk; STALL_PID.
start_stallfs() {
	local line
	mkdir -p "$T/fuse"
	coproc STALL { exec "$stallfs" "$T/img" "$T/fuse"; }
	at_exit "kill $STALL_PID; umount -l '$T/fuse'"
	read -r -t 10 line <&"${STALL[0]}"
	[ "${line:-}" = ready ]
}

# inspect_bg LOOP: e4errd inspect in the background; INS_PID, output in $T/out.
inspect_bg() {
	"$E4ERRD" inspect --inode "$ino" --deadline 20000 "$1" >"$T/out" 2>&1 &
	INS_PID=$!
	at_exit "kill -KILL $INS_PID"
}

# gone LOOP: the loop device has no backing file any more.
gone() { ! losetup "$1" >/dev/null 2>&1; }

if [ -x "$stallfs" ] && [ -e /dev/fuse ] && start_stallfs; then
	# --- 1: detached while stalled, then the device answers -------------
	loop=$(losetup -f --show "$T/fuse/disk") || skip_all "no loop device over FUSE"
	at_exit "losetup -d $loop"
	kill -USR1 "$STALL_PID"
	inspect_bg "$loop"
	sleep 0.5
	ok "1: the inspection waits on the stalled device" kill -0 "$INS_PID"
	losetup -d "$loop"
	ok "1: losetup -d succeeds on the open device (lazy)" test $? -eq 0
	kill -USR2 "$STALL_PID"
	wait "$INS_PID"
	rc=$?
	note "1: exit $rc: $(head -c 300 "$T/out" | tr "\n" " ")"
	if [ "$rc" -eq 4 ]; then
		ok "1: the inspection finished on the open device with its verdict" \
			grep -q "dir_" "$T/out"
	else
		ok "1: the inspection of the vanished device says so (exit 8, device named)" \
			test "$rc" -eq 8 -a -n "$(grep -F "$loop" "$T/out")"
	fi
	for ((i = 0; i < 50; i++)); do gone "$loop" && break; sleep 0.1; done
	ok "1: the loop device is gone once the inspection closed it" gone "$loop"

	# --- 2: detached while stalled, then the device dies ----------------
	loop=$(losetup -f --show "$T/fuse/disk") || skip_all "no second loop device over FUSE"
	at_exit "losetup -d $loop"
	kill -USR1 "$STALL_PID"
	inspect_bg "$loop"
	sleep 0.5
	losetup -d "$loop"
	start=$EPOCHREALTIME
	kill -TERM "$STALL_PID"
	wait "$INS_PID"
	rc=$?
	secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
	ok "2: a dying device ends the inspection with exit 8 (got $rc)" test "$rc" -eq 8
	ok "2: promptly, not at the 20 s deadline (${secs}s)" awk -v s="$secs" 'BEGIN { exit !(s < 10) }'
	ok "2: the message names the device" grep -qF "$loop" "$T/out"
	ok "2: and the cause" grep -qiE "error|cannot|no such|not connected" "$T/out"
	note "2: $(head -c 300 "$T/out" | tr '\n' ' ')"
	for ((i = 0; i < 50; i++)); do gone "$loop" && break; sleep 0.1; done

	# --- 3: the device is gone -------------------------------------------
	"$E4ERRD" inspect --inode "$ino" "$loop" >"$T/out3" 2>&1
	rc=$?
	ok "3: inspecting a detached loop device: exit 8 (got $rc)" test "$rc" -eq 8
	ok "3: the message names the device" grep -qF "$loop" "$T/out3"
	note "3: $(head -c 300 "$T/out3" | tr '\n' ' ')"
else
	skip "1-3: device detached while a stalled read waits" "no FUSE or no stallfs"
fi

# --- 4: detached during back-to-back inspections, no FUSE ------------------
loop=$(losetup -f --show "$T/img") || skip_all "no loop device"
at_exit "losetup -d $loop"
: >"$T/codes"
(
	for ((i = 0; i < 40; i++)); do
		"$E4ERRD" inspect --inode "$ino" "$loop" >/dev/null 2>"$T/err4"
		echo $? >>"$T/codes"
	done
) &
runner=$!
sleep 0.3
losetup -d "$loop"
wait "$runner"
ok "4: every inspection ended with a documented status (0, 4 or 8)" \
	test "$(grep -cvxE '0|4|8' "$T/codes")" -eq 0
ok "4: the ones after the detach said why (exit 8)" test "$(tail -1 "$T/codes")" = 8
note "4: exit statuses: $(sort "$T/codes" | uniq -c | tr -s ' \n' ' ')"
finish
