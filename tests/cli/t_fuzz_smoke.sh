#!/bin/bash
# t_fuzz_smoke.sh --- every fuzz target already built (make -C tests
# fuzz-build) runs each input of its committed seed corpus once: no
# fuzzing, no building, a few seconds.  The seeds hold every malformation
# the decoders warn about, under ASan and UBSan.  With FUZZ_SMOKE_TIME set
# (make check-sanitize sets it) each target is then fuzzed for that many
# seconds through fuzz/run-fuzz, so the sanitizer pass fuzzes every parser.
. "$TEST_SRCDIR/lib.sh"

bins=()
for b in "$TEST_BUILDDIR"/fuzz/fuzz_*; do
	[ -f "$b" ] && [ -x "$b" ] && bins+=("$b")
done
if [ ${#bins[@]} -eq 0 ]; then
	if command -v clang >/dev/null; then
		skip_all "no fuzz targets built (run: make -C tests fuzz-build)"
	fi
	skip_all "clang with libFuzzer not installed"
fi

for bin in "${bins[@]}"; do
	name=$(basename "$bin")
	seeds="$TEST_SRCDIR/fuzz/corpus/$name"
	files=()
	[ -d "$seeds" ] && mapfile -t files < <(find "$seeds" -type f | sort)
	if [ ${#files[@]} -eq 0 ]; then
		fail "$name has a seed corpus" "nothing in $seeds"
		continue
	fi
	if out=$("$bin" -timeout=10 "${files[@]}" 2>&1); then
		pass "$name runs its ${#files[@]} seeds cleanly"
	else
		fail "$name runs its ${#files[@]} seeds cleanly" \
			"$(printf '%s\n' "$out" | grep -v '^Running\|^Executed' | tail -5)"
	fi
	if [ "${FUZZ_SMOKE_TIME:-0}" -gt 0 ]; then
		if out=$(FUZZ_TIME=$FUZZ_SMOKE_TIME bash "$TEST_SRCDIR/fuzz/run-fuzz" "$bin" 2>&1); then
			pass "$name fuzzed for ${FUZZ_SMOKE_TIME}s without a crash"
			printf '%s\n' "$out" | grep -i "runs\|exec" | tail -2 | sed 's/^/# /'
		else
			fail "$name fuzzed for ${FUZZ_SMOKE_TIME}s without a crash" \
				"$(printf '%s\n' "$out" | tail -8)"
		fi
	fi
done
finish
