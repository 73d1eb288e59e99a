#!/bin/sh
# --changed-since and --only-changed on a real git repository and the
# real toolchain (tests/tools/changed_test.py).
set -eu
command -v go >/dev/null || { echo "skipped: no go on PATH"; exit 77; }
command -v git >/dev/null || { echo "skipped: no git"; exit 77; }
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$FLAKE_TOP/tests/tools/changed_test.py" "$FLAKE_BIN" "$work"
