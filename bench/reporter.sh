#!/bin/bash
# bench/reporter.sh -- the flake-reporter benchmarks of docs/PERFORMANCE.md.
#
#  1. ingest: realistic gzipped results documents (bench/reporter_gen.py:
#     2,000 tests x 6 cells = 12,000 result rows each, some flaky or
#     failed with failure_details, distinct run ids) POSTed to
#     /api/v1/uploads by RCONC concurrent keep-alive clients
#     (bench/reporter_client.py) until the fresh database holds >= 1M
#     result rows; rows/s per 100k rows of database size and overall.
#     Baseline in the same repetition: bench/reporter_base.c, a raw
#     prepared insert of the same number of rows into the same `results`
#     table (one transaction per 12,000 rows, no rollups).
#  2. queries on that 1M-row database: RQN sequential GETs over one
#     keep-alive connection per endpoint (flake table, ?all=1, one test,
#     runs list, one run); client-side ms and the access log's ms.
#     Baseline: the naive `SELECT test_id, sum(passes), sum(failures)
#     FROM results GROUP BY test_id` over the same database (python3
#     sqlite3, 5 times).
#  3. the reporter's peak RSS (VmHWM) after the ingest and after the queries.
#
# Environment: RREPS (default 3) repetitions, each on a fresh database;
# RCONC (default 2) upload clients; RTESTS (default 2000) tests per upload;
# RQN (default 200) requests per endpoint; PERF=1 records `perf record -g`
# of the reporter during the first ingest into bench/out/reporter/perf.data.
# RSERVER_ENV="NAME=VALUE ..." is added to the server's environment only
# (e.g. GLIBC_TUNABLES=glibc.malloc.arena_max=1 for the allocator
# experiments of docs/PERFORMANCE.md).
# REPORTER_ROWS_ONLY=1 prints only the table rows (bench/run.sh).
# Prints a markdown table on stdout (progress on stderr).  Bounded: about
# 1 to 2 minutes per repetition on 2 CPUs; ~0.3 GB of disk per database,
# deleted after each repetition.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/bench/out/reporter
REPS=${RREPS:-3}
CONC=${RCONC:-2}
TESTS=${RTESTS:-2000}
QN=${RQN:-200}
CELLS=6
TARGET_ROWS=1000000
STEP=100000
REPO=acme/api
PY=python3
CLIENT=$ROOT/bench/reporter_client.py
mkdir -p "$OUT"

log() { printf '%s\n' "bench/reporter: $*" >&2; }
[ -x "$ROOT/bin/flake-reporter" ] || { log "build first: make"; exit 2; }
command -v $PY >/dev/null || { log "needs python3"; exit 2; }

