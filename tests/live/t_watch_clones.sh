#!/bin/bash
# Two clones of one ext4 image (same UUID, so the same fsid) mounted at once:
# e4errd watch must put them in different fanotify groups and attribute each
# event to the mount it came from.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/live/watch_helpers.bash"
require_live
command -v jq >/dev/null || skip_all "jq not installed"
make_tmpdir

damaged_dir_image "$T/a.img" >/dev/null || skip_all "could not build the test image"
cp "$T/a.img" "$T/b.img"
mount_image "$T/a.img" "$T/a" || skip_all "could not mount a.img"
mount_image "$T/b.img" "$T/b" || skip_all "could not mount b.img"
deva=$(loop_dev "$T/a") devb=$(loop_dev "$T/b")
fsid=$(fsid_of "$T/a")
note "clones on $deva and $devb, fsid $fsid"
ok "the clones share one fsid" test "$(fsid_of "$T/b")" = "$fsid"

start_watch "$T/out" "$T/err" --json "$T/a" "$T/b"
if ! wait_for "$T/err" "watching $T/b (" 10 || ! wait_for "$T/err" "watching $T/a (" 1; then
	fail "watcher ready" "$(cat "$T/err")"
	finish
fi
pass "watcher ready"
ga=$(sed -n "s|.*watching $T/a (.*group \([0-9]*\)).*|\1|p" "$T/err")
gb=$(sed -n "s|.*watching $T/b (.*group \([0-9]*\)).*|\1|p" "$T/err")
note "groups: a=$ga b=$gb"
ok "the clones are in different groups" test -n "$ga" -a -n "$gb" -a "$ga" != "$gb"

# b first, then a: attribution must follow the mount, not the order.
ls "$T/b/d" >/dev/null 2>&1
evb=$(wait_events "$T/out" "$T/b" 1 10 | sed -n 1p)
ls "$T/a/d" >/dev/null 2>&1
eva=$(wait_events "$T/out" "$T/a" 1 10 | sed -n 1p)
note "b: $evb"
note "a: $eva"
ok "event from b attributed to b ($devb)" test "$(jfield "$evb" device)" = "\"$devb\""
ok "event from a attributed to a ($deva)" test "$(jfield "$eva" device)" = "\"$deva\""
ok "both carry the shared fsid" \
	test "$(jfield "$eva" fsid)$(jfield "$evb" fsid)" = "\"$fsid\"\"$fsid\""

# A no-inode error on a alone: exactly one more event, on a.
echo "e4errd clone test" >"/sys/fs/ext4/${deva##*/}/trigger_fs_error"
ok "trigger on a: reported on a" quietly wait_events "$T/out" "$T/a" 2 10
sleep 0.3
ok "nothing more reported on b" test "$(events_of "$T/out" "$T/b" | wc -l)" = 1
ok "no event left unattributed" \
	test "$(jq -c 'select(.mountpoint == null)' "$T/out" | wc -l)" = 0

stop_watch TERM
ok "SIGTERM stops the watcher with status 0" test "$WATCH_RC" = 0
finish
