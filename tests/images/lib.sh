# tests/images/lib.sh --- helpers for the damaged-image corpus.
#
# Each case is a directory cases/<name>/ with two files:
#
#   build   bash, sourced; defines setup() and damage().
#           setup:  make the healthy image "$IMG" (mkfs_img, dbg, ...) and
#                   record what the expect file needs with setvar NAME VALUE.
#           damage: damage the copy "$IMG" of that image, deterministically
#                   (debugfs -w commands, byte writes at computed offsets).
#   expect  what the inspector must say, one directive a line:
#             args ARG...        e4errd inspect arguments; @NAME@ is a setvar
#             verdict V          confirmed, not_confirmed, stale, inconclusive
#             codes CODE...      exactly the damage codes found (or "none")
#             related CODE...    codes that must be marked related
#             jq FILTER VALUE    jq -r FILTER on the JSON must print VALUE
#             mounted no         run unmounted only (say why in a comment)
#             mounted-superblock yes   the damage is in the primary superblock:
#                                write it onto the mounted device too
#             e2fsck clean       e2fsck -fn must find nothing (default: not checked
#                                unless the verdict is confirmed)
#
# The images are built at test time in a temporary directory; none is
# committed.  Everything is deterministic: fixed UUID, hash seed and time.

export E2FSPROGS_FAKE_TIME=1700000000
CORPUS_UUID=4e0e2b8a-6b34-4b55-9d1c-5e1d2f3a4b5c
CORPUS_SEED=9a3c5e71-2b4d-4f60-8a1b-c2d3e4f50617

# mkfs_img IMG SIZE [mke2fs options...]: a fresh filesystem, ext4 unless -t given.
mkfs_img() {
	local img=$1 size=$2
	shift 2
	rm -f "$img"
	local t=(-t ext4)
	case " $* " in *" -t "*) t=() ;; esac
	mke2fs -q -F "${t[@]}" -U "$CORPUS_UUID" \
		-E "hash_seed=$CORPUS_SEED,lazy_itable_init=0,lazy_journal_init=0,nodiscard" \
		"$@" "$img" "$size" >/dev/null 2>&1
}

# dbg IMG CMD: one debugfs command, read-write.
dbg() { debugfs -w -R "$2" "$1" >/dev/null 2>&1; }
# dbgf IMG: debugfs commands from standard input.
dbgf() { debugfs -w -f - "$1" >/dev/null 2>&1; }
# dbgr IMG CMD: a read-only debugfs command's output.
dbgr() { debugfs -R "$2" "$1" 2>/dev/null; }

ino_of() { dbgr "$1" "stat $2" | sed -n 's/^Inode: \([0-9]*\).*/\1/p'; }
bmap() { dbgr "$1" "bmap $2 $3"; }
blocksize() { dumpe2fs -h "$1" 2>/dev/null | sed -n 's/^Block size: *//p'; }
desc_size() {
	local s
	s=$(dumpe2fs -h "$1" 2>/dev/null | sed -n 's/^Group descriptor size: *//p')
	echo "${s:-32}"
}
first_block() { dumpe2fs -h "$1" 2>/dev/null | sed -n 's/^First block: *//p'; }
generation_of() { dbgr "$1" "stat $2" | sed -n 's/.*Generation: \([0-9]*\).*/\1/p'; }

# gd_loc IMG GROUP WHAT: "Block bitmap", "Inode bitmap" or "Inode table".
gd_loc() {
	dumpe2fs "$1" 2>/dev/null |
		sed -n "/^Group $2:/,/^Group /s/^  $3 at \([0-9]*\).*/\1/p" | head -1
}

# inode_offset IMG INO: byte offset of the inode in the image.
inode_offset() {
	local out blk off
	out=$(dbgr "$1" "imap <$2>")
	blk=$(sed -n 's/.*located at block \([0-9]*\),.*/\1/p' <<<"$out")
	off=$(sed -n 's/.*offset \(0x[0-9a-f]*\).*/\1/p' <<<"$out")
	echo $((blk * $(blocksize "$1") + off))
}

# gd_offset IMG GROUP: byte offset of a group's descriptor (no meta_bg).
gd_offset() {
	local bs ds
	bs=$(blocksize "$1")
	ds=$(desc_size "$1")
	echo $(( ($(first_block "$1") + 1) * bs + $2 * ds ))
}

# poke IMG OFFSET HEX...: write bytes (e.g. "ff 01") at a byte offset.
poke() {
	local img=$1 off=$2 esc="" b
	shift 2
	for b in "$@"; do esc+="\\x$b"; done
	printf "$esc" | dd of="$img" bs=1 seek="$off" conv=notrunc status=none
}

# poke_u16 / poke_u32 IMG OFFSET VALUE: little-endian.
poke_u16() { poke "$1" "$2" "$(printf %02x $(($3 & 255)))" "$(printf %02x $((($3 >> 8) & 255)))"; }
poke_u32() {
	poke "$1" "$2" "$(printf %02x $(($3 & 255)))" "$(printf %02x $((($3 >> 8) & 255)))" \
		"$(printf %02x $((($3 >> 16) & 255)))" "$(printf %02x $((($3 >> 24) & 255)))"
}

# flip IMG OFFSET: invert one byte.
flip() {
	local v
	v=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	poke "$1" "$2" "$(printf %02x $((v ^ 255)))"
}

# fill_block IMG BLOCK BYTE: a whole block of one byte value (hex).
fill_block() {
	local bs
	bs=$(blocksize "$1")
	head -c "$bs" /dev/zero | tr '\0' "\\$(printf %03o $((0x$3)))" |
		dd of="$1" bs="$bs" seek="$2" conv=notrunc status=none
}

# setvar NAME VALUE: for @NAME@ in the expect file.
setvar() { echo "$1=$2" >>"$VARS"; }

# make_files IMG DIR N: N small files DIR/f1..fN (DIR must exist).
make_files() {
	local i
	for ((i = 1; i <= $3; i++)); do
		echo "write /dev/null $2/f$i"
	done | dbgf "$1"
}

# data_file IMG NAME BLOCKS: a file of BLOCKS blocks of a fixed pattern.
data_file() {
	local src bs
	bs=$(blocksize "$1")
	src=$(mktemp)
	yes 'e4errd corpus data' | head -c $(($3 * bs)) >"$src"
	dbg "$1" "write $src $2"
	rm -f "$src"
}
