#!/bin/sh
# Crash safety of the real flake-reporter: concurrent uploads while the
# reporter is SIGKILLed and restarted at random moments; every
# acknowledged upload stored exactly once, the database intact
# (tests/tools/crash_test.py; CRASH_SEED=N replays a run's timings).
set -eu
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$FLAKE_TOP/tests/tools/crash_test.py" "$FLAKE_BIN" "$work"
