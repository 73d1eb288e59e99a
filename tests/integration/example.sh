#!/bin/sh
# The real collector over the bundled example module (examples/flaky):
# the planted problems that are certain under this matrix must be found
# with the right verdict, kind, cells and repro command.  Probabilistic
# plants are covered deterministically by tests/fixtures/detmod.
set -eu
command -v go >/dev/null || { echo "skipped: no go on PATH"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$FLAKE_TOP/examples/flaky"
rc=0
"$FLAKE_BIN/flake-collector" run --gomaxprocs 1,2 --count 3 --timeout 10s \
	--db "$work/history.db" --json "$work/results.json" --quiet \
	2>"$work/stderr" || rc=$?
cat "$work/stderr"
[ $rc -eq 1 ] || { echo "want exit 1 (a failed test), got $rc"; exit 1; }
python3 - "$work/results.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
t = {x["name"]: x for x in doc["tests"]}
bad = []
def check(c, what):
    if not c:
        bad.append(what); print("FAIL:", what)
a = t.get("TestAlwaysFails", {})
check(a.get("status") == "failed", "TestAlwaysFails failed")
check({d["kind"] for d in a.get("failure_details", [])} == {"fail"}, "kind fail")
check(a.get("repro", "").endswith("-run '^TestAlwaysFails$' -count=1 ./broken"),
      "repro %r" % a.get("repro"))
r = t.get("TestCounterRace", {})
check({d["kind"] for d in r.get("failure_details", [])} == {"race"}, "race kind")
check(r.get("where") == "only under -race", "race only under -race: %r" % r.get("where"))
check(r.get("status") in ("failed", "flaky"), "race reported")
check(t.get("TestCounterAtomic", {}).get("status") == "passed", "atomic counter passes")
check(t.get("TestAdd", {}).get("status") == "passed", "TestAdd passed")
check(t.get("TestSkipped", {}).get("status") == "skipped", "TestSkipped skipped")
check(t.get("TestBrokenSibling", {}).get("status") == "passed", "sibling passed")
check("TestNames/with_space" in t, "subtest with a space")
check("TestNames/<script>alert(1)</script>" in t, "hostile subtest name kept verbatim")
check(len(doc["cells"]) == 4, "4 cells")
print("%d failed" % len(bad))
sys.exit(1 if bad else 0)
PY
