#!/usr/bin/env python3
"""bench/reporter_gen.py -- realistic upload documents for bench/reporter.sh.

Writes N gzipped results documents (schema/results.schema.json, the shape
flake-collector writes) into DIR as up-NNNN.json.gz, plus DIR/index.tsv
(file, result rows, Idempotency-Key) for bench/reporter_client.py.

Each document: TESTS tests (default 2,000) in 60 packages, some of them
subtests, x the collector's default 6 cells (race off/on x GOMAXPROCS
1,2,4, -count 3), so one upload is TESTS*6 result rows.  Per upload about
1.5 % of the tests are flaky (a fixed flaky-prone set of 5 % flakes with
probability 0.3), 0.1 % fail every execution, 1 % skip; flaky and failed
tests carry failure_details (one per failing cell, with output).  Runs are
spread evenly over the last ~28 days (8 hours apart, all inside the
default 30-day window); 70 % on main, 30 % on PR branches (pr set, so the
reporter also builds the PR comment); every 7th upload is a second job of
the previous workflow run (exercises the run-group merge).  Run ids are
distinct, so no upload is a duplicate.

Usage: reporter_gen.py DIR N [TESTS] [REPO] [SEED]
"""
import gzip
import json
import os
import random
import sys
import time

CELLS = [("GOMAXPROCS=1", False, 1), ("GOMAXPROCS=2", False, 2),
         ("GOMAXPROCS=4", False, 4), ("race GOMAXPROCS=1", True, 1),
         ("race GOMAXPROCS=2", True, 2), ("race GOMAXPROCS=4", True, 4)]
COUNT = 3
WORDS = ("Parse Encode Decode Handler Cache Retry Timeout Pool Queue Store "
         "Index Query Auth Token Session Router Client Server Stream Batch "
         "Merge Split Lock Watch Config Backoff Limit Fanout Drain").split()


def make_tests(n, rng):
    """The test population, fixed for all uploads: (package, name)."""
    pkgs = ["github.com/acme/api/internal/%s%d" % (rng.choice(WORDS).lower(), i)
            for i in range(60)]
    tests, seen = [], set()
    while len(tests) < n:
        p = rng.choice(pkgs)
        name = "Test%s%s" % (rng.choice(WORDS), rng.choice(WORDS))
        if rng.random() < 0.35:
            name += "/case_%d_%s" % (rng.randrange(100),
                                      rng.choice(WORDS).lower())
        if (p, name) in seen:
            continue
        seen.add((p, name))
        tests.append((p, name))
    return tests


def failure(p, name, cell, rng):
    line = rng.randrange(20, 900)
    base = p.rsplit("/", 1)[1]
    f = "internal/%s/%s_test.go" % (base, base)
    ms = rng.uniform(10, 90)
    msg = "took %.2fms, budget 10ms; got %d want %d" % (
        ms, rng.randrange(100), rng.randrange(100))
    leaf = name.split("/")[0]
    return {
        "cell": cell, "kind": "fail", "file": f, "line": line,
        "message": msg,
        "signature": "fail: took <dur>, budget <dur>; got <n> want <n> @ %s:%d"
                     % (f, line),
        "count": 1, "rerun": False,
        "output": "=== RUN   %s\n    %s_test.go:%d: %s\n--- FAIL: %s (%.2fs)\n"
                  % (name, base, line, msg, leaf, ms / 1000),
    }


