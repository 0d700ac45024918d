#!/bin/bash
# t_decode.sh --- `e4errd decode` on byte streams built here from the kernel
# layout (DESIGN.md's golden RFC vector) and on real mainline captures.
. "$TEST_SRCDIR/lib.sh"
command -v jq >/dev/null || skip_all "jq not installed"
make_tmpdir

. "$TEST_SRCDIR/cli/rfc-vector.inc"

# The golden vector: ext4_lookup gives records of 20 + 20 + 276 bytes.
rfc_event 4242 0 12 4385 1701 ext4_lookup $'iget: checksum invalid\n' >"$T/full.bin"
as_read <"$T/full.bin" >"$T/one.bin"
ok "golden vector: 340 bytes written" test "$(wc -c <"$T/full.bin")" -eq 340
ok "golden vector: event_len 316" test "$(od -An -tu4 -N4 "$T/one.bin" | tr -d ' ')" -eq 316

out=$("$E4ERRD" decode --abi=rfc --json "$T/one.bin")
rc=$?
ok "decode --json exits 0" test "$rc" -eq 0
ok "one event, one line" test "$(printf '%s\n' "$out" | wc -l)" -eq 1
want='{"abi":"rfc","mask":1048576,"pid":4242,"error":0,"error_name":"EFSCORRUPTED","error_count":null,"fsid":"1234abcd:5678ef01","inode":12,"generation":null,"block":4385,"function":"ext4_lookup","line":1701,"desc":"iget: checksum invalid\n","warnings":[]}'
if [ "$(jq -cS . <<<"$out")" = "$(jq -cS . <<<"$want")" ]; then
	pass "golden vector decodes to exactly the expected values"
else
	fail "golden vector decodes to exactly the expected values" "got: $out"
fi
ok "keys in the documented order" test "$(jq -c keys_unsorted <<<"$out")" = \
	'["abi","mask","pid","error","error_name","error_count","fsid","inode","generation","block","function","line","desc","warnings"]'

text=$("$E4ERRD" decode --abi=rfc "$T/one.bin")
ok "text: first line" test "$(head -1 <<<"$text")" = \
	"rfc event: error 0 (EFSCORRUPTED) inode 12 block 4385 in ext4_lookup:1701"
ok "text: description" grep -qx '  desc: iget: checksum invalid' <<<"$text"
ok "text: fsid" grep -qx '  fsid: 1234abcd:5678ef01' <<<"$text"
ok "text: pid" grep -q '^  pid: 4242' <<<"$text"

# Two events in one read: the second's metadata lands on the first's last
# 24 bytes, and read() returned 2 * 316.
{
	cat "$T/one.bin"
	rfc_event 77 5 13 -1 3900 __ext4_get_inode_loc_noinmem $'unable to read itable block\n' | as_read
} >"$T/two.bin"
out=$("$E4ERRD" decode --abi=rfc --json "$T/two.bin")
ok "two events in one read: two lines" test "$(printf '%s\n' "$out" | wc -l)" -eq 2
ok "second event: inode, block absent, function, line, pid" test \
	"$(jq -sc '.[1] | [.inode, .block, .function, .line, .pid, .error, .error_name]' <<<"$out")" = \
	'[13,null,"__ext4_get_inode_loc_noinmem",3900,77,5,"EIO"]'
ok "first event intact under the second's metadata" test \
	"$(jq -sc '.[0] | [.inode, .desc, (.warnings | length)]' <<<"$out")" = \
	'[12,"iget: checksum invalid\n",0]'

# A hostile description: ESC sequences and a newline that tries to start a
# line of its own.  JSON keeps it exactly; text never shows it raw.
rfc_event 1 0 12 4385 1701 ext4_lookup $'evil\e[2J\e]0;pwned\a\nFAKE: inode 99\r\xe2\x80\xae\n' |
	as_read >"$T/hostile.bin"
text=$("$E4ERRD" decode --abi=rfc "$T/hostile.bin")
ok "hostile desc: no raw ESC, BEL or CR in text" \
	test -z "$(printf '%s' "$text" | tr -d '\n' | tr -d '[:print:]' | tr -d '\200-\377')"
ok "hostile desc: no forged line" bash -c '! grep -q "^FAKE" <<<"$1"' _ "$text"
ok "hostile desc: no raw bidi override" bash -c '! grep -qF $'"'"'\xe2\x80\xae'"'"' <<<"$1"' _ "$text"
ok "hostile desc: shown escaped" grep -qxF \
	'  desc: evil\x1b[2J\x1b]0;pwned\x07\nFAKE: inode 99\x0d\xe2\x80\xae' <<<"$text"
out=$("$E4ERRD" decode --abi=rfc --json "$T/hostile.bin")
ok "hostile desc: JSON keeps the exact string" test \
	"$(jq '.desc == "evil\u001b[2J\u001b]0;pwned\u0007\nFAKE: inode 99\r\u202e\n"' <<<"$out")" = true
