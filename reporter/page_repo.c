/*
 * page_repo.c: GET /{owner}/{repo} -- the repository's tests ranked by
 * flake rate (store_q_flakes()), with GET-form filters that work without
 * JavaScript: window (7d/30d/90d), branch, q (a case-insensitive
 * substring of package or name, filtered here), all (also tests that
 * never failed).  Each row: the rate as a bar with its 95% interval,
 * flaky/failed runs, first and last flaky, a link to the test page.
 * The daily series is drawn on the test page only: the table's query
 * carries no per-test series.  Below the table: the 10 latest runs.
 */
#include "html.h"
#include "core/store_query.h"
#include "core/store_quarantine.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

/* 1 when needle (lowercase ASCII compare) is in hay; an empty needle is. */
static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle), i, k;

	if (!hay)
		return 0;
	for (i = 0; hay[i]; i++) {
		for (k = 0; k < n && hay[i + k]; k++)
			if (tolower((unsigned char)hay[i + k]) !=
			    tolower((unsigned char)needle[k]))
				break;
		if (k == n)
			return 1;
	}
	return n == 0;
}

/* Row i of the table f. */
static void test_row(struct html *h, const struct q_flakes *f, size_t i)
{
	const struct flake_row *t = &f->rows[i];
	char rt[STATS_RATE_MAX];

	store_q_rate_text(t, rt, sizeof(rt));
	html_raw(h, "<tr data-name=\"");
	html_text(h, t->package);
	html_raw(h, " ");
	html_text(h, t->name);
	html_raw(h, "\"><td class=\"name\"><a href=\"/");
	html_text(h, f->repository);
	html_rawf(h, "/tests/%lld\">", t->test_id);
	html_text(h, t->name);
	html_raw(h, "</a></td><td class=\"name muted\">");
	html_text(h, t->package);
	html_rawf(h, "</td><td data-v=\"%.6f\">", t->rate);
	if (t->executions > 0) {
		html_rate_bar(h, t->rate, t->lo, t->hi);
		html_raw(h, " ");
	}
	html_text(h, rt);
	html_rawf(h, "</td><td data-v=\"%ld\">", t->failures);
	if (i < f->nspark)
		html_sparkline(h, f->spark + i * (size_t)f->spark_days,
			       (size_t)f->spark_days);
	html_rawf(h, "</td><td class=\"num\" data-v=\"%ld\">%ld/%ld</td>"
		  "<td class=\"num\" data-v=\"%ld\">%ld</td>"
		  "<td class=\"num\" data-v=\"%ld\">%ld/%ld</td><td>",
		  t->flaky_runs, t->flaky_runs, t->runs, t->failed_runs,
		  t->failed_runs, t->failures, t->failures, t->executions);
	html_time(h, t->first_flaky_at);
	html_raw(h, "</td><td>");
	html_time(h, t->last_flaky_at);
	html_raw(h, "</td></tr>\n");
}

static void filters(struct html *h, const char *repo, int days,
		    const char *branch, const char *search, int all)
{
	static const int windows[] = { 7, 30, 90 };
	size_t i;

	html_raw(h, "<form class=\"filters\" method=\"get\" action=\"/");
	html_text(h, repo);
	html_raw(h, "\" role=\"search\">\n<label>Window <select name=\"window\">");
	for (i = 0; i < sizeof(windows) / sizeof(windows[0]); i++)
		html_rawf(h, "<option value=\"%dd\"%s>%d days</option>",
			  windows[i], windows[i] == days ? " selected" : "",
			  windows[i]);
	html_raw(h, "</select></label>\n<label>Branch <input type=\"text\" "
		 "name=\"branch\" placeholder=\"all branches\" value=\"");
	html_text(h, branch);
	html_raw(h, "\"></label>\n<label>Test name <input type=\"search\" "
		 "name=\"q\" value=\"");
	html_text(h, search);
	html_rawf(h, "\"></label>\n<label><span>Include passing</span>"
		  "<input type=\"checkbox\" name=\"all\" value=\"1\"%s></label>\n"
		  "<button type=\"submit\">Apply</button>\n</form>\n",
		  all ? " checked" : "");
}

