# daemon_helpers.bash --- running `e4errd daemon` in the live tests.
# Source after lib.sh and make_tmpdir.  Every wait is bounded.

# daemon_config FILE [KEY=VALUE...]: a [daemon] section with the spool in
# $T/run (never the shared /run/e4errd) and the given settings.
daemon_config() {
	local f=$1 kv
	shift
	mkdir -p "$T/run"
	{
		echo "[daemon]"
		echo "spool_dir = $T/run"
		for kv in "$@"; do
			echo "${kv%%=*} = ${kv#*=}"
		done
	} >"$f"
	chmod 600 "$f"
}

# start_daemon LOG ARGS...: e4errd daemon --foreground ARGS in the
# background, stdout and stderr to LOG; DAEMON_PID is its pid.  Stopped
# at exit if the test does not stop it.
start_daemon() {
	local log=$1
	shift
	"$E4ERRD" daemon --foreground "$@" >"$log" 2>&1 &
	DAEMON_PID=$!
	at_exit "kill -KILL $DAEMON_PID; wait $DAEMON_PID"
}

# stop_daemon [SIGNAL]: DAEMON_RC is its exit status (bounded: 10 s).
stop_daemon() {
	local i
	kill -"${1:-TERM}" "$DAEMON_PID" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID"
	DAEMON_RC=$?
}

# wait_log FILE STRING [SECONDS]: until FILE holds STRING.
wait_log() {
	local f=$1 s=$2 t=${3:-10} i
	for ((i = 0; i < t * 20; i++)); do
		grep -qF -- "$s" "$f" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# report_json STATE_DIR: e4errd report --json on the state directory and
# this test's spool.
report_json() {
	"$E4ERRD" report --json --state-dir "$1" --spool-dir "$T/run" 2>/dev/null
}

# inode_json STATE_DIR MOUNTPOINT INODE: the report's entry for the inode.
inode_json() {
	report_json "$1" | jq -c --arg m "$2" --argjson i "$3" \
		'.filesystems[] | select(.mountpoint == $m) | .inodes[] |
		 select(.inode == $i)' 2>/dev/null
}

# now: seconds since the epoch with microseconds.
now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }'; }

# wait_verdict START STATE_DIR MOUNTPOINT INODE VERDICT SECONDS: until the
# report shows the inode with that verdict, at most SECONDS after START
# (an $EPOCHREALTIME); prints the seconds from START.
wait_verdict() {
	local start=$1 end
	shift
	end=$(awk -v a="$start" -v t="$5" 'BEGIN { printf "%.3f", a + t }')
	while :; do
		if [ "$(inode_json "$1" "$2" "$3" | jq -r .verdict 2>/dev/null)" = "$4" ]; then
			elapsed "$start"
			return 0
		fi
		awk -v e="$end" -v n="$EPOCHREALTIME" 'BEGIN { exit !(n < e) }' || break
		sleep 0.01
	done
	elapsed "$start"
	return 1
}

# kname MOUNTPOINT: the kernel's name of the device mounted there (loop0).
kname() {
	local d
	d=$(findmnt -n -o SOURCE --mountpoint "$1") || return 1
	echo "${d##*/}"
}

# errors_count MOUNTPOINT: the kernel's error counter of that filesystem.
errors_count() { cat "/sys/fs/ext4/$(kname "$1")/errors_count"; }

# quietly COMMAND...: its stdout discarded (as in watch_helpers.bash).
quietly() { "$@" >/dev/null; }

# jqok FILTER [ARGS...] <<<JSON: FILTER holds on a non-empty document (jq
# 1.6 -e exits 0 on empty input: a missing entry would pass).
jqok() {
	local j
	j=$(cat)
	[ -n "$j" ] && jq -e "$@" >/dev/null 2>&1 <<<"$j"
}
