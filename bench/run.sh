#!/bin/bash
# bench/run.sh -- `make bench`: the benchmarks of docs/PERFORMANCE.md.
#
#  1. parser throughput and peak RSS of `flake-collector analyze` on a
#     ~100 MB real `go test -json` stream (bench/gen/, cached in bench/out/),
#     against gotestsum reading the same stream; peak RSS on a 1 GB stream
#     fed through stdin.
#  2. wall time of the collector's default matrix (race off/on x
#     GOMAXPROCS 1,2,4, -count 3) against the naive loop of one
#     `go test -json -count=3 [-race] ./...` per cell, on a scratch module
#     (bench/mkmod.sh: std packages + sleep- and CPU-bound tests) and on
#     examples/flaky.
#
#  3. flake-reporter (bench/reporter.sh): HTTP ingest rows/s up to 1M
#     result rows against a raw SQLite insert, API latency at 1M rows,
#     peak RSS.
#  4. presets, shards and the planner (bench/plan.sh): the gate preset
#     against go test, 4 shards against one run, the planner's cost.
#  5. detection per run and per CPU-second (bench/detect_cpu.sh).
#  6. a sharded run's PR comment merged from rows vs from documents
#     (bench/group.py).
#  7. detection per wall-second: --budget against the seed recipe and
#     gotestsum --rerun-fails (bench/wall.py).
#  8. the Action's build steps: key, apt-skip, cold build, warm start
#     (bench/action_steps.py).
#
# Environment: REPS (default 3) repetitions of the parser benchmarks,
# MREPS (default 3) of the matrix ones; BENCH_SKIP_MATRIX=1 skips part 2;
# BENCH_REPORTER=0 skips part 3 (its own knobs: see bench/reporter.sh);
# BENCH_PLAN=0 skips part 4 (PREPS repetitions: see bench/plan.sh).
# Prints a markdown table on stdout (progress on stderr).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"	# make runs `sh bench/run.sh`
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/bin/flake-collector
OUT=$ROOT/bench/out
REPS=${REPS:-3}
MREPS=${MREPS:-3}
TIME=/usr/bin/time
mkdir -p "$OUT"

log() { printf '%s\n' "bench: $*" >&2; }

[ -x "$TIME" ] || { log "needs GNU time: apt-get install -y time"; exit 2; }
command -v gotestsum >/dev/null || { log "needs gotestsum: apt-get install -y gotestsum"; exit 2; }
command -v go >/dev/null || { log "needs go"; exit 2; }

