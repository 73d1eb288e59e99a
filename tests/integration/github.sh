#!/bin/sh
# The PR comment end to end: the real collector (`analyze`) posts to a fake
# GitHub (tests/tools/fake_github.py) that checks every request against
# GitHub's OpenAPI description ../shared/github/rest-subset.json.
#
# The stream tests/fixtures/streams/comment.json is real `go test -json
# -count=3` output of a package with TestFlip (fails every third
# execution: flaky), TestHostile/<script>alert(1)</script> (logs
# "@octocat #123 </details> <img ...> ```" and fails: failed) and TestOK.
#
# Asserts: one comment created among 150 foreign ones (two pages), then
# updated in place (same id, never a second one); a 429 with Retry-After
# and a 502 are retried; a permanent 500 or a plain 403 is a warning
# that changes neither the exit status nor the other outputs; a POST
# whose answer was lost is not repeated blindly; an all-clear run updates
# the earlier comment and posts none where there was none; hostile text
# is escaped; the token appears nowhere; and the fake saw no violation.
set -u
spec="$FLAKE_TOP/../shared/github/rest-subset.json"
if [ ! -f "$spec" ]; then
	echo "skipped: no $spec (GitHub's OpenAPI subset, on CI beside the repo)"
	exit 77
fi
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }

