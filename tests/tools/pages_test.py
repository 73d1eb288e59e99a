#!/usr/bin/env python3
"""Smoke test of flake-reporter's HTML pages (tests/integration/pages.sh):
starts the reporter on loopback with a temporary database, uploads two
small results documents (one test named with a <script> tag), then GETs
every page and checks status, Content-Type, the CSP header, escaping, the
badge and /metrics.  No browser.

usage: pages_test.py BINDIR WORKDIR [--keep]   (--keep: leave it running,
print the port, for poking at by hand)
"""
import json, os, signal, subprocess, sys, time, urllib.error, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testdocs  # noqa: E402
from checks import check, done  # noqa: E402


def doc_for(*args, **kw):
    """Documents whose failure text is hostile markup."""
    kw.setdefault("message", "want 1, got 2 <b>bold</b>")
    kw.setdefault("output", "    a_test.go:7: want 1, got 2 <img src=x>\n")
    return testdocs.doc_for(*args, **kw)

bindir, work = sys.argv[1], sys.argv[2]
REPORTER = os.path.join(bindir, "flake-reporter")
DB = os.path.join(work, "flake.db")
CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; "
       "img-src 'self' data:; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
HOSTILE = "TestX/<script>alert(1)</script>"




def get(port, path, headers=None):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path),
                                 headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode("utf-8", "replace")


def post(port, path, body, tok):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path),
                                 data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": "Bearer " + tok,
                                          "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, None


def start():
    portfile = os.path.join(work, "port")
    log = open(os.path.join(work, "server.log"), "a")
    proc = subprocess.Popen([REPORTER, "serve", "--db", DB, "--listen",
                             "127.0.0.1:0", "--port-file", portfile,
                             "--public-url", "http://flakes.test"], stderr=log)
    for _ in range(200):
        if os.path.exists(portfile) and open(portfile).read().strip():
            return proc, int(open(portfile).read())
        time.sleep(0.05)
    raise SystemExit("reporter did not start")


def html_ok(port, path, status=200):
    st, h, body = get(port, path)
    check(st == status, "%s: status %d, want %d" % (path, st, status))
    check(h.get("Content-Type") == "text/html; charset=utf-8",
          "%s: Content-Type %r" % (path, h.get("Content-Type")))
    check(h.get("Content-Security-Policy") == CSP, "%s: CSP %r" %
          (path, h.get("Content-Security-Policy")))
    check(body.startswith("<!DOCTYPE html>") and "<title>" in body,
          "%s: not an HTML page" % path)
    check("<script>" not in body, "%s: unescaped <script>" % path)
    check("<img src=x>" not in body and "<b>bold</b>" not in body,
          "%s: unescaped output" % path)
    return body