def make_doc(i, n, tests, flaky_set, broken, rng, repo, now):
    # Second job of the previous run every 7th upload.
    run = 1000000 + (i - 1 if i % 7 == 6 else i)
    job = "test-race" if i % 7 == 6 else "test"
    on_pr = (run % 10) >= 7
    started = now - (n - i) * 8 * 3600 - 600
    meta = {
        "repository": repo,
        "commit": "%040x" % rng.getrandbits(160),
        "branch": "feature-%d" % (run % 97) if on_pr else "main",
        "base_branch": "main" if on_pr else None,
        "pr": 100 + run % 97 if on_pr else None,
        "run_id": str(run), "run_attempt": 1, "job": job,
        "workflow": "ci", "event": "pull_request" if on_pr else "push",
        "server_url": "https://github.com", "shard": None,
        "module": "github.com/acme/api", "go_version": "go1.22.1",
        "goos": "linux", "goarch": "amd64",
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                    time.gmtime(started)),
        "tool_version": "bench",
    }
    out, tot = [], {"failed": 0, "flaky": 0, "passed": 0, "skipped": 0,
                    "notrun": 0}
    execs_all = 0
    for k, (p, name) in enumerate(tests):
        if k in broken:
            status = "failed"
        elif k in flaky_set and rng.random() < 0.3:
            status = "flaky"
        elif k % 100 == 37:
            status = "skipped"
        else:
            status = "passed"
        cells, details = [], []
        P = F = S = 0
        secs = 0.0
        for c, _, _ in CELLS:
            s = rng.uniform(0.001, 0.05)
            if status == "skipped":
                cp, cf, cs, cst = 0, 0, COUNT, "skipped"
            elif status == "failed":
                cp, cf, cs, cst = 0, COUNT, 0, "failed"
            elif status == "flaky" and rng.random() < 0.5:
                cf = rng.randrange(1, COUNT)
                cp, cs, cst = COUNT - cf, 0, "flaky"
            else:
                cp, cf, cs, cst = COUNT, 0, 0, "passed"
            if cf and len(details) < 8:
                details.append(failure(p, name, c, rng))
            P += cp; F += cf; S += cs; secs += s
            cells.append({"cell": c, "status": cst, "passes": cp,
                          "failures": cf, "skips": cs, "notrun": 0,
                          "unknown": 0, "rerun_passes": 0,
                          "rerun_failures": 0, "seconds": round(s, 3)})
        if status == "flaky" and not F:
            status = "passed"
            for c in cells:
                c["status"] = "passed"
        tot[status] += 1
        execs_all += P + F + S
        worst = next((c["cell"] for c in cells if c["failures"]), None)
        out.append({
            "package": p, "name": name, "status": status,
            "executions": P + F + S, "passes": P, "failures": F, "skips": S,
            "notrun": 0, "rerun_passes": 0, "rerun_failures": 0,
            "seconds": round(secs, 3), "via_subtest": False,
            "new_flaky": False, "worst_cell": worst, "where": None,
            "repro": ("go test -run '^%s$' -count=10 ./%s" %
                      (name.split("/")[0], p.split("/", 3)[3])) if F else None,
            "cells": cells, "failure_details": details,
        })
    order = {"failed": 0, "flaky": 1, "passed": 2, "skipped": 3, "notrun": 4}
    out.sort(key=lambda t: (order[t["status"]], t["package"], t["name"]))
    pkgs = sorted({p for p, _ in tests})
    doc = {
        "schema_version": 1, "meta": meta, "wall_ms": rng.randrange(60000, 300000),
        "totals": {"tests": len(tests), "executions": execs_all, **tot},
        "cells": [{"name": c, "race": r, "gomaxprocs": g, "count": COUNT,
                   "shuffle": False, "stress": 0,
                   "wall_ms": rng.randrange(20000, 90000)}
                  for c, r, g in CELLS],
        "tests": out,
        "packages": [{"package": p, "dir": p.split("/", 3)[3],
                      "status": "failed" if any(tests[k][0] == p for k in broken)
                      else "ok", "error": None} for p in pkgs],
    }
    key = "%s/%s/1/%s/" % (repo, meta["run_id"], job)
    return doc, key


def main():
    d, n = sys.argv[1], int(sys.argv[2])
    ntests = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    repo = sys.argv[4] if len(sys.argv) > 4 else "acme/api"
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    rng = random.Random(seed)
    tests = make_tests(ntests, rng)
    flaky_set = set(rng.sample(range(ntests), ntests // 20))
    broken = set(rng.sample(sorted(set(range(ntests)) - flaky_set),
                            max(1, ntests // 1000)))
    now = int(time.time())
    os.makedirs(d, exist_ok=True)
    raw = gz = 0
    with open(os.path.join(d, "index.tsv.tmp"), "w") as idx:
        for i in range(n):
            doc, key = make_doc(i, n, tests, flaky_set, broken, rng, repo, now)
            body = json.dumps(doc, separators=(",", ":")).encode()
            z = gzip.compress(body, 6)
            name = "up-%04d.json.gz" % i
            with open(os.path.join(d, name), "wb") as f:
                f.write(z)
            raw += len(body); gz += len(z)
            idx.write("%s\t%d\t%s\n" % (name, ntests * len(CELLS), key))
    os.replace(os.path.join(d, "index.tsv.tmp"), os.path.join(d, "index.tsv"))
    print("generated %d uploads, %d rows each, %.1f MB JSON, %.1f MB gzip"
          % (n, ntests * len(CELLS), raw / 1e6, gz / 1e6), file=sys.stderr)


if __name__ == "__main__":
    main()
