#!/usr/bin/env python3
"""action_test.py: checks of action.yml and examples/workflows/*.yml.

  action_test.py lint TOP
      Every `run:` script in action.yml and in examples/workflows/*.yml is
      free of `${{` (inputs and contexts must reach scripts through env:,
      never by expansion into the script: script injection), every
      composite `run:` step names its shell, and every input has a
      description and a default.  Prints FAIL lines; exit status 1 on any.

  action_test.py e2e TOP WORK [--api URL]
      Runs action.yml's steps the way a runner would: each `run:` step with
      `bash --noprofile --norc -eo pipefail`, its env: rendered from the
      inputs (WORK/inputs.json) and the earlier steps' outputs, its own
      $GITHUB_OUTPUT; `uses:` steps are simulated (actions/cache: always a
      miss for the binary; actions/cache/restore and save: a directory
      store under WORK/cache; actions/upload-artifact: a copy under
      WORK/artifacts).  Writes WORK/steps.json (each step: outcome, outputs)
      and WORK/outputs.json (the action's outputs); the stdout of the run
      steps goes to WORK/stdout.log.  The environment (GITHUB_*) comes from
      the caller.
"""
import json
import os
import re
import shutil
import subprocess
import sys

try:
    import yaml
except ImportError:  # pragma: no cover
    yaml = None

EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


# --- lint -----------------------------------------------------------------

