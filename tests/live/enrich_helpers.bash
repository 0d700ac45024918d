# enrich_helpers.bash --- driving tests/tools/enrich_probe (the enrich
# stage on the live kernel, without the daemon).  Source after lib.sh and
# make_tmpdir.  Every wait is bounded: a test never hangs.

PROBE=$TEST_BUILDDIR/tools/enrich_probe

require_probe() {
	[ -x "$PROBE" ] || skip_all "tools/enrich_probe not built"
	command -v jq >/dev/null || skip_all "jq not installed"
	[ -r /dev/kmsg ] || skip_all "/dev/kmsg not readable"
}

# start_probe OUT ARGS...: the probe in the background, JSON lines to OUT,
# stderr to OUT.err; PROBE_PID.  Returns once it printed "ready".
start_probe() {
	local out=$1 i
	shift
	"$PROBE" "$@" >"$out" 2>"$out.err" &
	PROBE_PID=$!
	at_exit "kill -TERM $PROBE_PID; wait $PROBE_PID"
	for ((i = 0; i < 100; i++)); do
		grep -q '"ready"' "$out" 2>/dev/null && return 0
		kill -0 "$PROBE_PID" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

# wait_probe [SECONDS [PID]]: until the probe (the last one started, or
# PID) exits on its own; PROBE_RC.
wait_probe() {
	local t=${1:-60} pid=${2:-$PROBE_PID} i
	for ((i = 0; i < t * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"
	PROBE_RC=$?
}

# records OUT: the enriched records, one compact JSON object per line.
records() { jq -c 'select(.record) | .record' "$1" 2>/dev/null; }
# has_sources RECORD FIELD SOURCE...: object 0's FIELD came from each SOURCE.
has_sources() {
	local r=$1 f=$2 src
	shift 2
	for src in "$@"; do
		jq -e --arg f "$f" --arg s "$src" \
			'.objects[0].sources[$f] | index($s) != null' <<<"$r" >/dev/null || return 1
	done
}
# jqtest FILTER [ARGS...] <<<JSON: the filter holds (for use under ok).
jqtest() { jq -e "$@" >/dev/null 2>&1; }
summary_of() { jq -c 'select(.summary) | .summary' "$1" 2>/dev/null | head -1; }

# kernel_line KNAME PATTERN: the newest kernel-facility record of the log
# naming device KNAME whose text matches PATTERN (a grep -E regex), as
# "PRI;TEXT".  Read straight from /dev/kmsg, independently of the probe.
kernel_line() {
	dd if=/dev/kmsg iflag=nonblock bs=8192 2>/dev/null |
		grep -a -E "^[0-9]+,[0-9]+,[0-9]+,[^;]*;.*\(device $1\).*$2" |
		awk -F'[,;]' '$1 < 8' | tail -1 |
		sed -E 's/^([0-9]+),[^;]*;/\1;/'
}

# func_line TEXT: "function:line" of an ext4 error line.
func_line() {
	sed -E 's/^.*\(device [^)]*\)(:| in) ([A-Za-z0-9_]+):([0-9]+):.*$/\2:\3/' <<<"$1"
}

# two_dirs_image IMAGE: an ext4 image with directories d1 and d2 whose
# first blocks are overwritten; prints their inode numbers.
two_dirs_image() {
	local img=$1 d b inos=()
	rm -f "$img"
	mke2fs -q -F -t ext4 -b 1024 -O metadata_csum "$img" 8M >/dev/null 2>&1 || return 1
	for d in d1 d2; do
		debugfs -w -R "mkdir $d" "$img" >/dev/null 2>&1 || return 1
	done
	for d in d1 d2; do
		inos+=("$(debugfs -R "stat $d" "$img" 2>/dev/null |
			sed -n 's/^Inode: \([0-9]*\).*/\1/p')")
		b=$(debugfs -R "bmap $d 0" "$img" 2>/dev/null)
		[ -n "$b" ] || return 1
		dd if=/dev/urandom of="$img" bs=1024 seek="$b" count=1 conv=notrunc status=none
	done
	echo "${inos[@]}"
}

# bad_entry_image IMAGE: no metadata_csum, directory d whose first block
# holds a directory entry with rec_len 0: the kernel names the block.
# Prints "INODE BLOCK".
bad_entry_image() {
	local img=$1 ino blk
	rm -f "$img"
	mke2fs -q -F -t ext4 -b 1024 -O ^metadata_csum "$img" 8M >/dev/null 2>&1 || return 1
	debugfs -w -R "mkdir d" "$img" >/dev/null 2>&1 || return 1
	ino=$(debugfs -R "stat d" "$img" 2>/dev/null | sed -n 's/^Inode: \([0-9]*\).*/\1/p')
	blk=$(debugfs -R "bmap d 0" "$img" 2>/dev/null)
	[ -n "$ino" ] && [ -n "$blk" ] || return 1
	# inode 12, rec_len 0, name_len 1: "rec_len is smaller than minimal".
	printf '\x0c\x00\x00\x00\x00\x00\x01\x02.\x00\x00\x00' |
		dd of="$img" bs=1 seek=$((blk * 1024)) conv=notrunc status=none
	echo "$ino $blk"
}

# group_error_image IMAGE: group 0's descriptor claims 100 free blocks
# while its bitmap says otherwise: allocating there makes mballoc report
# "block bitmap and bg descriptor inconsistent" -- an error that sends no
# fanotify event.
group_error_image() {
	local img=$1
	rm -f "$img"
	mke2fs -q -F -t ext4 -b 1024 -O metadata_csum "$img" 8M >/dev/null 2>&1 || return 1
	debugfs -w -R "set_bg 0 free_blocks_count 100" "$img" >/dev/null 2>&1 || return 1
	debugfs -w -R "set_bg 0 checksum calc" "$img" >/dev/null 2>&1
}

kname_of() {
	local d
	d=$(findmnt -n -o SOURCE --mountpoint "$1") || return 1
	echo "${d##*/}"
}