SRV_PID=
PERF_PID=
cleanup() {
	if [ -n "$PERF_PID" ]; then kill -INT "$PERF_PID" 2>/dev/null || :; fi
	if [ -n "$SRV_PID" ]; then
		kill "$SRV_PID" 2>/dev/null || :
		wait "$SRV_PID" 2>/dev/null || :
	fi
	rm -f "$OUT"/db "$OUT"/db-wal "$OUT"/db-shm "$OUT"/base.db*
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A private copy: others may rebuild bin/ while this runs.
cp "$ROOT/bin/flake-reporter" "$OUT/flake-reporter"
BIN=$OUT/flake-reporter
cc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -o "$OUT/reporter_base" \
	bench/reporter_base.c $(pkg-config --cflags --libs sqlite3 2>/dev/null || echo -lsqlite3)

PER=$((TESTS * CELLS))
NUP=$(( (TARGET_ROWS + PER - 1) / PER ))
log "generating $NUP uploads of $PER rows"
rm -rf "$OUT/docs"
$PY bench/reporter_gen.py "$OUT/docs" "$NUP" "$TESTS" "$REPO"

# median and min of the numbers on stdin, one a line
stats() { sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%s %s\n", v[1], m }'; }
# max of the numbers on stdin
smax() { sort -g | tail -1; }
met() { awk "BEGIN { exit !($1) }" && echo yes || echo NO; }
k() { awk -v v="$1" 'BEGIN { printf "%.0fk", v / 1000 }'; }

ROWS=
row() { ROWS="$ROWS| $1 | $2 | $3 | $4 | $5 | $6 |
"; }

# GET helper: prints the JSON body of $1 (after the server is up)
jget() { $PY -c 'import http.client,sys; c=http.client.HTTPConnection("127.0.0.1",int(sys.argv[1])); c.request("GET",sys.argv[2]); sys.stdout.write(c.getresponse().read().decode())' "$PORT" "$1"; }

# Access-log ms of lines $2.. of the log $1 (skipping 3 warm-ups): "min median"
server_ms() { tail -n +"$2" "$1" | grep ' access GET ' | tail -n +4 | sed 's/.* \([0-9.]*\)ms$/\1/' | stats; }

Q_NAMES=(tests tests_all test runs run home page_repo page_test page_run badge)
: > "$OUT/rss.hwm_ingest"; : > "$OUT/rss.hwm"; : > "$OUT/rss.rss"; : > "$OUT/naive.ms"
for q in "${Q_NAMES[@]}"; do : > "$OUT/q.$q.client"; : > "$OUT/q.$q.server"; : > "$OUT/q.$q.p95"; done
for i in $(seq "$REPS"); do
	# --- baseline ingest
	rm -f "$OUT"/base.db*
	"$OUT/reporter_base" "$OUT/base.db" "$NUP" "$TESTS" "$CELLS" > "$OUT/base.$i.tsv"
	rm -f "$OUT"/base.db*
	$PY "$CLIENT" deciles "$STEP" 10 "$OUT/base.$i.tsv" > "$OUT/base.$i.dec"
	log "rep $i baseline rows/s per 100k: $(cat "$OUT/base.$i.dec")"

	# --- reporter ingest
	rm -f "$OUT"/db "$OUT"/db-wal "$OUT"/db-shm "$OUT/port"
	TOKEN=$("$BIN" token create --db "$OUT/db" "$REPO" 2>/dev/null)
	# shellcheck disable=SC2086
	env ${RSERVER_ENV:-} "$BIN" serve --db "$OUT/db" --listen 127.0.0.1:0 --port-file "$OUT/port" \
		2> "$OUT/serve.$i.log" &
	SRV_PID=$!
	for _ in $(seq 100); do [ -s "$OUT/port" ] && break; sleep 0.05; done
	PORT=$(cat "$OUT/port")
	if [ "${PERF:-0}" = 1 ] && [ "$i" = 1 ]; then
		perf record -g -o "$OUT/perf.data" -p "$SRV_PID" 2>/dev/null &
		PERF_PID=$!
		sleep 0.5
	fi
	$PY "$CLIENT" ingest "$PORT" "$TOKEN" "$OUT/docs" "$CONC" "$OUT/ing.$i.tsv"
	if [ -n "$PERF_PID" ]; then
		kill -INT "$PERF_PID"; wait "$PERF_PID" || :; PERF_PID=
	fi
	$PY "$CLIENT" deciles "$STEP" 10 "$OUT/ing.$i.tsv" > "$OUT/ing.$i.dec"
	log "rep $i reporter rows/s per 100k: $(cat "$OUT/ing.$i.dec")"
	sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$SRV_PID/status" >> "$OUT/rss.hwm_ingest"
	NRES=$($PY -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM results").fetchone()[0])' "$OUT/db")
	log "rep $i: $NRES result rows, $(du -sh "$OUT/db" | cut -f1) database"

	# --- queries
	TID=$(jget "/api/v1/repos/$REPO/tests" | $PY -c 'import json,sys; print(json.load(sys.stdin)["tests"][0]["id"])')
	RID=$(jget "/api/v1/repos/$REPO/runs" | $PY -c 'import json,sys; d=json.load(sys.stdin); print(d["runs"][0]["run_id"])')
	paths=("/api/v1/repos/$REPO/tests" "/api/v1/repos/$REPO/tests?all=1"
	       "/api/v1/repos/$REPO/tests/$TID" "/api/v1/repos/$REPO/runs"
	       "/api/v1/runs/$RID" "/" "/$REPO" "/$REPO/tests/$TID"
	       "/$REPO/runs/$RID" "/badge/$REPO.svg")
	for j in "${!Q_NAMES[@]}"; do
		q=${Q_NAMES[$j]}
		from=$(( $(wc -l < "$OUT/serve.$i.log") + 1 ))
		n=$QN
		# one run's page is a 2 MB verdict table: fewer requests
		[ "$q" = run ] || [ "$q" = page_run ] && n=$(( QN / 4 > 10 ? QN / 4 : 10 ))
		read -r _ cmin cmed cp95 bytes status < <($PY "$CLIENT" get "$PORT" "$n" "${paths[$j]}")
		[ "$status" = 200 ] || { log "GET ${paths[$j]}: $status"; exit 1; }
		sleep 0.1	# the access line is written after the response
		read -r _ smed < <(server_ms "$OUT/serve.$i.log" "$from")
		echo "$cmed" >> "$OUT/q.$q.client"; echo "$smed" >> "$OUT/q.$q.server"
		echo "$cp95" >> "$OUT/q.$q.p95"; echo "$bytes" > "$OUT/q.$q.bytes"
		log "rep $i ${paths[$j]}: client median $cmed ms (p95 $cp95), server median $smed ms, $bytes bytes"
	done
	sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$SRV_PID/status" >> "$OUT/rss.hwm"
	sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$SRV_PID/status" >> "$OUT/rss.rss"
	log "rep $i reporter VmHWM $(tail -1 "$OUT/rss.hwm") KB, VmRSS $(tail -1 "$OUT/rss.rss") KB"

	# --- naive query baseline on the same database
	$PY - "$OUT/db" >> "$OUT/naive.ms" <<-'EOF'
	import sqlite3, sys, time
	db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
	v = []
	for _ in range(5):
	    t = time.monotonic()
	    db.execute("SELECT test_id, sum(passes), sum(failures) FROM results"
	               " GROUP BY test_id").fetchall()
	    v.append((time.monotonic() - t) * 1000)
	print(sorted(v)[2])
	EOF
	log "rep $i naive GROUP BY over results: $(tail -1 "$OUT/naive.ms") ms"

	kill "$SRV_PID"; wait "$SRV_PID" || :; SRV_PID=
	rm -f "$OUT"/db "$OUT"/db-wal "$OUT"/db-shm
done

# ---------------------------------------------------------------- report
# column c (1-based) of the per-repetition decile files $1.*.dec
col() { for f in "$OUT"/$1.*.dec; do awk -v c="$2" '{ print $c }' "$f"; done; }
for d in $(seq 1 11); do
	read -r imin imed < <(col ing "$d" | stats)
	read -r bmin bmed < <(col base "$d" | stats)
	if [ "$d" = 11 ]; then
		name="ingest, overall (0 → 1M result rows)"
	else
		name="ingest, DB at $(( (d - 1) * 100 ))k–$(( d * 100 ))k rows"
	fi
	row "$name: reporter" "$REPS" "$(k "$imin") rows/s" "$(k "$imed") rows/s" "≥ 100k rows/s" "$(met "$imed >= 100000")"
	row "$name: raw insert baseline" "$REPS" "$(k "$bmin") rows/s" "$(k "$bmed") rows/s" "" ""
done
QLABEL=("GET /repos/{o}/{r}/tests (flake table)" "GET /repos/{o}/{r}/tests?all=1"
	"GET /repos/{o}/{r}/tests/{id}" "GET /repos/{o}/{r}/runs" "GET /runs/{id}"
	"page / (repositories)" "page /{o}/{r} (tests by flake rate)"
	"page /{o}/{r}/tests/{id}" "page /{o}/{r}/runs/{id}" "badge /badge/{o}/{r}.svg")
for j in "${!Q_NAMES[@]}"; do
	q=${Q_NAMES[$j]}
	read -r smin smed < <(stats < "$OUT/q.$q.server")
	read -r cmin cmed < <(stats < "$OUT/q.$q.client")
	p95=$(smax < "$OUT/q.$q.p95")
	tgt=""; ok=""
	if [ "$q" = tests ]; then tgt="≤ 5 ms median"; ok=$(met "$smed <= 5 && $cmed <= 5"); fi
	case $q in
	home|page_*|badge) tgt="≤ 20 ms"; ok=$(met "$smed <= 20") ;;
	esac
	row "${QLABEL[$j]}, 1M rows ($(cat "$OUT/q.$q.bytes") B): median of server / client ms" "$REPS" \
		"$smin / $(printf %.2f "$cmin") ms" "$smed / $(printf %.2f "$cmed") ms (client p95 ≤ $(printf %.1f "$p95"))" "$tgt" "$ok"
done
read -r nmin nmed < <(stats < "$OUT/naive.ms")
row "naive SELECT … FROM results GROUP BY test_id, same DB (baseline)" "$REPS" "$(printf %.0f "$nmin") ms" "$(printf %.0f "$nmed") ms" "" ""
kb2mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
read -r hmin hmed < <(stats < "$OUT/rss.hwm_ingest")
row "reporter VmHWM after ingest (1M rows)" "$REPS" "$(kb2mb "$hmin") MB" "$(kb2mb "$hmed") MB" "" ""
read -r hmin hmed < <(stats < "$OUT/rss.hwm")
row "reporter VmHWM after ingest + queries" "$REPS" "$(kb2mb "$hmin") MB" "$(kb2mb "$hmed") MB" "≤ 64 MB" "$(met "$hmed <= 65536")"
read -r rmin rmed < <(stats < "$OUT/rss.rss")
row "reporter VmRSS at the end" "$REPS" "$(kb2mb "$rmin") MB" "$(kb2mb "$rmed") MB" "" ""

if [ "${REPORTER_ROWS_ONLY:-0}" = 1 ]; then
	printf '%s' "$ROWS"
	exit 0
fi
echo
echo "flake-reporter benchmarks, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $CONC upload clients, $NUP uploads x $PER rows"
echo
echo "| benchmark | runs | min | median | target | met |"
echo "|---|---|---|---|---|---|"
printf '%s' "$ROWS"
