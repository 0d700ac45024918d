#!/bin/bash
# Errors that send no event still reach `e4errd report`.  A group
# descriptor whose free blocks count is wrong makes mballoc report "block
# bitmap and bg descriptor inconsistent" when it first allocates there: the
# kernel counts the error (errors_count) but sends no fanotify event.  The
# daemon sees the counter rise (POLLPRI on sysfs); once no event explained
# it within the grace (10 s) it records a lost report; after a restart it
# does not record it again, but it does record, once, an error raised
# while it was not running.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/live/daemon_helpers.bash"
. "$TEST_SRCDIR/live/watch_helpers.bash"
require_live
command -v jq >/dev/null || skip_all "jq not installed"
make_tmpdir

img=$T/img mnt=$T/mnt state=$T/state
mke2fs -q -F -t ext4 -b 1024 "$img" 16M >/dev/null 2>&1 || skip_all "mke2fs failed"
free=$(dumpe2fs "$img" 2>/dev/null | sed -n '/^Group 0:/,/^Group 1:/s/^ *\([0-9]*\) free blocks,.*/\1/p')
debugfs -w -R "set_bg 0 free_blocks_count $((free - 21))" "$img" >/dev/null 2>&1
debugfs -w -R "set_bg 0 checksum calc" "$img" >/dev/null 2>&1
ok "group 0's descriptor says 21 free blocks fewer than its bitmap ($free)" \
	test "$(dumpe2fs "$img" 2>/dev/null | sed -n '/^Group 0:/,/^Group 1:/s/^ *\([0-9]*\) free blocks,.*/\1/p')" = $((free - 21))
mount_image "$img" "$mnt" || skip_all "could not mount $img"

daemon_config "$T/conf"
start_watch "$T/watch.out" "$T/watch.err" --json "$mnt"
start_daemon "$T/log" --config "$T/conf" --state-dir "$state" "$mnt"
wait_log "$T/log" "ready: 1 filesystem watched" 10 && wait_log "$T/watch.err" "ready:" 10 ||
	{ fail "daemon and watcher ready" "$(cat "$T/log" "$T/watch.err")"; finish; }
before=$(errors_count "$mnt")
ok "no error counted yet" test "$before" = 0

dd if=/dev/zero of="$mnt/f" bs=1k count=100 status=none
sync
for ((i = 0; i < 50; i++)); do
	[ "$(errors_count "$mnt")" -gt "$before" ] && break
	sleep 0.1
done
after=$(errors_count "$mnt")
ok "the kernel counted the error: errors_count $before -> $after" test "$after" -gt "$before"
note "kernel log: $(dmesg | grep -F "(device $(kname "$mnt"))" | grep -F ext4_mb_generate_buddy | tail -1)"
ok "the daemon logs errors the kernel counted without an event (after the 10 s grace)" \
	wait_log "$T/log" "$mnt: $((after - before)) error(s) counted by the kernel with no event reporting them: lost reports" 15
sleep 0.5
ok "proof: no fanotify event was sent (watch saw none)" test ! -s "$T/watch.out"
ok "proof: the daemon recorded no event" quietly test "$(grep -c "recorded .* on $mnt " "$T/log")" = 0
fsj=$(report_json "$state" | jq -c --arg m "$mnt" '.filesystems[] | select(.mountpoint == $m)')
nof=$(jq -c '.inodes[] | select(.inode == null)' <<<"$fsj")
note "report: $nof"
ok "report: the filesystem has lost_reports $((after - before))" \
	test "$(jq -r .lost_reports <<<"$fsj")" = $((after - before))
ok "report: a finding lost_reports on the filesystem" \
	jqok --arg n "$((after - before)) error(s)" 'any(.findings[]; .code == "lost_reports" and (.message | startswith($n)))' <<<"$nof"
ok "report: it names the function from the superblock" \
	jqok 'any(.findings[]; .code == "lost_reports" and (.message | test("last error: ext4_mb_generate_buddy")))' <<<"$nof"
ok "report: the kernel log's line for it (function, group error message)" \
	jqok '.function == "ext4_mb_generate_buddy" and (.message | test("block bitmap and bg descriptor inconsistent")) and (.sources.function | index("kmsg"))' <<<"$nof"

# --- a restart does not record it again ------------------------------------
stop_daemon TERM
start_daemon "$T/log2" --config "$T/conf" --state-dir "$state" "$mnt"
wait_log "$T/log2" "ready: 1 filesystem watched" 10 || fail "restarted daemon ready" "$(cat "$T/log2")"
sleep 0.3
ok "restart: nothing recorded again" quietly test "$(grep -c "counted by the kernel" "$T/log2")" = 0
stop_daemon TERM

# --- an error while the daemon is not running is recorded once -------------
echo "e4errd counters test" >"/sys/fs/ext4/$(kname "$mnt")/trigger_fs_error"
for ((i = 0; i < 50; i++)); do
	[ "$(errors_count "$mnt")" -gt "$after" ] && break
	sleep 0.1
done
now=$(errors_count "$mnt")
ok "an error raised while the daemon was stopped: errors_count $after -> $now" test "$now" = $((after + 1))
start_daemon "$T/log3" --config "$T/conf" --state-dir "$state" "$mnt"
wait_log "$T/log3" "ready: 1 filesystem watched" 10 || fail "daemon ready again" "$(cat "$T/log3")"
ok "it is recorded at start" wait_log "$T/log3" "$mnt: 1 error(s) counted by the kernel with no event recorded" 5
nof=$(report_json "$state" | jq -c --arg m "$mnt" '.filesystems[] | select(.mountpoint == $m) | .inodes[] | select(.inode == null)')
note "report: $nof"
ok "report: unrecorded_errors at errors_count $now" \
	jqok --arg o "errors_count is $now;" 'any(.findings[]; .code == "unrecorded_errors" and (.message | startswith("the superblock counts 1 error(s)")) and (.message | contains($o)))' <<<"$nof"
stop_daemon TERM
start_daemon "$T/log4" --config "$T/conf" --state-dir "$state" "$mnt"
wait_log "$T/log4" "ready: 1 filesystem watched" 10 || fail "daemon ready a third time" "$(cat "$T/log4")"
sleep 0.3
ok "and only once" quietly test "$(grep -c "counted by the kernel" "$T/log4")" = 0

# --- an event explains the rise it causes ----------------------------------
echo "e4errd counters test 2" >"/sys/fs/ext4/$(kname "$mnt")/trigger_fs_error"
ok "an error with an event is recorded" wait_log "$T/log4" "recorded 1 event on $mnt " 5
for ((i = 0; i < 50; i++)); do
	[ "$(errors_count "$mnt")" -gt "$now" ] && break
	sleep 0.1
done
sleep 11
ok "and is not also counted as lost, even after the grace" quietly test "$(grep -c "counted by the kernel" "$T/log4")" = 0
stop_daemon TERM
ok "stops with status 0" test "$DAEMON_RC" = 0
finish
