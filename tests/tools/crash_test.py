#!/usr/bin/env python3
"""Crash safety of the real flake-reporter (tests/integration/crash.sh).

A fresh database and token; CLIENTS threads each upload a sequence of
distinct results documents (TESTS tests each, gzip like the collector,
an Idempotency-Key per document), retrying on connection errors and 5xx
until a 2xx acknowledges the document.  Meanwhile a killer thread
SIGKILLs the reporter at random moments (20-300 ms apart) and restarts
it on the same database (a new port each time: clients re-read the
--port-file), KILLS times; the clients upload until the killer is done
(at most MAXDOCS documents each).  At the end, with the reporter
stopped by SIGTERM:

  - every acknowledged document is stored exactly once (runs counted by
    run key, gh run id and Idempotency-Key; the acknowledged run_id is
    the stored one), nothing else is stored;
  - every stored upload is whole: its test, result and verdict rows are
    all there (the transaction is atomic), the /metrics counters agree;
  - PRAGMA integrity_check is ok, foreign_key_check is empty;
  - the reporter restarts cleanly and its runs API (paged) lists each
    run once, then exits 0 on SIGTERM.

usage: crash_test.py BINDIR WORKDIR   (env: CRASH_SEED, CRASH_KILLS,
       CRASH_CLIENTS, CRASH_MAXDOCS, CRASH_TESTS to vary the run)
"""
import gzip, http.client, json, os, random, signal, socket, sqlite3
import subprocess, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testdocs import doc_for  # noqa: E402
from checks import check, done  # noqa: E402

bindir, work = sys.argv[1], sys.argv[2]
REPORTER = os.path.join(bindir, "flake-reporter")
DB = os.path.join(work, "crash.db")
PORTFILE = os.path.join(work, "port")
LOG = os.path.join(work, "server.log")
REPO = "crash/repo"
SEED = int(os.environ.get("CRASH_SEED") or time.time_ns() % 1000000)
KILLS = int(os.environ.get("CRASH_KILLS", "40"))
CLIENTS = int(os.environ.get("CRASH_CLIENTS", "8"))
MAXDOCS = int(os.environ.get("CRASH_MAXDOCS", "400"))
TESTS = int(os.environ.get("CRASH_TESTS", "400"))
DEADLINE = time.monotonic() + 90  # hard stop: a hang fails, never blocks CI




def start():
    """Start the reporter on DB; returns (proc, port)."""
    try:
        os.unlink(PORTFILE)
    except FileNotFoundError:
        pass
    proc = subprocess.Popen([REPORTER, "serve", "--db", DB, "--listen", "127.0.0.1:0",
                             "--port-file", PORTFILE, "--comment", "never"],
                            stdout=subprocess.DEVNULL, stderr=open(LOG, "a"))
    t0 = time.monotonic()
    while time.monotonic() - t0 < 15:
        port = read_port()
        if port:
            return proc, port
        if proc.poll() is not None:
            raise SystemExit("reporter exited %s at start; see %s:\n%s"
                             % (proc.returncode, LOG, open(LOG).read()[-2000:]))
        time.sleep(0.005)
    proc.kill()
    raise SystemExit("reporter did not start within 15 s")


def read_port():
    try:
        return int(open(PORTFILE).read().strip() or 0)  # may be half written
    except (OSError, ValueError):
        return 0


print("seed %d: %d clients x up to %d documents x %d tests, %d kills"
      % (SEED, CLIENTS, MAXDOCS, TESTS, KILLS), flush=True)
p = subprocess.run([REPORTER, "token", "create", "--db", DB, REPO],
                   capture_output=True, text=True)
if p.returncode != 0 or not p.stdout.startswith("flk_"):
    raise SystemExit("token create failed: %s" % p.stderr)
TOKEN = p.stdout.strip()


def gh_run_id(c, i):
    return "%d%04d" % (c + 1, i)


def body_for(c, i):
    """Document i of client c, gzip: TESTS tests, a tenth of them new."""
    rng = random.Random(SEED * 100000 + c * 10000 + i)
    tests = {"Test%03d_%d_%d" % (t, c, i) if t % 10 == 0 else "Test%03d" % t:
             {"GOMAXPROCS=1": (rng.randint(1, 3), rng.choice((0, 0, 0, 1)))}
             for t in range(TESTS)}
    d = doc_for(REPO, gh_run_id(c, i), "crash", tests, commit="%040x" % (c * 10000 + i))
    return gzip.compress(json.dumps(d).encode())


