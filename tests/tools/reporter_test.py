#!/usr/bin/env python3
"""Integration test of the real flake-reporter on loopback (see
tests/integration/reporter.sh): tokens, uploads (plain, gzip, idempotent,
sharded), the flake numbers through the API against hand-computed
values, a table of bad requests each with its status and message and the
database unchanged by them, the PR comment in the upload response, the
collector's --reporter upload and outage, and a clean SIGTERM.

usage: reporter_test.py BINDIR WORKDIR [SHARED_DIR]
"""
import copy, gzip, http.client, json, math, os, signal, sqlite3, subprocess
import sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testdocs import doc_for  # noqa: E402
from checks import check, done  # noqa: E402

bindir, work = sys.argv[1], sys.argv[2]
shared = sys.argv[3] if len(sys.argv) > 3 else ""
REPORTER = os.path.join(bindir, "flake-reporter")
COLLECTOR = os.path.join(bindir, "flake-collector")
DB = os.path.join(work, "flake.db")




def token(repo):
    p = subprocess.run([REPORTER, "token", "create", "--db", DB, repo],
                       capture_output=True, text=True)
    check(p.returncode == 0 and p.stdout.startswith("flk_"), "token create %s" % repo)
    return p.stdout.strip()


def start(extra_env=None, args=()):
    portfile = os.path.join(work, "port")
    if os.path.exists(portfile):
        os.unlink(portfile)
    log = open(os.path.join(work, "server.log"), "a")
    env = dict(os.environ)
    env.update(extra_env or {})
    proc = subprocess.Popen([REPORTER, "serve", "--db", DB, "--listen",
                             "127.0.0.1:0", "--port-file", portfile,
                             "--public-url", "http://flakes.test",
                             "--max-body-mb", "2"] + list(args),
                            stderr=log, env=env)
    for _ in range(100):
        if os.path.exists(portfile) and open(portfile).read().strip():
            return proc, int(open(portfile).read())
        time.sleep(0.05)
    raise SystemExit("reporter did not start")


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=20)


