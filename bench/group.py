#!/usr/bin/env python3
"""bench/group.py -- the PR comment of a sharded run: merged from rows vs
from documents (docs/PERFORMANCE.md, "Shards merged from rows").

K shard uploads of one workflow run (bench/reporter_gen.py documents, TESTS
tests x 6 cells each, rewritten to one run id, attempt, job and PR, shard
i/K) are POSTed one after another to a fresh real flake-reporter.  Each
upload after the first builds the PR comment over every shard so far
(reporter/comment.c -> store_group_results()).  Mode "rows" is the
default since schema 006; mode "docs" sets runs.rows_complete = 0 before
every upload, so the same binary reads every earlier shard back from its
stored document as it did before (inflate + parse + merge).  Prints, per
mode, the median over REPS repetitions of the last upload's latency and of
the sum over all K uploads.

Usage: group.py BIN_DIR [K] [TESTS] [REPS]
"""
import gzip
import http.client
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

REPO = "acme/api"


def make_docs(tmp, k, tests):
    gen = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "reporter_gen.py")
    d = os.path.join(tmp, "gen")
    subprocess.run([sys.executable, gen, d, str(k), str(tests), REPO, "7"],
                   check=True, stdout=subprocess.DEVNULL)
    out = []
    for i, name in enumerate(sorted(f for f in os.listdir(d)
                                    if f.endswith(".json.gz"))):
        with gzip.open(os.path.join(d, name)) as f:
            doc = json.load(f)
        m = doc["meta"]
        m.update(run_id="990001", run_attempt=1, job="test",
                 shard="%d/%d" % (i + 1, k), pr=12, branch="feature",
                 base_branch="main", event="pull_request")
        out.append(gzip.compress(json.dumps(doc).encode(), 6))
    return out


def one(bindir, docs, mode, tmp):
    db = os.path.join(tmp, "db-" + mode)
    for suf in ("", "-wal", "-shm"):
        if os.path.exists(db + suf):
            os.unlink(db + suf)
    rep = os.path.join(bindir, "flake-reporter")
    token = subprocess.run([rep, "token", "create", "--db", db, REPO],
                           check=True, capture_output=True,
                           text=True).stdout.strip()
    portf = os.path.join(tmp, "port-" + mode)
    if os.path.exists(portf):
        os.unlink(portf)
    srv = subprocess.Popen([rep, "serve", "--db", db, "--listen",
                            "127.0.0.1:0", "--port-file", portf],
                           stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            if os.path.exists(portf) and os.path.getsize(portf):
                break
            time.sleep(0.05)
        port = int(open(portf).read())
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        lat = []
        for i, body in enumerate(docs):
            if mode == "docs" and i:
                q = sqlite3.connect(db, timeout=30)
                q.execute("UPDATE runs SET rows_complete = 0")
                q.commit()
                q.close()
            t0 = time.monotonic()
            c.request("POST", "/api/v1/uploads", body=body, headers={
                "Authorization": "Bearer " + token,
                "Content-Type": "application/json",
                "Content-Encoding": "gzip",
                "Idempotency-Key": "grp-%s-%d" % (mode, i)})
            r = c.getresponse()
            data = r.read()
            lat.append((time.monotonic() - t0) * 1000)
            if r.status != 201:
                sys.exit("upload %d: %d %s" % (i, r.status, data[:200]))
            got = json.loads(data)
            if got.get("comment", {}).get("status") in (None, "failed"):
                sys.exit("upload %d: no comment: %s" % (i, data[:300]))
        c.close()
        return lat
    finally:
        srv.terminate()
        srv.wait()


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def main():
    bindir = sys.argv[1]
    k = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    tests = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    reps = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    with tempfile.TemporaryDirectory() as tmp:
        docs = make_docs(tmp, k, tests)
        res = {}
        for mode in ("rows", "docs"):
            last, tot = [], []
            for _ in range(reps):
                lat = one(bindir, docs, mode, tmp)
                last.append(lat[-1])
                tot.append(sum(lat))
            res[mode] = (median(last), median(tot))
            print("group %s: %d shards x %d rows: last upload %.0f ms, "
                  "all %d uploads %.0f ms (median of %d)" % (
                      mode, k, tests * 6, res[mode][0], k, res[mode][1],
                      reps), file=sys.stderr)
        print("| upload of shard %d of %d (%d rows each), merged comment "
              "included | %.0f ms | %.0f ms | %.2fx |" % (
                  k, k, tests * 6, res["rows"][0], res["docs"][0],
                  res["docs"][0] / res["rows"][0]))
        print("| all %d uploads of the run | %.0f ms | %.0f ms | %.2fx |" % (
            k, res["rows"][1], res["docs"][1],
            res["docs"][1] / res["rows"][1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
