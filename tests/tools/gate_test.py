#!/usr/bin/env python3
"""The gate's scenarios (docs/GATE.md, issue 12's acceptance 1-5), over
sequences of runs fed through `flake-collector analyze` with their
metadata set (branch, base, PR, GitHub run and attempt, start time), in
embedded mode (one local history database per scenario, as the Action's
cache keeps it) and against a real reporter on loopback (a fresh local
database for every run, as on fresh runners).

usage: gate_test.py BINDIR WORKDIR"""
import json, os, socket, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testdocs  # noqa: E402
from checks import check, done  # noqa: E402

bindir, work = sys.argv[1], sys.argv[2]
COLLECTOR = os.path.join(bindir, "flake-collector")
REPORTER = os.path.join(bindir, "flake-reporter")
PKG = "example.com/gate"




def stream(path, flip_fails):
    """A go test -json stream: TestFlip 3 executions, the first
    flip_fails failing (1: flaky; 0: passing), TestOK passing."""
    ev = []

    def add(**k):
        k.setdefault("Package", PKG)
        ev.append(k)
    for i in range(3):
        add(Action="run", Test="TestFlip")
        add(Action="output", Test="TestFlip", Output="=== RUN   TestFlip\n")
        if i < flip_fails:
            add(Action="output", Test="TestFlip", Output="    flip_test.go:9: flipped\n")
            add(Action="output", Test="TestFlip", Output="--- FAIL: TestFlip (0.00s)\n")
            add(Action="fail", Test="TestFlip", Elapsed=0)
        else:
            add(Action="output", Test="TestFlip", Output="--- PASS: TestFlip (0.00s)\n")
            add(Action="pass", Test="TestFlip", Elapsed=0)
        add(Action="run", Test="TestOK")
        add(Action="output", Test="TestOK", Output="=== RUN   TestOK\n")
        add(Action="output", Test="TestOK", Output="--- PASS: TestOK (0.00s)\n")
        add(Action="pass", Test="TestOK", Elapsed=0)
    if flip_fails:
        add(Action="output", Output="FAIL\n")
        add(Action="fail", Elapsed=0.01)
    else:
        add(Action="output", Output="ok  \t%s\t0.01s\n" % PKG)
        add(Action="pass", Elapsed=0.01)
    with open(path, "w") as f:
        f.write("".join(json.dumps(e) + "\n" for e in ev))


FLAKY = os.path.join(work, "flaky.json")
CLEAN = os.path.join(work, "clean.json")
stream(FLAKY, 1)
stream(CLEAN, 0)
# A package failure: every test passes, the process fails (a TestMain
# teardown, say): the package-level pseudo test "(package)" fails.
PKGFAIL = os.path.join(work, "pkgfail.json")
with open(PKGFAIL, "w") as f:
    for e in ({"Action": "run", "Test": "TestOK"},
              {"Action": "output", "Test": "TestOK", "Output": "--- PASS: TestOK (0.00s)\n"},
              {"Action": "pass", "Test": "TestOK", "Elapsed": 0},
              {"Action": "output", "Output": "teardown: port still in use\n"},
              {"Action": "output", "Output": "FAIL\n"},
              {"Action": "fail", "Elapsed": 0.01}):
        e["Package"] = PKG
        f.write(json.dumps(e) + "\n")
run_no = [0]


def iso(days_ago):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - days_ago * 86400))


T0 = time.time()


