#!/bin/sh
# flake-reporter prune and backup while the server runs and uploads arrive
# (tests/tools/maint_test.py).
set -eu
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$FLAKE_TOP/tests/tools/maint_test.py" "$FLAKE_BIN" "$work"