def request(port, method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = dict(headers or {})
    if isinstance(body, str):
        body = body.encode()
    try:
        c.request(method, path, body=body, headers=h)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered (413) before taking the whole body
    r = c.getresponse()
    data = r.read()
    c.close()
    try:
        doc = json.loads(data) if data else None
    except ValueError:
        doc = None
    return r.status, doc, dict(r.getheaders())


def upload(port, tok, doc, gz=False, headers=None):
    body = json.dumps(doc).encode()
    h = {"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
    if gz:
        body = gzip.compress(body)
        h["Content-Encoding"] = "gzip"
    h.update(headers or {})
    return request(port, "POST", "/api/v1/uploads", body, h)


def wilson(k, n, z=1.959964):
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    m = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return c - m, c + m


def db_state():
    """Every table but tokens (whose last_used_at a token check updates)."""
    db = sqlite3.connect(DB)
    out = []
    for (t,) in db.execute("select name from sqlite_master where type='table' "
                           "and name not like 'sqlite_%' and name != 'tokens' "
                           "order by name"):
        rows = db.execute("select * from %s" % t).fetchall()
        out.append((t, sorted(map(repr, rows))))
    db.close()
    return out


tok = token("acme/api")
other = token("other/repo")
revoked = token("acme/api")
rows = subprocess.run([REPORTER, "token", "list", "--db", DB], capture_output=True,
                      text=True).stdout
check(tok not in rows and "acme/api" in rows, "token list never shows a token")
rid = [l.split()[0] for l in rows.splitlines()[1:] if l.split()[1] == "acme/api"][-1]
check(subprocess.run([REPORTER, "token", "revoke", "--db", DB, rid],
                     capture_output=True).returncode == 0, "token revoke")
db = sqlite3.connect(DB)
check(not any(tok.encode() in bytes(r[0]) if isinstance(r[0], bytes) else tok in str(r[0])
              for r in db.execute("select hash from tokens")), "only hashes stored")
db.close()

proc, port = start()
st, body, _ = request(port, "GET", "/healthz")
check(st == 200 and body.get("ok") is True and body.get("schema_version", 0) >= 3, "healthz %r" % body)

# --- Three runs with known outcomes, one flaky and one stable test. ---
# Run 1: TestFlaky 2 passes 1 failure; run 2: 3/0; run 3 (gzip): 1/2.
r1 = doc_for("acme/api", "100", "test", {"TestFlaky": {"GOMAXPROCS=1": (2, 1)},
                                          "TestStable": {"GOMAXPROCS=1": (3, 0)}})
st, body, _ = upload(port, tok, r1)
check(st == 201 and body["duplicate"] is False, "upload 1: %s %r" % (st, body))
run1 = body["run_id"]
# The run endpoint pages: a read costs one page, never the whole run.
st, pg1, _ = request(port, "GET", "/api/v1/runs/%d?limit=1" % run1)
pg = pg1.get("page") or {}
check(st == 200 and len(pg1.get("tests", [])) == 1 and pg.get("cursor") == 0 and
      pg.get("limit") == 1 and pg.get("total") == 2 and isinstance(pg.get("next"), int),
      "run page 1 of 2: %s %r" % (st, pg))
st, pg2, _ = request(port, "GET", "/api/v1/runs/%d?limit=1&cursor=%s" % (run1, pg.get("next")))
check(st == 200 and len(pg2.get("tests", [])) == 1 and pg2["page"]["next"] is None and
      pg2["tests"][0]["name"] != pg1["tests"][0]["name"],
      "run page 2 of 2: %s %r" % (st, pg2.get("page")))
st, full, _ = request(port, "GET", "/api/v1/runs/%d" % run1)
check(st == 200 and len(full["tests"]) == 2 and full["page"]["limit"] == 1000,
      "default page: every test of a small run, limit 1000")
for bad in ("limit=0", "limit=5001", "limit=x", "cursor=-1", "cursor=a"):
    st, _, _ = request(port, "GET", "/api/v1/runs/%d?%s" % (run1, bad))
    check(st == 400, "run endpoint %s: 400 (%s)" % (bad, st))
st, body, _ = upload(port, tok, r1)
check(st == 200 and body["duplicate"] is True and body["run_id"] == run1,
      "same run again: 200, the stored run, nothing written: %s %r" % (st, body))
r2 = doc_for("acme/api", "101", "test", {"TestFlaky": {"GOMAXPROCS=1": (3, 0)},
                                          "TestStable": {"GOMAXPROCS=1": (3, 0)}})
st, body, _ = upload(port, tok, r2, headers={"Idempotency-Key": "k-101"})
check(st == 201, "upload 2")
r2b = copy.deepcopy(r2)
r2b["meta"]["run_id"] = "999"
st, body, _ = upload(port, tok, r2b, headers={"Idempotency-Key": "k-101"})
check(st == 200 and body["duplicate"], "same Idempotency-Key: duplicate %s" % st)
r3 = doc_for("acme/api", "102", "test", {"TestFlaky": {"GOMAXPROCS=1": (1, 2)},
                                          "TestStable": {"GOMAXPROCS=1": (3, 0)}})
st, body, _ = upload(port, tok, r3, gz=True)
check(st == 201, "gzip upload %s %r" % (st, body))

st, body, _ = request(port, "GET", "/api/v1/repos/acme/api/tests")
check(st == 200 and body["runs"] == 3, "3 runs counted: %r" % (body and body.get("runs")))
t = {x["name"]: x for x in body["tests"]} if body else {}
f = t.get("TestFlaky", {})
# Hand-computed: 9 executions, 3 failures, flaky in runs 1 and 3.
check(f.get("executions") == 9 and f.get("failures") == 3, "TestFlaky 3/9 %r" % f)
check(f.get("flaky_runs") == 2 and f.get("runs") == 3, "flaky in 2 of 3 runs")
lo, hi = wilson(3, 9)
check(abs(f.get("rate", 0) - 1 / 3) < 1e-9, "rate 1/3")
check(abs(f.get("rate_lo", 0) - lo) < 1e-6 and abs(f.get("rate_hi", 0) - hi) < 1e-6,
      "Wilson 95%% interval [%.4f, %.4f]: %r" % (lo, hi, f))
check(abs(lo - 0.1206) < 1e-3 and abs(hi - 0.6458) < 1e-3, "Wilson by hand 3/9")
check(f.get("rate_text") == "33.3% (95% CI 12.1–64.6%)", "rate text %r" % f.get("rate_text"))
st, body, _ = request(port, "GET", "/api/v1/repos/acme/api/tests?all=1")
stable = {x["name"]: x for x in body["tests"]}.get("TestStable", {})
check(stable.get("executions") == 9 and stable.get("failures") == 0, "stable 0/9")
check("p <" in (stable.get("rate_text") or ""), "floor 0/n => p < 3/n: %r" % stable.get("rate_text"))
st, detail, _ = request(port, "GET", "/api/v1/repos/acme/api/tests/%d" % f["id"])
check(st == 200 and len(detail.get("daily", [])) == 30, "daily series of 30 days")
check(any(s["signature"].startswith("fail: want N") for s in detail.get("signatures", [])),
      "signatures in test detail")
st, _, _ = request(port, "GET", "/api/v1/repos/acme/api/tests/99999")
check(st == 404, "unknown test 404")
st, runs, _ = request(port, "GET", "/api/v1/repos/acme/api/runs")
check(st == 200 and len(runs.get("runs", [])) == 3, "3 runs listed")

# --- Shards: two jobs of one workflow run are one run. ---
s1 = doc_for("acme/api", "200", "shard", {"TestFlaky": {"GOMAXPROCS=1": (2, 1)}},
             cells=("GOMAXPROCS=1",), shard="1/2", pr=42)
s2 = doc_for("acme/api", "200", "shard", {"TestFlaky": {"GOMAXPROCS=2": (3, 0)}},
             cells=("GOMAXPROCS=2",), shard="2/2", pr=42)
st1, b1, _ = upload(port, tok, s1)
st2, b2, _ = upload(port, tok, s2)
check(st1 == 201 and st2 == 201 and b1["run_id"] == b2["run_id"],
      "shards merge into one run: %r %r" % (b1, b2))
st, run, _ = request(port, "GET", "/api/v1/runs/%d" % b2["run_id"])
check(st == 200 and len(run.get("cells", [])) == 2, "merged run has both shards' cells")
c = b2.get("comment", {})
check(c.get("status") == "not-configured" and "TestFlaky" in (c.get("markdown") or ""),
      "no GitHub token: the comment comes back to post: %r" % c.get("status"))
md = c.get("markdown") or ""
check("5/9" in md.replace(" ", "") or "TestFlaky" in md, "comment covers both shards")
check(len(md) <= 65536, "comment within GitHub's limit")

# Labelled shards that both ran a cell: TestSplit failed every execution
# in one and passed in the other.  Merged it is flaky -- the test and its
# cell, which are the counts summed, not the worse upload's "failed".
l1 = doc_for("acme/api", "201", "labelled", {"TestSplit": {"GOMAXPROCS=1": (0, 3)}},
             shard="1/2", pr=43)
l2 = doc_for("acme/api", "201", "labelled", {"TestSplit": {"GOMAXPROCS=1": (3, 0)}},
             shard="2/2", pr=43)
st1, b1, _ = upload(port, tok, l1)
st2, b2, _ = upload(port, tok, l2)
check(st1 == 201 and st2 == 201 and b1["run_id"] == b2["run_id"],
      "labelled shards merge into one run: %r %r" % (b1, b2))
st, run, _ = request(port, "GET", "/api/v1/runs/%d" % b2["run_id"])
split = {t["name"]: t for t in (run or {}).get("tests", [])}.get("TestSplit", {})
check(st == 200 and split.get("status") == "flaky", "merged TestSplit is flaky: %r" % split)
check([(c["cell"], c["status"], c["passes"], c["failures"]) for c in split.get("cells", [])]
      == [("GOMAXPROCS=1", "flaky", 3, 3)],
      "its cell is flaky with the summed counts, not the worse upload's: %r"
      % split.get("cells"))

# --- Bad requests: status, message, and the database unchanged. ---
good = json.dumps(r1)
H = {"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
def H2(**kw):
    h = dict(H)
    for k, v in kw.items():
        k = k.replace("_", "-")
        if v is None:
            h.pop(k, None)
        else:
            h[k] = v
    return h
def mut(f):
    d = copy.deepcopy(r1)
    d["meta"]["run_id"] = "bad"
    f(d)
    return json.dumps(d)
cases = [
    ("no token", "POST", "/api/v1/uploads", good, H2(Authorization=None), 401, "Authorization: Bearer"),
    ("unknown token", "POST", "/api/v1/uploads", good, H2(Authorization="Bearer flk_nope"), 401, "unknown or revoked"),
    ("revoked token", "POST", "/api/v1/uploads", good, H2(Authorization="Bearer " + revoked), 401, "unknown or revoked"),
    ("basic auth", "POST", "/api/v1/uploads", good, H2(Authorization="Basic eDp5"), 401, "Bearer"),
    ("other repo's token", "POST", "/api/v1/uploads", mut(lambda d: None), H2(Authorization="Bearer " + other), 403, "writes only 'other/repo'"),
    ("text/plain", "POST", "/api/v1/uploads", good, H2(Content_Type="text/plain"), 415, "application/json"),
    ("br encoding", "POST", "/api/v1/uploads", good, H2(Content_Encoding="br"), 415, "gzip or identity"),
    ("bad gzip", "POST", "/api/v1/uploads", b"\x1f\x8bnot gzip at all", H2(Content_Encoding="gzip"), 400, "not valid gzip"),
    ("truncated gzip", "POST", "/api/v1/uploads", gzip.compress(good.encode())[:40], H2(Content_Encoding="gzip"), 400, "gzip"),
    ("empty body", "POST", "/api/v1/uploads", b"", H, 400, "empty body"),
    ("malformed JSON", "POST", "/api/v1/uploads", good[:-5], H, 400, "malformed JSON"),
    ("not an object", "POST", "/api/v1/uploads", "[1,2]", H, 400, "must be a JSON object"),
    ("schema 2", "POST", "/api/v1/uploads", mut(lambda d: d.update(schema_version=2)), H, 400, "schema_version"),
    ("no repository", "POST", "/api/v1/uploads", mut(lambda d: d["meta"].pop("repository")), H, 400, "meta.repository: required"),
    ("traversal repo", "POST", "/api/v1/uploads", mut(lambda d: d["meta"].update(repository="../../etc")), H, 400, "OWNER/NAME"),
    ("negative count", "POST", "/api/v1/uploads", mut(lambda d: d["tests"][0].update(passes=-1)), H, 400, "tests[0].passes"),
    ("wrong type", "POST", "/api/v1/uploads", mut(lambda d: d["tests"][0].update(name=5)), H, 400, "tests[0].name: must be a string"),
    ("bad status", "POST", "/api/v1/uploads", mut(lambda d: d["tests"][0].update(status="meh")), H, 400, "not 'meh'"),
    ("unknown cell", "POST", "/api/v1/uploads", mut(lambda d: d["tests"][0]["cells"][0].update(cell="x")), H, 400, "no cell named 'x'"),
    ("counts overflow", "POST", "/api/v1/uploads", mut(lambda d: d["tests"][0].update(passes=10**9, failures=10**9, skips=10**9)), H, 400, "add up to more than"),
    ("cell counts overflow", "POST", "/api/v1/uploads", mut(lambda d: d["tests"][0]["cells"][0].update(passes=10**9, failures=10**9)), H, 400, "add up to more than"),
    ("64-char number", "POST", "/api/v1/uploads", mut(lambda d: d["tests"][0].update(seconds=0.123456789)).replace("0.123456789", "0." + "0" * 70 + "1"), H, 400, "at most 63 characters"),
    ("name too long", "POST", "/api/v1/uploads", mut(lambda d: d["tests"][0].update(name="T" * 5000)), H, 400, "longer than"),
    ("deep nesting", "POST", "/api/v1/uploads", "[" * 5000 + "]" * 5000, H, 400, "malformed JSON"),
    ("invalid UTF-8", "POST", "/api/v1/uploads", good.encode().replace(b"TestFlaky", b"Test\xff\xfe"), H, 400, "malformed JSON"),
    ("duplicate key", "POST", "/api/v1/uploads", good.replace('"wall_ms"', '"schema_version": 1, "wall_ms"', 1), H, 400, "duplicate"),
    ("long idempotency key", "POST", "/api/v1/uploads", good, H2(Idempotency_Key="k" * 300), 400, "Idempotency-Key"),
    ("too large", "POST", "/api/v1/uploads", b" " * (3 << 20), H, 413, "over the limit"),
    ("gzip bomb", "POST", "/api/v1/uploads", gzip.compress(b" " * (8 << 20)), H2(Content_Encoding="gzip"), 413, "inflates to more"),
    ("GET uploads", "GET", "/api/v1/uploads", None, {}, 405, "not allowed"),
    ("unknown path", "GET", "/api/v2/nothing", None, {}, 404, "no such resource"),
    ("traversal path", "GET", "/api/v1/repos/../../tests", None, {}, 400, "not a repository name"),
    ("odd repo chars", "GET", "/api/v1/repos/a%20b/c/tests", None, {}, 400, "not a repository name"),
    ("bad window", "GET", "/api/v1/repos/acme/api/tests?window=1y", None, {}, 400, "window must be"),
    ("bad run id", "GET", "/api/v1/runs/abc", None, {}, 404, "no such run"),
    ("bad limit", "GET", "/api/v1/repos/acme/api/runs?limit=0", None, {}, 400, "limit"),
]
before = db_state()
for name, method, path, body, headers, want, msg in cases:
    st, doc, hdrs = request(port, method, path, body, headers)
    text = json.dumps(doc) if doc else ""
    ok = st == want and msg in text
    if want == 405:
        ok = ok and "Allow" in hdrs
    check(ok, "bad request '%s': want %d ~ %r, got %d %s" % (name, want, msg, st, text[:200]))
check(db_state() == before, "bad requests left the database unchanged")
st, body, _ = request(port, "GET", "/healthz")
check(st == 200, "alive after the bad requests")

# --- The collector uploads (and survives an outage). ---
res = os.path.join(work, "r.json")
json.dump(doc_for("acme/api", "300", "coll", {"TestFlaky": {"GOMAXPROCS=1": (1, 1)}}),
          open(res, "w"))
env = dict(os.environ, FLAKE_TOKEN=tok)
stream = os.path.join(work, "s.json")
with open(stream, "w") as fh:
    for i, a in enumerate(["pass", "fail"]):
        fh.write(json.dumps({"Action": "run", "Package": "example.com/p", "Test": "TestUp"}) + "\n")
        fh.write(json.dumps({"Action": a, "Package": "example.com/p", "Test": "TestUp"}) + "\n")
p = subprocess.run([COLLECTOR, "analyze", "--no-history", "--quiet", "--fail-on", "none",
                    "--repository", "acme/api", "--run-id", "301", "--job", "j",
                    "--reporter", "http://127.0.0.1:%d" % port, stream],
                   capture_output=True, text=True, env=env)
check(p.returncode == 0 and "uploaded to the reporter" in p.stderr,
      "collector --reporter: %d %s" % (p.returncode, p.stderr[-300:]))
p = subprocess.run([COLLECTOR, "analyze", "--no-history", "--quiet", "--fail-on", "none",
                    "--repository", "acme/api", "--reporter", "http://127.0.0.1:1", stream],
                   capture_output=True, text=True,
                   env=dict(env, FLAKE_UPLOAD_MAX_WAIT_MS="1500"))
check(p.returncode == 0 and "warning: upload to the reporter failed" in p.stderr,
      "reporter down: warning, exit status unaffected: %d %s" % (p.returncode, p.stderr[-300:]))

# --- PR comment posted by the reporter itself, through the fake GitHub. ---
spec = os.path.join(shared, "github", "rest-subset.json") if shared else ""
fake = None
if spec and os.path.exists(spec):
    fport = os.path.join(work, "gh.port")
    fake = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__), "fake_github.py"),
                             "--spec", spec, "--port", "0", "--portfile", fport],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "fake.log"), "w"))
    for _ in range(100):
        if os.path.exists(fport) and open(fport).read().strip():
            break
        time.sleep(0.05)
    gport = int(open(fport).read())
    # A reporter with no GitHub token: the collector posts the comment the
    # reporter rendered (all shards), with the job's GITHUB_TOKEN.
    p = subprocess.run([COLLECTOR, "analyze", "--no-history", "--quiet", "--fail-on", "none",
                        "--repository", "acme/api", "--run-id", "500", "--job", "j",
                        "--pr", "9", "--reporter", "http://127.0.0.1:%d" % port,
                        "--github-api-url", "http://127.0.0.1:%d" % gport, stream],
                       capture_output=True, text=True,
                       env=dict(env, GITHUB_TOKEN="ghs_job_token", FLAKE_GITHUB_MAX_WAIT_MS="2000"))
    _, log, _ = request(gport, "GET", "/_control/log")
    made = [e for e in (log or []) if e.get("method") == "POST" and
            e.get("path", "").startswith("/repos/acme/api/issues/9/comments")]
    check(p.returncode == 0 and len(made) == 1 and "flake-action:comment" in
          json.dumps(made[0].get("body")), "collector posts the reporter's comment: %s" % p.stderr[-300:])
    check("ghs_job_token" not in p.stderr + p.stdout, "job token never printed")
    check(stop(proc) == 0, "clean SIGTERM exit")
    proc, port = start({"FLAKE_GITHUB_TOKEN": "ghs_secret_reporter_token"},
                       ["--github-api-url", "http://127.0.0.1:%d" % gport])
    p1 = doc_for("acme/api", "400", "test", {"TestFlaky": {"GOMAXPROCS=1": (2, 1)}}, pr=7)
    st, b, _ = upload(port, tok, p1)
    check(st == 201 and b["comment"]["status"] == "posted", "comment posted %r" % b.get("comment"))
    p2 = doc_for("acme/api", "401", "test", {"TestFlaky": {"GOMAXPROCS=1": (1, 2)}}, pr=7)
    st, b, _ = upload(port, tok, p2)
    check(st == 201 and b["comment"]["status"] == "updated", "comment updated %r" % b.get("comment"))
    _, log, _ = request(gport, "GET", "/_control/log")
    posts = [e for e in (log or []) if e.get("method") == "POST" and
             e.get("path", "").startswith("/repos/acme/api/issues/7/comments")]
    patches = [e for e in (log or []) if e.get("method") == "PATCH"]
    check(len(posts) == 1 and len(patches) == 1, "one comment created, then updated in place")
    # One listing per post: the two uploads listed issue 7's comments
    # twice in all, not four times.
    lists = [e for e in (log or []) if e.get("method") == "GET" and
             e.get("path", "").startswith("/repos/acme/api/issues/7/comments")]
    check(len(lists) == 2, "the comments are listed once per post: %d lists" % len(lists))
    _, viol, _ = request(gport, "GET", "/_control/violations")
    check(not viol, "requests match GitHub's OpenAPI description: %r" % (viol or "")[:3])
