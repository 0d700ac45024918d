#!/bin/bash
# The state directory on the very filesystem that fails: mounted
# errors=remount-ro, an error turns it emergency read-only, the daemon
# spools to the spool directory (a temporary /run stand-in here), holds
# nothing open on the failed filesystem so it can be unmounted, and merges
# the spool back once it is mounted again.  Nothing recorded is lost or
# doubled.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/live/daemon_helpers.bash"
require_live
command -v jq >/dev/null || skip_all "jq not installed"
command -v sqlite3 >/dev/null || skip_all "sqlite3 not installed (needed to look into each file)"
make_tmpdir

img=$T/img mnt=$T/mnt state=$T/mnt/state
ino=$(damaged_dir_image "$img") || skip_all "could not build the test image"
mount_image "$img" "$mnt" "errors=remount-ro" || skip_all "could not mount $img"
daemon_config "$T/conf" "flood_window=60s"
damaged_dir_image "$T/b.img" >/dev/null && mount_image "$T/b.img" "$T/b" ||
	skip_all "could not mount B"
start_daemon "$T/log" --config "$T/conf" --state-dir "$state" "$mnt" "$T/b"
wait_log "$T/log" "ready: 2 filesystems watched" 10 || { fail "daemon ready" "$(cat "$T/log")"; finish; }
ok "the database is on the filesystem under test" test -f "$state/e4errd.db"

ls "$mnt/d" >/dev/null 2>&1
for ((i = 0; i < 50; i++)); do
	findmnt -n -o FS-OPTIONS --mountpoint "$mnt" | tr , '\n' | grep -qxE 'ro|emergency_ro' && break
	sleep 0.1
done
ok "the error made it read-only ($(findmnt -n -o FS-OPTIONS --mountpoint "$mnt"))" test "$i" -lt 50
# The kernel sends no more events once the filesystem is read-only:
# whatever it sent is what must be kept.
ok "the daemon spools" wait_log "$T/log" "spooling findings to $T/run/spool.db" 5
sleep 0.5
sent=$(sed -n 's/.*recorded \([0-9]*\) events\{0,1\} on .*\/mnt (.*/\1/p' "$T/log" | awk '{ s += $1 } END { print s + 0 }')
n=$(report_json "$state" | jq --arg m "$mnt" '[.filesystems[] | select(.mountpoint == $m) | .events] | add')
note "$(grep -E 'recorded|spool' "$T/log")"
ok "report (database and spool) has every event recorded ($sent)" test "$n" = "$sent" -a "$sent" -ge 1
spooled=$(sqlite3 "file:$T/run/spool.db?mode=ro" "SELECT count(*) FROM events")
ok "they wait in the spool ($spooled)" test "$spooled" -ge 1
verdict=$(inode_json "$state" "$mnt" "$ino" | jq -r .verdict)
ok "the inspection is kept too ($verdict)" test "$verdict" = confirmed

# --- repair: unmount, mount again -------------------------------------------
sleep 0.3
if umount "$mnt"; then
	pass "the daemon holds nothing open there: it unmounts"
else
	fail "the daemon holds nothing open there: it unmounts" "$(ls -l /proc/"$DAEMON_PID"/fd)"
	umount -l "$mnt"
fi
mount -o loop,errors=remount-ro "$img" "$mnt" || { fail "mounted again"; finish; }
ok "back: the spool is merged into the state directory" \
	wait_log "$T/log" "spooled events merged back" 10
main=$(sqlite3 "file:$state/e4errd.db?mode=ro" "SELECT count(*) FROM events")
left=$(sqlite3 "file:$T/run/spool.db?mode=ro" "SELECT count(*) FROM events" 2>/dev/null || echo 0)
note "after the merge: $main events in the database, $left in the spool"
ok "every event is in the database" test "$main" = "$sent"
ok "none is left in the spool" test "$left" = 0
n=$(report_json "$state" | jq --arg m "$mnt" '[.filesystems[] | select(.mountpoint == $m) | .events] | add')
ok "report: still $sent events, none doubled ($n)" test "$n" = "$sent"
ls "$T/b/d" >/dev/null 2>&1
ok "records on" wait_log "$T/log" "recorded 1 event on $T/b " 5
sleep 0.3
main=$(sqlite3 "file:$state/e4errd.db?mode=ro" "SELECT count(*) FROM events")
ok "straight into the database again ($main)" test "$main" = $((sent + 1))
stop_daemon TERM
ok "stops with status 0" test "$DAEMON_RC" = 0
finish
