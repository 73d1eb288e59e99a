/*
 * page_test.c: GET /{owner}/{repo}/tests/{id} -- one test over a window
 * (store_q_test()): the daily flake rate as an inline SVG chart with a
 * 95% Wilson band per day, daily failures as a sparkline, a race x
 * GOMAXPROCS grid from the per-cell breakdown (cell names that are not
 * "[race] [GOMAXPROCS=N]" are listed apart), the failure signatures with
 * their latest output, and the recent runs linked to their run pages and
 * to GitHub.
 *
 * Invariant: all text from the store is written with html_text(); the
 * SVG is built from numbers and escaped text only.
 */
#include "html.h"
#include "core/stats.h"
#include "core/store_query.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHART_W 720
#define CHART_H 220
#define CHART_L 44
#define CHART_R 12
#define CHART_T 12
#define CHART_B 30
#define MAX_PROCS 16

static double chart_x(size_t i, size_t n)
{
	double pw = CHART_W - CHART_L - CHART_R;

	if (n <= 1)
		return CHART_L + pw / 2;
	return CHART_L + pw * (double)i / (double)(n - 1);
}

static double chart_y(double v)
{
	return CHART_T + (CHART_H - CHART_T - CHART_B) * (1 - v);
}

static void rate_chart(struct html *h, const char *name,
		       const struct q_day *daily, size_t n, int days)
{
	size_t i, measured = 0;
	double bw = (CHART_W - CHART_L - CHART_R) / (double)(n ? n : 1) * 0.6;
	int first = 1;

	if (bw < 2)
		bw = 2;
	html_rawf(h, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
		  "aria-label=\"Daily flake "
		  "rate of ", CHART_W, CHART_H);
	html_text(h, name);
	html_rawf(h, " over %d days, with 95%% confidence band\">"
		  "<title id=\"chart-title\">Daily flake rate of ", days);
	html_text(h, name);
	html_rawf(h, " over %d days, with 95%% confidence band</title>\n", days);
	for (i = 0; i <= 4; i++) {
		double v = (double)i / 4, y = chart_y(v);

		html_rawf(h, "<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" "
			  "y2=\"%.1f\"/><text x=\"%d\" y=\"%.1f\" "
			  "text-anchor=\"end\">%d%%</text>\n", CHART_L,
			  CHART_W - CHART_R, y, y, CHART_L - 4, y + 4,
			  (int)(i * 25));
	}
	for (i = 0; i < n; i++) {
		const struct q_day *d = &daily[i];
		long k = (long)d->failures, e = (long)d->executions;
		double lo, hi, x = chart_x(i, n);

		if (e <= 0 || stats_wilson(k, e, STATS_Z95, &lo, &hi))
			continue;
		measured++;
		html_rawf(h, "<rect class=\"band\" x=\"%.1f\" y=\"%.1f\" "
			  "width=\"%.1f\" height=\"%.1f\"/>", x - bw / 2,
			  chart_y(hi), bw, chart_y(lo) - chart_y(hi));
	}
	html_raw(h, "\n<polyline class=\"line\" points=\"");
	for (i = 0; i < n; i++) {
		const struct q_day *d = &daily[i];
		long k = (long)d->failures, e = (long)d->executions;

		if (e <= 0)
			continue;
		html_rawf(h, "%s%.1f,%.1f", first ? "" : " ", chart_x(i, n),
			  chart_y((double)k / (double)e));
		first = 0;
	}
	html_raw(h, "\"/>\n");
	for (i = 0; i < n; i++) {
		const struct q_day *d = &daily[i];
		long k = (long)d->failures, e = (long)d->executions;
		char rate[STATS_RATE_MAX];

		if (e <= 0)
			continue;
		if (stats_format_rate(rate, sizeof(rate), k, e))
			rate[0] = '\0';
		html_rawf(h, "<circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" "
			  "r=\"3\"><title>", chart_x(i, n),
			  chart_y((double)k / (double)e));
		html_text(h, d->day);
		html_rawf(h, ": %ld/%ld failed, ", k, e);
		html_text(h, rate);
		html_raw(h, "</title></circle>\n");
	}
	if (n) {
		html_rawf(h, "<text x=\"%d\" y=\"%d\">", CHART_L, CHART_H - 8);
		html_text(h, daily[0].day);
		html_rawf(h, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
			  CHART_W - CHART_R, CHART_H - 8);
		html_text(h, daily[n - 1].day);
		html_raw(h, "</text>\n");
	}
	html_raw(h, "</svg>\n");
	if (!measured)
		html_raw(h, "<p class=\"muted\">No execution in this window.</p>\n");
}

