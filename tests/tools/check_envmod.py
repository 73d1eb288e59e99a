#!/usr/bin/env python3
"""Assertions over tests/integration/envmod.sh's runs of
tests/fixtures/envmod.  usage: check_envmod.py WORKDIR RUN_RC ANALYZE_RC
LINK_RC"""
import json, os, subprocess, sys, time
import xml.etree.ElementTree as ET

work, run_rc, analyze_rc, link_rc = sys.argv[1], *map(int, sys.argv[2:5])
top = os.environ["FLAKE_TOP"]
mod = os.path.join(top, "tests", "fixtures", "envmod")
failures, checks = [], 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print("FAIL:", what)


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import minischema
schema = json.load(open(os.path.join(top, "schema", "results.schema.json")))
doc = json.load(open(os.path.join(work, "results.json")))
check(not minischema.validate(doc, schema), "results.json matches the schema")
tests = {(t["package"].split("/")[-1], t["name"]): t for t in doc["tests"]}
pkgs = {p["package"].split("/")[-1]: p for p in doc["packages"]}


def t(pkg, name):
    x = tests.get((pkg, name))
    check(x is not None, "test %s/%s present" % (pkg, name))
    return x or {"status": None, "failure_details": [], "repro": "",
                 "cells": []}


def kinds(x):
    return sorted({d["kind"] for d in x["failure_details"]})


PKG = "(package)"
# Package-level failures, as go test gives them.
for pkg, kind, before in [("mainbefore", "exit", True), ("mainafter", "exit", False),
                          ("initpanic", "panic", True), ("varpanic", "panic", True),
                          ("osexit", "exit", True), ("signal", "exit", False)]:
    x = t(pkg, PKG)
    check(x["status"] == "failed", "%s: the package failed (%s)" % (pkg, x["status"]))
    check(kinds(x) == [kind], "%s: kind %s, got %r" % (pkg, kind, kinds(x)))
    check(pkgs.get(pkg, {}).get("status") == "failed",
          "%s: package status failed: %r" % (pkg, pkgs.get(pkg, {}).get("status")))
    r = x["repro"] or ""
    check(("-run '^$'" in r) == before,
          "%s: repro runs no test exactly when it failed before any test: %r" % (pkg, r))
    check(r.endswith("-count=1 ./" + pkg), "%s: repro %r" % (pkg, r))
d = t("mainbefore", PKG)["failure_details"][:1]
check(d and d[0]["file"] == "tests/fixtures/envmod/mainbefore/mainbefore_test.go"
      and d[0]["line"] == 14, "TestMain's own file:line: %r" % d)
check(d and "cannot connect to the database" in d[0]["message"], "TestMain's message: %r" % d)
d = t("initpanic", PKG)["failure_details"][:1]
check(d and d[0]["file"] == "tests/fixtures/envmod/initpanic/initpanic_test.go"
      and d[0]["line"] == 7, "init panic located: %r" % d)
d = t("mainafter", PKG)["failure_details"][:1]
check(d and "goleak: found unexpected goroutines" in d[0]["message"] and
      "after its tests passed" in d[0]["message"], "after m.Run: %r" % d)
check(t("mainafter", "TestOne")["status"] == "passed", "mainafter's tests passed")
check(("mainbefore", "TestNeverRuns") not in tests or
      tests[("mainbefore", "TestNeverRuns")]["status"] == "notrun",
      "a test TestMain never ran is not a result (go test has none either)")
flip = t("pkgflip", PKG)
check(flip["status"] == "flaky", "an intermittent package failure is flaky: %s" % flip["status"])
check(flip["repro"].startswith("sh -c 'for i in $(seq "), "flaky package repro loops: %r" % flip["repro"])
# The environment: PWD as go test sets it.
check(t("pwd", "TestPWD")["status"] == "passed", "TestPWD passes (PWD is the package directory)")
fds = t("fds", "TestOnlyInheritedFDs")
check(fds["status"] == "passed", "a test binary gets the parent's descriptor 9 and none of the "
      "collector's: %s %r" % (fds["status"], [d["message"] for d in fds["failure_details"]][:1]))
# State leaks across executions.
reg = t("repeat", "TestRegister")
check(reg["status"] == "passed", "first-passes-then-fails: passed as go test sees it (%s)" % reg["status"])
check(kinds(reg) == ["repeat"], "TestRegister kind repeat: %r" % kinds(reg))
check("-count=2" in reg["repro"] and "'^TestRegister$'" in reg["repro"], "repeat repro %r" % reg["repro"])
check(all(c["failures"] == 0 and c["passes"] == 1 for c in reg["cells"]),
      "only first executions count: %r" % reg["cells"])
warm = t("repeat", "TestWarm")
check(warm["status"] == "failed" and kinds(warm) == ["repeat"],
      "fails-first-then-passes: failed, kind repeat (%s %r)" % (warm["status"], kinds(warm)))
