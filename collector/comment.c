/*
 * comment.c: the PR comment in embedded mode (see comment.h).
 *
 * History comes from the local store, opened read-only after publish()
 * recorded this run: the flake table over HISTORY_DAYS on all branches
 * gives each reported test its rate and first flaky commit; the table of
 * the base branch (when known) names the tests flaky there that passed
 * here ("fixed").  Strings of the comment rows point into those tables,
 * which live until the comment is posted.
 */
#include "comment.h"
#include "core/buf.h"
#include "core/github.h"
#include "core/out_comment.h"
#include "core/stats.h"
#include "core/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HISTORY_DAYS 30
#define FIRST_SEEN_MAX 64

/* A comment row with the storage of its texts. */
struct row_text {
	char rate[STATS_RATE_MAX];
	char first_seen[FIRST_SEEN_MAX];
};

struct history {
	struct comment_history h;
	struct row_text *text;		/* parallel to h.rows */
	size_t alloc_rows, alloc_text;
	struct flake_row *all, *base;	/* the flake tables */
	size_t nall, nbase;
};

static void history_release(struct history *hi)
{
	free(hi->h.rows);
	free(hi->text);
	store_flake_rows_free(hi->all, hi->nall);
	store_flake_rows_free(hi->base, hi->nbase);
	memset(hi, 0, sizeof(*hi));
}

static struct comment_row *add_row(struct history *hi, const char *package,
				   const char *name, enum test_class klass)
{
	struct comment_row *row;

	xgrow((void **)&hi->h.rows, &hi->alloc_rows, hi->h.nrows + 1,
	      sizeof(*hi->h.rows));
	xgrow((void **)&hi->text, &hi->alloc_text, hi->h.nrows + 1,
	      sizeof(*hi->text));
	row = &hi->h.rows[hi->h.nrows++];
	memset(row, 0, sizeof(*row));
	row->package = package;
	row->name = name;
	row->klass = klass;
	return row;
}

/* "abc1234 2026-11-20" from a flake row's first flaky run. */
static void first_seen(char *out, size_t size, const struct flake_row *f)
{
	const char *c = f->first_flaky_commit, *at = f->first_flaky_at;

	if (c && at)
		snprintf(out, size, "%.7s %.10s", c, at);
	else if (at)
		snprintf(out, size, "%.10s", at);
	else if (c)
		snprintf(out, size, "%.7s", c);
	else
		out[0] = '\0';
}

/* Rows for r's failed and flaky tests from the all-branch table. */
static void rows_of_run(struct history *hi, struct results *r)
{
	size_t i;

	for (i = 0; i < hi->nall; i++) {
		const struct flake_row *f = &hi->all[i];
		struct test *t = results_test(r, f->package, f->name, 0);
		struct comment_row *row;
		struct row_text *tx;

		if (!t || (t->status != VERDICT_FLAKY &&
			   t->status != VERDICT_FAILED))
			continue;
		/* The class is the gate's (publish()); the row adds the
		 * rate and first-seen texts. */
		row = add_row(hi, f->package, f->name, t->klass);
		tx = &hi->text[hi->h.nrows - 1];
		if (f->executions > 0 && !stats_format_rate(tx->rate,
				sizeof(tx->rate), f->failures, f->executions))
			row->rate_text = tx->rate;
		else if (f->failed_runs > 0 && f->runs > 0 &&
			 snprintf(tx->rate, sizeof(tx->rate), "failed in %ld "
				  "of %ld runs", f->failed_runs, f->runs) > 0)
			row->rate_text = tx->rate;
		first_seen(tx->first_seen, sizeof(tx->first_seen), f);
		if (tx->first_seen[0])
			row->first_seen = tx->first_seen;
	}
}

/* FIXED rows: flaky on the base branch, passed here. */
static void rows_fixed(struct history *hi, struct results *r)
{
	size_t i;

	for (i = 0; i < hi->nbase; i++) {
		const struct flake_row *f = &hi->base[i];
		struct test *t;

		if (!f->flaky_runs)
			continue;
		t = results_test(r, f->package, f->name, 0);
		if (t && t->status == VERDICT_PASSED)
			add_row(hi, f->package, f->name, CLASS_FIXED);
	}
}

/*
 * Reads the history of r's repository.  Returns 0 with hi filled, or -1
 * (no history: the comment then shows this run only).
 */
static int load_history(struct history *hi, struct results *r,
			const struct publish_opts *o, struct err *err)
{
	struct store *st = NULL;
	const char *repo = store_repo_name(r);
	long long now = (long long)time(NULL);
	int ret = -1;

	memset(hi, 0, sizeof(*hi));
	if (!o->history)
		return -1;
	if (store_open(&st, o->db_path, STORE_READONLY | STORE_MUST_EXIST,
		       err) ||
	    store_flake_table(st, repo, NULL, HISTORY_DAYS, now, 0, &hi->all,
			      &hi->nall, err))
		goto out;
	if (r->meta.base_branch &&
	    store_flake_table(st, repo, r->meta.base_branch, HISTORY_DAYS,
			      now, 0, &hi->base, &hi->nbase, err))
		goto out;
	rows_of_run(hi, r);
	rows_fixed(hi, r);
	hi->h.window = "30 days";
	ret = 0;
out:
	store_close(st);
	if (ret)
		history_release(hi);
	return ret;
}

