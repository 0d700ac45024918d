#!/bin/bash
# e4errd watch on the real kernel: a damaged directory, a no-inode error
# (trigger_fs_error) and remount,abort, each reported as the kernel sent it.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/live/watch_helpers.bash"
require_live
command -v jq >/dev/null || skip_all "jq not installed"
make_tmpdir

img=$T/img mnt=$T/mnt
ino=$(damaged_dir_image "$img") || skip_all "could not build the test image"
# A generation nobody would pick by chance, to see it come back.
debugfs -w -R "set_inode_field d generation 0x5eed1234" "$img" >/dev/null 2>&1
gen=$(debugfs -R "stat d" "$img" 2>/dev/null | sed -n 's/^Generation: *\([0-9]*\).*/\1/p')
ok "debugfs set the directory's generation" test "$gen" = $((0x5eed1234))
mount_image "$img" "$mnt" || skip_all "could not mount $img"
dev=$(loop_dev "$mnt")
kname=${dev##*/}
fsid=$(fsid_of "$mnt")
note "image on $dev, directory inode $ino generation $gen, fsid $fsid"

start_watch "$T/out" "$T/err" --json "$mnt"
if ! wait_for "$T/err" "watching $mnt (" 10; then
	fail "watcher ready" "$(cat "$T/err")"
	finish
fi
pass "watcher ready"
ok "says which ABI it uses" grep -qE 'using .*(FAN_FS_ERROR|FAN_ERROR)' "$T/err"

# (a) a damaged directory block
ls "$mnt/d" >/dev/null 2>&1
if ev=$(wait_events "$T/out" "$mnt" 1 10 | sed -n 1p) && [ -n "$ev" ]; then
	note "kernel sent: $ev"
	ok "damaged dir: inode is the directory's" test "$(jfield "$ev" inode)" = "$ino"
	ok "damaged dir: generation is the directory's" test "$(jfield "$ev" generation)" = "$gen"
	err=$(jfield "$ev" error) name=$(jfield "$ev" error_name)
	case $err:$name in
	74:'"EFSBADCRC"' | 117:'"EFSCORRUPTED"') pass "damaged dir: error $err named $name" ;;
	*) fail "damaged dir: error is EFSBADCRC or EFSCORRUPTED" "got $err $name" ;;
	esac
	ok "damaged dir: fsid equals statfs() f_fsid ($fsid)" test "$(jfield "$ev" fsid)" = "\"$fsid\""
	ok "damaged dir: error_count 1" test "$(jfield "$ev" error_count)" = 1
	ok "damaged dir: device is $dev" test "$(jfield "$ev" device)" = "\"$dev\""
	ok "damaged dir: abi mainline" test "$(jfield "$ev" abi)" = '"mainline"'
else
	fail "damaged dir: an event arrives" "$(cat "$T/out" "$T/err")"
fi

# (b) an error that names no inode
echo "e4errd live test" >"/sys/fs/ext4/$kname/trigger_fs_error"
if ev=$(wait_events "$T/out" "$mnt" 2 10 | sed -n 2p) && [ -n "$ev" ]; then
	note "kernel sent: $ev"
	ok "trigger_fs_error: no inode" test "$(jfield "$ev" inode)" = null
	ok "trigger_fs_error: no generation" test "$(jfield "$ev" generation)" = null
	ok "trigger_fs_error: error 117 EFSCORRUPTED" \
		test "$(jfield "$ev" error):$(jfield "$ev" error_name)" = '117:"EFSCORRUPTED"'
	ok "trigger_fs_error: same fsid" test "$(jfield "$ev" fsid)" = "\"$fsid\""
else
	fail "trigger_fs_error: an event arrives" "$(cat "$T/out" "$T/err")"
fi

# (c) the filesystem shut down by remount,abort
mount -o remount,abort "$mnt"
if ev=$(wait_events "$T/out" "$mnt" 3 10 | sed -n 3p) && [ -n "$ev" ]; then
	note "kernel sent: $ev"
	ok "abort: error 108 ESHUTDOWN" \
		test "$(jfield "$ev" error):$(jfield "$ev" error_name)" = '108:"ESHUTDOWN"'
	ok "abort: no inode" test "$(jfield "$ev" inode)" = null
else
	fail "abort: an event arrives" "$(cat "$T/out" "$T/err")"
fi
# The watcher re-reads mountinfo after an error: the read-only state shows.
sopts=$(findmnt -n -o FS-OPTIONS --mountpoint "$mnt")
note "super options after abort: $sopts"
if tr , '\n' <<<"$sopts" | grep -qxE 'ro|emergency_ro'; then
	ok "abort: watcher notices the filesystem went read-only" \
		wait_for "$T/err" "$mnt is read-only now" 5
else
	skip "abort: watcher notices the filesystem went read-only" \
		"this kernel shows no read-only state after abort"
fi

stop_watch INT
ok "SIGINT stops the watcher with status 0" test "$WATCH_RC" = 0
ok "and it says so" grep -q 'stopped' "$T/err"
ok "only JSON on stdout" quietly jq -e . "$T/out"

# errors=remount-ro: the filesystem turns emergency_ro with no mount event
# (no POLLPRI); only the re-read after the error event can notice.
mke2fs -q -F -t ext4 "$T/ro.img" 8M >/dev/null 2>&1
mount_image "$T/ro.img" "$T/ro" "errors=remount-ro" || skip_all "could not mount ro.img"
rodev=$(loop_dev "$T/ro")
start_watch "$T/out2" "$T/err2" --json "$T/ro"
if wait_for "$T/err2" "watching $T/ro (" 10; then
	echo "e4errd remount-ro test" >"/sys/fs/ext4/${rodev##*/}/trigger_fs_error"
	ev=$(wait_events "$T/out2" "$T/ro" 1 10 | sed -n 1p)
	note "kernel sent: $ev"
	note "super options now: $(findmnt -n -o FS-OPTIONS --mountpoint "$T/ro")"
	ok "remount-ro: error reported" test "$(jfield "$ev" error)" = 117
	ok "remount-ro: emergency_ro noticed without a mount event" \
		wait_for "$T/err2" "$T/ro is read-only now (emergency_ro after an error)" 5
else
	fail "remount-ro: watcher ready" "$(cat "$T/err2")"
fi
stop_watch TERM
finish
