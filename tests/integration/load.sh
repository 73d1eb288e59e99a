#!/bin/sh
# Load on the real flake-reporter: 64 concurrent uploaders on loopback,
# no 5xx, no SQLITE_BUSY, every upload acknowledged; prints p50/p99
# latency and uploads/s (tests/tools/load_test.py).
set -eu
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$FLAKE_TOP/tests/tools/load_test.py" "$FLAKE_BIN" "$work"
