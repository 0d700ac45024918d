#!/bin/bash
# t_report.sh --- `e4errd report` on a store filled by tests/tools/store_tool
# with hostile strings (escape sequences, newlines, invalid UTF-8, a bidi
# override, quotes and backslashes): text shows none of them raw, JSON is
# valid and keeps the documented keys, filters work, metrics are valid.
. "$TEST_SRCDIR/lib.sh"
command -v jq >/dev/null || skip_all "jq not installed"
TOOL=$TEST_BUILDDIR/tools/store_tool
[ -x "$TOOL" ] || skip_all "tests/tools/store_tool not built"
make_tmpdir

S=$T/state R=$T/run
report() { "$E4ERRD" report --state-dir "$S" --spool-dir "$R" "$@"; }

ok "populate a store" "$TOOL" populate "$S" "$R"

# ---- text ----
text=$(report)
ok "text report exits 0" test $? -eq 0
ok "text: no raw control bytes (only newlines)" \
	test -z "$(printf '%s' "$text" | tr -d '\n' | LC_ALL=C tr -d '[:print:]' | LC_ALL=C tr -d '\200-\377')"
ok "text: valid UTF-8" bash -c 'printf "%s" "$1" | iconv -f UTF-8 -t UTF-8 >/dev/null' _ "$text"
ok "text: no raw bidi override" bash -c '! grep -qF $'"'"'\xe2\x80\xae'"'"' <<<"$1"' _ "$text"
ok "text: no line forged by a description" bash -c '! grep -q "^EXT4-fs" <<<"$1"' _ "$text"
ok "text: no line forged by a mount point" bash -c '! grep -q "^name" <<<"$1"' _ "$text"
ok "text: escapes shown" grep -qF 'entry "\x1b[1mevil\x1b[0m"\nfails \xff its checksum' <<<"$text"
first=$(grep -n '^Filesystem 1111' <<<"$text" | cut -d: -f1)
second=$(grep -n '^Filesystem aaaa' <<<"$text" | cut -d: -f1)
ok "text: newest filesystem first" test -n "$first" -a -n "$second" -a "${first:-0}" -lt "${second:-0}"
ok "text: event and error_count totals" grep -qx '  4 events, error count 6' <<<"$text"
ok "text: verdict" grep -qx '    verdict: confirmed' <<<"$text"
ok "text: finding codes" grep -q '^      - dir_block_checksum, inode 12: ' <<<"$text"
ok "text: unrelated finding marked" grep -q 'block_bitmap_checksum.*found on the way' <<<"$text"
ok "text: job outcome" grep -q '^  job e2fsck: done, exit status 4, corrupt' <<<"$text"
ok "text: no-inode errors listed" grep -q '^  no inode (filesystem-wide): 1 event.*ESHUTDOWN (-108)' <<<"$text"

# ---- JSON ----
json=$(report --json)
ok "json report exits 0" test $? -eq 0
ok "json parses" jq -e . <<<"$json" >/dev/null
ok "json is ASCII" test -z "$(printf '%s' "$json" | LC_ALL=C tr -d '\000-\177')"
ok "json: filesystem keys" test "$(jq -c '[.filesystems[0] | has("uuid", "device",
	"mountpoint", "events", "first_seen", "last_seen", "inodes", "jobs")] | all' <<<"$json")" = true
ok "json: inode keys" test "$(jq -c '[.filesystems[].inodes[] | has("inode", "generation",
	"events", "error_name", "verdict", "findings")] | all' <<<"$json")" = true
ok "json: finding keys" test "$(jq -c '[.filesystems[].inodes[].findings[] |
	has("code", "message")] | all' <<<"$json")" = true
ok "json: job keys" test "$(jq -c '[.filesystems[].jobs[] | has("kind", "state",
	"exit_status", "result")] | all' <<<"$json")" = true
ok "json: newest filesystem first, counts" test "$(jq -c '[.filesystems[] |
	[.uuid[0:4], .events, .error_count]]' <<<"$json")" = '[["1111",4,6],["aaaa",1,2]]'
ok "json: inode 12 confirmed with its findings" test "$(jq -c '.filesystems[0].inodes[] |
	select(.inode == 12) | [.verdict, .error_name, [.findings[].code]]' <<<"$json")" = \
	'["confirmed","EFSCORRUPTED",["dir_block_checksum","block_bitmap_checksum"]]'
ok "json: mount point kept exactly" test "$(jq -r '.filesystems[0].mountpoint' <<<"$json")" = \
	$'/mnt/evil\nname "q" \\'
