/*
 * page_run.c: GET /{owner}/{repo}/runs/{id} -- one merged run
 * (store_q_run()): its metadata with GitHub links, the uploads (jobs,
 * shards), and the verdict table the PR comment shows: test, package,
 * status, failures/executions, worst cell, first failure signature.
 * A run of another repository than the path's is "not found".
 */
#include "html.h"
#include "core/store_query.h"

#include <stdio.h>
#include <string.h>

static void meta_str(struct html *h, const char *label, const char *v)
{
	if (!v || !*v)
		return;
	html_rawf(h, "<dt>%s</dt><dd>", label);
	html_text(h, v);
	html_raw(h, "</dd>");
}

static void run_meta(struct html *h, const char *repo, const json_t *j)
{
	const json_t *t = json_object_get(j, "totals");

	html_raw(h, "<dl class=\"meta\"><dt>Commit</dt><dd>");
	html_commit(h, repo, hj_str(j, "commit"));
	html_raw(h, "</dd>");
	meta_str(h, "Branch", hj_str(j, "branch"));
	meta_str(h, "Base branch", hj_str(j, "base_branch"));
	if (hj_int(j, "pr") > 0) {
		html_raw(h, "<dt>Pull request</dt><dd>");
		html_pr(h, repo, hj_int(j, "pr"));
		html_raw(h, "</dd>");
	}
	html_raw(h, "<dt>Started</dt><dd>");
	html_time(h, hj_str(j, "started_at"));
	html_raw(h, "</dd>");
	meta_str(h, "Workflow", hj_str(j, "workflow"));
	meta_str(h, "Event", hj_str(j, "event"));
	if (hj_str(j, "gh_run_id")) {
		html_raw(h, "<dt>GitHub run</dt><dd><a href=\"https://github.com/");
		html_text(h, repo);
		html_raw(h, "/actions/runs/");
		html_url(h, hj_str(j, "gh_run_id"));
		html_rawf(h, "/attempts/%lld\">", hj_int(j, "run_attempt"));
		html_text(h, hj_str(j, "gh_run_id"));
		html_rawf(h, "</a> (attempt %lld)</dd>", hj_int(j, "run_attempt"));
	}
	if (json_is_true(json_object_get(j, "infra")))
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
		  hj_int(t, "tests"), hj_int(t, "failed"), hj_int(t, "flaky"),
		  hj_int(t, "passed"), hj_int(t, "skipped"),
		  hj_int(t, "executions"));
}

static void uploads(struct html *h, const json_t *ups)
{
	const json_t *u;
	size_t i;

	html_raw(h, "<table>\n<thead><tr><th scope=\"col\">Upload</th>"
		 "<th scope=\"col\">Job</th><th scope=\"col\">Shard</th>"
		 "<th scope=\"col\">Started</th><th scope=\"col\">Go</th>"
		 "<th scope=\"col\">Platform</th>"
		 "<th scope=\"col\" class=\"num\">Tests</th>"
		 "<th scope=\"col\" class=\"num\">Executions</th>"
		 "<th scope=\"col\" class=\"num\">Wall time</th></tr></thead>\n"
		 "<tbody>\n");
	json_array_foreach(ups, i, u) {
		html_rawf(h, "<tr><td>%lld</td><td>", hj_int(u, "upload_id"));
		html_text(h, hj_str(u, "job"));
		html_raw(h, "</td><td>");
		html_text(h, hj_str(u, "shard"));
		html_raw(h, "</td><td>");
		html_time(h, hj_str(u, "started_at"));
		html_raw(h, "</td><td>");
		html_text(h, hj_str(u, "go_version"));
		html_raw(h, "</td><td>");
		html_text(h, hj_str(u, "goos"));
		html_raw(h, "/");
		html_text(h, hj_str(u, "goarch"));
		html_rawf(h, "</td><td class=\"num\">%lld</td><td class=\"num\">"
			  "%lld</td><td class=\"num\">%.1f s%s</td></tr>\n",
			  hj_int(u, "tests"), hj_int(u, "executions"),
			  (double)hj_int(u, "wall_ms") / 1000.0,
			  json_is_true(json_object_get(u, "infra")) ?
			  " (infra)" : "");
	}
	html_raw(h, "</tbody>\n</table>\n");
}

