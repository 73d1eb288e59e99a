#!/usr/bin/env python3
"""Peak memory of the reporter under the attacks of issue 11's classes
(docs/RELIABILITY.md, "Bounded work per request"): 8 parallel reads of a
100k-test run, and 10 unauthenticated 60 MiB uploads.  Prints VmHWM/VmRSS
of the server: idle, after each phase.

usage: python3 bench/reporter_reads.py [BINDIR]"""
import gzip, http.client, json, os, signal, socket, subprocess, sys, tempfile, threading, time

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(top, "tests", "tools"))
from testdocs import doc_for  # noqa: E402

bindir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(top, "bin")
REPORTER = os.path.join(bindir, "flake-reporter")
work = tempfile.mkdtemp()
DB = os.path.join(work, "flake.db")
tok = subprocess.run([REPORTER, "token", "create", "--db", DB, "acme/big"],
                     stdout=subprocess.PIPE, check=True).stdout.decode().strip()
portfile = os.path.join(work, "port")
proc = subprocess.Popen([REPORTER, "serve", "--db", DB, "--listen", "127.0.0.1:0",
                         "--port-file", portfile, "--max-body-mb", "64"],
                        stderr=subprocess.DEVNULL)
while not (os.path.exists(portfile) and open(portfile).read().strip()):
    time.sleep(0.05)
port = int(open(portfile).read())


def mem():
    v = {}
    for line in open("/proc/%d/status" % proc.pid):
        k, _, rest = line.partition(":")
        if k in ("VmHWM", "VmRSS"):
            v[k] = int(rest.split()[0]) // 1024
    return v


N = 100000
tests = {"Test%06d" % i: {"GOMAXPROCS=1": (3, 1 if i % 50 == 0 else 0)} for i in range(N)}
doc = doc_for("acme/big", "1", "j", tests)
body = gzip.compress(json.dumps(doc).encode())
c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
c.request("POST", "/api/v1/uploads", body, {"Authorization": "Bearer " + tok,
          "Content-Type": "application/json", "Content-Encoding": "gzip"})
r = c.getresponse()
run = json.loads(r.read())["run_id"]
print("uploaded a %d-test run (%d KiB gzip): %d" % (N, len(body) // 1024, r.status))
# A fresh server: the upload's own peak does not count.
proc.send_signal(signal.SIGTERM)
proc.wait()
os.unlink(portfile)
proc = subprocess.Popen([REPORTER, "serve", "--db", DB, "--listen", "127.0.0.1:0",
                         "--port-file", portfile, "--max-body-mb", "64"],
                        stderr=subprocess.DEVNULL)
while not (os.path.exists(portfile) and open(portfile).read().strip()):
    time.sleep(0.05)
port = int(open(portfile).read())
idle = mem()
print("idle: %r" % idle)


def read_all(out):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    cursor, n = 0, 0
    while cursor is not None:
        c.request("GET", "/api/v1/runs/%d?limit=1000&cursor=%d" % (run, cursor))
        d = json.loads(c.getresponse().read())
        n += len(d["tests"])
        cursor = d["page"]["next"]
    out.append(n)


t0 = time.time()
got = []
th = [threading.Thread(target=read_all, args=(got,)) for _ in range(8)]
for t in th:
    t.start()
for t in th:
    t.join()
after = mem()
print("8 parallel paged reads of the whole run (%r tests each) in %.1fs: %r; peak %d MB above idle"
      % (got, time.time() - t0, after, after["VmHWM"] - idle["VmRSS"]))
for i in range(10):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(("POST /api/v1/uploads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer flk_no%d\r\n"
               "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (i, 60 << 20)).encode())
    chunk = b"x" * (1 << 20)
    try:
        for _ in range(60):
            s.sendall(chunk)
    except OSError:
        pass
    s.close()
final = mem()
print("10 unauthenticated 60 MiB uploads: %r; RSS %+d MB" % (final, final["VmRSS"] - after["VmRSS"]))
proc.send_signal(signal.SIGTERM)
proc.wait()
