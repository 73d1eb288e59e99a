#!/bin/sh
# tests/integration/fuzz.sh: the fuzzing smoke (docs/RELIABILITY.md,
# "Fuzzing").  Builds the libFuzzer targets (fuzz/fuzz_*.c, ASan+UBSan) in
# build-fuzz/, replays every input kept under fuzz/regressions/<target>/,
# then fuzzes each target for FUZZ_SECONDS (default 5), all in parallel, and
# fails on any crash, leak or broken invariant.
#
# Skipped (exit 77) when clang cannot link -fsanitize=fuzzer (Debian:
# apt-get install clang libclang-rt-14-dev), and on the sanitizer build
# (bin-san): the fuzzers are their own ASan+UBSan build, so once is enough.
set -u
top=${FLAKE_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${FLAKE_BIN:-$top/bin}
cc=${FUZZ_CC:-clang}
secs=${FUZZ_SECONDS:-5}

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
start=$(date +%s)
make -C "$top" --no-print-directory -k -j"$jobs" --output-sync=target \
	BIN="$(basename "$bin")" FUZZ_CC="$cc" FUZZ_SECONDS="$secs" fuzz \
	>"$tmp/make.log" 2>&1
rc=$?
grep -E '^fuzz_[a-z_]+: ' "$tmp/make.log"
if [ $rc -ne 0 ]; then
	tail -n 80 "$tmp/make.log"
	echo "FAIL: make fuzz exited $rc"
	exit 1
fi
ran=$(grep -cE '^fuzz_[a-z_]+: [0-9]+ executions' "$tmp/make.log")
if [ "$ran" -ne "$jobs" ]; then
	echo "FAIL: $ran of $jobs fuzz targets reported executions"
	exit 1
fi
echo "ok: $jobs fuzz targets, ${secs}s each, no crash ($(( $(date +%s) - start ))s)"
