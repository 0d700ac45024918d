#!/bin/bash
# Targeted checks with the real e2fsck on real loop-mounted images, driven
# through lib/checks by tests/tools/checkdrv as the daemon's loop drives it:
#  - a report on a mounted filesystem not on LVM gives a deferred job that
#    runs once it is unmounted: e2fsck -fn of the image through a loop
#    device of e4errd's own, exit status and output recorded in the store;
#  - after `umount -l` with a file still open the check does not run until
#    the filesystem is really gone;
#  - I/O error reports raise an alert and no check;
#  - a flood of reports (and a replayed capture) gives one job per
#    filesystem.
. "$TEST_SRCDIR/lib.sh"
require_live
command -v jq >/dev/null || skip_all "jq not installed"
command -v e2fsck >/dev/null || skip_all "e2fsck not installed"
make_tmpdir
. "$TEST_SRCDIR/live/checks_helpers.bash"
[ -x "$CHECKDRV" ] || skip_all "tests/tools/checkdrv not built"

state=$T/state
mkdir -p "$state"
damaged_dir_image "$T/a.img" >/dev/null || skip_all "could not build image a"
clean_image "$T/b.img" || skip_all "could not build image b"
ua=$(fs_uuid "$T/a.img") ub=$(fs_uuid "$T/b.img")
mount_image "$T/a.img" "$T/a" || skip_all "could not mount a"
mount_image "$T/b.img" "$T/b" || skip_all "could not mount b"

# A hook recording every event it is run for.
mkdir -m 755 "$T/hooks"
cat >"$T/hooks/all-record" <<EOF
#!/bin/sh
echo "\$E4ERRD_CLASS \$E4ERRD_UUID \${E4ERRD_JOB_STATE:--} \${E4ERRD_JOB_OUTCOME:--} \${E4ERRD_EXIT_STATUS:--} \${E4ERRD_ALERT:--}" >>"$T/events"
EOF
chmod 755 "$T/hooks/all-record"
start_drv drv "$state" --hook-dir "$T/hooks" --live-poll 200 ||
	{ fail "checkdrv starts" "$(cat "$DRV_OUT")"; finish; }
pass "checkdrv started"

# ---- a deferred job runs after umount ----
drv "report $T/a error=117 inode=12 verdict=confirmed"
ok "a report on a mounted non-LVM filesystem is deferred" \
	wait_log "$DRV_OUT" "$T/a: check deferred: mounted, not on LVM" 10
j=$(jobs_json "$state" "$ua")
ok "the store holds it deferred, with its reason" \
	quietly jq -e 'length == 1 and .[0].kind == "e2fsck-readonly" and
		.[0].state == "deferred" and (.[0].reason | test("not on LVM"))' <<<"$j"
drv "run 1500"
sync_drv
ok "nothing runs while it is mounted" \
	test "$(count_log "$DRV_OUT" "$T/a: started")" = 0

umount "$T/a"
ok "it runs once unmounted" wait_log "$DRV_OUT" "$T/a: started " 20
ok "it ends: corrupt" wait_log "$DRV_OUT" "$T/a: check done: corrupt" 30
j=$(jobs_json "$state" "$ua")
note "job: $(jq -c '.[0] | {kind, state, exit_status, result}' <<<"$j")"
ok "exit status and result are recorded" \
	quietly jq -e '.[0].state == "done" and .[0].result == "corrupt" and
		(.[0].exit_status | . == 4 or . == 12)' <<<"$j"
ok "the output excerpt is recorded" \
	quietly jq -e '.[0].detail | test("Pass 2") and test("directory corrupted")' <<<"$j"
ok "it was checked through a loop device of e4errd's own" \
	quietly jq -e --arg img "$T/a.img" '.[0].detail | contains("(image " + $img + ")")' <<<"$j"
ok "no loop device is left on the image" test -z "$(losetup -j "$T/a.img")"
sync_drv
for ((i = 0; i < 50; i++)); do
	grep -q "^job-finished $ua" "$T/events" 2>/dev/null && break
	sleep 0.1
done
# Two hooks may run at once: the order of their lines is not fixed.  A
# loop device lets go of the image a moment after umount returns: a first
# attempt may find it busy and be retried ("queued busy", started again).
got=$(grep " $ua " "$T/events" | cut -d' ' -f1,3-5 | grep -v ' queued busy ' |
	LC_ALL=C sort -u | tr '\n' '|')
want="finding-confirmed - - -|job-finished done corrupt $(jq '.[0].exit_status' <<<"$j")|job-queued deferred - -|job-started running - -|"
if [ "$got" = "$want" ]; then
	pass "hooks heard it all: damage, queued, started, finished"
else
	fail "hooks heard it all: damage, queued, started, finished" \
		"got $got; $(cat "$T/events"; grep -v 'mounts changed' "$DRV_OUT")"
fi
ok "each hook run is recorded in the store" \
	quietly jq -e '[.[] | select(.kind == "hook" and .result == "ok")] | length >= 4' \
	<<<"$(all_jobs_json "$state" "$ua")"

# ---- umount -l with a file open ----
exec 7<"$T/b/f"
drv "report $T/b error=117 inode=12 verdict=not_confirmed"
ok "b: deferred" wait_log "$DRV_OUT" "$T/b: check deferred" 10
umount -l "$T/b"
kb=$(basename "$(losetup -j "$T/b.img" | cut -d: -f1)")
ok "after umount -l the superblock still lives (/sys/fs/ext4/$kb)" test -d "/sys/fs/ext4/$kb"
drv "run 3000"
sync_drv
ok "no check runs while a file keeps it alive" \
	test "$(count_log "$DRV_OUT" "$T/b: started")" = 0
