#!/usr/bin/env python3
"""--shard I/N splits the work (core/plan.h): over tests/fixtures/detmod
(deterministic outcomes), N shards run every (package, cell) unit exactly
once, and merged -- by summing the shards' documents here, and by a real
reporter's run group -- they have the same tests, verdicts and execution
counts as one unsharded run with the same options.

usage: shard_test.py BINDIR WORKDIR MODULE"""
import json, os, subprocess, sys, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testdocs  # noqa: E402
from checks import check, done  # noqa: E402

bindir, work, module = sys.argv[1], sys.argv[2], sys.argv[3]
COLLECTOR = os.path.join(bindir, "flake-collector")
REPORTER = os.path.join(bindir, "flake-reporter")
PKGS = ["./det", "./flip", "./order", "./panicky", "./racy", "./nobuild"]
BASE = [COLLECTOR, "run", "--gomaxprocs", "1,2", "--count", "2", "--rerun", "1",
        "--timeout", "5s", "--quiet", "--comment", "never", "--no-history"]


def env(extra=None):
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("GITHUB_") and k not in ("FLAKE_TOKEN", "CI")}
    e.update(extra or {})
    return e


def run(name, shard=None, extra=(), env_extra=None):
    out = os.path.join(work, name + ".json")
    args = BASE + ["--json", out] + (["--shard", shard] if shard else []) + list(extra) + PKGS
    p = subprocess.run(args, cwd=module, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env(env_extra))
    doc = json.load(open(out)) if os.path.exists(out) else {"tests": [], "packages": []}
    return p.returncode, doc, p.stderr.decode(errors="replace")


def units(doc):
    """(package, cell) pairs with an execution or a notrun in doc."""
    u = set()
    for t in doc["tests"]:
        for c in t["cells"]:
            if c["passes"] + c["failures"] + c["skips"] + c["notrun"] + c.get("unknown", 0):
                u.add((t["package"], c["cell"]))
    return u


def counts(docs):
    """(package, name) -> {cell: (passes, failures, skips, notrun)} summed."""
    out = {}
    for d in docs:
        for t in d["tests"]:
            per = out.setdefault((t["package"], t["name"]), {})
            for c in t["cells"]:
                old = per.get(c["cell"], (0, 0, 0, 0))
                per[c["cell"]] = tuple(a + b for a, b in zip(old, (
                    c["passes"], c["failures"], c["skips"], c["notrun"])))
    return out


def main():
    rc, full, err = run("full")
    check(rc == 1 and full["tests"], "unsharded run: exit 1 on detmod's failures (%d) %s"
          % (rc, err[-300:]))
    want = counts([full])
    verdict = {(t["package"], t["name"]): t["status"] for t in full["tests"]}
    WANT.update(units=units(full), counts=want,
                pkgs={p["package"]: p["status"] for p in full["packages"]})

    # The 3 shards also upload to a real reporter, which merges the
    # uploads of one workflow run's shards.
    db = os.path.join(work, "reporter.db")
    tok, proc, port = testdocs.token_and_server(REPORTER, db, work, repo="acme/detmod")
    try:
        shards(2)
        shards(3, port, tok)
        reporter_merged(port, want, verdict)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    done()


def shards(n, port=None, tok=None):
    want_units, want, pkg_status = WANT["units"], WANT["counts"], WANT["pkgs"]
    meta, env_extra = [], None
    if port:
        meta = ["--repository", "acme/detmod", "--run-id", "77", "--run-attempt", "1",
                "--job", "flaky", "--reporter", "http://127.0.0.1:%d" % port]
        env_extra = {"FLAKE_TOKEN": tok, "FLAKE_UPLOAD_MAX_WAIT_MS": "1"}
    if True:
        docs, plans, errs = [], set(), []
        for i in range(1, n + 1):
            rc, d, err = run("s%d-%d" % (i, n), "%d/%d" % (i, n), extra=meta,
                             env_extra=env_extra)
            if port:
                check("uploaded to the reporter" in err, "reporter: shard %d/%d uploaded: %s"
                      % (i, n, err[-300:]))
            docs.append(d)
            errs.append(err)
            plans |= {l.split("plan ")[1].rstrip(")") for l in err.splitlines()
                      if "flake-collector: shard " in l and "plan " in l}
            check(d["meta"].get("shard") == "%d/%d" % (i, n), "%d/%d: the shard is recorded" % (i, n))
        check(len(plans) == 1, "%d shards: one plan (digests %r)" % (n, plans))
        seen = [units(d) for d in docs]
        union = set().union(*seen)
        check(union == want_units, "%d shards: together every unit (%d of %d)"
              % (n, len(union), len(want_units)))
        check(sum(len(s) for s in seen) == len(union),
              "%d shards: no unit twice (%r)" % (n, [len(s) for s in seen]))
        check(all(seen), "%d shards: each shard has work: %r" % (n, [len(s) for s in seen]))
        got = counts(docs)
        check(got == want, "%d shards: the same tests and per-cell counts: %r" % (
            n, {k: (got.get(k), want.get(k)) for k in set(got) | set(want) if got.get(k) != want.get(k)}))
        # A package appears in the shards that ran it, never as an empty
        # "ok" elsewhere; its status merged is the unsharded one.
        merged_pkg = {}
        rank = {"build-failed": 3, "failed": 2, "ok": 1, "no-tests": 0}
        for d in docs:
            for p in d["packages"]:
                old = merged_pkg.get(p["package"])
                if old is None or rank[p["status"]] > rank[old]:
                    merged_pkg[p["package"]] = p["status"]
        tested = {k: v for k, v in pkg_status.items() if v != "no-tests"}
        check({k: v for k, v in merged_pkg.items() if v != "no-tests"} == tested,
              "%d shards: package statuses merge to the unsharded ones: %r vs %r"
              % (n, merged_pkg, tested))



def reporter_merged(port, want, verdict):
    with urllib.request.urlopen("http://127.0.0.1:%d/api/v1/repos/acme/detmod/runs" % port,
                                timeout=30) as r:
        runs = json.loads(r.read())["runs"]
    check(len(runs) == 1 and runs[0]["uploads"] == 3,
          "reporter: one run of 3 uploads: %r" % runs)
    if not runs:
        return
    with urllib.request.urlopen("http://127.0.0.1:%d/api/v1/runs/%d?limit=5000"
                                % (port, runs[0]["run_id"]), timeout=30) as r:
        merged = json.loads(r.read())
    got = {(t["package"], t["name"]): t["status"] for t in merged["tests"]}
    check(got == verdict, "reporter: the merged verdicts are the unsharded ones: %r"
          % {k: (got.get(k), verdict.get(k)) for k in set(got) | set(verdict)
             if got.get(k) != verdict.get(k)})
    check(counts([merged]) == want, "reporter: the merged counts are the unsharded ones")


WANT = {}
main()
