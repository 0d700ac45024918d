#!/bin/bash
# Errors made while nothing watched are found at first sight from the
# superblock (its count and first/last error) and recorded once: not again
# at the next start, nor after the filesystem is unmounted and mounted
# again; errors made between two starts are found at the second.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/live/enrich_helpers.bash"
require_live
require_probe
make_tmpdir

img=$T/img mnt=$T/mnt state=$T/state
damaged_dir_image "$img" >/dev/null || skip_all "could not build the test image"
mount_image "$img" "$mnt" || skip_all "could not mount $img"
k=$(kname_of "$mnt")
mkdir -p "$state"

# first_sight N: run the probe once against the store; prints its first_sight.
first_sight() {
	start_probe "$T/fs$1" -t 1 --state-dir "$state" --spool-dir "$state" "$mnt" ||
		{ cat "$T/fs$1.err" >&2; return 1; }
	wait_probe 10
	jq -c 'select(.first_sight) | .first_sight' "$T/fs$1"
}

# Two errors while nothing watches.
ls "$mnt/d" >/dev/null 2>&1
echo "while stopped" >"/sys/fs/ext4/$k/trigger_fs_error"
sleep 0.2
f=$(first_sight 1)
note "first start: $f"
ok "first start: 2 errors nobody recorded" test "$(jq -r .unrecorded <<<"$f")" = 2
ok "first start: the first and last error are new" \
	test "$(jq -r '"\(.first_new) \(.last_new)"' <<<"$f")" = "true true"

f=$(first_sight 2)
note "second start: $f"
ok "second start: nothing new" \
	test "$(jq -r '"\(.unrecorded) \(.first_new) \(.last_new)"' <<<"$f")" = "0 false false"

umount "$mnt" && mount -o loop,errors=continue "$img" "$mnt"
k=$(kname_of "$mnt")
f=$(first_sight 3)
note "after a remount: $f"
ok "after a remount: nothing new" \
	test "$(jq -r '"\(.unrecorded) \(.first_new) \(.last_new)"' <<<"$f")" = "0 false false"

echo "between starts" >"/sys/fs/ext4/$k/trigger_fs_error"
sleep 0.2
f=$(first_sight 4)
note "after one more error: $f"
ok "one more error: 1 unrecorded, a new last error, the same first" \
	test "$(jq -r '"\(.unrecorded) \(.first_new) \(.last_new)"' <<<"$f")" = "1 false true"

# An error the probe recorded itself (with its event) is not found again,
# even when the mark was not moved after it (a crash): the event explains it.
start_probe "$T/fs5" -c 1 -t 20 --no-final-mark --state-dir "$state" \
	--spool-dir "$state" "$mnt"
echo "while watched" >"/sys/fs/ext4/$k/trigger_fs_error"
wait_probe 20
ok "the watched error was recorded" \
	test "$(records "$T/fs5" | jq -r '.objects[0].message')" = "while watched"
f=$(first_sight 6)
note "after a watched error: $f"
ok "a watched error is not found again at the next start" \
	test "$(jq -r .unrecorded <<<"$f")" = 0
finish
