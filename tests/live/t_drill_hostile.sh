#!/bin/bash
# Failure drill: 10,000 events whose kernel strings are hostile (terminal
# escapes, carriage returns, a forged log line, format directives, JSON
# and shell metacharacters, invalid UTF-8, bidi overrides, control bytes,
# the longest description) through `e4errd replay` and `e4errd decode`,
# text and JSON.  Nothing crashes, every event comes out once, the output
# is bounded (no line longer than an escaped maximal description allows)
# and escaped: text output holds no byte outside printable ASCII but the
# newline, JSON output is valid JSON per line.  Needs no root: the bytes
# are made by the kernel encoder (tests/tools/hostile_capture).
. "$TEST_SRCDIR/lib.sh"
command -v jq >/dev/null || skip_all "jq not installed"
make_tmpdir
n=10000
"$TEST_BUILDDIR/tools/hostile_capture" "$T/cap" "$n" "$T/raw" ||
	skip_all "could not write the hostile capture"

# A description is at most 255 bytes, escaped at most 4 bytes each; a
# function name at most 32; a line holds one of them plus a few fields.
maxline=2048

# bad_bytes FILE: lines holding a byte that is not printable ASCII.
bad_bytes() { LC_ALL=C grep -c $'[^\t -~]' "$1"; }
longest() { awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$1"; }

# --- replay, text -------------------------------------------------------------
"$E4ERRD" replay "$T/cap" >"$T/text" 2>"$T/text.err"
ok "replay: exit 0 on $n hostile events" test $? -eq 0
ok "replay: every event once" test "$(grep -c '^rfc event: ' "$T/text")" -eq "$n"
ok "replay: every inode once" \
	test "$(sed -n 's/^rfc event: .* inode \([0-9]*\) .*/\1/p' "$T/text" | sort -u | wc -l)" -eq "$n"
ok "replay: only printable ASCII and newlines" test "$(LC_ALL=C tr -d '\n' <"$T/text" | LC_ALL=C tr -d ' -~' | wc -c)" -eq 0
ok "replay: no tab either (fields stay apart)" test "$(bad_bytes "$T/text")" -eq 0
ok "replay: no line over $maxline bytes (longest $(longest "$T/text"))" \
	test "$(longest "$T/text")" -le "$maxline"
ok "replay: the forged log line stays inside its description" \
	test "$(grep -c '^EXT4-fs error' "$T/text")" -eq 0
ok "replay: nothing on stderr" test ! -s "$T/text.err"

# --- replay, JSON -------------------------------------------------------------
"$E4ERRD" replay --json "$T/cap" >"$T/json" 2>"$T/json.err"
ok "replay --json: exit 0" test $? -eq 0
ok "replay --json: one line per event" test "$(wc -l <"$T/json")" -eq "$n"
ok "replay --json: every line valid JSON" jq -e . "$T/json" >/dev/null
ok "replay --json: every inode once" \
	test "$(jq -r .inode "$T/json" | sort -u | wc -l)" -eq "$n"
ok "replay --json: the escape survives as data, not as a byte" \
	test "$(jq -r 'select(.inode == 12) | .desc' "$T/json" | head -c 4 | od -An -tx1 | tr -d ' ')" = 1b5b324a
# (JSON escapes bytes below 0x20; DEL may stay raw, as the grammar allows.)
ok "replay --json: no raw control byte below 0x20" \
	test "$(LC_ALL=C grep -c $'[\x01-\x1f]' "$T/json")" -eq 0
ok "replay --json: no line over $((2 * maxline)) bytes (longest $(longest "$T/json"))" \
	test "$(longest "$T/json")" -le $((2 * maxline))
ok "replay --json: descriptions at most 256 bytes" \
	test "$(jq -r '.desc | length' "$T/json" | sort -n | tail -1)" -le 256

# --- decode, one read ----------------------------------------------------------
m=$(LC_ALL=C grep -c '' <<<"$("$E4ERRD" decode --abi=rfc --json "$T/raw" 2>/dev/null)")
"$E4ERRD" decode --abi=rfc "$T/raw" >"$T/dec" 2>"$T/dec.err"
ok "decode: exit 0 on one hostile read" test $? -eq 0
ok "decode: its $m events, escaped" test "$(grep -c '^rfc event: ' "$T/dec")" -eq "$m" -a \
	"$(bad_bytes "$T/dec")" -eq 0 -a "$m" -gt 100
"$E4ERRD" decode --abi=rfc --json "$T/raw" >"$T/dec.json" 2>/dev/null
ok "decode --json: valid JSON per line" jq -e . "$T/dec.json" >/dev/null
finish
