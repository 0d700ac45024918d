#!/bin/bash
# Merged events on the real kernel: `ls d1 d2` from one process with two
# damaged directories gives one event naming d1 with error_count 2; the
# second object (d2) is recovered from ext4's log line.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/live/enrich_helpers.bash"
require_live
require_probe
make_tmpdir

img=$T/img mnt=$T/mnt
read -r ino1 ino2 < <(two_dirs_image "$img") || skip_all "could not build the test image"
[ -n "$ino2" ] || skip_all "could not build the test image"
mount_image "$img" "$mnt" || skip_all "could not mount $img"
k=$(kname_of "$mnt")
note "d1 inode $ino1, d2 inode $ino2 on $k"

# The probe reads nothing for a second: both errors land in one unread event.
if ! start_probe "$T/out" -c 1 -t 30 -p 1000 "$mnt"; then
	fail "probe ready" "$(cat "$T/out.err")"
	finish
fi
ls "$mnt/d1" "$mnt/d2" >/dev/null 2>&1
l2=$(kernel_line "$k" "inode #$ino2:")
note "kernel: $l2"
wait_probe 30
r=$(records "$T/out" | head -1)
note "record: $r"
ok "one record" test "$(records "$T/out" | wc -l)" -eq 1
ok "the event names d1" test "$(jq -r '.event.inode' <<<"$r")" = "$ino1"
ok "the event folded 2 errors" test "$(jq -r '.event.error_count' <<<"$r")" = 2
ok "two objects" test "$(jq -r '.objects | length' <<<"$r")" = 2
ok "the second object is d2" test "$(jq -r '.objects[1].inode' <<<"$r")" = "$ino2"
ok "d2 was recovered from the log" \
	jqtest '.objects[1].sources.inode | index("kmsg") != null and index("event") == null' <<<"$r"
ok "d2's function:line equal the kernel's" \
	test "$(jq -r '.objects[1] | "\(.function):\(.line)"' <<<"$r")" = "$(func_line "${l2#*;}")"
ok "d2's comm is ls, like d1's" \
	test "$(jq -r '[.objects[].comm] | join(",")' <<<"$r")" = "ls,ls"
ok "nothing unrecovered" test "$(jq -r '.unrecovered' <<<"$r")" = 0
ok "nothing lost" test "$(summary_of "$T/out" | jq -r .lost_reports)" = 0
finish
