// tests/browser/pages.test.mjs: flake-reporter's HTML pages in a real
// browser (Debian's /usr/bin/chromium driven by playwright-core; never a
// downloaded browser).  Starts the real reporter on loopback with a
// temporary database, seeds it through POST /api/v1/uploads (tests/browser/
// seed.mjs), then loads every page and checks: the numbers against the
// JSON API, links repo -> test -> run, sorting and filtering of the table,
// window/branch filters, a hostile test name rendered as text (no dialog,
// no injected <script>), the CSP header and no CSP violation, no console
// error or page error, the pages without JavaScript, 404 pages, the badge
// and /metrics.  Screenshots (light and dark) go to tests/out/browser/.
//
// usage: node tests/browser/pages.test.mjs   (env FLAKE_BIN: the build to
// test, default bin/; FLAKE_CHROMIUM: default /usr/bin/chromium)
// Prints "N passed, N failed"; exits 1 on a failure, 77 when skipped (no
// chromium, or the reporter has no HTML pages: GET / is 404).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as S from './seed.mjs';

const top = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = process.env.FLAKE_BIN || path.join(top, 'bin');
const REPORTER = path.join(BIN, 'flake-reporter');
const CHROMIUM = process.env.FLAKE_CHROMIUM || '/usr/bin/chromium';
const OUT = path.join(top, 'tests/out/browser');
const CSP = "default-src 'none'; style-src 'self'; script-src 'self'; "
  + "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const { EVIL, EVIL2, REPO } = S;
const EVIL_TAG = '<script>alert(1)</script>';

let passed = 0, failed = 0;
function check(cond, what) {
  if (cond) passed++;
  else {
    failed++;
    console.log(`FAIL: ${what}`);
  }
  return cond;
}
let work = null;
function skip(why) {
  if (work) fs.rmSync(work, { recursive: true, force: true });
  console.log(`skipped: ${why}`);
  process.exit(77);
}

if (!fs.existsSync(CHROMIUM)) skip(`no ${CHROMIUM} (apt-get install chromium)`);
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch {
  skip('no playwright-core (run npm ci in the repository root)');
}
if (!fs.existsSync(REPORTER)) {
  console.log(`no ${REPORTER}: run make`);
  process.exit(2);
}

work = fs.mkdtempSync(path.join(os.tmpdir(), 'flake-browser-'));
const DB = path.join(work, 'flake.db');
fs.rmSync(OUT, { recursive: true, force: true });
fs.mkdirSync(OUT, { recursive: true });

// Everything the pages must not do, per page: console errors (a CSP
// violation is one), uncaught exceptions, dialogs (alert(1)), failed
// requests of the page's own resources.
function watch(page, label) {
  const seen = { errors: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const where = m.location()?.url || '';
    // The 404 of a page loaded to check its 404 is no error of the page.
    if (seen.expect404 && where === seen.expect404 && /status of 404/.test(m.text())) return;
    // Chromium asks for /favicon.ico by itself; its 404 is noted, not failed.
    if (/\/favicon\.ico$/.test(where)) { favicon404 = true; return; }
    seen.errors.push(`console: ${m.text()} (${where})`);
  });
  page.on('pageerror', (e) => seen.errors.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => seen.errors.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('dialog', async (d) => { seen.dialogs.push(d.message()); await d.dismiss().catch(() => {}); });
  page.on('response', (r) => {
    if (r.status() >= 400 && r.request().resourceType() !== 'document') seen.errors.push(`HTTP ${r.status()} ${r.url()}`);
  });
  page.flakeSeen = seen;
  page.flakeLabel = label;
  return page;
}
function clean(page, what) {
  const s = page.flakeSeen;
  check(s.errors.length === 0, `${what}: no console/page errors: ${s.errors.join(' | ')}`);
  check(s.dialogs.length === 0, `${what}: no dialog (XSS): ${s.dialogs.join(' | ')}`);
  s.errors.length = 0;
}