else:
    print("note: ../shared/github/rest-subset.json absent: reporter-side posting not checked")

# --- Slow clients: connections that never finish their request are
# closed after --conn-timeout, and the service stays available. ---
import socket
check(stop(proc) == 0, "clean SIGTERM exit")
proc, port = start(args=["--conn-timeout", "1", "--conn-limit", "16"])
slow = []
for i in range(12):
    so = socket.create_connection(("127.0.0.1", port), timeout=5)
    so.sendall(b"POST /api/v1/uploads HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n")
    slow.append(so)
time.sleep(2.5)
closed = 0
for so in slow:
    try:
        so.settimeout(2)
        closed += so.recv(4096) == b""
    except socket.timeout:
        pass  # still open: a failure
    except (ConnectionResetError, OSError):
        closed += 1
    so.close()
check(closed == len(slow), "slow clients closed after the connection timeout: %d/%d" % (closed, len(slow)))
st, body, _ = request(port, "GET", "/healthz")
check(st == 200, "alive after slow clients")
check(stop(proc) == 0, "clean SIGTERM exit")
if fake:
    fake.terminate()
log = open(os.path.join(work, "server.log")).read()
check("access POST /api/v1/uploads 201" in log, "access log lines")
check(tok not in log and "ghs_secret" not in log and "Bearer" not in log, "no token in the log")
check("stopped" in log, "shutdown logged")
done()
