#!/usr/bin/env python3
"""bench/reporter_client.py -- HTTP client of bench/reporter.sh.

  reporter_client.py ingest PORT TOKEN DIR CONC OUT.tsv
      POSTs every upload of DIR/index.tsv (bench/reporter_gen.py) to
      /api/v1/uploads like the collector does (gzip, Bearer token,
      Idempotency-Key), from CONC threads, one keep-alive connection each.
      The bodies are read into memory first, so the clock measures the
      reporter, not the disk.  Writes one line per upload to OUT.tsv:
      t_done(s since start) rows status client_ms; exits 1 if any upload
      did not get 201.

  reporter_client.py get PORT N PATH...
      For each PATH: 3 warm-up requests, then N sequential GETs over one
      keep-alive connection.  Prints "PATH min median p95 bytes status"
      (client-side milliseconds, body read included).

  reporter_client.py deciles STEP NSTEPS FILE.tsv
      From "t_done rows ..." lines (ingest output, or reporter_base's),
      prints NSTEPS+1 numbers: rows/s over each STEP rows (the cumulative
      row count is interpolated linearly between completions, from (0, 0)),
      then rows/s over all STEP*NSTEPS rows.
"""
import http.client
import os
import sys
import threading
import time


def ingest(port, token, d, conc, out):
    items = []
    with open(os.path.join(d, "index.tsv")) as f:
        for line in f:
            name, rows, key = line.rstrip("\n").split("\t")
            with open(os.path.join(d, name), "rb") as b:
                items.append((b.read(), int(rows), key))
    lock = threading.Lock()
    nxt = [0]
    res = []
    t0 = time.monotonic()

    def worker():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= len(items):
                break
            body, rows, key = items[i]
            ts = time.monotonic()
            c.request("POST", "/api/v1/uploads", body=body, headers={
                "Authorization": "Bearer " + token,
                "Content-Type": "application/json",
                "Content-Encoding": "gzip",
                "Idempotency-Key": key,
            })
            r = c.getresponse()
            data = r.read()
            te = time.monotonic()
            if r.status != 201:
                print("upload %d: %d %s" % (i, r.status, data[:300]),
                      file=sys.stderr)
            with lock:
                res.append((te - t0, rows, r.status, (te - ts) * 1000))
        c.close()

    th = [threading.Thread(target=worker) for _ in range(conc)]
    for t in th:
        t.start()
    for t in th:
        t.join()
    res.sort()
    with open(out, "w") as f:
        for t, rows, st, ms in res:
            f.write("%.6f\t%d\t%d\t%.3f\n" % (t, rows, st, ms))
    return 0 if all(r[2] == 201 for r in res) else 1


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p * (len(v) - 1))))]


def get(port, n, paths):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    for path in paths:
        lat, size, st = [], 0, 0
        for i in range(n + 3):
            ts = time.monotonic()
            c.request("GET", path)
            r = c.getresponse()
            data = r.read()
            te = time.monotonic()
            size, st = len(data), r.status
            if i >= 3:
                lat.append((te - ts) * 1000)
        med = sorted(lat)[len(lat) // 2] if len(lat) % 2 else \
            (sorted(lat)[len(lat) // 2 - 1] + sorted(lat)[len(lat) // 2]) / 2
        print("%s\t%.3f\t%.3f\t%.3f\t%d\t%d" % (path, min(lat), med,
                                                 pct(lat, 0.95), size, st))
    c.close()
    return 0


def deciles(step, nsteps, path):
    pts = [(0.0, 0)]
    with open(path) as f:
        for line in f:
            v = line.split()
            pts.append((float(v[0]), pts[-1][1] + int(v[1])))

    def when(x):
        for (t0, r0), (t1, r1) in zip(pts, pts[1:]):
            if r1 >= x:
                return t0 + (t1 - t0) * (x - r0) / (r1 - r0)
        raise SystemExit("deciles: only %d rows in %s" % (pts[-1][1], path))

    ts = [when(step * k) for k in range(nsteps + 1)]
    out = [step / (b - a) for a, b in zip(ts, ts[1:])]
    out.append(step * nsteps / (ts[-1] - ts[0]))
    print(" ".join("%.0f" % x for x in out))
    return 0


def main():
    if sys.argv[1] == "deciles":
        return deciles(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    if sys.argv[1] == "ingest":
        return ingest(int(sys.argv[2]), sys.argv[3], sys.argv[4],
                      int(sys.argv[5]), sys.argv[6])
    if sys.argv[1] == "get":
        return get(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