ok "hostile desc: JSON line is plain ASCII" \
	test -z "$(printf '%s' "$out" | tr -d '\040-\176')"

# Invalid UTF-8 in a kernel string: U+FFFD, raw bytes kept in hex, a warning.
rfc_event 1 0 12 4385 1701 ext4_lookup $'bad \xff\xfe\n' | as_read >"$T/lossy.bin"
out=$("$E4ERRD" decode --abi=rfc --json "$T/lossy.bin")
ok "invalid UTF-8: replaced, hex kept, warned" test \
	"$(jq '.desc == "bad \ufffd\ufffd\n" and .desc_hex == "62616420fffe0a" and (.warnings | length) == 1' <<<"$out")" = true

# Real mainline captures (tests/fixtures, see mainline-captures.txt).
fx=$TEST_SRCDIR/fixtures
out=$("$E4ERRD" decode --abi=mainline --json "$fx/mainline-dir.bin")
ok "mainline: damaged directory" test \
	"$(jq -c '[.abi, .mask, .pid, .error, .error_name, .error_count, .fsid, .inode, .generation, .block, .function, .desc]' <<<"$out")" = \
	"[\"mainline\",32768,11178,74,\"EFSBADCRC\",1,\"20f339eb:255cccaa\",12,$((0x5eed1234)),null,null,null]"
out=$("$E4ERRD" decode --abi=mainline --json - <"$fx/mainline-pidfd-two.bin")
ok "mainline from stdin: two events, second without inode" test \
	"$(jq -sc 'map([.inode, .error, .error_name])' <<<"$out")" = \
	'[[12,74,"EFSBADCRC"],[null,117,"EFSCORRUPTED"]]'
text=$("$E4ERRD" decode --abi=mainline "$fx/mainline-merged.bin")
ok "mainline text: merged errors counted" grep -q \
	"^mainline event: error 74 (EFSBADCRC) count 2 inode 12 generation $((0x5eed1234))\$" <<<"$text"

# Decoding problems are warnings, not failures.
head -c 100 "$T/one.bin" >"$T/cut.bin"
out=$("$E4ERRD" decode --abi=rfc --json "$T/cut.bin")
rc=$?
ok "cut stream: exit 0" test "$rc" -eq 0
ok "cut stream: event carries a warning" test \
	"$(jq -sc 'map(.warnings | length > 0) | any' <<<"$out")" = true
: >"$T/empty.bin"
ok "empty read: nothing printed, exit 0" test -z "$("$E4ERRD" decode --abi=rfc "$T/empty.bin")"

# Options and failures.
"$E4ERRD" decode --help >"$T/help" 2>&1
ok "--help exits 0 and shows usage" test $? -eq 0 -a -n "$(grep -- --abi "$T/help")"
"$E4ERRD" decode --version >"$T/version" 2>&1
ok "--version exits 0" test $? -eq 0 -a -n "$(grep e4errd "$T/version")"
"$E4ERRD" decode --json "$T/one.bin" >/dev/null 2>"$T/err"
ok "missing --abi: exit 16" test $? -eq 16
ok "missing --abi: says so" grep -q -- --abi "$T/err"
"$E4ERRD" decode --abi=auto "$T/one.bin" >/dev/null 2>"$T/err"
ok "unknown ABI: exit 16, named" test $? -eq 16 -a -n "$(grep auto "$T/err")"
"$E4ERRD" decode --abi=rfc >/dev/null 2>&1
ok "no FILE: exit 16" test $? -eq 16
"$E4ERRD" decode --abi=rfc "$T/one.bin" "$T/one.bin" >/dev/null 2>&1
ok "two FILEs: exit 16" test $? -eq 16
"$E4ERRD" decode --abi=rfc --bogus "$T/one.bin" >/dev/null 2>"$T/err"
ok "unknown option: exit 16, named" test $? -eq 16 -a -n "$(grep -- --bogus "$T/err")"
"$E4ERRD" decode --abi >/dev/null 2>"$T/err"
ok "--abi without a value: exit 16" test $? -eq 16
"$E4ERRD" decode --abi=rfc "$T/no-such-file" >/dev/null 2>"$T/err"
ok "unreadable file: exit 1" test $? -eq 1
ok "unreadable file: named with the cause" grep -q "No such file.*no-such-file" "$T/err"
"$E4ERRD" decode --abi=rfc "$T" >/dev/null 2>"$T/err"
ok "a directory: exit 1, named" test $? -eq 1 -a -n "$(grep -F "$T" "$T/err")"
truncate -s $((16 * 1024 * 1024 + 1)) "$T/huge.bin"
"$E4ERRD" decode --abi=rfc "$T/huge.bin" >/dev/null 2>"$T/err"
ok "more than 16 MiB: exit 1, named" test $? -eq 1 -a -n "$(grep huge.bin "$T/err")"

finish
