// tests/browser/seed.mjs: the real flake-reporter on loopback with a
// temporary database, and results documents to upload to it.  docFor() is
// a copy of tests/tools/reporter_test.py's doc_for() (keep the two alike).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// A results document.  tests: {name: {cell: [passes, failures]}}.
export function docFor(repo, runId, job, tests, {
  cells = ['GOMAXPROCS=1'], pr = null, attempt = 1, shard = null, branch = 'main',
  started = '2026-11-27T10:00:00Z', commit = 'c0ffee0000',
} = {}) {
  const out = [];
  for (const [name, per] of Object.entries(tests)) {
    const cs = [];
    let P = 0, F = 0;
    for (const [cell, [p, f]] of Object.entries(per)) {
      const st = p && f ? 'flaky' : f ? 'failed' : 'passed';
      cs.push({ cell, status: st, passes: p, failures: f, skips: 0, notrun: 0 });
      P += p;
      F += f;
    }
    const st = cs.some((c) => c.status === 'failed') ? 'failed'
      : cs.some((c) => c.status === 'flaky') ? 'flaky' : 'passed';
    const fd = [];
    if (F) {
      fd.push({ cell: Object.keys(per)[0], kind: 'fail', file: 'p/a_test.go', line: 7,
        message: 'want 1, got 2', signature: 'fail: want N, got N @ p/a_test.go:7',
        count: F, output: '    a_test.go:7: want 1, got 2\n' });
    }
    out.push({ package: 'example.com/p', name, status: st, executions: P + F, passes: P,
      failures: F, skips: 0, notrun: 0, cells: cs, failure_details: fd,
      repro: F ? `go test -run '^${name}$' -count=20 ./p` : null });
  }
  return {
    schema_version: 1,
    meta: { repository: repo, commit, branch, base_branch: pr ? 'main' : null, pr,
      run_id: runId, run_attempt: attempt, job, shard, started_at: started,
      go_version: 'go1.19.8', goos: 'linux', goarch: 'amd64' },
    wall_ms: 1000,
    totals: { tests: out.length },
    // Unlike doc_for(), race and gomaxprocs follow the cell's name
    // ("race GOMAXPROCS=4").
    cells: cells.map((c) => ({ name: c, race: /\brace\b/.test(c),
      gomaxprocs: Number((/GOMAXPROCS=(\d+)/.exec(c) || [0, 1])[1]), count: 3,
      shuffle: false, stress: 0, wall_ms: 10 })),
    tests: out,
    packages: [{ package: 'example.com/p', status: 'ok', error: null }],
  };
}