// Loads url in page; checks status, Content-Type, CSP; returns the response.
async function load(page, url, what, status = 200) {
  page.flakeSeen.expect404 = status === 404 ? url : null;
  const r = await page.goto(url, { waitUntil: 'load' });
  check(r && r.status() === status, `${what}: status ${r && r.status()}, want ${status}`);
  if (!r) return r;
  const h = r.headers();
  check(h['content-type'] === 'text/html; charset=utf-8', `${what}: Content-Type ${h['content-type']}`);
  check(h['content-security-policy'] === CSP, `${what}: CSP ${h['content-security-policy']}`);
  return r;
}

const shots = [];
let favicon404 = false;
async function shoot(page, name, fullPage = true) {
  const f = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: f, fullPage });
  shots.push(f);
}

// The rows of the page's (first) table body as arrays of cell texts, plus
// each row's links.
async function tableRows(page, sel = 'table#tests') {
  return page.$$eval(`${sel} tbody tr`, (trs) => trs
    .filter((tr) => !tr.hidden && getComputedStyle(tr).display !== 'none')
    .map((tr) => ({
      cells: [...tr.querySelectorAll('td,th')].map((td) => td.textContent.trim()),
      text: tr.textContent,
      links: [...tr.querySelectorAll('a')].map((a) => a.getAttribute('href')),
    })));
}
async function headers(page, sel = 'table#tests') {
  return page.$$eval(`${sel} thead th`, (ths) => ths.map((th) => th.textContent.trim()));
}
const pct = (s) => { const m = /(\d+(?:\.\d+)?)\s*%/.exec(s || ''); return m ? Number(m[1]) : null; };
// The rate as the page should show it: the API's rate_text, or at least its
// leading percentage ("22.2%").
function rateShown(text, t) {
  if (text.includes(t.rate_text)) return true;
  const p = /^(\d+(?:\.\d+)?%)/.exec(t.rate_text);
  return p ? text.includes(p[1]) : false;
}

