# lib.sh --- helpers for the shell tests.  Source it; every test speaks TAP.
#
#   . "$TEST_SRCDIR/lib.sh"
#   ok "decode --help exits 0" test "$rc" -eq 0
#   skip "needs root" ...
#   finish

set -u
: "${E4ERRD:=e4errd}" "${TEST_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
: "${TEST_BUILDDIR:=$TEST_SRCDIR}"
_tap_n=0
_tap_failed=0
_cleanups=()

# ok DESCRIPTION COMMAND...: run COMMAND, report its success as one test.
ok() {
	local what=$1
	shift
	_tap_n=$((_tap_n + 1))
	if "$@"; then
		echo "ok $_tap_n - $what"
	else
		echo "not ok $_tap_n - $what"
		_tap_failed=$((_tap_failed + 1))
	fi
}

# pass/fail DESCRIPTION [DETAIL]: report a result decided by the caller.
pass() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1"
}
fail() {
	_tap_n=$((_tap_n + 1))
	echo "not ok $_tap_n - $1"
	[ $# -gt 1 ] && printf '# %s\n' "$2"
	_tap_failed=$((_tap_failed + 1))
}

# skip DESCRIPTION REASON
skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP $2"
}

# skip_all REASON: the whole script cannot run here.
skip_all() {
	skip "$(basename "$0")" "$1"
	exit 0
}

note() { printf '# %s\n' "$*"; }

# at_exit COMMAND: run at exit, last registered first.
at_exit() { _cleanups+=("$*"); }
_run_cleanups() {
	local i
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_cleanups[$i]}" >/dev/null 2>&1 || true
	done
}
trap _run_cleanups EXIT

finish() {
	echo "1..$_tap_n"
	[ "$_tap_failed" -eq 0 ]
	exit $?
}

# require_root: skip the script unless root with loop devices and ext4.
require_live() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root"
	[ -e /dev/loop-control ] || skip_all "no loop devices (/dev/loop-control)"
	grep -qw ext4 /proc/filesystems || skip_all "kernel has no ext4"
	command -v mke2fs >/dev/null || skip_all "mke2fs not installed"
}

# tmpdir: a scratch directory removed at exit.
make_tmpdir() {
	T=$(mktemp -d /tmp/e4errd-test.XXXXXX)
	at_exit "rm -rf '$T'"
}

# mount_image IMAGE MOUNTPOINT [OPTIONS]: loop-mount, unmounted at exit.
mount_image() {
	mkdir -p "$2"
	mount -o "loop,${3:-errors=continue}" "$1" "$2" || return 1
	at_exit "umount -l '$2'"
}

# damaged_dir_image IMAGE: a small ext4 image whose directory /d has its
# first block overwritten; prints the directory's inode number.  Reading
# /d on a mount of it makes the kernel report a real error.
damaged_dir_image() {
	local img=$1 ino blk
	rm -f "$img"
	mke2fs -q -F -t ext4 -b 1024 -O metadata_csum "$img" 8M >/dev/null 2>&1 || return 1
	debugfs -w -R "mkdir d" "$img" >/dev/null 2>&1 || return 1
	ino=$(debugfs -R "stat d" "$img" 2>/dev/null | sed -n 's/^Inode: \([0-9]*\).*/\1/p')
	blk=$(debugfs -R "bmap d 0" "$img" 2>/dev/null)
	[ -n "$ino" ] && [ -n "$blk" ] || return 1
	dd if=/dev/urandom of="$img" bs=1024 seek="$blk" count=1 conv=notrunc status=none
	echo "$ino"
}
