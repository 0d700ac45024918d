#!/bin/bash
# bench_inspect.sh --- the one-shot `e4errd inspect` on sparse images of
# 16 GiB and "16 TiB" (16383 GiB, the host's file-size limit): its cost
# must not grow with the filesystem.  Target: the median on the larger at
# most 1.5 times the median on the smaller.
#
# Prints rows "name | figure | reference | ratio | target" for run-bench.
# BENCH_INSPECT_RUNS (default 200) one-shot commands per image, the two
# images interleaved so drift hits both alike.  Needs mke2fs and debugfs;
# mke2fs of the sparse 16 TiB image takes about a second (lazy init).
set -u
: "${E4ERRD:?}"
runs=${BENCH_INSPECT_RUNS:-200}
dir=$(mktemp -d "${TMPDIR:-/tmp}/e4errd-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

make_image() {
	local img=$1 size=$2 src=$dir/src
	truncate -s "$size" "$img" || return 1
	mke2fs -q -F -t ext4 -T largefile4 \
		-E lazy_itable_init=1,lazy_journal_init=1,nodiscard "$img" >/dev/null 2>&1 || return 1
	head -c 65536 /dev/zero >"$src"
	debugfs -w -R "write $src f" "$img" >/dev/null 2>&1
}

for s in 16G 16383G; do
	if ! make_image "$dir/$s.img" "$s"; then
		echo "cannot make a $s sparse image in $dir (needs a filesystem allowing it)"
		exit 1
	fi
done
ino=$(debugfs -R "stat f" "$dir/16G.img" 2>/dev/null | sed -n 's/^Inode: \([0-9]*\).*/\1/p')
blk=$(debugfs -R "bmap f 3" "$dir/16G.img" 2>/dev/null)
blk_big=$(debugfs -R "bmap f 3" "$dir/16383G.img" 2>/dev/null)

# One run: milliseconds of one command, with three decimals.
one() {
	local start=$EPOCHREALTIME rc
	"$E4ERRD" inspect --inode "$ino" --block "$2" "$1" >/dev/null
	rc=$?
	[ "$rc" -eq 0 ] || { echo "inspect exited $rc on $1" >&2; return 1; }
	awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'
}

for ((i = 0; i < runs; i++)); do
	one "$dir/16G.img" "$blk" >>"$dir/small.ms" || exit 1
	one "$dir/16383G.img" "$blk_big" >>"$dir/big.ms" || exit 1
done

# ms_stats FILE: "median p99" of the column of milliseconds.
ms_stats() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		p = v[int(NR * 0.99 + 0.999)]
		printf "%.3f %.3f\n", m, p }'
}
read -r small_med small_p99 < <(ms_stats "$dir/small.ms")
read -r big_med big_p99 < <(ms_stats "$dir/big.ms")
ratio_med=$(awk -v a="$big_med" -v b="$small_med" 'BEGIN { printf "%.2f", a / b }')
ratio_p99=$(awk -v a="$big_p99" -v b="$small_p99" 'BEGIN { printf "%.2f", a / b }')
verdict=$(awk -v r="$ratio_med" 'BEGIN { print (r <= 1.5) ? "met" : "MISSED" }')

echo "inspect one inode+block, 16 GiB image, median | $small_med ms | - | - | -"
echo "inspect one inode+block, 16383 GiB image, median | $big_med ms | $small_med ms (16 GiB) | $ratio_med | <= 1.5 ($verdict)"
echo "inspect one inode+block, 16 GiB image, p99 | $small_p99 ms | - | - | -"
echo "inspect one inode+block, 16383 GiB image, p99 | $big_p99 ms | $small_p99 ms (16 GiB) | $ratio_p99 | -"
echo "$runs one-shot commands per image (process start, child, open, checks, close)"
[ "$verdict" = met ]
