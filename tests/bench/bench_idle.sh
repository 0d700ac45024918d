#!/bin/bash
# bench_idle.sh --- what `e4errd daemon` costs while nothing happens, and
# its memory before and after 10,000 distinct error events.
#
# Idle: the daemon watches one loop mount, in a mount namespace of its own
# (mounts made elsewhere on this machine would otherwise wake it, rightly,
# to re-read the mount table).  Over BENCH_IDLE_SECONDS (default 60) it
# must use no CPU time and never wake: CPU time from /proc/PID/schedstat
# (nanoseconds on a CPU; /proc/PID/stat counts in 10 ms ticks), wake-ups
# as voluntary + involuntary context switches from /proc/PID/status, and,
# when strace is installed, the system calls it makes (the one poll() it
# sleeps in is resumed as restart_syscall when strace attaches: not
# counted); strace runs over a second window of its own, since each system
# call it stops costs the process two context switches.  Wake-ups are
# the returns from the poll() the daemon sleeps in.  Target: none of each.  The kernel log is not namespaced: the
# daemon reads /dev/kmsg (kernel facility lines complete ext4 events), so
# a kernel log line from anything on the machine wakes it, rightly; the
# records the kernel logged during the window are counted and shown next
# to the wake-ups (on a quiet machine there are none).
#
# Memory: VmRSS after the daemon is ready, then after 10,000 distinct
# (filesystem, inode) events: stat(2) of 10,000 files whose inode
# checksums were spoiled with debugfs, each from a process of its own (the
# kernel folds unread errors of one process into one event), four at a
# time.  Each event is recorded; inspections are asked for, at most 64
# wait per filesystem and the rest are dropped (logged), as in any flood.
# RSS is read once every event is recorded and the log has been quiet for
# a second; VmHWM is the peak.
#
# Needs root, loop devices, mke2fs and debugfs; says why and prints no
# rows otherwise.  BENCH_DIR (default /var/tmp) holds the image and state.
set -u
: "${E4ERRD:?}" "${TEST_SRCDIR:?}"
. "$TEST_SRCDIR/bench/live_helpers.bash"
secs=${BENCH_IDLE_SECONDS:-60}
nev=${BENCH_IDLE_EVENTS:-10000}

if [ "$(id -u)" -ne 0 ] || [ ! -e /dev/loop-control ] ||
   ! command -v debugfs >/dev/null; then
	echo "idle and memory not measured: needs root, loop devices and debugfs"
	exit 0
fi
dir=$(mktemp -d "${BENCH_DIR:-/var/tmp}/e4errd-bench-idle.XXXXXX") || exit 1
mnt=$dir/mnt
pid=
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null && wait "$pid"
	mountpoint -q "$mnt" && umount "$mnt"
	rm -rf "$dir"
}
trap cleanup EXIT

mkdir -p "$dir/src/b" "$dir/state" "$dir/run" "$mnt"
for ((i = 0; i < nev; i++)); do
	: >"$dir/src/b/f$i"
done
mke2fs -q -F -t ext4 -b 1024 -N $((nev + 300)) -O metadata_csum \
	-d "$dir/src" "$dir/img" 32M >/dev/null 2>&1 || { echo "mke2fs failed"; exit 1; }
debugfs -R "ls -p /b" "$dir/img" 2>/dev/null |
	awk -F/ '$6 ~ /^f[0-9]+$/ { printf "sif <%s> checksum 0xbad\n", $2 }' |
	debugfs -w -f - "$dir/img" >/dev/null 2>&1
mount -o loop,errors=continue "$dir/img" "$mnt" || { echo "cannot mount $dir/img"; exit 1; }

printf '[daemon]\nspool_dir = %s\n' "$dir/run" >"$dir/conf"
# own_mountns execs all along: $pid is the daemon itself.
(own_mountns "$mnt" "$E4ERRD" daemon --foreground --config "$dir/conf" \
	--state-dir "$dir/state" "$mnt") >"$dir/log" 2>&1 &
pid=$!
for ((i = 0; i < 200; i++)); do
	grep -q "ready: 1 filesystem watched" "$dir/log" && break
	sleep 0.05
done
grep -q "ready: 1 filesystem watched" "$dir/log" || {
	echo "the daemon did not start:"; tail -n 5 "$dir/log"; exit 1; }

