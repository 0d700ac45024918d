#!/bin/bash
# Checks against a device that stops answering (tests/tools/stallfs: a
# FUSE file whose reads hang, checked through a loop device), with the
# real e2fsck:
#  - a read-only check past its deadline is stopped, and retried;
#  - after a crash of its parent a read-only check that was running is
#    queued again (and waits while the old one still holds the image);
#  - a repair past its deadline is reported overdue and never killed;
#    after a crash it is marked interrupted and not run again.
. "$TEST_SRCDIR/lib.sh"
require_live
command -v jq >/dev/null || skip_all "jq not installed"
make_tmpdir
. "$TEST_SRCDIR/live/checks_helpers.bash"
[ -x "$CHECKDRV" ] || skip_all "tests/tools/checkdrv not built"
stallfs=$TEST_BUILDDIR/tools/stallfs
[ -x "$stallfs" ] && [ -e /dev/fuse ] || skip_all "no FUSE or no stallfs to make a device hang"

damaged_dir_image "$T/s.img" >/dev/null || skip_all "could not build the image"
us=$(fs_uuid "$T/s.img")
mkdir -p "$T/fuse" "$T/s" "$T/state"
coproc STALL { exec "$stallfs" "$T/s.img" "$T/fuse"; }
stall_pid=$STALL_PID
at_exit "kill $stall_pid; umount -l '$T/fuse'"
read -r -t 10 line <&"${STALL[0]}"
[ "${line:-}" = ready ] || skip_all "stallfs did not start"
# Whatever happens, the device answers again before the cleanup.
at_exit "kill -USR2 $stall_pid; sleep 0.5"
disk=$T/fuse/disk

cat >"$T/ro.conf" <<EOF
[checks]
min_interval = 0
retry_delay = 1s
alert_after_failures = 5
EOF
sed 's/^\[checks\]$/[checks]\noffline_fsck_mode = repair/' "$T/ro.conf" >"$T/rw.conf"
chmod 600 "$T/ro.conf" "$T/rw.conf"
# The repair of the FUSE image: `e4errd check --mode repair` (stuck
# probing the device) or, once past that, the e2fsck -fy it became.  Its
# loop device is found through sysfs: stat() on the FUSE file would hang.
repair_pid() {
	local f dev p
	p=$(pgrep -f -- "check --mode repair --uuid $us" | head -1)
	[ -n "$p" ] && { echo "$p"; return; }
	for f in /sys/block/loop*/loop/backing_file; do
		[ "$(cat "$f" 2>/dev/null)" = "$disk" ] || continue
		dev=/dev/$(basename "$(dirname "$(dirname "$f")")")
		pgrep -f "e2fsck -fy $dev\$" | head -1
	done
}
DRV_ARGS=(--hook-dir "$T/no-hooks" --live-poll 200 --grace 300 --check-deadline 1500)

# ---- a read-only check past its deadline is stopped ----
mount -o loop,ro "$disk" "$T/s" || skip_all "could not mount the FUSE image"
at_exit "umount -l '$T/s'"
start_drv a "$T/state" "${DRV_ARGS[@]}" --config "$T/ro.conf" ||
	{ fail "checkdrv starts" "$(cat "$DRV_OUT")"; finish; }
drv "report $T/s error=117 inode=12 verdict=confirmed"
ok "deferred while mounted" wait_log "$DRV_OUT" "$T/s: check deferred" 10
kill -USR1 "$stall_pid"
umount "$T/s"
ok "the check starts once unmounted" wait_log "$DRV_OUT" "$T/s: started" 10
t0=$EPOCHREALTIME
ok "past its deadline, the device still hanging, it is stopped and queued again" \
	wait_log "$DRV_OUT" "$T/s: check queued: stopped" 10
note "stopped $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s after it started (deadline 1.5s)"
ok "no outcome while the device hangs" \
	test "$(count_log "$DRV_OUT" "$T/s: check done")" = 0
kill -USR2 "$stall_pid"
ok "the retry, the device answering again, finds the damage" \
	wait_log "$DRV_OUT" "$T/s: check done: corrupt" 20
stop_drv

