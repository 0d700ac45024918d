#!/bin/bash
# The names e4errd gives systemd and the units it ships:
#  - e4err_systemd_escape_path() against the real systemd-escape --path,
#    and the e2scrub@ unit against what e2scrub_all itself computes (its
#    own escape_path_for_systemd, taken from /usr/sbin/e2scrub_all), for
#    awkward mount points: /, spaces, dashes, backslashes, dots, unicode;
#  - the way back (what systemd's %I gives e2scrub) against
#    systemd-escape --unescape;
#  - the e2scrub@ drop-in against the real e2scrub@.service with
#    systemd-analyze verify (systemd need not be running).
. "$TEST_SRCDIR/lib.sh"
sdname=$TEST_BUILDDIR/tools/sdname
[ -x "$sdname" ] || skip_all "tests/tools/sdname not built"
command -v systemd-escape >/dev/null || skip_all "systemd-escape not installed"
make_tmpdir

mps=("/" "/home" "/srv/data" "/srv/my data" "/srv/my-data" "/a-b/c-d-"
	"/srv/back\\slash" "/.hidden" "/a/.b/c" "/m$(printf '\xc3\xbc')nchen"
	"/$(printf '\xe6\x97\xa5\xe6\x9c\xac')" "/x:y_z.w" "/t	tab" "/srv//double/"
	"/\$HOME" "/a%b" $'/n\nl' $'/e\x1b[0m')

for mp in "${mps[@]}"; do
	want=$(systemd-escape --path -- "$mp")
	got=$("$sdname" escape-path "$mp")
	show=$(printf '%q' "$mp")
	ok "escape $show: ours '$got' = systemd-escape '$want'" test "$got" = "$want"
done

e2scrub_all=/usr/sbin/e2scrub_all
[ -r "$e2scrub_all" ] || e2scrub_all=/sbin/e2scrub_all
if fn=$(sed -n '/^escape_path_for_systemd()/,/^}/p' "$e2scrub_all" 2>/dev/null) &&
	[ -n "$fn" ]; then
	eval "$fn"
	for mp in "${mps[@]}"; do
		[ "$mp" = "/srv//double/" ] && continue	# not a mount point name
		want="e2scrub@$(escape_path_for_systemd "$mp").service"
		got=$("$sdname" e2scrub "$mp")
		show=$(printf '%q' "$mp")
		ok "unit of $show: ours '$got' = e2scrub_all's '$want'" \
			test "$got" = "$want"
		inst=${got#e2scrub@}
		inst=${inst%.service}
		back=$(systemd-escape --unescape -- "$inst"; echo x)
		back=${back%?x}
		[ "$mp" = / ] && back=/
		mine=$("$sdname" mountpoint "$got"; echo x)
		mine=${mine%?x}
		ok "back from $got: ours = systemd's %I" test "$mine" = "$back" -a "$mine" = "$mp"
	done
else
	skip "e2scrub_all's unit names" "no e2scrub_all with escape_path_for_systemd here"
fi

long=/$(printf 'a%.0s' {1..300})
ok "a mount point too long for a unit name is refused" \
	bash -c '! "$0" e2scrub "$1" 2>/dev/null' "$sdname" "$long"

# ---- the commands' usage ----
for c in check record-scrub; do
	"$E4ERRD" "$c" --help >"$T/help" 2>&1
	ok "$c --help exits 0 with a usage line" \
		test $? = 0 -a -n "$(grep "^Usage: e4errd $c" "$T/help")"
done
"$E4ERRD" check >/dev/null 2>&1
ok "check without a target: usage error (16)" test $? = 16
"$E4ERRD" check --mode fix /dev/null >/dev/null 2>"$T/err"
ok "check --mode fix: usage error naming it" \
	test $? = 16 -a -n "$(grep "unknown mode 'fix'" "$T/err")"
"$E4ERRD" check /nonexistent-e4errd-dev >/dev/null 2>&1
ok "check of a missing device: 65, not the filesystem expected" test $? = 65
"$E4ERRD" check /dev/null >/dev/null 2>&1
ok "check of a character device: 65" test $? = 65
"$E4ERRD" record-scrub --unit e2scrub@-x.service --phase middle >/dev/null 2>&1
ok "record-scrub --phase middle: usage error (16)" test $? = 16

# ---- the drop-in, verified against the real e2scrub@.service ----
dropin=$TEST_BUILDDIR/../e2fsck-hooks/e2scrub@.service.d/e4errd.conf
unit=""
for u in /lib/systemd/system/e2scrub@.service /usr/lib/systemd/system/e2scrub@.service; do
	[ -r "$u" ] && unit=$u && break
done
if ! command -v systemd-analyze >/dev/null; then
	skip "systemd-analyze verify of the e2scrub@ drop-in" "systemd-analyze not installed"
elif [ -z "$unit" ] || [ ! -r "$dropin" ]; then
	skip "systemd-analyze verify of the e2scrub@ drop-in" "no e2scrub@.service (e2fsprogs) or drop-in not built"
else
	mkdir -p "$T/units/e2scrub@.service.d"
	cp "$unit" "$T/units/"
	# The drop-in names e4errd where it will be installed; verify that
	# path exists by pointing it at the one just built.
	sed "s|ExecStartPre=-[^ ]*/e4errd |ExecStartPre=-$E4ERRD |;s|ExecStopPost=-[^ ]*/e4errd |ExecStopPost=-$E4ERRD |" \
		"$dropin" >"$T/units/e2scrub@.service.d/e4errd.conf"
	out=$(cd "$T/units" && SYSTEMD_UNIT_PATH="$T/units:" \
		systemd-analyze verify 'e2scrub@-srv-my\x2ddata.service' 2>&1)
	rc=$?
	ok "systemd-analyze verify: e2scrub@ with the drop-in (rc $rc)" \
		test "$rc" = 0 -a -z "$out"
	[ -n "$out" ] && note "$out"
	# It does read the drop-in: a broken copy is complained about.
	echo "ExecStopPost=not/absolute" >>"$T/units/e2scrub@.service.d/e4errd.conf"
	out=$(cd "$T/units" && SYSTEMD_UNIT_PATH="$T/units:" \
		systemd-analyze verify 'e2scrub@-srv.service' 2>&1)
	ok "systemd-analyze reads the drop-in (a broken line is reported)" \
		grep -q "e4errd.conf" <<<"$out"
	grep -q 'ExecStopPost=-.* record-scrub --unit %n --phase stop --result ${SERVICE_RESULT}' "$dropin"
	ok "the drop-in passes the unit's result and exit status" test $? = 0
fi
finish