acks = {}            # (c, i) -> (status, body) of the acknowledging answer
attempts = {}        # (c, i) -> requests sent
errors = []          # unexpected answers (4xx, bad bodies, SQLITE_BUSY ...)
lock = threading.Lock()
stop_killer = threading.Event()
clients_done = threading.Event()
killer_done = threading.Event()
sent = set()         # documents the clients started to upload
state = {"proc": None, "port": 0, "kills": 0, "restarts": 0, "conn_errors": 0, "5xx": 0}


def client(c):
    rng = random.Random(SEED + c)
    for i in range(MAXDOCS):
        if killer_done.is_set():
            break
        key = (c, i)
        body = body_for(c, i)
        with lock:
            sent.add(key)
        n = 0
        while time.monotonic() < DEADLINE:
            port = read_port()
            if not port:
                time.sleep(0.01)
                continue
            n += 1
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
            try:
                conn.request("POST", "/api/v1/uploads", body=body, headers={
                    "Authorization": "Bearer " + TOKEN, "Content-Type": "application/json",
                    "Content-Encoding": "gzip", "Idempotency-Key": "crash-%d-%d" % key})
                r = conn.getresponse()
                data = r.read()
            except (OSError, http.client.HTTPException):
                # refused, reset, closed without an answer: the reporter died
                with lock:
                    state["conn_errors"] += 1
                time.sleep(rng.uniform(0.005, 0.03))
                continue
            finally:
                conn.close()
            text = data.decode("utf-8", "replace")
            if "SQLITE_BUSY" in text or "locked" in text:
                with lock:
                    errors.append((key, r.status, text[:300]))
            if r.status >= 500:
                with lock:
                    state["5xx"] += 1
                time.sleep(rng.uniform(0.005, 0.03))
                continue
            try:
                body = json.loads(text)
            except ValueError:
                body = None
            if r.status in (200, 201) and isinstance(body, dict):
                with lock:
                    acks[key] = (r.status, body)
            else:
                with lock:
                    errors.append((key, r.status, text[:300]))
            break
        attempts[key] = n


def killer():
    rng = random.Random(SEED)
    while not stop_killer.is_set() and time.monotonic() < DEADLINE:
        if state["kills"] >= KILLS:
            break
        time.sleep(rng.uniform(0.02, 0.3))
        if clients_done.is_set():
            break
        proc = state["proc"]
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        state["kills"] += 1
        state["proc"], state["port"] = start()
        state["restarts"] += 1
    killer_done.set()


t0 = time.monotonic()
state["proc"], state["port"] = start()
threads = [threading.Thread(target=client, args=(c,)) for c in range(CLIENTS)]
kt = threading.Thread(target=killer)
for t in threads:
    t.start()
kt.start()
for t in threads:
    t.join()
clients_done.set()
kt.join()
upload_secs = time.monotonic() - t0
proc = state["proc"]
# Every client finished before the killer reached its rounds: the
# documents were too few for this machine, the run proves less.
check(state["kills"] >= min(KILLS, 10), "at least 10 kills during the uploads (got %d; "
      "raise CRASH_MAXDOCS)" % state["kills"])
proc.send_signal(signal.SIGTERM)
try:
    rc = proc.wait(timeout=20)
except subprocess.TimeoutExpired:
    proc.kill()
    rc = "hung"
check(rc == 0, "SIGTERM after the kills: exit 0 (got %s)" % rc)

n_docs = len(sent)
n201 = sum(1 for s, _ in acks.values() if s == 201)
n200 = sum(1 for s, _ in acks.values() if s == 200)
check(len(acks) == n_docs, "every document acknowledged: %d of %d (errors: %r)"
      % (len(acks), n_docs, errors[:5]))
check(not errors, "no unexpected answers: %r" % errors[:5])
for key, (st, body) in acks.items():
    # A 200 is right only when an earlier attempt may have been stored
    # before its answer was lost with the process.
    if st == 200:
        check(body.get("duplicate") is True and attempts.get(key, 0) > 1,
              "%r: 200 duplicate only after a lost answer: %r" % (key, body))
    else:
        check(body.get("duplicate") is False, "%r: 201 not a duplicate" % (key,))

# --- The database, read-only, the reporter stopped. ---
db = sqlite3.connect("file:%s?mode=ro" % DB, uri=True)
q = lambda sql, *a: db.execute(sql, a).fetchall()  # noqa: E731
integrity = q("PRAGMA integrity_check")
check(integrity == [("ok",)], "integrity_check: %r" % integrity[:5])
jm = q("PRAGMA journal_mode")
check(jm == [("wal",)], "the database is in WAL mode: %r" % jm)
fk = q("PRAGMA foreign_key_check")
check(not fk, "foreign_key_check: %r" % fk[:5])
runs = q("SELECT r.id, r.run_key, r.gh_run_id, r.idem_key, r.tests, g.id, g.uploads "
         "FROM runs r JOIN run_groups g ON g.id = r.group_id")
