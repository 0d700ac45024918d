#!/bin/bash
# t_store_crash.sh --- kill -9 a writer of the findings store at random
# moments, while recording and while merging the spool back: every event it
# printed as recorded (after its commit returned) is there exactly once.
. "$TEST_SRCDIR/lib.sh"
require_live
command -v chattr >/dev/null || skip_all "chattr not installed (e2fsprogs)"
TOOL=$TEST_BUILDDIR/tools/store_tool
[ -x "$TOOL" ] || skip_all "tests/tools/store_tool not built"
make_tmpdir

S=$T/state R=$T/run
mkdir -p "$S"
at_exit "chattr -i '$S' '$S'/*"

# check_exactly_once FILE-OF-RECORDED-LINES DESCRIPTION
check_exactly_once() {
	"$TOOL" dump "$S" "$R" >"$T/dump" 2>"$T/dump.err" || {
		fail "$2: dump" "$(cat "$T/dump.err")"
		return
	}
	sed -n 's/^recorded //p' "$1" | sort -u >"$T/want"
	cut -d' ' -f1 "$T/dump" | sort >"$T/have"
	local missing dups
	missing=$(comm -23 "$T/want" <(sort -u "$T/have") | wc -l)
	dups=$(uniq -d "$T/have" | wc -l)
	if [ "$missing" -eq 0 ] && [ "$dups" -eq 0 ]; then
		pass "$2: $(wc -l <"$T/want") recorded, all present once ($(wc -l <"$T/have") stored)"
	else
		fail "$2" "$missing recorded events missing, $dups stored more than once"
	fi
}

# kill_at_random FIRST BATCH: record until a random moment, then kill -9.
kill_at_random() {
	"$TOOL" record "$S" "$R" "$1" 0 "$2" >>"$T/recorded" 2>>"$T/record.err" &
	local pid=$!
	sleep "0.$((RANDOM % 5 + 1))$((RANDOM % 10))"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
}

: >"$T/recorded"
for run in 1 2 3 4 5 6; do
	kill_at_random $((run * 1000000)) $(( run % 2 ? 1 : 25 ))
done
ok "recorder printed events before being killed" test "$(grep -c '^recorded' "$T/recorded")" -gt 50
ok "recorder reported no error" test ! -s "$T/record.err"
check_exactly_once "$T/recorded" "after 6 kill -9 while recording"

# The state directory and its files refuse writes (root ignores modes, not
# the immutable flag): the recorder spools.
chattr +i "$S"/* "$S"
: >"$T/spooled"
for run in 7 8 9; do
	"$TOOL" record "$S" "$R" $((run * 1000000)) 0 10 >>"$T/spooled" 2>>"$T/spool.err" &
	pid=$!
	sleep 0.$((RANDOM % 5 + 3))
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
done
ok "recorder said it spools" grep -q "spooling findings to $R/spool.db" "$T/spool.err"
ok "spool holds the events" test -s "$R/spool.db"
cat "$T/spooled" >>"$T/recorded"
check_exactly_once "$T/recorded" "reader sees main database and spool"

# Merge back, killed ever later (5 ms, 20 ms, 35 ms...) until one run
# completes: kills land before, inside and after the merge's commits.
chattr -i "$S" "$S"/*
killed=0 dups=0
for try in $(seq 0 80); do
	"$TOOL" merge "$S" "$R" >"$T/merge.out" 2>&1 &
	pid=$!
	sleep "$(printf '%d.%03d' $(((5 + 15 * try) / 1000)) $(((5 + 15 * try) % 1000)))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	grep -q '^main' "$T/merge.out" && break
	killed=$((killed + 1))
	command -v sqlite3 >/dev/null &&
		note "killed; main holds $(sqlite3 "$S/e4errd.db" 'SELECT count(*) FROM events'), spool $(sqlite3 "$R/spool.db" 'SELECT count(*) FROM events')"
	dups=$("$TOOL" dump "$S" "$R" | cut -d' ' -f2 | sort | uniq -d | wc -l)
	[ "$dups" -eq 0 ] || break
done
note "$killed merges killed before they finished"
ok "no record doubled by any interrupted merge" test "$dups" -eq 0
ok "a merge completes" "$TOOL" merge "$S" "$R"
check_exactly_once "$T/recorded" "after interrupted merges"
if command -v sqlite3 >/dev/null; then
	ok "spool empty after the merge" \
		test "$(sqlite3 "$R/spool.db" 'SELECT count(*) FROM events')" -eq 0
else
	skip "spool empty after the merge" "sqlite3 command not installed"
fi
"$TOOL" dump "$S" "$R" | cut -d' ' -f2 | sort | uniq -d >"$T/dup"
ok "every (origin, seq) unique" test ! -s "$T/dup"

finish