static void failure_sparkline(struct html *h, const struct q_day *daily,
			      size_t n)
{
	size_t i;
	long long max = 0;
	unsigned w = 3;

	for (i = 0; i < n; i++)
		if (daily[i].failures > max)
			max = daily[i].failures;
	html_rawf(h, "<p>Daily failures <svg class=\"spark\" viewBox=\"0 0 %zu 24\" "
		  "width=\"%zu\" height=\"24\" role=\"img\" aria-label=\"daily "
		  "failures, at most %lld a day\"><title>daily failures, at most "
		  "%lld a day</title><line class=\"base\" x1=\"0\" x2=\"%zu\" "
		  "y1=\"23.5\" y2=\"23.5\"/>", n * w, n * w, max, max, n * w);
	for (i = 0; i < n; i++) {
		long long f = daily[i].failures;
		double bh = max ? 22.0 * (double)f / (double)max : 0;

		if (f > 0)
			html_rawf(h, "<rect class=\"b\" x=\"%zu\" y=\"%.1f\" "
				  "width=\"%u\" height=\"%.1f\"/>", i * w,
				  23 - bh, w - 1, bh);
	}
	html_raw(h, "</svg></p>\n");
}

/* A grid cell: summed executions and failures of the names mapped to it. */
struct grid_cell {
	long long n, k;
	int used;
};


static const char *rate_class(long long k, long long n)
{
	double r;

	if (n <= 0)
		return "none";
	r = (double)k / (double)n;
	return r <= 0 ? "r0" : r < 0.01 ? "r1" : r < 0.05 ? "r2" :
	       r < 0.2 ? "r3" : "r4";
}

static void grid_td(struct html *h, long long k, long long n)
{
	html_rawf(h, "<td class=\"num %s\">", rate_class(k, n));
	if (n <= 0) {
		html_raw(h, "\xE2\x80\x93</td>");
		return;
	}
	html_pct(h, (double)k / (double)n);
	html_rawf(h, " <span class=\"muted\">(%lld/%lld)</span></td>", k, n);
}

static void cell_grid(struct html *h, const struct q_cell_rate *cells,
		      size_t ncells)
{
	int procs[MAX_PROCS], np = 0, race, pr, r, i, j;
	struct grid_cell grid[2][MAX_PROCS];
	const struct q_cell_rate *c;
	size_t x;
	int others = 0;

	memset(grid, 0, sizeof(grid));
	if (!ncells) {
		html_raw(h, "<p class=\"muted\">No executions by cell in this "
			 "window.</p>\n");
		return;
	}
	/* Columns: distinct GOMAXPROCS values, ascending (0: not set). */
	for (x = 0, c = cells; x < ncells; x++, c = &cells[x]) {
		if (store_cell_parse(c->cell, &race, &pr))
			continue;
		for (i = 0; i < np && procs[i] != pr; i++)
			;
		if (i == np && np < MAX_PROCS)
			procs[np++] = pr;
	}
	for (i = 1; i < np; i++)
		for (j = i; j > 0 && procs[j - 1] > procs[j]; j--) {
			int t = procs[j];

			procs[j] = procs[j - 1];
			procs[j - 1] = t;
		}
	for (x = 0, c = cells; x < ncells; x++, c = &cells[x]) {
		if (store_cell_parse(c->cell, &race, &pr)) {
			others++;
			continue;
		}
		for (i = 0; i < np && procs[i] != pr; i++)
			;
		if (i == np) {
			others++;
			continue;
		}
		grid[race][i].n += c->executions;
		grid[race][i].k += c->failures;
		grid[race][i].used = 1;
	}
	if (np) {
		html_raw(h, "<table class=\"grid\">\n<caption class=\"muted\">"
			 "Failure rate by race detector and GOMAXPROCS "
			 "(failures/executions)</caption>\n<thead><tr>"
			 "<td></td>");
		for (i = 0; i < np; i++) {
			if (procs[i])
				html_rawf(h, "<th scope=\"col\">GOMAXPROCS=%d</th>",
					  procs[i]);
			else
				html_raw(h, "<th scope=\"col\">GOMAXPROCS unset</th>");
		}
		html_raw(h, "</tr></thead>\n<tbody>\n");
		for (r = 0; r < 2; r++) {
			html_rawf(h, "<tr><th scope=\"row\">%s</th>",
				  r ? "-race" : "no -race");
			for (i = 0; i < np; i++)
				grid_td(h, grid[r][i].k,
					grid[r][i].used ? grid[r][i].n : 0);
			html_raw(h, "</tr>\n");
		}
		html_raw(h, "</tbody>\n</table>\n");
	}
	if (!others)
		return;
	html_raw(h, "<table>\n<caption class=\"muted\">Other cells</caption>\n"
		 "<thead><tr><th scope=\"col\">Cell</th><th scope=\"col\" "
		 "class=\"num\">Failure rate</th></tr></thead>\n<tbody>\n");
	for (x = 0, c = cells; x < ncells; x++, c = &cells[x]) {
		int k;

		if (!store_cell_parse(c->cell, &race, &pr)) {
			for (k = 0; k < np && procs[k] != pr; k++)
				;
			if (k < np)
				continue;
		}
		html_raw(h, "<tr><th scope=\"row\"><code>");
		html_text(h, c->cell);
		html_raw(h, "</code></th>");
		grid_td(h, c->failures, c->executions);
		html_raw(h, "</tr>\n");
	}
	html_raw(h, "</tbody>\n</table>\n");
}

