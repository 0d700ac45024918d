#!/bin/bash
# t_replay.sh --- `e4errd replay` on capture files written by
# tests/tools/mkcapture (the writer watch --capture uses), whole and broken.
. "$TEST_SRCDIR/lib.sh"
command -v jq >/dev/null || skip_all "jq not installed"
MKCAPTURE=$TEST_BUILDDIR/tools/mkcapture
[ -x "$MKCAPTURE" ] || skip_all "tests/tools/mkcapture not built"
make_tmpdir
. "$TEST_SRCDIR/cli/rfc-vector.inc"
fx=$TEST_SRCDIR/fixtures

rfc_event 4242 0 12 4385 1701 ext4_lookup $'iget: checksum invalid\n' | as_read >"$T/rfc.bin"
# 2026-11-25 12:33:00.123456789 UTC
t1=1795609980123456789
"$MKCAPTURE" "$T/cap" "rfc:$t1:0:$T/rfc.bin" \
	"mainline:$((t1 + 1000000000)):3:$fx/mainline-pidfd-two.bin" \
	"mainline:$((t1 + 2000000000)):0:$fx/mainline-dir.bin"
ok "mkcapture writes a capture" test -s "$T/cap"
ok "file starts with its magic and version 1" test \
	"$(head -c 16 "$T/cap" | od -An -tx1 | tr -d ' \n')" = 4534455252434150"01000000""10000000"

out=$("$E4ERRD" replay --json "$T/cap")
rc=$?
ok "replay --json exits 0" test "$rc" -eq 0
ok "four events from three records" test "$(printf '%s\n' "$out" | wc -l)" -eq 4
ok "each event decoded with its record's ABI" test \
	"$(jq -sc 'map(.abi)' <<<"$out")" = '["rfc","mainline","mainline","mainline"]'
ok "record, time and group added" test \
	"$(jq -sc 'map([.record, .time, .group])' <<<"$out")" = \
	'[[1,"2026-11-25T12:33:00.123456789Z",0],[2,"2026-11-25T12:33:01.123456789Z",3],[2,"2026-11-25T12:33:01.123456789Z",3],[3,"2026-11-25T12:33:02.123456789Z",0]]'
# jq reads numbers as doubles: check the exact nanoseconds in the raw text.
ok "time_ns exact" test "$(grep -o '"time_ns":[0-9]*' <<<"$out" | cut -d: -f2 | tr '\n' ' ')" = \
	"$t1 $((t1 + 1000000000)) $((t1 + 1000000000)) $((t1 + 2000000000)) "
ok "RFC record decodes like decode does" test \
	"$(jq -c 'del(.record, .time_ns, .time, .group)' <<<"$(head -1 <<<"$out")")" = \
	"$("$E4ERRD" decode --abi=rfc --json "$T/rfc.bin")"
ok "mainline records decode like decode does" test \
	"$(jq -c 'del(.record, .time_ns, .time, .group)' <<<"$(tail -1 <<<"$out")")" = \
	"$("$E4ERRD" decode --abi=mainline --json "$fx/mainline-dir.bin")"

text=$("$E4ERRD" replay "$T/cap")
ok "text: record line with time and group" grep -qx \
	"record 1 at 2026-11-25 12:33:00.123456789 UTC, group 0, rfc, 316 bytes" <<<"$text"
ok "text: second record in group 3" grep -q \
	"^record 2 at 2026-11-25 12:33:01.123456789 UTC, group 3, mainline, 136 bytes\$" <<<"$text"
ok "text: the events themselves" test \
	"$(grep -c ' event: ' <<<"$text")" -eq 4
ok "text: golden event line" grep -qx \
	"rfc event: error 0 (EFSCORRUPTED) inode 12 block 4385 in ext4_lookup:1701" <<<"$text"
ok "replay from stdin" test "$("$E4ERRD" replay --json - <"$T/cap" | wc -l)" -eq 4

# A capture that ends mid-record: what came before is printed, then an
# error naming the file and the offset of the broken record.
size=$(stat -c %s "$T/cap")
head -c $((size - 10)) "$T/cap" >"$T/cut"
"$E4ERRD" replay --json "$T/cut" >"$T/out" 2>"$T/err"
rc=$?
ok "truncated: exit 1" test "$rc" -eq 1
ok "truncated: the events before are printed" test "$(wc -l <"$T/out")" -eq 3
off=$((16 + 24 + 316 + 24 + 136))
ok "truncated: error names file, cause and offset" grep -q \
	"middle of a record.*$T/cut at offset $off\$" "$T/err"

# Bad record magic in the second record.
cp "$T/cap" "$T/badmagic"
printf 'XXXX' | dd of="$T/badmagic" bs=1 seek=$((16 + 24 + 316)) conv=notrunc status=none
"$E4ERRD" replay "$T/badmagic" >"$T/out" 2>"$T/err"
rc=$?
ok "bad record magic: exit 1" test "$rc" -eq 1
ok "bad record magic: first record printed" grep -q "^rfc event: " "$T/out"
ok "bad record magic: nothing after it" bash -c '! grep -q "^mainline event" "$1"' _ "$T/out"
ok "bad record magic: error names file and offset" grep -q \
	"bad magic.*badmagic at offset $((16 + 24 + 316))\$" "$T/err"

# A record claiming 4 GiB: refused at once.
cp "$T/cap" "$T/huge"
printf '\xff\xff\xff\xff' | dd of="$T/huge" bs=1 seek=$((16 + 20)) conv=notrunc status=none
"$E4ERRD" replay "$T/huge" >"$T/out" 2>"$T/err"
ok "huge record length: exit 1, named" test $? -eq 1 -a -n "$(grep "larger than.*offset 16" "$T/err")"
ok "huge record length: nothing printed" test ! -s "$T/out"

# Not a capture at all; a newer version; a missing file.
"$E4ERRD" replay "$fx/mainline-dir.bin" >/dev/null 2>"$T/err"
ok "not a capture: exit 1, says so" test $? -eq 1 -a -n "$(grep "Not an e4errd capture file.*mainline-dir.bin" "$T/err")"
cp "$T/cap" "$T/v2"
printf '\x02' | dd of="$T/v2" bs=1 seek=8 conv=notrunc status=none
"$E4ERRD" replay "$T/v2" >/dev/null 2>"$T/err"
ok "version 2: exit 1, says so" test $? -eq 1 -a -n "$(grep "Unsupported capture file version" "$T/err")"
: >"$T/empty"
"$E4ERRD" replay "$T/empty" >/dev/null 2>&1
ok "empty file: exit 1" test $? -eq 1
"$E4ERRD" replay "$T/missing" >/dev/null 2>"$T/err"
ok "missing file: exit 1, named" test $? -eq 1 -a -n "$(grep "No such file.*missing" "$T/err")"

# A capture of a header only: no events, success.
"$MKCAPTURE" "$T/hdr"
ok "header-only capture: exit 0, no output" test -z "$("$E4ERRD" replay "$T/hdr")"

"$E4ERRD" replay --help >"$T/help"
ok "--help exits 0" test $? -eq 0 -a -n "$(grep -F 'replay [--json] FILE' "$T/help")"
"$E4ERRD" replay --version >/dev/null
ok "--version exits 0" test $? -eq 0
"$E4ERRD" replay >/dev/null 2>&1
ok "no FILE: exit 16" test $? -eq 16
"$E4ERRD" replay --abi=rfc "$T/cap" >/dev/null 2>"$T/err"
ok "unknown option: exit 16, named" test $? -eq 16 -a -n "$(grep -- --abi "$T/err")"

finish