def run_pages(port, tok):
    """The run page with ?all=1 pages like the API: 1000 tests a page,
    a next link with the cursor, every test on exactly one page."""
    # Conditions on the test page, by Fisher's exact test over the
    # history: 5/9 under -race and 0/9 without is one (p = 0.029).
    st, r = post(port, "/api/v1/uploads", doc_for(
        "acme/api", "104", "racy", {"TestRacy": {"GOMAXPROCS=1": (9, 0),
                                                 "race GOMAXPROCS=4": (4, 5)}},
        cells=("GOMAXPROCS=1", "race GOMAXPROCS=4")), tok)
    check(st == 201, "racy upload: %d" % st)
    st, _, tj = get(port, "/api/v1/repos/acme/api/tests?all=1")
    racy = [t for t in json.loads(tj)["tests"] if t["name"] == "TestRacy"]
    if racy:
        body = html_ok(port, "/acme/api/tests/%d" % racy[0]["id"])
        check("Conditions: only under -race (p = 0.029; 5/9 vs 0/9)" in body,
              "test page: the condition with its p-value and counts")
        st, _, dj = get(port, "/api/v1/repos/acme/api/tests/%d" % racy[0]["id"])
        check(json.loads(dj).get("condition") == "only under -race (p = 0.029; 5/9 vs 0/9)",
              "API: the same condition: %r" % json.loads(dj).get("condition"))
    names = ["TestMany%04d" % i for i in range(1205)]
    per = {n: {"GOMAXPROCS=1": (3, 0)} for n in names}
    per["TestOdd"] = {"GOMAXPROCS=1": (2, 1)}
    st, r = post(port, "/api/v1/uploads", doc_for("acme/api", "103", "big", per), tok)
    check(st == 201 and r, "big upload: %d" % st)
    if not r:
        return
    base = "/acme/api/runs/%d" % r["run_id"]
    body = html_ok(port, base)
    rows = body.count('<tr data-name="')
    check(rows == 1 and "TestOdd" in body and "1205 more tests passed" in body,
          "run page: the failing test only, and a link to all (%d rows)" % rows)
    seen, path, pages = [], base + "?all=1", 0
    while path and pages < 5:
        body = html_ok(port, path)
        pages += 1
        part = body.split("<tbody>", 2)[2] if body.count("<tbody>") >= 2 else ""
        seen += [x.split('"', 1)[0].split(" ", 1)[1]
                 for x in part.split('<tr data-name="')[1:]]
        nxt = body.split('rel="next" href="', 1)
        path = nxt[1].split('"', 1)[0].replace("&amp;", "&") if len(nxt) > 1 else None
    check(pages == 2, "run page ?all=1: 2 pages of at most 1000 (%d)" % pages)
    check(sorted(seen) == sorted(names + ["TestOdd"]),
          "run page ?all=1: every test once over the pages (%d shown)" % len(seen))
    html_ok(port, base + "?all=1&cursor=x", 400)