ok "the job is still deferred" \
	quietly jq -e '.[0].state == "deferred"' <<<"$(jobs_json "$state" "$ub")"
exec 7<&-
ok "once the last file is closed the check runs" \
	wait_log "$DRV_OUT" "$T/b: started " 20
ok "and finds it clean" wait_log "$DRV_OUT" "$T/b: check done: clean" 30
j=$(jobs_json "$state" "$ub")
ok "clean, exit status 0, recorded" \
	quietly jq -e '.[0].result == "clean" and .[0].exit_status == 0' <<<"$j"

# ---- I/O errors: an alert, no check ----
clean_image "$T/c.img" || skip_all "could not build image c"
uc=$(fs_uuid "$T/c.img")
mount_image "$T/c.img" "$T/c" || skip_all "could not mount c"
drv "wait-mount $T/c 10"
drv "report $T/c error=-5 verdict=inconclusive"
ok "an EIO report raises an alert" wait_log "$DRV_OUT" "$T/c: alert io-error" 10
drv "report $T/c error=117 inode=2 verdict=not_confirmed"
drv "report $T/c error=5"
umount "$T/c"
drv "run 1500"
sync_drv
j=$(jobs_json "$state" "$uc")
note "c's jobs: $(jq -c '[.[] | {kind, result}]' <<<"$j")"
ok "no check was created for the failing device" \
	quietly jq -e '[.[] | select(.kind | startswith("e2fsck"))] | length == 0' <<<"$j"
ok "exactly one io-error alert is recorded" \
	quietly jq -e '[.[] | select(.kind == "alert" and .result == "io-error")] | length == 1' <<<"$j"
ok "no check started for it" test "$(count_log "$DRV_OUT" "$T/c: started")" = 0
ok "the alert hooks ran once" \
	test "$(grep -c "^alert $uc .* io-error$" "$T/events")" = 1

# ---- a flood: one job per filesystem ----
clean_image "$T/d.img" && clean_image "$T/e.img" || skip_all "could not build d, e"
ud=$(fs_uuid "$T/d.img") ue=$(fs_uuid "$T/e.img")
mount_image "$T/d.img" "$T/d" && mount_image "$T/e.img" "$T/e" || skip_all "could not mount d, e"
drv "wait-mount $T/d 10"
drv "wait-mount $T/e 10"
ok "d and e are seen" wait_log "$DRV_OUT" "seen $T/e" 20
"$TEST_BUILDDIR/tools/mkcapture" "$T/flood.cap" \
	mainline:1:0:"$TEST_SRCDIR/fixtures/mainline-merged.bin" \
	mainline:2:0:"$TEST_SRCDIR/fixtures/mainline-dir.bin" \
	mainline:3:0:"$TEST_SRCDIR/fixtures/mainline-trigger.bin" >/dev/null 2>&1
t0=$EPOCHREALTIME
drv "flood $T/d 2000"
drv "flood $T/e 2000"
for i in 1 2 3 4 5; do drv "replay $T/flood.cap $T/d"; done
sync_drv
note "4000 reports and 5 replays handled in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')s"
note "replays: $(grep -m1 replayed "$DRV_OUT")"
for u in "$ud" "$ue"; do
	n=$(jobs_json "$state" "$u" | jq '[.[] | select(.kind | startswith("e2fsck"))] | length')
	ok "one job for filesystem $u under the flood (got $n)" test "$n" = 1
done
ok "the flood's job is deferred, not run" \
	test "$(count_log "$DRV_OUT" "$T/d: started")" = 0

stop_drv
ok "checkdrv stops cleanly" grep -q "^bye" "$DRV_OUT"

# ---- a check at boot closes the pending job ----
# d's job waits for its unmount; e4errd goes away, the filesystem is
# unmounted and checked by hand (as at boot), then mounted again.
umount "$T/d"
sleep 1.1
# The loop device lets go of the image a moment after umount returns.
for ((i = 0; i < 50; i++)); do
	[ -z "$(losetup -j "$T/d.img")" ] && break
	sleep 0.1
done
e2fsck -fy "$T/d.img" >/dev/null 2>&1
mount_image "$T/d.img" "$T/d" || skip_all "could not mount d again"
start_drv boot "$state" --hook-dir "$T/no-hooks" --live-poll 200 ||
	{ fail "checkdrv starts again" "$(cat "$DRV_OUT")"; finish; }
if wait_log "$DRV_OUT" "$T/d: checked before it was mounted" 10; then
	pass "the boot-time check is noticed when the filesystem is seen"
else
	fail "the boot-time check is noticed when the filesystem is seen" \
		"$(dumpe2fs -h "$T/d.img" 2>/dev/null | grep -i 'state\|checked'; jobs_json "$state" "$ud"; grep -v 'mounts changed' "$DRV_OUT"; grep -v 'mounts changed' "$T/drv.out" | tail -5)"
fi
drv resume
sync_drv
j=$(jobs_json "$state" "$ud")
ok "the pending job is closed with that outcome" \
	quietly jq -e '[.[] | select(.kind | startswith("e2fsck"))] | length == 1 and
		.[0].state == "done" and .[0].result == "checked-outside"' <<<"$j"
ok "and nothing runs for it" test "$(count_log "$DRV_OUT" "started")" = 0
stop_drv
finish
