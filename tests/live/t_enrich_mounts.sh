#!/bin/bash
# Enrichment while mounts change, on the real kernel: remount,abort
# (ESHUTDOWN, no inode) gets the kernel's function and message; a
# filesystem unmounted while its event waits for the superblock finishes
# at once (no hang, no read of a vanished device); the status file the
# loop publishes is what `e4errd status` shows.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/live/enrich_helpers.bash"
require_live
require_probe
make_tmpdir

# (a) remount,abort
img=$T/img mnt=$T/mnt run=$T/run state=$T/state
damaged_dir_image "$img" >/dev/null || skip_all "could not build the test image"
mount_image "$img" "$mnt" || skip_all "could not mount $img"
k=$(kname_of "$mnt")
mkdir -p "$run" "$state"
if ! start_probe "$T/out" -c 1 -t 20 -l 1500 --status "$run/status.json" \
	--state-dir "$state" --spool-dir "$state" "$mnt"; then
	fail "probe ready" "$(cat "$T/out.err")"
	finish
fi
mount -o remount,abort "$mnt"
al=$(kernel_line "$k" "Abort forced by user")
note "kernel: $al"
sleep 1
# The probe still runs (lingering): the status says so.
"$E4ERRD" status --json --run-dir "$run" --state-dir "$state" \
	--spool-dir "$state" >"$T/st.json"
st_rc=$?
"$E4ERRD" status --run-dir "$run" --state-dir "$state" --spool-dir "$state" >"$T/st.txt"
wait_probe 20
r=$(records "$T/out" | head -1)
note "record: $r"
ok "abort: error 108 ESHUTDOWN, no inode" \
	test "$(jq -r '"\(.event.error) \(.event.inode)"' <<<"$r")" = "108 null"
ok "abort: function:line equal the kernel's ($(func_line "${al#*;}"))" \
	test "$(jq -r '.objects[0] | "\(.function):\(.line)"' <<<"$r")" = "$(func_line "${al#*;}")"
ok "abort: message 'Abort forced by user', comm mount" \
	test "$(jq -r '.objects[0] | "\(.message)/\(.comm)"' <<<"$r")" = "Abort forced by user/mount"

note "status: $(head -c 600 "$T/st.json")"
ok "status: exit 0 while the daemon (here the probe) runs" test "$st_rc" -eq 0
ok "status: running" jqtest '.running == true' "$T/st.json"
ok "status: the kernel ABI" jqtest '.daemon.abi == "mainline"' "$T/st.json"
ok "status: the filesystem, in events mode (seen)" \
	jqtest --arg m "$mnt" '.daemon.filesystems[] | select(.mountpoint == $m) |
		.mode == "events" and .mode_reason == "seen"' "$T/st.json"
ok "status: its counter and last error" \
	jqtest --arg m "$mnt" '.daemon.filesystems[] | select(.mountpoint == $m) |
		.errors_count == 1 and .last_error.message == "Abort forced by user"' "$T/st.json"
ok "status: the kernel log is read" jqtest '.daemon.kmsg.reading == true' "$T/st.json"
ok "status: the store's size and events" \
	jqtest '.store.size_bytes > 0 and .store.events == 1' "$T/st.json"
ok "status text: names the mode" grep -q "mode: events" "$T/st.txt"
ok "status text: names the last error" grep -q "Abort forced by user" "$T/st.txt"
"$E4ERRD" status --run-dir "$run" --state-dir "$state" --spool-dir "$state" >"$T/st2.txt"
ok "status: exit 3 once it stopped" test $? -eq 3
ok "status text: not running" grep -q "not running" "$T/st2.txt"
"$E4ERRD" status --bogus >/dev/null 2>&1
ok "status: usage error exits 16" test $? -eq 16

# (b) unmounted while the event waits for its superblock
img2=$T/img2 mnt2=$T/mnt2
damaged_dir_image "$img2" >/dev/null || skip_all "could not build the second image"
mkdir -p "$mnt2"
mount -o loop,errors=continue "$img2" "$mnt2" || skip_all "could not mount $img2"
at_exit "umount -l '$mnt2'"
k2=$(kname_of "$mnt2")
# The probe reads nothing for a second: the error and the unmount are both
# waiting when it looks, so its event finds the filesystem gone.
if start_probe "$T/out2" -c 1 -t 15 -p 1000 "$mnt2"; then
	echo "going away" >"/sys/fs/ext4/$k2/trigger_fs_error"
	umount "$mnt2"
	t0=$EPOCHREALTIME
	wait_probe 20
	r=$(records "$T/out2" | head -1)
	note "record: $r"
	ok "unmounted: the probe saw it go" grep -q '"gone"' "$T/out2"
	ok "unmounted: the record came out" test -n "$r"
	ok "unmounted: with what the log said" \
		test "$(jq -r '.objects[0].message' <<<"$r")" = "going away"
	ok "unmounted: marked as finished early (fs_gone)" \
		test "$(jq -r '.fs_gone' <<<"$r")" = true
	ok "unmounted: the probe exits 0" test "$PROBE_RC" -eq 0
else
	fail "probe ready (unmount)" "$(cat "$T/out2.err")"
fi
finish
