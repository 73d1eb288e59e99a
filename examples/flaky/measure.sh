#!/usr/bin/env bash
# measure.sh - reproduce the failure-rate table in PLANTED.md.
#
# Builds every package's test binary with and without -race, then runs each
# planted test many times under GOMAXPROCS=1,2,4 x race off/on and prints
# a Markdown table of observed failure rates ("fails/executions").
#
# usage: examples/flaky/measure.sh            (from any directory)
#   PROCS=100        processes per condition
#   COUNT=3          -test.count per process (executions = PROCS*COUNT)
#   CRASH_PROCS=150  processes per condition for the crash/hang rows
#                    (one execution per process: a crash ends the process)
#   HANG_TIMEOUT=2s  -test.timeout for the hang row (a hang is forever, so
#                    a short timeout gives the same rate as 20s, faster)
#   LOAD=1           also measure pool/deadline with 2 busy loops running
# Bounded: every process is also wrapped in `timeout 60`. With defaults it
# takes about 5-8 minutes on a 2-CPU machine.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROCS=${PROCS:-100}
COUNT=${COUNT:-3}
CRASH_PROCS=${CRASH_PROCS:-150}
HANG_TIMEOUT=${HANG_TIMEOUT:-2s}
LOAD=${LOAD:-1}
GMPS=(1 2 4)

bin=$(mktemp -d)
hogs=()
cleanup() {
	for p in "${hogs[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
	rm -rf "$bin"
}
trap cleanup EXIT

cd "$here"
echo "# go: $(go version); nproc: $(nproc); $(date -u +%Y-%m-%dT%H:%MZ)" >&2
for pkg in pool deadline order race crash hang broken random names stable; do
	go test -c -o "$bin/$pkg.test" "./$pkg"
	go test -race -c -o "$bin/$pkg.race.test" "./$pkg"
done

# binary PKG RACE -> path of the test binary
binary() { if [ "$2" = on ]; then echo "$bin/$1.race.test"; else echo "$bin/$1.test"; fi; }

# execs PKG RACE GMP NAME RUNREGEX [EXTRA ARGS...]
# Runs PROCS processes with -test.count=COUNT -test.v and counts the
# "--- FAIL: NAME (" / "--- PASS: NAME (" / "--- SKIP: NAME (" result lines.
# Prints "fails/executions" (skips are shown as "skip n").
execs() {
	local pkg=$1 race=$2 gmp=$3 name=$4 run=$5
	shift 5
	local b f=0 p=0 s=0 out
	b=$(binary "$pkg" "$race")
	for _ in $(seq "$PROCS"); do
		out=$(GOMAXPROCS=$gmp timeout 60 "$b" -test.run "$run" -test.count="$COUNT" \
			-test.v -test.timeout=20s "$@" 2>&1 || true)
		f=$((f + $(grep -cF -- "--- FAIL: $name (" <<<"$out" || true)))
		p=$((p + $(grep -cF -- "--- PASS: $name (" <<<"$out" || true)))
		s=$((s + $(grep -cF -- "--- SKIP: $name (" <<<"$out" || true)))
	done
	if [ "$s" -gt 0 ] && [ $((f + p)) -eq 0 ]; then echo "skip $s"; else echo "$f/$((f + p))"; fi
}

# procs PKG RACE GMP TIMEOUT PATTERN NEIGHBOUR
# Runs CRASH_PROCS processes of the whole package with -test.count=1 and
# counts processes whose output contains PATTERN (the crash/hang), and how
# often NEIGHBOUR (a later test) did not report a result ("notrun").
procs() {
	local pkg=$1 race=$2 gmp=$3 to=$4 pat=$5 nb=$6
	local b hit=0 notrun=0 out
	b=$(binary "$pkg" "$race")
	for _ in $(seq "$CRASH_PROCS"); do
		out=$(GOMAXPROCS=$gmp timeout 60 "$b" -test.count=1 -test.v -test.timeout="$to" 2>&1 || true)
		if grep -qF -- "$pat" <<<"$out"; then hit=$((hit + 1)); fi
		if ! grep -qF -- "--- PASS: $nb (" <<<"$out"; then notrun=$((notrun + 1)); fi
	done
	echo "$hit/$CRASH_PROCS (notrun $notrun)"
}

# row LABEL FUNC ARGS...: one table row over race off/on x GMPS
row() {
	local label=$1 fn=$2
	shift 2
	local line="| $label |" race gmp
	for race in off on; do
		for gmp in "${GMPS[@]}"; do
			line+=" $("$fn" "$1" "$race" "$gmp" "${@:2}") |"
		done
	done
	echo "$line"
}

echo
echo "Failures/executions (PROCS=$PROCS processes x -test.count=$COUNT; crash/hang rows: $CRASH_PROCS processes x 1)"
echo
echo "| test | race off, GMP=1 | off, 2 | off, 4 | race on, GMP=1 | on, 2 | on, 4 |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
row "pool TestWorkerPool/concurrent_submissions" execs pool "TestWorkerPool/concurrent_submissions" '^TestWorkerPool$'
row "pool TestWorkerPool/sequential" execs pool "TestWorkerPool/sequential" '^TestWorkerPool$'
row "deadline TestDeadline" execs deadline "TestDeadline" '^TestDeadline$'
row "order TestOrderDepends (file order)" execs order "TestOrderDepends" '^TestOrder'
row "order TestOrderDepends (alone: -run '^TestOrderDepends\$')" execs order "TestOrderDepends" '^TestOrderDepends$'
row "order TestOrderDepends (-test.shuffle=on)" execs order "TestOrderDepends" '^TestOrder' -test.shuffle=on
row "race TestCounterRace" execs race "TestCounterRace" '^TestCounterRace$'
row "race TestCounterAtomic" execs race "TestCounterAtomic" '^TestCounterAtomic$'
row "crash TestGoroutinePanic (processes crashed)" procs crash 20s "panic: bad state" "TestAfterCrashB"
row "hang TestOccasionalHang (processes timed out)" procs hang "$HANG_TIMEOUT" "panic: test timed out" "TestHangNeighbour"
row "broken TestAlwaysFails" execs broken "TestAlwaysFails" '^TestAlwaysFails$'
row "broken TestBrokenSibling" execs broken "TestBrokenSibling" '^TestBrokenSibling$'
row "random TestRandomFailure" execs random "TestRandomFailure" '^TestRandomFailure$'
row "names TestNames/flaky_ünïcode" execs names "TestNames/flaky_ünïcode" '^TestNames$'
row "names TestNames (parent)" execs names "TestNames" '^TestNames$'
row "names TestNames/<script>alert(1)</script>" execs names "TestNames/<script>alert(1)</script>" '^TestNames$'
row "stable TestTableDriven" execs stable "TestTableDriven" '^TestTableDriven$'
row "stable TestSkipped" execs stable "TestSkipped" '^TestSkipped$'

if [ "$LOAD" = 1 ]; then
	echo
	echo "Under load: two busy loops (one per CPU) running meanwhile"
	echo
	echo "| test | race off, GMP=1 | off, 2 | off, 4 | race on, GMP=1 | on, 2 | on, 4 |"
	echo "| --- | --- | --- | --- | --- | --- | --- |"
	for _ in 1 2; do
		(while :; do :; done) &
		hogs+=($!)
	done
	row "pool TestWorkerPool/concurrent_submissions" execs pool "TestWorkerPool/concurrent_submissions" '^TestWorkerPool$'
	row "deadline TestDeadline" execs deadline "TestDeadline" '^TestDeadline$'
fi
