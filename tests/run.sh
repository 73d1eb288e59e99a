#!/bin/sh
# tests/run.sh: runs every test -- the C unit tests (bin/tests/test_*), and
# the scripts in tests/integration/*.sh -- and closes with one line
# "N passed, N failed, N skipped".  A script that exits 77 was skipped
# (it prints why: e.g. ../shared is absent on a user's fresh clone).
#
# Environment: BINS (the builds to test, default "bin"; bin-san is the
# ASan+UBSan build), TESTS (a space-separated subset of test names, e.g.
# "integration/detmod", optional).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
BINS=${BINS:-bin}
export FLAKE_TOP="$top"
# Tests never talk to the real GitHub or reporter, whatever CI exports.
unset GITHUB_TOKEN FLAKE_TOKEN FLAKE_GITHUB_TOKEN GITHUB_ACTIONS \
	GITHUB_STEP_SUMMARY GITHUB_OUTPUT GITHUB_EVENT_PATH GITHUB_API_URL
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
out="$top/tests/out"
rm -rf "$out"
mkdir -p "$out/unit" "$out/integration"
pass=0 fail=0 skip=0 failed_names=""

run_one() {
	name=$1
	shift
	case " ${TESTS:-$name} " in
	*" $name "*) ;;
	*) return ;;
	esac
	name="$BIN/$name"
	start=$(date +%s)
	mkdir -p "$(dirname "$out/$name.log")"
	"$@" >"$out/$name.log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1))
		echo "ok      $name (${secs}s)"
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1))
		echo "skip    $name: $(tail -n 1 "$out/$name.log")"
	else
		fail=$((fail + 1))
		failed_names="$failed_names $name"
		echo "FAIL    $name (exit $rc, ${secs}s); last lines of $out/$name.log:"
		tail -n 25 "$out/$name.log" | sed 's/^/        /'
	fi
}

for BIN in $BINS; do
	[ -x "$top/$BIN/flake-collector" ] || { echo "no $BIN/flake-collector: run make"; exit 2; }
	export FLAKE_BIN="$top/$BIN"
	for t in "$top/$BIN"/tests/test_*; do
		[ -x "$t" ] || continue
		run_one "unit/$(basename "$t")" "$t"
	done
	for t in "$top"/tests/integration/*.sh; do
		[ -f "$t" ] || continue
		run_one "integration/$(basename "$t" .sh)" sh "$t"
	done
done

[ -n "$failed_names" ] && echo "failed:$failed_names"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
