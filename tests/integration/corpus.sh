#!/bin/sh
# Parser verdicts vs the reference reduction over ../shared/test2json
# (Go's golden corpus and 30 real Go 1.19 streams).
set -eu
shared="$FLAKE_TOP/../shared/test2json"
if [ ! -f "$shared/reference_reduction.py" ]; then
	echo "skipped: ../shared/test2json is not beside this clone (CI has it)"
	exit 77
fi
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$FLAKE_TOP/tests/tools/corpus_diff.py" "$FLAKE_BIN/flake-collector" "$shared" "$work"