/* 1 when GitHub's URL is safe to print on a terminal. */
static int printable(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if (*s <= 0x20 || *s == 0x7F)
			return 0;
	return 1;
}

static long long max_wait_from_env(void)
{
	const char *s = getenv("FLAKE_GITHUB_MAX_WAIT_MS");
	char *end;
	long long v;

	if (!s || !*s)
		return 60000;
	v = strtoll(s, &end, 10);
	return *end || v < 0 ? 60000 : v;
}

/* In "auto" mode with nothing to report: 1 when an earlier comment of
 * ours is there to update, 0 when not, -1 on failure. */
static int earlier_comment(const struct github_opts *go, struct results *r,
			   const char *marker, struct err *err)
{
	struct github_comment c = GITHUB_COMMENT_INIT;
	int found;

	if (github_find_comment(go, r->meta.repository, r->meta.pr, marker,
				&c, err))
		return -1;
	found = c.id != 0;
	github_comment_release(&c);
	return found;
}

/*
 * The checks both entry points share.  Returns 1 to go on with *go
 * filled, 0 when there is nothing to do, -1 with err set.  `wanted`: the
 * comment would be posted (a missing token is then an error).
 */
static int prepare(const struct results *r, const struct publish_opts *o,
		   int wanted, struct github_opts *go, struct err *err)
{
	const char *mode = o->comment_mode ? o->comment_mode : "auto";
	const char *token = getenv("GITHUB_TOKEN");
	int always = !strcmp(mode, "always");

	if (!strcmp(mode, "never"))
		return 0;
	if (!r->meta.pr || !r->meta.repository) {
		if (always)
			return err_set(err, "not a pull request (no --pr or "
				       "--repository)");
		return 0;
	}
	if (!token || !*token) {
		if (always || wanted)
			return err_set(err, "GITHUB_TOKEN is not set");
		return 0;
	}
	go->api_url = o->github_api_url;
	go->token = token;
	go->max_wait_ms = max_wait_from_env();
	return 1;
}

static void report(const struct publish_opts *o,
		   const struct github_result *res)
{
	if (!o->quiet)
		fprintf(stderr, "flake-collector: PR comment %s: %s\n",
			res->action, printable(res->html_url) ?
			res->html_url : "(no URL)");
}

int comment_publish(struct results *r, const struct publish_opts *o,
		    struct err *err)
{
	struct github_opts go = GITHUB_OPTS_INIT;
	struct github_result res = GITHUB_RESULT_INIT;
	struct buf marker = BUF_INIT(256);
	struct buf md = BUF_INIT(OUT_COMMENT_MAX);
	struct history hi;
	struct err ignored = ERR_INIT;
	const char *mode = o->comment_mode ? o->comment_mode : "auto";
	int have_history, ret;

	memset(&hi, 0, sizeof(hi));
	if (!out_comment_mode_ok(mode))
		BUG("comment mode '%s'", mode);
	ret = prepare(r, o, out_comment_should_post(r, mode, 0), &go, err);
	if (ret <= 0)
		return ret;
	ret = -1;
	if (out_comment_marker(r, &marker)) {
		err_set(err, "comment marker too long");
		goto out;
	}
	if (!out_comment_should_post(r, mode, 0)) {
		int found = earlier_comment(&go, r, buf_str(&marker), err);

		if (found <= 0) {
			ret = found < 0 ? -1 : 0;
			goto out;
		}
	}
	/* Without history the comment still shows this run. */
	have_history = !load_history(&hi, r, o, &ignored);
	if (out_comment_render(r, have_history ? &hi.h : NULL, NULL, &md,
			       OUT_COMMENT_MAX, err))
		goto out;
	if (github_upsert_comment(&go, r->meta.repository, r->meta.pr,
				  buf_str(&marker), buf_str(&md), &res, err))
		goto out;
	report(o, &res);
	ret = 0;
out:
	github_result_release(&res);
	history_release(&hi);
	buf_release(&marker);
	buf_release(&md);
	return ret;
}

int comment_post_markdown(struct results *r, const struct publish_opts *o,
			  const char *markdown, struct err *err)
{
	struct github_opts go = GITHUB_OPTS_INIT;
	struct github_result res = GITHUB_RESULT_INIT;
	int ret;

	/* The reporter rendered it for the whole run (all shards): it
	 * carries the run's marker, never a shard's. */
	if (!strstr(markdown, OUT_COMMENT_MARKER) ||
	    strlen(markdown) > OUT_COMMENT_MAX)
		return err_set(err, "the reporter's comment lacks the marker or "
			       "is over %d bytes", OUT_COMMENT_MAX);
	ret = prepare(r, o, 1, &go, err);
	if (ret <= 0)
		return ret;
	if (github_upsert_comment(&go, r->meta.repository, r->meta.pr,
				  OUT_COMMENT_MARKER, markdown, &res, err))
		return -1;
	report(o, &res);
	github_result_release(&res);
	return 0;
}
