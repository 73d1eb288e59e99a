/*
 * store_json.c: the JSON answers of docs/API.md made from the typed reads
 * of store_query.h -- the one place where a read's field gets its JSON
 * name.  Text goes through jsonw_str() (valid UTF-8, null for NULL).
 */
#include "jsonw.h"
#include "store_query.h"
#include "store_quarantine.h"
#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set(json_t *o, const char *k, json_t *v)
{
	if (!v || json_object_set_new(o, k, v))
		BUG("json_object_set_new(%s) failed", k);
}

static void push(json_t *a, json_t *v)
{
	if (!v || json_array_append_new(a, v))
		BUG("json_array_append_new failed");
}

static json_t *jint(long long v)
{
	return json_integer((json_int_t)v);
}

/* v, or null when it is 0 (none). */
static json_t *jint_or_null(long long v)
{
	return v ? jint(v) : json_null();
}

static json_t *flaky_json(const char *commit, const char *at)
{
	json_t *o;

	if (!at)
		return json_null();
	o = json_object();
	set(o, "commit", jsonw_str(commit));
	set(o, "at", jsonw_str(at));
	return o;
}

/* The fields of one flake row, into o. */
static void row_fields(json_t *o, const struct flake_row *f)
{
	char rt[STATS_RATE_MAX];

	store_q_rate_text(f, rt, sizeof(rt));
	set(o, "id", jint(f->test_id));
	set(o, "package", jsonw_str(f->package));
	set(o, "name", jsonw_str(f->name));
	set(o, "executions", jint(f->executions));
	set(o, "failures", jint(f->failures));
	set(o, "runs", jint(f->runs));
	set(o, "flaky_runs", jint(f->flaky_runs));
	set(o, "failed_runs", jint(f->failed_runs));
	set(o, "rate", json_real(f->rate));
	set(o, "rate_lo", json_real(f->lo));
	set(o, "rate_hi", json_real(f->hi));
	set(o, "rate_text", jsonw_str(rt));
	{
		/* The run-level view (docs/STATISTICS.md). */
		struct q_rates q;
		char dt[STATS_RATE_MAX];

		store_q_rates_from_row(f, &q);
		if (stats_format_rate(dt, sizeof(dt), (long)q.runs_failing,
				      (long)q.runs))
			snprintf(dt, sizeof(dt), "n/a");
		set(o, "disruption", json_pack("{s:I,s:I,s:f,s:f,s:f,s:s}",
			"runs_failing", (json_int_t)q.runs_failing,
			"runs", (json_int_t)q.runs,
			"rate", q.runs > 0 ? (double)q.runs_failing /
					     (double)q.runs : 0.0,
			"lo", q.dlo, "hi", q.dhi, "text", dt));
	}
	set(o, "first_flaky", flaky_json(f->first_flaky_commit,
					 f->first_flaky_at));
	set(o, "last_flaky", flaky_json(f->last_flaky_commit,
					f->last_flaky_at));
}

/* "rate_clustered" and "condition" of a test's rates, into o. */
static void rates_fields(json_t *o, const struct q_rates *r)
{
	set(o, "rate_clustered", r->has_cluster ?
	    json_pack("{s:f,s:f,s:I}", "lo", r->clo, "hi", r->chi, "uploads",
		      (json_int_t)r->cluster_runs) : json_null());
	set(o, "condition", jsonw_str(r->condition[0] ? r->condition : NULL));
}

/* "repository", "window_days", "branch" of a windowed answer. */
static void scope_fields(json_t *o, const char *repo, int window_days,
			 const char *branch)
{
	set(o, "repository", jsonw_str(repo));
	set(o, "window_days", json_integer(window_days));
	set(o, "branch", jsonw_str(branch));
}

json_t *store_q_repos(struct store *s, long long now_unix, struct err *err)
{
	struct q_repos r;
	json_t *o, *list;
	size_t i;

	if (store_q_repo_list(s, now_unix, &r, err))
		return NULL;
	list = json_array();
	for (i = 0; i < r.n; i++) {
		const struct q_repo *p = &r.v[i];
		json_t *e = json_object();

		set(e, "repository", jsonw_str(p->repository));
		set(e, "runs_30d", jint(p->runs_30d));
		set(e, "infra_runs_30d", jint(p->infra_runs_30d));
		set(e, "flaky_tests", jint(p->flaky_tests));
		set(e, "flaky_tests_prev", jint(p->flaky_tests_prev));
		set(e, "trend", jint(p->flaky_tests - p->flaky_tests_prev));
		set(e, "last_run_at", jsonw_str(p->last_run_at));
		push(list, e);
	}
	o = json_object();
	set(o, "repos", list);
	store_q_repos_release(&r);
	return o;
}

