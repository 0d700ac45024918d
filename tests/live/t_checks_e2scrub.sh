#!/bin/bash
# e2scrub and its systemd unit, for real where this machine allows:
#  - the real e2scrub run on a filesystem that is not an LVM volume (the
#    facts are told it is, through a made-up sysfs): its refusal (exit 16
#    with lvm2, 1 without) is recorded, and the check is deferred to an
#    offline e2fsck, which runs after the unmount;
#  - under systemd the scrub is started as `systemctl start --no-block
#    e2scrub@-<escaped>.service` with e2scrub_all's name -- here systemd
#    is not PID 1, so the command's construction is shown and its
#    failure handled as a failure to retry;
#  - `e4errd record-scrub`, as the e2scrub@ drop-in calls it, judges the
#    outcome from the superblock (last check advanced: clean; error flag
#    newly set: corrupt; neither: inconclusive) on a real mounted
#    filesystem with an awkward mount point, and a scrub that began before
#    e4errd's job was created does not close that job.
. "$TEST_SRCDIR/lib.sh"
require_live
command -v jq >/dev/null || skip_all "jq not installed"
e2scrub=$(PATH=/usr/local/sbin:/usr/sbin:/sbin:$PATH command -v e2scrub) ||
	skip_all "e2scrub not installed"
command -v tune2fs >/dev/null || skip_all "tune2fs not installed"
make_tmpdir
. "$TEST_SRCDIR/live/checks_helpers.bash"
[ -x "$CHECKDRV" ] || skip_all "tests/tools/checkdrv not built"
sdname=$TEST_BUILDDIR/tools/sdname
state=$T/state
mkdir -p "$state"

# fake_lvm MOUNTPOINT: a sysfs under $T/sys in which the filesystem's
# device is an LVM logical volume; everything else is the real /sys.
fake_lvm() {
	local mm
	mm=$(mountpoint -d "$1") || return 1
	rm -rf "$T/sys"
	mkdir -p "$T/sys/dev/block/$mm/dm"
	printf 'LVM-%064d\n' 7 >"$T/sys/dev/block/$mm/dm/uuid"
	ln -s /sys/fs "$T/sys/fs"
}

# ---- the real e2scrub refuses a device that is not LVM ----
mp="$T/my data-1"
clean_image "$T/a.img" || skip_all "could not build image a"
ua=$(fs_uuid "$T/a.img")
mount_image "$T/a.img" "$mp" || skip_all "could not mount a"
fake_lvm "$mp" || skip_all "no major:minor for $mp"
if command -v lvcreate >/dev/null || [ -x /sbin/lvcreate ] || [ -x /usr/sbin/lvcreate ]; then
	want=16 why="lvm2 installed: e2scrub refuses a device that is not LVM"
else
	want=1 why="no lvm2: e2scrub cannot run (\"can't find lvcreate\")"
fi
note "$why"
start_drv a "$state" --hook-dir "$T/no-hooks" --live-poll 200 --sysfs "$T/sys" ||
	{ fail "checkdrv starts" "$(cat "$DRV_OUT")"; finish; }
drv "report ${mp// /\\x20} error=117 inode=12 verdict=confirmed"
ok "on (what looks like) LVM the check is e2scrub, run at once" \
	wait_log "$DRV_OUT" "$mp: started e2scrub $mp" 10
ok "e2scrub's refusal defers it to an offline check" \
	wait_log "$DRV_OUT" "$mp: check deferred: e2scrub refused it" 30
j=$(jobs_json "$state" "$ua")
note "jobs: $(jq -c '[.[] | {kind, state, exit_status, result}]' <<<"$j")"
ok "the e2scrub job is recorded refused, exit status $want" \
	quietly jq -e --argjson w "$want" '[.[] | select(.kind == "e2scrub")][0] |
		.state == "failed" and .result == "refused" and .exit_status == $w' <<<"$j"
ok "with e2scrub's own words in its output" \
	quietly jq -e '[.[] | select(.kind == "e2scrub")][0].detail |
		test("LVM-managed block device|LVM logical volume|is lvm2 installed")' <<<"$j"
ok "an offline e2fsck job waits for the unmount, saying why" \
	quietly jq -e '[.[] | select(.kind == "e2fsck-readonly")][0] |
		.state == "deferred" and (.reason | test("deferred to an offline check"))' <<<"$j"
umount "$mp"
if wait_log "$DRV_OUT" "$mp: check done: clean" 30; then
	pass "after the unmount e2fsck runs and finds it clean"
else
	fail "after the unmount e2fsck runs and finds it clean" \
		"$(grep -v 'mounts changed' "$DRV_OUT")"
fi
stop_drv

# ---- under systemd: the unit e2scrub_all uses ----
mount_image "$T/a.img" "$mp" || skip_all "could not mount a again"
fake_lvm "$mp"
unit=$("$sdname" e2scrub "$mp")
start_drv b "$state" --hook-dir "$T/no-hooks" --live-poll 200 --sysfs "$T/sys" \
	--systemd || { fail "checkdrv --systemd starts" "$(cat "$DRV_OUT")"; finish; }
