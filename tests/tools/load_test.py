#!/usr/bin/env python3
"""Load on the real flake-reporter (tests/integration/load.sh).

A fresh database, REPOS repositories with a token each; UPLOADERS threads
(one keep-alive connection each) start together and send UPLOADS
distinct results documents in all (TESTS tests, 2 cells, gzip like the
collector, an Idempotency-Key each) to a reporter with its default
--threads and --conn-limit.  Checked: no 5xx, no answer or log line
mentioning SQLITE_BUSY or "locked", every upload answered 201 (no
retries), every upload stored once (the runs API, paged), a clean
SIGTERM.  Printed: latency p50/p90/p99/max and uploads per second.

usage: load_test.py BINDIR WORKDIR   (env: LOAD_UPLOADERS, LOAD_UPLOADS,
       LOAD_TESTS, LOAD_THREADS to vary the run)
"""
import gzip, http.client, json, os, re, signal, subprocess, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testdocs import doc_for  # noqa: E402
from checks import check, done  # noqa: E402

bindir, work = sys.argv[1], sys.argv[2]
REPORTER = os.path.join(bindir, "flake-reporter")
DB = os.path.join(work, "load.db")
PORTFILE = os.path.join(work, "port")
LOG = os.path.join(work, "server.log")
UPLOADERS = int(os.environ.get("LOAD_UPLOADERS", "64"))
UPLOADS = int(os.environ.get("LOAD_UPLOADS", "640"))
TESTS = int(os.environ.get("LOAD_TESTS", "40"))
THREADS = os.environ.get("LOAD_THREADS", "")  # "" = the reporter's default
REPOS = ["load/r%d" % i for i in range(4)]




tokens = {}
for repo in REPOS:
    p = subprocess.run([REPORTER, "token", "create", "--db", DB, repo],
                       capture_output=True, text=True)
    if p.returncode != 0 or not p.stdout.startswith("flk_"):
        raise SystemExit("token create failed: %s" % p.stderr)
    tokens[repo] = p.stdout.strip()

args = [REPORTER, "serve", "--db", DB, "--listen", "127.0.0.1:0", "--port-file", PORTFILE,
        "--comment", "never"] + (["--threads", THREADS] if THREADS else [])
proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=open(LOG, "w"))
port = 0
for _ in range(300):
    try:
        port = int(open(PORTFILE).read().strip() or 0)
    except (OSError, ValueError):
        port = 0
    if port:
        break
    time.sleep(0.02)
if not port:
    proc.kill()
    raise SystemExit("reporter did not start: %s" % open(LOG).read()[-2000:])

# The documents, built before the clock starts: upload k goes to
# uploader k % UPLOADERS and repository k % len(REPOS).
jobs = [[] for _ in range(UPLOADERS)]
for k in range(UPLOADS):
    repo = REPOS[k % len(REPOS)]
    tests = {"Test%03d" % t: {"GOMAXPROCS=1": (3 - (t + k) % 7 // 6, (t + k) % 7 // 6),
                              "GOMAXPROCS=2": (3, 0)} for t in range(TESTS)}
    d = doc_for(repo, str(10000 + k), "load", tests, cells=("GOMAXPROCS=1", "GOMAXPROCS=2"),
                commit="%040x" % k)
    jobs[k % UPLOADERS].append((k, repo, gzip.compress(json.dumps(d).encode())))

lat = []             # seconds per upload
bad = []             # (k, status or exception, text)
lock = threading.Lock()
go = threading.Barrier(UPLOADERS + 1)


def uploader(u):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    mine = []
    go.wait()
    for k, repo, body in jobs[u]:
        t = time.perf_counter()
        try:
            conn.request("POST", "/api/v1/uploads", body=body, headers={
                "Authorization": "Bearer " + tokens[repo], "Content-Type": "application/json",
                "Content-Encoding": "gzip", "Idempotency-Key": "load-%d" % k})
            r = conn.getresponse()
            text = r.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as e:
            with lock:
                bad.append((k, repr(e), ""))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        mine.append(time.perf_counter() - t)
        if r.status != 201 or "SQLITE_BUSY" in text or "locked" in text:
            with lock:
                bad.append((k, r.status, text[:300]))
    conn.close()
    with lock:
        lat.extend(mine)


threads = [threading.Thread(target=uploader, args=(u,)) for u in range(UPLOADERS)]
for t in threads:
    t.start()
go.wait()
t0 = time.perf_counter()
for t in threads:
    t.join()
wall = time.perf_counter() - t0

n5xx = sum(1 for _, s, _ in bad if isinstance(s, int) and s >= 500)
busy = [b for b in bad if "SQLITE_BUSY" in b[2] or "locked" in b[2]]
check(n5xx == 0, "no 5xx: %d (%r)" % (n5xx, bad[:3]))
check(not busy, "no SQLITE_BUSY / locked: %r" % busy[:3])
check(not bad, "every upload answered 201 on the first try: %d did not (%r)" % (len(bad), bad[:5]))
check(len(lat) == UPLOADS, "%d answers for %d uploads" % (len(lat), UPLOADS))

# Every upload stored once: the runs API of each repository, paged.
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
listed = []
for repo in REPOS:
    before = None
    for _ in range(100):
        c.request("GET", "/api/v1/repos/%s/runs?limit=500%s" % (repo, "&before=%d" % before if before else ""))
        r = c.getresponse()
        page = json.loads(r.read())
        listed += [x["gh_run_id"] for x in page.get("runs", [])]
        before = page.get("next_before")
        if not before:
            break
c.close()
check(len(listed) == UPLOADS and len(set(listed)) == UPLOADS,
      "runs API lists %d runs (%d distinct) for %d uploads" % (len(listed), len(set(listed)), UPLOADS))

proc.send_signal(signal.SIGTERM)
try:
    rc = proc.wait(timeout=30)
except subprocess.TimeoutExpired:
    proc.kill()
    rc = "hung"
check(rc == 0, "clean SIGTERM exit (got %s)" % rc)
log = open(LOG).read()
check("SQLITE_BUSY" not in log and "locked" not in log, "no SQLITE_BUSY / locked in the log")
check(not any(t in log for t in tokens.values()), "no token in the log")

lat.sort()
def pct(p):
    return lat[min(len(lat) - 1, int(p / 100.0 * len(lat)))] * 1000 if lat else float("nan")
size = sum(len(b) for j in jobs for _, _, b in j) / max(1, UPLOADS)
print("%d uploads (%d tests x 2 cells, %.1f KiB gzip each) by %d keep-alive uploaders, "
      "reporter --threads %s" % (UPLOADS, TESTS, size / 1024, UPLOADERS, THREADS or "default (4)"))
print("latency ms: p50 %.1f, p90 %.1f, p99 %.1f, max %.1f" % (pct(50), pct(90), pct(99), pct(100)))
srv = sorted(float(m) for m in re.findall(r"access POST /api/v1/uploads 201 ([0-9.]+)ms", log))
if srv:
    sp = lambda p: srv[min(len(srv) - 1, int(p / 100.0 * len(srv)))]  # noqa: E731
    print("server time ms (access log): p50 %.1f, p99 %.1f, max %.1f" % (sp(50), sp(99), sp(100)))
print("throughput: %.0f uploads/s (%.2f s wall), 5xx: %d, busy/locked: %d, not 201: %d"
      % (UPLOADS / wall, wall, n5xx, len(busy), len(bad)))
done()
