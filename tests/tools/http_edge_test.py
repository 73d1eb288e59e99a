#!/usr/bin/env python3
"""The reporter's HTTP edge, with raw sockets (tests/integration/http_edge.sh):
auth before the body, every refusal a real response, HEAD, %00 in paths,
two Content-Lengths, many query arguments.  Each case is a property
checked over every route or several inputs, not one example.

usage: http_edge_test.py BINDIR WORKDIR"""
import os, signal, socket, subprocess, sys, time

bindir, work = sys.argv[1], sys.argv[2]
REPORTER = os.path.join(bindir, "flake-reporter")
DB = os.path.join(work, "edge.db")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testdocs import doc_for, token_and_server  # noqa: E402
failures, checks = [], 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print("FAIL:", what)


tok, proc, port = token_and_server(REPORTER, DB, work, args=("--max-body-mb", "64"))


def rss_kb():
    for line in open("/proc/%d/status" % proc.pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def raw(head, body=b"", timeout=10, send_body=True):
    """Sends a raw request; returns (status, headers, body) or (None, ...)
    when the connection closed without a response."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(head.encode() if isinstance(head, str) else head)
    if send_body and body:
        try:
            s.sendall(body)
        except OSError:
            pass
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data:
                h, _, rest = data.partition(b"\r\n\r\n")
                cl = [l for l in h.split(b"\r\n") if l.lower().startswith(b"content-length:")]
                if cl and len(rest) >= int(cl[0].split(b":")[1]):
                    break
    except socket.timeout:
        pass
    s.close()
    if not data.startswith(b"HTTP/1."):
        return None, {}, b""
    h, _, rest = data.partition(b"\r\n\r\n")
    lines = h.decode("latin-1").split("\r\n")
    hdrs = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        hdrs.setdefault(k.strip().lower(), v.strip())
    return int(lines[0].split()[1]), hdrs, rest


# 1. Authentication before the body: a wrong token with a 60 MiB body is
#    answered 401 from the headers alone; ten of them cost no memory.
# Warm up first: each server thread opens its database connection on its
# first request, once.  The bound is 1 MiB; 16 MiB under ASan, whose
# allocator keeps freed memory in quarantine -- either way far below one
# buffered body (60 MiB), let alone eleven.
for i in range(8):
    raw("POST /api/v1/uploads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer flk_warm\r\n"
        "Content-Type: application/json\r\nContent-Length: 10\r\n\r\n", send_body=False)
limit_kb = 16384 if bindir.rstrip("/").endswith("-san") else 1024
before = rss_kb()
t0 = time.time()
for i in range(10):
    st, _, body = raw("POST /api/v1/uploads HTTP/1.1\r\nHost: x\r\n"
                      "Authorization: Bearer flk_wrong%d\r\n"
                      "Content-Type: application/json\r\n"
                      "Content-Length: %d\r\n\r\n" % (i, 60 << 20), send_body=False)
    check(st == 401, "wrong token, 60 MiB announced: 401 before the body (%r)" % st)
st, _, _ = raw("POST /api/v1/uploads HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
               % (60 << 20), send_body=False)
check(st == 401, "no token at all: 401 before the body (%r)" % st)
grown = rss_kb() - before
check(grown < limit_kb, "11 unauthenticated 60 MiB uploads raised RSS by %d KiB (< %d KiB)"
      % (grown, limit_kb))
print("11 unauthenticated 60 MiB uploads: RSS %+d KiB" % grown)
check(time.time() - t0 < 5, "answered at once (%.1fs)" % (time.time() - t0))
st, _, _ = raw("POST /api/v1/uploads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
               "Content-Type: text/plain\r\nContent-Length: 100\r\n\r\n" % tok, send_body=False)
check(st == 415, "a valid token with a wrong type: 415 before the body (%r)" % st)

# 2. Every refusal reaches the client as a response, also mid-body.
chunk = b"x" * 65536
body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(1100)) + b"0\r\n\r\n"
st, _, msg = raw("POST /api/v1/uploads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                 "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" % tok,
                 body, timeout=30)
check(st == 413 and b"over the limit" in msg, "chunked body past the limit: a 413 response (%r %r)" % (st, msg[:80]))
st, _, msg = raw("GET /api/v1/runs/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
check(st == 400 and b"takes no request body" in msg, "GET with a body: 400 response (%r %r)" % (st, msg[:80]))

# 3. HEAD on every GET route agrees with GET apart from the body.
routes = ["/healthz", "/api/v1/repos/acme/api/tests", "/api/v1/repos/acme/api/runs",
          "/api/v1/runs/1", "/metrics", "/static/app.css", "/static/app.js",
          "/badge/acme/api.svg", "/", "/acme/api", "/acme/api/tests/TestX", "/acme/api/runs/1"]
for r in routes:
    g = raw("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % r)
    h = raw("HEAD %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % r)
    check(h[0] == g[0] and h[0] is not None and h[0] != 405,
          "HEAD %s: %r, GET %r" % (r, h[0], g[0]))
    check(h[1].get("content-type") == g[1].get("content-type"), "HEAD %s: same Content-Type" % r)
    check(h[2] == b"", "HEAD %s: no body" % r)
st, hd, _ = raw("DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
check(st == 405 and "HEAD" in hd.get("allow", ""), "405 names GET, HEAD in Allow: %r" % hd.get("allow"))

# 4. A decoded NUL never routes: 400 or 404, never the resource before it.
for path in ["/api/v1/runs/1%00garbage", "/static/app.css%00.js", "/healthz%00",
             "/api/v1/repos/acme/api%00x/tests", "/acme/api%00"]:
    st, _, body = raw("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path)
    check(st in (400, 404), "%s: %r (want 400 or 404)" % (path, st))

# 5. Two different Content-Length values: 400 (request smuggling).
st, _, _ = raw("POST /api/v1/uploads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
               "Content-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello" % tok)
check(st == 400, "two Content-Lengths: 400 (%r)" % st)

# 6. Many query arguments: a quick 414, not a stall.
for n in (65, 500, 2000):
    q = "&".join("a%d=%d" % (i, i) for i in range(n))
    t0 = time.time()
    st, _, _ = raw("GET /api/v1/repos/acme/api/tests?%s HTTP/1.1\r\nHost: x\r\n\r\n" % q, timeout=15)
    check(st in (414, 431) and time.time() - t0 < 5,
          "%d query arguments: %r in %.1fs" % (n, st, time.time() - t0))
st, _, _ = raw("GET /api/v1/repos/acme/api/tests?window=7d HTTP/1.1\r\nHost: x\r\n\r\n")
check(st == 200, "a normal query still works (%r)" % st)

# 7. Canonical identifiers: one spelling of a shard; run keys that cannot
#    collide; token creation refuses what could never upload.
import http.client, json  # noqa: E402


def upload(doc):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("POST", "/api/v1/uploads", json.dumps(doc).encode(),
              {"Authorization": "Bearer " + tok, "Content-Type": "application/json"})
    r = c.getresponse()
    body = r.read()
    c.close()
    try:
        return r.status, json.loads(body)
    except ValueError:
        return r.status, {"raw": body[:200]}


ok_doc = doc_for("acme/api", "77", "j", {"TestA": {"GOMAXPROCS=1": (1, 0)}}, shard="1/2")
st, body = upload(ok_doc)
check(st == 201, "a canonical shard 1/2 is stored (%r %r)" % (st, body))
for sh in ["01/2", "+1/2", " 1/2", "1/ 2", "1/2 ", "0/2", "3/2", "1/02", "1/257"]:
    st, body = upload(doc_for("acme/api", "78", "j", {"TestA": {"GOMAXPROCS=1": (1, 0)}}, shard=sh))
    check(st == 400 and "meta.shard" in json.dumps(body), "shard %r refused with 400 naming meta.shard (%r)" % (sh, st))
a = doc_for("acme/api", "5/1/x", "", {"TestA": {"GOMAXPROCS=1": (1, 0)}})
b = doc_for("acme/api", "5", "x/1/", {"TestA": {"GOMAXPROCS=1": (0, 1)}})
st1, b1 = upload(a)
st2, b2 = upload(b)
check(st1 == 201 and st2 == 201 and not b2.get("duplicate"),
      "run_id '5/1/x' and run_id '5' + job 'x/1/' are two runs (%r %r)" % (st2, b2))
for bad in ["<x>/y", "a/..", "a/b/c", "/b", "a/", "a b/c", "a/" + "x" * 150]:
    p = subprocess.run([REPORTER, "token", "create", "--db", DB, bad], capture_output=True)
    check(p.returncode != 0 and b"OWNER/NAME" in p.stderr,
          "token create %r refused: %r" % (bad, p.stderr[-100:]))

st, _, _ = raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
check(st == 200, "the server still serves (%r)" % st)
proc.send_signal(signal.SIGTERM)
check(proc.wait(timeout=20) == 0, "clean SIGTERM")
print("%d passed, %d failed" % (checks - len(failures), len(failures)))
sys.exit(1 if failures else 0)