C="$FLAKE_BIN/flake-collector"
stream="$FLAKE_TOP/tests/fixtures/streams/comment.json"
token="sekrit-token-4f1d9c"
work=$(mktemp -d)
fake_pid=
cleanup() {
	[ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

python3 "$FLAKE_TOP/tests/tools/fake_github.py" --spec "$spec" --port 0 \
	--portfile "$work/port" --token "$token" 2>"$work/fake.err" &
fake_pid=$!
i=0
while [ ! -s "$work/port" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -s "$work/port" ] || { echo "FAIL: the fake GitHub did not start"; cat "$work/fake.err"; exit 1; }
port=$(cat "$work/port")
api="http://127.0.0.1:$port"

# ctl METHOD PATH [JSON]: the fake's control API; prints the answer.
ctl() {
	python3 - "$api$2" "$1" "${3:-}" <<'PY'
import sys, urllib.request
url, method, body = sys.argv[1:4]
req = urllib.request.Request(url, method=method,
                             data=body.encode() if body else None)
print(urllib.request.urlopen(req).read().decode())
PY
}

# collect NAME [options]: one analyze run; exit status in $work/NAME.rc.
collect() {
	name=$1
	shift
	env -u GITHUB_ACTIONS -u GITHUB_EVENT_PATH -u GITHUB_API_URL \
		-u GITHUB_REPOSITORY -u GITHUB_RUN_ID -u GITHUB_STEP_SUMMARY \
		-u GITHUB_OUTPUT -u GITHUB_BASE_REF -u GITHUB_HEAD_REF \
		GITHUB_TOKEN="$token" FLAKE_GITHUB_MAX_WAIT_MS="${MAXWAIT:-20000}" \
		"$C" analyze --cell "GOMAXPROCS=2" --repository o/r --db "$work/h.db" \
		--github-api-url "$api" --json "$work/$name.json" "$@" "$stream" \
		>"$work/$name.out" 2>"$work/$name.err"
	echo $? >"$work/$name.rc"
	if grep -q "AddressSanitizer\|runtime error\|LeakSanitizer" "$work/$name.err"; then
		bad "$name: sanitizer report"
		cat "$work/$name.err"
	fi
}

# expect_rc NAME STATUS
expect_rc() {
	if [ "$(cat "$work/$1.rc")" = "$2" ]; then ok; else
		bad "$1: exit $(cat "$work/$1.rc"), want $2"
		sed 's/^/    /' "$work/$1.err" | head -10
	fi
}

# expect_err NAME PATTERN / expect_no_err NAME PATTERN: on stderr.
expect_err() {
	if grep -q -- "$2" "$work/$1.err"; then ok; else
		bad "$1: stderr lacks '$2'"
		sed 's/^/    /' "$work/$1.err" | head -10
	fi
}
expect_no_err() {
	if grep -q -- "$2" "$work/$1.err"; then
		bad "$1: stderr has '$2'"
		sed 's/^/    /' "$work/$1.err" | head -10
	else ok; fi
}

# check NAME: python assertions over the fake's state (stdin: the code;
# comments, log, ours = [comments with the marker], and save() for the
# next step are predefined).  Prints FAIL lines; exit status = failures.
check() {
	name=$1
	ctl GET "/_control/comments?repo=o/r&issue=5" >"$work/comments.json"
	ctl GET /_control/log >"$work/log.json"
	cat >"$work/check.py"
	python3 - "$work" "$name" <<'PY'
import json, os, sys
work, name = sys.argv[1:3]
comments = json.load(open(os.path.join(work, "comments.json")))
log = json.load(open(os.path.join(work, "log.json")))
marker = "<!-- flake-action:comment -->"
ours = [c for c in comments if marker in c["body"]]
state_path = os.path.join(work, "state.json")
state = json.load(open(state_path)) if os.path.exists(state_path) else {}
failed = 0
def expect(cond, what):
    global failed
    if not cond:
        failed += 1
        print("FAIL: %s: %s" % (name, what))
def save(**kw):
    state.update(kw)
    json.dump(state, open(state_path, "w"))
calls = [(e["method"], e["path"].split("?")[0], e["status"]) for e in log]
exec(open(os.path.join(work, "check.py")).read())
sys.exit(failed)
PY
	n=$?
	pass=$((pass + 1))
	[ $n -eq 0 ] || { fail=$((fail + n)); pass=$((pass - 1)); }
}

ctl POST /_control/seed '{"repo": "o/r", "issue": 5, "count": 150}' >/dev/null

# 1. The first run creates the comment, after reading both pages.
collect first --pr 5
expect_rc first 1
expect_err first "PR comment created: https://github.com/o/r/pull/5#issuecomment-"
check first <<'PY'
expect(len(comments) == 151, "151 comments, got %d" % len(comments))
expect(len(ours) == 1, "exactly one of ours, got %d" % len(ours))
pages = [e["path"] for e in log if e["method"] == "GET"]
expect(any("page=2" in p for p in pages), "the second page was read: %r" % pages)
expect(all("per_page=100" in p for p in pages), "per_page=100: %r" % pages)
expect([c[0] for c in calls].count("POST") == 1, "one POST: %r" % calls)
for e in log:
    h = {k.lower(): v for k, v in e["headers"].items()}
    expect(h.get("user-agent", "").startswith("flake-action/"), "User-Agent %r" % h.get("user-agent"))
    expect(h.get("x-github-api-version") == "2022-11-28", "API version header")
    expect(h.get("accept") == "application/vnd.github+json", "Accept %r" % h.get("accept"))
    if e["method"] in ("POST", "PATCH"):
        expect(h.get("content-type") == "application/json", "Content-Type %r" % h.get("content-type"))
if ours:
    body = ours[0]["body"]
    save(id=ours[0]["id"])
    expect(body.startswith(marker + "\n"), "the marker is the first line")
    expect("<code>TestFlip</code>" in body, "the flaky test's row")
    expect("⚠️ flaky" in body and "❌ failed" in body, "verdicts")
    expect("GOMAXPROCS=2 go test -run '^TestFlip$' -count=20" in body, "repro command")
    # Outside fenced blocks: no raw HTML, mention or issue link.
    outside, fence = [], None
    for line in body.split("\n"):
        s = line.strip()
        if fence is None and s.startswith("```"):
            fence = len(s) - len(s.lstrip("`"))
            continue
        if fence is not None:
            if s and set(s) == {"`"} and len(s) >= fence:
                fence = None
            continue
        outside.append(line)
    expect(fence is None, "every fence is closed")
    text = "\n".join(outside)
    expect("<script" not in text and "<img" not in text, "no raw HTML outside fences")
    expect("@octocat" not in text and "#123" not in text, "no mention or issue link outside fences")
    expect("&lt;script&gt;alert(1)&lt;/script&gt;" in text, "the hostile name, escaped")
    expect(text.count("<details>") == text.count("</details>") == 2,
           "<details> balanced: %d/%d" % (text.count("<details>"), text.count("</details>")))
    expect("@octocat #123 </details>" in body, "the hostile output, verbatim inside its fence")
PY

# 2. The second run updates it in place.
ctl POST /_control/reset >/dev/null
collect second --pr 5
expect_rc second 1
check second <<'PY'
expect(len(ours) == 1 and ours[0]["id"] == state.get("id"),
       "the same comment: %r vs %r" % ([c["id"] for c in ours], state.get("id")))
expect(len(comments) == 151, "still 151 comments, got %d" % len(comments))
expect("POST" not in [c[0] for c in calls], "no POST: %r" % calls)
PY

# 3. A secondary rate limit (429, Retry-After: 1), then a 502: retried.
ctl POST /_control/reset >/dev/null
ctl POST /_control/fail '{"status": 429, "times": 1, "retry_after": 1}' >/dev/null
ctl POST /_control/fail '{"status": 502, "times": 1}' >/dev/null
start=$(date +%s)
collect retried --pr 5
secs=$(( $(date +%s) - start ))
expect_rc retried 1
expect_no_err retried "warning"
expect_err retried "PR comment \(updated\|unchanged\)"
[ $secs -ge 1 ] && ok || bad "retried: did not wait for Retry-After (${secs}s)"
check retried <<'PY'
st = [c[2] for c in calls]
expect(st[:2] == [429, 502], "429 then 502 first: %r" % st)
expect(len(ours) == 1 and ours[0]["id"] == state.get("id"), "still the same comment")
PY

# 4. GitHub down for good: a warning; exit status and outputs unchanged.
ctl POST /_control/reset >/dev/null
ctl POST /_control/fail '{"status": 500, "times": 1000}' >/dev/null
MAXWAIT=1500 collect down --pr 5
expect_rc down 1
expect_err down "flake-collector: warning: could not post the PR comment: cannot list the comments of o/r#5: HTTP 500"
python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$work/down.json" && ok || bad "down: no results JSON"
check down <<'PY'
expect(1 < len(calls) <= 5, "retried a few times, then gave up: %d calls" % len(calls))
PY

# 5. A 403 that is no rate limit: one request, GitHub's message.
ctl POST /_control/reset >/dev/null
ctl POST /_control/fail '{"status": 403, "times": 1}' >/dev/null
collect forbidden --pr 5
expect_rc forbidden 1
expect_err forbidden "could not post the PR comment: .*HTTP 403: Resource not accessible by integration"
check forbidden <<'PY'
expect(len(calls) == 1, "no retry after a plain 403: %r" % calls)
PY

# 6. The answer to the POST is lost (502 after creating): the collector
#    looks again instead of posting a duplicate.
ctl POST /_control/reset >/dev/null
python3 - "$api" "$token" "$work/state.json" <<'PY'
import json, sys, urllib.request
api, token, state = sys.argv[1:4]
cid = json.load(open(state))["id"]
req = urllib.request.Request("%s/repos/o/r/issues/comments/%s" % (api, cid), method="DELETE",
    headers={"Authorization": "Bearer " + token, "Accept": "application/vnd.github+json",
             "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "test"})
urllib.request.urlopen(req)
PY
ctl POST /_control/reset >/dev/null
ctl POST /_control/fail '{"status": 502, "times": 1, "method": "POST", "after": true}' >/dev/null
collect lost --pr 5
expect_rc lost 1
expect_no_err lost "warning"
check lost <<'PY'
expect(len(ours) == 1, "one comment after a lost answer, got %d" % len(ours))
expect([c[0] for c in calls].count("POST") == 1, "POSTed once: %r" % calls)
expect(calls and calls[-1][0] == "GET", "looked again after the lost answer: %r" % calls[-3:])
if ours:
    save(id=ours[0]["id"])
PY

# 7. All clear: the earlier comment is updated; a PR without one gets none.
# Without its failing tests the package passes too (its own fail event
# would otherwise be a package-level failure, as go test would report).
grep -v 'TestFlip\|TestHostile' "$stream" |
	sed '/"Test"/!s/"Action":"fail"/"Action":"pass"/' >"$work/clean.json"
ctl POST /_control/reset >/dev/null
env -u GITHUB_ACTIONS -u GITHUB_API_URL GITHUB_TOKEN="$token" "$C" analyze \
	--cell "GOMAXPROCS=2" --repository o/r --db "$work/h.db" --github-api-url "$api" \
	--pr 5 "$work/clean.json" >"$work/clean.out" 2>"$work/clean.err"
echo $? >"$work/clean.rc"
expect_rc clean 0
check clean <<'PY'
expect(len(ours) == 1 and ours[0]["id"] == state.get("id"), "the same comment")
expect(ours and "✅" in ours[0]["body"] and "no flaky or failed tests" in ours[0]["body"],
       "updated to all clear")
expect("PATCH" in [c[0] for c in calls], "PATCHed: %r" % calls)
PY
ctl POST /_control/reset >/dev/null
env -u GITHUB_ACTIONS -u GITHUB_API_URL GITHUB_TOKEN="$token" "$C" analyze \
	--cell "GOMAXPROCS=2" --repository o/r --db "$work/h.db" --github-api-url "$api" \
	--pr 6 "$work/clean.json" >"$work/clean6.out" 2>"$work/clean6.err"
echo $? >"$work/clean6.rc"
expect_rc clean6 0
check clean6 <<'PY'
expect([c[0] for c in calls] == ["GET"], "only looked on PR 6: %r" % calls)
PY

# 8. --comment never, and no PR: not a single request.
ctl POST /_control/reset >/dev/null
collect never --pr 5 --comment never
collect nopr
expect_rc never 1
expect_rc nopr 1
check quiet <<'PY'
expect(calls == [], "no requests: %r" % calls)
PY

# 9. No token in any output, log or body; the fake saw no violation.
ctl GET /_control/log >"$work/log-final.json"
if grep -l "$token" "$work"/*.out "$work"/*.err "$work"/*.json 2>/dev/null; then
	bad "the token leaked into the files above"
else
	ok
fi
v=$(ctl GET /_control/violations)
if [ "$v" = "[]" ]; then ok; else bad "violations: $v"; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
