#!/bin/bash
# bench_latency.sh --- live latency of `e4errd daemon` on the real kernel:
# from the system call that trips an ext4 error to the event durably
# recorded (target: p99 under 2 ms), and to its inspection's finding
# recorded; next to a minimal fanotify reader's latency for the same
# errors and the machine's fdatasync time.  tests/tools/latprobe.c does
# the measuring and says exactly what each time stamp is.
#
# Two kinds of error, on one loop mount (errors=continue) of a small
# metadata_csum image:
#   - a write to /sys/fs/ext4/<dev>/trigger_fs_error: an event naming no
#     inode, so nothing to inspect;
#   - stat(2) of a file whose inode checksum was spoiled with debugfs:
#     EFSBADCRC naming the inode, which the daemon inspects (confirmed).
#     Each trip names another inode, so no flood control holds one back.
# Trips run one at a time with a pause between them (the kernel folds
# errors of one process into one unread event; latprobe checks that every
# trip gave exactly one event, error_count 1, to both readers).
#
# BENCH_LATENCY_ERRORS (default 200) errors of each kind, after 3 not
# counted, BENCH_LATENCY_GAP_MS (default 20) apart; BENCH_DIR (default /var/tmp) holds the image and the state
# directory, so the store sits on a disk as it would in /var/lib.
# Needs root, loop devices, mke2fs and debugfs; says why and prints no
# rows otherwise.
set -u
: "${E4ERRD:?}" "${TEST_BUILDDIR:?}" "${TEST_SRCDIR:?}"
. "$TEST_SRCDIR/bench/live_helpers.bash"
n=${BENCH_LATENCY_ERRORS:-200}
warmup=3
probe=$TEST_BUILDDIR/tools/latprobe

if [ "$(id -u)" -ne 0 ] || [ ! -e /dev/loop-control ] ||
   ! command -v debugfs >/dev/null; then
	echo "live latency not measured: needs root, loop devices and debugfs"
	exit 0
fi
dir=$(mktemp -d "${BENCH_DIR:-/var/tmp}/e4errd-bench-lat.XXXXXX") || exit 1
mnt=$dir/mnt
cleanup() {
	mountpoint -q "$mnt" && umount "$mnt"
	rm -rf "$dir"
}
trap cleanup EXIT

# The image: n + warmup empty files in /bad, their inodes spoiled.
mkdir -p "$dir/src/bad" "$dir/state" "$dir/run" "$mnt"
for ((i = 0; i < n + warmup; i++)); do
	: >"$dir/src/bad/f$i"
done
mke2fs -q -F -t ext4 -b 1024 -N $((n + warmup + 64)) -O metadata_csum \
	-d "$dir/src" "$dir/img" 16M >/dev/null 2>&1 || { echo "mke2fs failed"; exit 1; }
uuid=$(dumpe2fs -h "$dir/img" 2>/dev/null | sed -n 's/^Filesystem UUID: *//p')
debugfs -R "ls -p /bad" "$dir/img" 2>/dev/null |
	awk -F/ -v m="$mnt" '$6 ~ /^f[0-9]+$/ { print $2, m "/bad/" $6 }' |
	sort -t f -k2 -n >"$dir/list"
[ "$(wc -l <"$dir/list")" -eq $((n + warmup)) ] || { echo "debugfs ls failed"; exit 1; }
awk '{ printf "sif <%s> checksum 0xbad\n", $1 }' "$dir/list" |
	debugfs -w -f - "$dir/img" >/dev/null 2>&1
mount -o loop,errors=continue "$dir/img" "$mnt" || { echo "cannot mount $dir/img"; exit 1; }
dev=$(findmnt -n -o SOURCE --mountpoint "$mnt")
trigger=/sys/fs/ext4/${dev##*/}/trigger_fs_error
[ -w "$trigger" ] || { echo "no $trigger on this kernel"; exit 1; }

# In a mount namespace of its own when possible: mounts and unmounts made
# elsewhere on a shared machine (other tests) would wake the daemon to
# re-read the mount table, and be measured as its latency.
printf '[daemon]\nspool_dir = %s\n' "$dir/run" >"$dir/conf"
(export LATPROBE_LOG=$dir/daemon.log
 own_mountns "$mnt" "$probe" --trigger "$trigger" --trips "$n" \
	--stat-list "$dir/list" --warmup "$warmup" --state-dir "$dir/state" \
	--gap-ms "${BENCH_LATENCY_GAP_MS:-20}" \
	--uuid "$uuid" "$mnt" -- \
	"$E4ERRD" daemon --foreground --config "$dir/conf" \
	--state-dir "$dir/state" "$mnt")
rc=$?
if [ "$rc" -ne 0 ]; then
	echo "daemon log, last lines:"
	tail -n 5 "$dir/daemon.log"
fi
echo "latency: t0 before the tripping syscall; event recorded = the daemon's" \
	"\"recorded\" line (logged after the commit's fdatasync) read from its" \
	"stderr pipe; finding = first seen by a store reader (polled every 0.1 ms);" \
	"$(own_mountns_note)"
exit "$rc"
