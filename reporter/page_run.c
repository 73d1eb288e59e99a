/*
 * page_run.c: GET /{owner}/{repo}/runs/{id} -- one merged run
 * (store_q_run_read()): its metadata with GitHub links, the uploads
 * (jobs, shards), and the verdict table the PR comment shows: test,
 * package, status, failures/executions, worst cell, first failure
 * signature.  ?all=1 shows every test, a page of PAGE_TESTS at a time
 * (&cursor= as the API's), so a page costs the same whatever the run's
 * size.  A run of another repository than the path's is "not found".
 */
#include "html.h"
#include "core/store_query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_TESTS 1000

static void meta_str(struct html *h, const char *label, const char *v)
{
	if (!v || !*v)
		return;
	html_rawf(h, "<dt>%s</dt><dd>", label);
	html_text(h, v);
	html_raw(h, "</dd>");
}

static void run_meta(struct html *h, const char *repo, const struct q_run *j)
{
	const struct q_totals *t = &j->totals;

	html_raw(h, "<dl class=\"meta\"><dt>Commit</dt><dd>");
	html_commit(h, repo, j->commit);
	html_raw(h, "</dd>");
	meta_str(h, "Branch", j->branch);
	meta_str(h, "Base branch", j->base_branch);
	if (j->pr > 0) {
		html_raw(h, "<dt>Pull request</dt><dd>");
		html_pr(h, repo, j->pr);
		html_raw(h, "</dd>");
	}
	html_raw(h, "<dt>Started</dt><dd>");
	html_time(h, j->started_at);
	html_raw(h, "</dd>");
	meta_str(h, "Workflow", j->workflow);
	meta_str(h, "Event", j->event);
	if (j->gh_run_id) {
		html_raw(h, "<dt>GitHub run</dt><dd><a href=\"https://github.com/");
		html_text(h, repo);
		html_raw(h, "/actions/runs/");
		html_url(h, j->gh_run_id);
		html_rawf(h, "/attempts/%lld\">", j->run_attempt);
		html_text(h, j->gh_run_id);
		html_rawf(h, "</a> (attempt %lld)</dd>", j->run_attempt);
	}
	if (j->infra)
		html_raw(h, "<dt>Infra</dt><dd>yes: an upload failed for "
			 "infrastructure reasons; its failures do not count as "
			 "flakes</dd>");
	html_rawf(h, "</dl>\n<div class=\"summary\">"
		  "<div><strong>%lld</strong>tests</div>"
		  "<div><strong class=\"st-failed\">%lld</strong>failed</div>"
		  "<div><strong class=\"st-flaky\">%lld</strong>flaky</div>"
		  "<div><strong class=\"st-passed\">%lld</strong>passed</div>"
		  "<div><strong>%lld</strong>skipped</div>"
		  "<div><strong>%lld</strong>executions</div></div>\n",
		  t->tests, t->failed, t->flaky, t->passed, t->skipped,
		  t->executions);
}

static void uploads(struct html *h, const struct q_run *j)
{
	size_t i;

	html_raw(h, "<table>\n<thead><tr><th scope=\"col\">Upload</th>"
		 "<th scope=\"col\">Job</th><th scope=\"col\">Shard</th>"
		 "<th scope=\"col\">Started</th><th scope=\"col\">Go</th>"
		 "<th scope=\"col\">Platform</th>"
		 "<th scope=\"col\" class=\"num\">Tests</th>"
		 "<th scope=\"col\" class=\"num\">Executions</th>"
		 "<th scope=\"col\" class=\"num\">Wall time</th></tr></thead>\n"
		 "<tbody>\n");
	for (i = 0; i < j->nuploads; i++) {
		const struct q_upload *u = &j->uploads[i];

		html_rawf(h, "<tr><td>%lld</td><td>", u->upload_id);
		html_text(h, u->job);
		html_raw(h, "</td><td>");
		html_text(h, u->shard);
		html_raw(h, "</td><td>");
		html_time(h, u->started_at);
		html_raw(h, "</td><td>");
		html_text(h, u->go_version);
		html_raw(h, "</td><td>");
		html_text(h, u->goos);
		html_raw(h, "/");
		html_text(h, u->goarch);
		html_rawf(h, "</td><td class=\"num\">%lld</td><td class=\"num\">"
			  "%lld</td><td class=\"num\">%.1f s%s</td></tr>\n",
			  u->tests, u->executions, (double)u->wall_ms / 1000.0,
			  u->infra ? " (infra)" : "");
	}
	html_raw(h, "</tbody>\n</table>\n");
}

