#!/bin/bash
# bench/detect_cpu.sh: detection per CPU-second on examples/flaky (issue 7,
# item 6): how often one run catches each planted flake, and the CPU time
# it costs, for
#   - the collector's default run (race off/on x GOMAXPROCS 1,2,4, -count 3),
#   - the same with --stress 2,
#   - plain `GOMAXPROCS=2 go test -race -count=3 -json` (verdicts read by
#     flake-collector analyze).
# RUNS (default 10) runs per setting; the hanging package is left out (its
# rare 20 s timeout would dominate the times).  Prints a markdown table.
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-10}
C=$ROOT/bin/flake-collector
OUT=$ROOT/bench/out/detect_cpu
rm -rf "$OUT"
mkdir -p "$OUT"
cd examples/flaky
PKGS="./pool ./deadline ./random ./names ./crash ./race ./order ./broken ./stable"
# warm the build cache for both sides
go test -count=1 -race -run XXX $PKGS >/dev/null 2>&1 || :
for s in default stress plain; do
	: > "$OUT/$s.list"
	for i in $(seq "$RUNS"); do
		j="$OUT/$s-$i.json"
		case $s in
		default) cmd=("$C" run --no-history --quiet --fail-on none --timeout 20s --json "$j" $PKGS) ;;
		stress) cmd=("$C" run --no-history --quiet --fail-on none --timeout 20s --stress 2 --json "$j" $PKGS) ;;
		plain) cmd=(bash -c "GOMAXPROCS=2 go test -race -count=3 -json -timeout 20s $PKGS > '$OUT/plain-$i.stream' 2>/dev/null; '$C' analyze --no-history --quiet --fail-on none --json '$j' '$OUT/plain-$i.stream' 2>/dev/null") ;;
		esac
		/usr/bin/time -f "%e %U %S" -o "$OUT/t" "${cmd[@]}" >/dev/null 2>&1 || :
		echo "$j $(cat "$OUT/t")" >> "$OUT/$s.list"
	done
done
python3 - "$OUT" <<'PY'
import json, os, statistics, sys
out = sys.argv[1]
plants = ["TestWorkerPool/concurrent_submissions", "TestDeadline", "TestRandomFailure",
          "TestNames/flaky_ünïcode", "TestGoroutinePanic", "TestCounterRace",
          "TestOrderDepends", "TestAlwaysFails"]
settings = [("default", "collector default"), ("stress", "default + --stress 2"),
            ("plain", "GOMAXPROCS=2 go test -race -count=3")]
rows, cpu, wall = {}, {}, {}
for s, _ in settings:
    runs = [l.split() for l in open(os.path.join(out, s + ".list"))]
    cpu[s] = statistics.median(float(u) + float(y) for _, w, u, y in runs)
    wall[s] = statistics.median(float(w) for _, w, u, y in runs)
    for p in plants:
        hit = 0
        for f, *_ in runs:
            try:
                t = {x["name"]: x for x in json.load(open(f))["tests"]}
            except (OSError, ValueError):
                continue
            hit += t.get(p, {}).get("status") in ("flaky", "failed")
        rows.setdefault(p, []).append((hit, len(runs)))
print("| planted test | " + " | ".join(n for _, n in settings) + " |")
print("|---|" + "---|" * len(settings))
for p in plants:
    print("| `%s` | %s |" % (p, " | ".join("%d/%d" % hn for hn in rows[p])))
print("| median CPU seconds per run | %s |" % " | ".join("%.1f" % cpu[s] for s, _ in settings))
print("| median wall seconds per run | %s |" % " | ".join("%.1f" % wall[s] for s, _ in settings))
caught = {s: sum(rows[p][i][0] / rows[p][i][1] for p in plants) for i, (s, _) in enumerate(settings)}
print("| planted flakes caught per run (sum of probabilities) | %s |" %
      " | ".join("%.2f" % caught[s] for s, _ in settings))
print("| ... per CPU-second | %s |" % " | ".join("%.3f" % (caught[s] / cpu[s]) for s, _ in settings))
PY
