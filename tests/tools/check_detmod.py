#!/usr/bin/env python3
"""Assertions over one collector run of tests/fixtures/detmod (see
tests/integration/detmod.sh).  usage: check_detmod.py WORKDIR"""
import json, os, sqlite3, sys
import xml.etree.ElementTree as ET

work = sys.argv[1]
failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print("FAIL:", what)


doc = json.load(open(os.path.join(work, "results.json")))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import minischema
schema = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                     "..", "..", "schema", "results.schema.json")))
errs = minischema.validate(doc, schema)
check(not errs, "results.json matches schema/results.schema.json: %s" % errs[:5])
tests = {(t["package"].split("/")[-1], t["name"]): t for t in doc["tests"]}
cells = [c["name"] for c in doc["cells"]]
check(cells == ["GOMAXPROCS=1", "GOMAXPROCS=2", "race GOMAXPROCS=1",
                "race GOMAXPROCS=2"], "cells %r" % cells)
check(all(c["count"] == 4 for c in doc["cells"]), "count 4 per cell")
check(doc["meta"]["repository"] == "acme/detmod", "repository from env")
check(doc["meta"]["run_id"] == "42", "run id from env")
check(doc["meta"]["go_version"].startswith("go1."), "go version")


def t(pkg, name):
    x = tests.get((pkg, name))
    check(x is not None, "test %s/%s present" % (pkg, name))
    return x or {"status": None, "cells": [], "failure_details": [],
                 "repro": "", "notrun": 0}


def kinds(x):
    return {d["kind"] for d in x["failure_details"]}


check(t("det", "TestPass")["status"] == "passed", "TestPass passed")
check(t("det", "TestPass")["executions"] == 16, "TestPass 4x4 executions")
check(t("det", "TestSkip")["status"] == "skipped", "TestSkip skipped")
f = t("det", "TestFail")
check(f["status"] == "failed", "TestFail failed")
check(kinds(f) == {"fail"}, "TestFail kind fail")
d = f["failure_details"][0] if f["failure_details"] else {}
check(d.get("file") == "tests/fixtures/detmod/det/det_test.go" and
      d.get("line") == 10, "TestFail location %r:%r" % (d.get("file"), d.get("line")))
check(d.get("message") == "want 1, got 2", "TestFail message %r" % d.get("message"))
check(d.get("signature") == "fail: want N, got N @ tests/fixtures/detmod/det/det_test.go:10",
      "TestFail signature %r" % d.get("signature"))
check(f["rerun_failures"] == 8 and f["rerun_passes"] == 0, "TestFail reruns 8 failed")
check(f["repro"] == "GOMAXPROCS=1 go test -run '^TestFail$' -count=1 ./det",
      "TestFail repro %r" % f["repro"])
sub = t("det", "TestSub/ü/x")
check(sub["status"] == "failed", "subtest with slash failed")
check("'^TestSub$/^ü$/^x$'" in sub["repro"], "subtest repro %r" % sub["repro"])
check(t("det", "TestSub/a_b")["status"] == "passed", "space becomes _")
check(t("det", "TestSub")["via_subtest"], "parent failed via subtest")
flip = t("flip", "TestFlip")
check(flip["status"] == "flaky", "TestFlip flaky")
check(all(c["passes"] == 2 and c["failures"] == 2 for c in flip["cells"]),
      "TestFlip 2/2 per cell")
check(flip["repro"].endswith("-count=10 ./flip"), "flaky repro count %r" % flip["repro"])
race = t("racy", "TestRace")
check(kinds(race) == {"race"}, "TestRace kind race %r" % kinds(race))
check(race["status"] == "failed", "a race reported in every process is a failure")
check(race["where"] == "only under -race", "race where %r" % race["where"])
check(all(c["failures"] == 0 for c in race["cells"] if not c["cell"].startswith("race")),
      "no race failure without -race")
