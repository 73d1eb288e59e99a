#!/usr/bin/env python3
"""--changed-since REF and --only-changed (core/changed.h) on a real git
repository and the real toolchain: a module of five packages -- a; b
imports a; c alone; d imports a only in its tests; e imports c -- and
changes to one file at a time: the packages touched are those with a
changed file and their importers (tests included), go.mod touches all, a
test-only change touches its package only, a deleted package touches all,
and an unknown reference runs everything with a warning.

usage: changed_test.py BINDIR WORKDIR"""
import json, os, shutil, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, done  # noqa: E402

bindir, work = sys.argv[1], sys.argv[2]
COLLECTOR = os.path.join(bindir, "flake-collector")
mod = os.path.join(work, "m")
FILES = {
    "go.mod": "module example.com/m\n\ngo 1.19\n",
    "a/a.go": "package a\n\nfunc A() int { return 1 }\n",
    "a/a_test.go": "package a\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) {}\n",
    "b/b.go": "package b\n\nimport \"example.com/m/a\"\n\nfunc B() int { return a.A() }\n",
    "b/b_test.go": "package b\n\nimport \"testing\"\n\nfunc TestB(t *testing.T) { _ = B() }\n",
    "c/c.go": "package c\n\nfunc C() int { return 3 }\n",
    "c/c_test.go": "package c\n\nimport \"testing\"\n\nfunc TestC(t *testing.T) {}\n",
    "d/d.go": "package d\n\nfunc D() int { return 4 }\n",
    "d/d_test.go": "package d_test\n\nimport (\n\t\"testing\"\n\n\t\"example.com/m/a\"\n)\n\n"
                   "func TestD(t *testing.T) { _ = a.A() }\n",
    "e/e.go": "package e\n\nimport \"example.com/m/c\"\n\nfunc E() int { return c.C() }\n",
    "e/e_test.go": "package e\n\nimport \"testing\"\n\nfunc TestE(t *testing.T) { _ = E() }\n",
    "docs/README.md": "docs\n",
}


def git(*args):
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t"] + list(args),
                   cwd=mod, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def write(rel, text):
    path = os.path.join(mod, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def ran(name, args):
    """Runs the collector; returns (exit, packages with a test that ran, stderr)."""
    out = os.path.join(work, name + ".json")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    p = subprocess.run([COLLECTOR, "run", "--no-history", "--quiet", "--comment", "never",
                        "--race", "off", "--gomaxprocs", "1", "--count", "1", "--json", out]
                       + args, cwd=mod, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    doc = json.load(open(out)) if os.path.exists(out) else {"tests": []}
    pk = sorted({t["package"].rsplit("/", 1)[-1] for t in doc["tests"] if t["executions"]})
    return p.returncode, pk, p.stderr.decode(errors="replace")


def case(what, change, want, ref="HEAD", want_rc=0):
    """Commits the base, applies change (a function), runs --only-changed."""
    change()
    rc, pk, err = ran(what.replace(" ", "_"), ["--changed-since", ref, "--only-changed"])
    check(rc == want_rc and pk == want, "%s: ran %r, want %r (exit %d) %s"
          % (what, pk, want, rc, err[-400:]))
    git("checkout", "-q", "--", ".")
    git("clean", "-qfd")
    return err


def main():
    os.makedirs(mod)
    for rel, text in FILES.items():
        write(rel, text)
    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "base")

    case("a changed: a, b (imports it), d (its tests import it)",
         lambda: write("a/a.go", FILES["a/a.go"] + "\n// changed\n"), ["a", "b", "d"])
    case("a test-only change touches its package only",
         lambda: write("c/c_test.go", FILES["c/c_test.go"] + "\n// changed\n"), ["c", "e"][:1])
    case("testdata belongs to its package",
         lambda: write("e/testdata/x.txt", "x\n"), ["e"])
    case("a non-Go file outside every package touches none",
         lambda: write("docs/README.md", "more docs\n"), [])
    case("go.mod touches everything",
         lambda: write("go.mod", FILES["go.mod"] + "\n// changed\n"), ["a", "b", "c", "d", "e"])

    def delete_c():
        shutil.rmtree(os.path.join(mod, "c"))
    # e imports the deleted c: it no longer builds, which fails the run.
    err = case("a deleted package touches everything", delete_c, ["a", "b", "d"], want_rc=1)
    check("deleted or moved package" in err, "the reason is given: %r" % err[-300:])

    # A committed change, compared with the merge base of a branch.
    git("checkout", "-qb", "topic")
    write("b/b.go", FILES["b/b.go"] + "\n// topic\n")
    git("commit", "-qam", "topic")
    rc, pk, err = ran("branch", ["--changed-since", "master", "--only-changed"])
    if rc != 0 or not pk:
        rc, pk, err = ran("branch", ["--changed-since", "main", "--only-changed"])
    check(rc == 0 and pk == ["b"], "a branch's commits since the merge base: %r %s" % (pk, err[-300:]))
    # Without --only-changed every package runs, the changed first.
    rc, pk, err = ran("order", ["--changed-since", "HEAD~1"])
    check(rc == 0 and pk == ["a", "b", "c", "d", "e"], "without --only-changed all run: %r" % pk)
    check("changed since HEAD~1: 1 package" in err, "the change is reported: %r" % err[-300:])
    # An unknown reference: everything, with the reason.
    rc, pk, err = ran("unknown", ["--changed-since", "no-such-ref", "--only-changed"])
    check(rc == 0 and pk == ["a", "b", "c", "d", "e"] and "unknown to git" in err,
          "an unknown reference runs everything: %r %s" % (pk, err[-300:]))

    done()


main()
