#!/bin/bash
# Failure drill: superblocks that cannot be read or believed, through
# `e4errd inspect` on loop devices (and the image files themselves):
#   - the primary superblock zeroed (no magic);
#   - a device shorter than the superblock's end (a short read);
#   - the magic intact but the geometry absurd (block size 2^40, no groups);
#   - a device whose every read fails with an I/O error (a loop device over
#     a FUSE file whose server has died; skipped without FUSE).
# Each ends with exit status 8, a message naming the device and the cause,
# and --json output that is valid JSON with verdict "inconclusive".  The
# inspector never crashes or hangs on them (each run has a deadline).
. "$TEST_SRCDIR/lib.sh"
require_live
command -v jq >/dev/null || skip_all "jq not installed"
make_tmpdir
quietly() { "$@" >/dev/null; }

mke2fs -q -F -t ext4 -b 1024 -O metadata_csum "$T/good" 8M >/dev/null 2>&1 ||
	skip_all "mke2fs failed"

cp "$T/good" "$T/zeroed"
dd if=/dev/zero of="$T/zeroed" bs=1024 seek=1 count=1 conv=notrunc status=none
head -c 1536 "$T/good" >"$T/short"
cp "$T/good" "$T/absurd"
# s_log_block_size (offset 24 in the superblock) = 30, s_blocks_per_group 0.
printf '\036\000\000\000' | dd of="$T/absurd" bs=1 seek=$((1024 + 24)) conv=notrunc status=none
printf '\000\000\000\000' | dd of="$T/absurd" bs=1 seek=$((1024 + 32)) conv=notrunc status=none

# drill NAME FILE: inspect the loop device over FILE and FILE itself.
drill() {
	local name=$1 file=$2 loop target rc
	loop=$(losetup -f --show "$file") || { skip "$name" "no loop device"; return; }
	at_exit "losetup -d $loop"
	for target in "$loop" "$file"; do
		timeout 30 "$E4ERRD" inspect --inode 12 --deadline 5000 "$target" \
			>"$T/out" 2>&1
		rc=$?
		ok "$name ($target): exit 8 (got $rc)" test "$rc" -eq 8
		ok "$name ($target): the message names it" grep -qF "$target" "$T/out"
		note "$name: $(tr '\n' ' ' <"$T/out" | head -c 200)"
		timeout 30 "$E4ERRD" inspect --json --inode 12 "$target" >"$T/json" 2>/dev/null
		ok "$name ($target): --json says inconclusive, with a reason" \
			quietly jq -e '.verdict == "inconclusive" and (.reason | length > 0)' "$T/json"
	done
	losetup -d "$loop"
}

drill "zeroed superblock" "$T/zeroed"
drill "device shorter than its superblock" "$T/short"
drill "absurd geometry" "$T/absurd"

# A device whose reads all fail.
stallfs=$TEST_BUILDDIR/tools/stallfs
if [ -x "$stallfs" ] && [ -e /dev/fuse ]; then
	mkdir -p "$T/fuse"
	coproc STALL { exec "$stallfs" "$T/good" "$T/fuse"; }
	at_exit "kill $STALL_PID; umount -l '$T/fuse'"
	read -r -t 10 line <&"${STALL[0]}"
	if [ "${line:-}" = ready ] && loop=$(losetup -f --show "$T/fuse/disk"); then
		at_exit "losetup -d $loop"
		kill -TERM "$STALL_PID"
		sleep 0.3
		timeout 30 "$E4ERRD" inspect --inode 12 "$loop" >"$T/out" 2>&1
		rc=$?
		ok "I/O errors: exit 8 (got $rc)" test "$rc" -eq 8
		ok "I/O errors: the message names the device and the I/O error" \
			quietly grep -E "$loop.*(Input/output|I/O)" "$T/out"
		note "I/O errors: $(tr '\n' ' ' <"$T/out" | head -c 200)"
	else
		skip "I/O errors" "stallfs or its loop device did not start"
	fi
else
	skip "I/O errors" "no FUSE or no stallfs"
fi
finish
