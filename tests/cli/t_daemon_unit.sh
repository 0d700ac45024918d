#!/bin/bash
# e4errd.service: installed with DESTDIR, paths filled in at build time,
# accepted by systemd-analyze verify without a single complaint.
. "$TEST_SRCDIR/lib.sh"
make_tmpdir

top=$(cd "$TEST_BUILDDIR/.." && pwd)
dest=$T/dest
if make -s -C "$top" install DESTDIR="$dest" >"$T/install.log" 2>&1; then
	pass "make install DESTDIR=... works"
else
	fail "make install DESTDIR=... works" "$(tail -5 "$T/install.log")"
	finish
fi
unit=$(find "$dest" -name e4errd.service -type f | head -1)
ok "the unit is installed" test -n "$unit"
[ -n "$unit" ] || finish
sbindir=$(sed -n 's/^sbindir = //p' "$top/MCONFIG")
prefix=$(sed -n 's/^prefix = //p' "$top/MCONFIG")
exec_prefix=$(sed -n 's/^exec_prefix = //p' "$top/MCONFIG")
sbindir=${sbindir//\$\{exec_prefix\}/$exec_prefix}
sbindir=${sbindir//\$\{prefix\}/$prefix}
ok "no @...@ left in it" test -z "$(grep -n '@[A-Z_]*@' "$unit")"
ok "ExecStart runs the installed binary ($sbindir/e4errd)" \
	grep -qx "ExecStart=$sbindir/e4errd daemon --foreground --state-dir \${STATE_DIRECTORY}" "$unit"
ok "the binary is installed there" test -x "$dest$sbindir/e4errd"
ok "Type=notify" grep -qx "Type=notify" "$unit"
ok "capabilities bounded to the three documented" \
	grep -qx "CapabilityBoundingSet=CAP_SYS_ADMIN CAP_DAC_READ_SEARCH CAP_SYSLOG" "$unit"
ok "state directory 0700" grep -qx "StateDirectoryMode=0700" "$unit"
ok "block devices read-only" grep -qx "DeviceAllow=block-\* r" "$unit"

if ! command -v systemd-analyze >/dev/null; then
	skip "systemd-analyze verify accepts the unit" "systemd-analyze not installed"
	finish
fi
# verify checks that ExecStart is executable: point it into DESTDIR.
sed "s|^ExecStart=$sbindir/|ExecStart=$dest$sbindir/|" "$unit" >"$T/e4errd.service"
systemd-analyze verify --man=no "$T/e4errd.service" >"$T/verify.log" 2>&1
rc=$?
ok "systemd-analyze verify: exit 0" test "$rc" = 0
ok "systemd-analyze verify: no warning at all" test ! -s "$T/verify.log"
[ -s "$T/verify.log" ] && note "$(cat "$T/verify.log")"
echo "Bogus=1" >>"$T/e4errd.service"
systemd-analyze verify --man=no "$T/e4errd.service" >"$T/verify2.log" 2>&1
ok "(and it would complain about a bad line)" test -s "$T/verify2.log"
finish
