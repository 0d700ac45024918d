#!/bin/bash
# e4errd watch without a mount point follows mounts and unmounts: a
# filesystem mounted after it started is watched, an unmounted one
# forgotten, and the same image mounted again is a new filesystem.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/live/watch_helpers.bash"
require_live
command -v jq >/dev/null || skip_all "jq not installed"
make_tmpdir

damaged_dir_image "$T/img" >/dev/null || skip_all "could not build the test image"
start_watch "$T/out" "$T/err" --json
if ! wait_for "$T/err" "ready:" 10; then
	fail "watcher ready" "$(cat "$T/err")"
	finish
fi
pass "watcher ready"
ok "it follows mounts" grep -q "following mounts" "$T/err"

# A mount made after the watcher started.
mount_image "$T/img" "$T/m1" || skip_all "could not mount the image"
ok "new mount is watched" wait_for "$T/err" "new filesystem: watching $T/m1 (" 10
ls "$T/m1/d" >/dev/null 2>&1
ev=$(wait_events "$T/out" "$T/m1" 1 10 | sed -n 1p)
note "m1: $ev"
ok "its error is reported on it" test "$(jfield "$ev" error_name)" = '"EFSBADCRC"'

# Unmounted: said on stderr.
umount "$T/m1"
ok "unmount is noticed" wait_for "$T/err" "$T/m1 was unmounted: no longer watched" 10

# The same image again, elsewhere: same fsid, a new superblock.
mount_image "$T/img" "$T/m2" || skip_all "could not mount the image again"
ok "mounted again: watched" wait_for "$T/err" "new filesystem: watching $T/m2 (" 10
ls "$T/m2/d" >/dev/null 2>&1
ev=$(wait_events "$T/out" "$T/m2" 1 10 | sed -n 1p)
note "m2: $ev"
ok "its error is attributed to the new mount" test "$(jfield "$ev" mountpoint)" = "\"$T/m2\""
ok "nothing more attributed to the old mount" test "$(events_of "$T/out" "$T/m1" | wc -l)" = 1

stop_watch INT
ok "watcher stops with status 0" test "$WATCH_RC" = 0

# Given a mount point, watch follows a filesystem mounted there again, and
# ignores one mounted elsewhere.
start_watch "$T/out2" "$T/err2" --json "$T/m2"
if ! wait_for "$T/err2" "watching $T/m2 (" 10; then
	fail "explicit: watcher ready" "$(cat "$T/err2")"
	finish
fi
umount "$T/m2"
ok "explicit: unmount is noticed" wait_for "$T/err2" "$T/m2 was unmounted" 10
# A clone (same fsid) elsewhere first, then the image where it was.
cp "$T/img" "$T/clone.img"
mount_image "$T/clone.img" "$T/m3" || skip_all "could not mount the clone"
mount -o loop,errors=continue "$T/img" "$T/m2" || skip_all "could not mount the image"
ok "explicit: mounted again at the same place: watched" \
	wait_for "$T/err2" "new filesystem: watching $T/m2 (" 10
ls "$T/m3/d" "$T/m2/d" >/dev/null 2>&1
ok "explicit: its error is reported" quietly wait_events "$T/out2" "$T/m2" 1 10
sleep 0.3
ok "explicit: the clone mounted elsewhere is not watched" \
	test "$(grep -c "$T/m3" "$T/err2" "$T/out2" | awk -F: '{ n += $2 } END { print n }')" = 0
stop_watch INT
ok "explicit: watcher stops with status 0" test "$WATCH_RC" = 0
finish
