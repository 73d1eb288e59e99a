#!/usr/bin/env python3
"""Differential test: flake-collector analyze vs ../shared/test2json's
reference reduction, over Go's golden corpus and 30 real Go 1.19 streams.

Policy (SPEC section 12): an attempt left incomplete in a failed package,
or at the end of a stream with no package result, is a failure; in a
passing package it is unknown; Benchmark* runs without a result are
ignored.  A test's verdict: flaky (pass and fail), failed (fail only),
passed, skipped (skips only), notrun (nothing known).

usage: corpus_diff.py COLLECTOR SHARED_TEST2JSON_DIR WORKDIR
prints one line per file and a closing "N passed, N failed".
"""
import glob, importlib.util, json, os, subprocess, sys

collector, shared, work = sys.argv[1:4]
spec = importlib.util.spec_from_file_location(
    "ref", os.path.join(shared, "reference_reduction.py"))
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)


def ref_verdicts(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as fh:
        pkgs, raw = ref.reduce(fh)
    out, pkgres = {}, {}
    for pn, p in pkgs.items():
        pkgres[pn] = p["result"]
        for tn, outs in p["tests"].items():
            kinds = set()
            for o in outs:
                base = o.split("(")[0]
                if base == "incomplete":
                    if tn.startswith("Benchmark"):
                        continue
                    if p["result"] == "fail" or o == "incomplete(eof)" \
                            or (p["result"] is None):
                        kinds.add("fail")
                    continue
                if base == "running":
                    continue
                kinds.add(base)
            if "pass" in kinds and "fail" in kinds:
                v = "flaky"
            elif "fail" in kinds:
                v = "failed"
            elif "pass" in kinds:
                v = "passed"
            elif "skip" in kinds:
                v = "skipped"
            else:
                v = "notrun"
            out[(pn, tn)] = v
    return out, pkgres


def ours(path, n):
    js = os.path.join(work, "corpus-%d.json" % n)
    p = subprocess.run([collector, "analyze", "--no-history", "--quiet",
                        "--fail-on", "none", "--json", js, path],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return None, "exit %d: %s" % (p.returncode, p.stderr.strip())
    with open(js) as fh:
        doc = json.load(fh)
    got = {(t["package"], t["name"]): t["status"] for t in doc["tests"]}
    pk = {p["package"]: p["status"] for p in doc["packages"]}
    return (got, pk), None


files = sorted(glob.glob(os.path.join(shared, "go1.19-real", "*.json")))
files += sorted(glob.glob(os.path.join(shared, "golden", "*", "*.json")))
passed = failed = 0
for n, f in enumerate(files):
    want, wantpk = ref_verdicts(f)
    res, err = ours(f, n)
    name = os.path.relpath(f, shared)
    if err:
        # A stream with no JSON event at all (only a [build failed] line)
        # is still a stream: the collector must accept it.
        print("FAIL %s: %s" % (name, err))
        failed += 1
        continue
    got, gotpk = res
    bad = []
    for k, v in want.items():
        if got.get(k) != v:
            bad.append("%s/%s: reference %s, collector %s" %
                       (k[0], k[1], v, got.get(k)))
    for k in got:
        if k not in want:
            bad.append("%s/%s: only in collector (%s)" % (k[0], k[1], got[k]))
    for pn, r in wantpk.items():
        if r and "failed(text)" in r and gotpk.get(pn) != "build-failed":
            bad.append("package %s: reference %s, collector %s" %
                       (pn, r, gotpk.get(pn)))
    if bad:
        failed += 1
        print("FAIL %s" % name)
        for b in bad[:20]:
            print("   ", b)
    else:
        passed += 1
        print("ok   %s (%d tests)" % (name, len(want)))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