check(t("repeat", "TestStateless")["status"] == "passed", "TestStateless passed")
hang = t("hang", "TestHang")
check(hang["status"] == "failed" and kinds(hang) == ["timeout"], "TestHang timeout")
check("-timeout=4s" in hang["repro"], "timeout repro carries -timeout: %r" % hang["repro"])
check(t("hang", "TestQuick")["status"] == "passed", "TestQuick passed")
# The runner's tokens and Actions endpoints were set for the collector:
# none reached a test binary (envmod/secrets names them in its failure).
sec = t("secrets", "TestNoSecrets")
check(sec["status"] == "passed", "no runner secret reached a test binary: %r"
      % [d.get("message") for d in sec.get("failure_details", [])])
check(doc["totals"]["failed"] >= 8, "totals count package failures: %r" % doc["totals"])
# JUnit: package-level failures are errors.
j = ET.parse(os.path.join(work, "junit.xml")).getroot()
errs = [c for c in j.iter("testcase") if c.find("error") is not None and c.get("name") == PKG]
check(len(errs) >= 6, "JUnit <error> per failing package: %d" % len(errs))
out = open(os.path.join(work, "stdout")).read()
check("FAILED  package example.com/envmod/mainbefore" in out, "terminal names the package")
check("REPEAT  TestRegister" in out, "terminal shows the state leak")
check("packages failing outside any test: 6 failed, 1 flaky" in out, "totals line: %r" % out.strip().splitlines()[-1:])

# analyze over go test -json: the same package failures.
check(analyze_rc == 1, "analyze exit 1 (%d)" % analyze_rc)
adoc = json.load(open(os.path.join(work, "analyze.json")))
atests = {(x["package"].split("/")[-1], x["name"]): x for x in adoc["tests"]}
for pkg in ["mainbefore", "mainafter", "initpanic", "varpanic", "osexit", "signal", "pkgflip"]:
    x = atests.get((pkg, PKG), {})
    check(x.get("status") == "failed", "analyze: %s failed at package level (%r)" % (pkg, x.get("status")))
x = atests.get(("signal", PKG), {})
check(x and kinds(x) == ["crash"] and "signal: killed" in x["failure_details"][0]["message"],
      "analyze: the signal named (go test prints it): %r" % (x and x["failure_details"][:1]))
check(atests.get(("pwd", "TestPWD"), {}).get("status") == "passed", "go test passes TestPWD")
check(atests.get(("fds", "TestOnlyInheritedFDs"), {}).get("status") == "passed",
      "go test passes TestOnlyInheritedFDs (the reference for the descriptors)")
check(not os.path.exists(os.path.join(mod, ".flake")), "analyze wrote no history")

# Repro commands run as printed, from where the collector ran.
def run_repro(cmd, cwd, limit):
    t0 = time.time()
    p = subprocess.run(["sh", "-c", cmd], cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=limit,
                       env=dict(os.environ, ENVMOD_STATE=os.path.join(work, "state3")))
    return p.returncode, time.time() - t0, p.stdout.decode(errors="replace")

os.makedirs(os.path.join(work, "state3"), exist_ok=True)
for key in [("repeat", "TestRegister"), ("repeat", "TestWarm"), ("mainbefore", PKG),
            ("mainafter", PKG), ("initpanic", PKG)]:
    cmd = t(*key)["repro"]
    rc, secs, outp = run_repro(cmd, mod, 120)
    check(rc != 0, "repro of %s/%s fails as printed: %s (exit %d)\n%s" % (key + (cmd, rc, outp[-800:])))
rc, secs, outp = run_repro(hang["repro"], mod, 120)
check(rc != 0 and "test timed out after 4s" in outp,
      "the timeout repro fails by its -timeout (exit %d, %.0fs): %s" % (rc, secs, outp[-400:]))
rc, secs, outp = run_repro(flip["repro"], mod, 120)
check(rc != 0, "the flaky package repro fails within its loop (exit %d)" % rc)

# From a symlinked working directory.
check(link_rc == 1, "symlinked run: exit 1 (TestWarm fails as go test runs it): %d" % link_rc)
ldoc = json.load(open(os.path.join(work, "link.json")))
lreg = [x for x in ldoc["tests"] if x["name"] == "TestRegister"][0]
check(lreg["repro"].endswith(" ./repeat"), "symlinked cwd: repro relative to it: %r" % lreg["repro"])
ld = lreg["failure_details"][:1]
check(ld and ld[0]["file"] == "tests/fixtures/envmod/repeat/repeat_test.go" and ld[0]["line"] == 13,
      "symlinked cwd: file:line kept: %r" % ld)
check(ld and ld[0]["signature"].endswith("@ tests/fixtures/envmod/repeat/repeat_test.go:13"),
      "symlinked cwd: signature keeps its location: %r" % (ld and ld[0]["signature"]))
rc, secs, outp = run_repro(lreg["repro"], os.path.join(work, "link"), 120)
check(rc != 0 and "duplicate metric" in outp, "symlinked cwd: the repro runs there and fails (exit %d)" % rc)

print("%d passed, %d failed" % (checks - len(failures), len(failures)))
sys.exit(1 if failures else 0)
