#!/bin/bash
# bench/detect.sh: how often one collector run catches each planted flake
# of examples/flaky, by --jobs setting, and how long the run takes.
# RUNS (default 8) runs per setting, PKGS the packages; the hanging package is left out (its
# 20 s timeout would dominate).  Prints a markdown table.
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-8}
C=$ROOT/bin/flake-collector
OUT=$ROOT/bench/out/detect
mkdir -p "$OUT"
cd examples/flaky
PKGS=${PKGS:-"./pool ./deadline ./random ./names ./crash ./race"}
settings="1 2 auto"
for s in $settings; do
	: > "$OUT/$s.list"
	for i in $(seq "$RUNS"); do
		j=""
		[ "$s" = auto ] || j="--jobs $s"
		t0=$(date +%s.%N)
		$C run --no-history --quiet --fail-on none --timeout 20s $j \
			--json "$OUT/$s-$i.json" $PKGS 2>/dev/null >/dev/null
		t1=$(date +%s.%N)
		echo "$OUT/$s-$i.json $(echo "$t1 $t0" | awk '{print $1-$2}')" >> "$OUT/$s.list"
	done
done
python3 - "$OUT" $settings <<'PY'
import json, sys, statistics
out, settings = sys.argv[1], sys.argv[2:]
plants = ["TestWorkerPool/concurrent_submissions", "TestDeadline",
          "TestRandomFailure", "TestNames/flaky_ünïcode",
          "TestGoroutinePanic", "TestCounterRace"]
rows = {}
walls = {}
for s in settings:
    runs = [l.split() for l in open("%s/%s.list" % (out, s))]
    walls[s] = statistics.median(float(w) for _, w in runs)
    for p in plants:
        hit = 0
        for f, _ in runs:
            t = {x["name"]: x for x in json.load(open(f))["tests"]}
            hit += t.get(p, {}).get("status") in ("flaky", "failed")
        rows.setdefault(p, []).append("%d/%d" % (hit, len(runs)))
print("| planted test | " + " | ".join("--jobs %s" % s for s in settings) + " |")
print("|---|" + "---|" * len(settings))
for p in plants:
    print("| `%s` | %s |" % (p, " | ".join(rows[p])))
print("| median wall time | %s |" % " | ".join("%.1f s" % walls[s] for s in settings))
PY
