"""Results documents for the reporter's tests: doc_for() builds one (the
shape of schema/results.schema.json) from per-cell pass/fail counts."""


def doc_for(repo, run_id, job, tests, cells=("GOMAXPROCS=1",), pr=None,
            attempt=1, shard=None, branch="main", started="2026-11-27T10:00:00Z",
            commit="c0ffee0000", message="want 1, got 2",
            output="    a_test.go:7: want 1, got 2\n"):
    """A results document.  tests: {name: {cell: (passes, failures)}}."""
    out = []
    for name, per in tests.items():
        cs, P, F = [], 0, 0
        for cell, (p, f) in per.items():
            st = "flaky" if p and f else "failed" if f else "passed"
            cs.append({"cell": cell, "status": st, "passes": p, "failures": f,
                       "skips": 0, "notrun": 0})
            P += p
            F += f
        st = ("failed" if any(c["status"] == "failed" for c in cs) else
              "flaky" if any(c["status"] == "flaky" for c in cs) else "passed")
        fd = []
        if F:
            fd.append({"cell": list(per)[0], "kind": "fail", "file": "p/a_test.go",
                       "line": 7, "message": message,
                       "signature": "fail: want N, got N @ p/a_test.go:7",
                       "count": F, "output": output})
        out.append({"package": "example.com/p", "name": name, "status": st,
                    "executions": P + F, "passes": P, "failures": F, "skips": 0,
                    "notrun": 0, "cells": cs, "failure_details": fd,
                    "repro": "go test -run '^%s$' -count=20 ./p" % name if F else None})
    return {"schema_version": 1,
            "meta": {"repository": repo, "commit": commit, "branch": branch,
                     "base_branch": "main" if pr else None, "pr": pr,
                     "run_id": run_id, "run_attempt": attempt, "job": job,
                     "shard": shard, "started_at": started, "go_version": "go1.19.8",
                     "goos": "linux", "goarch": "amd64"},
            "wall_ms": 1000,
            "totals": {"tests": len(out)},
            "cells": [{"name": c, "race": "race" in c, "gomaxprocs": 1, "count": 3,
                       "shuffle": False, "stress": 0, "wall_ms": 10} for c in cells],
            "tests": out, "packages": [{"package": "example.com/p", "status": "ok",
                                       "error": None}]}


def token_and_server(reporter, db, work, repo="acme/api", args=()):
    """Creates an upload token for repo in db, then starts `reporter serve`
    on a free loopback port (its log in work/server.log).  Returns
    (token, process, port)."""
    import os, subprocess, time
    tok = subprocess.run([reporter, "token", "create", "--db", db, repo],
                         stdout=subprocess.PIPE, check=True).stdout.decode().strip()
    portfile = os.path.join(work, "port")
    proc = subprocess.Popen([reporter, "serve", "--db", db, "--listen", "127.0.0.1:0",
                             "--port-file", portfile] + list(args),
                            stderr=open(os.path.join(work, "server.log"), "w"))
    for _ in range(200):
        if os.path.exists(portfile) and open(portfile).read().strip():
            break
        time.sleep(0.05)
    return tok, proc, int(open(portfile).read())