let server, browser;
const timer = setTimeout(() => { console.log('FAIL: timeout (180 s)'); process.exit(1); }, 180e3);
try {
  const tok = S.tokenCreate(REPORTER, DB, REPO);
  server = await S.startReporter(REPORTER, DB, work);
  const { base } = server;

  const home = await fetch(`${base}/`);
  if (home.status === 404) {
    await S.stopReporter(server.proc);
    server = null;
    skip('the reporter serves no HTML pages (GET / is 404): nothing to test in a browser yet');
  }

  const { results } = await S.seed(base, tok);
  const runOf = Object.fromEntries(results.map((r, i) => [i, r.run_id]));
  check(runOf[0] === runOf[1], `two shards are one run: ${runOf[0]} ${runOf[1]}`);
  const api = async (p) => {
    const r = await S.getJSON(base, p);
    if (r.status !== 200) throw new Error(`GET ${p}: ${r.status}`);
    return r.body;
  };
  const t30 = await api(`/api/v1/repos/${REPO}/tests`);
  const t7 = await api(`/api/v1/repos/${REPO}/tests?window=7d`);
  const t90 = await api(`/api/v1/repos/${REPO}/tests?window=90d`);
  const tBranch = await api(`/api/v1/repos/${REPO}/tests?branch=feature%2Fx`);
  const byName = Object.fromEntries(t30.tests.map((t) => [t.name, t]));
  check(byName[EVIL] && byName.TestFlaky && byName.TestBroken, 'API lists the seeded tests');

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    // playwright makes a fresh, temporary user-data dir per launch; HOME
    // keeps chromium's other files (crash reports, caches) in work too.
    env: { ...process.env, HOME: path.join(work, 'home'), XDG_CONFIG_HOME: path.join(work, 'home/.config'),
      XDG_CACHE_HOME: path.join(work, 'home/.cache') },
  });
  const ctx = await browser.newContext({ colorScheme: 'light', viewport: { width: 1200, height: 800 } });
  ctx.setDefaultTimeout(10e3);
  const page = watch(await ctx.newPage(), 'light');

  // --- / : the repositories. ---
  await load(page, `${base}/`, '/');
  check(await page.locator(`a[href="/${REPO}"]`).count() > 0, '/: links to the repository');
  check((await page.textContent('body')).includes(REPO), '/: names the repository');
  {
    const hrows = await tableRows(page, 'table');
    const row = hrows.find((r) => r.links.includes(`/${REPO}`));
    const flaky7 = t7.tests.filter((t) => t.flaky_runs > 0).length;
    check(row && row.cells[1] === String(flaky7) && row.cells[3] === String(t30.runs),
      `/: ${REPO} shows ${flaky7} flaky tests (7d), ${t30.runs} runs (30d): ${row && row.cells.join(' | ')}`);
    const badges = await page.$$eval('img[src^="/badge/"]', (is) => is.map((i) => i.complete && i.naturalWidth > 0));
    check(badges.length === 1 && badges.every(Boolean), `/: the badge image loads: ${badges}`);
  }
  await shoot(page, 'home-light');
  clean(page, '/');

  // --- /{owner}/{repo}: the flake table (default window 30d). ---
  await page.click(`a[href="/${REPO}"]`);
  await page.waitForURL(`${base}/${REPO}`);
  check(page.url() === `${base}/${REPO}`, `/ -> repo link: ${page.url()}`);
  await load(page, `${base}/${REPO}`, 'repo page');
  let rows = await tableRows(page);
  const hdr = await headers(page);
  const body = await page.textContent('body');
  check(t30.tests.length > 0 && rows.length === t30.tests.length,
    `repo page: ${rows.length} rows, API has ${t30.tests.length} tests (30d): ${rows.map((r) => r.cells[0]).join(', ')}`);
  for (const t of t30.tests) {
    const row = rows.find((r) => r.links.includes(`/${REPO}/tests/${t.id}`));
    if (!check(row, `repo page: a row links to /${REPO}/tests/${t.id} (${t.name})`)) continue;
    check(row.text.includes(t.name), `repo page: row of ${t.name} names it: ${row.text}`);
    check(rateShown(row.text, t), `repo page: ${t.name} shows rate ${t.rate_text}: ${row.cells.join(' | ')}`);
    check(row.text.includes(`${t.failures}/${t.executions}`) && row.text.includes(`${t.flaky_runs}/${t.runs}`),
      `repo page: ${t.name} shows ${t.failures}/${t.executions}: ${row.cells.join(' | ')}`);
  }
  check(body.includes(String(t30.runs)), `repo page: shows the run count ${t30.runs}`);
  // XSS: the hostile name is text, never markup.
  check(body.includes(EVIL), 'repo page: the hostile name is shown as text');
  const evilScripts = await page.$$eval('script', (ss, tag) => ss.filter((s) => s.textContent.includes('alert(1)')
    || s.outerHTML.includes('alert(1)')).length, EVIL_TAG);
  check(evilScripts === 0, 'repo page: no injected <script> element');
  check(body.includes(EVIL2), 'repo page: </details>, fences, @mention, #123, a link and <img> shown as text');
  check(await page.locator('img[onerror], a[href^="http://evil.example"], details').count() === 0,
    'repo page: no injected <img>, link or <details> element');
  const scriptsSrc = await page.$$eval('script', (ss) => ss.map((s) => s.getAttribute('src')));
  check(scriptsSrc.every((s) => s && s.startsWith('/static/')), `repo page: only external scripts from /static: ${scriptsSrc}`);
  await shoot(page, 'repo-light');
  clean(page, 'repo page');

  // Sorting: click each sortable header twice; the column must come out in
  // order (ascending or descending), the two orders reverse each other.
  const sortable = await page.$$eval('table#tests thead th', (ths) => ths.map((th, i) => ({
    i, text: th.textContent.trim(),
    sortable: !!(th.querySelector('button,a') || th.hasAttribute('aria-sort') || th.dataset.sort !== undefined
      || th.classList.contains('sortable')),
  })));
  const nameCol = sortable.findIndex((h) => /test|name/i.test(h.text));
  const rateCol = sortable.findIndex((h) => /rate|flak/i.test(h.text));
  check(nameCol >= 0 && rateCol >= 0, `repo page: headers name the test and rate columns: ${hdr.join(' | ')}`);
  check(sortable.some((h) => h.sortable), `repo page: sortable headers: ${JSON.stringify(sortable)}`);
  async function clickSort(col) {
    const th = page.locator('table#tests thead th').nth(col);
    const btn = th.locator('button, a');
    if (await btn.count()) await btn.first().click();
    else await th.click();
    await page.waitForLoadState('load');
  }
  // A column's sort keys: data-v (numbers) where the cell has one, else text.
  async function column(col) {
    return page.$$eval('table#tests tbody tr', (trs, c) => trs.map((tr) => {
      const td = tr.cells[c];
      const v = td && td.getAttribute('data-v');
      return v !== null && v !== undefined ? Number(v) : (td ? td.textContent.trim() : '');
    }), col);
  }
  const cmpName = (a, b) => a.localeCompare(b, 'en');
  const isSorted = (xs, cmp) => xs.every((x, i) => i === 0 || cmp(xs[i - 1], x) <= 0);
  if (nameCol >= 0) {
    await clickSort(nameCol);
    const a = await column(nameCol);
    await clickSort(nameCol);
    const b = await column(nameCol);
    const asc = (xs) => isSorted(xs, cmpName), desc = (xs) => isSorted([...xs].reverse(), cmpName);
    check((asc(a) && desc(b)) || (desc(a) && asc(b)), `repo page: sort by name, both ways: ${a.join(',')} / ${b.join(',')}`);
    check(a.length === t30.tests.length && JSON.stringify([...a].reverse()) === JSON.stringify(b),
      'repo page: the two name orders reverse each other');
    const aria = await page.locator('table#tests thead th').nth(nameCol).getAttribute('aria-sort');
    check(aria === 'ascending' || aria === 'descending', `repo page: aria-sort on the sorted header: ${aria}`);
    await shoot(page, 'repo-sorted-light');
  }
  if (rateCol >= 0) {
    await clickSort(rateCol);
    const a = await column(rateCol);
    await clickSort(rateCol);
    const b = await column(rateCol);
    check(a.every((x) => typeof x === 'number') && a.length === t30.tests.length, `repo page: rate keys ${a}`);
    // Each row's sort key is its test's rate in the API.
    const keyed = (await tableRows(page)).map((r, i) => [t30.tests.find((t) => r.links.includes(`/${REPO}/tests/${t.id}`)), b[i]]);
    check(keyed.every(([t, v]) => t && Math.abs(t.rate - v) < 1e-6),
      `repo page: each row's rate sort key is the API's rate: ${keyed.map(([t, v]) => `${t && t.name}=${t && t.rate}/${v}`)}`);
    const num = (x, y) => x - y;
    const ok = (isSorted(a, num) && isSorted([...b].reverse(), num)) || (isSorted([...a].reverse(), num) && isSorted(b, num));
    check(ok, `repo page: sort by rate, both ways: ${a.join(',')} / ${b.join(',')}`);
  }
  clean(page, 'repo page sorting');

  // Filtering: the live filter box (#filter, shown by app.js) hides rows as
  // one types, then the GET form's search box (input name=q), submitted.
  const live = page.locator('#filter input');
  if (check(await live.isVisible(), 'repo page: app.js shows the live filter box')) {
    await live.pressSequentially('flaky', { delay: 20 });
    rows = await tableRows(page);
    check(rows.length === 1 && rows[0].text.includes('TestFlaky'),
      `repo page: typing "flaky" in the filter box leaves TestFlaky: ${rows.map((r) => r.cells[0]).join(', ')}`);
    await shoot(page, 'repo-filtered-light');
    await live.fill('');
    rows = await tableRows(page);
    check(rows.length === t30.tests.length, `repo page: clearing the filter box shows all rows again (${rows.length})`);
  }
  const search = page.locator('form input[name="q"]');
  if (check(await search.count() === 1, 'repo page: a search box (input name=q)')) {
    await search.fill('Flaky');
    await Promise.all([page.waitForURL(/[?&]q=Flaky/), search.press('Enter')]);
    rows = await tableRows(page);
    check(rows.length === 1 && rows[0].text.includes('TestFlaky'),
      `repo page: submitting q=Flaky keeps only TestFlaky: ${rows.map((r) => r.cells[0]).join(', ')} (${page.url()})`);
  }
  // ?q= submitted by URL, with the hostile tag as the query.
  await load(page, `${base}/${REPO}?q=${encodeURIComponent('<script')}`, 'repo page ?q=<script');
  rows = await tableRows(page);
  check(rows.length === 1 && rows[0].text.includes(EVIL), `?q=<script: only the hostile test: ${rows.map((r) => r.text).join(' / ')}`);
  check(await page.locator('form input[name="q"]').inputValue().catch(() => null) === '<script',
    '?q=<script: the search box shows the query');
  clean(page, 'repo page ?q=');
  // ?window= and ?branch=
  for (const [q, want] of [['window=7d', t7], ['window=90d', t90], ['branch=feature%2Fx', tBranch]]) {
    await load(page, `${base}/${REPO}?${q}`, `repo page ?${q}`);
    rows = await tableRows(page);
    const names = want.tests.map((t) => t.name).sort();
    const shown = want.tests.filter((t) => rows.some((r) => r.links.includes(`/${REPO}/tests/${t.id}`)));
    check(rows.length === names.length && shown.length === names.length,
      `repo page ?${q}: rows ${rows.map((r) => r.cells[nameCol]).join(', ')}; API: ${names.join(', ')}`);
    for (const t of want.tests) {
      const row = rows.find((r) => r.links.includes(`/${REPO}/tests/${t.id}`));
      if (row) check(rateShown(row.text, t), `repo page ?${q}: ${t.name} rate ${t.rate_text}: ${row.text}`);
    }
  }
  check(!t7.tests.some((t) => t.name === 'TestOld') && t90.tests.some((t) => t.name === 'TestAncient'),
    'seed: TestOld only in 30d, TestAncient only in 90d');
  clean(page, 'repo page filters');

  // --- /{owner}/{repo}/tests/{id}: follow the link from the repo page. ---
  const flaky = byName.TestFlaky;
  const flakyDetail = await api(`/api/v1/repos/${REPO}/tests/${flaky.id}`);
  await load(page, `${base}/${REPO}`, 'repo page');
  await page.click(`a[href="/${REPO}/tests/${flaky.id}"]`);
  await page.waitForURL(`${base}/${REPO}/tests/${flaky.id}`);
  check(page.url() === `${base}/${REPO}/tests/${flaky.id}`, `repo -> test link: ${page.url()}`);
  await load(page, page.url(), 'test page');
  let text = await page.textContent('body');
  check(text.includes('TestFlaky'), 'test page: names the test');
  check(text.includes(flaky.rate_text) || rateShown(text, flaky), `test page: rate ${flaky.rate_text}`);
  check(text.includes(`${flaky.failures}`) && text.includes(`${flaky.executions}`),
    `test page: ${flaky.failures}/${flaky.executions} executions`);
  const svg = page.locator('svg.chart');
  check(await svg.count() >= 1, 'test page: a labelled SVG chart');
  if (await svg.count()) {
    const box = await svg.first().boundingBox();
    check(box && box.width > 100 && box.height > 30, `test page: the chart is drawn (${JSON.stringify(box)})`);
    const dots = await svg.first().locator('circle').count();
    const days = flakyDetail.daily.filter((d) => d.executions).length;
    check(dots === days, `test page: the chart has a dot per day with executions: ${dots}, want ${days}`);
    check(await svg.first().locator('polyline').count() === 1, 'test page: the chart has its line');
  }
  // The race x GOMAXPROCS grid: every cell of the API with its numbers.
  const grid = await page.$$eval('table.grid', (ts) => ts.map((t) => ({
    cols: [...t.querySelectorAll('thead th')].map((th) => th.textContent.trim()),
    rows: [...t.querySelectorAll('tbody tr')].map((tr) => ({ head: tr.querySelector('th').textContent.trim(),
      tds: [...tr.querySelectorAll('td')].map((td) => td.textContent.trim()) })),
  })));
  if (check(grid.length === 1, 'test page: one race × GOMAXPROCS grid')) {
    const g = grid[0];
    check(JSON.stringify(g.cols) === JSON.stringify(['GOMAXPROCS=1', 'GOMAXPROCS=4']), `grid columns: ${g.cols}`);
    check(JSON.stringify(g.rows.map((r) => r.head)) === JSON.stringify(['no -race', '-race']), `grid rows: ${g.rows.map((r) => r.head)}`);
    for (const c of flakyDetail.cells) {
      const race = /race/.test(c.cell), gmp = (/GOMAXPROCS=(\d+)/.exec(c.cell) || [])[1];
      const td = g.rows[race ? 1 : 0]?.tds[g.cols.indexOf(`GOMAXPROCS=${gmp}`)];
      const want = Math.round(c.failures / c.executions * 1000) / 10;
      check(td && td.includes(`(${c.failures}/${c.executions})`) && pct(td) === want,
        `test page: grid ${c.cell} shows ${want} (${c.failures}/${c.executions}): ${td}`);
    }
  }
  check(text.includes('p/a_test.go') && text.includes('want 1, got 2'), 'test page: the failure signature');
  await shoot(page, 'test-light');
  clean(page, 'test page');

  // --- /{owner}/{repo}/runs/{id}: follow a run link from the test page. ---
  const shardRun = runOf[0];
  const runLink = page.locator(`a[href="/${REPO}/runs/${shardRun}"]`);
  if (check(await runLink.count() > 0, `test page: links to run ${shardRun}`)) {
    await runLink.first().click();
    await page.waitForURL(`${base}/${REPO}/runs/${shardRun}`);
  }
  await load(page, `${base}/${REPO}/runs/${shardRun}`, 'run page');
  const run = await api(`/api/v1/runs/${shardRun}`);
  text = await page.textContent('body');
  check(text.includes('aaaa300') && text.includes('1/2') && text.includes('2/2'), 'run page: commit and both shards');
  // Like the PR comment: failed and flaky tests; ?all=1 lists every test.
  for (const t of run.tests) {
    if (t.status === 'failed' || t.status === 'flaky')
      check(text.includes(t.name), `run page: lists ${t.name}`);
  }
  if (run.tests.some((t) => t.status !== 'failed' && t.status !== 'flaky')) {
    check(text.includes('Show every test'), 'run page: link to every test');
    const full = watch(await ctx.newPage(), "all");
    await load(full, `${base}/${REPO}/runs/${shardRun}?all=1`, 'run page ?all=1');
    const ftext = await full.textContent('body');
    for (const t of run.tests) check(ftext.includes(t.name), `run page ?all=1: lists ${t.name}`);
    await full.close();
  }
  check(await page.locator('a[href="https://github.com/acme/api/pull/42"]').count() > 0, 'run page: PR link');
  check(text.includes(EVIL), 'run page: hostile name as text');
  check(await page.$$eval('script', (ss) => ss.filter((s) => s.textContent.includes('alert(1)')).length) === 0,
    'run page: no injected <script>');
  await shoot(page, 'run-light');
  clean(page, 'run page');

  // --- The hostile test's own page. ---
  const evil = byName[EVIL];
  await load(page, `${base}/${REPO}/tests/${evil.id}`, 'hostile test page');
  text = await page.textContent('body');
  check(text.includes(EVIL), 'hostile test page: the name is text');
  check(await page.$$eval('script', (ss) => ss.filter((s) => s.textContent.includes('alert(1)')).length) === 0,
    'hostile test page: no injected <script>');
  check((await page.title()).includes(EVIL_TAG) || !(await page.title()).includes('<'),
    `hostile test page: title ${await page.title()}`);
  await shoot(page, 'test-evil-light');
  clean(page, 'hostile test page');

  // --- Failed test's page. ---
  const broken = byName.TestBroken;
  await load(page, `${base}/${REPO}/tests/${broken.id}`, 'failed test page');
  check((await page.textContent('body')).includes('TestBroken'), 'failed test page: names it');
  clean(page, 'failed test page');

  // --- 404 pages. ---
  for (const p of ['/nobody/nothing', `/${REPO}/tests/999999`, `/${REPO}/runs/999999`]) {
    await load(page, `${base}${p}`, p, 404);
  }
  await shoot(page, 'notfound-light');
  clean(page, '404 pages');

  // --- Badge and /metrics (outside the page CSP rules). ---
  const badgeResp = await page.goto(`${base}/badge/${REPO}.svg`);
  check(badgeResp.status() === 200 && badgeResp.headers()['content-type'] === 'image/svg+xml',
    `badge: ${badgeResp.status()} ${badgeResp.headers()['content-type']}`);
  check((await badgeResp.text()).includes('flaky tests'), 'badge: says flaky tests');
  await shoot(page, 'badge', false);
  const met = await fetch(`${base}/metrics`);
  const metText = await met.text();
  check(met.status === 200 && metText.includes(`flake_uploads_total ${results.length}`),
    `/metrics: flake_uploads_total ${results.length}`);

  // --- Dark mode: every page again. ---
  const dark = await browser.newContext({ colorScheme: 'dark', viewport: { width: 1200, height: 800 } });
  const dp = watch(await dark.newPage(), 'dark');
  const pagesToShoot = [['home', '/'], ['repo', `/${REPO}`], ['test', `/${REPO}/tests/${flaky.id}`],
    ['test-evil', `/${REPO}/tests/${evil.id}`], ['run', `/${REPO}/runs/${shardRun}`], ['notfound', '/nobody/nothing']];
  const bg = {};
  for (const [name, p] of pagesToShoot) {
    await load(dp, `${base}${p}`, `${p} (dark)`, name === 'notfound' ? 404 : 200);
    await shoot(dp, `${name}-dark`);
    bg[name] = await dp.evaluate(() => getComputedStyle(document.body).backgroundColor);
  }
  await load(page, `${base}/${REPO}`, 'repo page');
  const lightBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  check(bg.repo !== lightBg, `dark mode changes the background: light ${lightBg}, dark ${bg.repo}`);
  clean(dp, 'dark pages');

  // --- No JavaScript: the table is server-rendered; ?q= filters. ---
  const nojs = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1200, height: 800 } });
  const np = watch(await nojs.newPage(), 'nojs');
  await load(np, `${base}/${REPO}`, 'repo page without JS');
  rows = await tableRows(np);
  check(rows.length === t30.tests.length, `without JS: ${rows.length} rows, want ${t30.tests.length}`);
  for (const t of t30.tests) {
    const row = rows.find((r) => r.links.includes(`/${REPO}/tests/${t.id}`));
    check(row && rateShown(row.text, t), `without JS: ${t.name} rate ${t.rate_text}`);
  }
  await shoot(np, 'repo-nojs');
  const ns = np.locator('input[name="q"]');
  if (await ns.count()) {
    // TestStable never failed: only with "Include passing" (all=1).
    await np.check('form input[name="all"]');
    await ns.fill('Stable');
    await Promise.all([np.waitForURL(/[?&]q=Stable/), ns.press('Enter')]);
    rows = await tableRows(np);
    check(/[?&]all=1/.test(np.url()) && rows.length === 1 && rows[0].text.includes('TestStable'),
      `without JS: the search form (all=1, q=Stable) filters: ${np.url()} ${rows.map((r) => r.text)}`);
    await np.selectOption('form select[name="window"]', '7d');
    await np.fill('form input[name="q"]', '');
    await np.uncheck('form input[name="all"]');
    await Promise.all([np.waitForURL(/[?&]window=7d/), np.click('form button[type="submit"]')]);
    rows = await tableRows(np);
    check(rows.length === t7.tests.length, `without JS: the window select (7d): ${rows.length} rows, want ${t7.tests.length}`);
  }
  await load(np, `${base}/${REPO}/tests/${flaky.id}`, 'test page without JS');
  check(await np.locator('svg.chart').count() >= 1, 'without JS: the chart is there');
  await shoot(np, 'test-nojs');
  clean(np, 'pages without JS');

  await browser.close();
  browser = null;
  check(await S.stopReporter(server.proc) === 0, 'reporter: clean shutdown');
  server = null;
} catch (e) {
  check(false, `exception: ${e.stack || e}`);
} finally {
  clearTimeout(timer);
  if (browser) await browser.close().catch(() => {});
  if (server) await S.stopReporter(server.proc).catch(() => {});
  if (failed) {
    const log = path.join(work, 'server.log');
    if (fs.existsSync(log)) fs.copyFileSync(log, path.join(OUT, 'server.log'));
  }
  fs.rmSync(work, { recursive: true, force: true });
}
if (favicon404) console.log('note: GET /favicon.ico is 404 (chromium logs a console error on first load)');
console.log(`screenshots: ${shots.map((f) => path.relative(top, f)).join(' ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