static void verdicts(struct html *h, const char *repo, const struct q_run *j)
{
	size_t i;

	html_raw(h, "<div id=\"filter\" hidden><label>Filter rows "
		 "<input type=\"search\" aria-controls=\"tests\"></label></div>\n"
		 "<table id=\"tests\" class=\"sortable\">\n<thead><tr>"
		 "<th scope=\"col\">Test</th><th scope=\"col\">Package</th>"
		 "<th scope=\"col\">Status</th>"
		 "<th scope=\"col\" class=\"num\">Failures/executions</th>"
		 "<th scope=\"col\">Worst cell</th>"
		 "<th scope=\"col\">Signature</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < j->ntests; i++) {
		const struct q_run_test *t = &j->tests[i];
		long long k = t->failures, n = t->executions;

		html_raw(h, "<tr data-name=\"");
		html_text(h, t->package);
		html_raw(h, " ");
		html_text(h, t->name);
		html_raw(h, "\"><td class=\"name\"><a href=\"/");
		html_text(h, repo);
		html_raw(h, "?all=1&amp;q=");
		html_url(h, t->name);
		html_raw(h, "\">");
		html_text(h, t->name);
		html_raw(h, "</a>");
		if (t->new_flaky)
			html_raw(h, " <strong>new</strong>");
		html_raw(h, "</td><td class=\"name muted\">");
		html_text(h, t->package);
		html_raw(h, "</td><td>");
		html_status(h, t->status);
		html_rawf(h, "</td><td class=\"num\" data-v=\"%.6f\">%lld/%lld"
			  "</td><td><code>", n ? (double)k / (double)n : 0.0,
			  k, n);
		html_text(h, t->worst_cell);
		html_raw(h, "</code></td><td>");
		if (t->nfailures) {
			html_raw(h, "<code>");
			html_text(h, t->failures_v[0].signature);
			html_raw(h, "</code>");
		}
		html_raw(h, "</td></tr>\n");
	}
	html_raw(h, "</tbody>\n</table>\n");
}

void page_run(const struct request *q, struct reply *p)
{
	char repo[512], title[64];
	struct err err = ERR_INIT;
	struct store *s;
	struct html h;
	struct q_run j;
	const char *all = req_query(q, "all"), *cs = req_query(q, "cursor");
	int show_all = all && strcmp(all, "0");
	long long id, shown, total, cursor = 0;

	if (html_repo_param(q, repo, sizeof(repo)) ||
	    html_id_param(q->params[2], &id)) {
		html_error_page(p, 404, "no such run");
		return;
	}
	if (cs && html_id_param(cs, &cursor)) {
		html_error_page(p, 400, "cursor must be a page's next value");
		return;
	}
	if (!(s = html_store(q, p)))
		return;
	/* Like the PR comment: failed and flaky tests, unless ?all=1, which
	 * pages (a run of thousands of passing tests is a megabyte of
	 * table). */
	if (store_q_run_read(s, id, show_all ? 0 : STORE_Q_FAILING,
			     show_all ? cursor : 0, show_all ? PAGE_TESTS : -1,
			     &j, &err)) {
		html_query_failed(p, &err);
		return;
	}
	if (!j.repository || strcmp(j.repository, repo)) {
		store_q_run_release(&j);
		html_error_page(p, 404, "no such run in this repository");
		return;
	}
	snprintf(title, sizeof(title), "Run #%lld", id);
	html_init(&h, p);
	html_head(&h, title, repo);
	html_rawf(&h, "<h1>Run #%lld of ", id);
	html_text(&h, repo);
	html_raw(&h, "</h1>\n");
	run_meta(&h, repo, &j);
	html_raw(&h, "<h2>Uploads</h2>\n");
	uploads(&h, &j);
	html_raw(&h, "<h2>Verdicts</h2>\n");
	verdicts(&h, repo, &j);
	total = j.totals.tests;
	shown = (long long)j.ntests;
	if (show_all) {
		html_rawf(&h, "<p class=\"muted\">%lld of %lld tests on this "
			  "page, in test order.", shown, j.total);
		if (j.next) {
			html_raw(&h, " <a rel=\"next\" href=\"/");
			html_text(&h, repo);
			html_rawf(&h, "/runs/%lld?all=1&amp;cursor=%lld\">"
				  "Next page</a>", id, j.next);
		}
		html_raw(&h, "</p>\n");
	} else if (total > shown) {
		html_rawf(&h, "<p>%lld more tests passed or were skipped. "
			  "<a href=\"/", total - shown);
		html_text(&h, repo);
		html_rawf(&h, "/runs/%lld?all=1\">Show every test</a>.</p>\n",
			  id);
	}
	html_foot(&h);
	store_q_run_release(&j);
	html_send(&h, 200);
}