json_t *store_flake_row_json(const struct flake_row *f,
			     const struct q_rates *rates)
{
	json_t *o = json_object();

	if (!o)
		BUG("json_object failed");
	row_fields(o, f);
	if (rates)
		rates_fields(o, rates);
	return o;
}

json_t *store_q_tests(struct store *s, const char *repo, const char *branch,
		      int window_days, long long now_unix, int all,
		      struct err *err)
{
	struct q_flakes f;
	json_t *o, *tests;
	size_t i;

	if (store_q_flakes(s, repo, branch, window_days, now_unix,
			   all ? STORE_Q_ALL : 0, &f, err))
		return NULL;
	o = json_object();
	scope_fields(o, f.repository, f.window_days, f.branch);
	set(o, "runs", jint(f.runs));
	set(o, "infra_runs", jint(f.infra_runs));
	tests = json_array();
	for (i = 0; i < f.n; i++) {
		json_t *t = json_object();

		row_fields(t, &f.rows[i]);
		push(tests, t);
	}
	set(o, "tests", tests);
	store_q_flakes_release(&f);
	return o;
}

json_t *store_q_test(struct store *s, const char *repo, long long test_id,
		     const char *branch, int window_days, long long now_unix,
		     struct err *err)
{
	struct q_test t;
	json_t *o, *a;
	size_t i;

	if (store_q_test_read(s, repo, test_id, branch, window_days, now_unix,
			      &t, err))
		return NULL;
	o = json_object();
	row_fields(o, &t.row);
	rates_fields(o, &t.rates);
	scope_fields(o, t.repository, t.window_days, t.branch);
	a = json_array();
	for (i = 0; i < t.ndaily; i++) {
		const struct q_day *d = &t.daily[i];
		json_t *e = json_object();

		set(e, "day", jsonw_str(d->day));
		set(e, "executions", jint(d->executions));
		set(e, "failures", jint(d->failures));
		set(e, "runs", jint(d->runs));
		set(e, "flaky_runs", jint(d->flaky_runs));
		set(e, "failed_runs", jint(d->failed_runs));
		push(a, e);
	}
	set(o, "daily", a);
	a = json_array();
	for (i = 0; i < t.ncells; i++) {
		json_t *e = json_object();

		set(e, "cell", jsonw_str(t.cells[i].cell));
		set(e, "executions", jint(t.cells[i].executions));
		set(e, "failures", jint(t.cells[i].failures));
		push(a, e);
	}
	set(o, "cells", a);
	a = json_array();
	for (i = 0; i < t.nsignatures; i++) {
		const struct q_signature *g = &t.signatures[i];
		json_t *e = json_object();

		set(e, "signature", jsonw_str(g->signature));
		set(e, "kind", jsonw_str(g->kind));
		set(e, "count", jint(g->count));
		set(e, "file", jsonw_str(g->file));
		set(e, "line", jint_or_null(g->line));
		set(e, "sample", jsonw_str(g->sample));
		set(e, "output", jsonw_str(g->output));
		push(a, e);
	}
	set(o, "signatures", a);
	a = json_array();
	for (i = 0; i < t.nrecent; i++) {
		const struct q_recent_run *r = &t.recent[i];
		json_t *e = json_object();

		set(e, "run_id", jint(r->run_id));
		set(e, "commit", jsonw_str(r->commit));
		set(e, "branch", jsonw_str(r->branch));
		set(e, "pr", jint_or_null(r->pr));
		set(e, "status", jsonw_str(r->status));
		set(e, "at", jsonw_str(r->at));
		set(e, "infra", json_boolean(r->infra));
		push(a, e);
	}
	set(o, "recent_runs", a);
	store_q_test_release(&t);
	return o;
}

json_t *store_q_runs(struct store *s, const char *repo, int limit,
		     long long before_group_id, struct err *err)
{
	struct q_runs r;
	json_t *o, *list;
	size_t i;

	if (store_q_run_list(s, repo, limit, before_group_id, &r, err))
		return NULL;
	list = json_array();
	for (i = 0; i < r.n; i++) {
		const struct q_run_row *g = &r.v[i];
		json_t *e = json_object(), *t = json_object();

		set(e, "run_id", jint(g->run_id));
		set(e, "commit", jsonw_str(g->commit));
		set(e, "branch", jsonw_str(g->branch));
		set(e, "base_branch", jsonw_str(g->base_branch));
		set(e, "pr", jint_or_null(g->pr));
		set(e, "started_at", jsonw_str(g->started_at));
		set(e, "gh_run_id", jsonw_str(g->gh_run_id));
		set(e, "run_attempt", jint_or_null(g->run_attempt));
		set(e, "workflow", jsonw_str(g->workflow));
		set(e, "event", jsonw_str(g->event));
		set(e, "uploads", jint(g->uploads));
		set(e, "infra", json_boolean(g->infra));
		set(t, "tests", jint(g->totals.tests));
		set(t, "failed", jint(g->totals.failed));
		set(t, "flaky", jint(g->totals.flaky));
		set(t, "passed", jint(g->totals.passed));
		set(t, "skipped", jint(g->totals.skipped));
		set(t, "notrun", jint(g->totals.notrun));
		set(e, "totals", t);
		push(list, e);
	}
	o = json_object();
	set(o, "repository", jsonw_str(r.repository));
	set(o, "runs", list);
	set(o, "next_before", jint_or_null(r.next_before));
	store_q_runs_release(&r);
	return o;
}

