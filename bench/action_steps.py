#!/usr/bin/env python3
"""bench/action_steps.py -- the Action's build steps on this machine
(issue 14; part 8 of `make bench`, docs/ACTION.md).

    python3 bench/action_steps.py [REPS]

Runs the shell steps of action.yml as the runner would (bash, with
GITHUB_ACTION_PATH, GITHUB_OUTPUT, RUNNER_OS) in a fresh `git clone` of
this repository, REPS times (default 3), and prints the median of:

  * the key step (hashing the collector's sources);
  * the dependency step when pkg-config already finds everything (the
    apt-skip path: no package manager runs);
  * a cold build (`make DEV=0 bin/flake-collector` in a clone that has
    never built);
  * a warm start: the key step, then what a cache hit leaves -- the
    binary restored (here: copied into place; on GitHub the restore is a
    download of ~1 MB), the dependency and build steps skipped, and
    `flake-collector --version` run.

The package-manager path itself (apt-get or brew installing -dev
packages) needs the network and root and is not timed here.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def steps():
    with open(os.path.join(ROOT, "action.yml")) as f:
        doc = yaml.safe_load(f)
    return {s.get("id"): s for s in doc["runs"]["steps"] if s.get("id")}


def run_step(step, action_path, out):
    env = dict(os.environ, GITHUB_ACTION_PATH=action_path, GITHUB_OUTPUT=out,
               RUNNER_OS="Linux", RUNNER_ARCH="X64")
    for k, v in (step.get("env") or {}).items():
        env[k] = "" if "${{" in str(v) else str(v)
    t0 = time.monotonic()
    p = subprocess.run(["bash", "-c", step["run"]], env=env, cwd=action_path,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    secs = time.monotonic() - t0
    if p.returncode:
        sys.exit("step %s failed: %s" % (step.get("id"), p.stdout.decode()[-2000:]))
    return secs, p.stdout.decode()


def main():
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    st = steps()
    times = {"key": [], "deps": [], "build": [], "warm": []}
    for _ in range(reps):
        work = tempfile.mkdtemp(prefix="flake-action-steps-")
        try:
            clone = os.path.join(work, "action")
            subprocess.run(["git", "clone", "-q", ROOT, clone], check=True)
            out = os.path.join(work, "out")
            open(out, "w").close()
            secs, _ = run_step(st["key"], clone, out)
            times["key"].append(secs)
            secs, text = run_step(st["deps"], clone, out)
            if "build dependencies present" not in text:
                sys.exit("the apt-skip path was not taken: %s" % text)
            times["deps"].append(secs)
            secs, _ = run_step(st["build"], clone, out)
            times["build"].append(secs)
            built = os.path.join(clone, "bin", "flake-collector")
            cached = os.path.join(work, "cached")
            shutil.copy2(built, cached)
            # A second checkout of the action with the binary restored.
            clone2 = os.path.join(work, "action2")
            subprocess.run(["git", "clone", "-q", ROOT, clone2], check=True)
            t0 = time.monotonic()
            run_step(st["key"], clone2, out)
            os.makedirs(os.path.join(clone2, "bin"), exist_ok=True)
            shutil.copy2(cached, os.path.join(clone2, "bin", "flake-collector"))
            subprocess.run([os.path.join(clone2, "bin", "flake-collector"),
                            "--version"], check=True, stdout=subprocess.DEVNULL)
            times["warm"].append(time.monotonic() - t0)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    rows = [("key step (hash the sources)", "key"),
            ("dependencies present: the apt-skip path", "deps"),
            ("cold build, make -jN DEV=0 bin/flake-collector", "build"),
            ("warm start: key, binary restored, --version", "warm")]
    print("| step | runs | min | median |")
    print("|---|---|---|---|")
    for name, k in rows:
        print("| %s | %d | %.2f s | %.2f s |" % (name, reps, min(times[k]),
                                               statistics.median(times[k])))


if __name__ == "__main__":
    main()