def at(seconds):
    """A start time `seconds` after this test began (runs in order)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(T0 + seconds))


def run(repo, db, branch, run_id, attempt=1, pr=None, days_ago=0, flaky=True,
        reporter=None, token=None, extra=(), env_extra=None, commit=None,
        started=None):
    """One run; returns (exit status, class of TestFlip, stderr, doc)."""
    run_no[0] += 1
    out = os.path.join(work, "r%d.json" % run_no[0])
    args = [COLLECTOR, "analyze", "--cell", "GOMAXPROCS=2", "--comment", "never",
            "--quiet", "--json", out, "--repository", repo, "--branch", branch,
            "--commit", commit or "c%04d" % run_no[0], "--run-id", str(run_id),
            "--run-attempt", str(attempt), "--job", "test",
            "--started-at", started or iso(days_ago)]
    if pr:
        args += ["--pr", str(pr), "--base-branch", "main"]
    args += ["--db", db] if db else ["--no-history"]
    if reporter:
        args += ["--reporter", reporter]
    args += list(extra) + [flaky if isinstance(flaky, str) else FLAKY if flaky else CLEAN]
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GITHUB_") and k not in ("FLAKE_TOKEN", "CI")}
    env["FLAKE_UPLOAD_MAX_WAIT_MS"] = "1"
    if token:
        env["FLAKE_TOKEN"] = token
    env.update(env_extra or {})
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    doc = json.load(open(out)) if os.path.exists(out) else {"tests": []}
    flip = [t for t in doc["tests"] if t["name"] == "TestFlip"]
    cls = flip[0].get("class") if flip else "missing"
    return p.returncode, cls, p.stderr.decode(errors="replace"), flip[0] if flip else {}


def scenarios(mode, db_for, reporter=None, token_for=None):
    tag = lambda s: "[%s] %s" % (mode, s)
    rep = lambda repo: dict(reporter=reporter, token=token_for(repo)) if reporter else {}

    # 1. A flake seen only on the PR branch is new; a re-run attempt and a
    # second run of the same PR are still new.
    repo = "o/s1-" + mode
    db = db_for(repo)
    for run_id, attempt, what in ((201, 1, "first run"), (201, 2, "re-run attempt"),
                                  (202, 1, "second run of the PR")):
        rc, cls, err, _ = run(repo, db(), "feature", run_id, attempt, pr=7, **rep(repo))
        check(rc == 1 and cls == "new", tag("1: PR-only flake, %s: new and exit 1 "
                                             "(exit %d, %s) %s" % (what, rc, cls, err[-300:])))

    # 1b. A re-run never clears a flake: attempts 2 and 3 of the same
    # workflow run, on the same commit, pass every execution -- TestFlip
    # passed there, failed in attempt 1: flaky for the gate, new, exit 1.
    # The next push (another run, another commit) that passes is green.
    repo = "o/s1b-" + mode
    db = db_for(repo)
    rc, cls, err, _ = run(repo, db(), "feature", 211, 1, pr=7, commit="c211", **rep(repo))
    check(rc == 1 and cls == "new", tag("1b: attempt 1 flaky: new, exit 1 (exit %d, %s)"
                                        % (rc, cls)))
    for attempt in (2, 3):
        md = os.path.join(work, "s1b-%s-%d.md" % (mode, attempt))
        rc, cls, err, t = run(repo, db(), "feature", 211, attempt, pr=7, commit="c211",
                              flaky=False, extra=("--comment-file", md), **rep(repo))
        body = open(md).read() if os.path.exists(md) else ""
        check("1 flaky in an earlier attempt of this run" in body and
              "<code>TestFlip</code>" in body and "failed in attempt 1" in body,
              tag("1b: attempt %d: the PR comment lists TestFlip, failed in attempt 1: %r"
                  % (attempt, body[:400])))
        check(rc == 1 and cls == "new" and t.get("status") == "passed" and
              t.get("earlier_attempt") == 1 and t.get("new_flaky") is True,
              tag("1b: attempt %d passes: still new and exit 1, failed in attempt 1 "
                  "(exit %d, %s, %r) %s" % (attempt, rc, cls,
                                            {k: t.get(k) for k in ("status", "earlier_attempt",
                                                                   "new_flaky")}, err[-300:])))
    rc, cls, err, t = run(repo, db(), "feature", 212, 1, pr=7, commit="c212", flaky=False,
                          **rep(repo))
    check(rc == 0 and cls is None and "earlier_attempt" not in t,
          tag("1b: the next push passes: green (exit %d, %s)" % (rc, cls)))
    # A package failure in attempt 1, the package passes in attempt 2: its
    # pseudo test is carried on too (the package passed here, so it gets
    # one), new, exit 1.
    repo = "o/s1d-" + mode
    db = db_for(repo)
    rc, _, err, _ = run(repo, db(), "feature", 231, 1, pr=7, commit="c231", flaky=PKGFAIL,
                        **rep(repo))
    check(rc == 1, tag("1b: attempt 1, a package failure: exit 1 (exit %d) %s" % (rc, err[-300:])))
    out = os.path.join(work, "r%d.json" % (run_no[0] + 1))
    rc, _, err, _ = run(repo, db(), "feature", 231, 2, pr=7, commit="c231", flaky=False,
                        **rep(repo))
    pk = [t for t in json.load(open(out))["tests"] if t["name"] == "(package)"] \
        if os.path.exists(out) else []
    check(rc == 1 and pk and pk[0].get("earlier_attempt") == 1 and pk[0].get("class") == "new",
          tag("1b: attempt 2 passes the package: still exit 1, its package failure of "
              "attempt 1 carried on (exit %d, %r) %s" % (rc, pk, err[-300:])))
    # Known on main: a re-run keeps it known, and green.
    repo = "o/s1c-" + mode
    db = db_for(repo)
    run(repo, db(), "main", 221, days_ago=2, **rep(repo))
    rc, cls, err, _ = run(repo, db(), "feature", 222, 1, pr=8, commit="c222", **rep(repo))
    check(rc == 0 and cls == "known", tag("1b: flaky on main: known, exit 0 (exit %d, %s)"
                                          % (rc, cls)))
    rc, cls, err, t = run(repo, db(), "feature", 222, 2, pr=8, commit="c222", flaky=False,
                          **rep(repo))
    check(rc == 0 and cls == "known" and t.get("earlier_attempt") == 1,
          tag("1b: its re-run passes: known, exit 0 (exit %d, %s, %r)"
              % (rc, cls, t.get("earlier_attempt"))))

    # 2. Flaky on main within the window: known, exit 0, the base rate shown.
    repo = "o/s2-" + mode
    db = db_for(repo)
    rc, cls, err, _ = run(repo, db(), "main", 301, days_ago=5, **rep(repo))
    check(rc == 1 and cls == "new", tag("2: a new flake on main fails main (exit %d, %s)" % (rc, cls)))
    rc, cls, err, t = run(repo, db(), "feature", 302, pr=8, **rep(repo))
    check(rc == 0 and cls == "known", tag("2: flaky on main 5 days ago: known, exit 0 "
                                          "(exit %d, %s) %s" % (rc, cls, err[-300:])))
    check(t.get("base") == {"executions": 3, "failures": 1, "runs": 1, "flaky_runs": 1},
          tag("2: the base-branch numbers: %r" % t.get("base")))
    check(t.get("new_flaky") is False, tag("2: new_flaky false"))

    # 3. Flaky on main only outside the window: new; a wider window: known.
    repo = "o/s3-" + mode
    db = db_for(repo)
    run(repo, db(), "main", 401, days_ago=40, **rep(repo))
    rc, cls, err, _ = run(repo, db(), "feature", 402, pr=9, **rep(repo))
    check(rc == 1 and cls == "new", tag("3: flaky on main 40 days ago only: new (exit %d, %s)"
                                        % (rc, cls)))
    if not reporter:
        rc, cls, err, _ = run(repo, db(), "feature", 403, pr=9,
                              extra=("--known-window", "60"))
        check(rc == 0 and cls == "known", tag("3: --known-window 60: known (exit %d, %s)"
                                              % (rc, cls)))
    # A clean run on main in the window does not make it known either.
    run(repo, db(), "main", 404, days_ago=2, flaky=False, **rep(repo))
    rc, cls, err, _ = run(repo, db(), "feature", 405, pr=9, **rep(repo))
    check(rc == 1 and cls == "new", tag("3: main ran clean since: still new (exit %d, %s)"
                                        % (rc, cls)))


def testdocs_get(port, path):
    import urllib.request
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=30) as r:
        return r.status, json.loads(r.read())


def get_text(port, path):
    import urllib.request
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=30) as r:
        return r.read().decode("utf-8", "replace")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    # Embedded: one history per scenario, kept across its runs.
    def embedded_db(repo):
        path = os.path.join(work, "embedded-%s.db" % repo.replace("/", "_"))
        return lambda: path
    scenarios("embedded", embedded_db)

    # Against a reporter: every run on a fresh runner (empty local db).
    rdb = os.path.join(work, "reporter.db")
    tok, proc, port = testdocs.token_and_server(REPORTER, rdb, work, repo="o/s1-reporter")
    tokens = {"o/s1-reporter": tok}
    for repo in ("o/s1b-reporter", "o/s1c-reporter", "o/s1d-reporter", "o/s2-reporter", "o/s3-reporter",
                 "o/s4-reporter", "o/s6", "o/s7"):
        tokens[repo] = subprocess.run([REPORTER, "token", "create", "--db", rdb, repo],
                                      stdout=subprocess.PIPE, check=True).stdout.decode().strip()
    url = "http://127.0.0.1:%d" % port
    fresh = [0]

    def fresh_db(repo):
        def f():
            fresh[0] += 1
            return os.path.join(work, "fresh-%d.db" % fresh[0])
        return f
    try:
        scenarios("reporter", fresh_db, reporter=url, token_for=tokens.get)

        # 4. A fresh runner against a reporter with main's history: known,
        # exit 0 -- the bug of a local-only "new".
        repo = "o/s4-reporter"
        run(repo, fresh_db(repo)(), "main", 501, days_ago=3, reporter=url,
            token=tokens[repo])
        db = fresh_db(repo)()
        rc, cls, err, _ = run(repo, db, "feature", 502, pr=10, reporter=url, token=tokens[repo])
        check(rc == 0 and cls == "known", "4: fresh runner, reporter knows main's flake: known, "
              "exit 0 (exit %d, %s) %s" % (rc, cls, err[-300:]))
        check("uploaded to the reporter" in err, "4: uploaded")

        # 6. Quarantine on the reporter: the job passes, release on
        # evidence, then a regression blocks.
        repo = "o/s7"
        run(repo, fresh_db(repo)(), "main", 801, days_ago=10, reporter=url,
            token=tokens[repo])
        q = subprocess.run([REPORTER, "quarantine", "add", "--db", rdb, "--reason",
                            "flips under load", "--by", "tester", repo, PKG, "TestFlip"],
                           capture_output=True, text=True)
        check(q.returncode == 0, "6: quarantine add: %s" % q.stderr)
        q = subprocess.run([REPORTER, "quarantine", "add", "--db", rdb, "--reason", "x",
                            repo, PKG, "TestFlip"], capture_output=True, text=True)
        check(q.returncode == 2 and "already in quarantine" in q.stderr,
              "6: a second add is refused: %r" % q.stderr)
        rc, cls, err, _ = run(repo, fresh_db(repo)(), "feature", 802, pr=13,
                              started=at(60), reporter=url, token=tokens[repo])
        check(rc == 0 and cls == "quarantined", "6: a quarantined flake does not fail "
              "the job (exit %d, %s) %s" % (rc, cls, err[-300:]))

        def listed():
            _, body = testdocs_get(port, "/api/v1/repos/o/s7/quarantine")
            e = (body or {}).get("quarantine", [{}])[0]
            return e
        # p0 = 1/3 (main: 1 of 3): (2/3)^n <= 0.05 first at n = 8 (hand:
        # (2/3)^7 = 0.059, (2/3)^8 = 0.039).
        e = listed()
        check(abs(e.get("rate_at_add", 0) - 1 / 3) < 1e-9 and e.get("release_needs") == 8,
              "6: p0 1/3 needs 8 clean executions: %r" % e)
        for k in range(3):
            run(repo, fresh_db(repo)(), "main", 803 + k, started=at(120 + k),
                flaky=False, reporter=url, token=tokens[repo])
            e = listed()
            want = 3 * (k + 1)
            check(e.get("clean_executions") == want and
                  e.get("ready_to_release") == (want >= 8),
                  "6: after %d clean runs: %d clean, ready %s: %r" % (k + 1, want,
                                                                      want >= 8, e))
        body = get_text(port, "/o/s7")
        check("ready to release" in body and "9 clean executions (8 needed)" in body,
              "6: the repository page shows the release evidence")
        q = subprocess.run([REPORTER, "quarantine", "remove", "--db", rdb, repo, PKG,
                            "TestFlip"], capture_output=True, text=True)
        check(q.returncode == 0, "6: release: %s" % q.stderr)
        rc, cls, err, _ = run(repo, fresh_db(repo)(), "feature", 810, pr=13,
                              started=at(200), reporter=url, token=tokens[repo])
        check(rc == 1 and cls == "regressed", "6: flaking after its release: regressed, "
              "exit 1 (exit %d, %s)" % (rc, cls))

        # 8. One comment pipeline: the same runs and history give the
        # same comment bytes in embedded mode and from the reporter.
        repo, main_at, pr_at = "o/s6", iso(4), iso(0)
        edb = os.path.join(work, "s6-embedded.db")
        for db, rep_args in ((edb, {}), (fresh_db(repo)(), dict(reporter=url,
                                                                token=tokens[repo]))):
            run(repo, db, "main", 701, commit="m701", started=main_at, **rep_args)
        a, b = os.path.join(work, "s6-embedded.md"), os.path.join(work, "s6-reporter.md")
        rc1, cls1, err1, _ = run(repo, edb, "feature", 702, pr=12, commit="p702",
                                 started=pr_at, extra=("--comment-file", a))
        rc2, cls2, err2, _ = run(repo, fresh_db(repo)(), "feature", 702, pr=12,
                                 commit="p702", started=pr_at, reporter=url,
                                 token=tokens[repo], extra=("--comment-file", b))
        ca = open(a).read() if os.path.exists(a) else ""
        cb = open(b).read() if os.path.exists(b) else ""
        check(cls1 == cls2 == "known" and rc1 == rc2 == 0,
              "8: both known (%s %s, exit %d %d) %s" % (cls1, cls2, rc1, rc2, err2[-300:]))
        check("flake-action:comment" in ca and "TestFlip" in ca and "known" in ca,
              "8: the embedded comment: %r" % ca[:300])
        check(ca == cb, "8: embedded and reporter comments are byte-identical:\n%s\n----\n%s"
              % (ca[:1500], cb[:1500]))
        # The comment's history line and `history` use the rates of the
        # test page and the API (one definition in core).
        check("History on <code>main</code> (30 days): failed in 1 of 1 run (100%); "
              "no condition stands out (n = 3)" in ca,
              "8: the comment gives the base branch's run-level rates: %r"
              % ca[ca.find("History"):][:200])
        hj = subprocess.run([COLLECTOR, "history", "--db", edb, "--json"],
                            capture_output=True, text=True)
        flip = [t for t in json.loads(hj.stdout or "{}").get("tests", [])
                if t["name"] == "TestFlip"]
        f0 = flip[0] if flip else {}
        check(f0.get("disruption", {}).get("runs_failing") == 2 and
              f0.get("disruption", {}).get("runs") == 2 and
              (f0.get("rate_clustered") or {}).get("uploads") == 2 and
              f0.get("condition") == "no condition stands out (n = 6)",
              "8: history --json has the API's rates: %r" % f0)
        ht = subprocess.run([COLLECTOR, "history", "--db", edb], capture_output=True,
                            text=True).stdout
        check("100% (2/2)" in ht and "no condition stands out (n = 6)" in ht and
              "CLUSTERED CI" in ht, "8: history's table has them too:\n%s" % ht)
    finally:
        proc.terminate()
        proc.wait(timeout=20)

    # 6. --auto-release on: the upload that completes the evidence
    # releases the test; its next flake is regressed.
    adb = os.path.join(work, "auto.db")
    awork = os.path.join(work, "auto")
    os.makedirs(awork)
    atok, aproc, aport = testdocs.token_and_server(REPORTER, adb, awork, repo="o/s9",
                                                   args=("--auto-release", "on"))
    aurl = "http://127.0.0.1:%d" % aport
    try:
        repo = "o/s9"
        run(repo, None, "main", 1001, days_ago=10, reporter=aurl, token=atok)
        subprocess.run([REPORTER, "quarantine", "add", "--db", adb, "--reason", "r",
                        repo, PKG, "TestFlip"], check=True, capture_output=True)
        states = []
        for k in range(3):
            run(repo, None, "main", 1002 + k, started=at(400 + k), flaky=False,
                reporter=aurl, token=atok)
            q = subprocess.run([REPORTER, "quarantine", "list", "--db", adb, repo],
                               capture_output=True, text=True)
            states.append(q.stdout.splitlines()[-1].split()[0] if q.stdout else "?")
        check(states == ["active", "active", "released"],
              "6a: released by the upload that completed 8 clean executions: %r" % states)
        rc, cls, err, _ = run(repo, None, "feature", 1010, pr=15, started=at(410),
                              reporter=aurl, token=atok)
        check(rc == 1 and cls == "regressed", "6a: then regressed (exit %d, %s)" % (rc, cls))
        log = open(os.path.join(awork, "server.log")).read()
        check("released 1 test of o/s9 from quarantine on evidence" in log,
              "6a: the reporter logs the release")
    finally:
        aproc.terminate()
        aproc.wait(timeout=20)

    # 6. Quarantine in embedded mode: the file checked into the repository.
    repo, qdb = "o/s8", os.path.join(work, "s8.db")
    qfile = os.path.join(work, "flake-quarantine.yml")
    with open(qfile, "w") as f:
        f.write("# reviewed like code\n- test: TestFlip\n  package: %s\n"
                "  reason: \"flips # under load\"\n  added_by: alice\n"
                "  added_at: 2026-11-20\n" % PKG)
    spath = os.path.join(work, "s8-summary.md")
    cpath = os.path.join(work, "s8-comment.md")
    rc, cls, err, _ = run(repo, qdb, "feature", 901, pr=14, started=at(300),
                          extra=("--quarantine", qfile, "--summary", spath,
                                 "--comment-file", cpath))
    check(rc == 0 and cls == "quarantined", "6e: listed in the file: quarantined, exit 0 "
          "(exit %d, %s) %s" % (rc, cls, err[-300:]))
    summary = open(spath).read() if os.path.exists(spath) else ""
    check("### 🔒 Quarantined" in summary and "<code>TestFlip</code>" in
          summary.split("### 🔒 Quarantined", 1)[-1] and
          "Failed and flaky tests" not in summary,
          "6e: the summary lists it in its own section: %r" % summary[:600])
    comment = open(cpath).read() if os.path.exists(cpath) else ""
    check("**🔒 Quarantined** (they ran; their failures do not fail the job): "
          "<code>TestFlip</code> 1/3" in comment and "| ⚠️ flaky" not in comment,
          "6e: the comment lists it on its own line, not in the table: %r" % comment[:600])
    with open(qfile, "w") as f:
        f.write("# empty now: released\n")
    rc, cls, err, _ = run(repo, qdb, "feature", 902, pr=14, started=at(301),
                          extra=("--quarantine", qfile))
    check(rc == 1 and cls == "regressed", "6e: removed from the file, flaking: regressed "
          "(exit %d, %s)" % (rc, cls))
    with open(qfile, "w") as f:
        f.write("- test: TestFlip\n  pakage: x\n")
    rc, cls, err, _ = run(repo, qdb, "feature", 903, pr=14, started=at(302),
                          extra=("--quarantine", qfile))
    check(rc == 2 and "flake-quarantine.yml:2: unknown key 'pakage'" in err,
          "6e: a misspelt key is an error naming file:line (exit %d): %r" % (rc, err[-300:]))

    # 5. The reporter is down (nothing listens on its port).
    down = "http://127.0.0.1:%d" % free_port()
    repo = "o/s5"
    rc, cls, err, _ = run(repo, os.path.join(work, "down-fresh.db"), "feature", 601, pr=11,
                          reporter=down, token="flk_x")
    check(rc == 0 and cls == "unverified", "5: reporter down, no local history: unverified, "
          "exit 0 (exit %d, %s)" % (rc, cls))
    check("unverified and do not fail the job" in err and "upload to the reporter failed" in err,
          "5: the warnings say so: %r" % err[-600:])
    # With local history of main (the Action's cache): its classes.
    db = os.path.join(work, "down-cached.db")
    run(repo, db, "main", 602, days_ago=2)
    rc, cls, err, _ = run(repo, db, "feature", 603, pr=11, reporter=down, token="flk_x")
    check(rc == 0 and cls == "known", "5: reporter down, main's flake in the local history: "
          "known (exit %d, %s)" % (rc, cls))
    db = os.path.join(work, "down-clean.db")
    run(repo, db, "main", 604, days_ago=2, flaky=False)
    rc, cls, err, _ = run(repo, db, "feature", 605, pr=11, reporter=down, token="flk_x")
    check(rc == 1 and cls == "new", "5: reporter down, main ran clean in the local history: "
          "new (exit %d, %s)" % (rc, cls))

    done()


main()