ok "json: escape sequences kept as characters" test "$(jq -r '.filesystems[0].inodes[] |
	select(.inode == 12) | .findings[0].message' <<<"$json" | head -1)" = $'entry "\e[1mevil\e[0m"'
want_hex=$(printf 'inode \xff\xfe\xc3( \xe2\x80\xaedrowssap "q" \\ end\r' | od -An -tx1 | tr -d ' \n')
ok "json: invalid UTF-8 description also as exact hex" test "$(jq -r '.filesystems[0].inodes[] |
	select(.inode == 12) | .desc_hex' <<<"$json")" = "$want_hex"
ok "json: job outcome" test "$(jq -c '.filesystems[0].jobs[0] | [.kind, .state, .exit_status,
	.result]' <<<"$json")" = '["e2fsck","done",4,"corrupt"]'
ok "json: no-inode entry" test "$(jq -c '.filesystems[0].inodes[] | select(.inode == null) |
	[.error, .error_name, .verdict]' <<<"$json")" = '[-108,"ESHUTDOWN",null]'

# ---- what enrichment added ----
# jq 1.6 -e exits 0 on empty input: a missing entry must not pass.
jqtrue() { local j; j=$(cat); [ -n "$j" ] && jq -e "$@" >/dev/null <<<"$j"; }
j13=$(jq -c '.filesystems[0].inodes[] | select(.inode == 13)' <<<"$json")
ok "json: enrichment's function, line, block for inode 13" \
	test "$(jq -c '[.function, .line, .block]' <<<"$j13")" = '["ext4_lookup",1815,999]'
ok "json: comm kept as characters, invalid byte also as hex" \
	jqtrue '.comm == "\u001b]0;pwn\u0007\ufffd" and .comm_hex == "1b5d303b70776e07ff"' <<<"$j13"
ok "json: message kept exactly" \
	test "$(jq -r .message <<<"$j13")" = $'bad entry\nEXT4-fs error: forged'
ok "json: sources" test "$(jq -c .sources <<<"$j13")" = '{"inode":["event","kmsg"],"block":["kmsg"]}'
ok "json: an event's own fields say so when nothing else was recorded" \
	test "$(jq -c '.filesystems[0].inodes[] | select(.inode == 12) | .sources.function' <<<"$json")" = '["event"]'
ok "json: an inode only the kernel log names is listed" \
	test "$(jq -c '.filesystems[0].inodes[] | select(.inode == 99) |
	[.events, .function, .comm, .message, .verdict]' <<<"$json")" = \
	'[0,"ext4_mb_generate_buddy","ls","known from the log",null]'
ok "json: lost_reports per filesystem" \
	test "$(jq -c '[.filesystems[] | .lost_reports]' <<<"$json")" = '[3,0]'
ok "text: comm and message escaped" \
	grep -qF '    kernel: ext4_lookup:1815 block 999, comm \x1b]0;pwn\x07\xff: bad entry\nEXT4-fs error: forged' <<<"$text"
ok "text: sources" grep -qx '    sources: inode event,kmsg; block kmsg' <<<"$text"
ok "text: the log-only inode" grep -q '^  inode 99 (known from the kernel log only): 0 events' <<<"$text"
ok "text: lost reports" grep -q '^  lost reports: 3 ' <<<"$text"

# ---- filters ----
uuids() { report --json "$@" | jq -c '[.filesystems[].uuid[0:4]]'; }
ok "--fs by UUID (any case)" test "$(uuids --fs AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE)" = '["aaaa"]'
ok "--fs by device" test "$(uuids --fs /dev/loop43)" = '["aaaa"]'
ok "--fs by exact mount point" test "$(uuids --fs /mnt/old)" = '["aaaa"]'
ok "--fs unknown: nothing" test "$(uuids --fs /dev/nonexistent)" = '[]'
ok "--fs unknown: says so in text" grep -q 'No filesystem errors recorded' <<<"$(report --fs nope)"
ok "--inode 13" test "$(report --json --inode 13 | jq -c '[.filesystems[] |
	[.uuid[0:4], [.inodes[].inode], .events]]')" = '[["1111",[13],1]]'
ok "--since -2h leaves out the old filesystem" test "$(uuids --since -2h)" = '["1111"]'
ok "--since -10m counts only the recent events" test "$(report --json --since -10m |
	jq -c '[.filesystems[] | [.events, [.inodes[].inode]]]')" = '[[2,[null,12]]]'
