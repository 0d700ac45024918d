#!/bin/bash
# Every source file with translatable strings is listed in po/POTFILES.in,
# every listed file exists, and xgettext can build the catalogue from them.
. "$TEST_SRCDIR/lib.sh"
top=$(cd "$TEST_SRCDIR/.." && pwd)
cd "$top" || exit 1

listed=$(grep -v '^#' po/POTFILES.in | sed '/^$/d')
for f in $listed; do
	ok "listed file $f exists" test -f "$f"
done
missing=
for f in lib/*.c e4errd/*.c; do
	grep -qE '\b(N_|_|P_)\("' "$f" || continue
	echo "$listed" | grep -qx "$f" || missing="$missing $f"
done
if [ -z "$missing" ]; then
	pass "every file using _() is in po/POTFILES.in"
else
	fail "every file using _() is in po/POTFILES.in" "missing:$missing"
fi
if command -v xgettext >/dev/null; then
	make_tmpdir
	# shellcheck disable=SC2086
	ok "xgettext extracts the catalogue" \
		xgettext --language=C --keyword=_ --keyword=N_ --keyword=P_:1,2 \
		--from-code=UTF-8 -o "$T/e4errd.pot" $listed
	n=$(grep -c '^msgid "' "$T/e4errd.pot" 2>/dev/null || echo 0)
	note "$n messages"
	ok "the catalogue has messages" test "$n" -gt 50
else
	skip "xgettext extracts the catalogue" "xgettext not installed"
fi
finish
