/*
 * out_json.c: the results document (see out_json.h and
 * schema/results.schema.json).
 */
#include "jsonw.h"
#include "out_json.h"
#include "buf.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static json_t *jstr(const char *s)
{
	return jsonw_str(s);
}

static void set(json_t *o, const char *k, json_t *v)
{
	if (!v || json_object_set_new(o, k, v))
		BUG("json_object_set_new(%s) failed", k);
}

static json_t *meta_json(const struct run_meta *m)
{
	json_t *o = json_object();

	set(o, "repository", jstr(m->repository));
	set(o, "commit", jstr(m->commit));
	set(o, "branch", jstr(m->branch));
	set(o, "base_branch", jstr(m->base_branch));
	set(o, "pr", m->pr ? json_integer(m->pr) : json_null());
	set(o, "run_id", jstr(m->run_id));
	set(o, "run_attempt", m->run_attempt ? json_integer(m->run_attempt) :
	    json_null());
	set(o, "job", jstr(m->job));
	set(o, "workflow", jstr(m->workflow));
	set(o, "event", jstr(m->event));
	set(o, "server_url", jstr(m->server_url));
	set(o, "shard", jstr(m->shard));
	set(o, "module", jstr(m->module));
	set(o, "go_version", jstr(m->go_version));
	set(o, "goos", jstr(m->goos));
	set(o, "goarch", jstr(m->goarch));
	set(o, "started_at", jstr(m->started_at));
	set(o, "tool_version", jstr(m->tool_version));
	return o;
}

static json_t *cells_json(const struct results *r)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < r->ncells; i++) {
		const struct cell *c = &r->cells[i];
		json_t *o = json_object();

		set(o, "name", jstr(c->name));
		set(o, "race", c->race < 0 ? json_null() : json_boolean(c->race));
		set(o, "gomaxprocs", c->gomaxprocs ? json_integer(c->gomaxprocs) :
		    json_null());
		set(o, "count", json_integer(c->count));
		set(o, "shuffle", json_boolean(c->shuffle));
		set(o, "stress", json_integer(c->stress));
		set(o, "parallel", c->parallel > 0 ? json_integer(c->parallel) :
		    json_null());
		set(o, "wall_ms", json_integer(c->wall_ms));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *test_json(const struct results *r, const struct test *t)
{
	json_t *o = json_object(), *cells = json_array(), *fails = json_array();
	size_t i;

	set(o, "package", jstr(t->package));
	set(o, "name", jstr(t->name));
	set(o, "status", json_string(verdict_name(t->status)));
	set(o, "executions", json_integer(t->executions));
	set(o, "passes", json_integer(t->passes));
	set(o, "failures", json_integer(t->failures));
	set(o, "skips", json_integer(t->skips));
	set(o, "notrun", json_integer(t->notrun));
	set(o, "rerun_passes", json_integer(t->rerun_passes));
	set(o, "rerun_failures", json_integer(t->rerun_failures));
	set(o, "seconds", json_real(t->seconds));
	set(o, "via_subtest", json_boolean(t->via_subtest));
	set(o, "new_flaky", json_boolean(t->new_flaky));
	set(o, "class", t->klass ? json_string(test_class_name(t->klass)) :
	    json_null());
	if (t->has_base)
		set(o, "base", json_pack("{s:I,s:I,s:I,s:I}",
					 "executions", (json_int_t)t->base.executions,
					 "failures", (json_int_t)t->base.failures,
					 "runs", (json_int_t)t->base.runs,
					 "flaky_runs", (json_int_t)t->base.flaky_runs));
	if (t->earlier_attempt > 0)
		set(o, "earlier_attempt", json_integer(t->earlier_attempt));
	set(o, "worst_cell", t->worst_cell >= 0 ?
	    jstr(r->cells[t->worst_cell].name) : json_null());
	set(o, "where", jstr(t->where));
	set(o, "repro", jstr(t->repro));
	if (t->after)
		set(o, "order", json_pack("{s:o,s:I,s:o}",
					  "after", jstr(t->after),
					  "shuffle_seed",
					  (json_int_t)t->after_seed, "cell",
					  jstr(r->cells[t->after_cell].name)));
	if (t->verify_runs) {
		json_t *v = json_object();

		set(v, "runs", json_integer(t->verify_runs));
		set(v, "failures", json_integer(t->verify_fails));
		set(o, "repro_verified", v);
	}
	for (i = 0; i < t->ncells; i++) {
		const struct test_cell *tc = &t->cells[i];
		json_t *c = json_object();

		set(c, "cell", jstr(r->cells[tc->cell].name));
		set(c, "status", json_string(verdict_name(tc->status)));
		set(c, "passes", json_integer(tc->passes));
		set(c, "failures", json_integer(tc->failures));
		set(c, "skips", json_integer(tc->skips));
		set(c, "notrun", json_integer(tc->notrun));
		set(c, "unknown", json_integer(tc->unknown));
		set(c, "rerun_passes", json_integer(tc->rerun_passes));
		set(c, "rerun_failures", json_integer(tc->rerun_failures));
		set(c, "seconds", json_real(tc->seconds));
		if (tc->fail_seed)
			set(c, "shuffle_seed", json_integer(tc->fail_seed));
		json_array_append_new(cells, c);
	}
	set(o, "cells", cells);
	for (i = 0; i < t->nfails; i++) {
		const struct failure *f = &t->fails[i];
		json_t *d = json_object();

		set(d, "cell", jstr(r->cells[f->cell].name));
		set(d, "kind", json_string(fail_kind_name(f->kind)));
		set(d, "file", jstr(f->file));
		set(d, "line", f->line ? json_integer(f->line) : json_null());
		set(d, "message", jstr(f->message));
		set(d, "signature", jstr(f->signature));
		set(d, "count", json_integer(f->count));
		set(d, "rerun", json_boolean(f->rerun));
		if (f->seed)
			set(d, "shuffle_seed", json_integer(f->seed));
		set(d, "output", jstr(f->output));
		json_array_append_new(fails, d);
	}
	set(o, "failure_details", fails);
	if (t->fails_dropped)
		set(o, "failure_details_dropped", json_integer(t->fails_dropped));
	return o;
}

static json_t *results_json(const struct results *r)
{
	json_t *o = json_object(), *tests = json_array(), *pkgs = json_array();
	json_t *totals = json_object();
	size_t i;

	if (!r->finished)
		BUG("writing unfinished results");
	set(o, "schema_version", json_integer(RESULTS_SCHEMA_VERSION));
	set(o, "meta", meta_json(&r->meta));
	set(o, "wall_ms", json_integer(r->wall_ms));
	set(totals, "tests", json_integer((json_int_t)r->n_tests));
	set(totals, "executions", json_integer(r->total_executions));
	set(totals, "failed", json_integer(r->n_failed));
	set(totals, "flaky", json_integer(r->n_flaky));
	set(totals, "passed", json_integer(r->n_passed));
	set(totals, "skipped", json_integer(r->n_skipped));
	set(totals, "notrun", json_integer(r->n_notrun));
	set(o, "totals", totals);
	if (r->budget.budget_ms > 0) {
		const struct run_budget *b = &r->budget;
		json_t *bj = json_object();

		set(bj, "budget_ms", json_integer(b->budget_ms));
		set(bj, "first_pass_ms", json_integer(b->first_pass_ms));
		set(bj, "exceeded", json_boolean(b->exceeded));
		set(bj, "cells_skipped", json_integer(b->cells_skipped));
		set(bj, "cells_partial", json_integer(b->cells_partial));
		set(bj, "rounds", json_integer(b->rounds));
		set(bj, "extra_processes", json_integer(b->extra_processes));
		set(bj, "extra_counts", json_integer(b->extra_counts));
		set(bj, "dropped_processes", json_integer(b->dropped_processes));
		set(bj, "hang_limited", json_integer(b->hang_limited));
		set(bj, "budget_cut", json_integer(b->budget_cut));
		set(bj, "hang_silent", json_integer(b->hang_silent));
		set(bj, "stopped_processes", json_integer(b->stopped_processes));
		set(bj, "plan_us", json_integer(b->plan_us));
		set(o, "budget", bj);
	}
	set(o, "cells", cells_json(r));
	for (i = 0; i < r->ntests; i++)
		json_array_append_new(tests, test_json(r, r->tests[i]));
	set(o, "tests", tests);
	for (i = 0; i < r->npkgs; i++) {
		const struct package *p = &r->pkgs[i];
		json_t *j = json_object();

		set(j, "package", jstr(p->package));
		set(j, "dir", jstr(p->dir));
		set(j, "status", json_string(pkg_status_name(p->status)));
		set(j, "error", jstr(p->error));
		json_array_append_new(pkgs, j);
	}
	set(o, "packages", pkgs);
	return o;
}

char *out_json_dumps(const struct results *r, struct err *err)
{
	json_t *o = results_json(r);
	char *s = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);

	json_decref(o);
	if (!s)
		err_set(err, "cannot encode the results as JSON");
	return s;
}

