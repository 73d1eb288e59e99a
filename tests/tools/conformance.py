#!/usr/bin/env python3
"""Compares `go test -json` (the reference) with the collector's results
document, run by run (tests/integration/conformance.sh writes the runs).

usage: conformance.py [--pins FILE] [--elapsed TEXT] RUNDIR...

Each RUNDIR holds meta (key=value: label, go, race, dir, pkgs), ref.json
(the go test -json stream), ref.rc, ref.stderr, col.json (the collector's
--json document), col.rc, col.stderr.

Per package, pass/fail must match:
  reference: the package's terminal event (Action pass/fail/skip, no Test);
             skip (no test files) counts as pass;
  collector: fail if its packages[] status is not ok/no-tests, or any test
             of the package (the "(package)" pseudo-test too) is failed or
             flaky; else pass.
Per test, top-level and subtests, keyed by (package, name): go test's
terminal action pass/fail/skip must equal the collector's status
passed/failed/skipped (flaky counts as failed: with -count 1 and no
reruns it cannot be right).  Pinned tests (--pins) are not compared;
ALLOWED below lists the differences that are not mismatches.  Exit 1 on a
mismatch, 2 on bad input.

A test that passed on one side and failed on the other may be a flaky test
of the suite rather than a disagreement: real suites have wall-clock
windows, and a 2-CPU machine running both sides is loaded.  Such a
difference is adjudicated (adjudicate()): both sides run the test's
top-level test RERUNS more times, alone, under the same conditions.  If
the side that passed fails at least once, the test is flaky under both
(allowed: flaky-both-sides).  If the side that failed fails again in at
least half of its reruns while the other passed every time, the
difference is reproducible: a mismatch.  Otherwise it did not reproduce
(allowed: not-reproduced).  So a deterministic disagreement is always a
mismatch, and one that comes from a flaky test of the suite fails the
suite only if it fails >= RERUNS/2 times on one side and 0 times on the
other: for a test failing with probability q on both sides, with
probability P(Bin(20, q) >= 10) (1-q)^20, at most 4.5e-5 (q ~ 0.26).  At most MAX_ADJUDICATE
differences per run of this script are adjudicated; the rest stand.
"""
import fnmatch
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

# Allowed differences: (id, reason).  Each one seen is printed.
ALLOWED = {
    "notrun-after-crash":
        "the collector lists the binary's tests (-test.list) and reports the "
        "ones a crash kept from starting as notrun; go test has no event for "
        "them (docs/COLLECTOR.md, Crashes)",
    "ref-no-terminal":
        "the reference has no terminal event for a test it started (the "
        "process died while it ran, or Go <=1.19 glued '--- PASS' to output "
        "without a newline); the collector's verdict (crash/timeout failure, "
        "or unknown) is reported, not compared",
    "flaky-both-sides":
        "one side failed a test the other passed, and rerun alone the side "
        "that passed failed it too: a flaky test of the suite, not a "
        "disagreement (the reruns are printed)",
    "not-reproduced":
        "one side failed a test the other passed; rerun alone, the side that "
        "failed did not fail it in half of its reruns and the other never "
        "did: not a reproducible disagreement (the reruns are printed)",
}
RERUNS = 20
MAX_ADJUDICATE = 6
RERUN_TIMEOUT = 240         # seconds per side
# Test names are matched after masking hex addresses: std's errors.TestAs
# names its subtests after pointers ("TestAs/7:As(Errorf(...,_oh_no),_0xc00009a030)"),
# different in every process.
ADDR = re.compile(r"0x[0-9a-f]{6,}")

PKG_TEST = "(package)"
SHOW = 12           # differing tests printed per package
COL_MAP = {"passed": "pass", "failed": "fail", "flaky": "fail",
           "skipped": "skip", "notrun": "notrun"}


def load_meta(d):
    meta = {}
    try:
        with open(os.path.join(d, "meta"), encoding="utf-8") as f:
            for line in f:
                k, _, v = line.rstrip("\n").partition("=")
                meta[k] = v
    except OSError:
        pass
    return meta


def read_text(path, default=""):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return default


def tail_lines(text, n):
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[-n:]


class RefPkg:
    def __init__(self):
        self.result = None          # pass/fail/skip, None: no terminal event
        self.build_failed = False
        self.output = []            # package-level output (tail kept)
        self.tests = {}             # name -> terminal action or None (started)
        self.test_out = {}          # name -> last output lines