# ---- a crash while a read-only check runs: queued again ----
start_drv b "$T/state" "${DRV_ARGS[@]}" --config "$T/ro.conf" ||
	{ fail "checkdrv b starts" "$(cat "$DRV_OUT")"; finish; }
mount -o loop,ro "$disk" "$T/s" || skip_all "could not mount the FUSE image"
drv "wait-mount $T/s 10"
drv "report $T/s error=117 inode=12 verdict=confirmed"
wait_log "$DRV_OUT" "$T/s: check deferred" 10
kill -USR1 "$stall_pid"
umount "$T/s"
ok "unmounted: the check starts" wait_log "$DRV_OUT" "$T/s: started" 10
sleep 0.5
kill_drv
j=$(jobs_json "$T/state" "$us")
ok "after the crash the store says running" quietly jq -e '.[0].state == "running"' <<<"$j"
start_drv c "$T/state" "${DRV_ARGS[@]}" --config "$T/ro.conf" ||
	{ fail "checkdrv c starts" "$(cat "$DRV_OUT")"; finish; }
drv "resume"
ok "resumed: the interrupted read-only check is queued again" \
	wait_log "$DRV_OUT" "$T/s: e4errd stopped while a read-only check ran: queued again" 10
ok "and runs again" wait_log "$DRV_OUT" "$T/s: started" 10 ||
	note "$(grep -v 'mounts changed' "$DRV_OUT")"
sleep 2
kill -USR2 "$stall_pid"
ok "once the device answers it completes" wait_log "$DRV_OUT" "$T/s: check done: corrupt" 30
j=$(jobs_json "$T/state" "$us")
note "jobs: $(jq -c '[.[] | {kind, state, result}]' <<<"$j")"
ok "the store holds its outcome" \
	quietly jq -e '[.[] | select(.kind == "e2fsck-readonly" and .state == "running")] | length == 0' <<<"$j"
stop_drv

# ---- a repair: overdue, never killed; interrupted by a crash ----
start_drv d "$T/state" "${DRV_ARGS[@]}" --config "$T/rw.conf" ||
	{ fail "checkdrv d starts" "$(cat "$DRV_OUT")"; finish; }
mount -o loop,ro "$disk" "$T/s" || skip_all "could not mount the FUSE image"
drv "wait-mount $T/s 10"
drv "report $T/s error=117 inode=12 verdict=confirmed"
wait_log "$DRV_OUT" "$T/s: check deferred" 10
kill -USR1 "$stall_pid"
umount "$T/s"
ok "the repair starts" wait_log "$DRV_OUT" "--mode repair" 10
ok "past its deadline it is reported overdue" \
	wait_log "$DRV_OUT" "$T/s: alert repair-overdue" 10
sleep 1
pid=$(repair_pid)
ok "the repair is still running, never killed (pid ${pid:-none})" test -n "$pid"
[ -n "$pid" ] && ok "it got no signal: its signal mask shows none pending" \
	quietly grep -q "^ShdPnd:[[:space:]]*0*$" "/proc/$pid/status"
ok "the store says overdue" \
	quietly jq -e '[.[] | select(.kind == "e2fsck-repair")][0].state == "overdue"' \
	<<<"$(jobs_json "$T/state" "$us")"
kill_drv
start_drv e "$T/state" "${DRV_ARGS[@]}" --config "$T/rw.conf" ||
	{ fail "checkdrv e starts" "$(cat "$DRV_OUT")"; finish; }
drv "resume"
ok "after the crash the repair is marked interrupted (alert)" \
	wait_log "$DRV_OUT" "$T/s: alert repair-interrupted" 10
drv "run 2000"
sync_drv
ok "and not run again" test "$(count_log "$DRV_OUT" "started")" = 0
j=$(jobs_json "$T/state" "$us")
ok "the store says interrupted" \
	quietly jq -e '[.[] | select(.kind == "e2fsck-repair")][0] |
		.state == "interrupted" and (.detail | test("by hand"))' <<<"$j"
kill -USR2 "$stall_pid"
for ((i = 0; i < 100; i++)); do
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
ok "the orphaned repair finished on its own once the device answered" \
	test -z "$pid" -o ! -d "/proc/$pid"
stop_drv
finish
