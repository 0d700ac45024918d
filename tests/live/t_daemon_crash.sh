#!/bin/bash
# kill -9 during a burst of events: every event the daemon logged as
# recorded is in the database exactly once, the database opens again
# cleanly, and the restarted daemon records on.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/live/daemon_helpers.bash"
require_live
command -v jq >/dev/null || skip_all "jq not installed"
command -v sqlite3 >/dev/null || skip_all "sqlite3 not installed (needed to count rows by reference)"
make_tmpdir

img=$T/img mnt=$T/mnt state=$T/state
ino=$(damaged_dir_image "$img") || skip_all "could not build the test image"
mount_image "$img" "$mnt" || skip_all "could not mount $img"
daemon_config "$T/conf" "flood_window=60s"
start_daemon "$T/log" --config "$T/conf" --state-dir "$state" "$mnt"
wait_log "$T/log" "ready: 1 filesystem watched" 10 || { fail "daemon ready" "$(cat "$T/log")"; finish; }

# The burst: 8 readers, each a new `ls` process per read, until stopped.
for ((r = 0; r < 8; r++)); do
	(while [ ! -e "$T/stop" ]; do ls "$mnt/d" >/dev/null 2>&1; done) &
	at_exit "kill $!"
done
wait_log "$T/log" "recorded" 5
sleep 0.7
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
touch "$T/stop"
sleep 0.3

db=$state/e4errd.db
q() { sqlite3 "file:$db?mode=ro" "$1"; }
# Complete "recorded" lines only: the last one may have been cut by the kill.
re='recorded ([0-9]+) events? on .* \[origin ([0-9]+) seq ([0-9]+)-([0-9]+)\]$'
lines=0 logged=0 bad=0
while IFS= read -r line; do
	[[ $line =~ $re ]] || continue
	n=${BASH_REMATCH[1]} o=${BASH_REMATCH[2]} a=${BASH_REMATCH[3]} b=${BASH_REMATCH[4]}
	lines=$((lines + 1)) logged=$((logged + n))
	have=$(q "SELECT count(*) FROM events WHERE origin = $o AND seq BETWEEN $a AND $b")
	if [ "$have" != "$n" ] || [ $((b - a + 1)) != "$n" ]; then
		bad=$((bad + 1))
		note "logged $n events as seq $a-$b, the database has $have"
	fi
	origin=$o
done <"$T/log"
total=$(q "SELECT count(*) FROM events WHERE origin = ${origin:-0}")
note "killed after $lines 'recorded' lines, $logged events logged; the database holds $total events of that run"
ok "a burst was recorded before the kill ($logged events)" test "$logged" -gt 20
ok "every event logged as recorded is in the database" test "$bad" = 0
ok "the database holds at least what was logged" test "$total" -ge "$logged"
ok "no event is there twice" \
	test "$(q "SELECT count(*) FROM (SELECT origin, seq FROM events GROUP BY 1, 2 HAVING count(*) > 1)")" = 0
ok "integrity check passes" test "$(q "PRAGMA integrity_check")" = ok

# --- restart on the same state directory ------------------------------------
start_daemon "$T/log2" --config "$T/conf" --state-dir "$state" "$mnt"
if wait_log "$T/log2" "ready: 1 filesystem watched" 10; then
	pass "restarted on the same database"
else
	fail "restarted on the same database" "$(cat "$T/log2")"
fi
ok "nothing moved aside" quietly test "$(grep -c "aside" "$T/log2")" = 0
ls "$mnt/d" >/dev/null 2>&1
ok "records on after the restart" wait_log "$T/log2" "recorded 1 event on $mnt " 5
t=$(report_json "$state" | jq --arg m "$mnt" '[.filesystems[] | select(.mountpoint == $m) | .events] | add')
ok "report counts every event in the database ($t)" test "$t" = "$(q "SELECT count(*) FROM events")"
stop_daemon TERM
ok "stops with status 0" test "$DAEMON_RC" = 0
finish
