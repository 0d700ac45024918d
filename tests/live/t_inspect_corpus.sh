#!/bin/bash
# t_inspect_corpus.sh --- every damaged image of tests/images/cases, inspected
# unmounted and while loop-mounted, with e2fsck -fn on the same image beside
# it: wherever the inspector says confirmed, e2fsck must report a problem.
#
# The mounted run mounts the healthy image and then writes the bytes the
# damage changed onto the loop device, so damage that would stop a mount
# (a bad descriptor checksum) is there while the filesystem is mounted.
# INSPECT_CASES="a b" runs only those cases.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/images/lib.sh"

require_live
command -v jq >/dev/null || skip_all "jq not installed"
command -v debugfs >/dev/null || skip_all "debugfs not installed"
make_tmpdir

# Everything the expect file says, in shell variables.
read_expect() {
	local key rest
	X_ARGS="" X_VERDICT="" X_CODES="none" X_RELATED="" X_MOUNTED=yes X_E2FSCK=""
	X_MOUNTED_SB=no
	X_JQ=()
	while read -r key rest; do
		case $key in
		'' | '#'*) ;;
		args) X_ARGS=$rest ;;
		verdict) X_VERDICT=$rest ;;
		codes) X_CODES=$rest ;;
		related) X_RELATED=$rest ;;
		jq) X_JQ+=("$rest") ;;
		mounted) X_MOUNTED=$rest ;;
		mounted-superblock) X_MOUNTED_SB=$rest ;;
		e2fsck) X_E2FSCK=$rest ;;
		*) echo "unknown directive '$key'" >&2; return 1 ;;
		esac
	done <"$1"
}

# subst STRING VARSFILE: @NAME@ replaced by its setvar value.
subst() {
	local s=$1 name value
	while IFS='=' read -r name value; do
		s=${s//@$name@/$value}
	done <"$2"
	echo "$s"
}

build_case() {
	local dir=$1 work=$2
	(
		VARS=$work/vars
		: >"$VARS"
		# shellcheck disable=SC1091
		. "$dir/build" || exit 1
		IMG=$work/healthy.img setup || exit 1
		cp --sparse=always "$work/healthy.img" "$work/damaged.img"
		IMG=$work/damaged.img damage || exit 1
	)
}

# Why the JSON result differs from the expectation, or nothing.
mismatch() {
	local json=$1 rc=$2 want_rc got f expr want
	got=$(jq -r .verdict <<<"$json")
	[ "$got" = "$X_VERDICT" ] || { echo "verdict $got, expected $X_VERDICT"; return; }
	case $X_VERDICT in
	confirmed) want_rc=4 ;;
	inconclusive) want_rc=8 ;;
	*) want_rc=0 ;;
	esac
	got=$(jq -r '[.findings[] | select(.damage) | .code] | unique | join(" ")' <<<"$json")
	[ -n "$got" ] || got=none
	want=$(tr ' ' '\n' <<<"$X_CODES" | sort -u | paste -sd' ')
	[ "$got" = "$want" ] || { echo "codes '$got', expected '$want'"; return; }
	[ "$want" = none ] || want_rc=4
	[ "$rc" -eq "$want_rc" ] || { echo "exit status $rc, expected $want_rc"; return; }
	for f in $X_RELATED; do
		jq -e --arg c "$f" 'any(.findings[]; .code == $c and .related)' \
			<<<"$json" >/dev/null || { echo "$f not related"; return; }
	done
	for expr in "${X_JQ[@]+"${X_JQ[@]}"}"; do
		want=${expr##* }
		got=$(jq -r "${expr% *}" <<<"$json")
		[ "$got" = "$want" ] || { echo "jq ${expr% *}: '$got', expected '$want'"; return; }
	done
}

summary() {
	jq -r '.verdict + " [" + ([.findings[] | select(.damage) | .code] | unique | join(",")) + "]"' <<<"$1"
}

