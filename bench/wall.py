#!/usr/bin/env python3
"""bench/wall.py -- detection per wall-second (issue 13; part 7 of
`make bench`, docs/PERFORMANCE.md).

    python3 bench/wall.py [TRIALS [MODULE...]]

For each module (default examples/flaky and bench/flaky2), P is the
median wall time of a plain `go test -count=1 -timeout 20s ./...` (after
one warm-up, so the build cache is warm for every side).  Then, TRIALS
times (default 20), for B = 1x, 2x and 5x P:

  * `flake-collector run --budget B` (no history, the default matrix);
  * the seed recipe `GOMAXPROCS=2 go test -json -race -count=3 ./...`
    repeated to the same wall time B, the last run killed at B (what its
    stream reported failed before the kill counts): "recipe = B", the
    comparison the issue names;
  * the same recipe repeated while its elapsed time is below B: at least
    once, so it gets at least the budget's wall time -- far more at
    small B, where one run takes longer than the budget: "recipe >= B",
    the generous one;

and once per trial `gotestsum --rerun-fails -- -count=1 ./...`.  Every
side gets `-timeout 20s` (a hang costs 20 s everywhere; `go test`'s
default of 10 minutes would make one hang the whole benchmark).

A planted problem is caught when the collector's verdict for its test is
flaky or failed, or it reported the test's state leak (kind `repeat`,
whose verdict is go test's: passed), or when any execution of the recipe
or gotestsum failed it or its package (credit(): a crash or a timeout
fails the package, and go test names no test for a panic in a background
goroutine).  Prints, per module, a markdown table: trials that caught each plant,
the median wall time of each column, and the planted problems caught per
trial (mean).  Raw results stay in bench/out/wall/.
"""
import json
import os
import signal
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out", "wall")
COLLECTOR = os.path.join(ROOT, "bin", "flake-collector")
MULTS = (1, 2, 5)

# Planted problems per module, as test2json names the test.  TestAlwaysFails
# (examples/flaky/broken) is broken, not planted as a flake: left out.
PLANTS = {
    "examples/flaky": {
        "TestWorkerPool/concurrent_submissions": "example.com/flaky/pool",
        "TestDeadline": "example.com/flaky/deadline",
        "TestRandomFailure": "example.com/flaky/random",
        "TestNames/flaky_ünïcode": "example.com/flaky/names",
        "TestGoroutinePanic": "example.com/flaky/crash",
        "TestCounterRace": "example.com/flaky/race",
        "TestOccasionalHang": "example.com/flaky/hang",
        "TestOrderDepends": "example.com/flaky/order"},
    "bench/flaky2": {
        "TestRareFlake": "example.com/flaky2/rare",
        "TestRegisterOnce": "example.com/flaky2/leak",
        "TestNeedsTwoThreads": "example.com/flaky2/serial",
        "TestRareRace": "example.com/flaky2/racy",
        "TestSlowChecksum": "example.com/flaky2/slow",
        "TestFirstKey": "example.com/flaky2/maporder"},
}


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def env(**kw):
    e = dict(os.environ)
    e.pop("GOFLAGS", None)
    e.update(kw)
    return e


def timed(argv, cwd, out=None, e=None):
    t0 = time.monotonic()
    with open(out or os.devnull, "wb") as f:
        subprocess.run(argv, cwd=cwd, stdout=f, stderr=subprocess.DEVNULL,
                       env=e or env())
    return time.monotonic() - t0


def failed_in_stream(path):
    """Tests with a fail action in a go test -json stream, and packages
    that failed ("pkg:" + import path)."""
    names = set()
    with open(path, "rb") as f:
        for line in f:
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            if ev.get("Action") == "fail":
                names.add(ev["Test"] if ev.get("Test") else
                          "pkg:" + ev.get("Package", ""))
    return names


def credit(caught, plants, pkg_of):
    """A baseline is credited with a plant when its package failed:
    a panic in a background goroutine or a timeout fails the package,
    and go test names no test for the first.  Generous: any failure of
    the package counts."""
    return caught | {p for p in plants if "pkg:" + pkg_of[p] in caught}


def collector(mod, budget_ms, tag):
    path = os.path.join(OUT, tag + ".json")
    wall = timed([COLLECTOR, "run", "--no-history", "--quiet", "--fail-on",
                  "none", "--timeout", "20s", "--budget", "%dms" % budget_ms,
                  "--json", path, "./..."], mod)
    caught = set()
    with open(path) as f:
        for t in json.load(f)["tests"]:
            # A state leak across executions is reported as kind
            # repeat with go test's verdict (passed): caught too.
            if t.get("status") in ("flaky", "failed") or any(
                    f.get("kind") == "repeat" for f in t.get("failure_details", [])):
                caught.add(t["name"])
    return caught, wall