def main():
    tok = subprocess.run([REPORTER, "token", "create", "--db", DB, "acme/api"],
                         capture_output=True, text=True).stdout.strip()
    check(tok.startswith("flk_"), "token create")
    proc, port = start()
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
    cells = ("GOMAXPROCS=1", "race GOMAXPROCS=4", "shuffle")
    d1 = doc_for("acme/api", "101", "test", {
        HOSTILE: {"GOMAXPROCS=1": (2, 1), "race GOMAXPROCS=4": (3, 0)},
        "TestSteady": {"GOMAXPROCS=1": (3, 0), "shuffle": (3, 0)},
        "TestBroken": {"GOMAXPROCS=1": (0, 3)}}, cells=cells, started=now)
    d2 = doc_for("acme/api", "102", "test", {
        HOSTILE: {"GOMAXPROCS=1": (3, 0), "race GOMAXPROCS=4": (1, 2)},
        "TestSteady": {"GOMAXPROCS=1": (3, 0)}}, cells=cells, pr=42,
        branch="feature", started=now, commit="beefcafe00")
    st1, r1 = post(port, "/api/v1/uploads", d1, tok)
    st2, r2 = post(port, "/api/v1/uploads", d2, tok)
    check(st1 == 201 and st2 == 201, "uploads: %d %d" % (st1, st2))
    if not r1 or not r2:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        return
    st, _, tj = get(port, "/api/v1/repos/acme/api/tests?all=1")
    tests = json.loads(tj)["tests"]
    hostile = [t for t in tests if t["name"] == HOSTILE][0]
    d = hostile.get("disruption", {})
    check(d.get("runs_failing") == 2 and d.get("runs") == 2 and d.get("text", "").startswith("100%"),
          "API: the disruption rate over runs: %r" % d)

    body = html_ok(port, "/")
    check('href="/acme/api"' in body, "/: links to the repository")
    body = html_ok(port, "/acme/api")
    check('<svg class="spark"' in body and "failures in 30 days" in body,
          "repo page: a daily-failures sparkline per test")
    # Both uploads are today: every flaky test is new, none known or fixed.
    check("<strong>1</strong>new flaky" in body and
          "<strong>0</strong>known flaky" in body and
          "<strong>0</strong>fixed" in body, "repo page: new/known/fixed counts")
    check("TestX/&lt;script&gt;alert(1)&lt;/script&gt;" in body,
          "/acme/api: hostile name escaped")
    check('href="/acme/api/tests/%d"' % hostile["id"] in body,
          "/acme/api: links to the test page")
    body = html_ok(port, "/acme/api?window=7d&branch=feature&q=%3Cscript")
    check("&lt;script" in body, "/acme/api?q=: filter keeps the hostile test")
    check("TestSteady" not in body.split("<tbody>", 1)[-1],
          "/acme/api?q=: filter drops others")
    body = html_ok(port, "/acme/api/tests/%d" % hostile["id"])
    check("TestX/&lt;script&gt;alert(1)&lt;/script&gt;" in body,
          "test page: hostile name escaped")
    check("<svg" in body and "aria-label" in body, "test page: labelled chart")
    check("want 1, got 2 &lt;img src=x&gt;" in body, "test page: output escaped")
    st, _, dj = get(port, "/api/v1/repos/acme/api/tests/%d" % hostile["id"])
    rc_ = json.loads(dj).get("rate_clustered") or {}
    check(rc_.get("uploads") == 2 and 0 <= rc_.get("lo", -1) <= 0.25 <= rc_.get("hi", -1) <= 1,
          "API: the rate's interval clustered by upload: %r" % rc_)
    check("95% CI clustered by run:" in body and "2 uploads)" in body,
          "test page: the clustered interval")
    check("Disruption</dt><dd>failed in 2 of 2 CI runs: 100%" in body,
          "test page: the disruption rate")
    check("Conditions: no condition stands out (n = 12)" in body,
          "test page: 3/6 vs 0/6-like counts are no condition: %r" %
          body[body.find("Conditions"):][:120])
    check('href="/acme/api/runs/%d"' % r1["run_id"] in body,
          "test page: links to runs")
    check("https://github.com/acme/api/pull/42" in body, "test page: PR link")
    body = html_ok(port, "/acme/api/runs/%d" % r2["run_id"])
    check("TestX/&lt;script&gt;alert(1)&lt;/script&gt;" in body,
          "run page: hostile name escaped")
    check("https://github.com/acme/api/commit/beefcafe00" in body,
          "run page: commit link")
    for path in ("/nobody/nothing", "/acme/api/tests/999999",
                 "/acme/api/runs/999999", "/acme/api/tests/x"):
        html_ok(port, path, 404)

    st, h, body = get(port, "/badge/acme/api.svg")
    check(st == 200 and h.get("Content-Type") == "image/svg+xml",
          "badge: %d %r" % (st, h.get("Content-Type")))
    check("max-age=300" in (h.get("Cache-Control") or ""), "badge: cache")
    check(body.startswith("<svg") and "flaky tests" in body, "badge: SVG")
    st, h, body = get(port, "/badge/nobody/nothing.svg")
    check(st == 404 and body.startswith("<svg"), "badge: unknown repo")
    for path, ctype in (("/static/app.css", "text/css"),
                        ("/static/app.js", "text/javascript")):
        st, h, body = get(port, path)
        check(st == 200 and (h.get("Content-Type") or "").startswith(ctype),
              "%s: %d %r" % (path, st, h.get("Content-Type")))
    st, h, body = get(port, "/metrics")
    check(st == 200 and (h.get("Content-Type") or "").startswith(
        "text/plain; version=0.0.4"), "/metrics: %d %r" % (st, h.get("Content-Type")))
    check("flake_uploads_total 2" in body, "/metrics: uploads counted")
    for name in ("flake_http_requests_total{class=\"2xx\"}",
                 "flake_http_request_duration_seconds_bucket{le=\"+Inf\"}",
                 "flake_http_request_duration_seconds_count",
                 "flake_stored_uploads 2", "flake_stored_result_rows 8",
                 "flake_db_size_bytes"):
        check(name in body, "/metrics: has %s" % name)
    run_pages(port, tok)
    if "--keep" in sys.argv:
        print("port", port)
        proc.wait()
    proc.send_signal(signal.SIGTERM)
    check(proc.wait(timeout=20) == 0, "clean shutdown")


main()
done()