def run_blocks_linewise(text):
    """Yields (line number, script) of each `run:` in a YAML file without a
    YAML parser: the value on the line, or the indented block below."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)(?:-\s+)?run:\s*(.*)$", lines[i])
        # A key `run:` at indent < 4 is no step's (action.yml's input
        # named run); steps are at least under runs:/jobs.X.steps.
        if not m or len(m.group(1)) < 4:
            i += 1
            continue
        indent = len(m.group(1))
        val = m.group(2)
        start = i + 1
        body = [] if val.startswith(("|", ">")) else [val]
        i += 1
        while i < len(lines):
            ln = lines[i]
            if ln.strip() and len(ln) - len(ln.lstrip()) <= indent:
                break
            body.append(ln)
            i += 1
        yield start, "\n".join(body)


def steps_of(doc):
    if not isinstance(doc, dict):
        return
    runs = doc.get("runs")
    if isinstance(runs, dict):
        for s in runs.get("steps") or []:
            yield "runs", s
    for name, job in (doc.get("jobs") or {}).items():
        for s in (job or {}).get("steps") or []:
            yield "jobs.%s" % name, s


def lint(top):
    failed = 0
    files = [os.path.join(top, "action.yml")]
    wf = os.path.join(top, "examples", "workflows")
    if os.path.isdir(wf):
        files += sorted(os.path.join(wf, f) for f in os.listdir(wf)
                        if f.endswith((".yml", ".yaml")))
    for path in files:
        rel = os.path.relpath(path, top)
        text = open(path, encoding="utf-8").read()
        for line, script in run_blocks_linewise(text):
            if "${{" in script:
                failed += 1
                print("FAIL: %s:%d: a run: script expands ${{ }} (pass it through env:)"
                      % (rel, line))
        if yaml is None:
            continue
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as e:
            failed += 1
            print("FAIL: %s: not YAML: %s" % (rel, e))
            continue
        nruns = 0
        for where, s in steps_of(doc):
            if not isinstance(s, dict):
                continue
            if "run" in s:
                nruns += 1
                if "${{" in str(s["run"]):
                    failed += 1
                    print("FAIL: %s: %s step %r: run: expands ${{ }}"
                          % (rel, where, s.get("name") or s.get("id")))
                if where == "runs" and "shell" not in s:
                    failed += 1
                    print("FAIL: %s: composite run step %r has no shell"
                          % (rel, s.get("name")))
        if nruns != len(list(run_blocks_linewise(text))):
            failed += 1
            print("FAIL: %s: the line-based check saw %d run: scripts, YAML %d"
                  % (rel, len(list(run_blocks_linewise(text))), nruns))
        if rel == "action.yml":
            for name, spec in (doc.get("inputs") or {}).items():
                if not spec.get("description") or "default" not in spec:
                    failed += 1
                    print("FAIL: action.yml: input %s lacks a description or default" % name)
            for name, spec in (doc.get("outputs") or {}).items():
                if not spec.get("description") or "value" not in spec:
                    failed += 1
                    print("FAIL: action.yml: output %s lacks a description or value" % name)
    if yaml is None:
        print("note: no PyYAML; only the line-based check ran")
    return failed


# --- e2e ------------------------------------------------------------------

class Ctx:
    def __init__(self, inputs, action_path, env):
        self.inputs = inputs
        self.steps = {}
        self.action_path = action_path
        self.env = env
        self.failed = False

    def lookup(self, ref):
        parts = ref.split(".")
        if parts[0] == "inputs":
            return self.inputs.get(parts[1], "")
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            return self.steps.get(parts[1], {}).get("outputs", {}).get(parts[3], "")
        if parts[0] == "steps" and len(parts) == 3:
            return self.steps.get(parts[1], {}).get(parts[2], "")
        if ref == "github.action_path":
            return self.action_path
        if ref == "github.token":
            return self.env.get("GITHUB_TOKEN_FOR_TEST", "")
        if parts[0] == "runner":
            return self.env.get("RUNNER_" + parts[1].upper(), "")
        # The job's place in its matrix (a job without one: 0 of 1).
        if ref == "strategy.job-index":
            return self.env.get("SIM_JOB_INDEX", "0")
        if ref == "strategy.job-total":
            return self.env.get("SIM_JOB_TOTAL", "1")
        raise ValueError("unknown context reference %r" % ref)

    def evaluate(self, expr):
        """A small subset of the expression language: context references,
        'strings', ==, !=, &&, ||, !, always(), success(), failure()."""
        out = []
        pos = 0
        tok = re.compile(r"\s+|'(?:[^']|'')*'|==|!=|&&|\|\||!|\(|\)|"
                         r"always\(\)|success\(\)|failure\(\)|true|false|"
                         r"[A-Za-z_][A-Za-z0-9_.-]*")
        while pos < len(expr):
            m = tok.match(expr, pos)
            if not m:
                raise ValueError("cannot parse %r" % expr)
            t = m.group(0)
            pos = m.end()
            if t.isspace():
                continue
            if t.startswith("'"):
                out.append(repr(t[1:-1].replace("''", "'")))
            elif t in ("==", "!=", "(", ")"):
                out.append(t)
            elif t == "&&":
                out.append(" and ")
            elif t == "||":
                out.append(" or ")
            elif t == "!":
                out.append(" not ")
            elif t == "always()":
                out.append("True")
            elif t == "success()":
                out.append(repr(not self.failed))
            elif t == "failure()":
                out.append(repr(self.failed))
            elif t in ("true", "false"):
                out.append(t.capitalize())
            else:
                out.append(repr(self.lookup(t)))
        return eval("".join(out), {"__builtins__": {}})  # noqa: S307

    def render(self, value):
        if value is None:
            return ""
        if not isinstance(value, str):
            return str(value).lower() if isinstance(value, bool) else str(value)
        return EXPR.sub(lambda m: str(self.evaluate(m.group(1))), value)

    def condition(self, cond):
        if cond is None:
            return not self.failed
        c = cond.strip()
        m = re.fullmatch(r"\$\{\{(.*)\}\}", c, re.S)
        if m:
            c = m.group(1)
        if not re.search(r"always\(\)|failure\(\)|success\(\)|cancelled\(\)", c):
            c = "success() && (%s)" % c
        return bool(self.evaluate(c))


def parse_outputs(path):
    outs = {}
    if not os.path.exists(path):
        return outs
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        ln = lines[i]
        i += 1
        if not ln:
            continue
        m = re.match(r"^([^=<]+)<<(.+)$", ln)
        if m:
            val = []
            while i < len(lines) and lines[i] != m.group(2):
                val.append(lines[i])
                i += 1
            i += 1
            outs[m.group(1)] = "\n".join(val)
        elif "=" in ln:
            k, v = ln.split("=", 1)
            outs[k] = v
    return outs


def e2e(top, work, api):
    doc = yaml.safe_load(open(os.path.join(top, "action.yml"), encoding="utf-8"))
    given = json.load(open(os.path.join(work, "inputs.json")))
    inputs = {}
    for name, spec in doc["inputs"].items():
        inputs[name] = given.get(name, spec.get("default", ""))
    env = dict(os.environ)
    action_path = env["GITHUB_ACTION_PATH"]
    ctx = Ctx(inputs, action_path, env)
    for name, v in list(inputs.items()):
        if isinstance(v, str) and "${{" in v:
            inputs[name] = ctx.render(v)
    record = []
    stdout = open(os.path.join(work, "stdout.log"), "ab")
    for n, step in enumerate(doc["runs"]["steps"]):
        sid = step.get("id") or "__step%d" % n
        rec = {"id": sid, "name": step.get("name")}
        record.append(rec)
        if not ctx.condition(step.get("if")):
            rec["outcome"] = "skipped"
            ctx.steps[sid] = {"outputs": {}, "outcome": "skipped"}
            continue
        outputs = {}
        rc = 0
        if "run" in step:
            senv = dict(env)
            for k, v in (step.get("env") or {}).items():
                senv[k] = ctx.render(v)
            out_file = os.path.join(work, "output-%d" % n)
            open(out_file, "w").close()
            senv["GITHUB_OUTPUT"] = out_file
            script = os.path.join(work, "step-%d.sh" % n)
            with open(script, "w") as f:
                f.write(step["run"])
            assert step.get("shell") == "bash", "only bash steps are simulated"
            p = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", script],
                               cwd=env["GITHUB_WORKSPACE"], env=senv, stdout=stdout)
            rc = p.returncode
            outputs = parse_outputs(out_file)
        else:
            uses = step["uses"].split("@")[0]
            w = {k: ctx.render(v) for k, v in (step.get("with") or {}).items()}
            store = os.path.join(work, "cache")
            os.makedirs(store, exist_ok=True)

            def abspath(p):
                return p if os.path.isabs(p) else os.path.join(env["GITHUB_WORKSPACE"], p)

            if uses == "actions/cache":
                # FLAKE_TEST_BIN_CACHE: a hit with this file, else a miss.
                src = env.get("FLAKE_TEST_BIN_CACHE")
                outputs = {"cache-hit": "true" if src else "false"}
                if src:
                    dst = abspath(w["path"])
                    os.makedirs(os.path.dirname(dst), exist_ok=True)
                    shutil.copy(src, dst)
            elif uses == "actions/cache/restore" and \
                    w["key"].startswith("flake-collector-"):
                # The built collector: FLAKE_TEST_BIN_CACHE is a hit with
                # that file; else the store (a save of an earlier job).
                src = env.get("FLAKE_TEST_BIN_CACHE")
                if not src and os.path.exists(os.path.join(store, w["key"])):
                    src = os.path.join(store, w["key"])
                outputs = {"cache-hit": "true" if src else "false"}
                if src:
                    dst = abspath(w["path"])
                    os.makedirs(os.path.dirname(dst), exist_ok=True)
                    shutil.copy(src, dst)
            elif uses == "actions/cache/restore":
                keys = os.listdir(store)
                hit = None
                if w["key"] in keys:
                    hit = w["key"]
                else:
                    for prefix in [k.strip() for k in w.get("restore-keys", "").split("\n") if k.strip()]:
                        cands = sorted(k for k in keys if k.startswith(prefix))
                        if cands:
                            hit = cands[-1]
                            break
                outputs = {"cache-hit": "true" if hit == w["key"] else "false",
                           "cache-matched-key": hit or ""}
                if hit:
                    dst = abspath(w["path"])
                    os.makedirs(os.path.dirname(dst), exist_ok=True)
                    shutil.copy(os.path.join(store, hit), dst)
            elif uses == "actions/cache/save":
                src = abspath(w["path"])
                if os.path.exists(os.path.join(store, w["key"])):
                    # Caches are immutable: a second save of a key fails.
                    stdout.write(("Failed to save: Unable to reserve cache with key %s, another job "
                                  "may be creating this cache.\n" % w["key"]).encode())
                    stdout.flush()
                    rc = 1
                else:
                    shutil.copy(src, os.path.join(store, w["key"]))
            elif uses == "actions/upload-artifact":
                # upload-artifact@v4: artifacts belong to the workflow
                # run, all its jobs and attempts; a name that exists is a
                # 409 unless overwrite is true.
                art = os.path.join(work, "artifacts", env.get("GITHUB_RUN_ID", "0"), w["name"])
                if os.path.exists(art) and w.get("overwrite") not in (True, "true"):
                    stdout.write(b"Error: Failed to CreateArtifact: Received non-retryable error: "
                                 b"Failed request: (409) Conflict: an artifact with this name "
                                 b"already exists on the workflow run\n")
                    stdout.flush()
                    rc = 1
                else:
                    shutil.rmtree(art, ignore_errors=True)
                    os.makedirs(art)
                    shutil.copy(abspath(w["path"]), art)
            else:
                raise SystemExit("unsimulated action %s" % uses)
            rec["with"] = w
        rec["outcome"] = "success" if rc == 0 else "failure"
        rec["rc"] = rc
        rec["outputs"] = outputs
        ctx.steps[sid] = {"outputs": outputs, "outcome": rec["outcome"]}
        # continue-on-error: the step's outcome is failure, the job goes on.
        if rc and not step.get("continue-on-error"):
            ctx.failed = True
    stdout.close()
    outs = {k: ctx.render(v["value"]) for k, v in doc.get("outputs", {}).items()}
    json.dump(record, open(os.path.join(work, "steps.json"), "w"), indent=1)
    json.dump(outs, open(os.path.join(work, "outputs.json"), "w"), indent=1)
    return 1 if ctx.failed else 0


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "lint":
        sys.exit(1 if lint(sys.argv[2]) else 0)
    if len(sys.argv) >= 4 and sys.argv[1] == "e2e":
        if yaml is None:
            print("skipped: no PyYAML")
            sys.exit(77)
        api = sys.argv[5] if len(sys.argv) > 5 and sys.argv[4] == "--api" else None
        sys.exit(e2e(sys.argv[2], sys.argv[3], api))
    sys.exit(__doc__)


if __name__ == "__main__":
    main()
