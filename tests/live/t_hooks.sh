#!/bin/bash
# Hooks, run through lib/hooks and the real runner (tests/tools/hookdrv),
# and the shipped ones run as e4errd would:
#  - selection by class ("<class>", "<class>-*", "all*"), byte order,
#    leftovers ignored;
#  - refusal, logged, of hooks not owned by root, writable by group or
#    others, not executable, not regular, and of a whole unsafe directory;
#  - a hook that hangs is stopped at its deadline (SIGKILL when it ignores
#    SIGTERM); one that prints megabytes is bounded;
#  - hostile kernel and user strings arrive escaped, with exact _HEX twins;
#  - the mail hook keeps every header free of them; all-log logs one line.
. "$TEST_SRCDIR/lib.sh"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (hooks must be owned by root)"
hookdrv=$TEST_BUILDDIR/tools/hookdrv
[ -x "$hookdrv" ] || skip_all "tests/tools/hookdrv not built"
make_tmpdir
H=$T/hooks
mkdir -m 755 "$H"
chmod 755 "$T"
mkhook() {	# mkhook NAME MODE BODY
	printf '#!/bin/sh\n%s\n' "$3" >"$H/$1"
	chmod "$2" "$H/$1"
}
run_hooks() {	# run_hooks [--one] CLASS [FIELD=VALUE]...: output in $T/out
	local one=
	[ "$1" = --one ] && { one=--one; shift; }
	"$hookdrv" $one "$H" "${DEADLINE:-2000}" "${OUTMAX:-65536}" 300 "$@" >"$T/out" 2>&1
}

# ---- selection and order ----
for n in all-a finding-confirmed finding-confirmed-b all; do
	mkhook "$n" 755 "echo ran $n >>$T/order"
done
for n in job-finished-x finding-confirmedX .finding-confirmed-hidden \
	finding-confirmed-c~ finding-confirmed-d.dpkg-old finding-confirmed-e.rpmnew; do
	mkhook "$n" 755 "echo WRONG $n >>$T/order"
done
run_hooks --one finding-confirmed
ok "four hooks chosen for finding-confirmed" grep -q "^hooks 4$" "$T/out"
ok "run in byte order of their names, leftovers and other classes ignored" \
	test "$(cat "$T/order")" = "$(printf 'ran all\nran all-a\nran finding-confirmed\nran finding-confirmed-b')"
rm -f "$H"/* "$H"/.finding* "$T/order"

# ---- refusals ----
mkhook finding-confirmed-ok 755 "echo fine"
mkhook finding-confirmed-nobody 755 "echo WRONG"
chown nobody "$H/finding-confirmed-nobody"
mkhook finding-confirmed-gw 775 "echo WRONG"
mkhook finding-confirmed-ow 757 "echo WRONG"
mkhook finding-confirmed-noexec 644 "echo WRONG"
mkdir "$H/finding-confirmed-dir"
printf '#!/bin/sh\necho WRONG\n' >"$T/theirs"
chmod 755 "$T/theirs"
chown nobody "$T/theirs"
ln -s "$T/theirs" "$H/finding-confirmed-link-bad"
printf '#!/bin/sh\necho via-link\n' >"$T/mine"
chmod 755 "$T/mine"
ln -s "$T/mine" "$H/finding-confirmed-link-ok"
run_hooks finding-confirmed
ok "the safe ones run (a file, a link to a root-owned file)" \
	grep -q "^hooks 2$" "$T/out"
ok "none of the unsafe ones ran" test "$(grep -c WRONG "$T/out")" = 0
for pair in "nobody:owned by uid" "gw:writable by group or others (mode 0775)" \
	"ow:writable by group or others (mode 0757)" "noexec:not executable" \
	"dir:not a regular file" "link-bad:owned by uid"; do
	ok "refused and logged: finding-confirmed-${pair%%:*}" \
		grep -qF "finding-confirmed-${pair%%:*} refused: ${pair#*:}" "$T/out"
done
chmod 777 "$H"
run_hooks finding-confirmed
ok "a hook directory writable by others: no hook at all, and said so" \
	grep -q "hook directory $H refused: writable by group or others" "$T/out"
ok "... and none ran" grep -q "^hooks 0$" "$T/out"
chmod 755 "$H"
rm -rf "${H:?}"/*

# ---- a hook that hangs, one that ignores SIGTERM ----
mkhook alert-hang 755 "sleep 100"
mkhook alert-stubborn 755 "trap '' TERM; echo stubborn; sleep 100"
t0=$EPOCHREALTIME
DEADLINE=1000 run_hooks alert alert=io-error
secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
note "both hooks ended ${secs}s after they started (deadline 1s, grace 0.3s)"
ok "the hanging hook is stopped at its deadline (SIGTERM)" \
	grep -q "^ran alert-hang started=1 exited=0 status=0 stopped=1 signal=15" "$T/out"
ok "the one ignoring SIGTERM gets SIGKILL after the grace" \
	grep -q "^ran alert-stubborn started=1 exited=0 status=0 stopped=1 signal=9" "$T/out"
ok "it took the deadline, not the hooks' 100 seconds" \
	awk -v s="$secs" 'BEGIN { exit !(s >= 1.0 && s < 5) }'
ok "the stops are logged" grep -q "alert-hang stopped at its deadline" "$T/out"
rm -f "$H"/*

# ---- megabytes of output ----
mkhook job-finished-spew 755 'head -c 50000000 /dev/zero | tr "\\0" x; echo; echo LAST LINE'
OUTMAX=4096 run_hooks job-finished
ok "50 MB of output are all read and counted" \
	grep -q "^ran job-finished-spew started=1 exited=1 status=0 stopped=0 signal=0 total=50000011 " "$T/out"
kept=$(sed -n 's/^ran job-finished-spew.* kept=\([0-9]*\).*/\1/p' "$T/out")
ok "but only about output_max is kept (kept $kept of 50000011)" test "${kept:-99999}" -lt 4200
ok "its start and its end are kept, the middle counted" \
	bash -c 'grep -q "bytes of output not kept" "$0" && grep -q "^LAST LINE" "$0"' "$T/out"
