#!/bin/bash
# Controlling the daemon: SIGHUP reloads the configuration (a broken one
# is refused and the old one kept, with the reasons logged), SIGINT stops
# it, a missing capability is refused by name, and without --foreground it
# detaches and returns only once it is ready (or failed).
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/live/daemon_helpers.bash"
require_live
command -v jq >/dev/null || skip_all "jq not installed"
make_tmpdir

img=$T/img mnt=$T/mnt state=$T/state
ino=$(damaged_dir_image "$img") || skip_all "could not build the test image"
mount_image "$img" "$mnt" || skip_all "could not mount $img"

# --- usage ------------------------------------------------------------------
"$E4ERRD" daemon --help >"$T/help" 2>&1
ok "--help: exit 0 and usage on stdout" test $? = 0 -a -n "$(grep 'Usage: .* daemon' "$T/help")"
"$E4ERRD" daemon --bogus >/dev/null 2>"$T/usage"
ok "unknown option: exit 16, named" test $? = 16 -a -n "$(grep -- "--bogus" "$T/usage")"

# --- idle, it sleeps --------------------------------------------------------
# No periodic wakeups: not one system call in 2 seconds (strace; without it,
# at most one context switch in 3 seconds, which the kernel may cause
# without waking the process up).  In a mount namespace of its own, so
# mounts elsewhere on this machine (POLLPRI on mountinfo) do not wake it.
# The kernel log is one of its sources: a record logged meanwhile (by
# anything on this machine) may only be read.
kmsg_last_seq() {
	dd if=/dev/kmsg iflag=nonblock bs=8192 2>/dev/null | tail -1 | cut -d, -f2
}
daemon_config "$T/conf" "flood_window=60s"
if command -v unshare >/dev/null; then
	unshare -m --propagation private "$E4ERRD" daemon --foreground \
		--config "$T/conf" --state-dir "$T/idle" "$mnt" >"$T/idle.log" 2>&1 &
	ipid=$!
	at_exit "kill -KILL $ipid"
	if ! wait_log "$T/idle.log" "ready: 1 filesystem watched" 10; then
		fail "idle: no wakeups" "$(cat "$T/idle.log")"
	elif command -v strace >/dev/null; then
		sleep 0.5
		kfd=$(find "/proc/$ipid/fd" -lname /dev/kmsg -printf '%f\n' | head -1)
		seq1=$(kmsg_last_seq)
		timeout 2 strace -qq -p "$ipid" -e 'trace=!restart_syscall' -o "$T/idle.strace"
		seq2=$(kmsg_last_seq)
		if [ "$seq1" = "$seq2" ]; then
			ok "idle: not one system call in 2 seconds" test ! -s "$T/idle.strace"
		else
			ok "idle: in 2 seconds, only reads of the $((seq2 - seq1)) records the kernel logged" \
				test -n "$kfd" -a -z "$(grep -v -e "^read($kfd," -e '^poll(' "$T/idle.strace")"
		fi
	else
		sleep 0.5
		cs1=$(sed -n 's/^voluntary_ctxt_switches:\t*//p' "/proc/$ipid/status")
		sleep 3
		cs2=$(sed -n 's/^voluntary_ctxt_switches:\t*//p' "/proc/$ipid/status")
		ok "idle: no wakeups ($cs1 -> $cs2 context switches)" test $((cs2 - cs1)) -le 1
	fi
	kill -TERM "$ipid"
	wait "$ipid"
else
	skip "idle: no wakeups" "unshare not installed"
fi

# --- SIGHUP -----------------------------------------------------------------
daemon_config "$T/conf" "flood_window=60s"
start_daemon "$T/log" --config "$T/conf" --state-dir "$state" "$mnt"
wait_log "$T/log" "ready: 1 filesystem watched" 10 || { fail "daemon ready" "$(cat "$T/log")"; finish; }
ls "$mnt/d" >/dev/null 2>&1
ok "first error inspected" wait_log "$T/log" "inspected $mnt inode $ino: confirmed" 5

daemon_config "$T/conf" "flood_window=banana" "no_such_key=1"
kill -HUP "$DAEMON_PID"
ok "broken configuration: the reload is refused and says so" \
	wait_log "$T/log" "reloading $T/conf failed" 5
ok "broken configuration: the bad value is named" grep -q "flood_window" "$T/log"
ok "broken configuration: the unknown key is named" grep -q "no_such_key" "$T/log"
ok "still running" kill -0 "$DAEMON_PID"
ls "$mnt/d" >/dev/null 2>&1
ok "still recording" wait_log "$T/log" "recorded 1 event on $mnt " 5
sleep 0.3
ok "the old flood window still holds: not inspected again" \
	test "$(grep -c "inspected $mnt inode $ino" "$T/log")" = 1

daemon_config "$T/conf" "flood_window=100ms" "log_level=debug"
kill -HUP "$DAEMON_PID"
ok "good configuration: reloaded" wait_log "$T/log" "configuration reloaded from $T/conf" 5
sleep 0.2
ls "$mnt/d" >/dev/null 2>&1
for ((i = 0; i < 50; i++)); do
	[ "$(grep -c "inspected $mnt inode $ino" "$T/log")" = 2 ] && break
	sleep 0.1
done
ok "the new flood window applies: inspected again" \
	test "$(grep -c "inspected $mnt inode $ino" "$T/log")" = 2

stop_daemon INT
ok "SIGINT: exit status 0" test "$DAEMON_RC" = 0
ok "SIGINT: says it stopped" grep -q "e4errd: stopped$" "$T/log"

# --- readiness for systemd (sd_notify) --------------------------------------
if command -v python3 >/dev/null && grep -q "^#define HAVE_LIBSYSTEMD 1" "$TEST_BUILDDIR/../config.h"; then
	python3 - "$T/notify" "$T/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
with open(sys.argv[2], "w", buffering=1) as out:
    try:
        while True:
            msg = s.recv(4096).decode()
            out.write(msg.replace("\n", " ") + "\n")
            if "STOPPING=1" in msg:
                break
    except socket.timeout:
        pass
PY
	listener=$!
	at_exit "kill $listener"
	for ((i = 0; i < 50; i++)); do [ -S "$T/notify" ] && break; sleep 0.1; done
	NOTIFY_SOCKET=$T/notify start_daemon "$T/log5" --config "$T/conf" --state-dir "$state" "$mnt"
	ok "sd_notify: READY=1 with a status" wait_log "$T/notify.log" "READY=1 STATUS=1 filesystems watched" 10
	kill -HUP "$DAEMON_PID"
	ok "sd_notify: RELOADING=1 on SIGHUP" wait_log "$T/notify.log" "RELOADING=1 MONOTONIC_USEC=" 5
	stop_daemon TERM
	ok "sd_notify: STOPPING=1 on SIGTERM" wait_log "$T/notify.log" "STOPPING=1" 5
	note "notifications: $(tr '\n' '|' <"$T/notify.log")"
else
	skip "sd_notify readiness" "python3 or libsystemd not available"
fi

# --- capabilities -----------------------------------------------------------
if command -v capsh >/dev/null; then
	capsh --drop=cap_sys_admin -- -c "exec '$E4ERRD' daemon --foreground --config '$T/conf' --state-dir '$T/nocap' '$mnt'" \
		>"$T/nocap.log" 2>&1
	rc=$?
	note "without CAP_SYS_ADMIN: $(head -1 "$T/nocap.log")"
	ok "without CAP_SYS_ADMIN: refuses to start (exit 1)" test "$rc" = 1
	ok "without CAP_SYS_ADMIN: names the capability and why" \
		grep -q "CAP_SYS_ADMIN: it is needed to place fanotify filesystem marks" "$T/nocap.log"
	ok "without CAP_SYS_ADMIN: nothing created" test ! -e "$T/nocap"
else
	skip "refusal without CAP_SYS_ADMIN" "capsh not installed (libcap2-bin)"
fi

# --- detaching --------------------------------------------------------------
start=$EPOCHREALTIME
"$E4ERRD" daemon --config "$T/conf" --state-dir "$T/state2" "$mnt" >"$T/bg.out" 2>"$T/bg.err"
rc=$?
ok "without --foreground: returns 0 once ready ($(elapsed "$start")s)" test "$rc" = 0
pid=$(pgrep -f -- "--state-dir $T/state2 $mnt" | head -1)
if [ -n "$pid" ]; then
	at_exit "kill -KILL $pid"
	pass "the detached daemon runs (pid $pid)"
	ok "it is in a session of its own" test "$(ps -o sid= -p "$pid" | tr -d ' ')" != "$(ps -o sid= -p $$ | tr -d ' ')"
	ok "it is not a session leader" test "$(ps -o sid= -p "$pid" | tr -d ' ')" != "$pid"
	ok "its working directory is /" test "$(readlink "/proc/$pid/cwd")" = /
	ls "$mnt/d" >/dev/null 2>&1
	sleep 0.5
	ok "it records: the report has the inode" \
		test "$(report_json "$T/state2" | jq --argjson i "$ino" '[.filesystems[].inodes[] | select(.inode == $i)] | length')" = 1
	kill -TERM "$pid"
	for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	ok "SIGTERM stops it" test "$i" -lt 50
else
	fail "the detached daemon runs" "$(cat "$T/bg.err")"
fi
"$E4ERRD" daemon --config "$T/conf" --state-dir "$T/state3" /proc >/dev/null 2>"$T/bad.err"
rc=$?
ok "without --foreground, a failed start returns 1" test "$rc" = 1
ok "and says why on stderr" grep -q "Not a filesystem served by the ext4 driver" "$T/bad.err"
finish
