#!/bin/bash
# The daemon with the enrich stage wired in, on the real kernel: `e4errd
# report` shows per inode the function, line, block, comm and message of
# ext4's own log line (compared with the line read straight from
# /dev/kmsg) and where each came from; a process name with an escape
# sequence is shown escaped; trigger_fs_error's text is the message; both
# objects of a merged event (`ls d1 d2`) are in the report; an error that
# sends no event (mballoc) and events dropped by a full queue
# (max_queued_events lowered before the daemon makes its group) are lost
# reports, counted per filesystem with a finding; `e4errd status` shows
# the live daemon; errors made while it was stopped are recorded once.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/live/daemon_helpers.bash"
. "$TEST_SRCDIR/live/enrich_helpers.bash"
require_live
command -v jq >/dev/null || skip_all "jq not installed"
[ -r /dev/kmsg ] || skip_all "/dev/kmsg not readable"
make_tmpdir
grace=12	# E4ERR_LOST_GRACE_MS is 10 s: rises settle after it

ino1=$(damaged_dir_image "$T/img1") || skip_all "could not build image 1"
read -r ino2 blk2 < <(bad_entry_image "$T/img2")
read -r d1 d2 < <(two_dirs_image "$T/img3")
[ -n "$blk2" ] && [ -n "$d2" ] || skip_all "could not build images 2 and 3"
group_error_image "$T/img4" || skip_all "could not build the mballoc image"
damaged_dir_image "$T/img5" >/dev/null || skip_all "could not build image 5"
for i in 1 2 3 4 5; do
	mount_image "$T/img$i" "$T/mnt$i" || skip_all "could not mount $T/img$i"
done
m1=$T/mnt1 m2=$T/mnt2 m3=$T/mnt3 m4=$T/mnt4 m5=$T/mnt5
k1=$(kname "$m1") k2=$(kname "$m2") k3=$(kname "$m3")

# Daemon A watches 1-4; daemon B, with its own spool, watches 5 through a
# group made while max_queued_events is 2.
daemon_config "$T/conf"
start_daemon "$T/log" --config "$T/conf" --state-dir "$T/state" "$m1" "$m2" "$m3" "$m4"
pid_a=$DAEMON_PID
wait_log "$T/log" "ready: 4 filesystems watched" 10 ||
	{ fail "daemon A ready" "$(cat "$T/log")"; finish; }
q=/proc/sys/fs/fanotify/max_queued_events
old_q=$(cat "$q")
at_exit "echo $old_q >$q"
echo 2 >"$q"
mkdir -p "$T/runb"
printf '[daemon]\nspool_dir = %s\n' "$T/runb" >"$T/confb"
chmod 600 "$T/confb"
start_daemon "$T/logb" --config "$T/confb" --state-dir "$T/stateb" "$m5"
pid_b=$DAEMON_PID
wait_log "$T/logb" "ready: 1 filesystem watched" 10
ready_b=$?
echo "$old_q" >"$q"
ok "max_queued_events restored to $old_q" test "$(cat "$q")" = "$old_q"
[ $ready_b = 0 ] || { fail "daemon B ready" "$(cat "$T/logb")"; finish; }
ok "daemon A reads the kernel log" grep -q "reading the kernel log" "$T/log"

# report_b: daemon B's report.
report_b() { "$E4ERRD" report --json --state-dir "$T/stateb" --spool-dir "$T/runb" 2>/dev/null; }
# fs_json MOUNTPOINT: daemon A's report of that filesystem.
fs_json() { report_json "$T/state" | jq -c --arg m "$1" '.filesystems[] | select(.mountpoint == $m)'; }
# wait_inode MOUNTPOINT INODE FILTER: until the report's inode (null: no
# inode) satisfies FILTER (20 s at most: a record waits up to 4 s for the
# superblock, longer on a loaded machine); prints the inode's entry.
wait_inode() {
	local i j
	for ((i = 0; i < 200; i++)); do
		j=$(fs_json "$1" | jq -c --argjson i "$2" '.inodes[] | select(.inode == $i)')
		jqok "$3" <<<"$j" && break
		sleep 0.1
	done
	echo "$j"
}

