#!/bin/sh
# The gate's scenarios (docs/GATE.md): new vs known against the base
# branch, re-runs, the window, a fresh runner against a real reporter, and
# the reporter down (tests/tools/gate_test.py).
set -eu
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$FLAKE_TOP/tests/tools/gate_test.py" "$FLAKE_BIN" "$work"
