# live_helpers.bash --- shared by the live benchmarks (sourced; run-bench
# runs only *.sh and bench_* programs, so this file is not a benchmark).

# own_mountns KEEP COMMAND...: exec COMMAND in a mount namespace of its own
# (private propagation), after lazily unmounting there -- and only there --
# the copies of other mounts under /tmp and /var/tmp, except KEEP and the
# mounts KEEP lies on.  Mounts made or removed elsewhere then never reach
# it: on a machine shared with running tests, a test removing its mount
# point detaches the copy in every namespace, which the daemon rightly
# wakes up to look at.  Without unshare, COMMAND runs as is.  The process
# keeps its pid (exec all along).
own_mountns() {
	local keep=$1
	shift
	if ! command -v unshare >/dev/null; then
		exec "$@"
	fi
	exec unshare -m --propagation private bash -c '
		keep=$1
		shift
		findmnt -rn -o TARGET | grep -E "^/(var/)?tmp/" | grep -vxF "$keep" |
			sort -r | while read -r m; do
				case $keep in "$m"/*) continue ;; esac
				umount -l "$m" 2>/dev/null
			done
		exec "$@"' own_mountns "$keep" "$@"
}

# own_mountns_note: says how the daemon was isolated, for the notes.
own_mountns_note() {
	if command -v unshare >/dev/null; then
		echo "daemon in a private mount namespace (other tests' mounts under /tmp detached there)"
	else
		echo "unshare missing: the daemon sees every mount change on this machine"
	fi
}
