#!/bin/sh
# The reporter's HTTP edge over raw sockets: auth before the body, every
# refusal a response, HEAD, %00, two Content-Lengths, many query
# arguments (tests/tools/http_edge_test.py).
set -eu
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$FLAKE_TOP/tests/tools/http_edge_test.py" "$FLAKE_BIN" "$work"