rm -f "$H"/*

# ---- hostile strings ----
mkhook all-env 755 'env | grep ^E4ERRD_ | LC_ALL=C sort'
run_hooks finding-confirmed 'desc=x\x0aBcc: victim@example.org\x0d\x1b[31m$(reboot)`id`\xff' \
	'comm=ev\x09il' 'path=/d/\xc3\xa9\x0a' 'mountpoint=/mnt/a\x0ab' device=/dev/loop7 \
	uuid=0d15dd23-a0c9-41f9-8d61-ebaafc873b6e inode=12 error=-117 verdict=confirmed
vals=$(sed -n '/^output:$/,/^end output$/p' "$T/out" | sed '1d;$d')
ok "the description arrives escaped" grep -qxF 'E4ERRD_DESC=x\nBcc: victim@example.org\x0d\x1b[31m$(reboot)`id`\xff' <<<"$vals"
ok "with its exact bytes in E4ERRD_DESC_HEX" \
	grep -qx "E4ERRD_DESC_HEX=$(printf 'x\nBcc: victim@example.org\r\033[31m$(reboot)`id`\377' | od -An -tx1 | tr -d ' \n')" <<<"$vals"
ok "comm, path and mount point too" \
	bash -c 'grep -qxF "E4ERRD_COMM=ev\\til" <<<"$0" && grep -qxF "E4ERRD_PATH=/d/é\\n" <<<"$0" &&
		grep -qxF "E4ERRD_MOUNTPOINT=/mnt/a\\nb" <<<"$0" &&
		grep -qx "E4ERRD_MOUNTPOINT_HEX=2f6d6e742f610a62" <<<"$0"' "$vals"
ok "no value carries a control character" \
	bash -c '! LC_ALL=C grep -q "[[:cntrl:]]" <<<"$0"' "$(tr -d '\n' <<<"$vals")"
ok "numbers and names as documented" \
	bash -c 'grep -qx E4ERRD_ERROR=-117 <<<"$0" && grep -qx E4ERRD_ERROR_NAME=EFSCORRUPTED <<<"$0" &&
		grep -qx E4ERRD_INODE=12 <<<"$0" && grep -qx E4ERRD_CLASS=finding-confirmed <<<"$0"' "$vals"
ok "only E4ERRD_ variables and the fixed PATH reach a hook" \
	bash -c 'test "$(grep -c "" <<<"$0")" -ge 10' "$vals"
rm -f "$H"/*

# ---- the shipped hooks ----
mail=$TEST_BUILDDIR/../e2fsck-hooks/mail
log=$TEST_BUILDDIR/../e2fsck-hooks/all-log
if [ -x "$mail" ] && [ -x "$log" ]; then
	mkdir -p "$T/bin"
	printf '#!/bin/sh\necho "args: $*" >%s\ncat >>%s\n' "$T/mail.out" "$T/mail.out" >"$T/bin/sendmail"
	printf '#!/bin/sh\necho "$*" >>%s\n' "$T/logger.out" >"$T/bin/logger"
	printf '#!/bin/sh\ncat >>%s\n' "$T/wall.out" >"$T/bin/wall"
	chmod 755 "$T/bin"/*
	hostile=(E4ERRD_CLASS=finding-confirmed
		'E4ERRD_UUID=dev:/dev/x
Bcc: victim@example.org'
		'E4ERRD_DESC=x\nBcc: victim@example.org\x1b[31m'
		'E4ERRD_MOUNTPOINT=/mnt/a\nSubject: fake'
		E4ERRD_MAIL_TO='root, ops@example.org' E4ERRD_INODE=12
		E4ERRD_ERROR_NAME=EFSCORRUPTED E4ERRD_VERDICT=confirmed)
	env -i PATH="$T/bin:/usr/bin:/bin" "${hostile[@]}" "$mail"
	ok "the mail hook hands a message to sendmail -t -i" grep -q "^args: -t -i$" "$T/mail.out"
	headers=$(sed -n '2,/^$/p' "$T/mail.out")
	note "headers: $(tr '\n' '|' <<<"$headers")"
	ok "no kernel or user string reaches a header" \
		bash -c '! grep -qi "fake\|x1b\|31m\|/mnt\|^Bcc" <<<"$0"' "$headers"
	ok "exactly the headers it builds" \
		test "$(grep -c '^[A-Za-z-]*:' <<<"$headers")" = 5
	ok "recipients from mail_to, blanks dropped" grep -qx "To: root,ops@example.org" <<<"$headers"
	ok "a subject of safe characters only" \
		grep -qE '^Subject: e4errd: damage confirmed on [A-Za-z0-9.-]+ \(dev:/dev/xBcc[A-Za-z0-9.:/_-]*\)$' <<<"$headers"
	ok "the body has the escaped description" \
		grep -qF 'Kernel message:      x\nBcc: victim@example.org\x1b[31m' "$T/mail.out"
	rm -f "$T/mail.out"
	env -i PATH="$T/bin:/usr/bin:/bin" E4ERRD_CLASS=job-finished \
		E4ERRD_JOB_OUTCOME=clean E4ERRD_MAIL_TO=root "$mail"
	ok "a clean outcome is not mailed" test ! -e "$T/mail.out"
	env -i PATH="$T/bin:/usr/bin:/bin" E4ERRD_CLASS=alert E4ERRD_ALERT=io-error \
		'E4ERRD_MAIL_TO=root,-oQ/tmp/x' "$mail" 2>/dev/null
	ok "a recipient list sendmail could take for an option is refused" \
		test ! -e "$T/mail.out"
	env -i PATH="/usr/bin:/bin" E4ERRD_CLASS=alert E4ERRD_MAIL_TO=root "$mail" 2>"$T/err"
	rc=$?
	if [ -x /usr/sbin/sendmail ] || [ -x /usr/lib/sendmail ]; then
		skip "without sendmail the mail hook fails, saying so" "a sendmail is installed"
	else
		ok "without sendmail the mail hook fails, saying so" \
			test "$rc" = 1 -a -n "$(grep 'sendmail program not found' "$T/err")"
	fi
	env -i PATH="$T/bin:/usr/bin:/bin" E4ERRD_CLASS=alert E4ERRD_ALERT=io-error \
		'E4ERRD_ALERT_REASON=the device returned I/O errors' E4ERRD_UUID=u1 \
		E4ERRD_MOUNTPOINT=/srv/a "$log"
	if [ -S /run/systemd/journal/socket ]; then
		skip "all-log through logger" "journald runs here: systemd-cat is used"
	else
		ok "all-log writes one line with tag e4errd" \
			grep -qx -- "-t e4errd -p daemon.err -- alert on /srv/a (u1): ALERT io-error: the device returned I/O errors" "$T/logger.out"
	fi
	ok "alerts also go to wall" grep -q "^e4errd: alert on /srv/a" "$T/wall.out"
else
	skip "the shipped hooks" "e2fsck-hooks/mail and all-log not built"
fi
finish