def parse_ref(path):
    pkgs = {}
    noise = 0

    def pkg(name):
        if name not in pkgs:
            pkgs[name] = RefPkg()
        return pkgs[name]

    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                e = json.loads(line)
            except ValueError:
                noise += 1
                continue
            if not isinstance(e, dict):
                noise += 1
                continue
            act = e.get("Action")
            if "Package" not in e:
                # Go 1.24+: build-output/build-fail carry ImportPath
                # "pkg [pkg.test]"
                ip = e.get("ImportPath", "")
                if act == "build-fail" and ip:
                    pkg(ip.split(" ")[0]).build_failed = True
                continue
            p = pkg(e["Package"])
            test = e.get("Test")
            if test is None:
                if act in ("pass", "fail", "skip"):
                    p.result = act
                    if e.get("FailedBuild"):
                        p.build_failed = True
                elif act == "output":
                    p.output.append(e.get("Output", ""))
                    del p.output[:-40]
                continue
            if act == "run":
                p.tests.setdefault(test, None)
            elif act in ("pass", "fail", "skip"):
                p.tests[test] = act
            elif act == "output":
                o = p.test_out.setdefault(test, [])
                o.append(e.get("Output", ""))
                del o[:-12]
    return pkgs, noise


def load_pins(path):
    """Lines: GO RACE PACKAGE TEST REASON...; GO: * or a go version prefix
    (go1.19); RACE: * | race | plain; TEST: an fnmatch pattern over the
    full name (TestX/sub).  '#' starts a comment."""
    pins = []
    if not path:
        return pins
    for n, line in enumerate(read_text(path).splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        f = line.split(None, 4)
        if len(f) < 5:
            print("%s:%d: want GO RACE PACKAGE TEST REASON" % (path, n))
            sys.exit(2)
        pins.append({"go": f[0], "race": f[1], "pkg": f[2], "test": f[3],
                     "reason": f[4], "seen": 0})
    return pins


def pin_for(pins, gover, race, pkg, test):
    for p in pins:
        if p["go"] != "*" and not (gover == p["go"] or
                                   gover.startswith(p["go"] + ".")):
            continue
        if p["race"] != "*" and p["race"] != ("race" if race else "plain"):
            continue
        if p["pkg"] != pkg or not fnmatch.fnmatchcase(test, p["test"]):
            continue
        return p
    return None


def flat(s):
    return " | ".join(l.strip() for l in (s or "").splitlines() if l.strip())


def fail_msg(t):
    if not t:
        return ""
    out = []
    for fd in t.get("failure_details") or []:
        loc = ""
        if fd.get("file"):
            loc = " at %s:%s" % (fd["file"], fd.get("line"))
        out.append("%s%s: %s" % (fd.get("kind"), loc,
                                 flat(fd.get("message"))[:300]))
    return "; ".join(out[:2])


def ref_hint(lines):
    """The most telling reference output line: a panic/FAIL/error."""
    keep = [l.rstrip("\n") for l in lines if l.strip()]
    for l in keep:
        s = l.strip()
        if s.startswith(("panic:", "fatal error:", "FAIL", "---")) or \
                "error" in s.lower() or "exit status" in s:
            if not s.startswith("=== "):
                return s[:300]
    return keep[-1].strip()[:300] if keep else ""


def summarize(problems):
    kinds = {}
    for _, rr, cr, _ in problems:
        k = "reference %s/collector %s" % (rr, cr)
        kinds[k] = kinds.get(k, 0) + 1
    return ", ".join("%d %s" % (v, k) for k, v in
                     sorted(kinds.items(), key=lambda kv: -kv[1]))


def rerun_counts(got, tn, side):
    """(passes, failures) of test tn in a rerun's output: go test's events
    (side "ref") or the collector's document (side "col")."""
    p = f = 0
    if side == "ref":
        for e in got:
            if e.get("Test") == tn and e.get("Action") == "pass":
                p += 1
            elif e.get("Test") == tn and e.get("Action") == "fail":
                f += 1
        return p, f
    for t in (got or {}).get("tests", []):
        if t.get("name") == tn:
            return t.get("passes", 0), t.get("failures", 0)
    return 0, 0


def adjudicate(meta, pkg, tn, failed_side):
    """Reruns test tn (its top-level test, RERUNS times) on both sides;
    returns (allowed id or None, what the reruns gave)."""
    top = tn.split("/")[0]
    run = "^%s$" % re.escape(top)
    race = meta.get("race") == "on"
    vetoff = meta.get("vetoff") == "1"
    procs = meta.get("gomaxprocs", "2")
    env = dict(os.environ, GOMAXPROCS=procs)
    if meta.get("gobin"):
        env["PATH"] = meta["gobin"] + os.pathsep + env.get("PATH", "")
    d = meta.get("dir", ".")
    ref_cmd = ["go", "test", "-json", "-count=%d" % RERUNS, "-run", run,
               "-timeout", "%ds" % RERUN_TIMEOUT]
    if race:
        ref_cmd.append("-race")
    if vetoff:
        ref_cmd.append("-vet=off")
    ref_cmd.append(pkg)
    got = {}
    try:
        r = subprocess.run(ref_cmd, cwd=d, env=env, capture_output=True,
                           text=True, errors="replace",
                           timeout=RERUN_TIMEOUT + 60)
        evs = []
        for line in r.stdout.splitlines():
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if isinstance(e, dict):
                evs.append(e)
        got["ref"] = rerun_counts(evs, tn, "ref")
    except subprocess.TimeoutExpired:
        got["ref"] = (0, 0)
    col = os.path.join(os.environ.get("FLAKE_BIN", "bin"), "flake-collector")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "col.json")
        col_cmd = [col, "run", "--race", "on" if race else "off",
                   "--gomaxprocs", procs, "--count", str(RERUNS),
                   "--rerun", "0", "--run", run,
                   "--timeout", "%ds" % RERUN_TIMEOUT, "--no-history",
                   "--comment", "never", "--fail-on", "none", "--json", out,
                   pkg]
        if vetoff:
            col_cmd += ["--", "-vet=off"]
        try:
            subprocess.run(col_cmd, cwd=d, env=env, capture_output=True,
                           timeout=RERUN_TIMEOUT + 120)
            with open(out, encoding="utf-8") as f:
                got["col"] = rerun_counts(json.load(f), tn, "col")
        except (subprocess.TimeoutExpired, OSError, ValueError):
            got["col"] = (0, 0)
    passed_side = "col" if failed_side == "ref" else "ref"
    text = "rerun alone %d times: go test %d passed/%d failed, collector " \
        "%d passed/%d failed (go test -run %s -count=%d%s)" % (
            RERUNS, got["ref"][0], got["ref"][1], got["col"][0],
            got["col"][1], shlex.quote(run), RERUNS,
            " -race" if race else "")
    if got[passed_side][1] > 0:
        return "flaky-both-sides", text
    if sum(got[failed_side]) == 0 or sum(got[passed_side]) == 0:
        return None, text + "; a rerun ran nothing"
    if got[failed_side][1] * 2 >= RERUNS:
        return None, text + "; reproducible"
    return "not-reproduced", text


