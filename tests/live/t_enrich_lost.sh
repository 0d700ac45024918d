#!/bin/bash
# Nothing missed silently, on the real kernel: lost_reports counts the
# errors no event reported -- events dropped by a full queue (provoked by
# lowering max_queued_events before the group is made) and an error that
# sends no event at all (mballoc's group-locked error) -- and never goes
# negative on a read-only mount (events arrive, the counter stays).  A
# kernel that sends nothing puts the filesystem in counters mode.  The
# scenarios run side by side, each on its own image and probe, so the 10 s
# grace after which rises count as lost is waited for once.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/live/enrich_helpers.bash"
require_live
require_probe
make_tmpdir
grace=12	# E4ERR_LOST_GRACE_MS is 10 s: rises settle after it

ino=$(damaged_dir_image "$T/img1") || skip_all "could not build the test image"
group_error_image "$T/img2" || skip_all "could not build the mballoc image"
damaged_dir_image "$T/img3" >/dev/null || skip_all "could not build the third image"
damaged_dir_image "$T/img4" >/dev/null || skip_all "could not build the fourth image"
for i in 1 2 4; do
	mount_image "$T/img$i" "$T/mnt$i" || skip_all "could not mount $T/img$i"
done
mount_image "$T/img3" "$T/mnt3" "ro,errors=continue" || skip_all "could not mount $T/img3"
k1=$(kname_of "$T/mnt1") k4=$(kname_of "$T/mnt4")

# (a) a queue too short: the probe makes its group with max_queued_events
# 2, then reads nothing for 3 s while six processes hit the damage.
q=/proc/sys/fs/fanotify/max_queued_events
old=$(cat "$q")
at_exit "echo $old >$q"
echo 2 >"$q"
start_probe "$T/out1" -t $((grace + 6)) -p 3000 "$T/mnt1"
ready=$?
pid1=$PROBE_PID
echo "$old" >"$q"
ok "max_queued_events restored to $old" test "$(cat "$q")" = "$old"
[ $ready -eq 0 ] || { fail "probe ready" "$(cat "$T/out1.err")"; finish; }
# (b) mballoc's group-locked error, (c) read-only, (d) a silent kernel,
# (e) no ABI: probes with the normal queue.
start_probe "$T/out2" -t $((grace + 4)) "$T/mnt2" || fail "probe 2 ready"
pid2=$PROBE_PID
start_probe "$T/out3" -t $((grace + 4)) "$T/mnt3" || fail "probe 3 ready"
pid3=$PROBE_PID
start_probe "$T/out4" -t $((grace + 4)) --ignore-events "$T/mnt4" || fail "probe 4 ready"
pid4=$PROBE_PID
start_probe "$T/out5" -t 2 --no-events "$T/mnt4" || fail "probe 5 ready"
pid5=$PROBE_PID

before=$(cat "/sys/fs/ext4/$k1/errors_count")
for i in 1 2 3 4 5 6; do
	ls "$T/mnt1/d" >/dev/null 2>&1	# six processes: six events, unmerged
done
after=$(cat "/sys/fs/ext4/$k1/errors_count")
dd if=/dev/zero of="$T/mnt2/f" bs=1k count=50 status=none 2>/dev/null
sync
ls "$T/mnt3/d" >/dev/null 2>&1
echo "silent kernel" >"/sys/fs/ext4/$k4/trigger_fs_error"
for pid in $pid1 $pid2 $pid3 $pid4 $pid5; do
	wait_probe $((grace + 10)) "$pid"
done

s=$(summary_of "$T/out1")
note "(a) errors_count $before -> $after; summary: $s"
ev=$(records "$T/out1" | jq -c 'select(.event != null)' | wc -l)
ok "six errors counted by the kernel" test $((after - before)) -eq 6
ok "the queue overflowed" grep -q '"overflow":true' "$T/out1"
ok "the overflow asked for a rescan of the counters" grep -q '"rescan":true' "$T/out1"
ok "fewer than six events arrived ($ev)" test "$ev" -lt 6
ok "lost_reports = counted - reported = $((6 - ev))" \
	test "$(jq -r .lost_reports <<<"$s")" -eq $((6 - ev))
ok "the lost errors are still known from the log" \
	test "$(records "$T/out1" | jq -c "select(.event == null and .objects[0].inode == $ino)" |
		wc -l)" -eq $((6 - ev))
ok "the filesystem stays in events mode" test "$(jq -r .mode <<<"$s")" = events

s=$(summary_of "$T/out2")
r=$(records "$T/out2" | head -1)
note "(b) summary: $s"
note "(b) record: $r"
ok "mballoc: no event came" test "$(jq -r .events <<<"$s")" = 0
ok "mballoc: the counter rose by 1" test "$(jq -r .counted <<<"$s")" = 1
ok "mballoc: lost_reports 1" test "$(jq -r .lost_reports <<<"$s")" = 1
ok "mballoc: known from the log: group 0, ext4_mb_generate_buddy" \
	test "$(jq -r '.objects[0] | "\(.group) \(.function)"' <<<"$r")" = "0 ext4_mb_generate_buddy"
ok "mballoc: a group-locked error is no reason for counters mode" \
	test "$(jq -r .mode <<<"$s")" = events

s=$(summary_of "$T/out3")
note "(c) summary: $s"
ok "read-only: the event arrived" test "$(jq -r .reported <<<"$s")" = 1
ok "read-only: the counter did not grow" test "$(jq -r .counted <<<"$s")" = 0
ok "read-only: the error is uncounted, not negative" \
	test "$(jq -r '"\(.uncounted) \(.lost_reports)"' <<<"$s")" = "1 0"

s=$(summary_of "$T/out4")
note "(d) summary: $s"
ok "silent kernel: counters mode, because silent" \
	test "$(jq -r '"\(.mode) \(.reason)"' <<<"$s")" = "counters silent"
ok "silent kernel: the change was said" \
	test "$(jq -r 'select(.news) | .news.mode' "$T/out4")" = counters
ok "silent kernel: the error is still known from the log" \
	test "$(records "$T/out4" | jq -r '.objects[0].message' | head -1)" = "silent kernel"

ok "no ABI: counters mode from the start" \
	test "$(summary_of "$T/out5" | jq -r '"\(.mode) \(.reason)"')" = "counters no_abi"
finish
