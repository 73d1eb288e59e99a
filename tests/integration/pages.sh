#!/bin/sh
# The reporter's HTML pages, badge and /metrics on loopback with a
# temporary database: status, Content-Type, CSP, escaping of a hostile
# test name (tests/tools/pages_test.py).  No browser.
set -eu
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$FLAKE_TOP/tests/tools/pages_test.py" "$FLAKE_BIN" "$work"
