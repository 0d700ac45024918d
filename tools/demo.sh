#!/bin/bash
# demo.sh --- a live demonstration of e4errd on this machine's real kernel.
#
# Builds a small ext4 image whose directory block is damaged, loop-mounts it
# with errors=continue, runs `e4errd watch --json` on it, reads the damaged
# directory so the kernel reports a real error, and shows the decoded event.
# Then the same with the service: `e4errd daemon` records the error,
# inspects it, and `e4errd report` shows the verdict.  Everything is
# cleaned up on exit.  Needs root and loop devices.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
E4ERRD=${E4ERRD:-$top/e4errd/e4errd}
. "$top/tests/lib.sh" >/dev/null

if [ "$(id -u)" -ne 0 ] || [ ! -e /dev/loop-control ]; then
	echo "demo: needs root and loop devices" >&2
	exit 1
fi
make_tmpdir
step() { printf '\n== %s\n' "$*"; }

step "a small ext4 image with a damaged directory block"
ino=$(damaged_dir_image "$T/demo.img")
echo "directory /d is inode $ino; its first block now holds random bytes"

step "mount it (loop, errors=continue) and start: e4errd watch --json"
mount_image "$T/demo.img" "$T/mnt"
"$E4ERRD" watch --json "$T/mnt" >"$T/events" 2>"$T/watch.err" &
watcher=$!
at_exit "kill $watcher"
for _ in $(seq 50); do
	grep -q watching "$T/watch.err" 2>/dev/null && break
	sleep 0.1
done
cat "$T/watch.err"

step "ls the damaged directory: the kernel reports an error"
ls "$T/mnt/d" 2>&1 | sed 's/^/  /' || true
for _ in $(seq 50); do
	[ -s "$T/events" ] && break
	sleep 0.1
done
sleep 0.3

step "what e4errd decoded"
if command -v jq >/dev/null; then jq . "$T/events"; else cat "$T/events"; fi
[ -s "$T/events" ] || { echo "demo: no event arrived" >&2; exit 1; }
kill "$watcher" 2>/dev/null || true

step "the service: e4errd daemon on a second damaged image, state in a temp dir"
ino2=$(damaged_dir_image "$T/demo2.img")
mount_image "$T/demo2.img" "$T/mnt2"
mkdir -p "$T/run"
printf '[daemon]\nspool_dir = %s\n' "$T/run" >"$T/e4errd.conf"
chmod 600 "$T/e4errd.conf"
"$E4ERRD" daemon --foreground --config "$T/e4errd.conf" --state-dir "$T/state" \
	"$T/mnt2" 2>"$T/daemon.log" &
daemon=$!
at_exit "kill $daemon; wait $daemon"
for _ in $(seq 50); do
	grep -q "ready:" "$T/daemon.log" 2>/dev/null && break
	sleep 0.1
done
sed 's/^/  /' "$T/daemon.log"

step "ls its damaged directory (inode $ino2): the daemon records and inspects"
ls "$T/mnt2/d" 2>&1 | sed 's/^/  /' || true
for _ in $(seq 50); do
	grep -q "inspected " "$T/daemon.log" 2>/dev/null && break
	sleep 0.1
done
grep -E "recorded|inspected" "$T/daemon.log" | sed 's/^/  /' || true

step "e4errd report --state-dir $T/state"
"$E4ERRD" report --state-dir "$T/state" --spool-dir "$T/run"
grep -q "inspected .*: confirmed" "$T/daemon.log" ||
	{ echo "demo: the daemon did not confirm the error" >&2; exit 1; }
step "done: daemon stopped, images unmounted and removed"