int out_json_write(const struct results *r, const char *path,
		   struct err *err)
{
	struct buf tmp = BUF_INIT(8192);
	char *s;
	FILE *f;
	int ret = -1;
	size_t n;

	s = out_json_dumps(r, err);
	if (!s)
		return -1;
	n = strlen(s);
	if (!strcmp(path, "-")) {
		if (fwrite(s, 1, n, stdout) != n || fputc('\n', stdout) == EOF ||
		    fflush(stdout)) {
			err_sys(err, "cannot write results to stdout");
			goto out;
		}
		ret = 0;
		goto out;
	}
	if (buf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid())) {
		err_set(err, "path too long: '%s'", path);
		goto out;
	}
	f = fopen(tmp.data, "w");
	if (!f) {
		err_sys(err, "cannot write '%s'", tmp.data);
		goto out;
	}
	if (fwrite(s, 1, n, f) != n || fputc('\n', f) == EOF || fflush(f) ||
	    fsync(fileno(f))) {
		err_sys(err, "cannot write '%s'", tmp.data);
		fclose(f);
		unlink(tmp.data);
		goto out;
	}
	if (fclose(f)) {
		err_sys(err, "cannot write '%s'", tmp.data);
		unlink(tmp.data);
		goto out;
	}
	if (rename(tmp.data, path)) {
		err_sys(err, "cannot rename '%s' to '%s'", tmp.data, path);
		unlink(tmp.data);
		goto out;
	}
	ret = 0;
out:
	free(s);
	buf_release(&tmp);
	return ret;
}
