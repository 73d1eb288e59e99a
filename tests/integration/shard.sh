#!/bin/sh
# --shard I/N splits the work: N shards over tests/fixtures/detmod cover
# every (package, cell) unit once and merge -- summed, and by a real
# reporter -- into the unsharded run (tests/tools/shard_test.py).
set -eu
command -v go >/dev/null || { echo "skipped: no go on PATH"; exit 77; }
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$FLAKE_TOP/tests/tools/shard_test.py" "$FLAKE_BIN" "$work" \
	"$FLAKE_TOP/tests/fixtures/detmod"
