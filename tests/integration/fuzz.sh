#!/bin/sh
# tests/integration/fuzz.sh: the fuzzing smoke (docs/RELIABILITY.md,
# "Fuzzing").  Builds the libFuzzer targets (fuzz/fuzz_*.c, ASan+UBSan) in
# build-fuzz/, replays every input kept under fuzz/regressions/<target>/,
# then runs each target from fixed seeds (fresh from the fixtures) with a
# fixed seed and FUZZ_RUNS runs (default 4000), all in parallel, and fails
# on any crash, leak or broken invariant: deterministic, so `make test`
# gives the same result every time.  Open-ended exploration is `make fuzz`
# (and `make fuzz-long`); what it finds goes into fuzz/regressions/.
#
# Skipped (exit 77) when clang cannot link -fsanitize=fuzzer (Debian:
# apt-get install clang libclang-rt-14-dev), and on the sanitizer build
# (bin-san): the fuzzers are their own ASan+UBSan build, so once is enough.
set -u
top=${FLAKE_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${FLAKE_BIN:-$top/bin}
cc=${FUZZ_CC:-clang}

case "$bin" in
*-san)
	echo "fuzz smoke runs with the plain build only (the fuzzers are their own ASan+UBSan build)"
	exit 77
	;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cat >"$tmp/t.c" <<'C'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }
C
if ! command -v "$cc" >/dev/null 2>&1 ||
	! "$cc" -fsanitize=fuzzer,address,undefined -o "$tmp/t" "$tmp/t.c" \
		>"$tmp/cc.log" 2>&1; then
	echo "skipped: '$cc -fsanitize=fuzzer,address,undefined' does not link (install clang and libclang-rt-14-dev)"
	exit 77
fi

jobs=$(ls "$top"/fuzz/fuzz_*.c | wc -l)
runs=${FUZZ_RUNS:-4000}
start=$(date +%s)
make -C "$top" --no-print-directory -k -j2 BIN="$(basename "$bin")" \
	FUZZ_CC="$cc" fuzz-build >"$tmp/make.log" 2>&1 || {
	tail -n 60 "$tmp/make.log"; echo "FAIL: building the fuzz targets"; exit 1; }
# Deterministic: fresh seeds made from the project's own fixtures (never
# the corpus an exploration run grew), a fixed seed and a fixed number of
# runs, new inputs kept only in this run's scratch directory.  The same
# tree gives the same executions every time; exploration is `make fuzz`.
sh "$top/fuzz/seed-corpus.sh" "$tmp/seeds" "$bin/flake-collector" >/dev/null 2>&1
fail=0
pids=
for src in "$top"/fuzz/fuzz_*.c; do
	t=$(basename "$src" .c)
	t=${t#fuzz_}
	(
		set -- "$top"/fuzz/regressions/"$t"/*
		if [ -f "$1" ]; then
			ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
			UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
			"$top/build-fuzz/fuzz_$t" "$@" >"$tmp/$t.replay" 2>&1 || {
				tail -n 40 "$tmp/$t.replay"
				echo "fuzz_$t: FAILED replaying fuzz/regressions/$t"
				exit 1
			}
			echo "fuzz_$t: replayed $# regression input(s)"
		fi
		mkdir -p "$tmp/new/$t" "$tmp/seeds/$t" "$tmp/art/$t"
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$top/build-fuzz/fuzz_$t" -seed=1 -runs="$runs" -timeout=10 \
			-artifact_prefix="$tmp/art/$t/" "$tmp/new/$t" "$tmp/seeds/$t" \
			$([ -d "$top/fuzz/regressions/$t" ] && echo "$top/fuzz/regressions/$t") \
			>"$tmp/$t.log" 2>&1 || {
			tail -n 60 "$tmp/$t.log"
			echo "fuzz_$t: CRASH in the fixed-seed smoke (-seed=1 -runs=$runs)"
			exit 1
		}
		echo "fuzz_$t: $runs runs from seed 1, no crash"
	) &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p" || fail=1
done
[ $fail -eq 0 ] || { echo "FAIL: fuzz smoke"; exit 1; }
echo "ok: $jobs fuzz targets, $runs fixed-seed runs each, no crash ($(( $(date +%s) - start ))s)"
