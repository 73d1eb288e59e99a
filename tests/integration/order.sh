#!/bin/sh
# Order-dependent tests (core/bisect.h): under --shuffle on, with fixed
# seeds (--shuffle-seed 1: processes get seeds 1..6), tests/fixtures/ordmod's
# TestLookup fails in the orders where TestReset ran first.  The collector
# must bisect it to TestReset, say so in `where` and in results' `order`,
# and print a repro of the two tests with the seed that fails as printed,
# while the test alone with that seed passes.  TestNeedsInit also fails
# alone, so it must not be named as order-dependent.
set -u
command -v go >/dev/null || { echo "skipped: no go"; exit 77; }
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
export GOFLAGS=-mod=mod GOTOOLCHAIN=local GOPROXY=off
unset GITHUB_ACTIONS GITHUB_STEP_SUMMARY
mod=$work/ordmod
cp -R "$FLAKE_TOP/tests/fixtures/ordmod" "$mod" || exit 1
cd "$mod" || exit 1
"$FLAKE_BIN/flake-collector" run --race off --gomaxprocs 2 --count 6 \
	--shuffle on --shuffle-seed 1 --rerun 0 --no-history --comment never \
	--fail-on none --json "$work/out.json" ./... >"$work/out.txt" 2>&1
rc=$?
[ $rc -eq 0 ] || { cat "$work/out.txt"; echo "FAIL: exit $rc"; exit 1; }
fail=0
python3 - "$work/out.json" >"$work/check.txt" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
t = {x["name"]: x for x in d["tests"]}
bad = []
lk, ni = t["TestLookup"], t["TestNeedsInit"]
o = lk.get("order") or {}
if lk["status"] != "flaky":
    bad.append("TestLookup is %s, not flaky" % lk["status"])
if o.get("after") != "TestReset":
    bad.append("TestLookup's order: %r, want after TestReset" % o)
# seeds 1..6: TestLookup fails under 2, 3, 5 and 6 (Go's -shuffle)
if o.get("shuffle_seed") not in (2, 3, 5, 6):
    bad.append("order.shuffle_seed %r is not a failing seed" % o.get("shuffle_seed"))
want = "-run '^(TestReset|TestLookup)$' -shuffle=%s -count=1" % o.get("shuffle_seed")
if want not in (lk.get("repro") or ""):
    bad.append("repro %r lacks %r" % (lk.get("repro"), want))
if "fails when TestReset runs before it" not in (lk.get("where") or ""):
    bad.append("where %r" % lk.get("where"))
if ni.get("order"):
    bad.append("TestNeedsInit fails alone, but got order %r" % ni["order"])
if bad:
    print("\n".join(bad))
    sys.exit(1)
print(lk["repro"])
print(o["shuffle_seed"])
PY
if [ $fail -ne 0 ]; then
	cat "$work/check.txt"; cat "$work/out.txt"; echo "FAIL: results"; exit 1
fi
repro=$(sed -n 1p "$work/check.txt")
seed=$(sed -n 2p "$work/check.txt")
grep -q "TestLookup fails after TestReset (-shuffle=$seed" "$work/out.txt" ||
	{ cat "$work/out.txt"; echo "FAIL: no progress line"; fail=1; }
grep -q "TestNeedsInit: order not bisected: it fails when run alone" "$work/out.txt" ||
	{ cat "$work/out.txt"; echo "FAIL: TestNeedsInit's why"; fail=1; }
# The repro as printed fails; TestLookup alone with the same seed passes.
if sh -c "$repro" >"$work/repro.txt" 2>&1; then
	cat "$work/repro.txt"; echo "FAIL: the repro passed: $repro"; fail=1
fi
grep -q "k is gone" "$work/repro.txt" || { echo "FAIL: the repro failed otherwise"; fail=1; }
GOMAXPROCS=2 go test -run '^TestLookup$' -shuffle="$seed" -count=1 . \
	>"$work/alone.txt" 2>&1 || { cat "$work/alone.txt"; echo "FAIL: TestLookup alone failed"; fail=1; }
[ $fail -eq 0 ] || exit 1
echo "ok: TestLookup bisected to TestReset; repro fails as printed: $repro"