/* The condition the failures depend on, if the history supports one
 * (store_q_test_read()'s, docs/STATISTICS.md). */
static void conditions(struct html *h, const struct q_test *t)
{
	if (!t->rates.condition[0])
		return;
	html_raw(h, "<p class=\"conditions\">Conditions: ");
	html_text(h, t->rates.condition);
	html_raw(h, " <span class=\"muted\">(Fisher's exact test over the "
		 "window's executions)</span></p>\n");
}

static void signatures(struct html *h, const struct q_signature *sigs,
		       size_t n)
{
	size_t i;

	if (!n) {
		html_raw(h, "<p class=\"muted\">No failure in this window.</p>\n");
		return;
	}
	for (i = 0; i < n; i++) {
		const struct q_signature *g = &sigs[i];
		const char *file = g->file, *out = g->output;

		html_raw(h, "<section class=\"sig\">\n<h3><code>");
		html_text(h, g->signature);
		html_raw(h, "</code></h3>\n<p>");
		html_text(h, g->kind);
		html_rawf(h, ", %lld time%s", g->count, g->count == 1 ? "" : "s");
		if (file && *file) {
			html_raw(h, ", at <code>");
			html_text(h, file);
			if (g->line > 0)
				html_rawf(h, ":%lld", g->line);
			html_raw(h, "</code>");
		}
		html_raw(h, "</p>\n");
		if (g->sample && *g->sample) {
			html_raw(h, "<p>Latest message: <q>");
			html_text(h, g->sample);
			html_raw(h, "</q></p>\n");
		}
		if (out && *out) {
			html_raw(h, "<pre>");
			html_text(h, out);
			html_raw(h, "</pre>\n");
		}
		html_raw(h, "</section>\n");
	}
}

static void recent_runs(struct html *h, const char *repo,
			const struct q_recent_run *runs, size_t n)
{
	size_t i;

	if (!n) {
		html_raw(h, "<p class=\"muted\">No run.</p>\n");
		return;
	}
	html_raw(h, "<table class=\"sortable\">\n<thead><tr>"
		 "<th scope=\"col\">Run</th><th scope=\"col\">Started</th>"
		 "<th scope=\"col\">Branch</th><th scope=\"col\">Commit</th>"
		 "<th scope=\"col\">PR</th><th scope=\"col\">Status</th>"
		 "</tr></thead>\n<tbody>\n");
	for (i = 0; i < n; i++) {
		const struct q_recent_run *r = &runs[i];

		html_rawf(h, "<tr><td data-v=\"%lld\"><a href=\"/", r->run_id);
		html_text(h, repo);
		html_rawf(h, "/runs/%lld\">#%lld</a></td><td>", r->run_id,
			  r->run_id);
		html_time(h, r->at);
		html_raw(h, "</td><td>");
		html_text(h, r->branch);
		html_raw(h, "</td><td>");
		html_commit(h, repo, r->commit);
		html_raw(h, "</td><td>");
		html_pr(h, repo, r->pr);
		html_raw(h, "</td><td>");
		html_status(h, r->status);
		if (r->infra)
			html_raw(h, " <span class=\"muted\">(infra)</span>");
		html_raw(h, "</td></tr>\n");
	}
	html_raw(h, "</tbody>\n</table>\n");
}

static void flaky_seen(struct html *h, const char *repo, const char *label,
		       const char *at, const char *commit)
{
	html_rawf(h, "<dt>%s</dt><dd>", label);
	if (!at) {
		html_raw(h, "never</dd>");
		return;
	}
	html_time(h, at);
	html_raw(h, " at ");
	html_commit(h, repo, commit);
	html_raw(h, "</dd>");
}