by_key, by_gh, by_idem = {}, {}, {}
for rid, run_key, gh, idem, ntests, gid, gup in runs:
    by_key[run_key] = by_key.get(run_key, 0) + 1
    by_gh[gh] = by_gh.get(gh, 0) + 1
    by_idem[idem] = by_idem.get(idem, 0) + 1
dups = sum(v - 1 for v in by_key.values()) + sum(v - 1 for v in by_gh.values()) + \
    sum(v - 1 for v in by_idem.values())
check(dups == 0, "no document stored twice (%d duplicates)" % dups)
check(len(runs) == n_docs, "%d uploads stored for %d documents" % (len(runs), n_docs))
stored = {gh: (rid, gid, ntests, gup, idem) for rid, _, gh, idem, ntests, gid, gup in runs}
missing = 0
for (c, i), (st, body) in acks.items():
    gh = gh_run_id(c, i)
    row = stored.get(gh)
    if row is None:
        missing += 1
        check(False, "acknowledged document %r (%s) is not stored" % ((c, i), body))
        continue
    rid, gid, ntests, gup, idem = row
    check(body.get("run_id") == gid and body.get("upload_id") == rid,
          "%r acknowledged as run %s upload %s, stored as %s/%s"
          % ((c, i), body.get("run_id"), body.get("upload_id"), gid, rid))
    check(idem == "crash-%d-%d" % (c, i), "%r Idempotency-Key stored" % ((c, i),))
    check(ntests == TESTS and gup == 1, "%r whole: %d tests, %d uploads" % ((c, i), ntests, gup))
partial = q("SELECT r.id, count(x.run_id) FROM runs r LEFT JOIN results x ON x.run_id = r.id "
            "GROUP BY r.id HAVING count(x.run_id) <> ?", TESTS)
check(not partial, "every upload has all its result rows: %r" % partial[:5])
partial = q("SELECT r.id, count(v.run_id) FROM runs r LEFT JOIN verdicts v ON v.run_id = r.id "
            "GROUP BY r.id HAVING count(v.run_id) <> ?", TESTS)
check(not partial, "every upload has all its verdicts: %r" % partial[:5])
ctr = dict(q("SELECT name, value FROM counters"))
check(ctr.get("uploads") == len(runs), "counters.uploads %r = %d" % (ctr.get("uploads"), len(runs)))
nres = q("SELECT count(*) FROM results")[0][0]
check(ctr.get("result_rows") == nres, "counters.result_rows %r = %d" % (ctr.get("result_rows"), nres))
db.close()

# --- A clean restart: the API lists each run once. ---
proc, port = start()
c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
c.request("GET", "/healthz")
r = c.getresponse()
check(r.status == 200 and json.loads(r.read()).get("ok") is True, "healthz after the kills")
listed, before, pages = [], None, 0
while pages < 100:
    c.request("GET", "/api/v1/repos/%s/runs?limit=37%s" % (REPO, "&before=%d" % before if before else ""))
    r = c.getresponse()
    page = json.loads(r.read())
    check(r.status == 200, "runs page %d: %d" % (pages, r.status))
    listed += [(x["run_id"], x["gh_run_id"], x["uploads"]) for x in page.get("runs", [])]
    pages += 1
    before = page.get("next_before")
    if not before:
        break
c.close()
gh_listed = [g for _, g, _ in listed]
check(len(listed) == n_docs and len(set(gh_listed)) == n_docs and
      all(u == 1 for _, _, u in listed),
      "API lists %d runs (%d distinct) for %d documents" % (len(listed), len(set(gh_listed)), n_docs))
proc.send_signal(signal.SIGTERM)
check(proc.wait(timeout=20) == 0, "clean SIGTERM after the restart")
log = open(LOG).read()
check(TOKEN not in log, "no token in the log")

print("kills: %d (restarts %d), connection errors retried: %d, 5xx retried: %d"
      % (state["kills"], state["restarts"], state["conn_errors"], state["5xx"]))
print("acknowledged uploads: %d of %d (%d x 201, %d x 200 duplicate after a lost answer), "
      "attempts %d, in %.1f s" % (len(acks), n_docs, n201, n200, sum(attempts.values()),
                                  upload_secs))
print("stored uploads: %d, missing: %d, duplicates: %d" % (len(runs), missing, dups))
print("integrity: %s, foreign keys: %s, API runs listed: %d in %d pages"
      % (integrity[0][0] if integrity else "?", "ok" if not fk else "BAD", len(listed), pages))
done()
