#!/bin/sh
# Test binaries built in one go command per race setting on Go 1.21+
# (core/matrix.c, batch_builds()): `go test -exec KEEPER`, which hands each
# binary over as it is linked, or `go test -c -o DIR/` with
# FLAKE_NO_STREAM_BUILD; with the per-package build as the
# fallback: for a package the batch did not build (a compile error, named
# exactly by its own build), when two packages would write the same file
# name, on Go 1.19, and with FLAKE_NO_BATCH_BUILD set.  The verdicts are the
# same either way.  FLAKE_TRACE counts the go commands.
set -u
command -v go >/dev/null || { echo "skipped: no go"; exit 77; }
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
export GOFLAGS=-mod=mod GOTOOLCHAIN=local GOPROXY=off
unset GITHUB_ACTIONS GITHUB_STEP_SUMMARY
minor=$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
fail=0
# A module whose path ends in a major version (its root package's binary
# is ba.test, not v2.test), two good packages and one that does not build.
a=$work/a
mkdir -p "$a/one" "$a/two" "$a/broken"
printf 'module example.com/ba/v2\n\ngo 1.19\n' >"$a/go.mod"
printf 'package ba\nimport "testing"\nfunc TestRoot(t *testing.T) {}\n' >"$a/ba_test.go"
printf 'package one\nimport "testing"\nfunc TestOne(t *testing.T) {}\n' >"$a/one/one_test.go"
printf 'package two\nimport "testing"\nfunc TestTwo(t *testing.T) {}\nfunc TestTwoB(t *testing.T) {}\n' >"$a/two/two_test.go"
printf 'package broken\nimport "testing"\nfunc TestB(t *testing.T) { frob() }\n' >"$a/broken/b_test.go"
# Two packages named util: the same file name in one directory.
b=$work/b
mkdir -p "$b/x/util" "$b/y/util"
printf 'module example.com/bb\n\ngo 1.19\n' >"$b/go.mod"
printf 'package util\nimport "testing"\nfunc TestX(t *testing.T) {}\n' >"$b/x/util/u_test.go"
printf 'package util\nimport "testing"\nfunc TestY(t *testing.T) {}\n' >"$b/y/util/u_test.go"

# run DIR OUT [ENV...]: the collector over DIR, plain only, trace in OUT.trace
run() {
	d=$1 out=$2
	shift 2
	(cd "$d" && env FLAKE_TRACE=1 "$@" "$FLAKE_BIN/flake-collector" run \
		--race off --gomaxprocs 2 --count 1 --rerun 0 --no-history \
		--comment never --fail-on none --json "$out.json" ./... \
		>"$out.stdout" 2>"$out.trace")
}
count() { grep -c "^trace: .* $2 " "$1.trace"; }
verdicts() {
	python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
print(sorted((t["package"], t["name"], t["status"]) for t in d["tests"]))
print(sorted((p["package"], p["status"]) for p in d["packages"]))' "$1.json"
}
# The longest tests link first: with its history, a batch names the
# package whose tests sleep 300 ms before the quick ones (go list's order
# without), so that it runs while the rest still build.
c=$work/c
mkdir -p "$c/aa" "$c/zz"
printf 'module example.com/bc\n\ngo 1.19\n' >"$c/go.mod"
printf 'package aa\nimport "testing"\nfunc TestA(t *testing.T) {}\n' >"$c/aa/a_test.go"
printf 'package zz\nimport (\n"testing"\n"time"\n)\nfunc TestZ(t *testing.T) { time.Sleep(300 * time.Millisecond) }\n' >"$c/zz/z_test.go"
for k in 1 2; do
	(cd "$c" && FLAKE_TRACE=1 "$FLAKE_BIN/flake-collector" run --preset gate --db "$work/c.db" \
		--comment never --fail-on none --json "$work/c$k.json" ./... \
		>"$work/c$k.stdout" 2>"$work/c$k.trace")
done
if [ "${minor:-0}" -ge 21 ]; then
	grep -q "^trace: .* links first: example.com/bc/aa example.com/bc/zz$" "$work/c1.trace" &&
	grep -q "^trace: .* links first: example.com/bc/zz example.com/bc/aa$" "$work/c2.trace" || {
		grep '^trace' "$work/c1.trace" "$work/c2.trace"
		echo "FAIL: want go list's order first, then the 300 ms package first from its history"
		fail=1; }
fi

run "$a" "$work/a1"
run "$a" "$work/a0" FLAKE_NO_BATCH_BUILD=1
run "$a" "$work/a2" FLAKE_NO_STREAM_BUILD=1
run "$b" "$work/b1"
for f in a1 a0 a2 b1; do
	[ -s "$work/$f.json" ] || { cat "$work/$f.trace"; echo "FAIL: $f wrote no results"; exit 1; }
done
if [ "${minor:-0}" -ge 21 ]; then
	# The batch streams its binaries (go test -exec, batch_keeper())...
	[ "$(count "$work/a1" stream)" = 1 ] && [ "$(count "$work/a1" build)" = 1 ] || {
		grep '^trace' "$work/a1.trace"
		echo "FAIL: want one streaming batch build and one fallback build (broken)"; fail=1; }
	# ... or, without, writes them with go test -c -o DIR/.
	[ "$(count "$work/a2" batch)" = 1 ] && [ "$(count "$work/a2" build)" = 1 ] || {
		grep '^trace' "$work/a2.trace"
		echo "FAIL: FLAKE_NO_STREAM_BUILD: want one batch build and one fallback build"; fail=1; }
	[ "$(verdicts "$work/a1")" = "$(verdicts "$work/a2")" ] || {
		verdicts "$work/a1"; verdicts "$work/a2"
		echo "FAIL: the streaming and the -c batch builds disagree"; fail=1; }
else
	[ "$(count "$work/a1" batch)" = 0 ] && [ "$(count "$work/a1" build)" = 4 ] || {
		grep '^trace' "$work/a1.trace"
		echo "FAIL: Go 1.$minor: want four per-package builds"; fail=1; }
fi
[ "$(count "$work/a0" batch)" = 0 ] && [ "$(count "$work/a0" build)" = 4 ] || {
	grep '^trace' "$work/a0.trace"
	echo "FAIL: FLAKE_NO_BATCH_BUILD: want four per-package builds"; fail=1; }
[ "$(count "$work/b1" batch)" = 0 ] && [ "$(count "$work/b1" build)" = 2 ] || {
	grep '^trace' "$work/b1.trace"
	echo "FAIL: two util packages: want two per-package builds"; fail=1; }
[ "$(verdicts "$work/a1")" = "$(verdicts "$work/a0")" ] || {
	verdicts "$work/a1"; verdicts "$work/a0"
	echo "FAIL: the batch and per-package builds disagree"; fail=1; }
verdicts "$work/a1" | grep -q "('example.com/ba/v2', 'TestRoot', 'passed')" &&
	verdicts "$work/a1" | grep -q "('example.com/ba/v2/broken', 'build-failed')" &&
	verdicts "$work/b1" | grep -q "('example.com/bb/y/util', 'TestY', 'passed')" || {
	verdicts "$work/a1"; verdicts "$work/b1"
	echo "FAIL: verdicts"; fail=1; }
python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
e=[p.get("error") or "" for p in d["packages"] if p["package"].endswith("/broken")]
sys.exit(0 if e and "frob" in e[0] and "one_test" not in e[0] else 1)' "$work/a1.json" || {
	echo "FAIL: the broken package's error is not its own"; fail=1; }
[ $fail -eq 0 ] || exit 1
echo "ok: batch build (Go 1.$minor), fallbacks, and the same verdicts both ways"