/* The quarantine list with each entry's release evidence. */
static void quarantine(struct html *h, struct store *s, const char *repo)
{
	struct err err = ERR_INIT;
	struct q_quarantine *v = NULL;
	size_t n = 0, i;

	if (store_quarantine_list(s, repo, (long long)time(NULL), &v, &n, &err) ||
	    !n) {
		store_quarantine_free(v, n);
		return;
	}
	html_raw(h, "<h2>Quarantine</h2>\n<p class=\"muted\">Quarantined tests "
		 "still run; their failures do not fail the job.  Release is on "
		 "evidence: enough clean executions in a row since the last "
		 "failure that the rate it was quarantined at is ruled out (95%)."
		 "</p>\n<table id=\"quarantine\">\n<thead><tr>"
		 "<th scope=\"col\">Test</th><th scope=\"col\">Package</th>"
		 "<th scope=\"col\">Reason</th><th scope=\"col\">Since</th>"
		 "<th scope=\"col\">Release</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < n; i++) {
		const struct q_quarantine *e = &v[i];

		html_raw(h, "<tr><td class=\"name\">");
		html_text(h, e->name);
		html_raw(h, "</td><td class=\"name muted\">");
		html_text(h, e->package);
		html_raw(h, "</td><td>");
		html_text(h, e->reason);
		html_raw(h, " <span class=\"muted\">(");
		html_text(h, e->added_by);
		html_raw(h, ")</span></td><td>");
		html_time(h, e->added_at);
		html_raw(h, "</td><td>");
		if (e->released_at) {
			html_raw(h, "released ");
			html_time(h, e->released_at);
		} else if (e->ready) {
			html_rawf(h, "<strong>ready to release</strong>: %lld clean "
				  "executions (%lld needed)", e->clean, e->need);
		} else {
			html_rawf(h, "%lld more clean executions needed (%lld of "
				  "%lld)", e->need - e->clean, e->clean, e->need);
		}
		html_raw(h, "</td></tr>\n");
	}
	html_raw(h, "</tbody>\n</table>\n");
	store_quarantine_free(v, n);
}

static void recent_runs(struct html *h, struct store *s, const char *repo)
{
	struct err err = ERR_INIT;
	struct q_runs runs;
	size_t i;

	html_raw(h, "<h2>Recent runs</h2>\n");
	if (store_q_run_list(s, repo, 10, 0, &runs, &err)) {
		html_raw(h, "<p class=\"muted\">The runs cannot be read now.</p>\n");
		return;
	}
	html_raw(h, "<table>\n<thead><tr><th scope=\"col\">Run</th>"
		 "<th scope=\"col\">Started</th><th scope=\"col\">Branch</th>"
		 "<th scope=\"col\">Commit</th><th scope=\"col\">PR</th>"
		 "<th scope=\"col\" class=\"num\">Failed</th>"
		 "<th scope=\"col\" class=\"num\">Flaky</th>"
		 "<th scope=\"col\" class=\"num\">Tests</th></tr></thead>\n"
		 "<tbody>\n");
	for (i = 0; i < runs.n; i++) {
		const struct q_run_row *r = &runs.v[i];

		html_raw(h, "<tr><td><a href=\"/");
		html_text(h, repo);
		html_rawf(h, "/runs/%lld\">#%lld</a>%s</td><td>",
			  r->run_id, r->run_id, r->infra ?
			  " <span class=\"muted\">(infra)</span>" : "");
		html_time(h, r->started_at);
		html_raw(h, "</td><td>");
		html_text(h, r->branch);
		html_raw(h, "</td><td>");
		html_commit(h, repo, r->commit);
		html_raw(h, "</td><td>");
		html_pr(h, repo, r->pr);
		html_rawf(h, "</td><td class=\"num\">%lld</td><td class=\"num\">"
			  "%lld</td><td class=\"num\">%lld</td></tr>\n",
			  r->totals.failed, r->totals.flaky, r->totals.tests);
	}
	html_raw(h, "</tbody>\n</table>\n");
	store_q_runs_release(&runs);
}