export function tokenCreate(reporter, db, repo) {
  const out = execFileSync(reporter, ['token', 'create', '--db', db, repo], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (!out.startsWith('flk_')) throw new Error(`token create ${repo}: ${out}`);
  return out.trim();
}

// Starts `flake-reporter serve` on 127.0.0.1:0; resolves {proc, port, base}.
export async function startReporter(reporter, db, work) {
  const portFile = path.join(work, 'port');
  fs.rmSync(portFile, { force: true });
  const log = fs.openSync(path.join(work, 'server.log'), 'a');
  const proc = spawn(reporter, ['serve', '--db', db, '--listen', '127.0.0.1:0',
    '--port-file', portFile], { stdio: ['ignore', log, log] });
  let exited = null;
  proc.on('exit', (code, sig) => { exited = `exit ${code} ${sig || ''}`; });
  for (let i = 0; i < 200; i++) {
    if (exited) break;
    const s = fs.existsSync(portFile) ? fs.readFileSync(portFile, 'utf8').trim() : '';
    if (s) return { proc, port: Number(s), base: `http://127.0.0.1:${s}` };
    await new Promise((r) => setTimeout(r, 50));
  }
  proc.kill('SIGKILL');
  throw new Error(`reporter did not start (${exited || 'timeout'}); see ${work}/server.log`);
}

export async function stopReporter(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
  const done = new Promise((r) => proc.on('exit', (code) => r(code)));
  proc.kill('SIGTERM');
  const t = setTimeout(() => proc.kill('SIGKILL'), 20000);
  const code = await done;
  clearTimeout(t);
  return code;
}

export async function upload(base, tok, doc) {
  const r = await fetch(`${base}/api/v1/uploads`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${tok}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(doc),
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}

export async function getJSON(base, p) {
  const r = await fetch(base + p);
  return { status: r.status, body: await r.json().catch(() => null) };
}

// An RFC 3339 time `days` days (and `hours` hours) before now, so that the
// runs fall into the reporter's 7d/30d/90d windows (which end at now).
export function ago(days, hours = 0) {
  return new Date(Date.now() - (days * 24 + hours) * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
}

export const EVIL = 'TestEvil/<script>alert(1)</script>';
// Markup and markdown that must stay text: a details breaker, a fence,
// a mention, an issue reference, a link and an image with a handler.
export const EVIL2 = 'TestEvil2/</details>_```_@octocat_#123_[x](http://evil.example)_<img src=x onerror=alert(2)>';
export const REPO = 'acme/api';

// Seeds REPO with runs over several days; returns what was uploaded.
//   run 300 (1 day ago, main, two shards 1/2 + 2/2, PR 42)
//   run 301 (3 days ago, main): TestBroken fails, TestFlaky flaky under race
//   run 302 (5 days ago, branch feature/x)
//   run 303 (12 days ago, main): outside 7d, inside 30d
//   run 304 (45 days ago, main): inside 90d only
export async function seed(base, tok) {
  const G1 = 'GOMAXPROCS=1', G4 = 'GOMAXPROCS=4', R1 = 'race GOMAXPROCS=1', R4 = 'race GOMAXPROCS=4';
  const all = [G1, G4, R1, R4];
  const docs = [
    docFor(REPO, '300', 'test', {
      TestFlaky: { [G1]: [3, 0], [G4]: [2, 1] },
      TestStable: { [G1]: [3, 0], [G4]: [3, 0] },
      [EVIL]: { [G1]: [1, 2], [G4]: [3, 0] },
      [EVIL2]: { [G1]: [2, 1], [G4]: [3, 0] },
    }, { cells: [G1, G4], shard: '1/2', pr: 42, started: ago(1), commit: 'aaaa300000' }),
    docFor(REPO, '300', 'test', {
      TestFlaky: { [R1]: [3, 0], [R4]: [1, 2] },
      TestSlow: { [R1]: [3, 0], [R4]: [3, 0] },
    }, { cells: [R1, R4], shard: '2/2', pr: 42, started: ago(1), commit: 'aaaa300000' }),
    docFor(REPO, '301', 'test', {
      TestFlaky: { [G1]: [3, 0], [G4]: [3, 0], [R1]: [3, 0], [R4]: [0, 3] },
      TestStable: { [G1]: [3, 0], [G4]: [3, 0], [R1]: [3, 0], [R4]: [3, 0] },
      TestBroken: { [G1]: [0, 3], [G4]: [0, 3], [R1]: [0, 3], [R4]: [0, 3] },
      [EVIL]: { [G1]: [3, 0], [G4]: [3, 0], [R1]: [3, 0], [R4]: [3, 0] },
    }, { cells: all, started: ago(3), commit: 'bbbb301000' }),
    docFor(REPO, '302', 'test', {
      TestFlaky: { [G1]: [2, 1] },
      TestStable: { [G1]: [3, 0] },
      TestBranchOnly: { [G1]: [1, 2] },
    }, { branch: 'feature/x', started: ago(5), commit: 'cccc302000' }),
    docFor(REPO, '303', 'test', {
      TestFlaky: { [G1]: [3, 0] },
      TestStable: { [G1]: [3, 0] },
      TestOld: { [G1]: [2, 1] },
    }, { started: ago(12), commit: 'dddd303000' }),
    docFor(REPO, '304', 'test', {
      TestFlaky: { [G1]: [1, 2] },
      TestAncient: { [G1]: [2, 1] },
    }, { started: ago(45), commit: 'eeee304000' }),
  ];
  const results = [];
  for (const d of docs) {
    const r = await upload(base, tok, d);
    if (r.status !== 201) throw new Error(`upload run ${d.meta.run_id} shard ${d.meta.shard}: ${r.status} ${JSON.stringify(r.body)}`);
    results.push(r.body);
  }
  return { docs, results };
}
