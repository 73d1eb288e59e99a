#!/usr/bin/env python3
"""A/B of two collector binaries on bench/wall.py's collector side:
alternating trials at --budget M x a plain go test, plants caught per
trial and wall times.  Not part of make bench.

usage: OLD=old/bin/flake-collector [NEW=bin/flake-collector] [M="1 2"]
       [T=10] [MODS="examples/flaky bench/flaky2"] python3 bench/ab.py"""
import os, sys, statistics, importlib.util
HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("wall", os.path.join(HERE, "wall.py"))
w = importlib.util.module_from_spec(spec); spec.loader.exec_module(w)
OLD = os.environ["OLD"]
NEW = os.environ.get("NEW", os.path.join(os.path.dirname(HERE), "bin", "flake-collector"))
MS = [float(x) for x in os.environ.get("M", "1 2").split()]
T = int(os.environ.get("T", "10"))
MODS = os.environ.get("MODS", "examples/flaky bench/flaky2").split()
os.makedirs(w.OUT, exist_ok=True)
for rel in MODS:
    mod = os.path.join(w.ROOT, rel)
    plants = list(w.PLANTS[rel])
    w.timed(["go", "test", "-count=1", "./..."], mod)
    plain = statistics.median(w.timed(["go", "test", "-count=1", "-timeout", "20s", "./..."], mod) for _ in range(3))
    for m in MS:
        b = max(1000, int(m * plain * 1000))
        res = {"old": ({p: 0 for p in plants}, []), "new": ({p: 0 for p in plants}, [])}
        for i in range(T):
            for side, binp in (("old", OLD), ("new", NEW)) if i % 2 == 0 else (("new", NEW), ("old", OLD)):
                w.COLLECTOR = binp
                caught, wall = w.collector(mod, b, "ab-%s-%d" % (side, i))
                for p in plants:
                    res[side][0][p] += p in caught
                res[side][1].append(wall)
        print("%s P=%.2f m=%g B=%d ms, %d trials" % (rel, plain, m, b, T))
        for p in plants:
            print("  %-40s old %2d  new %2d" % (p, res["old"][0][p], res["new"][0][p]))
        for side in ("old", "new"):
            h, ws = res[side]
            print("  %s: %.2f plants/trial, median wall %.2f s, max %.2f s" % (side, sum(h.values()) / T, statistics.median(ws), max(ws)))
        sys.stdout.flush()