static void verdicts(struct html *h, const char *repo, const json_t *tests)
{
	const json_t *t;
	size_t i;

	html_raw(h, "<div id=\"filter\" hidden><label>Filter rows "
		 "<input type=\"search\" aria-controls=\"tests\"></label></div>\n"
		 "<table id=\"tests\" class=\"sortable\">\n<thead><tr>"
		 "<th scope=\"col\">Test</th><th scope=\"col\">Package</th>"
		 "<th scope=\"col\">Status</th>"
		 "<th scope=\"col\" class=\"num\">Failures/executions</th>"
		 "<th scope=\"col\">Worst cell</th>"
		 "<th scope=\"col\">Signature</th></tr></thead>\n<tbody>\n");
	json_array_foreach(tests, i, t) {
		const json_t *fd = json_array_get(json_object_get(t,
						  "failure_details"), 0);
		long long k = hj_int(t, "failures"), n = hj_int(t, "executions");

		html_raw(h, "<tr data-name=\"");
		html_text(h, hj_str(t, "package"));
		html_raw(h, " ");
		html_text(h, hj_str(t, "name"));
		html_raw(h, "\"><td class=\"name\"><a href=\"/");
		html_text(h, repo);
		html_raw(h, "?all=1&amp;q=");
		html_url(h, hj_str(t, "name"));
		html_raw(h, "\">");
		html_text(h, hj_str(t, "name"));
		html_raw(h, "</a>");
		if (json_is_true(json_object_get(t, "new_flaky")))
			html_raw(h, " <strong>new</strong>");
		html_raw(h, "</td><td class=\"name muted\">");
		html_text(h, hj_str(t, "package"));
		html_raw(h, "</td><td>");
		html_status(h, hj_str(t, "status"));
		html_rawf(h, "</td><td class=\"num\" data-v=\"%.6f\">%lld/%lld"
			  "</td><td><code>", n ? (double)k / (double)n : 0.0,
			  k, n);
		html_text(h, hj_str(t, "worst_cell"));
		html_raw(h, "</code></td><td>");
		if (fd) {
			html_raw(h, "<code>");
			html_text(h, hj_str(fd, "signature"));
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
	json_t *j, *tot;
	const char *jr, *all = req_query(q, "all");
	int show_all = all && strcmp(all, "0");
	long long id, shown, total;

	if (html_repo_param(q, repo, sizeof(repo)) ||
	    html_id_param(q->params[2], &id)) {
		html_error_page(p, 404, "no such run");
		return;
	}
	if (!(s = html_store(q, p)))
		return;
	/* Like the PR comment: failed and flaky tests, unless ?all=1 (a run
	 * of thousands of passing tests is a megabyte of table). */
	if (!(j = store_q_run_ex(s, id, show_all ? 0 : STORE_Q_FAILING, &err))) {
		html_query_failed(p, &err);
		return;
	}
	jr = hj_str(j, "repository");
	if (!jr || strcmp(jr, repo)) {
		json_decref(j);
		html_error_page(p, 404, "no such run in this repository");
		return;
	}
	snprintf(title, sizeof(title), "Run #%lld", id);
	html_init(&h, p);
	html_head(&h, title, repo);
	html_rawf(&h, "<h1>Run #%lld of ", id);
	html_text(&h, repo);
	html_raw(&h, "</h1>\n");
	run_meta(&h, repo, j);
	html_raw(&h, "<h2>Uploads</h2>\n");
	uploads(&h, json_object_get(j, "uploads"));
	html_raw(&h, "<h2>Verdicts</h2>\n");
	verdicts(&h, repo, json_object_get(j, "tests"));
	tot = json_object_get(j, "totals");
	total = json_integer_value(json_object_get(tot, "tests"));
	shown = (long long)json_array_size(json_object_get(j, "tests"));
	if (!show_all && total > shown) {
		html_rawf(&h, "<p>%lld more tests passed or were skipped. "
			  "<a href=\"/", total - shown);
		html_text(&h, repo);
		html_rawf(&h, "/runs/%lld?all=1\">Show every test</a>.</p>\n",
			  id);
	}
	html_foot(&h);
	json_decref(j);
	html_send(&h, 200);
}
