#!/usr/bin/env python3
"""fake_github.py: a local fake of the GitHub REST API for the tests.

    python3 fake_github.py --spec rest-subset.json --port 0 --portfile FILE

Serves the operations of GitHub's OpenAPI description (--spec) and holds
state in memory.  For every request it finds the operation by method and
path template and checks what GitHub would: the headers (Authorization:
Bearer, Accept: application/vnd.github+json, X-GitHub-Api-Version,
User-Agent), the path and query parameters, and the JSON body against the
operation's requestBody schema.  Anything wrong is recorded as a
violation and answered like GitHub does (404 for no such operation, 401
for a bad token, 415/400/422 for a bad body) -- the tests then assert
that there were none.

Issue comments (list with per_page/page and Link headers, create, get,
update, delete) are kept per repository and issue; check runs and pulls
answer minimally.

Control API (never checked against the spec):
  POST /_control/fail {"status": 403|429|500|502, "times": N,
       "retry_after": S, "reset_in": S, "message": M, "after": true,
       "method": "POST"}
       queues a failure: the next N API requests answer `status` (then
       the next queued failure applies); 403/429 carry
       Retry-After: S when given, else x-ratelimit-remaining: 0 and
       x-ratelimit-reset: now + reset_in when reset_in is given, else
       x-ratelimit-remaining: 4999 (a plain 403).  "after": the request
       is carried out first, then its answer lost (replaced).  "method":
       only requests with this method fail (and count).
  POST /_control/seed {"repo": "o/r", "issue": 5, "count": 150}
       adds comments of another user (forces pagination).
  POST /_control/reset        forgets queued failures and the log
                              (violations are kept for the end)
  GET  /_control/log          every API request: method, path, headers
                              (Authorization reduced to its scheme),
                              body, status
  GET  /_control/violations   [{"method", "path", "problem"}]
  GET  /_control/comments?repo=o/r&issue=5   the stored comments

Only the Python standard library is used.
"""
import argparse
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

API_VERSIONS = {"2022-11-28"}
COMMENT_MAX = 65536  # GitHub: "Body is too long (maximum is 65536 characters)"


