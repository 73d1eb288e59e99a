#!/bin/sh
# demo.sh: the collector over the bundled example module (planted flakes),
# history kept in examples/flaky/.flake/history.db; then the flake-rate
# table from that history.  Run by `make demo`; each run adds to history.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top/examples/flaky" || exit 2
"$top/bin/flake-collector" run --timeout 20s --json .flake/results.json \
	--junit .flake/junit.xml --summary .flake/summary.md "$@"
rc=$?
echo
case $rc in
0) echo "demo: exit status 0 (nothing tripped the --fail-on policy)" ;;
1) echo "demo: exit status 1: the --fail-on policy tripped, as it should on this module's planted bugs" ;;
*) echo "demo: exit status $rc: the collector could not run"; exit $rc ;;
esac
echo "demo: results in examples/flaky/.flake/ (results.json, junit.xml, summary.md, history.db)"
echo
"$top/bin/flake-collector" history --db .flake/history.db