void page_test(const struct request *q, struct reply *p)
{
	char repo[512];
	struct err err = ERR_INIT;
	struct store *s;
	struct html h;
	struct q_test t;
	char rt[STATS_RATE_MAX];
	const char *w = req_query(q, "window"), *branch = req_query(q, "branch");
	const char *name;
	long long id;
	int days = 30;

	if (html_repo_param(q, repo, sizeof(repo)) ||
	    html_id_param(q->params[2], &id)) {
		html_error_page(p, 404, "no such test");
		return;
	}
	if (w && !strcmp(w, "7d"))
		days = 7;
	else if (w && !strcmp(w, "90d"))
		days = 90;
	if (branch && !*branch)
		branch = NULL;
	if (!(s = html_store(q, p)))
		return;
	if (store_q_test_read(s, repo, id, branch, days, (long long)time(NULL),
			      &t, &err)) {
		html_query_failed(p, &err);
		return;
	}
	name = t.row.name;
	store_q_rate_text(&t.row, rt, sizeof(rt));
	html_init(&h, p);
	html_head(&h, name, repo);
	html_raw(&h, "<h1>");
	html_text(&h, name);
	html_raw(&h, "</h1>\n<dl class=\"meta\"><dt>Package</dt><dd><code>");
	html_text(&h, t.row.package);
	html_raw(&h, "</code></dd><dt>Flake rate</dt><dd>");
	html_rate_bar(&h, t.row.rate, t.row.lo, t.row.hi);
	html_raw(&h, " ");
	html_text(&h, rt);
	if (t.rates.has_cluster && t.rates.cluster_runs > 1) {
		char a[16], b[16];

		if (!stats_format_pct(a, sizeof(a), t.rates.clo) &&
		    !stats_format_pct(b, sizeof(b), t.rates.chi))
			html_rawf(&h, " <span class=\"muted\">(95%% CI clustered by "
				  "run: %s–%s%%, %lld uploads)</span>", a, b,
				  t.rates.cluster_runs);
	}
	html_rawf(&h, "</dd><dt>Failures</dt><dd>%ld of %ld executions</dd>"
		  "<dt>Runs</dt><dd>%ld flaky, %ld failed (every execution), of "
		  "%ld</dd>", t.row.failures, t.row.executions, t.row.flaky_runs,
		  t.row.failed_runs, t.row.runs);
	{
		char dt[STATS_RATE_MAX];

		if (!stats_format_rate(dt, sizeof(dt), (long)t.rates.runs_failing,
				       (long)t.rates.runs)) {
			html_rawf(&h, "<dt>Disruption</dt><dd>failed in %lld of %lld "
				  "CI runs: ", t.rates.runs_failing, t.rates.runs);
			html_text(&h, dt);
			html_raw(&h, "</dd>");
		}
	}
	flaky_seen(&h, repo, "First flaky", t.row.first_flaky_at,
		   t.row.first_flaky_commit);
	flaky_seen(&h, repo, "Last flaky", t.row.last_flaky_at,
		   t.row.last_flaky_commit);
	html_raw(&h, "</dl>\n<form class=\"filters\" method=\"get\">"
		 "<label>Window <select name=\"window\">");
	html_rawf(&h, "<option value=\"7d\"%s>7 days</option><option value=\"30d\"%s>"
		  "30 days</option><option value=\"90d\"%s>90 days</option>",
		  days == 7 ? " selected" : "", days == 30 ? " selected" : "",
		  days == 90 ? " selected" : "");
	html_raw(&h, "</select></label><label>Branch <input type=\"text\" "
		 "name=\"branch\" placeholder=\"all branches\" value=\"");
	html_text(&h, branch);
	html_raw(&h, "\"></label><button type=\"submit\">Apply</button></form>\n"
		 "<h2>Daily flake rate</h2>\n");
	rate_chart(&h, name, t.daily, t.ndaily, days);
	failure_sparkline(&h, t.daily, t.ndaily);
	html_raw(&h, "<h2>By cell</h2>\n");
	cell_grid(&h, t.cells, t.ncells);
	conditions(&h, &t);
	html_raw(&h, "<h2>Failure signatures</h2>\n");
	signatures(&h, t.signatures, t.nsignatures);
	html_raw(&h, "<h2>Recent runs</h2>\n");
	recent_runs(&h, repo, t.recent, t.nrecent);
	html_foot(&h);
	store_q_test_release(&t);
	html_send(&h, 200);
}