void page_repo(const struct request *q, struct reply *p)
{
	char repo[512];
	struct err err = ERR_INIT;
	struct store *s;
	struct html h;
	struct q_flakes f;
	const char *w = req_query(q, "window"), *branch = req_query(q, "branch");
	const char *search = req_query(q, "q"), *a = req_query(q, "all");
	int days = 30, all = a && *a && strcmp(a, "0");
	long long flaky = 0, failed = 0, shown = 0;
	size_t i;

	if (html_repo_param(q, repo, sizeof(repo))) {
		html_error_page(p, 404, "not a repository name");
		return;
	}
	if (w && !strcmp(w, "7d"))
		days = 7;
	else if (w && !strcmp(w, "90d"))
		days = 90;
	if (branch && !*branch)
		branch = NULL;
	if (!search)
		search = "";
	/* The filter's work grows with |name| x |q|: q is bounded. */
	if (strlen(search) > 200) {
		html_error_page(p, 400, "the filter q is at most 200 bytes");
		return;
	}
	if (!(s = html_store(q, p)))
		return;
	if (store_q_flakes(s, repo, branch, days, (long long)time(NULL),
			   STORE_Q_TRENDS | (all ? STORE_Q_ALL : 0), &f, &err)) {
		html_query_failed(p, &err);
		return;
	}
	for (i = 0; i < f.n; i++) {
		flaky += f.rows[i].flaky_runs > 0;
		failed += f.rows[i].failed_runs > 0;
	}
	html_init(&h, p);
	html_head(&h, repo, repo);
	html_raw(&h, "<h1>");
	html_text(&h, repo);
	html_rawf(&h, "</h1>\n<p><img src=\"/badge/");
	html_text(&h, repo);
	html_rawf(&h, ".svg\" alt=\"flaky tests badge\" width=\"110\" "
		  "height=\"20\"></p>\n<div class=\"summary\">"
		  "<div><strong>%lld</strong>flaky tests</div>"
		  "<div><strong>%lld</strong>tests with failed runs</div>"
		  "<div><strong>%lld</strong>runs</div>"
		  "<div><strong>%lld</strong>infra runs</div>"
		  "<div><strong>%lld</strong>new flaky</div>"
		  "<div><strong>%lld</strong>known flaky</div>"
		  "<div><strong>%lld</strong>fixed</div></div>\n"
		  "<p class=\"muted\">Last %d days, ", flaky, failed,
		  f.runs, f.infra_runs, f.new_flaky, f.known_flaky, f.fixed,
		  days);
	if (branch) {
		html_raw(&h, "branch <code>");
		html_text(&h, branch);
		html_raw(&h, "</code>.");
	} else {
		html_raw(&h, "all branches.");
	}
	html_raw(&h, " Rate: failures per execution in the runs where the "
		 "test passed at least once, with its 95% Wilson interval. New: "
		 "first flaky in this window; known: flaky before it too; "
		 "fixed: flaky in the window before, not since, and its clean "
		 "executions since its last failure rule out its rate then "
		 "(the gate's rule).</p>\n");
	filters(&h, repo, days, branch, search, all);
	html_raw(&h, "<div id=\"filter\" hidden><label>Filter rows "
		 "<input type=\"search\" aria-controls=\"tests\"></label></div>\n"
		 "<table id=\"tests\" class=\"sortable\">\n<caption class=\"muted\">"
		 "Tests by flake rate</caption>\n<thead><tr>"
		 "<th scope=\"col\">Test</th><th scope=\"col\">Package</th>"
		 "<th scope=\"col\">Flake rate</th>"
		 "<th scope=\"col\">Daily failures</th>"
		 "<th scope=\"col\" class=\"num\">Flaky runs</th>"
		 "<th scope=\"col\" class=\"num\">Failed runs</th>"
		 "<th scope=\"col\" class=\"num\">Failures</th>"
		 "<th scope=\"col\">First flaky</th>"
		 "<th scope=\"col\">Last flaky</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < f.n; i++) {
		if (!contains_ci(f.rows[i].name, search) &&
		    !contains_ci(f.rows[i].package, search))
			continue;
		test_row(&h, &f, i);
		shown++;
	}
	html_raw(&h, "</tbody>\n</table>\n");
	if (!shown)
		html_raw(&h, "<p>No test matches.</p>\n");
	quarantine(&h, s, repo);
	recent_runs(&h, s, repo);
	html_foot(&h);
	store_q_flakes_release(&f);
	html_send(&h, 200);
}
