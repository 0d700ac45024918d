#!/bin/bash
# e4errd watch: options and refusals that need neither root nor a kernel event.
. "$TEST_SRCDIR/lib.sh"
make_tmpdir

"$E4ERRD" watch --help >"$T/out" 2>"$T/err"
ok "--help exits 0" test $? = 0
ok "--help prints usage on stdout" grep -q "Usage: .* watch" "$T/out"
ok "--help documents --capture" grep -q -- "--capture FILE" "$T/out"

"$E4ERRD" watch --version >"$T/out" 2>&1
ok "--version exits 0" test $? = 0
ok "--version names the program" grep -q "^e4errd " "$T/out"

"$E4ERRD" watch --bogus >"$T/out" 2>"$T/err"
ok "unknown option exits 16" test $? = 16
ok "and names it" grep -q "bogus" "$T/err"

"$E4ERRD" watch --capture >"$T/out" 2>"$T/err"
ok "--capture without FILE exits 16" test $? = 16

"$E4ERRD" watch /proc >"$T/out" 2>"$T/err"
ok "a non-ext4 mount point exits 1" test $? = 1
ok "saying it is not served by the ext4 driver" \
	grep -q "/proc.*ext4 driver\|ext4 driver.*/proc" "$T/err"

"$E4ERRD" watch "$T/nonexistent" >"$T/out" 2>"$T/err"
ok "a missing path exits 1" test $? = 1
ok "naming the path" grep -q "$T/nonexistent" "$T/err"
ok "nothing on stdout" test ! -s "$T/out"
finish
