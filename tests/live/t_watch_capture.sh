#!/bin/bash
# e4errd watch --capture records every raw read; e4errd replay of that file
# gives back the very events watch printed.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/live/watch_helpers.bash"
require_live
command -v jq >/dev/null || skip_all "jq not installed"
make_tmpdir

damaged_dir_image "$T/img" >/dev/null || skip_all "could not build the test image"
mount_image "$T/img" "$T/mnt" || skip_all "could not mount the image"
kname=$(loop_dev "$T/mnt")
kname=${kname##*/}

start_watch "$T/out" "$T/err" --json --capture "$T/cap" "$T/mnt"
if ! wait_for "$T/err" "watching $T/mnt (" 10; then
	fail "watcher ready" "$(cat "$T/err")"
	finish
fi
pass "watcher ready"
ls "$T/mnt/d" >/dev/null 2>&1
wait_events "$T/out" "$T/mnt" 1 10 >/dev/null
echo "e4errd capture test" >"/sys/fs/ext4/$kname/trigger_fs_error"
ok "two events seen live" quietly wait_events "$T/out" "$T/mnt" 2 10
stop_watch INT
ok "watcher stops with status 0" test "$WATCH_RC" = 0
ok "capture file starts with its magic" test "$(head -c 8 "$T/cap")" = E4ERRCAP
ok "capture file is private (0600)" test "$(stat -c %a "$T/cap")" = 600

# The decoded fields, without what watch adds from the mount table.
fields='{abi, mask, pid, error, error_name, error_count, fsid, inode, generation, block, function, line, desc, warnings}'
"$E4ERRD" replay --json "$T/cap" >"$T/replay" 2>"$T/replay.err"
rc=$?
if [ "$rc" -ne 0 ] && [ ! -s "$T/replay" ] && ! grep -q . "$T/replay.err"; then
	skip "replay gives the same events" "e4errd replay is not implemented yet (exit $rc, no output)"
elif grep -qi "not implemented" "$T/replay.err"; then
	skip "replay gives the same events" "e4errd replay says: $(head -1 "$T/replay.err")"
else
	ok "replay exits 0" test "$rc" = 0
	live=$(jq -c "$fields" "$T/out")
	replayed=$(jq -c "$fields" "$T/replay")
	note "live:     $(tr '\n' ' ' <<<"$live")"
	note "replayed: $(tr '\n' ' ' <<<"$replayed")"
	ok "replay gives the same events" test -n "$live" -a "$live" = "$replayed"
fi
finish
