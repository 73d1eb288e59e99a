#!/bin/sh
# tests/integration/fuzz.sh: the fuzzing replay of `make test` (docs/
# RELIABILITY.md, "Fuzzing").  Builds the libFuzzer targets (fuzz/fuzz_*.c,
# ASan+UBSan) in build-fuzz/ and runs each target, once per input, on
#   - every input kept under fuzz/regressions/<target>/ (what exploration
#     found, fixed since),
#   - ../shared/fuzz-finds/<target>-* when ../shared is present (inputs
#     that crashed a target on a fresh clone),
#   - a fresh seed corpus made from the fixtures (fuzz/seed-corpus.sh),
# and fails on any crash, leak or broken invariant.  Nothing is mutated:
# a libFuzzer run with a fixed -seed is still not the same on another
# machine (its comparison tables see addresses and times), and once it
# found a crash in CI that the same tree never hit here.  So `make test`
# replays and exploration is `make fuzz` / `make fuzz-long`; what they
# find is fixed and its input added to fuzz/regressions/<target>/.
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
shared=${FLAKE_SHARED:-$top/../shared}
start=$(date +%s)
make -C "$top" --no-print-directory -k -j2 BIN="$(basename "$bin")" \
	FUZZ_CC="$cc" fuzz-build >"$tmp/make.log" 2>&1 || {
	tail -n 60 "$tmp/make.log"; echo "FAIL: building the fuzz targets"; exit 1; }
sh "$top/fuzz/seed-corpus.sh" "$tmp/seeds" "$bin/flake-collector" \
	>"$tmp/seed.log" 2>&1 || {
	cat "$tmp/seed.log"; echo "FAIL: making the seed corpus"; exit 1; }
if [ -d "$shared/fuzz-finds" ]; then
	echo "replaying $shared/fuzz-finds too"
else
	echo "note: $shared/fuzz-finds is absent (a fresh clone); replaying the project's own inputs only"
fi
fail=0
pids=
for src in "$top"/fuzz/fuzz_*.c; do
	t=$(basename "$src" .c)
	t=${t#fuzz_}
	(
		set --
		for f in "$top"/fuzz/regressions/"$t"/* "$shared"/fuzz-finds/"$t"-*; do
			[ -f "$f" ] && set -- "$@" "$f"
		done
		nfix=$#
		nseed=$(ls "$tmp/seeds/$t" | wc -l)
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
		export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
		# Files are executed once each; a directory with -runs=0 too
		# (libFuzzer takes files or directories, not both at once).
		if [ $# -gt 0 ] && ! "$top/build-fuzz/fuzz_$t" -timeout=10 "$@" \
			>"$tmp/$t.log" 2>&1; then
			tail -n 60 "$tmp/$t.log"
			echo "fuzz_$t: FAILED replaying fuzz/regressions/$t or fuzz-finds"
			exit 1
		fi
		"$top/build-fuzz/fuzz_$t" -runs=0 -timeout=10 \
			-artifact_prefix="$tmp/art-$t-" "$tmp/seeds/$t" \
			>"$tmp/$t.seeds.log" 2>&1 || {
			tail -n 60 "$tmp/$t.seeds.log"
			echo "fuzz_$t: FAILED on its seed corpus"
			exit 1
		}
		echo "fuzz_$t: replayed $nfix kept input(s) and $nseed seed(s), no crash"
	) &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p" || fail=1
done
[ $fail -eq 0 ] || { echo "FAIL: fuzz replay"; exit 1; }
echo "ok: $jobs fuzz targets replayed, no crash ($(( $(date +%s) - start ))s)"