# Write onto DEV the bytes where IMG_A and IMG_B differ, as runs.  The
# primary superblock is left out unless the case damages it on purpose:
# the mount rewrote it, and a mix of the two would fail its checksum.
apply_diff() {
	local a=$1 b=$2 dev=$3 keep_sb=$4 start len
	cmp -l "$a" "$b" | awk -v keep_sb="$keep_sb" '
		{ off = $1 - 1
		  if (keep_sb != "yes" && off >= 1024 && off < 2048) next
		  if (n && off == s + n) { n++; next }
		  if (n) print s, n
		  s = off; n = 1 }
		END { if (n) print s, n }' |
	while read -r start len; do
		dd if="$b" of="$dev" bs=65536 iflag=skip_bytes,count_bytes \
			oflag=seek_bytes skip="$start" seek="$start" count="$len" \
			conv=notrunc status=none || return 1
	done
}

run_unmounted() {
	local name=$1 work=$2 args=$3 json rc why e2rc
	# shellcheck disable=SC2086
	json=$("$E4ERRD" inspect --json $args "$work/damaged.img")
	rc=$?
	why=$(mismatch "$json" "$rc")
	if [ -z "$why" ]; then
		pass "$name: unmounted: $(summary "$json")"
	else
		fail "$name: unmounted" "$why; got: $json"
	fi
	e2fsck -fn "$work/damaged.img" >"$work/e2fsck.out" 2>&1
	e2rc=$?
	note "$(printf '%-28s inspect: %-44s e2fsck -fn: exit %d' "$name" \
		"$(summary "$json") exit $rc" "$e2rc")"
	if [ "$(jq -r .verdict <<<"$json")" = confirmed ]; then
		if [ $((e2rc & 4)) -ne 0 ]; then
			pass "$name: e2fsck -fn agrees (exit $e2rc)"
		else
			fail "$name: e2fsck -fn agrees" "inspect confirmed, e2fsck exit $e2rc: $(head -c 600 "$work/e2fsck.out")"
		fi
	elif [ "$X_E2FSCK" = clean ]; then
		ok "$name: e2fsck -fn finds nothing either (exit $e2rc)" test "$e2rc" -eq 0
	fi
}

run_mounted() {
	local name=$1 work=$2 args=$3 mnt=$work/mnt dev json rc why
	cp --sparse=always "$work/healthy.img" "$work/mounted.img"
	mkdir -p "$mnt"
	at_exit "umount -l '$mnt'"
	if ! mount -o loop,errors=continue,noinit_itable "$work/mounted.img" "$mnt" 2>"$work/mount.err"; then
		fail "$name: mounted" "mount failed: $(cat "$work/mount.err")"
		return
	fi
	dev=$(findmnt -no SOURCE "$mnt")
	if ! apply_diff "$work/healthy.img" "$work/damaged.img" "$dev" "$X_MOUNTED_SB"; then
		fail "$name: mounted" "could not write the damage to $dev"
	else
		# shellcheck disable=SC2086
		json=$("$E4ERRD" inspect --json $args "$mnt")
		rc=$?
		why=$(mismatch "$json" "$rc")
		if [ -z "$why" ]; then
			pass "$name: mounted: $(summary "$json")"
		else
			fail "$name: mounted" "$why; got: $json"
		fi
	fi
	umount "$mnt" 2>/dev/null || umount -l "$mnt"
}

cases=()
for d in "$TEST_SRCDIR"/images/cases/*/; do
	name=$(basename "$d")
	if [ -n "${INSPECT_CASES:-}" ] && [[ " $INSPECT_CASES " != *" $name "* ]]; then
		continue
	fi
	cases+=("$name")
done
[ ${#cases[@]} -gt 0 ] || skip_all "no corpus case selected"

for name in "${cases[@]}"; do
	dir=$TEST_SRCDIR/images/cases/$name
	work=$T/$name
	mkdir -p "$work"
	if ! build_case "$dir" "$work" >"$work/build.log" 2>&1; then
		fail "$name: build" "$(tail -5 "$work/build.log")"
		continue
	fi
	subst "$(cat "$dir/expect")" "$work/vars" >"$work/expect"
	if ! read_expect "$work/expect" 2>"$work/expect.err"; then
		fail "$name: expect file" "$(cat "$work/expect.err")"
		continue
	fi
	args=$X_ARGS
	run_unmounted "$name" "$work" "$args"
	case $X_MOUNTED in
	no) ;;
	*) run_mounted "$name" "$work" "$args" ;;
	esac
	rm -f "$work"/*.img
done
finish
