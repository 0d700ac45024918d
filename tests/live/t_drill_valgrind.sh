#!/bin/bash
# The daemon's live path under valgrind: `e4errd daemon` watching a loop
# mount, a real error (a damaged directory read), the event recorded, the
# inspection child (a fork, followed by valgrind) confirming it, a trip
# through trigger_fs_error, SIGHUP, then SIGTERM.  Every process valgrind
# saw must report zero errors, and the daemon zero leaked bytes (definite,
# indirect or possible; "still reachable" memory, the libraries' own, is
# not a report).  An inspection child is a fork that ends without freeing
# the daemon's heap it inherited (its database handle, its tables):
# valgrind calls that "possibly lost", so only the child's errors count.
# Skipped without valgrind, and for a sanitizer build (valgrind and ASan
# cannot share a process).
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/live/daemon_helpers.bash"
require_live
command -v valgrind >/dev/null || skip_all "valgrind not installed"
if nm "$E4ERRD" 2>/dev/null | grep -q __asan_init ||
   ldd "$E4ERRD" 2>/dev/null | grep -q libasan; then
	skip_all "a sanitizer build: valgrind cannot run it"
fi
make_tmpdir

ino=$(damaged_dir_image "$T/img") || skip_all "could not build the test image"
mount_image "$T/img" "$T/mnt" || skip_all "could not mount $T/img"
kname=$(kname "$T/mnt")

mkdir -p "$T/vg"
daemon_config "$T/conf" "flood_window=60s" "inspect_deadline=30s"
valgrind --quiet --error-exitcode=99 --leak-check=full \
	--show-leak-kinds=definite,indirect,possible \
	--errors-for-leak-kinds=definite,indirect,possible \
	--track-fds=no --log-file="$T/vg/vg.%p" \
	"$E4ERRD" daemon --foreground --config "$T/conf" --state-dir "$T/state" \
	"$T/mnt" >"$T/log" 2>&1 &
DAEMON_PID=$!
at_exit "kill -KILL $DAEMON_PID; wait $DAEMON_PID"
wait_log "$T/log" "ready: 1 filesystem watched" 60 ||
	{ fail "the daemon starts under valgrind"; sed 's/^/# /' "$T/log" | tail; finish; }
pass "the daemon starts under valgrind"

ls "$T/mnt/d" >/dev/null 2>&1
ok "the error is recorded" wait_log "$T/log" "recorded 1 event on $T/mnt " 30
ok "its inspection (a forked child) confirms it" \
	wait_log "$T/log" "inspected $T/mnt inode $ino: confirmed" 60
echo valgrind >"/sys/fs/ext4/$kname/trigger_fs_error"
ok "a no-inode error is recorded" wait_log "$T/log" "no inode EFSCORRUPTED" 30
kill -HUP "$DAEMON_PID"
ok "SIGHUP reloads" wait_log "$T/log" "configuration reloaded" 30

kill -TERM "$DAEMON_PID"
for ((i = 0; i < 600; i++)); do
	kill -0 "$DAEMON_PID" 2>/dev/null || break
	sleep 0.1
done
wait "$DAEMON_PID"
rc=$?
ok "SIGTERM stops it cleanly under valgrind (status $rc; 99 = valgrind errors)" test "$rc" -eq 0

n=$(find "$T/vg" -type f | wc -l)
ok "valgrind followed the daemon and its inspection child ($n processes)" test "$n" -ge 2
errors='^==[0-9]+== +(Invalid|Conditional|Syscall param|Mismatched|Source and destination|Use of uninit|Argument .* of function)'
leaks='^==[0-9]+== +[0-9,]+ bytes in [0-9,]+ blocks are (definitely|indirectly|possibly) lost'
nerr=$(cat "$T/vg"/vg.* 2>/dev/null | grep -cE "$errors")
nleak=$(grep -cE "$leaks" "$T/vg/vg.$DAEMON_PID" 2>/dev/null)
ok "zero memory errors in every process" test "$nerr" -eq 0
ok "the daemon's log exists" test -s "$T/vg/vg.$DAEMON_PID" -o -f "$T/vg/vg.$DAEMON_PID"
ok "zero leaks in the daemon" test "${nleak:-1}" -eq 0
if [ "$nerr" -ne 0 ] || [ "${nleak:-1}" -ne 0 ]; then
	grep -hE -A12 "$errors|$leaks" "$T/vg"/vg.* | head -60 | sed 's/^/# /'
fi
finish
