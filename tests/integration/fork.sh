#!/bin/sh
# `flake-collector publish` with a hostile artifact (the fork recipe,
# docs/ACTION.md): a results document whose meta claims another
# repository, branch main, base branch main, PR 999, a push event, another
# server and run.  publish must take where it belongs from its options and
# this job's environment only: the comment and summary link the real
# repository's run, it goes to --pr 7, no history is written, nothing is
# uploaded, and bad calls are refused.  The reporter, given the recipe's
# pull-request-only token, records the same document under pr:999, never
# main.  With ../shared's GitHub
# description the comment is posted to a fake GitHub (o/r#7, none on
# #999); without it that part is skipped with a note.
set -u
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
C="$FLAKE_BIN/flake-collector"
work=$(mktemp -d) || exit 1
fake_pid=
cleanup() {
	[ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
cd "$work" || exit 1
unset GITHUB_ACTIONS GITHUB_STEP_SUMMARY GITHUB_TOKEN GITHUB_SHA GITHUB_REF_NAME \
	GITHUB_HEAD_REF GITHUB_BASE_REF GITHUB_EVENT_PATH GITHUB_RUN_ID 2>/dev/null
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# A real document (TestFlip flaky, TestHostile failed), then the fork's lies.
"$C" analyze --no-history --quiet --comment never --fail-on none \
	--json "$work/real.json" "$FLAKE_TOP/tests/fixtures/streams/comment.json" \
	>/dev/null 2>&1 || { echo "FAIL: analyze"; exit 1; }
python3 - "$work/real.json" "$work/hostile.json" <<'PY' || exit 1
import json, sys
d = json.load(open(sys.argv[1]))
d["meta"].update(repository="evil/repo", branch="main", base_branch="main",
                 pr=999, commit="d" * 40, event="push", run_id="666",
                 run_attempt=9, server_url="https://evil.example",
                 workflow="stolen")
json.dump(d, open(sys.argv[2], "w"))
PY
export GITHUB_REPOSITORY=o/r GITHUB_SERVER_URL=https://github.com
sha=3333333333333333333333333333333333333333

# 1. Refused: no --pr/--commit; --reporter; --db; not a document.
"$C" publish --commit "$sha" "$work/hostile.json" >/dev/null 2>"$work/e1" &&
	bad "publish without --pr succeeded"
grep -q "needs --pr and --commit" "$work/e1" || { cat "$work/e1"; bad "no --pr: message"; }
"$C" publish --pr 7 --commit "$sha" --reporter http://127.0.0.1:9 "$work/hostile.json" \
	>/dev/null 2>"$work/e2" && bad "publish --reporter succeeded"
grep -q "uploads nowhere" "$work/e2" || { cat "$work/e2"; bad "--reporter: message"; }
"$C" publish --pr 7 --commit "$sha" --db "$work/h.db" "$work/hostile.json" \
	>/dev/null 2>"$work/e3" && bad "publish --db succeeded"
[ ! -e "$work/h.db" ] || bad "--db was written"
printf '{"schema_version": 1, "meta": {}, "wall_ms": 1, "cells": [], "tests": 3, "packages": []}' >"$work/broken.json"
"$C" publish --pr 7 --commit "$sha" "$work/broken.json" >/dev/null 2>"$work/e4" &&
	bad "a broken document was published"
grep -q "is not a results document: tests" "$work/e4" || { cat "$work/e4"; bad "broken: message"; }

# 2. Published without GitHub: the comment as a file, the summary.
"$C" publish --pr 7 --commit "$sha" --branch feature --base-branch main \
	--run-id 1234 --run-attempt 2 --comment never --comment-file "$work/c.md" \
	--summary "$work/s.md" --json "$work/out.json" "$work/hostile.json" \
	>"$work/o5" 2>&1
rc=$?
[ $rc -eq 0 ] || { cat "$work/o5"; bad "publish exit $rc (fail-on is none by default)"; }
grep -q "TestFlip" "$work/c.md" 2>/dev/null || bad "the comment lacks TestFlip"
grep -q "https://github.com/o/r/actions/runs/1234" "$work/c.md" ||
	{ cat "$work/c.md"; bad "the comment does not link o/r's run 1234"; }
if grep -q "evil\|666\|stolen" "$work/c.md" "$work/s.md"; then
	bad "the artifact's claims reached the comment or summary"
fi
python3 - "$work/out.json" <<'PY' || bad "the published meta"
import json, sys
m = json.load(open(sys.argv[1]))["meta"]
want = dict(repository="o/r", pr=7, commit="3" * 40, branch="feature",
            base_branch="main", event="pull_request", run_id="1234",
            run_attempt=2, server_url="https://github.com")
bad = {k: (m.get(k), v) for k, v in want.items() if m.get(k) != v}
if bad:
    print("meta differs (got, want):", bad)
    sys.exit(1)
PY
[ ! -e "$work/.flake" ] || bad "publish wrote history"
"$C" publish --pr 7 --commit "$sha" --comment never --fail-on failed \
	"$work/hostile.json" >/dev/null 2>&1
[ $? -eq 1 ] || bad "--fail-on failed does not trip on the failed test"

# 3. The reporter recipe with a pull-request-only token: the hostile
#    document's "branch: main" is recorded as pr:999, never main; without
#    a PR number it is refused.  A full token's upload keeps its branch.
R="$FLAKE_BIN/flake-reporter"
if [ -x "$R" ]; then
	rdb=$work/rep.db
	ptok=$("$R" token create --db "$rdb" --pr-only evil/repo 2>/dev/null)
	ftok=$("$R" token create --db "$rdb" evil/repo 2>/dev/null)
	"$R" token list --db "$rdb" | grep -q "\[pr-only\]" || bad "token list shows no [pr-only]"
	"$R" serve --db "$rdb" --listen 127.0.0.1:0 --port-file "$work/rport" \
		2>"$work/rep.log" &
	rpid=$!
	i=0
	while [ ! -s "$work/rport" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	python3 - "http://127.0.0.1:$(cat "$work/rport")" "$ptok" "$ftok" \
		"$work/hostile.json" "$rdb" <<'PY' || bad "the pr-only token"
import json, sqlite3, sys, urllib.error, urllib.request
url, ptok, ftok, path, db = sys.argv[1:6]
doc = json.load(open(path))
def post(tok, d, key):
    req = urllib.request.Request(url + "/api/v1/uploads", data=json.dumps(d).encode(),
        method="POST", headers={"Authorization": "Bearer " + tok,
        "Content-Type": "application/json", "Idempotency-Key": key})
    try:
        r = urllib.request.urlopen(req)
        return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)
bad = []
st, body = post(ptok, doc, "k1")
if st != 201:
    bad.append("pr-only upload: %d %r" % (st, body))
nopr = json.loads(json.dumps(doc))
nopr["meta"]["pr"] = None
nopr["meta"]["run_id"] = "667"
st, body = post(ptok, nopr, "k2")
if st != 403 or "pull-request runs" not in json.dumps(body):
    bad.append("pr-only upload without a PR: %d %r" % (st, body))
full = json.loads(json.dumps(doc))
full["meta"]["pr"] = None
full["meta"]["run_id"] = "668"
st, body = post(ftok, full, "k3")
if st != 201:
    bad.append("full token upload: %d %r" % (st, body))
rows = sqlite3.connect(db).execute(
    "SELECT gh_run_id, branch, pr, event FROM runs ORDER BY id").fetchall()
want = [("666", "pr:999", 999, "pull_request"), ("668", "main", None, "push")]
if rows != want:
    bad.append("runs %r, want %r" % (rows, want))
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
	kill "$rpid" 2>/dev/null
	wait "$rpid" 2>/dev/null
else
	echo "note: no $R: the reporter part is skipped"
fi

# 4. Posted to a fake GitHub: o/r#7 only.
spec="$FLAKE_TOP/../shared/github/rest-subset.json"
if [ ! -f "$spec" ]; then
	echo "note: no $spec: the posting part is skipped"
else
	token=fork-token-77
	python3 "$FLAKE_TOP/tests/tools/fake_github.py" --spec "$spec" --port 0 \
		--portfile "$work/port" --token "$token" 2>"$work/fake.err" &
	fake_pid=$!
	i=0
	while [ ! -s "$work/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	api="http://127.0.0.1:$(cat "$work/port")"
	GITHUB_TOKEN=$token "$C" publish --pr 7 --commit "$sha" --base-branch main \
		--github-api-url "$api" --comment auto "$work/hostile.json" \
		>"$work/o6" 2>&1 || { cat "$work/o6"; bad "publish to the fake GitHub"; }
	python3 - "$api" <<'PY' || bad "the fake GitHub's comments"
import json, sys, urllib.request
api = sys.argv[1]
get = lambda p: json.load(urllib.request.urlopen(api + p))
c7 = get("/_control/comments?repo=o/r&issue=7")
c999 = get("/_control/comments?repo=o/r&issue=999")
evil = get("/_control/comments?repo=evil/repo&issue=999")
v = get("/_control/violations")
ok = len(c7) == 1 and not c999 and not evil and not v
if not ok:
    print("comments #7 %d, #999 %d, evil %d, violations %r" % (len(c7), len(c999), len(evil), v))
sys.exit(0 if ok else 1)
PY
fi
[ $fail -eq 0 ] || exit 1
echo "ok: a hostile artifact is published where the options say, and nowhere else"
