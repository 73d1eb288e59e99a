#!/bin/sh
# The real collector over tests/fixtures/detmod, a Go module whose tests
# have deterministic outcomes: verdicts, failure kinds, locations, cells,
# notrun after a crash, reruns, repro commands, build failures, and every
# output file (JSON, JUnit, summary, history, GITHUB_OUTPUT, annotations).
set -eu
command -v go >/dev/null || { echo "skipped: no go on PATH"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$FLAKE_TOP/tests/fixtures/detmod"
rc=0
GITHUB_ACTIONS=true GITHUB_OUTPUT="$work/gh_output" \
GITHUB_STEP_SUMMARY="$work/summary.md" GITHUB_REPOSITORY=acme/detmod \
GITHUB_RUN_ID=42 GITHUB_RUN_ATTEMPT=1 GITHUB_JOB=flakes \
	"$FLAKE_BIN/flake-collector" run --gomaxprocs 1,2 --count 4 \
	--timeout 3s --rerun 2 --json "$work/results.json" \
	--junit "$work/junit.xml" --db "$work/history.db" \
	>"$work/stdout" 2>"$work/stderr" || rc=$?
cat "$work/stderr"
echo "exit status $rc"
[ $rc -eq 1 ] || { echo "want exit 1 (failed tests trip the policy)"; exit 1; }
python3 "$FLAKE_TOP/tests/tools/check_detmod.py" "$work"
