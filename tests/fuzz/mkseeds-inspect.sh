#!/bin/bash
# mkseeds-inspect.sh DIR --- write the seed images of fuzz_inspect into DIR:
# small filesystems (64-256 KiB) of several feature profiles, made with
# mke2fs and debugfs, a few of them with one kind of damage already.  The
# committed corpus tests/fuzz/corpus/fuzz_inspect/ was made with
#
#   tests/fuzz/mkseeds-inspect.sh tests/fuzz/corpus/fuzz_inspect
#
# Everything is deterministic (fixed UUID, hash seed and time), so running
# it again gives the same bytes with the same e2fsprogs.  The first 16
# bytes of each image (unused by ext2/3/4: the boot block, or the start of
# block 0 before the superblock at 1024) hold fuzz_inspect's request: the
# inode of an interesting file and one of its blocks (see request below).
set -eu
out=${1:?usage: mkseeds-inspect.sh DIR}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export E2FSPROGS_FAKE_TIME=1700000000 E2FSCK_TIME=1700000000

mk() {
	local img=$1 size=$2
	shift 2
	rm -f "$img"
	mke2fs -q -F -U 4e0e2b8a-6b34-4b55-9d1c-5e1d2f3a4b5c \
		-E hash_seed=9a3c5e71-2b4d-4f60-8a1b-c2d3e4f50617,lazy_itable_init=0,nodiscard \
		"$@" "$img" "$size" >/dev/null
	# mke2fs leaves a short file when the last blocks are unused.
	truncate -s "$size" "$img"
}
dbg() { debugfs -w -f - "$1" >/dev/null 2>&1; }
ino() { debugfs -R "stat $2" "$1" 2>/dev/null | sed -n 's/^Inode: \([0-9]*\).*/\1/p'; }
blk() { debugfs -R "bmap $2 $3" "$1" 2>/dev/null; }
# spoil IMG OFFSET: xor one byte with 0xff.
spoil() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf '%03o' $((b ^ 255)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# le BYTES VALUE: VALUE as BYTES little-endian bytes, for printf.
le() {
	local i v=$2
	for ((i = 0; i < $1; i++)); do
		printf '\\%03o' $((v & 255))
		v=$((v >> 8))
	done
}
# request IMG PATH [LBLK]: fuzz_inspect's request in the first 16 bytes:
# PATH's inode and the physical block of its logical block LBLK.
request() {
	local i b=0
	i=$(ino "$1" "$2")
	[ $# -gt 2 ] && b=$(blk "$1" "$2" "$3")
	printf "$(le 4 "$i")$(le 8 "${b:-0}")$(le 4 0)" |
		dd of="$1" bs=1 count=16 conv=notrunc status=none
}

yes 'e4errd fuzz seed data' | head -c 40000 >"$tmp/data"
yes 'attribute value' | head -c 600 >"$tmp/ea"

# Common content: a directory with files, a file of many blocks written in
# pieces (several extents or an indirect block), a symlink, xattrs.
populate() {
	dbg "$1" <<EOF
mkdir d
write $tmp/data d/big
write /dev/null d/empty
symlink d/link /a/rather/long/target/path/that/does/not/fit/in/the/inode/itself/at/all
symlink short d
ea_set -f $tmp/ea d/big user.big
ea_set d/empty user.small tiny
mkdir d/sub
write /dev/null d/sub/f
EOF
}

img=$tmp/csum-extents.img
mk "$img" 256K -t ext4 -b 1024 -O metadata_csum,^has_journal
populate "$img"
request "$img" d/big 5
cp "$img" "$out/csum-extents"

# A file in many pieces (holes left by removed files): an extent tree
# with an index node.
img=$tmp/extent-tree.img
mk "$img" 256K -t ext4 -b 1024 -O metadata_csum,^has_journal
head -c 1024 "$tmp/data" >"$tmp/one"
{
	echo "mkdir d"
	for i in $(seq 1 60); do echo "write $tmp/one d/s$i"; done
	for i in $(seq 1 2 60); do echo "rm d/s$i"; done
	echo "write $tmp/data d/frag"
} | dbg "$img"
request "$img" d/frag 3
cp "$img" "$out/extent-tree"

# A value too big for a block, kept in an inode of its own (ea_inode).
img=$tmp/ea-inode.img
mk "$img" 256K -t ext4 -b 1024 -O ea_inode,metadata_csum,^has_journal
head -c 3000 "$tmp/data" >"$tmp/bigea"
dbg "$img" <<EOF
write /dev/null f
ea_set -f $tmp/bigea f user.huge
ea_set f user.small tiny
EOF
request "$img" f
cp "$img" "$out/ea-inode"

img=$tmp/ext2-indirect.img
mk "$img" 256K -t ext2 -b 1024
populate "$img"
request "$img" d/big 13
cp "$img" "$out/ext2-indirect"

img=$tmp/inline.img
mk "$img" 256K -t ext4 -b 1024 -I 256 -O inline_data,metadata_csum,^has_journal
populate "$img"
dbg "$img" <<EOF
mkdir small
write /dev/null small/a
EOF
request "$img" small
cp "$img" "$out/inline-data"

img=$tmp/htree.img
mk "$img" 256K -t ext4 -b 1024 -N 256 -O metadata_csum,^has_journal
{
	echo "mkdir h"
	for i in $(seq 1 150); do echo "write /dev/null h/file-with-a-long-name-$i"; done
} | dbg "$img"
e2fsck -fyD "$img" >/dev/null 2>&1 || true
request "$img" h 1
cp "$img" "$out/htree"

img=$tmp/bigalloc.img
mk "$img" 256K -t ext4 -b 1024 -C 4096 -O bigalloc,metadata_csum,^has_journal,^resize_inode
populate "$img"
request "$img" d/big 2
cp "$img" "$out/bigalloc"

img=$tmp/meta-bg.img
mk "$img" 256K -t ext4 -b 1024 -g 1024 -O 64bit,meta_bg,^resize_inode,metadata_csum,^has_journal
populate "$img"
request "$img" d/sub 0
cp "$img" "$out/meta-bg-64bit"

img=$tmp/4k.img
mk "$img" 256K -t ext4 -b 4096 -O ^has_journal
populate "$img"
request "$img" d/big 1
cp "$img" "$out/4k-blocks"

img=$tmp/no-flex.img
mk "$img" 128K -t ext4 -b 1024 -O ^flex_bg,^extent,^64bit,^has_journal,^metadata_csum
populate "$img"
request "$img" d/big 12
cp "$img" "$out/no-flex-no-extents"

img=$tmp/tiny.img
mk "$img" 64K -t ext4 -b 1024 -N 32 -O ^has_journal,^resize_inode
dbg "$img" <<EOF
mkdir d
write /dev/null d/f
EOF
request "$img" d 0
cp "$img" "$out/tiny-64k"

# Damaged: an inode checksum, a directory block, a block bitmap.
img=$out/damaged-inode-csum
cp "$out/csum-extents" "$img"
request "$img" d/empty
echo "sif d/empty checksum 0xbad" | dbg "$img"

img=$out/damaged-dir-block
cp "$out/csum-extents" "$img"
request "$img" d 0
b=$(blk "$img" d 0)
dd if=/dev/zero bs=1 seek=$((b * 1024 + 40)) count=64 of="$img" conv=notrunc status=none

img=$out/damaged-superblock-error-state
cp "$out/csum-extents" "$img"
request "$img" d 0
debugfs -w -R "ssv state 2" "$img" >/dev/null 2>&1
debugfs -w -R "ssv first_error_func ext4_lookup" "$img" >/dev/null 2>&1
debugfs -w -R "ssv first_error_ino $(ino "$img" d)" "$img" >/dev/null 2>&1

img=$out/damaged-indirect-block
cp "$out/ext2-indirect" "$img"
request "$img" d/big 12
b=$(debugfs -R "stat d/big" "$img" 2>/dev/null | sed -n 's/.*(IND):\([0-9]*\).*/\1/p')
[ -n "$b" ] && spoil "$img" $((b * 1024 + 8))

ls -l "$out"
