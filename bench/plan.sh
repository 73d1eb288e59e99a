#!/bin/bash
# bench/plan.sh -- the cost benchmarks of issue 13 (docs/PERFORMANCE.md,
# "Presets, shards and the planner"), on the scratch module of
# bench/mkmod.sh (6 std packages + sleep- and CPU-bound tests; nothing
# fails):
#  1. gate preset: `flake-collector run --preset gate` against a plain
#     `go test -count=1 ./...` on the same packages (build cache warm for
#     both: each runs once first).
#  2. shards: `--shard I/4` for I = 1..4, one after the other (as four
#     Actions jobs on four machines), against one unsharded run of the
#     same options (the default matrix); the slowest shard / unsharded.
#  3. the planner's cost: `--budget 60s`, the results' budget.plan_us
#     against the budget.
# PREPS (default 3) repetitions.  Rows of a markdown table on stdout
# (PLAN_ROWS_ONLY=1: only the rows, for bench/run.sh); progress on stderr.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/bin/flake-collector
OUT=$ROOT/bench/out/plan
REPS=${PREPS:-3}
mkdir -p "$OUT"
log() { printf '%s\n' "bench/plan: $*" >&2; }
[ -x "$BIN" ] || { log "build first: make"; exit 2; }
now() { date +%s.%N; }
stats() { sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%s %s\n", v[1], m }'; }
ROWS=
row() { ROWS="$ROWS| $1 | $2 | $3 | $4 | $5 | $6 |
"; }
COL="$BIN run --no-history --quiet --comment never --fail-on none"
export -n GITHUB_ACTIONS GITHUB_STEP_SUMMARY 2>/dev/null || :
unset GITHUB_ACTIONS GITHUB_STEP_SUMMARY

MOD=$OUT/stdmod
sh bench/mkmod.sh "$MOD" >&2
cd "$MOD"
go test -count=1 ./... >/dev/null 2>&1 || :	# warm the build cache
$COL --preset gate --json "$OUT/warm.json" >/dev/null 2>&1 || :
# ... and the history the Action keeps between runs (its cache)
GATE_DB=$OUT/gate.db
rm -f "$GATE_DB"
HIST="$BIN run --db $GATE_DB --quiet --comment never --fail-on none"
$HIST --preset gate --json "$OUT/warm.json" >/dev/null 2>&1 || :

# 1. gate preset: a first run (no history) and a run with its history,
# which links the packages with the longest tests first
: > "$OUT/go.wall"; : > "$OUT/gate.wall"; : > "$OUT/gateh.wall"
for i in $(seq "$REPS"); do
	t0=$(now); go test -count=1 ./... >/dev/null 2>&1 || :; t1=$(now)
	echo "$t1 $t0" | awk '{ print $1 - $2 }' >> "$OUT/go.wall"
	t0=$(now); $COL --preset gate --json "$OUT/gate.json" 2>/dev/null || :; t1=$(now)
	echo "$t1 $t0" | awk '{ print $1 - $2 }' >> "$OUT/gate.wall"
	t0=$(now); $HIST --preset gate --json "$OUT/gateh.json" 2>/dev/null || :; t1=$(now)
	echo "$t1 $t0" | awk '{ print $1 - $2 }' >> "$OUT/gateh.wall"
	log "gate $i: go test $(tail -1 "$OUT/go.wall") s, gate $(tail -1 "$OUT/gate.wall") s, with history $(tail -1 "$OUT/gateh.wall") s"
done
read -r gomin gomed < <(stats < "$OUT/go.wall")
row "gate preset, scratch module: go test -count=1 ./..." "$REPS" "$(printf %.2f "$gomin") s" "$(printf %.2f "$gomed") s" "" ""
for g in gate gateh; do
	read -r gamin gamed < <(stats < "$OUT/$g.wall")
	ratio=$(awk -v a="$gamed" -v b="$gomed" 'BEGIN { printf "%.2f", a / b }')
	rmin=$(awk -v a="$gamin" -v b="$gomin" 'BEGIN { printf "%.2f", a / b }')
	what="no history (a first run)"
	[ "$g" = gate ] || what="with its history (as the Action keeps it)"
	row "gate preset, scratch module: flake-collector run --preset gate, $what" "$REPS" "$(printf %.2f "$gamin") s" "$(printf %.2f "$gamed") s" "" ""
	row "gate preset / go test, $what" "$REPS" "${rmin}× (min/min)" "${ratio}× (median/median)" "≤ 1.15×" "$(awk -v r="$ratio" 'BEGIN { print (r <= 1.15) ? "yes" : "NO" }')"
done

# 2. shards
: > "$OUT/full.wall"; : > "$OUT/slow.wall"; : > "$OUT/shratio"
for i in $(seq "$REPS"); do
	t0=$(now); $COL --json "$OUT/full.json" 2>/dev/null || :; t1=$(now)
	full=$(echo "$t1 $t0" | awk '{ print $1 - $2 }')
	slow=0
	for s in 1 2 3 4; do
		t0=$(now); $COL --shard "$s/4" --json "$OUT/s$s.json" 2>/dev/null || :; t1=$(now)
		w=$(echo "$t1 $t0" | awk '{ print $1 - $2 }')
		slow=$(awk -v a="$w" -v b="$slow" 'BEGIN { print (a > b) ? a : b }')
	done
	echo "$full" >> "$OUT/full.wall"; echo "$slow" >> "$OUT/slow.wall"
	awk -v a="$slow" -v b="$full" 'BEGIN { print a / b }' >> "$OUT/shratio"
	log "shards $i: unsharded $full s, slowest of 4 shards $slow s"
done
read -r fmin fmed < <(stats < "$OUT/full.wall")
read -r smin smed < <(stats < "$OUT/slow.wall")
read -r qmin qmed < <(stats < "$OUT/shratio")
row "shards, scratch module: unsharded run (6 cells)" "$REPS" "$(printf %.2f "$fmin") s" "$(printf %.2f "$fmed") s" "" ""
row "shards, scratch module: slowest of --shard I/4, I = 1..4" "$REPS" "$(printf %.2f "$smin") s" "$(printf %.2f "$smed") s" "" ""
row "shards: slowest shard / unsharded" "$REPS" "$(printf %.2f "$qmin")×" "$(printf %.2f "$qmed")×" "≤ 0.35×" "$(awk -v r="$qmed" 'BEGIN { print (r <= 0.35) ? "yes" : "NO" }')"

# 3. the planner's cost
: > "$OUT/plan.cost"
for i in $(seq "$REPS"); do
	$COL --budget 60s --json "$OUT/budget.json" 2>/dev/null || :
	python3 -c 'import json,sys; b = json.load(open(sys.argv[1]))["budget"]; print(b["plan_us"] / 1000.0 / b["budget_ms"] * 100, b["rounds"], b["plan_us"])' "$OUT/budget.json" > "$OUT/p1"
	read -r pct rounds us < "$OUT/p1"
	echo "$pct" >> "$OUT/plan.cost"
	log "planner $i: $us us over $rounds rounds = $pct% of the budget"
done
read -r cmin cmed < <(stats < "$OUT/plan.cost")
row "planner cost, --budget 60s, scratch module: % of the budget" "$REPS" "$(printf %.4f "$cmin")%" "$(printf %.4f "$cmed")%" "< 1%" "$(awk -v r="$cmed" 'BEGIN { print (r < 1) ? "yes" : "NO" }')"

if [ -z "${PLAN_ROWS_ONLY:-}" ]; then
	echo "| benchmark | runs | min | median | target | met |"
	echo "|---|---|---|---|---|---|"
fi
printf '%s' "$ROWS"