# ---- (a) a process name with an escape sequence reads a damaged directory
bash -c 'printf "e\033[1m4" >/proc/self/comm; echo "$1"/d/* >/dev/null' _ "$m1" 2>/dev/null
kl=$(kernel_line "$k1" "inode #$ino1:")
note "kernel: $kl"
j=$(wait_inode "$m1" "$ino1" '.sources.function != null')
note "report: $j"
ok "(a) function:line equal the kernel's ($(func_line "${kl#*;}"))" \
	test "$(jq -r '"\(.function):\(.line)"' <<<"$j")" = "$(func_line "${kl#*;}")"
ok "(a) comm is the raw process name" jqok '.comm == "e\u001b[1m4"' <<<"$j"
ok "(a) message is the kernel's" \
	test "$(jq -r .message <<<"$j")" = "${kl##*comm e\\x1b[1m4: }"
ok "(a) sources: inode from the event and the log, function from the log" \
	jqok '(.sources.inode | index("event") and index("kmsg")) and
		(.sources.function | index("kmsg")) and (.sources.comm == ["kmsg"])' <<<"$j"
text=$("$E4ERRD" report --state-dir "$T/state" --spool-dir "$T/run")
note "$(grep -F -A3 "inode $ino1:" <<<"$text" | grep -F 'kernel:' | head -1)"
ok "(a) text report shows the process name escaped" \
	grep -qF 'comm e\x1b[1m4: ' <<<"$text"
ok "(a) text report holds no raw escape byte" \
	test "$(printf '%s' "$text" | tr -dc '\033' | wc -c)" = 0
ok "(a) text report says where fields came from" \
	grep -qE '^    sources: inode event,kmsg(,superblock)?; function kmsg' <<<"$text"

# ---- (b) a bad directory entry: the kernel names the block -------------
ls "$m2/d" >/dev/null 2>&1
bl=$(kernel_line "$k2" "inode #$ino2: block")
note "kernel: $bl"
j=$(wait_inode "$m2" "$ino2" '.block != null')
note "report: $j"
ok "(b) the kernel's line names block $blk2" grep -q "block $blk2:" <<<"$bl"
ok "(b) block equals the kernel's, from the log" \
	jqok --argjson b "$blk2" '.block == $b and (.sources.block | index("kmsg"))' <<<"$j"
ok "(b) function:line equal the kernel's" \
	test "$(jq -r '"\(.function):\(.line)"' <<<"$j")" = "$(func_line "${bl#*;}")"

# ---- (c) trigger_fs_error: the message is ours ---------------------------
msg="daemon-enrich-$$-$RANDOM"
echo "$msg" >"/sys/fs/ext4/$k1/trigger_fs_error"
tl=$(kernel_line "$k1" "$msg")
j=$(wait_inode "$m1" null '.message != null')
note "report: $j"
ok "(c) trigger_fs_error: the no-inode entry carries our text" \
	jqok --arg m "$msg" '.message == $m and (.sources.message == ["kmsg"])' <<<"$j"
ok "(c) function:line equal the kernel's" \
	test "$(jq -r '"\(.function):\(.line)"' <<<"$j")" = "$(func_line "${tl#*;}")"

# ---- (d) a merged event: ls d1 d2 while the daemon reads nothing ---------
kill -STOP "$pid_a"
ls "$m3/d1" "$m3/d2" >/dev/null 2>&1
l2=$(kernel_line "$k3" "inode #$d2:")
kill -CONT "$pid_a"
note "kernel: $l2"
j1=$(wait_inode "$m3" "$d1" '.sources.inode | index("kmsg")')
j2=$(wait_inode "$m3" "$d2" '.sources.inode and .verdict')
note "report d1: $j1"
note "report d2: $j2"
[ -n "$j2" ] || note "daemon log: $(grep -F "$m3" "$T/log" | tail -5)"
ok "(d) one event named d1, folding 2 or more errors" \
	jqok '.events == 1 and .error_count >= 2' <<<"$j1"
ok "(d) d2 is in the report, named by the log, not by an event" \
	jqok '.events == 0 and (.sources.inode | index("kmsg") and (index("event") | not))' <<<"$j2"
ok "(d) d2's function:line equal the kernel's" \
	test "$(jq -r '"\(.function):\(.line)"' <<<"$j2")" = "$(func_line "${l2#*;}")"
ok "(d) d2 was inspected too" jqok '.verdict != null' <<<"$j2"

# ---- (e) lost reports: mballoc, and a queue overflow ---------------------
dd if=/dev/zero of="$m4/f" bs=1k count=50 status=none 2>/dev/null
sync
before=$(errors_count "$m5")
kill -STOP "$pid_b"
for i in 1 2 3 4 5 6; do
	ls "$m5/d" >/dev/null 2>&1	# six processes: six events, unmerged
done
kill -CONT "$pid_b"
after=$(errors_count "$m5")
ok "(e) overflow: six errors counted ($before -> $after)" test $((after - before)) = 6
ok "(e) overflow: the daemon rescans the counters" \
	wait_log "$T/logb" "the event queue overflowed" 5
wait_log "$T/log" "$m4: 1 error(s) counted by the kernel with no event reporting them" $grace
wait_log "$T/logb" "counted by the kernel with no event reporting them" $grace
sleep 1
j=$(fs_json "$m4")
note "mballoc: $(jq -c '{lost_reports, inodes: [.inodes[] | select(.inode == null) | .findings]}' <<<"$j")"
ok "(e) mballoc: lost_reports 1" jqok '.lost_reports == 1' <<<"$j"
ok "(e) mballoc: a lost_reports finding" \
	jqok 'any(.inodes[] | select(.inode == null) | .findings[]; .code == "lost_reports")' <<<"$j"
jb=$(report_b | jq -c --arg m "$m5" '.filesystems[] | select(.mountpoint == $m)')
sb=$("$E4ERRD" status --json --state-dir "$T/stateb" --run-dir "$T/runb" |
	jq -c --arg m "$m5" '.daemon.filesystems[] | select(.mountpoint == $m)')
ev=$(jq -r .reported <<<"$sb")
note "overflow: $ev errors reported by events, lost_reports $(jq -r .lost_reports <<<"$jb")"
ok "(e) overflow: fewer than six errors reported by events ($ev)" test "$ev" -lt 6
ok "(e) overflow: the queue overflow was recorded" grep -q "queue overflow: events lost" "$T/logb"
ok "(e) overflow: lost_reports = 6 - $ev" jqok --argjson n $((6 - ev)) '.lost_reports == $n' <<<"$jb"
m=$("$E4ERRD" report --metrics "$T/b.prom" --state-dir "$T/stateb" --spool-dir "$T/runb" &&
	grep '^e4errd_lost_reports{' "$T/b.prom")
ok "(e) overflow: metric e4errd_lost_reports $((6 - ev))" test "${m##* }" = $((6 - ev))

# ---- (f) e4errd status shows the live daemon -----------------------------
s=$("$E4ERRD" status --json --state-dir "$T/state" --run-dir "$T/run")
ok "(f) status: exit 0 while the daemon runs" test $? = 0
note "status: $(jq -c '.daemon | {abi, kmsg, fs: [.filesystems[] | {mountpoint, mode, mode_reason, lost_reports}]}' <<<"$s")"
ok "(f) status: running, ABI mainline, the kernel log read" \
	jqok '.running and .daemon.abi == "mainline" and .daemon.kmsg.reading' <<<"$s"
ok "(f) status: $m1 in events mode, seen" \
	jqok --arg m "$m1" 'any(.daemon.filesystems[]; .mountpoint == $m and .mode == "events" and .mode_reason == "seen")' <<<"$s"
ok "(f) status: $m4 has lost_reports 1" \
	jqok --arg m "$m4" 'any(.daemon.filesystems[]; .mountpoint == $m and .lost_reports == 1)' <<<"$s"
ok "(f) status B: $m5 has lost_reports $((6 - ev))" \
	jqok --argjson n $((6 - ev)) '.lost_reports == $n and .counted == 6' <<<"$sb"
"$E4ERRD" status --state-dir "$T/state" --run-dir "$T/run" >"$T/status.txt"
ok "(f) status text names the mode" grep -q "mode: events" "$T/status.txt"
DAEMON_PID=$pid_b stop_daemon TERM
ok "daemon B stops with status 0" test "$DAEMON_RC" = 0

# ---- (g) errors while the daemon is stopped: recorded once ---------------
DAEMON_PID=$pid_a stop_daemon TERM
ok "daemon A stops with status 0" test "$DAEMON_RC" = 0
"$E4ERRD" status --state-dir "$T/state" --run-dir "$T/run" >/dev/null 2>&1
ok "(g) status: exit 3 once it stopped (status file removed)" test $? = 3
echo "while stopped" >"/sys/fs/ext4/$k1/trigger_fs_error"
start_daemon "$T/log2" --config "$T/conf" --state-dir "$T/state" "$m1" "$m2" "$m3" "$m4"
wait_log "$T/log2" "ready: 4 filesystems watched" 10 || fail "restarted daemon ready" "$(cat "$T/log2")"
ok "(g) the error made while stopped is recorded at start" \
	wait_log "$T/log2" "$m1: 1 error(s) counted by the kernel with no event recorded" 5
ok "(g) and nothing else" test "$(grep -c "counted by the kernel" "$T/log2")" = 1
stop_daemon TERM
start_daemon "$T/log3" --config "$T/conf" --state-dir "$T/state" "$m1" "$m2" "$m3" "$m4"
wait_log "$T/log3" "ready: 4 filesystems watched" 10 || fail "daemon ready a third time" "$(cat "$T/log3")"
sleep 0.3
ok "(g) not again at the next start" test "$(grep -c "counted by the kernel" "$T/log3")" = 0
j=$(fs_json "$m4")
ok "(g) lost_reports kept across restarts" jqok '.lost_reports == 1' <<<"$j"

# ---- (h) a loop device reused by a filesystem not watched ---------------
# $m2 goes away; its device, attached to another image mounted elsewhere,
# logs an error: that line is not $m2's.
dev2=$(findmnt -n -o SOURCE --mountpoint "$m2")
mke2fs -q -F -t ext4 -b 1024 "$T/other.img" 8M >/dev/null 2>&1
umount "$m2"
wait_log "$T/log3" "$m2 was unmounted" 5
if losetup "$dev2" "$T/other.img" 2>/dev/null &&
   mkdir -p "$T/other" && mount -o errors=continue "$dev2" "$T/other"; then
	at_exit "umount -l '$T/other'; losetup -d '$dev2'"
	msg2="not-ours-$$-$RANDOM"
	echo "$msg2" >"/sys/fs/ext4/$k2/trigger_fs_error"
	note "kernel: $(kernel_line "$k2" "$msg2")"
	sleep 6		# a line no event claims comes out after 5 s
	ok "(h) the other filesystem's line is not taken for $m2's" \
		test "$(grep -c "$msg2" "$T/log3")" = 0
	ok "(h) nor recorded" test -z "$(report_json "$T/state" | grep -F "$msg2")"
else
	skip "(h) a loop device reused" "$dev2 was taken meanwhile"
fi
stop_daemon TERM
finish
