#!/bin/sh
# The real flake-reporter on loopback with a temporary database: tokens,
# uploads, API numbers, bad requests, the PR comment, the collector's
# --reporter, SIGTERM (tests/tools/reporter_test.py).
set -eu
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shared="$FLAKE_TOP/../shared"
[ -d "$shared" ] || shared=""
python3 "$FLAKE_TOP/tests/tools/reporter_test.py" "$FLAKE_BIN" "$work" $shared