now() { date +%s.%N; }
# median and min of the numbers on stdin, one a line
stats() { sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%s %s\n", v[1], m }'; }

ROWS=
row() { ROWS="$ROWS| $1 | $2 | $3 | $4 | $5 | $6 |
"; }

# ---------------------------------------------------------------- part 1
STREAM=$OUT/stream-100mb.json
if [ ! -s "$STREAM" ] || [ "$(stat -c %s "$STREAM")" -lt 90000000 ]; then
	log "generating $STREAM (go test -json -count=18 in bench/gen)"
	(cd bench/gen && go test -json -count=18 . > "$STREAM.tmp") || :
	mv "$STREAM.tmp" "$STREAM"
fi
SIZE=$(stat -c %s "$STREAM")
MB=$(awk -v s="$SIZE" 'BEGIN { printf "%.1f", s / 1e6 }')
log "stream: $MB MB, $(wc -l < "$STREAM") lines"
cat "$STREAM" > /dev/null	# page cache

: > "$OUT/p.wall"; : > "$OUT/p.rss"; : > "$OUT/g.wall"; : > "$OUT/g.rss"
for i in $(seq "$REPS"); do
	t0=$(now)
	$TIME -o "$OUT/t" -f %M "$BIN" analyze --no-history --quiet --fail-on none "$STREAM"
	t1=$(now)
	echo "$t1 $t0" | awk '{ print $1 - $2 }' >> "$OUT/p.wall"
	tail -1 "$OUT/t" >> "$OUT/p.rss"
	t0=$(now)
	$TIME -o "$OUT/t" -f %M gotestsum --no-color --format testname --raw-command -- cat "$STREAM" > /dev/null || :
	t1=$(now)
	echo "$t1 $t0" | awk '{ print $1 - $2 }' >> "$OUT/g.wall"
	tail -1 "$OUT/t" >> "$OUT/g.rss"
	log "parse run $i: collector $(tail -1 "$OUT/p.wall") s, gotestsum $(tail -1 "$OUT/g.wall") s"
done
read -r pmin pmed < <(stats < "$OUT/p.wall")
read -r gmin gmed < <(stats < "$OUT/g.wall")
read -r rmin rmed < <(stats < "$OUT/p.rss")
read -r grmin grmed < <(stats < "$OUT/g.rss")
mbs() { awk -v s="$SIZE" -v t="$1" 'BEGIN { printf "%.0f", s / 1e6 / t }'; }
# best throughput comes from the min time; median throughput from the median
tp_best=$(mbs "$pmin"); tp_med=$(mbs "$pmed")
gt_best=$(mbs "$gmin"); gt_med=$(mbs "$gmed")
ratio_best=$(awk -v a="$gmin" -v b="$pmin" 'BEGIN { printf "%.1f", a / b }')
ratio_med=$(awk -v a="$gmed" -v b="$pmed" 'BEGIN { printf "%.1f", a / b }')
kb2mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
met() { awk "BEGIN { exit !($1) }" && echo yes || echo NO; }
row "analyze, $MB MB file: wall" "$REPS" "${pmin} s" "${pmed} s" "" ""
row "analyze throughput" "$REPS" "$tp_best MB/s (best)" "$tp_med MB/s" "≥ 120 MB/s" "$(met "$tp_med >= 120")"
row "gotestsum --format testname, same file: wall" "$REPS" "${gmin} s ($gt_best MB/s)" "${gmed} s ($gt_med MB/s)" "" ""
row "analyze speed-up over gotestsum" "$REPS" "${ratio_best}× (min/min)" "${ratio_med}× (median/median)" "≥ 3×" "$(met "$ratio_med >= 3")"
row "analyze peak RSS, $MB MB file" "$REPS" "$(kb2mb "$rmin") MB ($rmin KB)" "$(kb2mb "$rmed") MB ($rmed KB)" "≤ 16 MB" "$(met "$rmed <= 16384")"
row "gotestsum peak RSS, same file" "$REPS" "$(kb2mb "$grmin") MB" "$(kb2mb "$grmed") MB" "" ""

# 1 GB through stdin: the cached file 10 times over, streamed by cat
: > "$OUT/s.wall"; : > "$OUT/s.rss"
SREPS=$(( REPS < 2 ? REPS : 2 ))
for i in $(seq "$SREPS"); do
	t0=$(now)
	for _ in 1 2 3 4 5 6 7 8 9 10; do cat "$STREAM"; done |
		$TIME -o "$OUT/t" -f %M "$BIN" analyze --no-history --quiet --fail-on none -
	t1=$(now)
	echo "$t1 $t0" | awk '{ print $1 - $2 }' >> "$OUT/s.wall"
	tail -1 "$OUT/t" >> "$OUT/s.rss"
	log "1 GB stdin run $i: $(tail -1 "$OUT/s.wall") s, $(tail -1 "$OUT/s.rss") KB"
done
read -r smin smed < <(stats < "$OUT/s.wall")
read -r srmin srmed < <(stats < "$OUT/s.rss")
GB=$(awk -v s="$SIZE" 'BEGIN { printf "%.2f", s * 10 / 1e9 }')
row "analyze - (stdin), $GB GB: wall" "$SREPS" "${smin} s ($(awk -v s="$SIZE" -v t="$smin" 'BEGIN { printf "%.0f", s * 10 / 1e6 / t }') MB/s)" "${smed} s" "" ""
row "analyze - (stdin), $GB GB: peak RSS" "$SREPS" "$(kb2mb "$srmin") MB ($srmin KB)" "$(kb2mb "$srmed") MB ($srmed KB)" "≤ 32 MB" "$(met "$srmed <= 32768")"

# ---------------------------------------------------------------- part 2
# Times $MREPS alternating runs of the collector's default matrix and of
# the naive loop in directory $1 with packages $3... ; $2 names the row.
matrix_bench() {
	local dir=$1 name=$2; shift 2
	local pkgs=("$@")
	local c n i t0 t1
	: > "$OUT/c.wall"; : > "$OUT/n.wall"
	naive() {
		local r p
		for r in "" -race; do
			for p in 1 2 4; do
				GOMAXPROCS=$p go test -json -count=3 -timeout 20s $r "${pkgs[@]}" > /dev/null 2>&1 || :
			done
		done
	}
	coll() {
		"$BIN" run --no-history --fail-on none --quiet --timeout 20s "${pkgs[@]}" > /dev/null 2>&1 || :
	}
	log "matrix $name: warming the build cache"
	(cd "$dir" && go test -count=1 -run '^$' "${pkgs[@]}" >/dev/null 2>&1 || :
	 go test -race -count=1 -run '^$' "${pkgs[@]}" >/dev/null 2>&1 || :)
	(cd "$dir" && coll)
	for i in $(seq "$MREPS"); do
		t0=$(now); (cd "$dir" && coll); t1=$(now)
		echo "$t1 $t0" | awk '{ print $1 - $2 }' >> "$OUT/c.wall"
		t0=$(now); (cd "$dir" && naive); t1=$(now)
		echo "$t1 $t0" | awk '{ print $1 - $2 }' >> "$OUT/n.wall"
		log "matrix $name run $i: collector $(tail -1 "$OUT/c.wall") s, naive $(tail -1 "$OUT/n.wall") s"
	done
	local cmin cmed nmin nmed
	read -r cmin cmed < <(stats < "$OUT/c.wall")
	read -r nmin nmed < <(stats < "$OUT/n.wall")
	row "matrix, $name: collector run (6 cells)" "$MREPS" "$(printf %.1f "$cmin") s" "$(printf %.1f "$cmed") s" "" ""
	row "matrix, $name: naive go test loop (6 runs)" "$MREPS" "$(printf %.1f "$nmin") s" "$(printf %.1f "$nmed") s" "" ""
	row "matrix, $name: collector / naive" "$MREPS" "$(awk -v a="$cmin" -v b="$nmin" 'BEGIN { printf "%.2f", a / b }')× (min/min)" "$(awk -v a="$cmed" -v b="$nmed" 'BEGIN { printf "%.2f", a / b }')× (median/median)" "≤ 0.6×" "$(met "$cmed / $nmed <= 0.6")"
}

if [ "${BENCH_SKIP_MATRIX:-0}" != 1 ]; then
	sh bench/mkmod.sh "$OUT/stdmod"
	matrix_bench "$OUT/stdmod" "scratch module (6 std pkgs + sleep/CPU tests)" ./...
	# examples/flaky without ./hang: its 7%-per-execution 20 s hang makes
	# wall time a lottery; the full module is timed after it.
	nohang=$(cd examples/flaky && go list ./... | grep -v '/hang$' | sed 's#^example.com/flaky#.#')
	# shellcheck disable=SC2086
	matrix_bench examples/flaky "examples/flaky without ./hang" $nohang
	matrix_bench examples/flaky "examples/flaky, all (incl. 20 s hang)" ./...
fi

# ---------------------------------------------------------------- part 3
if [ "${BENCH_REPORTER:-1}" != 0 ]; then
	if rrows=$(REPORTER_ROWS_ONLY=1 bash bench/reporter.sh); then
		ROWS="$ROWS$rrows
"
	else
		log "bench/reporter.sh failed; its rows are missing"
	fi
fi

if [ "${BENCH_PLAN:-1}" != 0 ]; then
	if prows=$(PLAN_ROWS_ONLY=1 bash bench/plan.sh); then
		ROWS="$ROWS$prows"
	else
		log "bench/plan.sh failed; its rows are missing"
	fi
fi

# ---------------------------------------------------------------- report
echo
echo "flake-action benchmarks, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(go version | awk '{ print $3 }')"
echo
echo "| benchmark | runs | min | median | target | met |"
echo "|---|---|---|---|---|---|"
printf '%s' "$ROWS"

# ---------------------------------------------------------------- part 5
# Detection per CPU-second on examples/flaky (BENCH_DETECT=0 skips it).
if [ "${BENCH_DETECT:-1}" != 0 ]; then
	echo
	echo "Detection per run and per CPU-second (examples/flaky, RUNS=${RUNS:-10} runs each):"
	echo
	bash bench/detect_cpu.sh
fi

# ---------------------------------------------------------------- part 6
# A sharded run's PR comment: shards merged from rows vs from documents
# (bench/group.py; BENCH_GROUP=0 skips it, GROUP_K shards, default 8).
if [ "${BENCH_GROUP:-1}" != 0 ]; then
	echo
	echo "A sharded run's PR comment, merged from rows vs from documents (bench/group.py, median of 3):"
	echo
	echo "| what | from rows | from documents | documents / rows |"
	echo "|---|---|---|---|"
	python3 bench/group.py "$ROOT/bin" "${GROUP_K:-8}" 2000 3 ||
		log "bench/group.py failed; its rows are missing"
fi

# ---------------------------------------------------------------- part 7
# Detection per wall-second: --budget 1x, 2x, 5x a plain go test against
# the seed recipe repeated to the same wall time and gotestsum
# --rerun-fails, on examples/flaky and bench/flaky2 (bench/wall.py;
# BENCH_WALL=0 skips it, WALL_TRIALS trials, default 20: ~30 minutes).
if [ "${BENCH_WALL:-1}" != 0 ]; then
	echo
	echo "Detection per wall-second (bench/wall.py, ${WALL_TRIALS:-20} trials):"
	python3 bench/wall.py "${WALL_TRIALS:-20}" ||
		log "bench/wall.py failed; its tables are missing"
fi

# ---------------------------------------------------------------- part 8
# The Action's build steps: key, apt-skip path, cold build, warm start
# (bench/action_steps.py; BENCH_STEPS=0 skips it).
if [ "${BENCH_STEPS:-1}" != 0 ]; then
	echo
	echo "The Action's build steps (bench/action_steps.py, 3 runs):"
	echo
	python3 bench/action_steps.py 3 ||
		log "bench/action_steps.py failed; its table is missing"
fi
