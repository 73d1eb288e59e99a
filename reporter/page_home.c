/*
 * page_home.c: GET / -- every repository with its headline numbers
 * (store_q_repo_list()): flaky tests in the last 7 days and the change from
 * the 7 days before, runs in 30 days, the last run, and its badge.
 */
#include "html.h"
#include "core/store_query.h"

#include <time.h>

static void repo_row(struct html *h, const struct q_repo *r)
{
	const char *name = r->repository;
	long long trend = r->flaky_tests - r->flaky_tests_prev;

	html_raw(h, "<tr data-name=\"");
	html_text(h, name);
	html_raw(h, "\"><th scope=\"row\"><a href=\"/");
	html_text(h, name);
	html_raw(h, "\">");
	html_text(h, name);
	html_rawf(h, "</a></th><td class=\"num\" data-v=\"%lld\">%lld</td>",
		  r->flaky_tests, r->flaky_tests);
	html_rawf(h, "<td class=\"num\" data-v=\"%lld\">", trend);
	if (trend > 0)
		html_rawf(h, "<span class=\"up\">\xE2\x96\xB2 +%lld</span>", trend);
	else if (trend < 0)
		html_rawf(h, "<span class=\"down\">\xE2\x96\xBC %lld</span>", trend);
	else
		html_raw(h, "0");
	html_rawf(h, "</td><td class=\"num\" data-v=\"%lld\">%lld</td>"
		  "<td class=\"num\" data-v=\"%lld\">%lld</td><td>",
		  r->runs_30d, r->runs_30d, r->infra_runs_30d,
		  r->infra_runs_30d);
	html_time(h, r->last_run_at);
	html_raw(h, "</td><td><img src=\"/badge/");
	html_text(h, name);
	html_raw(h, ".svg\" alt=\"flaky tests badge of ");
	html_text(h, name);
	html_raw(h, "\" width=\"110\" height=\"20\"></td></tr>\n");
}

void page_home(const struct request *q, struct reply *p)
{
	struct err err = ERR_INIT;
	struct store *s;
	struct html h;
	struct q_repos repos;
	size_t i;

	if (!(s = html_store(q, p)))
		return;
	if (store_q_repo_list(s, (long long)time(NULL), &repos, &err)) {
		html_query_failed(p, &err);
		return;
	}
	html_init(&h, p);
	html_head(&h, "Repositories", NULL);
	html_raw(&h, "<h1>Repositories</h1>\n");
	if (!repos.n) {
		html_raw(&h, "<p>No repository yet: create an upload token with "
			 "<code>flake-reporter token create OWNER/REPO</code> "
			 "and point the collector at this server.</p>\n");
	} else {
		html_raw(&h, "<table class=\"sortable\">\n<caption class=\"muted\">"
			 "Flaky tests: tests with a flaky run in the last 7 days; "
			 "trend: change from the 7 days before.</caption>\n"
			 "<thead><tr><th scope=\"col\">Repository</th>"
			 "<th scope=\"col\" class=\"num\">Flaky tests (7d)</th>"
			 "<th scope=\"col\" class=\"num\">Trend</th>"
			 "<th scope=\"col\" class=\"num\">Runs (30d)</th>"
			 "<th scope=\"col\" class=\"num\">Infra runs (30d)</th>"
			 "<th scope=\"col\">Last run</th>"
			 "<th scope=\"col\">Badge</th></tr></thead>\n<tbody>\n");
		for (i = 0; i < repos.n; i++)
			repo_row(&h, &repos.v[i]);
		html_raw(&h, "</tbody>\n</table>\n");
	}
	html_foot(&h);
	store_q_repos_release(&repos);
	html_send(&h, 200);
}
