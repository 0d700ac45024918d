#!/bin/bash
# Enrichment on the real kernel: a mainline event gets function, line,
# block, comm and message from ext4's own log line (compared with the
# line read straight from /dev/kmsg), the superblock's error fields are
# read after the error, and a look-alike line written to /dev/kmsg by a
# process (user facility) is ignored.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/live/enrich_helpers.bash"
require_live
require_probe
make_tmpdir

img=$T/img mnt=$T/mnt
ino=$(damaged_dir_image "$img") || skip_all "could not build the test image"
mount_image "$img" "$mnt" || skip_all "could not mount $img"
k=$(kname_of "$mnt")
note "damaged directory inode $ino on $k"

if ! start_probe "$T/out" -c 2 -t 30 "$mnt"; then
	fail "probe ready" "$(cat "$T/out" "$T/out.err")"
	finish
fi
pass "probe ready"

# (a) the damaged directory
ls "$mnt/d" >/dev/null 2>&1
kl=$(kernel_line "$k" "inode #$ino:")
note "kernel: $kl"
# (b) a forged line, as a root process can write it
echo "<2>EXT4-fs error (device $k): forged_func:4242: inode #$ino: comm evil: forged" >/dev/kmsg
fl=$(dd if=/dev/kmsg iflag=nonblock bs=8192 2>/dev/null | grep -a forged_func | tail -1)
note "forged record: $fl"
ok "the forged record has the user facility (pri ${fl%%,*} >> 3 = 1)" \
	test $((${fl%%,*} >> 3)) -eq 1
# (c) an error naming no inode, with a message of ours
msg="enrich-$$-$RANDOM"
echo "$msg" >"/sys/fs/ext4/$k/trigger_fs_error"
tl=$(kernel_line "$k" "$msg")
note "kernel: $tl"
wait_probe 30
ok "probe exits 0" test "$PROBE_RC" -eq 0

r1=$(records "$T/out" | jq -c "select(.event.inode == $ino)" | head -1)
r2=$(records "$T/out" | jq -c 'select(.event != null and .event.inode == null)' | head -1)
note "record: $r1"
note "record: $r2"
if [ -n "$r1" ] && [ -n "$kl" ]; then
	fl1=$(func_line "${kl#*;}")
	ok "damaged dir: function:line equal the kernel's ($fl1)" \
		test "$(jq -r '.objects[0] | "\(.function):\(.line)"' <<<"$r1")" = "$fl1"
	ok "damaged dir: comm ls" test "$(jq -r '.objects[0].comm' <<<"$r1")" = ls
	ok "damaged dir: message is the kernel's" \
		test "$(jq -r '.objects[0].message' <<<"$r1")" = "${kl##*comm ls: }"
	ok "damaged dir: inode from the event and the log" \
		has_sources "$r1" inode event kmsg
	ok "damaged dir: function from the log" has_sources "$r1" function kmsg
	ok "damaged dir: the superblock was read after the error" \
		test "$(jq -r '.superblock.error_count' <<<"$r1")" -ge 1
else
	fail "damaged dir: an enriched record and the kernel's line" "$(cat "$T/out")"
fi
if [ -n "$r2" ] && [ -n "$tl" ]; then
	ok "trigger_fs_error: function:line equal the kernel's ($(func_line "${tl#*;}"))" \
		test "$(jq -r '.objects[0] | "\(.function):\(.line)"' <<<"$r2")" = "$(func_line "${tl#*;}")"
	ok "trigger_fs_error: message is ours" test "$(jq -r '.objects[0].message' <<<"$r2")" = "$msg"
	ok "trigger_fs_error: no inode" test "$(jq -r '.objects[0].inode' <<<"$r2")" = null
	ok "trigger_fs_error: superblock last error is trigger_test_error" \
		test "$(jq -r '.superblock.last_error.function' <<<"$r2")" = trigger_test_error
	ok "trigger_fs_error: superblock counted it" test "$(jq -r '.superblock.counted' <<<"$r2")" = true
	ok "trigger_fs_error: function confirmed by the superblock" \
		has_sources "$r2" function kmsg superblock
else
	fail "trigger_fs_error: an enriched record and the kernel's line" "$(cat "$T/out")"
fi
ok "the forged line matched nothing" \
	test -z "$(records "$T/out" | grep forged_func)"
ok "the forged line was counted as foreign" \
	test "$(jq -r 'select(.kmsg | type == "object") | .kmsg.foreign' "$T/out")" -ge 1
ok "nothing lost" test "$(summary_of "$T/out" | jq -r .lost_reports)" = 0

# (d) a damaged entry without metadata_csum: the kernel names the block
img2=$T/img2 mnt2=$T/mnt2
read -r ino2 blk2 < <(bad_entry_image "$img2") || skip_all "could not build the second image"
mount_image "$img2" "$mnt2" || skip_all "could not mount $img2"
k2=$(kname_of "$mnt2")
if start_probe "$T/out2" -c 1 -t 20 "$mnt2"; then
	ls "$mnt2/d" >/dev/null 2>&1
	bl=$(kernel_line "$k2" "inode #$ino2: block")
	note "kernel: $bl"
	wait_probe 20
	r=$(records "$T/out2" | jq -c "select(.event.inode == $ino2)" | head -1)
	note "record: $r"
	ok "bad entry: the kernel's line names block $blk2" grep -q "block $blk2:" <<<"$bl"
	ok "bad entry: block equals the kernel's" \
		test "$(jq -r '.objects[0].block' <<<"$r")" = "$blk2"
	ok "bad entry: block from the log" has_sources "$r" block kmsg
	ok "bad entry: function:line equal the kernel's" \
		test "$(jq -r '.objects[0] | "\(.function):\(.line)"' <<<"$r")" = "$(func_line "${bl#*;}")"
else
	fail "probe ready (second image)" "$(cat "$T/out2.err")"
fi
finish
