# checks_helpers.bash --- driving lib/checks through tests/tools/checkdrv,
# as the daemon's loop will.  Source after lib.sh and make_tmpdir.  Every
# wait is bounded.

CHECKDRV=$TEST_BUILDDIR/tools/checkdrv

# wait_log FILE STRING [SECONDS]: until FILE holds STRING.
wait_log() {
	local f=$1 s=$2 t=${3:-10} i
	for ((i = 0; i < t * 20; i++)); do
		grep -qF -- "$s" "$f" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# count_log FILE STRING: how many lines hold STRING.
count_log() {
	grep -cF -- "$2" "$1" 2>/dev/null || true
}

# start_drv NAME STATE_DIR [ARGS...]: checkdrv reading the fifo $T/NAME.in,
# writing $T/NAME.out; DRV_PID, DRV_OUT.  Fails unless it says "ready".
start_drv() {
	local name=$1 state=$2
	shift 2
	DRV_IN=$T/$name.in
	DRV_OUT=$T/$name.out
	rm -f "$DRV_IN"
	mkfifo "$DRV_IN"
	"$CHECKDRV" --e4errd "$E4ERRD" --state-dir "$state" "$@" \
		<"$DRV_IN" >"$DRV_OUT" 2>&1 &
	DRV_PID=$!
	exec {DRV_FD}>"$DRV_IN"
	at_exit "kill -KILL $DRV_PID"
	wait_log "$DRV_OUT" ready 10
}

# drv COMMAND...: one command to the driver.
drv() {
	printf '%s\n' "$*" >&"$DRV_FD"
}

# sync_drv [SECONDS]: until the driver handled every command sent so far.
_drv_sync=0
sync_drv() {
	_drv_sync=$((_drv_sync + 1))
	drv "echo sync-$_drv_sync"
	wait_log "$DRV_OUT" "sync-$_drv_sync" "${1:-30}"
}

# stop_drv: "quit", then wait for it (bounded).
stop_drv() {
	local i
	drv quit
	exec {DRV_FD}>&-
	for ((i = 0; i < 200; i++)); do
		kill -0 "$DRV_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$DRV_PID" 2>/dev/null
	wait "$DRV_PID" 2>/dev/null
}

# kill_drv: as a crash would.
kill_drv() {
	kill -KILL "$DRV_PID" 2>/dev/null
	wait "$DRV_PID" 2>/dev/null
	exec {DRV_FD}>&-
}

# all_jobs_json STATE_DIR UUID: the report's jobs of that filesystem,
# newest first; jobs_json: the same without hook runs.
all_jobs_json() {
	"$E4ERRD" report --json --state-dir "$1" --spool-dir "$1" 2>/dev/null |
		jq -c --arg u "$2" '[.filesystems[] | select(.uuid == $u) | .jobs[]]'
}
jobs_json() {
	all_jobs_json "$@" | jq -c '[.[] | select(.kind != "hook")]'
}

# fs_uuid IMAGE
fs_uuid() {
	blkid -o value -s UUID "$1"
}

# clean_image IMAGE: a small ext4 image with a file in it.
clean_image() {
	rm -f "$1"
	mke2fs -q -F -t ext4 -b 1024 "$1" 8M >/dev/null 2>&1 &&
		debugfs -w -R "write /etc/hostname f" "$1" >/dev/null 2>&1
}

quietly() { "$@" >/dev/null 2>&1; }
