#!/bin/sh
# The conformance adjudicator (tests/tools/conformance.py, adjudicate()):
# a test that passed on one side and failed on the other is rerun alone on
# both.  Three runs over tests/fixtures/adjmod, each a real go test stream
# and a real collector document, two of them edited to stage a one-off
# difference:
#   1. TestFails, its go test result turned into a pass: rerun, go test
#      fails it too -> allowed (flaky-both-sides);
#   2. TestPasses, its collector result turned into a failure: rerun, it
#      never fails -> allowed (not-reproduced);
#   3. TestNotUnderCollector, unedited: it fails whenever the collector runs
#      it, go test passes it -> a mismatch that stands (exit 1).
set -u
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
command -v go >/dev/null || { echo "skipped: no go"; exit 77; }
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
export GOFLAGS=-mod=mod GOTOOLCHAIN=local GOPROXY=off
mod=$work/adjmod
cp -R "$FLAKE_TOP/tests/fixtures/adjmod" "$mod" || exit 1
# stage N TEST: a run directory with the real streams of TEST.
stage() {
	d=$work/runs/$1
	mkdir -p "$d"
	printf 'label=%s\ngo=%s\nrace=off\ndir=%s\npkgs=.\nvetoff=0\ngomaxprocs=2\ngobin=%s\n' \
		"$2" "$(go env GOVERSION)" "$mod" "$(dirname "$(command -v go)")" >"$d/meta"
	(cd "$mod" && GOMAXPROCS=2 go test -json -count=1 -run "^$2\$" . \
		>"$d/ref.json" 2>"$d/ref.stderr"; echo $? >"$d/ref.rc")
	(cd "$mod" && "$FLAKE_BIN/flake-collector" run --race off --gomaxprocs 2 \
		--count 1 --rerun 0 --run "^$2\$" --no-history --comment never \
		--fail-on none --json "$d/col.json" . >"$d/col.stdout" \
		2>"$d/col.stderr"; echo $? >"$d/col.rc")
}
stage 1 TestFails
stage 2 TestPasses
stage 3 TestNotUnderCollector
sed -i 's/"Action":"fail"/"Action":"pass"/' "$work/runs/1/ref.json"
python3 - "$work/runs/2/col.json" <<'PY' || exit 1
import json, sys
p = sys.argv[1]
d = json.load(open(p))
for t in d["tests"]:
    t.update(status="failed", passes=0, failures=1)
    for c in t["cells"]:
        c.update(status="failed", passes=0, failures=1)
json.dump(d, open(p, "w"))
PY
conf=$FLAKE_TOP/tests/tools/conformance.py
fail=0
python3 "$conf" "$work/runs/1" "$work/runs/2" >"$work/allowed.out" 2>&1
rc=$?
cat "$work/allowed.out"
[ $rc -eq 0 ] || { echo "FAIL: staged one-off differences were not allowed (exit $rc)"; fail=1; }
grep -q 'allowed\[flaky-both-sides\] TestFails' "$work/allowed.out" ||
	{ echo "FAIL: TestFails not allowed as flaky-both-sides"; fail=1; }
grep -q 'allowed\[not-reproduced\] TestPasses' "$work/allowed.out" ||
	{ echo "FAIL: TestPasses not allowed as not-reproduced"; fail=1; }
grep -q 'go test 0 passed/20 failed, collector 0 passed/20 failed' "$work/allowed.out" ||
	{ echo "FAIL: TestFails' reruns not counted 20 and 20"; fail=1; }
python3 "$conf" "$work/runs/3" >"$work/mismatch.out" 2>&1
rc=$?
cat "$work/mismatch.out"
[ $rc -eq 1 ] || { echo "FAIL: a reproducible disagreement did not fail (exit $rc)"; fail=1; }
grep -q 'go test 20 passed/0 failed, collector 0 passed/20 failed.*reproducible' \
	"$work/mismatch.out" || { echo "FAIL: TestNotUnderCollector not reported reproducible"; fail=1; }
[ $fail -eq 0 ] || exit 1
echo "ok: one-off differences allowed with their reruns, a reproducible one fails"
