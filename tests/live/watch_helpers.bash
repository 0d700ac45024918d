# watch_helpers.bash --- running `e4errd watch` in the background for the
# live tests.  Source after lib.sh.  Every wait is bounded: a test never hangs.

# start_watch OUT ERR ARGS...: e4errd watch ARGS in the background, stdout to
# OUT, stderr to ERR; WATCH_PID is its pid (the timeout wrapper's, which
# passes signals on).  Stopped at exit if the test does not stop it.
start_watch() {
	local out=$1 err=$2
	shift 2
	timeout 120 "$E4ERRD" watch "$@" >"$out" 2>"$err" &
	WATCH_PID=$!
	at_exit "kill -TERM $WATCH_PID; wait $WATCH_PID"
}

# stop_watch [SIGNAL]: stop the watcher, WATCH_RC is its exit status.
stop_watch() {
	kill -"${1:-INT}" "$WATCH_PID" 2>/dev/null
	wait "$WATCH_PID"
	WATCH_RC=$?
}

# wait_for FILE STRING [SECONDS]: until a line of FILE holds STRING.
wait_for() {
	local f=$1 s=$2 t=${3:-10} i
	for ((i = 0; i < t * 10; i++)); do
		grep -qF -- "$s" "$f" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# wait_events FILE MOUNTPOINT N [SECONDS]: until FILE (JSON lines) holds N
# events attributed to MOUNTPOINT; prints them.  Other filesystems' events
# (other tests run in parallel) are ignored.
events_of() {
	jq -c --arg m "$2" 'select(.mountpoint == $m)' "$1" 2>/dev/null
}
wait_events() {
	local f=$1 m=$2 n=$3 t=${4:-10} i
	for ((i = 0; i < t * 10; i++)); do
		[ "$(events_of "$f" "$m" | wc -l)" -ge "$n" ] && break
		sleep 0.1
	done
	events_of "$f" "$m"
	[ "$(events_of "$f" "$m" | wc -l)" -ge "$n" ]
}

# fsid_of MOUNTPOINT: statfs() f_fsid as the decoder prints it, val[0]:val[1].
# stat -f %i prints val[0] << 32 | val[1] in hex, without leading zeros.
fsid_of() {
	local v
	v=$(stat -f -c %i "$1") || return 1
	printf '%08x:%08x\n' $(((0x$v >> 32) & 0xffffffff)) $((0x$v & 0xffffffff))
}

# loop_dev MOUNTPOINT: the device mounted there (/dev/loopN).
loop_dev() {
	findmnt -n -o SOURCE --mountpoint "$1"
}

# jfield EVENT KEY: one key of a JSON event, compact (null when absent).
jfield() {
	jq -c --arg k "$2" '.[$k]' <<<"$1"
}

# quietly COMMAND...: COMMAND with its stdout discarded (for use under ok,
# whose own "ok N" line must not be redirected).
quietly() { "$@" >/dev/null; }
