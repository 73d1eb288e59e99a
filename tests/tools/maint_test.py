#!/usr/bin/env python3
"""Retention and backup of the reporter's database while it serves and
uploads arrive (tests/integration/maint.sh): prune keeps the rollups and
drops the raw rows of old runs; a backup taken under load opens with
integrity_check ok and holds every upload acknowledged before it began.

usage: maint_test.py BINDIR WORKDIR"""
import http.client, json, os, signal, sqlite3, subprocess, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testdocs import doc_for, token_and_server  # noqa: E402

bindir, work = sys.argv[1], sys.argv[2]
REPORTER = os.path.join(bindir, "flake-reporter")
DB = os.path.join(work, "flake.db")
failures, checks = [], 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print("FAIL:", what)


tok, proc, port = token_and_server(REPORTER, DB, work, args=())


def upload(doc):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request("POST", "/api/v1/uploads", json.dumps(doc).encode(),
              {"Authorization": "Bearer " + tok, "Content-Type": "application/json"})
    r = c.getresponse()
    body = json.loads(r.read() or b"{}")
    c.close()
    return r.status, body


def day(ago):
    return time.strftime("%Y-%m-%dT10:00:00Z", time.gmtime(time.time() - ago * 86400))


tests = {"TestFlaky": {"GOMAXPROCS=1": (2, 1)}, "TestStable": {"GOMAXPROCS=1": (3, 0)}}
for i in range(30):
    st, _ = upload(doc_for("acme/api", "old-%d" % i, "j", tests, started=day(200 + i % 5)))
    check(st == 201, "old upload %d: %d" % (i, st))
for i in range(10):
    st, _ = upload(doc_for("acme/api", "new-%d" % i, "j", tests, started=day(i % 3)))
    check(st == 201, "recent upload %d: %d" % (i, st))

db = sqlite3.connect(DB, timeout=30)
daily_before = db.execute("SELECT day, branch, runs, executions, failures, flaky_runs,"
                          " failed_runs FROM daily ORDER BY test_id, day, branch").fetchall()
verdicts_before = db.execute("SELECT count(*) FROM verdicts").fetchone()[0]
db.close()

# Uploads keep arriving while prune and backup run.
acked, errors, lock = [], [], threading.Lock()


def uploader():
    for i in range(60):
        try:
            st, body = upload(doc_for("acme/api", "live-%d" % i, "j", tests, started=day(0)))
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))
            continue
        with lock:
            if st == 201:
                acked.append("live-%d" % i)
            else:
                errors.append("live-%d: %d %r" % (i, st, body))


th = threading.Thread(target=uploader)
th.start()
# Not by the clock: prune and backup start once uploads are under way.
for _ in range(600):
    with lock:
        if len(acked) >= 3 or errors:
            break
    time.sleep(0.05)
p = subprocess.run([REPORTER, "prune", "--db", DB, "--keep", "100"], capture_output=True)
check(p.returncode == 0 and b"pruned 30 runs" in p.stdout,
      "prune while serving: %r %r" % (p.stdout, p.stderr))
with lock:
    before_backup = list(acked)
backup = os.path.join(work, "backup.db")
p = subprocess.run([REPORTER, "backup", "--db", DB, backup], capture_output=True)
check(p.returncode == 0, "backup while serving: %r" % p.stderr)
p2 = subprocess.run([REPORTER, "backup", "--db", DB, backup], capture_output=True)
check(p2.returncode == 2 and b"exists" in p2.stderr, "a backup never overwrites: %r" % p2.stderr)
th.join()
check(not errors, "every upload during prune and backup acknowledged: %r" % errors[:3])

b = sqlite3.connect(backup)
check(b.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "the backup's integrity_check is ok")
have = {r[0] for r in b.execute("SELECT gh_run_id FROM runs")}
missing = [k for k in before_backup + ["old-%d" % i for i in range(30)] +
           ["new-%d" % i for i in range(10)] if k not in have]
check(not missing, "the backup holds every upload acknowledged before it began (%d checked): missing %r"
      % (len(before_backup) + 40, missing[:5]))
check(len(before_backup) > 0, "some uploads were acknowledged before the backup (%d)" % len(before_backup))
b.close()

db = sqlite3.connect(DB, timeout=30)
old_raw = db.execute("SELECT count(*) FROM results r JOIN runs u ON u.id = r.run_id"
                     " WHERE u.gh_run_id LIKE 'old-%'").fetchone()[0]
old_docs = db.execute("SELECT count(*) FROM run_docs d JOIN runs u ON u.id = d.run_id"
                      " WHERE u.gh_run_id LIKE 'old-%'").fetchone()[0]
new_raw = db.execute("SELECT count(*) FROM results r JOIN runs u ON u.id = r.run_id"
                     " WHERE u.gh_run_id NOT LIKE 'old-%'").fetchone()[0]
check(old_raw == 0 and old_docs == 0, "old runs' raw rows and documents gone (%d, %d)" % (old_raw, old_docs))
check(new_raw == 2 * (10 + 60), "recent runs' rows kept (%d)" % new_raw)
daily_old = [r for r in daily_before if r[0] < day(100)[:10]]
daily_after = db.execute("SELECT day, branch, runs, executions, failures, flaky_runs,"
                         " failed_runs FROM daily WHERE day < ? ORDER BY test_id, day, branch",
                         (day(100)[:10],)).fetchall()
check(daily_old and daily_after == daily_old, "the daily rollups of pruned days are unchanged")
check(db.execute("SELECT count(*) FROM verdicts").fetchone()[0] == verdicts_before + 120,
      "verdicts kept")
counted = db.execute("SELECT value FROM counters WHERE name = 'result_rows'").fetchone()[0]
check(counted == db.execute("SELECT count(*) FROM results").fetchone()[0],
      "the result_rows counter follows the prune (%d)" % counted)
db.close()
db = sqlite3.connect(DB, timeout=30)
tid = db.execute("SELECT id FROM tests WHERE name = 'TestFlaky'").fetchone()[0]
db.close()
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
c.request("GET", "/acme/api/tests/%d" % tid)
r = c.getresponse()
r.read()
check(r.status == 200, "a test's page still renders after the prune (%d)" % r.status)
p = subprocess.run([REPORTER, "prune", "--db", DB, "--keep", "0"], capture_output=True)
check(p.returncode == 2 and b"--keep" in p.stderr, "--keep 0 refused: %r" % p.stderr)
p = subprocess.run([REPORTER, "prune", "--db", os.path.join(work, "nope.db"), "--keep", "5"],
                   capture_output=True)
check(p.returncode == 2 and not os.path.exists(os.path.join(work, "nope.db")),
      "prune of a missing database: an error, nothing created")
proc.send_signal(signal.SIGTERM)
check(proc.wait(timeout=20) == 0, "clean SIGTERM")
print("%d passed, %d failed" % (checks - len(failures), len(failures)))
sys.exit(1 if failures else 0)