status_kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$pid/status"; }
switches() {
	awk '/^(non)?voluntary_ctxt_switches:/ { s += $2 } END { print s }' \
		"/proc/$pid/status"
}
cpu_ns() { awk '{ print $1 }' "/proc/$pid/schedstat"; }
# kmsg_seq: the sequence number of the newest kernel log record.
kmsg_seq() {
	timeout 0.5 cat /dev/kmsg 2>/dev/null | tail -n 1 | cut -d, -f2 | tr -dc 0-9
}
ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat"; }

# --- idle --------------------------------------------------------------------
# First the counters alone (strace would add two context switches per
# system call it stops), then strace for a second window of the same length.
sleep 1
rss_start=$(status_kb VmRSS)
verdict() { [ "$1" -eq 0 ] && echo "none: met" || echo "none: MISSED"; }
per_line() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }'
}
m0=$(kmsg_seq)
c0=$(cpu_ns) s0=$(switches) k0=$(ticks)
sleep "$secs"
c1=$(cpu_ns) s1=$(switches) k1=$(ticks)
m1=$(kmsg_seq)
klines=$(( ${m1:-0} - ${m0:-0} ))
cpu_us=$(( (c1 - c0) / 1000 ))
wakeups=$((s1 - s0))
echo "idle daemon, ${secs} s: CPU time | ${cpu_us} us ($((k1 - k0)) ticks) | $klines kernel log records in the window | - | $(verdict "$cpu_us")"
echo "idle daemon, ${secs} s: context switches | $wakeups | $klines kernel log records in the window | $(per_line "$wakeups" "$klines") | $(verdict "$wakeups")"
if command -v strace >/dev/null; then
	m0=$(kmsg_seq)
	timeout "$secs" strace -f -qq -p "$pid" -e 'trace=!restart_syscall' \
		-o "$dir/strace"
	m1=$(kmsg_seq)
	klines=$(( ${m1:-0} - ${m0:-0} ))
	calls=$(wc -l <"$dir/strace")
	polls=$(grep -c ' poll(' "$dir/strace")
	echo "idle daemon, ${secs} s (strace): wake-ups (poll returns) | $polls | $klines kernel log records in the window | $(per_line "$polls" "$klines") | $(verdict "$polls")"
	echo "idle daemon, ${secs} s (strace): system calls | $calls | $klines kernel log records in the window | $(per_line "$calls" "$klines") | $(verdict "$calls")"
	[ "$calls" -gt 0 ] && echo "idle: system calls seen, by name: $(sed -n 's/^[0-9]* *\([a-z_0-9]*\)(.*/\1/p' "$dir/strace" | sort | uniq -c | sort -rn | head -8 | tr -s ' \n' ' ')"
else
	echo "idle: strace not installed, wake-ups and system calls not counted"
fi

# --- memory ------------------------------------------------------------------
recorded() {
	grep -o "recorded [0-9]* events\? on " "$dir/log" |
		awk '{ s += $2 } END { print s + 0 }'
}
ls "$mnt/b" | sed "s|^|$mnt/b/|" | xargs -d '\n' -n 1 -P 4 stat >/dev/null 2>&1
end=$((SECONDS + 120))
while [ "$(recorded)" -lt "$nev" ] && [ $SECONDS -lt $end ]; do
	sleep 0.2
done
got=$(recorded)
# Quiet: no log line for a second (the inspection queue drained).
last=-1
while [ $SECONDS -lt $end ]; do
	n=$(wc -l <"$dir/log")
	[ "$n" -eq "$last" ] && break
	last=$n
	sleep 1
done
rss_after=$(status_kb VmRSS) hwm=$(status_kb VmHWM)
kill -TERM "$pid"
wait "$pid"
pid=
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
echo "daemon RSS after start | $(mib "$rss_start") | - | - | -"
echo "daemon RSS after $got distinct events | $(mib "$rss_after") | after start $(mib "$rss_start") | $(awk -v a="$rss_after" -v b="$rss_start" 'BEGIN { printf "%.2f", a / b }') | -"
echo "daemon peak RSS (VmHWM) over $got events | $(mib "$hwm") | after start $(mib "$rss_start") | $(awk -v a="$hwm" -v b="$rss_start" 'BEGIN { printf "%.2f", a / b }') | -"
own_mountns_note
echo "memory: $got of $nev events recorded in $(grep -c "recorded [0-9]* event" "$dir/log") reads," \
	"$(grep -c "inspected " "$dir/log") inspected (the rest dropped by the bounded queue)"
[ "$got" -eq "$nev" ]