drv "report ${mp// /\\x20} error=117 inode=12 verdict=confirmed"
ok "under systemd: systemctl start --no-block $unit" \
	wait_log "$DRV_OUT" "$mp: started systemctl start --no-block $unit" 10
if [ -d /run/systemd/system ]; then
	skip "a real e2scrub@ unit run" "not attempted by this test"
else
	skip "the e2scrub@ unit really running" "systemd is not PID 1 on this machine"
	ok "systemctl's failure here is a failure to retry" \
		wait_log "$DRV_OUT" "$mp: check queued: failed" 10
fi
sync_drv
jb=$(jobs_json "$state" "$ua" | jq -c '[.[] | select(.kind == "e2scrub")][0]')
stop_drv

# ---- record-scrub judges from the superblock ----
dev=$(findmnt -n -o SOURCE --target "$mp")
record() {
	"$E4ERRD" record-scrub --unit "$unit" --state-dir "$state" "$@"
}
newest_scrub() {
	jobs_json "$state" "$1" | jq -c '[.[] | select(.kind == "e2scrub")][0]'
}
# The daemon's job (from the systemd attempt above) is pending: this run,
# begun after it, answers it.
ok "record-scrub --phase start" record --phase start --invocation inv1
ok "it takes up e4errd's pending job" \
	quietly jq -e '.state == "running" and (.detail | test("invocation=inv1"))' \
	<<<"$(newest_scrub "$ua")"
tune2fs -C 0 -T now "$dev" >/dev/null 2>&1
ok "record-scrub --phase stop (unit failed, exit status 1)" \
	record --phase stop --result exit-code --exit-code exited --exit-status 1 --invocation inv1
j=$(newest_scrub "$ua")
note "judged: $(jq -c '{state, result, exit_status}' <<<"$j")"
ok "last check advanced: clean, whatever the exit status" \
	quietly jq -e '.state == "done" and .result == "clean" and .exit_status == 1' <<<"$j"

sleep 1.1
ok "second run: start" record --phase start --invocation inv2
tune2fs -E force_fsck "$dev" >/dev/null 2>&1
record --phase stop --result exit-code --exit-code exited --exit-status 1 --invocation inv2
ok "error flag newly set: corrupt" \
	quietly jq -e '.result == "corrupt" and (.detail | test("boot-time fsck"))' \
	<<<"$(newest_scrub "$ua")"

mp2="$T/x-y/日本 ü"
clean_image "$T/b.img" || skip_all "could not build image b"
ub=$(fs_uuid "$T/b.img")
mount_image "$T/b.img" "$mp2" || skip_all "could not mount b"
unit2=$("$sdname" e2scrub "$mp2")
# mke2fs stamped the last check: let a second pass, as it would have.
sleep 1.1
note "unit for $(printf '%q' "$mp2"): $unit2"
"$E4ERRD" record-scrub --unit "$unit2" --state-dir "$state" --phase start --invocation inv3
"$E4ERRD" record-scrub --unit "$unit2" --state-dir "$state" --phase stop \
	--result exit-code --exit-code exited --exit-status 1 --invocation inv3
j=$(newest_scrub "$ub")
ok "nothing changed: inconclusive (e4errd retries)" \
	quietly jq -e '.state == "failed" and .result == "inconclusive" and
		(.reason | test("outside e4errd"))' <<<"$j"

# A run that began before e4errd asked for a check does not answer it.
fake_lvm "$mp2"
"$E4ERRD" record-scrub --unit "$unit2" --state-dir "$state" --phase start --invocation inv4
start_drv c "$state" --hook-dir "$T/no-hooks" --live-poll 200 --sysfs "$T/sys" \
	--systemd || { fail "checkdrv c starts" "$(cat "$DRV_OUT")"; finish; }
drv "report $(sed 's/ /\\x20/g' <<<"$mp2") error=117 inode=12 verdict=confirmed"
wait_log "$DRV_OUT" "$mp2: started systemctl" 10
sync_drv
stop_drv
tune2fs -C 0 -T now "$(findmnt -n -o SOURCE --target "$mp2")" >/dev/null 2>&1
"$E4ERRD" record-scrub --unit "$unit2" --state-dir "$state" --phase stop \
	--result success --exit-code exited --exit-status 0 --invocation inv4
j=$(jobs_json "$state" "$ub")
note "jobs: $(jq -c '[.[] | select(.kind == "e2scrub") | {state, result, reason}]' <<<"$j")"
ok "the run is recorded clean" \
	quietly jq -e '[.[] | select(.kind == "e2scrub" and (.detail // "" | test("inv4|e2scrub marked")))] |
		map(select(.result == "clean")) | length == 1' <<<"$j"
ok "e4errd's job, asked for during that run, is queued again" \
	quietly jq -e '[.[] | select(.kind == "e2scrub")][0] | .state == "queued" and
		(.detail | test("began before this check was asked for"))' <<<"$j"

ok "record-scrub refuses a unit that is not e2scrub@" \
	bash -c '! "$0" record-scrub --unit foo.service --phase stop --state-dir "$1" 2>/dev/null' \
	"$E4ERRD" "$state"
"$E4ERRD" record-scrub --phase stop >/dev/null 2>&1
ok "record-scrub without --unit is a usage error (16)" test $? = 16
finish