iso=$(date -u -d '-2 days' +%Y-%m-%dT%H:%M:%SZ)
ok "--since ISO-8601 ($iso)" test "$(uuids --since "$iso")" = '["1111"]'
ok "--since a date (local midnight, 10 days ago)" \
	test "$(uuids --since "$(date -d '-10 days' +%Y-%m-%d)")" = '["1111","aaaa"]'
ok "--since in the future: nothing" test "$(uuids --since @4102444800)" = '[]'
for bad in yesterday -1x 2026-13-01 '2026-11-25T25:00' '-' '@x' '2026-11-25+99:00'; do
	report --since "$bad" >/dev/null 2>"$T/err"
	rc=$?
	ok "--since '$bad' is a usage error (16)" test "$rc" -eq 16
done
ok "usage error names the value" grep -q "invalid time '2026-11-25+99:00'" "$T/err"
report --inode 12x >/dev/null 2>&1
ok "--inode 12x is a usage error" test $? -eq 16
report --bogus >/dev/null 2>&1
ok "unknown option is a usage error" test $? -eq 16
ok "--help exits 0 on stdout" bash -c '"$1" report --help | grep -q -- --since' _ "$E4ERRD"
ok "--version exits 0" "$E4ERRD" report --version

# ---- metrics ----
mkdir -p "$T/prom"
ok "--metrics writes the file" report --metrics "$T/prom/e4errd.prom"
ok "metrics: nothing printed, no temporary file left" \
	test "$(report --metrics "$T/prom/e4errd.prom" | wc -c)" -eq 0 -a \
	"$(ls -A "$T/prom")" = e4errd.prom
ok "metrics: file mode 0644" test "$(stat -c %a "$T/prom/e4errd.prom")" = 644
m=$(cat "$T/prom/e4errd.prom")
ok "metrics: errors_total of the first filesystem" \
	grep -q '^e4errd_errors_total{uuid="11111111-2222-4333-8444-555555555555",.*} 6$' <<<"$m"
ok "metrics: hostile label escaped" \
	grep -qF 'mountpoint="/mnt/evil\\nname \"q\" \\\\"' <<<"$m"
ok "metrics: one line per sample (no raw newline in a label)" \
	test "$(grep -vc -e '^e4errd_' -e '^# HELP' -e '^# TYPE' <<<"$m")" -eq 0
ok "metrics: verdicts" grep -qx 'e4errd_inspections{verdict="confirmed"} 1' <<<"$m"
ok "metrics: lost_reports present" grep -q '^e4errd_lost_reports{' <<<"$m"
ok "metrics: lost_reports of the first filesystem" \
	grep -q '^e4errd_lost_reports{uuid="11111111-2222-4333-8444-555555555555",.*} 3$' <<<"$m"
ok "metrics: jobs by state" grep -qx 'e4errd_jobs{state="done"} 1' <<<"$m"
for fam in errors_total events_total inspections jobs lost_reports; do
	ok "metrics: HELP and TYPE for e4errd_$fam" \
		test "$(grep -c "^# \(HELP\|TYPE\) e4errd_$fam " <<<"$m")" -eq 2
done
if command -v promtool >/dev/null; then
	ok "metrics pass promtool check metrics" bash -c 'promtool check metrics <"$1"' _ "$T/prom/e4errd.prom"
else
	skip "metrics pass promtool check metrics" "promtool not installed (Debian package prometheus)"
fi
report --metrics "$T/nodir/x.prom" 2>"$T/err"
ok "metrics into a missing directory: exit 1" test $? -eq 1
ok "metrics error names the file" grep -q "$T/nodir/x.prom" "$T/err"

# ---- databases that cannot be read ----
"$E4ERRD" report --state-dir "$T/empty" --spool-dir "$T/empty" 2>"$T/err"
ok "no database: exit 1" test $? -eq 1
ok "no database: message names it" grep -q "$T/empty/e4errd.db" "$T/err"
mkdir -p "$T/bad"
printf 'not a database\n' >"$T/bad/e4errd.db"
"$E4ERRD" report --state-dir "$T/bad" --spool-dir "$T/bad" 2>"$T/err"
ok "corrupt database: exit 1" test $? -eq 1
ok "corrupt database: says so" grep -qi 'corrupt' "$T/err"
ok "corrupt database: left as it was (a reader never moves it)" \
	test "$(cat "$T/bad/e4errd.db")" = 'not a database' -a "$(ls "$T/bad")" = e4errd.db

finish
