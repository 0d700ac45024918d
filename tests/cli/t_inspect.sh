#!/bin/bash
# t_inspect.sh --- `e4errd inspect` as a command: options, usage errors,
# exit statuses and the JSON keys, on image files (no root needed).
. "$TEST_SRCDIR/lib.sh"

command -v mke2fs >/dev/null || skip_all "mke2fs not installed"
command -v jq >/dev/null || skip_all "jq not installed"
make_tmpdir

"$E4ERRD" inspect --help >"$T/help" 2>&1
ok "--help exits 0" test $? -eq 0
ok "--help names the exit statuses" grep -q "4 damage found" "$T/help"
"$E4ERRD" inspect --version >/dev/null 2>&1
ok "--version exits 0" test $? -eq 0

usage() {
	"$E4ERRD" inspect "$@" >/dev/null 2>"$T/err"
	[ $? -eq 16 ] && grep -q "e4errd" "$T/err"
}
ok "no argument: usage error 16" usage
ok "two arguments: usage error 16" usage a b
ok "--generation without --inode: usage error 16" usage --generation 3 "$T"
ok "a bad inode number: usage error 16" usage --inode 12x "$T"
ok "inode 0: usage error 16" usage --inode 0 "$T"
ok "a negative block: usage error 16" usage --block -1 "$T"
ok "an unknown option: usage error 16" usage --frobnicate "$T"
ok "a character device: usage error 16" usage /dev/null

mke2fs -q -F -t ext4 -b 1024 "$T/img" 8M >/dev/null 2>&1 || skip_all "mke2fs failed"
json=$("$E4ERRD" inspect --json --inode 2 --block 2 "$T/img")
rc=$?
ok "a healthy image: exit 0" test "$rc" -eq 0
ok "the JSON has exactly the documented keys" test \
	"$(jq -c 'keys_unsorted' <<<"$json")" = \
	'["device","uuid","mountpoint","superblock","inode","block","findings","verdict","reason","truncated"]'
ok "a healthy image: no findings" test \
	"$(jq -c '[.findings[] | keys_unsorted] | unique' <<<"$json")" = '[]'
ok "a healthy image: not confirmed, no mount point" test \
	"$(jq -r '.verdict + " " + (.mountpoint | tostring)' <<<"$json")" = "not_confirmed null"
ok "block 2 of a 1 KiB filesystem holds the group descriptors" test \
	"$(jq -r .block.kind <<<"$json")" = group_descriptors
ok "the root inode is a directory in use" test \
	"$(jq -r '.inode.type + " " + (.inode.in_use | tostring)' <<<"$json")" = "directory true"

# Damage the root directory's block: damage found, exit 4.
blk=$(debugfs -R "bmap <2> 0" "$T/img" 2>/dev/null)
dd if=/dev/zero of="$T/img" bs=1024 seek="$blk" count=1 conv=notrunc status=none
json=$("$E4ERRD" inspect --json --inode 2 "$T/img")
rc=$?
ok "a damaged root directory: exit 4" test "$rc" -eq 4
ok "a damaged root directory: confirmed" test "$(jq -r .verdict <<<"$json")" = confirmed
ok "each finding has code, object, message, errcode, related, damage" test \
	"$(jq -c '[.findings[] | keys_unsorted] | unique' <<<"$json")" = \
	'[["code","object","message","errcode","related","damage"]]'
"$E4ERRD" inspect --inode 2 "$T/img" >"$T/text"
ok "the text form names the verdict" grep -q '^verdict: *confirmed' "$T/text"

"$E4ERRD" inspect --json --inode 2 "$T/missing.img" >"$T/missing" 2>/dev/null
ok "a missing image: exit 8" test $? -eq 8
ok "a missing image: inconclusive" test "$(jq -r .verdict "$T/missing")" = inconclusive
head -c 1M /dev/zero >"$T/zero"
"$E4ERRD" inspect --json "$T/zero" >"$T/zero.json"
ok "no filesystem: exit 8" test $? -eq 8
ok "no filesystem: the reason says so" grep -q 'no ext2/ext3/ext4' "$T/zero.json"
finish