static json_t *test_json(const struct q_run_test *t)
{
	json_t *o = json_object(), *cells = json_array(), *fails = json_array();
	size_t i;

	set(o, "package", jsonw_str(t->package));
	set(o, "name", jsonw_str(t->name));
	set(o, "status", jsonw_str(t->status));
	set(o, "executions", jint(t->executions));
	set(o, "passes", jint(t->passes));
	set(o, "failures", jint(t->failures));
	set(o, "skips", jint(t->skips));
	set(o, "notrun", jint(t->notrun));
	set(o, "rerun_passes", jint(t->rerun_passes));
	set(o, "rerun_failures", jint(t->rerun_failures));
	set(o, "seconds", json_real(t->seconds));
	set(o, "new_flaky", json_boolean(t->new_flaky));
	set(o, "worst_cell", jsonw_str(t->worst_cell));
	set(o, "where", json_null());
	set(o, "repro", json_null());
	for (i = 0; i < t->ncells; i++) {
		const struct q_test_cell *c = &t->cells[i];
		json_t *e = json_object();

		set(e, "cell", jsonw_str(c->cell));
		set(e, "status", jsonw_str(c->status));
		set(e, "passes", jint(c->passes));
		set(e, "failures", jint(c->failures));
		set(e, "skips", jint(c->skips));
		set(e, "notrun", jint(c->notrun));
		set(e, "rerun_passes", jint(c->rerun_passes));
		set(e, "rerun_failures", jint(c->rerun_failures));
		push(cells, e);
	}
	set(o, "cells", cells);
	for (i = 0; i < t->nfailures; i++) {
		const struct q_failure *f = &t->failures_v[i];
		json_t *e = json_object();

		set(e, "cell", jsonw_str(f->cell));
		set(e, "kind", jsonw_str(f->kind));
		set(e, "file", jsonw_str(f->file));
		set(e, "line", jint_or_null(f->line));
		set(e, "message", jsonw_str(f->message));
		set(e, "signature", jsonw_str(f->signature));
		set(e, "count", jint(f->count));
		set(e, "rerun", json_boolean(f->rerun));
		if (f->shuffle_seed)
			set(e, "shuffle_seed", jint(f->shuffle_seed));
		set(e, "output", jsonw_str(f->output));
		push(fails, e);
	}
	set(o, "failure_details", fails);
	return o;
}

/* The run's fields before "tests" (the document's order). */
static json_t *run_head_json(const struct q_run *r)
{
	json_t *o = json_object(), *t, *a;
	size_t i;

	set(o, "run_id", jint(r->run_id));
	set(o, "repository", jsonw_str(r->repository));
	set(o, "commit", jsonw_str(r->commit));
	set(o, "branch", jsonw_str(r->branch));
	set(o, "base_branch", jsonw_str(r->base_branch));
	set(o, "pr", jint_or_null(r->pr));
	set(o, "started_at", jsonw_str(r->started_at));
	set(o, "created_at", jint(r->created_at));
	set(o, "gh_run_id", jsonw_str(r->gh_run_id));
	set(o, "run_attempt", jint_or_null(r->run_attempt));
	set(o, "workflow", jsonw_str(r->workflow));
	set(o, "event", jsonw_str(r->event));
	set(o, "infra", json_boolean(r->infra));
	t = json_object();
	set(t, "tests", jint(r->totals.tests));
	set(t, "executions", jint(r->totals.executions));
	set(t, "failed", jint(r->totals.failed));
	set(t, "flaky", jint(r->totals.flaky));
	set(t, "passed", jint(r->totals.passed));
	set(t, "skipped", jint(r->totals.skipped));
	set(t, "notrun", jint(r->totals.notrun));
	set(o, "totals", t);
	a = json_array();
	for (i = 0; i < r->nuploads; i++) {
		const struct q_upload *u = &r->uploads[i];
		json_t *e = json_object();

		set(e, "upload_id", jint(u->upload_id));
		set(e, "job", jsonw_str(u->job));
		set(e, "shard", jsonw_str(u->shard));
		set(e, "started_at", jsonw_str(u->started_at));
		set(e, "go_version", jsonw_str(u->go_version));
		set(e, "goos", jsonw_str(u->goos));
		set(e, "goarch", jsonw_str(u->goarch));
		set(e, "wall_ms", jint(u->wall_ms));
		set(e, "tests", jint(u->tests));
		set(e, "executions", jint(u->executions));
		set(e, "infra", json_boolean(u->infra));
		push(a, e);
	}
	set(o, "uploads", a);
	a = json_array();
	for (i = 0; i < r->ncells; i++) {
		const struct q_cell *c = &r->cells[i];
		json_t *e = json_object();

		set(e, "name", jsonw_str(c->name));
		set(e, "race", c->race < 0 ? json_null() :
		    json_boolean(c->race));
		set(e, "gomaxprocs", jint_or_null(c->gomaxprocs));
		set(e, "count", jint(c->count));
		set(e, "shuffle", json_boolean(c->shuffle));
		set(e, "stress", jint(c->stress));
		set(e, "wall_ms", jint(c->wall_ms));
		push(a, e);
	}
	set(o, "cells", a);
	if (r->paged) {
		json_t *pg = json_object();

		set(pg, "cursor", jint(r->cursor));
		set(pg, "limit", jint(r->limit));
		set(pg, "total", jint(r->total));
		set(pg, "next", jint_or_null(r->next));
		set(o, "page", pg);
	}
	return o;
}

