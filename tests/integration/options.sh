#!/bin/sh
# Matrix options on tests/fixtures/detmod: --shuffle (fresh seed per
# execution, recorded, in the repro), --stress, --verify-repro, --skip,
# --run, --race, --gomaxprocs, --preset.
set -eu
command -v go >/dev/null || { echo "skipped: no go on PATH"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$FLAKE_TOP/tests/fixtures/detmod"
C="$FLAKE_BIN/flake-collector"
common="--no-history --quiet --fail-on none --race off --gomaxprocs 1"
$C run $common --count 16 --shuffle on --stress 1 --json "$work/a.json" ./order
$C run $common --count 4 --verify-repro --json "$work/b.json" ./flip
# --cpu-burn is --stress's new name: the same cell.
$C run $common --count 1 --cpu-burn 1 --json "$work/cb.json" ./det
$C run $common --count 1 --skip 'Fail|Sub' --json "$work/c.json" ./det
$C run $common --count 1 --run 'TestPass|TestSkip' --json "$work/d.json" ./det
# Presets: defaults that given options override, in any order.
$C run --no-history --quiet --fail-on none --preset gate --json "$work/g.json" ./det ./flip
$C run --no-history --quiet --fail-on none --race on --preset gate --json "$work/g2.json" ./det
$C run --no-history --quiet --fail-on none --preset deep --count 2 --race off \
	--gomaxprocs 2 --json "$work/p.json" ./det
# --pass-env lets one named secret through, and only it.
(cd ../envmod && ENVMOD_SECRETS="GITHUB_TOKEN FLAKE_TOKEN" GITHUB_TOKEN=ghs_x FLAKE_TOKEN=flk_x \
	$C run --no-history --quiet --fail-on none --race off --gomaxprocs 1 --count 1 \
	--rerun 0 --pass-env GITHUB_TOKEN --json "$work/pe.json" ./secrets)
rc=0; $C run --preset fast ./det 2>"$work/preset.err" || rc=$?
[ $rc -eq 2 ] && grep -q "option '--preset' wants gate, hunt or deep, not 'fast'" "$work/preset.err" ||
	{ echo "FAIL: --preset fast: exit $rc: $(cat "$work/preset.err")"; exit 1; }
rc=0; $C run --gomaxprocs 1,default,default ./det 2>"$work/gmp.err" || rc=$?
[ $rc -eq 2 ] && grep -q "given twice" "$work/gmp.err" ||
	{ echo "FAIL: --gomaxprocs default twice: exit $rc"; exit 1; }
# On a terminal: a live progress line with an ETA, redrawn in place.
if command -v script >/dev/null; then
	script -qfec "'$C' run $common --count 1 --timeout 2s ./hangy" "$work/tty.txt" >/dev/null 2>&1 || :
	grep -q "processes, .* cells" "$work/tty.txt" || { echo "FAIL: no live progress line on a tty"; exit 1; }
	grep -q "$(printf '\r\033\[K')" "$work/tty.txt" || { echo "FAIL: live line not redrawn"; exit 1; }
fi
python3 - "$work" <<'PY'
import json, os, sys
w = sys.argv[1]
load = lambda n: json.load(open(os.path.join(w, n)))
bad = []
def check(c, what):
    if not c:
        bad.append(what); print("FAIL:", what)
def tests(doc):
    return {t["name"]: t for t in doc["tests"]}
a = load("a.json")
c0 = a["cells"][0]
check(c0["name"] == "GOMAXPROCS=1 shuffle stress=1", "cell name %r" % c0["name"])
check(c0["shuffle"] is True and c0["stress"] == 1, "cell shuffle/stress")
dep = tests(a)["TestDepends"]
check(dep["status"] == "flaky", "order-dependent test flaky under shuffle: %s" % dep["status"])
check(dep["executions"] == 16, "16 executions (one process each)")
seeds = [d.get("shuffle_seed") for d in dep["failure_details"]]
check(seeds and all(isinstance(s, int) and s > 0 for s in seeds), "seed recorded %r" % seeds)
check("-shuffle=%d" % seeds[0] in dep["repro"] if seeds and seeds[0] else False,
      "repro carries the seed: %r" % dep["repro"])
check(tests(a)["TestSetup"]["status"] == "passed", "TestSetup passed")
b = load("b.json")
flip = tests(b)["TestFlip"]
check(flip["status"] == "flaky", "flip flaky")
check(flip.get("repro_verified") == {"runs": 1, "failures": 1},
      "repro verified %r" % flip.get("repro_verified"))
c = tests(load("c.json"))
check("TestFail" not in c and "TestSub" not in c and "TestPass" in c,
      "--skip removed TestFail/TestSub: %r" % sorted(c))
d = tests(load("d.json"))
check(sorted(d) == ["TestPass", "TestSkip"], "--run kept two tests: %r" % sorted(d))
check(len(load("d.json")["cells"]) == 1, "--race off --gomaxprocs 1: one cell")
g = load("g.json")
check([(c["name"], c["race"], c["gomaxprocs"], c["count"]) for c in g["cells"]] ==
      [("default", False, None, 1)], "--preset gate: one cell as go test runs: %r" % g["cells"])
gt = tests(g)
check(gt["TestFlip"]["executions"] == 1, "--preset gate: -count=1: %r" % gt["TestFlip"])

check(gt["TestFail"]["status"] == "failed" and gt["TestFail"]["rerun_failures"] == 3,
      "--preset gate: 3 reruns of a broken test: %r" % gt["TestFail"])
check("GOMAXPROCS" not in gt["TestFail"]["repro"] and "-race" not in gt["TestFail"]["repro"],
      "--preset gate: the repro is plain go test: %r" % gt["TestFail"]["repro"])
check([c["parallel"] for c in g["cells"]] == [None],
      "gate's cell: -parallel is the machine's (GOMAXPROCS unset): %r" % g["cells"])
check([c["parallel"] for c in load("d.json")["cells"]] == [1],
      "the GOMAXPROCS=1 cell runs -parallel 1 (its default), recorded")
pe = [d.get("message", "") for t in load("pe.json")["tests"] for d in t["failure_details"]]
check(pe == ['GITHUB_TOKEN reached the test binary: "ghs_x"'],
      "--pass-env GITHUB_TOKEN: it reaches the test, FLAKE_TOKEN does not: %r" % pe)
g2 = load("g2.json")["cells"]
check([(c["name"], c["race"]) for c in g2] == [("race", True)],
      "--race on overrides the gate preset's race: %r" % g2)
p = load("p.json")["cells"]
check([(c["name"], c["count"], c["shuffle"], c["stress"]) for c in p] ==
      [("GOMAXPROCS=2 shuffle stress=2", 2, True, 2)],
      "--preset deep: shuffle and stress, --count 2 wins: %r" % p)
check([c["name"] for c in load("cb.json")["cells"]] == ["GOMAXPROCS=1 stress=1"] and
      [c["name"] for c in load("a.json")["cells"]] == ["GOMAXPROCS=1 shuffle stress=1"],
      "--cpu-burn 1 and --stress 1 make the same stress=1 cell")
print("%d failed" % len(bad))
sys.exit(1 if bad else 0)
PY