class Report:
    def __init__(self):
        self.mismatches = []    # (label, pkg, test, ref, col, msg)
        self.allowed = {}       # id -> count
        self.pinned = 0
        self.tests = 0
        self.packages = 0
        self.noref = 0
        self.adjudicated = 0


def compare_run(d, pins, rep):
    meta = load_meta(d)
    label = meta.get("label", os.path.basename(d))
    gover = meta.get("go", "")
    race = meta.get("race") == "on"
    print("\n=== %s  (go test exit %s, %ss; collector exit %s, %ss)" % (
        label, read_text(os.path.join(d, "ref.rc")).strip() or "?",
        meta.get("ref_secs", "?"),
        read_text(os.path.join(d, "col.rc")).strip() or "?",
        meta.get("col_secs", "?")))
    try:
        ref, noise = parse_ref(os.path.join(d, "ref.json"))
    except OSError as e:
        ref, noise = {}, 0
        print("  no reference stream: %s" % e)
    if noise:
        print("  note: %d non-JSON line(s) in the reference stream" % noise)
    want_pkgs = [p for p in meta.get("pkgs", "").split()
                 if not p.startswith(".") and "..." not in p]
    for p in want_pkgs:
        ref.setdefault(p, RefPkg())
    try:
        with open(os.path.join(d, "col.json"), encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        doc = None
        why = "collector wrote no results document (%s); stderr: %s" % (
            e, " | ".join(tail_lines(
                read_text(os.path.join(d, "col.stderr")), 3)))
    col_pkgs, col_tests = {}, {}
    if doc is not None:
        for p in doc.get("packages", []):
            col_pkgs[p["package"]] = p
        for t in doc.get("tests", []):
            col_tests.setdefault(t["package"], {})[t["name"]] = t
    if not ref:
        rep.mismatches.append((label, "-", "-", "no packages", "-",
                               "the reference ran no package: " + " | ".join(
                                   tail_lines(read_text(
                                       os.path.join(d, "ref.stderr")), 3))))
        print("  MISMATCH: the reference ran no package")
        return

    for name in sorted(set(ref) | set(col_pkgs)):
        rep.packages += 1
        rp = ref.get(name) or RefPkg()
        ctests = col_tests.get(name, {})
        problems, allowed, pinned = [], [], []
        if doc is None:
            problems.append(("-", rp.result, "-", why))
        # package result
        if rp.result is None:
            ref_res = None
            rep.noref += 1
        else:
            ref_res = "fail" if rp.result == "fail" else "pass"
        cp = col_pkgs.get(name)
        col_res, col_why = None, ""
        pin_failed = False
        if doc is not None:
            if cp is None:
                col_res = "absent"
            else:
                col_res = "pass"
                if cp.get("status") not in ("ok", "no-tests"):
                    col_res = "fail"
                    col_why = "package %s%s" % (
                        cp.get("status"),
                        ": " + flat(cp["error"])[:300] if cp.get("error")
                        else "")
                for tn, t in ctests.items():
                    if t["status"] in ("failed", "flaky"):
                        if tn != PKG_TEST and pin_for(pins, gover, race,
                                                      name, tn):
                            pin_failed = True
                            continue
                        col_res = "fail"
                        if not col_why:
                            col_why = "%s %s: %s" % (tn, t["status"],
                                                     fail_msg(t))
        # tests
        rk, ck = {}, {}
        for tn, res in rp.tests.items():
            rk.setdefault(ADDR.sub("0x...", tn), []).append((tn, res))
        for tn, t in ctests.items():
            if tn != PKG_TEST:
                ck.setdefault(ADDR.sub("0x...", tn), []).append((tn, t))
        for key in sorted(set(rk) | set(ck)):
            rl, cl = rk.get(key, []), ck.get(key, [])
            if len(rl) > 1 or len(cl) > 1:
                # distinct names equal once masked: compare as multisets
                rs = sorted(r or "none" for _, r in rl)
                cs = sorted(COL_MAP.get(t["status"], t["status"])
                            for _, t in cl)
                rep.tests += len(rl)
                if rs != cs:
                    problems.append((key, ",".join(rs), ",".join(cs),
                                     "several tests share this masked name"))
                continue
            tn = (rl or cl)[0][0]
            rt = rl[0][1] if rl else "absent"
            ct = cl[0][1] if cl else None
            cs = COL_MAP.get(ct["status"], ct["status"]) if ct else "absent"
            pin = pin_for(pins, gover, race, name, tn)
            if pin:
                pin["seen"] += 1
                rep.pinned += 1
                if rt == "fail":
                    pin_failed = True
                pinned.append("%s (reference %s, collector %s): %s" % (
                    tn, rt or "none", cs, pin["reason"]))
                continue
            if doc is None:
                continue
            rep.tests += 1
            if rt == cs:
                continue
            if rt in ("absent", None) and cs == "notrun":
                allowed.append(("notrun-after-crash", tn, rt, cs, ""))
            elif rt is None:
                allowed.append(("ref-no-terminal", tn, "none (started)", cs,
                                fail_msg(ct)))
            else:
                msg = fail_msg(ct) or (
                    "reference output: " + ref_hint(rp.test_out.get(tn, []))
                    if rt == "fail" else "")
                if {rt, cs} == {"pass", "fail"} and \
                        rep.adjudicated < MAX_ADJUDICATE:
                    rep.adjudicated += 1
                    aid, why = adjudicate(meta, name, tn,
                                          "ref" if rt == "fail" else "col")
                    print("  adjudicated %s %s: %s" % (name, tn, why))
                    if aid:
                        # the package's result is inconclusive too
                        pin_failed = True
                        allowed.append((aid, tn, rt, cs, why))
                        continue
                    msg = (msg + "; " if msg else "") + why
                problems.append((tn, rt, cs, msg))
        ntests = len(set(rk) | set(ck))
        # package-level comparison (after the tests: a pinned failure
        # makes it inconclusive)
        if doc is not None:
            if ref_res is None:
                print("  note: %s: no package result in the reference "
                      "(collector: %s)" % (name, col_res))
            elif col_res == "absent":
                problems.insert(0, ("(package)", ref_res, "absent from "
                                    "packages[]", ""))
            elif ref_res != col_res:
                if pin_failed:
                    pinned.append("package result (reference %s, collector "
                                  "%s): only pinned or adjudicated tests failed" %
                                  (ref_res, col_res))
                else:
                    ref_why = ref_hint(rp.output) if ref_res == "fail" \
                        else ""
                    problems.insert(0, (
                        "(package)", ref_res + (" [%s]" % ref_why
                                                if ref_why else ""),
                        col_res, col_why or "collector reports the "
                        "package clean"))
        if problems:
            print("  MISMATCH %s (%d tests, %d differ)" % (name, ntests,
                                                       len(problems)))
            for n, (tn, rr, cr, msg) in enumerate(problems):
                if n < SHOW:
                    print("    %s: reference %s, collector %s%s" % (
                        tn, rr, cr,
                        ("\n      collector: " + msg) if msg else ""))
                rep.mismatches.append((label, name, tn, rr, cr, msg))
            if len(problems) > SHOW:
                print("    ... and %d more (the same way: %s)" % (
                    len(problems) - SHOW, summarize(problems[SHOW:])))
        else:
            print("  ok       %s (%d tests; package: reference %s, collector "
                  "%s)" % (name, ntests, rp.result or "none",
                           cp.get("status") if cp else "absent"))
        for aid, tn, rr, cr, msg in allowed:
            rep.allowed[aid] = rep.allowed.get(aid, 0) + 1
            print("    allowed[%s] %s: reference %s, collector %s%s" % (
                aid, tn, rr if rr != "absent" else "no event", cr,
                (" (" + msg + ")") if msg else ""))
        for p in pinned:
            print("    pinned %s" % p)


def main(argv):
    pins_path, elapsed, dirs = None, None, []
    i = 1
    while i < len(argv):
        if argv[i] == "--pins":
            pins_path = argv[i + 1]
            i += 2
        elif argv[i] == "--elapsed":
            elapsed = argv[i + 1]
            i += 2
        else:
            dirs.append(argv[i])
            i += 1
    if not dirs:
        print(__doc__)
        return 2
    pins = load_pins(pins_path)
    print("conformance: go test -json vs flake-collector, %d run(s)" %
          len(dirs))
    print("allowed differences:")
    for k, v in ALLOWED.items():
        print("  %s: %s" % (k, v))
    print("test names are matched with hex addresses masked (0x...)")
    rep = Report()
    for d in dirs:
        compare_run(d, pins, rep)
    print()
    if rep.mismatches:
        print("mismatches (%d), by run and package:" % len(rep.mismatches))
        groups = {}
        for m in rep.mismatches:
            groups.setdefault((m[0], m[1]), []).append(m)
        for (label, pkg), ms in groups.items():
            for _, _, tn, rr, cr, msg in ms[:3]:
                print("  [%s] %s %s: reference %s, collector %s%s" % (
                    label, pkg, tn, rr, cr, (" -- " + msg[:200])
                    if msg else ""))
            if len(ms) > 3:
                print("  [%s] %s ... %d more: %s" % (
                    label, pkg, len(ms) - 3,
                    summarize([m[2:] for m in ms[3:]])))
    for p in pins:
        if not p["seen"]:
            print("note: pin never matched: %s %s %s %s" % (
                p["go"], p["race"], p["pkg"], p["test"]))
    allowed = ", ".join("%s %d" % kv for kv in sorted(rep.allowed.items()))
    print("conformance: %s: %d runs, %d packages, %d tests compared, "
          "%d mismatches, %d allowed differences%s, %d pinned%s" % (
              "FAIL" if rep.mismatches else "PASS", len(dirs), rep.packages,
              rep.tests, len(rep.mismatches), sum(rep.allowed.values()),
              " (" + allowed + ")" if allowed else "", rep.pinned,
              "; elapsed " + elapsed if elapsed else ""))
    return 1 if rep.mismatches else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