json_t *store_q_run_page(struct store *s, long long group_id, unsigned flags,
			 long long offset, long long limit, struct err *err)
{
	struct q_run r;
	json_t *o, *a;
	size_t i;

	if (store_q_run_read(s, group_id, flags, offset, limit, &r, err))
		return NULL;
	o = run_head_json(&r);
	/* Last, as in the results document. */
	a = json_array();
	for (i = 0; i < r.ntests; i++)
		push(a, test_json(&r.tests[i]));
	set(o, "tests", a);
	store_q_run_release(&r);
	return o;
}

#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)

/* Appends j's compact text to out, then decrefs j; -1 past out's limit. */
static int dump_add(struct buf *out, json_t *j, size_t strip_tail)
{
	char *t = json_dumps(j, DUMP_FLAGS);
	size_t n = t ? strlen(t) : 0;
	int rc = !t || n < strip_tail || buf_add(out, t, n - strip_tail);

	free(t);
	json_decref(j);
	return rc ? -1 : 0;
}

int store_q_run_page_write(struct store *s, long long group_id,
			   unsigned flags, long long offset, long long limit,
			   struct buf *out, struct err *err)
{
	struct q_run r;
	size_t i;
	int rc = -1;

	if (store_q_run_read(s, group_id, flags, offset, limit, &r, err))
		return -1;
	/* The head without its closing brace, then one test at a time:
	 * the same text as store_q_run_page()'s, never the page's tree. */
	if (dump_add(out, run_head_json(&r), 1) ||
	    buf_adds(out, ",\"tests\":["))
		goto full;
	for (i = 0; i < r.ntests; i++)
		if ((i && buf_addc(out, ',')) ||
		    dump_add(out, test_json(&r.tests[i]), 0))
			goto full;
	if (buf_adds(out, "]}\n"))
		goto full;
	rc = 0;
	goto out;
full:
	err_set(err, "the answer is larger than %zu bytes", out->limit);
	rc = -2;
out:
	store_q_run_release(&r);
	return rc;
}

json_t *store_q_run(struct store *s, long long group_id, struct err *err)
{
	return store_q_run_page(s, group_id, 0, 0, -1, err);
}

json_t *store_q_quarantine_json(struct store *s, const char *repo,
				long long now_unix, struct err *err)
{
	struct q_quarantine *v = NULL;
	size_t n = 0, i;
	json_t *a;

	if (store_quarantine_list(s, repo, now_unix, &v, &n, err))
		return NULL;
	a = json_array();
	for (i = 0; i < n; i++) {
		const struct q_quarantine *e = &v[i];
		json_t *o = json_object();

		set(o, "package", jsonw_str(e->package));
		set(o, "name", jsonw_str(e->name));
		set(o, "reason", jsonw_str(e->reason));
		set(o, "added_by", jsonw_str(e->added_by));
		set(o, "added_at", jsonw_str(e->added_at));
		set(o, "issue_url", jsonw_str(e->issue_url));
		set(o, "released_at", jsonw_str(e->released_at));
		set(o, "rate_at_add", json_real(e->p0));
		set(o, "failures_since", jint(e->failures));
		set(o, "clean_executions", jint(e->clean));
		set(o, "release_needs", jint(e->need));
		set(o, "ready_to_release", json_boolean(e->ready && !e->released_at));
		push(a, o);
	}
	store_quarantine_free(v, n);
	return json_pack("{s:s,s:o}", "repository", repo, "quarantine", a);
}