def recipe(mod, budget_s, tag):
    caught, t0, k = set(), time.monotonic(), 0
    while k == 0 or time.monotonic() - t0 < budget_s:
        path = os.path.join(OUT, "%s-%d.json" % (tag, k))
        timed(["go", "test", "-json", "-race", "-count=3", "-timeout", "20s",
               "./..."], mod, path, env(GOMAXPROCS="2"))
        caught |= failed_in_stream(path)
        k += 1
    return caught, time.monotonic() - t0


def recipe_cut(mod, budget_s, tag):
    """The recipe repeated to exactly budget_s of wall time: the run
    still going at the end is killed (its process group, so no test
    binary outlives it), and what its stream reported so far counts."""
    caught, t0, k = set(), time.monotonic(), 0
    while time.monotonic() - t0 < budget_s:
        path = os.path.join(OUT, "%s-%d.json" % (tag, k))
        with open(path, "wb") as f:
            p = subprocess.Popen(["go", "test", "-json", "-race", "-count=3",
                                  "-timeout", "20s", "./..."], cwd=mod,
                                 stdout=f, stderr=subprocess.DEVNULL,
                                 env=env(GOMAXPROCS="2"),
                                 start_new_session=True)
            try:
                p.wait(timeout=max(0.0, budget_s - (time.monotonic() - t0)))
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        caught |= failed_in_stream(path)
        k += 1
    return caught, time.monotonic() - t0


def gotestsum(mod, tag):
    path = os.path.join(OUT, tag + ".json")
    wall = timed(["gotestsum", "--format", "dots", "--jsonfile", path,
                  "--rerun-fails", "--packages", "./...", "--",
                  "-count=1", "-timeout", "20s"], mod)
    return failed_in_stream(path), wall


def main():
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    mods = sys.argv[2:] or list(PLANTS)
    os.makedirs(OUT, exist_ok=True)
    for rel in mods:
        mod = os.path.join(ROOT, rel)
        plants = list(PLANTS[rel])
        timed(["go", "test", "-count=1", "-timeout", "20s", "./..."], mod)
        timed(["go", "test", "-race", "-count=1", "-timeout", "20s", "./..."], mod)
        plain = statistics.median(
            timed(["go", "test", "-count=1", "-timeout", "20s", "./..."], mod)
            for _ in range(3))
        cols = []
        for m in MULTS:
            # The budget as run: --budget takes at least 1 s.
            cols += [("--budget %d× (%.1f s)" % (m, max(1.0, m * plain)), "c", m),
                     ("recipe = %d×" % m, "k", m),
                     ("recipe ≥ %d×" % m, "r", m)]
        cols.append(("gotestsum --rerun-fails", "g", 0))
        hits = {c[0]: {p: 0 for p in plants} for c in cols}
        walls = {c[0]: [] for c in cols}
        for i in range(trials):
            for name, kind, m in cols:
                tag = "%s-%s%d-%d" % (os.path.basename(rel), kind, m, i)
                budget_ms = max(1000, int(m * plain * 1000))
                if kind == "c":
                    caught, wall = collector(mod, budget_ms, tag)
                elif kind == "r":
                    caught, wall = recipe(mod, m * plain, tag)
                    caught = credit(caught, plants, PLANTS[rel])
                elif kind == "k":
                    caught, wall = recipe_cut(mod, budget_ms / 1000.0, tag)
                    caught = credit(caught, plants, PLANTS[rel])
                else:
                    caught, wall = gotestsum(mod, tag)
                    caught = credit(caught, plants, PLANTS[rel])
                walls[name].append(wall)
                for p in plants:
                    hits[name][p] += p in caught
            log("%s: trial %d/%d done" % (rel, i + 1, trials))
        print("\n%s: plain `go test -count=1 ./...` %.2f s (median of 3); "
              "%d trials\n" % (rel, plain, trials))
        print("| planted test | " + " | ".join(c[0] for c in cols) + " |")
        print("|---|" + "---|" * len(cols))
        for p in plants:
            print("| `%s` | %s |" % (p, " | ".join(
                "%d/%d" % (hits[c[0]][p], trials) for c in cols)))
        print("| median wall | %s |" % " | ".join(
            "%.1f s" % statistics.median(walls[c[0]]) for c in cols))
        print("| plants caught per trial (mean) | %s |" % " | ".join(
            "%.2f" % (sum(hits[c[0]].values()) / trials) for c in cols))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
