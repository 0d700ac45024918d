#!/bin/bash
# e4errd daemon end to end on the real kernel: a damaged directory is read,
# the kernel's event is recorded, inspected, and `e4errd report` shows the
# inode confirmed within a second; a flood of reads from hundreds of
# processes is recorded in full but inspected once; SIGTERM stops cleanly.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/live/daemon_helpers.bash"
require_live
command -v jq >/dev/null || skip_all "jq not installed"
make_tmpdir

img=$T/img mnt=$T/mnt state=$T/state
ino=$(damaged_dir_image "$img") || skip_all "could not build the test image"
mount_image "$img" "$mnt" || skip_all "could not mount $img"
mkdir -p "$T/metrics"
daemon_config "$T/conf" "flood_window=60s" "metrics_file=$T/metrics/e4errd.prom"
start_daemon "$T/log" --config "$T/conf" --state-dir "$state" "$mnt"
if ! wait_log "$T/log" "ready: 1 filesystem watched" 10; then
	fail "daemon ready" "$(cat "$T/log")"
	finish
fi
pass "daemon ready"
ok "state directory 0700, database 0600" \
	test "$(stat -c %a "$state"):$(stat -c %a "$state/e4errd.db")" = 700:600

# --- one error, end to end --------------------------------------------------
before=$(errors_count "$mnt")
t0=$EPOCHREALTIME
ls "$mnt/d" >/dev/null 2>&1
if secs=$(wait_verdict "$t0" "$state" "$mnt" "$ino" confirmed 1); then
	pass "report shows inode $ino confirmed within a second (${secs}s)"
else
	fail "report shows inode $ino confirmed within a second (${secs}s)" \
		"$(cat "$T/log"; report_json "$state")"
fi
note "measured: error provoked -> verdict confirmed in e4errd report: ${secs}s"
j=$(inode_json "$state" "$mnt" "$ino")
note "report: $j"
ok "report: one event on the inode" test "$(jq .events <<<"$j")" = 1
ok "report: the directory block's checksum is the finding" quietly \
	jq -e 'any(.findings[]; .code == "dir_block_checksum")' <<<"$j"
ok "report: error named EFSBADCRC" test "$(jq -r .error_name <<<"$j")" = EFSBADCRC
rec=$(grep -n "recorded 1 event on $mnt " "$T/log" | head -1 | cut -d: -f1)
insp=$(grep -n "inspected $mnt inode $ino: confirmed" "$T/log" | head -1 | cut -d: -f1)
ok "log: 'recorded' comes before the inspection" test "${rec:-0}" -gt 0 -a "${insp:-0}" -gt "${rec:-0}"

# --- a flood: many processes read the bad directory -------------------------
n=300
for ((i = 0; i < n; i++)); do
	ls "$mnt/d" >/dev/null 2>&1
done
# Every error the kernel counted is one the daemon recorded (events carry
# error_count: merged reports count them all).  The counter is written a
# moment after the events.
want=0 got=-1
for ((i = 0; i < 100; i++)); do
	want=$(($(errors_count "$mnt") - before))
	got=$(inode_json "$state" "$mnt" "$ino" | jq .error_count 2>/dev/null)
	[ "$got" = "$want" ] && [ "$want" -ge $((n + 1)) ] && break
	sleep 0.1
done
j=$(inode_json "$state" "$mnt" "$ino")
note "after $n more reads: errors_count rose by $want; report: events $(jq .events <<<"$j"), error_count $got"
ok "flood: every error counted by the kernel is recorded ($want)" test "$got" = "$want"
ok "flood: at least one event per read ($((n + 1)))" test "$(jq .events <<<"$j")" -ge $((n + 1))
ninsp=$(grep -c "inspected $mnt inode $ino:" "$T/log")
ok "flood: inspected once, not once per event ($ninsp)" test "$ninsp" = 1
if command -v sqlite3 >/dev/null; then
	rows=$(sqlite3 "file:$state/e4errd.db?mode=ro" \
		"SELECT count(*) FROM inspections WHERE inode = $ino")
	ok "flood: one inspection in the database ($rows)" test "$rows" = 1
else
	skip "flood: one inspection in the database" "sqlite3 not installed"
fi
ok "flood: still confirmed" test "$(jq -r .verdict <<<"$j")" = confirmed

# --- metrics ----------------------------------------------------------------
# Rewritten after changes, at most every 5 seconds.
total=$(jq .events <<<"$j")
for ((i = 0; i < 80; i++)); do
	grep -q "^e4errd_events_total{.*mountpoint=\"$mnt\"} $total\$" "$T/metrics/e4errd.prom" 2>/dev/null && break
	sleep 0.1
done
ok "metrics file: $total events for $mnt" \
	grep -q "^e4errd_events_total{.*mountpoint=\"$mnt\"} $total\$" "$T/metrics/e4errd.prom"
if command -v promtool >/dev/null; then
	ok "metrics file: promtool check metrics accepts it" \
		quietly promtool check metrics <"$T/metrics/e4errd.prom"
else
	skip "metrics file: promtool check metrics accepts it" "promtool not installed (prometheus)"
fi

# --- SIGTERM ----------------------------------------------------------------
stop_daemon TERM
ok "SIGTERM: exit status 0" test "$DAEMON_RC" = 0
ok "SIGTERM: says it stopped" grep -q "e4errd: stopped$" "$T/log"
ok "report still reads the database after the stop" \
	test "$(inode_json "$state" "$mnt" "$ino" | jq -r .verdict)" = confirmed
finish