class Spec:
    """The operations of an OpenAPI document, matched by method + path."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.doc = json.load(f)
        self.ops = []
        for template, item in self.doc.get("paths", {}).items():
            shared = item.get("parameters", [])
            for method, op in item.items():
                if method in ("parameters", "summary", "description",
                              "servers"):
                    continue
                rx = "^" + re.sub(r"\\\{([^}]+)\\\}", r"(?P<\1>[^/]+)",
                                  re.escape(template)) + "$"
                params = [self.resolve(p) for p in shared + op.get(
                    "parameters", [])]
                literal = len(re.sub(r"\{[^}]+\}", "", template))
                self.ops.append((method.upper(), re.compile(rx), template,
                                 op, params, literal))
        # The most literal template wins when several match.
        self.ops.sort(key=lambda o: -o[5])

    def resolve(self, node):
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                raise ValueError("unsupported $ref %r" % ref)
            node = self.doc
            for part in ref[2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            seen += 1
            if seen > 50:
                raise ValueError("$ref loop at %r" % ref)
        return node

    def find(self, method, path):
        allowed = False
        for m, rx, template, op, params, _ in self.ops:
            mt = rx.match(path)
            if not mt:
                continue
            if m == method:
                return template, op, params, mt.groupdict()
            allowed = True
        return (None, "method" if allowed else None, None, None)

    # -- JSON Schema, the subset the spec's request bodies use --
    def validate(self, schema, value, where, problems):
        schema = self.resolve(schema)
        if not isinstance(schema, dict):
            return
        if value is None and schema.get("nullable"):
            return
        for key in ("oneOf", "anyOf"):
            if key in schema:
                ok = 0
                for sub in schema[key]:
                    p = []
                    self.validate(sub, value, where, p)
                    ok += not p
                if (key == "oneOf" and ok != 1) or (key == "anyOf" and not ok):
                    problems.append("%s: matches %d of the %s schemas" %
                                    (where, ok, key))
        if "allOf" in schema:
            for sub in schema["allOf"]:
                self.validate(sub, value, where, problems)
        t = schema.get("type")
        types = t if isinstance(t, list) else [t] if t else []
        if types and not any(type_ok(x, value) for x in types):
            problems.append("%s: %s is not of type %s" %
                            (where, json.dumps(value)[:60], "/".join(types)))
            return
        if "enum" in schema and value not in schema["enum"]:
            problems.append("%s: %s is not one of %s" %
                            (where, json.dumps(value)[:60], schema["enum"]))
        if isinstance(value, str):
            if "maxLength" in schema and len(value) > schema["maxLength"]:
                problems.append("%s: longer than %d characters" %
                                (where, schema["maxLength"]))
            if "minLength" in schema and len(value) < schema["minLength"]:
                problems.append("%s: shorter than %d characters" %
                                (where, schema["minLength"]))
        if isinstance(value, list):
            if "maxItems" in schema and len(value) > schema["maxItems"]:
                problems.append("%s: more than %d items" %
                                (where, schema["maxItems"]))
            if "items" in schema:
                for i, v in enumerate(value):
                    self.validate(schema["items"], v, "%s[%d]" % (where, i),
                                  problems)
        if isinstance(value, dict):
            props = schema.get("properties", {})
            for name in schema.get("required", []):
                if name not in value:
                    problems.append("%s: %r is required" % (where, name))
            extra = schema.get("additionalProperties", True)
            for name, v in value.items():
                sub = "%s.%s" % (where, name)
                if name in props:
                    self.validate(props[name], v, sub, problems)
                elif extra is False:
                    problems.append("%s: unknown property" % sub)
                elif isinstance(extra, dict):
                    self.validate(extra, v, sub, problems)


def type_ok(t, v):
    if t == "object":
        return isinstance(v, dict)
    if t == "array":
        return isinstance(v, list)
    if t == "string":
        return isinstance(v, str)
    if t == "integer":
        return isinstance(v, int) and not isinstance(v, bool)
    if t == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if t == "boolean":
        return isinstance(v, bool)
    if t == "null":
        return v is None
    return True


class State:
    def __init__(self, token):
        self.lock = threading.Lock()
        self.token = token
        self.comments = {}      # (owner/repo lowercased, issue) -> [comment]
        self.by_id = {}         # id -> (key, comment)
        self.next_id = 1000001
        self.check_runs = {}
        self.fails = []         # queue of {"status", "times", ...}
        self.log = []
        self.violations = []

    def reset(self):
        self.fails = []
        self.log = []


def now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Handler(BaseHTTPRequestHandler):
    server_version = "FakeGitHub/1.0"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("fake_github: " + fmt % args + "\n")

    # -- plumbing --
    def send_json(self, status, obj, headers=None):
        data = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(status)
        if obj is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)
        self.status_sent = status

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def violation(self, problem):
        st = self.server.state
        with st.lock:
            st.violations.append({"method": self.command, "path": self.path,
                                  "problem": problem})

    def base_url(self):
        return "http://%s" % (self.headers.get("Host") or
                              "127.0.0.1:%d" % self.server.server_port)

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PATCH(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def dispatch(self):
        self.status_sent = None
        raw = self.read_body()
        url = urlsplit(self.path)
        if url.path.startswith("/_control/"):
            return self.control(url, raw)
        st = self.server.state
        entry = {"method": self.command, "path": self.path,
                 "headers": {k: (v.split(" ")[0] + " ***"
                                 if k.lower() == "authorization" else v)
                             for k, v in self.headers.items()},
                 "body": raw.decode("utf-8", "replace")}
        try:
            self.api(url, raw)
        finally:
            entry["status"] = self.status_sent
            with st.lock:
                st.log.append(entry)

    # -- control API --
    def control(self, url, raw):
        st = self.server.state
        name = url.path[len("/_control/"):]
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            return self.send_json(400, {"message": "bad JSON"})
        with st.lock:
            if name == "fail" and self.command == "POST":
                times = int(body.get("times", 1))
                if times > 0:
                    st.fails.append(dict(body, times=times))
                return self.send_json(200, {"ok": True})
            if name == "seed" and self.command == "POST":
                key = (body["repo"].lower(), int(body["issue"]))
                for i in range(int(body.get("count", 1))):
                    self.add_comment(key, body["repo"], int(body["issue"]),
                                     body.get("body", "foreign comment %d" % i),
                                     body.get("login", "someone-else"))
                return self.send_json(200, {"ok": True})
            if name == "reset" and self.command == "POST":
                st.reset()
                return self.send_json(200, {"ok": True})
            if name == "log" and self.command == "GET":
                return self.send_json(200, st.log)
            if name == "violations" and self.command == "GET":
                return self.send_json(200, st.violations)
            if name == "comments" and self.command == "GET":
                q = parse_qs(url.query)
                key = (q["repo"][0].lower(), int(q["issue"][0]))
                return self.send_json(200, st.comments.get(key, []))
        return self.send_json(404, {"message": "no such control"})

    # -- the API --
    def api(self, url, raw):
        st = self.server.state
        spec = self.server.spec
        template, op, params, path_args = spec.find(self.command, url.path)
        if template is None:
            self.violation("no operation %s %s in the spec%s" %
                           (self.command, url.path,
                            " (wrong method)" if op == "method" else ""))
            return self.send_json(404, {"message": "Not Found"})
        problems = self.check_request(op, params, path_args, url, raw)
        if problems:
            for p in problems:
                self.violation(p)
            status = problems_status(problems)
            return self.send_json(status, {
                "message": "Validation Failed" if status == 422 else
                problems[0], "errors": problems,
                "documentation_url": "https://docs.github.com/rest"})
        with st.lock:
            fail = st.fails[0] if st.fails else None
            if fail and fail.get("method", self.command) != self.command:
                fail = None
            if fail:
                fail["times"] -= 1
                if fail["times"] <= 0:
                    st.fails.pop(0)
        if fail and not fail.get("after"):
            return self.send_failure(fail)
        body = json.loads(raw) if raw else None
        status, obj, headers = self.operate(op["operationId"], path_args,
                                            parse_qs(url.query), body)
        if fail:
            return self.send_failure(fail)
        hdrs = {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4999",
                "x-ratelimit-reset": str(int(time.time()) + 3600),
                "x-github-api-version-selected": "2022-11-28"}
        hdrs.update(headers or {})
        self.send_json(status, obj, hdrs)

    def send_failure(self, fail):
        status = int(fail.get("status", 500))
        hdrs = {}
        msg = fail.get("message")
        if status in (403, 429):
            if "retry_after" in fail:
                hdrs["Retry-After"] = str(fail["retry_after"])
                msg = msg or "You have exceeded a secondary rate limit."
            elif "reset_in" in fail:
                hdrs["x-ratelimit-remaining"] = "0"
                hdrs["x-ratelimit-reset"] = str(int(time.time()) +
                                                int(fail["reset_in"]))
                msg = msg or "API rate limit exceeded."
            else:
                hdrs["x-ratelimit-remaining"] = "4999"
                msg = msg or ("Resource not accessible by integration"
                              if status == 403 else
                              "You have exceeded a secondary rate limit.")
        msg = msg or ("Server Error" if status >= 500 else "Error")
        self.send_json(status, {"message": msg,
                                "documentation_url":
                                "https://docs.github.com/rest"}, hdrs)

    def check_request(self, op, params, path_args, url, raw):
        spec = self.server.spec
        problems = []
        h = self.headers
        auth = h.get("Authorization") or ""
        if not re.match(r"^Bearer \S+$", auth):
            problems.append("401: Authorization is not 'Bearer <token>'")
        elif self.server.state.token and \
                auth != "Bearer " + self.server.state.token:
            problems.append("401: Bad credentials")
        accept = h.get("Accept") or ""
        if "application/vnd.github+json" not in accept:
            problems.append("Accept is %r, not application/vnd.github+json"
                            % accept)
        if h.get("X-GitHub-Api-Version") not in API_VERSIONS:
            problems.append("X-GitHub-Api-Version is %r" %
                            h.get("X-GitHub-Api-Version"))
        if not (h.get("User-Agent") or "").strip():
            problems.append("no User-Agent")
        query = parse_qs(url.query, keep_blank_values=True)
        for p in params:
            where, name = p.get("in"), p.get("name")
            schema = spec.resolve(p.get("schema", {}))
            if where == "path":
                vals = [path_args.get(name)]
            elif where == "query":
                vals = query.get(name)
                if not vals:
                    if p.get("required"):
                        problems.append("query parameter %r is required" %
                                        name)
                    continue
            else:
                continue
            for v in vals:
                if schema.get("type") == "integer" and \
                        not re.match(r"^-?\d+$", v or ""):
                    problems.append("%s parameter %s=%r is not an integer" %
                                    (where, name, v))
        known = {p.get("name") for p in params if p.get("in") == "query"}
        for name in query:
            if name not in known:
                problems.append("unknown query parameter %r" % name)
        rb = spec.resolve(op.get("requestBody")) if op.get("requestBody") \
            else None
        if rb is None:
            if raw:
                problems.append("a body where the operation takes none")
            return problems
        ctype = (h.get("Content-Type") or "").split(";")[0].strip()
        content = rb.get("content", {})
        if not raw:
            if rb.get("required"):
                problems.append("400: the request body is required")
            return problems
        if ctype not in content:
            problems.append("415: Content-Type %r, not one of %s" %
                            (ctype, sorted(content)))
            return problems
        try:
            body = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            problems.append("400: Problems parsing JSON: %s" % e)
            return problems
        spec.validate(content[ctype].get("schema", {}), body, "body",
                      problems)
        if op.get("operationId") in ("issues/create-comment",
                                     "issues/update-comment") and \
                isinstance(body, dict) and \
                isinstance(body.get("body"), str) and \
                len(body["body"]) > COMMENT_MAX:
            problems.append("body.body: Body is too long (maximum is %d "
                            "characters)" % COMMENT_MAX)
        return problems

    # -- operations --
    def add_comment(self, key, repo, issue, body, login):
        st = self.server.state
        cid = st.next_id
        st.next_id += 1
        c = {"id": cid, "node_id": "IC_%d" % cid,
             "url": "%s/repos/%s/issues/comments/%d" % (self.base_url(),
                                                        repo, cid),
             "html_url": "https://github.com/%s/pull/%d#issuecomment-%d" %
                         (repo, issue, cid),
             "issue_url": "%s/repos/%s/issues/%d" % (self.base_url(), repo,
                                                      issue),
             "body": body,
             "user": {"login": login, "id": 1, "type": "User"},
             "created_at": now_iso(), "updated_at": now_iso(),
             "author_association": "NONE"}
        st.comments.setdefault(key, []).append(c)
        st.by_id[cid] = (key, c)
        return c

    def operate(self, op_id, args, query, body):
        st = self.server.state
        repo = "%s/%s" % (args.get("owner"), args.get("repo"))
        with st.lock:
            if op_id == "issues/list-comments":
                return self.list_comments(repo, int(args["issue_number"]),
                                          query)
            if op_id == "issues/create-comment":
                key = (repo.lower(), int(args["issue_number"]))
                c = self.add_comment(key, repo, int(args["issue_number"]),
                                     body["body"], "flake-action[bot]")
                return 201, c, {"Location": c["url"]}
            if op_id in ("issues/get-comment", "issues/update-comment",
                         "issues/delete-comment"):
                found = st.by_id.get(int(args["comment_id"]))
                if not found or found[0][0] != repo.lower():
                    return 404, {"message": "Not Found"}, None
                key, c = found
                if op_id == "issues/get-comment":
                    return 200, c, None
                if op_id == "issues/delete-comment":
                    st.comments[key].remove(c)
                    del st.by_id[c["id"]]
                    return 204, None, None
                c["body"] = body["body"]
                c["updated_at"] = now_iso()
                return 200, c, None
            if op_id == "checks/create":
                cid = len(st.check_runs) + 1
                run = dict(body, id=cid)
                st.check_runs[cid] = run
                return 201, run, None
            if op_id == "checks/update":
                run = st.check_runs.get(int(args["check_run_id"]))
                if not run:
                    return 404, {"message": "Not Found"}, None
                run.update(body)
                return 200, run, None
            if op_id == "pulls/get":
                n = int(args["pull_number"])
                return 200, {"number": n, "state": "open",
                             "head": {"sha": "0" * 40, "ref": "feature"},
                             "base": {"sha": "1" * 40, "ref": "main"}}, None
            if op_id == "repos/list-pull-requests-associated-with-commit":
                return 200, [], None
        return 501, {"message": "not implemented by the fake: %s" % op_id}, \
            None

    def list_comments(self, repo, issue, query):
        st = self.server.state
        items = st.comments.get((repo.lower(), issue), [])
        per_page = min(max(int(query.get("per_page", ["30"])[0]), 1), 100)
        page = max(int(query.get("page", ["1"])[0]), 1)
        last = max((len(items) + per_page - 1) // per_page, 1)
        chunk = items[(page - 1) * per_page:page * per_page]
        base = "%s/repos/%s/issues/%d/comments" % (self.base_url(), repo,
                                                    issue)
        links = []

        def link(p, rel):
            links.append('<%s?per_page=%d&page=%d>; rel="%s"' %
                         (base, per_page, p, rel))
        if page > 1:
            link(page - 1, "prev")
            link(1, "first")
        if page < last:
            link(page + 1, "next")
            link(last, "last")
        return 200, chunk, {"Link": ", ".join(links)} if links else None


def problems_status(problems):
    for p in problems:
        m = re.match(r"^(\d{3}): ", p)
        if m:
            return int(m.group(1))
    return 422


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spec", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--portfile")
    ap.add_argument("--token", help="accept only this token (401 else)")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    server.daemon_threads = True
    server.spec = Spec(a.spec)
    server.state = State(a.token)
    server.verbose = a.verbose
    port = server.server_address[1]
    if a.portfile:
        tmp = a.portfile + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, a.portfile)
    else:
        print(port, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