check(" -race " in race["repro"], "race repro has -race")
check(t("racy", "TestClean")["status"] == "passed", "TestClean passed")
crash = t("crashy", "TestCrash")
check(crash["status"] == "failed" and kinds(crash) == {"crash"}, "TestCrash crash")
check(any("worker exploded" in d["message"] for d in crash["failure_details"]),
      "crash message")
after = t("crashy", "TestAfter")
check(after["status"] == "notrun" and after["notrun"] == 16,
      "TestAfter notrun 16, got %s/%s" % (after["status"], after["notrun"]))
check(t("crashy", "TestFirst")["status"] == "passed", "TestFirst passed")
hang = t("hangy", "TestHang")
check(kinds(hang) == {"timeout"}, "TestHang timeout")
hd = hang["failure_details"][0] if hang["failure_details"] else {}
check(hd.get("file") == "tests/fixtures/detmod/hangy/hangy_test.go" and hd.get("line") == 10,
      "timeout located at the blocking line %r:%r" % (hd.get("file"), hd.get("line")))
check(t("hangy", "TestAfterHang")["status"] == "notrun", "TestAfterHang notrun")
pan = t("panicky", "TestPanic")
check(kinds(pan) == {"panic"}, "TestPanic kind panic %r" % kinds(pan))
check(any("nil map" in d["message"] for d in pan["failure_details"]), "panic message")
pk = {p["package"].split("/")[-1]: p for p in doc["packages"]}
check(pk["nobuild"]["status"] == "build-failed", "nobuild build-failed")
check("cannot use" in (pk["nobuild"]["error"] or ""), "build error text")
check(not any(k[0] == "nobuild" for k in tests), "no verdicts for a package that does not build")
check(doc["totals"]["failed"] == 6 and doc["totals"]["flaky"] == 1,
      "totals %r" % doc["totals"])

# JUnit: well-formed, flaky as <flakyFailure>, failed as <failure>.
root = ET.parse(os.path.join(work, "junit.xml")).getroot()
cases = {(tc.get("classname"), tc.get("name")): tc for tc in root.iter("testcase")}
flipcase = [c for k, c in cases.items() if k[1] == "TestFlip"]
check(flipcase and flipcase[0].find("flakyFailure") is not None and
      flipcase[0].find("failure") is None, "JUnit flakyFailure for TestFlip")
failcase = [c for k, c in cases.items() if k[1] == "TestFail"]
check(failcase and failcase[0].find("failure") is not None, "JUnit failure for TestFail")

# Step summary, outputs, annotations.
summary = open(os.path.join(work, "summary.md")).read()
check("TestFlip" in summary and "TestFail" in summary, "summary lists tests")
check(len(summary.encode()) < 1 << 20, "summary under 1 MiB")
out = open(os.path.join(work, "gh_output")).read()
check("flaky-count=1" in out and "failed-count=6" in out, "GITHUB_OUTPUT %r" % out)
stdout = open(os.path.join(work, "stdout")).read()
errors = [l for l in stdout.splitlines() if l.startswith("::error")]
warnings = [l for l in stdout.splitlines() if l.startswith("::warning")]
check(0 < len(errors) <= 10 and 0 < len(warnings) <= 10, "annotations %d/%d" % (len(errors), len(warnings)))
check(any("file=tests/fixtures/detmod/det/det_test.go,line=10" in l for l in errors),
      "annotation at TestFail's line")

stderr = open(os.path.join(work, "stderr")).read()
check("::group::" in stderr and "::endgroup::" in stderr, "progress folded in ::group::")
check(stderr.count("flake-collector: cell ") == 4, "one progress line per cell")

# History: one run recorded, with its result rows.
db = sqlite3.connect(os.path.join(work, "history.db"))
check(db.execute("select count(*) from runs").fetchone()[0] == 1, "one run in history")
check(db.execute("pragma integrity_check").fetchone()[0] == "ok", "integrity")
print("%d passed, %d failed" % (checks - len(failures), len(failures)))
sys.exit(1 if failures else 0)
