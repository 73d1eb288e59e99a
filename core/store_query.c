/*
 * store_query.c: the reporter's read queries.  See store_query.h for the
 * shapes and schema/00*.sql for the tables.
 *
 * Invariants:
 *   - Every public query runs inside one SAVEPOINT (a read transaction,
 *     so one snapshot) and releases it on every path.
 *   - Statements are prepared per call and finalized at the function's
 *     out: label; none outlives its query.
 *   - Merged verdicts rank statuses with RANK_SQL (failed 4 > flaky 3 >
 *     passed 2 > skipped 1 > notrun 0), the same order as the run groups'
 *     totals in store.c and schema/002_reporter.sql.
 *   - Text reaches JSON only through jstr() (valid UTF-8 guaranteed).
 */
#include "jsonw.h"
#include "store_query.h"
#include "store_int.h"
#include "buf.h"
#include "err.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RANK_SQL(col) \
	"CASE " col " WHEN 'failed' THEN 4 WHEN 'flaky' THEN 3" \
	" WHEN 'passed' THEN 2 WHEN 'skipped' THEN 1 ELSE 0 END"

#define Q_SAVEPOINT "store_q"
#define Q_RUNS_DEFAULT 50
#define Q_RUNS_MAX 500
#define Q_TOP_SIGNATURES 5
#define Q_RECENT_RUNS 20
#define Q_RECENT_UPLOADS 1000
#define Q_MAX_DAYS 3660

/* rank (RANK_SQL) -> status word */
static const char *rank_name(int w)
{
	switch (w) {
	case 4: return "failed";
	case 3: return "flaky";
	case 2: return "passed";
	case 1: return "skipped";
	default: return "notrun";
	}
}

int store_q_not_found(const struct err *err)
{
	return err && !strncmp(err->msg, "no such ", 8);
}

static json_t *jstr(const char *s)
{
	return jsonw_str(s);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Column i as a JSON string, or null. */
static json_t *jcol(sqlite3_stmt *st, int i)
{
	return jstr(col_text(st, i));
}

static json_t *jint(sqlite3_stmt *st, int i)
{
	return json_integer(sqlite3_column_int64(st, i));
}

/* Column i as an integer, null when NULL (or 0 when zero_null). */
static json_t *jint_or_null(sqlite3_stmt *st, int i, int zero_null)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL ||
	    (zero_null && !sqlite3_column_int64(st, i)))
		return json_null();
	return jint(st, i);
}

static json_t *jbool(sqlite3_stmt *st, int i)
{
	return json_boolean(sqlite3_column_int64(st, i) != 0);
}

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

static int prepare(struct store *s, const char *sql, sqlite3_stmt **st,
		   struct err *err)
{
	if (sqlite3_prepare_v2(store_sqlite(s), sql, -1, st, NULL) !=
	    SQLITE_OK) {
		*st = NULL;
		return store_db_err(s, "cannot read history in", err);
	}
	return 0;
}

static int snap_begin(struct store *s, struct err *err)
{
	if (sqlite3_exec(store_sqlite(s), "SAVEPOINT " Q_SAVEPOINT, NULL,
			 NULL, NULL) != SQLITE_OK)
		return store_db_err(s, "cannot read history in", err);
	return 0;
}

static void snap_end(struct store *s)
{
	/* A read-only transaction: releasing cannot lose anything. */
	sqlite3_exec(store_sqlite(s), "RELEASE " Q_SAVEPOINT, NULL, NULL,
		     NULL);
}

/* The id of repo: 0, or -1 with "no such repository" or a DB error. */
static int repo_known(struct store *s, const char *repo, long long *rid,
		      struct err *err)
{
	int rc = store_repo_find(s, repo, 0, rid, err);

	if (rc > 0)
		return err_set(err, "no such repository '%s'", repo);
	return rc;
}

/* Steps a statement that ends with its rows; -1 with err on failure. */
static int step_rows(struct store *s, sqlite3_stmt *st, int *rc,
		     struct err *err)
{
	*rc = sqlite3_step(st);
	if (*rc == SQLITE_ROW || *rc == SQLITE_DONE)
		return 0;
	return store_db_err(s, "cannot read history in", err);
}

/* --- the flake rows ---------------------------------------------------- */

static json_t *flaky_json(const char *commit, const char *at)
{
	json_t *o;

	if (!at)
		return json_null();
	o = json_object();
	set(o, "commit", jstr(commit));
	set(o, "at", jstr(at));
	return o;
}

/* The fields of one flake row, into o. */
static void row_fields(json_t *o, const struct flake_row *f)
{
	char rt[STATS_RATE_MAX];

	if (stats_format_rate(rt, sizeof(rt), f->failures, f->executions))
		snprintf(rt, sizeof(rt), "n/a");
	set(o, "id", json_integer(f->test_id));
	set(o, "package", jstr(f->package));
	set(o, "name", jstr(f->name));
	set(o, "executions", json_integer(f->executions));
	set(o, "failures", json_integer(f->failures));
	set(o, "runs", json_integer(f->runs));
	set(o, "flaky_runs", json_integer(f->flaky_runs));
	set(o, "failed_runs", json_integer(f->failed_runs));
	set(o, "rate", json_real(f->rate));
	set(o, "rate_lo", json_real(f->lo));
	set(o, "rate_hi", json_real(f->hi));
	set(o, "rate_text", jstr(rt));
	set(o, "first_flaky", flaky_json(f->first_flaky_commit,
					 f->first_flaky_at));
	set(o, "last_flaky", flaky_json(f->last_flaky_commit,
					f->last_flaky_at));
}

/* --- repositories ------------------------------------------------------- */

/* Distinct tests flaky on days [?from, ?to) of repository p.id. */
#define FLAKY_COUNT(from, to) \
	" (SELECT count(DISTINCT test_id) FROM daily INDEXED BY daily_failing" \
	"  WHERE repo_id = p.id AND day >= " from " AND day < " to \
	"  AND (failures > 0 OR failed_runs > 0) AND flaky_runs > 0)"

json_t *store_q_repos(struct store *s, long long now_unix, struct err *err)
{
	static const char sql[] =
		"SELECT p.name,"
		" (SELECT count(*) FROM run_groups g WHERE g.repo_id = p.id"
		"  AND g.started_at >= ?1),"
		" (SELECT count(*) FROM run_groups g WHERE g.repo_id = p.id"
		"  AND g.started_at >= ?1 AND g.infra = 1),"
		FLAKY_COUNT("?2", "'9999'") ","
		FLAKY_COUNT("?3", "?2") ","
		" (SELECT max(started_at) FROM run_groups g"
		"  WHERE g.repo_id = p.id)"
		" FROM repos p ORDER BY p.name";
	sqlite3_stmt *st = NULL;
	json_t *out = NULL, *list = json_array();
	char d30[16], d7[16], d14[16];
	int rc;

	store_window_start(30, now_unix, d30, sizeof(d30));
	store_window_start(7, now_unix, d7, sizeof(d7));
	store_window_start(14, now_unix, d14, sizeof(d14));
	if (snap_begin(s, err))
		goto fail;
	if (prepare(s, sql, &st, err))
		goto out;
	if (store_bind_text(st, 1, d30) != SQLITE_OK ||
	    store_bind_text(st, 2, d7) != SQLITE_OK ||
	    store_bind_text(st, 3, d14) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	for (;;) {
		json_t *o;

		if (step_rows(s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		o = json_object();
		set(o, "repository", jcol(st, 0));
		set(o, "runs_30d", jint(st, 1));
		set(o, "infra_runs_30d", jint(st, 2));
		set(o, "flaky_tests", jint(st, 3));
		set(o, "flaky_tests_prev", jint(st, 4));
		set(o, "trend", json_integer(sqlite3_column_int64(st, 3) -
					     sqlite3_column_int64(st, 4)));
		set(o, "last_run_at", jcol(st, 5));
		push(list, o);
	}
	out = json_object();
	set(out, "repos", list);
	list = NULL;
out:
	sqlite3_finalize(st);
	snap_end(s);
fail:
	json_decref(list);
	return out;
}

/* --- the flake table ---------------------------------------------------- */

/* Run groups of repository rid started in the window, on branch. */
static int group_counts(struct store *s, long long rid, const char *branch,
			int window_days, long long now_unix, json_t *o,
			struct err *err)
{
	static const char sql[] =
		"SELECT count(*), coalesce(sum(infra), 0) FROM run_groups"
		" WHERE repo_id = ?1 AND started_at >= ?2"
		" AND (?3 IS NULL OR coalesce(branch, '') = ?3)";
	sqlite3_stmt *st = NULL;
	char start[16];
	int rc, ret = -1;

	store_window_start(window_days, now_unix, start, sizeof(start));
	if (prepare(s, sql, &st, err))
		return -1;
	if (sqlite3_bind_int64(st, 1, rid) != SQLITE_OK ||
	    store_bind_text(st, 2, start) != SQLITE_OK ||
	    store_bind_text(st, 3, branch) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	if (step_rows(s, st, &rc, err))
		goto out;
	set(o, "runs", rc == SQLITE_ROW ? jint(st, 0) : json_integer(0));
	set(o, "infra_runs", rc == SQLITE_ROW ? jint(st, 1) : json_integer(0));
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

json_t *store_q_tests(struct store *s, const char *repo, const char *branch,
		      int window_days, long long now_unix, int all,
		      struct err *err)
{
	struct flake_row *rows = NULL;
	size_t n = 0, i;
	long long rid = 0;
	json_t *o = NULL, *tests;

	if (snap_begin(s, err))
		return NULL;
	if (repo_known(s, repo, &rid, err) ||
	    store_flake_table(s, repo, branch, window_days, now_unix,
			      all ? STORE_FLAKE_ALL : 0, &rows, &n, err))
		goto out;
	o = json_object();
	set(o, "repository", jstr(repo));
	set(o, "window_days", json_integer(window_days > 0 ? window_days : 0));
	set(o, "branch", jstr(branch));
	if (group_counts(s, rid, branch, window_days, now_unix, o, err)) {
		json_decref(o);
		o = NULL;
		goto out;
	}
	tests = json_array();
	for (i = 0; i < n; i++) {
		json_t *t = json_object();

		row_fields(t, &rows[i]);
		push(tests, t);
	}
	set(o, "tests", tests);
out:
	store_flake_rows_free(rows, n);
	snap_end(s);
	return o;
}

/* --- one test ----------------------------------------------------------- */

/* Days since 1970-01-01 of y-m-d (proleptic Gregorian; H. Hinnant). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe, mp;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	mp = m > 2 ? m - 3 : m + 9;
	doy = (153 * mp + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/* 'YYYY-MM-DD' -> day number; -1 when s is not such a day. */
static int parse_day(const char *s, long long *day)
{
	int y, m, d;

	if (!s || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 ||
	    m > 12 || d < 1 || d > 31)
		return -1;
	*day = days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

/* Day number -> 'YYYY-MM-DD' in out (>= 11 bytes). */
static void day_text(long long day, char *out, size_t size)
{
	time_t t = (time_t)(day * 86400);
	struct tm tm;

	out[0] = '\0';
	if (gmtime_r(&t, &tm))
		strftime(out, size, "%Y-%m-%d", &tm);
}

/* "daily": every day of the window, zeros filled. */
static int test_daily(struct store *s, long long rid, long long tid,
		      const char *branch, int window_days, long long now_unix,
		      json_t *o, struct err *err)
{
	static const char sql[] =
		"SELECT day, sum(executions), sum(failures), sum(runs),"
		" sum(flaky_runs), sum(failed_runs) FROM daily"
		" WHERE repo_id = ?1 AND test_id = ?2 AND day >= ?3"
		" AND (?4 IS NULL OR branch = ?4) GROUP BY day ORDER BY day";
	sqlite3_stmt *st = NULL;
	json_t *a = json_array();
	char start[16], ds[16];
	long long today = now_unix / 86400, first, d;
	int rc, ret = -1;

	store_window_start(window_days, now_unix, start, sizeof(start));
	if (prepare(s, sql, &st, err))
		goto out;
	if (sqlite3_bind_int64(st, 1, rid) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, tid) != SQLITE_OK ||
	    store_bind_text(st, 3, start) != SQLITE_OK ||
	    store_bind_text(st, 4, branch) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	if (step_rows(s, st, &rc, err))
		goto out;
	if (window_days > 0)
		first = today - (window_days - 1);
	else if (rc != SQLITE_ROW || parse_day(col_text(st, 0), &first))
		first = today;
	if (first < today - (Q_MAX_DAYS - 1))
		first = today - (Q_MAX_DAYS - 1);
	for (d = first; d <= today; d++) {
		json_t *e = json_object();
		int hit;

		day_text(d, ds, sizeof(ds));
		while (rc == SQLITE_ROW && strcmp(col_text(st, 0), ds) < 0)
			if (step_rows(s, st, &rc, err)) {
				json_decref(e);
				goto out;
			}
		hit = rc == SQLITE_ROW && !strcmp(col_text(st, 0), ds);
		set(e, "day", jstr(ds));
		set(e, "executions", hit ? jint(st, 1) : json_integer(0));
		set(e, "failures", hit ? jint(st, 2) : json_integer(0));
		set(e, "runs", hit ? jint(st, 3) : json_integer(0));
		set(e, "flaky_runs", hit ? jint(st, 4) : json_integer(0));
		set(e, "failed_runs", hit ? jint(st, 5) : json_integer(0));
		push(a, e);
		if (hit && step_rows(s, st, &rc, err))
			goto out;
	}
	set(o, "daily", a);
	a = NULL;
	ret = 0;
out:
	json_decref(a);
	sqlite3_finalize(st);
	return ret;
}

/*
 * "cells": from the test's verdicts (index verdicts_test) to its result
 * rows (primary key) of the window's non-infra uploads where it counted.
 * CROSS JOIN fixes that order: the test's own rows drive the query.
 */
static int test_cells(struct store *s, long long tid, const char *branch,
		      const char *start, json_t *o, struct err *err)
{
	static const char sql[] =
		"SELECT c.name, sum(res.passes + res.failures) AS n,"
		" sum(res.failures) AS k"
		" FROM verdicts v CROSS JOIN runs r CROSS JOIN results res"
		" CROSS JOIN cells c"
		" WHERE v.test_id = ?1 AND v.status IN ('passed', 'flaky')"
		" AND r.id = v.run_id AND r.infra = 0 AND r.started_at >= ?2"
		" AND (?3 IS NULL OR coalesce(r.branch, '') = ?3)"
		" AND res.run_id = v.run_id AND res.test_id = v.test_id"
		" AND c.run_id = res.run_id AND c.idx = res.cell_idx"
		" GROUP BY c.name"
		" ORDER BY CAST(k AS REAL) / max(n, 1) DESC, k DESC, c.name";
	sqlite3_stmt *st = NULL;
	json_t *a = json_array();
	int rc, ret = -1;

	if (prepare(s, sql, &st, err))
		goto out;
	if (sqlite3_bind_int64(st, 1, tid) != SQLITE_OK ||
	    store_bind_text(st, 2, start) != SQLITE_OK ||
	    store_bind_text(st, 3, branch) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	for (;;) {
		json_t *e;

		if (step_rows(s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		e = json_object();
		set(e, "cell", jcol(st, 0));
		set(e, "executions", jint(st, 1));
		set(e, "failures", jint(st, 2));
		push(a, e);
	}
	set(o, "cells", a);
	a = NULL;
	ret = 0;
out:
	json_decref(a);
	sqlite3_finalize(st);
	return ret;
}

/* "signatures": through failures_test; the sample is the latest row. */
static int test_signatures(struct store *s, long long tid,
			   const char *branch, const char *start, json_t *o,
			   struct err *err)
{
	static const char sql[] =
		"WITH g AS (SELECT f.kind, f.signature, sum(f.count) AS n,"
		"  max(f.id) AS last"
		"  FROM failures f CROSS JOIN runs r"
		"  WHERE f.test_id = ?1 AND r.id = f.run_id AND r.infra = 0"
		"  AND r.started_at >= ?2"
		"  AND (?3 IS NULL OR coalesce(r.branch, '') = ?3)"
		"  GROUP BY f.kind, f.signature)"
		" SELECT g.signature, g.kind, g.n, x.file, x.line, x.message,"
		" x.output FROM g JOIN failures x ON x.id = g.last"
		" ORDER BY g.n DESC, g.signature, g.kind LIMIT ?4";
	sqlite3_stmt *st = NULL;
	json_t *a = json_array();
	int rc, ret = -1;

	if (prepare(s, sql, &st, err))
		goto out;
	if (sqlite3_bind_int64(st, 1, tid) != SQLITE_OK ||
	    store_bind_text(st, 2, start) != SQLITE_OK ||
	    store_bind_text(st, 3, branch) != SQLITE_OK ||
	    sqlite3_bind_int(st, 4, Q_TOP_SIGNATURES) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	for (;;) {
		json_t *e;

		if (step_rows(s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		e = json_object();
		set(e, "signature", jcol(st, 0));
		set(e, "kind", jcol(st, 1));
		set(e, "count", jint(st, 2));
		set(e, "file", jcol(st, 3));
		set(e, "line", jint_or_null(st, 4, 1));
		set(e, "sample", jcol(st, 5));
		set(e, "output", jcol(st, 6));
		push(a, e);
	}
	set(o, "signatures", a);
	a = NULL;
	ret = 0;
out:
	json_decref(a);
	sqlite3_finalize(st);
	return ret;
}

/* "recent_runs": the test's latest uploads, merged per group. */
static int test_recent(struct store *s, long long tid, const char *branch,
		       json_t *o, struct err *err)
{
	static const char sql[] =
		"SELECT g.id, g.commit_sha, g.branch, g.pr,"
		" max(" RANK_SQL("v.status") "), g.started_at, g.infra"
		" FROM (SELECT run_id, status FROM verdicts WHERE test_id = ?1"
		"  ORDER BY run_id DESC LIMIT ?3) v"
		" JOIN runs r ON r.id = v.run_id"
		" JOIN run_groups g ON g.id = r.group_id"
		" WHERE ?2 IS NULL OR coalesce(g.branch, '') = ?2"
		" GROUP BY g.id ORDER BY g.started_at DESC, g.id DESC LIMIT ?4";
	sqlite3_stmt *st = NULL;
	json_t *a = json_array();
	int rc, ret = -1;

	if (prepare(s, sql, &st, err))
		goto out;
	if (sqlite3_bind_int64(st, 1, tid) != SQLITE_OK ||
	    store_bind_text(st, 2, branch) != SQLITE_OK ||
	    sqlite3_bind_int(st, 3, Q_RECENT_UPLOADS) != SQLITE_OK ||
	    sqlite3_bind_int(st, 4, Q_RECENT_RUNS) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	for (;;) {
		json_t *e;

		if (step_rows(s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		e = json_object();
		set(e, "run_id", jint(st, 0));
		set(e, "commit", jcol(st, 1));
		set(e, "branch", jcol(st, 2));
		set(e, "pr", jint_or_null(st, 3, 0));
		set(e, "status", json_string(rank_name(
			sqlite3_column_int(st, 4))));
		set(e, "at", jcol(st, 5));
		set(e, "infra", jbool(st, 6));
		push(a, e);
	}
	set(o, "recent_runs", a);
	a = NULL;
	ret = 0;
out:
	json_decref(a);
	sqlite3_finalize(st);
	return ret;
}

json_t *store_q_test(struct store *s, const char *repo, long long test_id,
		     const char *branch, int window_days, long long now_unix,
		     struct err *err)
{
	struct flake_row row;
	long long rid = 0;
	char start[16];
	json_t *o = NULL;
	int rc;

	memset(&row, 0, sizeof(row));
	if (snap_begin(s, err))
		return NULL;
	if (repo_known(s, repo, &rid, err))
		goto out;
	rc = store_flake_test(s, repo, test_id, branch, window_days, now_unix,
			      &row, err);
	if (rc < 0)
		goto out;
	if (rc > 0) {
		err_set(err, "no such test %lld in '%s'", test_id, repo);
		goto out;
	}
	store_window_start(window_days, now_unix, start, sizeof(start));
	o = json_object();
	row_fields(o, &row);
	set(o, "repository", jstr(repo));
	set(o, "window_days", json_integer(window_days > 0 ? window_days : 0));
	set(o, "branch", jstr(branch));
	if (test_daily(s, rid, test_id, branch, window_days, now_unix, o,
		       err) ||
	    test_cells(s, test_id, branch, start, o, err) ||
	    test_signatures(s, test_id, branch, start, o, err) ||
	    test_recent(s, test_id, branch, o, err)) {
		json_decref(o);
		o = NULL;
	}
out:
	store_flake_row_release(&row);
	snap_end(s);
	return o;
}

/* --- runs ---------------------------------------------------------------- */

/* The group's first upload, for what only uploads know. */
#define FIRST_UPLOAD \
	" LEFT JOIN runs f ON f.id =" \
	" (SELECT min(id) FROM runs WHERE group_id = g.id)"

json_t *store_q_runs(struct store *s, const char *repo, int limit,
		     long long before_group_id, struct err *err)
{
	static const char sql[] =
		"SELECT g.id, g.commit_sha, g.branch, g.base_branch, g.pr,"
		" g.started_at, f.gh_run_id, f.run_attempt, f.workflow,"
		" f.event, g.uploads, g.infra, g.tests, g.n_failed, g.n_flaky,"
		" g.n_passed, g.n_skipped, g.n_notrun"
		" FROM run_groups g" FIRST_UPLOAD
		" WHERE g.repo_id = ?1 AND (?2 <= 0 OR g.id < ?2)"
		" ORDER BY g.id DESC LIMIT ?3";
	sqlite3_stmt *st = NULL;
	json_t *o = NULL, *list = json_array();
	long long rid = 0, last = 0;
	int rc, count = 0;

	if (limit <= 0)
		limit = Q_RUNS_DEFAULT;
	if (limit > Q_RUNS_MAX)
		limit = Q_RUNS_MAX;
	if (snap_begin(s, err))
		goto fail;
	if (repo_known(s, repo, &rid, err) || prepare(s, sql, &st, err))
		goto out;
	if (sqlite3_bind_int64(st, 1, rid) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, before_group_id) != SQLITE_OK ||
	    sqlite3_bind_int(st, 3, limit) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	for (;;) {
		json_t *e, *t;

		if (step_rows(s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		e = json_object();
		t = json_object();
		last = sqlite3_column_int64(st, 0);
		count++;
		set(e, "run_id", jint(st, 0));
		set(e, "commit", jcol(st, 1));
		set(e, "branch", jcol(st, 2));
		set(e, "base_branch", jcol(st, 3));
		set(e, "pr", jint_or_null(st, 4, 0));
		set(e, "started_at", jcol(st, 5));
		set(e, "gh_run_id", jcol(st, 6));
		set(e, "run_attempt", jint_or_null(st, 7, 0));
		set(e, "workflow", jcol(st, 8));
		set(e, "event", jcol(st, 9));
		set(e, "uploads", jint(st, 10));
		set(e, "infra", jbool(st, 11));
		set(t, "tests", jint(st, 12));
		set(t, "failed", jint(st, 13));
		set(t, "flaky", jint(st, 14));
		set(t, "passed", jint(st, 15));
		set(t, "skipped", jint(st, 16));
		set(t, "notrun", jint(st, 17));
		set(e, "totals", t);
		push(list, e);
	}
	o = json_object();
	set(o, "repository", jstr(repo));
	set(o, "runs", list);
	list = NULL;
	set(o, "next_before", count == limit ? json_integer(last) :
	    json_null());
out:
	sqlite3_finalize(st);
	snap_end(s);
fail:
	json_decref(list);
	return o;
}

/* --- one merged run ------------------------------------------------------ */

/* A test of the merged verdict table, found by id while merging. */
struct mtest {
	long long id;
	json_t *obj;		/* borrowed from the tests array */
	json_t *cells, *fails;	/* borrowed from obj */
	double worst;		/* worst cell's rate (2: failed), -1 none */
	int worst_failures;
	const char *worst_cell;	/* borrowed from cells */
};

static int cmp_mtest(const void *a, const void *b)
{
	const struct mtest *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static struct mtest *mtest_find(struct mtest *v, size_t n, long long id)
{
	struct mtest key;

	memset(&key, 0, sizeof(key));
	key.id = id;
	return bsearch(&key, v, n, sizeof(*v), cmp_mtest);
}

static int run_meta(struct store *s, long long gid, json_t *o,
		    struct err *err)
{
	static const char sql[] =
		"SELECT g.id, p.name, g.commit_sha, g.branch, g.base_branch,"
		" g.pr, g.started_at, g.created_at, f.gh_run_id,"
		" f.run_attempt, f.workflow, f.event, g.infra, g.tests,"
		" (SELECT coalesce(sum(executions), 0) FROM runs"
		"  WHERE group_id = g.id),"
		" g.n_failed, g.n_flaky, g.n_passed, g.n_skipped, g.n_notrun"
		" FROM run_groups g JOIN repos p ON p.id = g.repo_id"
		FIRST_UPLOAD " WHERE g.id = ?1";
	sqlite3_stmt *st = NULL;
	json_t *t;
	int rc, ret = -1;

	if (prepare(s, sql, &st, err))
		return -1;
	if (sqlite3_bind_int64(st, 1, gid) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	if (step_rows(s, st, &rc, err))
		goto out;
	if (rc != SQLITE_ROW) {
		err_set(err, "no such run %lld", gid);
		goto out;
	}
	set(o, "run_id", jint(st, 0));
	set(o, "repository", jcol(st, 1));
	set(o, "commit", jcol(st, 2));
	set(o, "branch", jcol(st, 3));
	set(o, "base_branch", jcol(st, 4));
	set(o, "pr", jint_or_null(st, 5, 0));
	set(o, "started_at", jcol(st, 6));
	set(o, "created_at", jint(st, 7));
	set(o, "gh_run_id", jcol(st, 8));
	set(o, "run_attempt", jint_or_null(st, 9, 0));
	set(o, "workflow", jcol(st, 10));
	set(o, "event", jcol(st, 11));
	set(o, "infra", jbool(st, 12));
	t = json_object();
	set(t, "tests", jint(st, 13));
	set(t, "executions", jint(st, 14));
	set(t, "failed", jint(st, 15));
	set(t, "flaky", jint(st, 16));
	set(t, "passed", jint(st, 17));
	set(t, "skipped", jint(st, 18));
	set(t, "notrun", jint(st, 19));
	set(o, "totals", t);
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

static int run_uploads(struct store *s, long long gid, json_t *o,
		       struct err *err)
{
	static const char sql[] =
		"SELECT id, job, shard, started_at, go_version, goos, goarch,"
		" wall_ms, tests, executions, infra FROM runs"
		" WHERE group_id = ?1 ORDER BY id";
	sqlite3_stmt *st = NULL;
	json_t *a = json_array();
	int rc, ret = -1;

	if (prepare(s, sql, &st, err))
		goto out;
	if (sqlite3_bind_int64(st, 1, gid) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	for (;;) {
		json_t *e;

		if (step_rows(s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		e = json_object();
		set(e, "upload_id", jint(st, 0));
		set(e, "job", jcol(st, 1));
		set(e, "shard", jcol(st, 2));
		set(e, "started_at", jcol(st, 3));
		set(e, "go_version", jcol(st, 4));
		set(e, "goos", jcol(st, 5));
		set(e, "goarch", jcol(st, 6));
		set(e, "wall_ms", jint(st, 7));
		set(e, "tests", jint(st, 8));
		set(e, "executions", jint(st, 9));
		set(e, "infra", jbool(st, 10));
		push(a, e);
	}
	set(o, "uploads", a);
	a = NULL;
	ret = 0;
out:
	json_decref(a);
	sqlite3_finalize(st);
	return ret;
}

/* The union of the uploads' cells by name; wall_ms summed. */
static int run_cells(struct store *s, long long gid, json_t *o,
		     struct err *err)
{
	static const char sql[] =
		"SELECT c.name, c.race, c.gomaxprocs, c.count, c.shuffle,"
		" c.stress, c.wall_ms FROM runs r JOIN cells c"
		" ON c.run_id = r.id WHERE r.group_id = ?1 ORDER BY r.id, c.idx";
	sqlite3_stmt *st = NULL;
	json_t *a = json_array(), *by_name = json_object();
	int rc, ret = -1;

	if (prepare(s, sql, &st, err))
		goto out;
	if (sqlite3_bind_int64(st, 1, gid) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	for (;;) {
		const char *name;
		json_t *e, *w;

		if (step_rows(s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		name = col_text(st, 0) ? col_text(st, 0) : "";
		e = json_object_get(by_name, name);
		if (e) {
			w = json_object_get(e, "wall_ms");
			set(e, "wall_ms", json_integer(json_integer_value(w) +
						       sqlite3_column_int64(st,
									    6)));
			continue;
		}
		e = json_object();
		set(e, "name", jstr(name));
		set(e, "race", sqlite3_column_int(st, 1) < 0 ? json_null() :
		    jbool(st, 1));
		set(e, "gomaxprocs", jint_or_null(st, 2, 1));
		set(e, "count", jint(st, 3));
		set(e, "shuffle", jbool(st, 4));
		set(e, "stress", jint(st, 5));
		set(e, "wall_ms", jint(st, 6));
		push(a, e);
		/* A second reference: the name index (keys need not be
		 * valid UTF-8 for json_object_set_nocheck). */
		if (json_object_set_nocheck(by_name, name, e))
			BUG("cell index");
	}
	set(o, "cells", a);
	a = NULL;
	ret = 0;
out:
	json_decref(a);
	json_decref(by_name);
	sqlite3_finalize(st);
	return ret;
}

/* The merged verdicts: one object per test, in the document's order. */
#define RUN_VERDICTS_GROUPED \
	"SELECT v.test_id, t.package, t.name," \
	" max(" RANK_SQL("v.status") ") AS w," \
	" sum(v.executions), sum(v.passes), sum(v.failures)," \
	" sum(v.skips), sum(v.notrun), sum(v.rerun_passes)," \
	" sum(v.rerun_failures), sum(v.seconds), max(v.new_flaky)" \
	" FROM runs r JOIN verdicts v ON v.run_id = r.id" \
	" JOIN tests t ON t.id = v.test_id" \
	" WHERE r.group_id = ?1 AND v.test_id > ?3 GROUP BY v.test_id"
#define RUN_VERDICTS_SQL(having) \
	RUN_VERDICTS_GROUPED having " ORDER BY 4 - w, t.package, t.name LIMIT ?2"
/* One page, keyset by test id: O(page) whatever the run's size. */
#define RUN_VERDICTS_PAGE_SQL \
	RUN_VERDICTS_GROUPED " ORDER BY v.test_id LIMIT ?2"

static int run_verdicts(struct store *s, long long gid, unsigned flags,
			long long offset, long long limit, long long *more,
			json_t *tests, struct mtest **vp, size_t *np,
			struct err *err)
{
	static const char all[] = RUN_VERDICTS_SQL("");
	static const char failing[] = RUN_VERDICTS_SQL(" HAVING w >= 3");
	static const char page[] = RUN_VERDICTS_PAGE_SQL;
	const char *sql = limit >= 0 ? page :
			  (flags & STORE_Q_FAILING) ? failing : all;
	sqlite3_stmt *st = NULL;
	struct mtest *v = NULL;
	size_t n = 0, alloc = 0;
	int rc, ret = -1;

	if (prepare(s, sql, &st, err))
		goto out;
	if (sqlite3_bind_int64(st, 1, gid) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, limit >= 0 ? limit + 1 : -1) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, limit >= 0 ? offset : -1) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	for (;;) {
		json_t *o;
		struct mtest *m;

		if (step_rows(s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		/* The row past the page: there is a next page after the
		 * last one kept. */
		if (limit >= 0 && (long long)n == limit) {
			*more = v[n - 1].id;
			break;
		}
		o = json_object();
		set(o, "package", jcol(st, 1));
		set(o, "name", jcol(st, 2));
		set(o, "status", json_string(rank_name(
			sqlite3_column_int(st, 3))));
		set(o, "executions", jint(st, 4));
		set(o, "passes", jint(st, 5));
		set(o, "failures", jint(st, 6));
		set(o, "skips", jint(st, 7));
		set(o, "notrun", jint(st, 8));
		set(o, "rerun_passes", jint(st, 9));
		set(o, "rerun_failures", jint(st, 10));
		set(o, "seconds", json_real(sqlite3_column_double(st, 11)));
		set(o, "new_flaky", jbool(st, 12));
		set(o, "worst_cell", json_null());
		set(o, "where", json_null());
		set(o, "repro", json_null());
		set(o, "cells", json_array());
		set(o, "failure_details", json_array());
		push(tests, o);
		xgrow((void **)&v, &alloc, n + 1, sizeof(*v));
		m = &v[n++];
		m->id = sqlite3_column_int64(st, 0);
		m->obj = o;
		m->cells = json_object_get(o, "cells");
		m->fails = json_object_get(o, "failure_details");
		m->worst = -1.0;
		m->worst_failures = 0;
		m->worst_cell = NULL;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_mtest);
	*vp = v;
	*np = n;
	v = NULL;
	ret = 0;
out:
	free(v);
	sqlite3_finalize(st);
	return ret;
}

/* Each test's cells merged by name; derives worst_cell. */
#define RUN_TEST_CELLS_SQL(only) \
	"SELECT res.test_id, c.name, max(" RANK_SQL("res.status") ")," \
	" sum(res.passes), sum(res.failures), sum(res.skips)," \
	" sum(res.notrun), sum(res.rerun_passes)," \
	" sum(res.rerun_failures)" \
	" FROM runs r JOIN results res ON res.run_id = r.id" \
	" JOIN cells c ON c.run_id = res.run_id AND c.idx = res.cell_idx" \
	" WHERE r.group_id = ?1" only " GROUP BY res.test_id, c.name" \
	" ORDER BY res.test_id, min(res.run_id), min(res.cell_idx)"

static int run_test_cells(struct store *s, long long gid, unsigned flags,
			  const char *ids, struct mtest *v, size_t n,
			  struct err *err)
{
	static const char all[] = RUN_TEST_CELLS_SQL("");
	/* Only the failing tests' rows: primary-key lookups, not the
	 * group's every row. */
	static const char failing[] = RUN_TEST_CELLS_SQL(
		" AND res.test_id IN (SELECT v.test_id FROM runs r2"
		" JOIN verdicts v ON v.run_id = r2.id WHERE r2.group_id = ?1"
		" AND v.status IN ('failed', 'flaky'))");
	/* One page: only its tests' rows (primary-key lookups). */
	static const char page[] = RUN_TEST_CELLS_SQL(
		" AND res.test_id IN (SELECT value FROM json_each(?2))");
	const char *sql = ids ? page : (flags & STORE_Q_FAILING) ? failing : all;
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc, ret = -1;

	if (prepare(s, sql, &st, err))
		goto out;
	if (sqlite3_bind_int64(st, 1, gid) != SQLITE_OK ||
	    (ids && store_bind_text(st, 2, ids) != SQLITE_OK)) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	for (;;) {
		struct mtest *m;
		json_t *c, *name;
		int w, passes, failures;
		double rate;

		if (step_rows(s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		m = mtest_find(v, n, sqlite3_column_int64(st, 0));
		if (!m)
			continue;
		w = sqlite3_column_int(st, 2);
		passes = sqlite3_column_int(st, 3);
		failures = sqlite3_column_int(st, 4);
		c = json_object();
		name = jcol(st, 1);
		set(c, "cell", name);
		set(c, "status", json_string(rank_name(w)));
		set(c, "passes", json_integer(passes));
		set(c, "failures", json_integer(failures));
		set(c, "skips", jint(st, 5));
		set(c, "notrun", jint(st, 6));
		set(c, "rerun_passes", jint(st, 7));
		set(c, "rerun_failures", jint(st, 8));
		push(m->cells, c);
		if (!failures)
			continue;
		/* As results_finish(): a failed cell outranks any rate. */
		rate = w == 4 ? 2.0 : (double)failures /
		       (double)(passes + failures);
		if (rate > m->worst || (rate == m->worst &&
					failures > m->worst_failures)) {
			m->worst = rate;
			m->worst_failures = failures;
			m->worst_cell = json_string_value(name);
		}
	}
	for (i = 0; i < n; i++)
		if (v[i].worst_cell)
			set(v[i].obj, "worst_cell", jstr(
				v[i].worst_cell));
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

#define RUN_FAILURES_SQL(only) \
	"SELECT f.test_id, c.name, f.kind, f.file, f.line, f.message," \
	" f.signature, f.count, f.rerun, f.seed, f.output" \
	" FROM runs r JOIN failures f ON f.run_id = r.id" \
	" JOIN cells c ON c.run_id = f.run_id AND c.idx = f.cell_idx" \
	" WHERE r.group_id = ?1" only " ORDER BY f.test_id, f.id"

static int run_failures(struct store *s, long long gid, const char *ids,
			struct mtest *v, size_t n, struct err *err)
{
	static const char all[] = RUN_FAILURES_SQL("");
	static const char page[] = RUN_FAILURES_SQL(
		" AND f.test_id IN (SELECT value FROM json_each(?2))");
	sqlite3_stmt *st = NULL;
	int rc, ret = -1;

	if (prepare(s, ids ? page : all, &st, err))
		goto out;
	if (sqlite3_bind_int64(st, 1, gid) != SQLITE_OK ||
	    (ids && store_bind_text(st, 2, ids) != SQLITE_OK)) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	for (;;) {
		struct mtest *m;
		json_t *d;

		if (step_rows(s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		m = mtest_find(v, n, sqlite3_column_int64(st, 0));
		if (!m)
			continue;
		d = json_object();
		set(d, "cell", jcol(st, 1));
		set(d, "kind", jcol(st, 2));
		set(d, "file", jcol(st, 3));
		set(d, "line", jint_or_null(st, 4, 1));
		set(d, "message", jcol(st, 5));
		set(d, "signature", jcol(st, 6));
		set(d, "count", jint(st, 7));
		set(d, "rerun", jbool(st, 8));
		if (sqlite3_column_int64(st, 9))
			set(d, "shuffle_seed", jint(st, 9));
		set(d, "output", jcol(st, 10));
		push(m->fails, d);
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

json_t *store_q_run(struct store *s, long long group_id, struct err *err)
{
	return store_q_run_ex(s, group_id, 0, err);
}

/* The number of tests in a run group (for its pages). */
static int run_count(struct store *s, long long gid, long long *out,
		     struct err *err)
{
	static const char sql[] =
		"SELECT count(DISTINCT v.test_id) FROM runs r"
		" JOIN verdicts v ON v.run_id = r.id WHERE r.group_id = ?1";
	sqlite3_stmt *st = NULL;
	int rc, ret = -1;

	if (prepare(s, sql, &st, err))
		return -1;
	if (sqlite3_bind_int64(st, 1, gid) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	if (step_rows(s, st, &rc, err))
		goto out;
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

json_t *store_q_run_ex(struct store *s, long long group_id, unsigned flags,
		       struct err *err)
{
	return store_q_run_page(s, group_id, flags, 0, -1, err);
}

json_t *store_q_run_page(struct store *s, long long group_id, unsigned flags,
			 long long offset, long long limit, struct err *err)
{
	json_t *o = json_object(), *tests = json_array();
	struct mtest *v = NULL;
	size_t n = 0;
	long long total = 0, more = 0;
	char *ids = NULL, *idp;
	int ok = 0;

	if (snap_begin(s, err))
		goto fail;
	if (run_meta(s, group_id, o, err) ||
	    run_uploads(s, group_id, o, err) ||
	    run_cells(s, group_id, o, err) ||
	    (limit >= 0 && !(flags & STORE_Q_FAILING) &&
	     run_count(s, group_id, &total, err)) ||
	    run_verdicts(s, group_id, flags, offset, limit, &more, tests, &v,
			 &n, err))
		goto out;
	/* A page names its tests: the rows read are the page's, not the
	 * run's (a JSON array of ids, for json_each). */
	if (limit >= 0) {
		size_t i;

		ids = xcalloc(n * 21 + 3, 1);
		idp = ids;
		*idp++ = '[';
		for (i = 0; i < n; i++)
			idp += sprintf(idp, "%s%lld", i ? "," : "", v[i].id);
		*idp++ = ']';
		*idp = '\0';
	}
	if (run_test_cells(s, group_id, flags, ids, v, n, err) ||
	    run_failures(s, group_id, ids, v, n, err))
		goto out;
	if (limit >= 0 && !(flags & STORE_Q_FAILING)) {
		json_t *pg = json_object();

		set(pg, "cursor", json_integer((json_int_t)offset));
		set(pg, "limit", json_integer((json_int_t)limit));
		set(pg, "total", json_integer((json_int_t)total));
		set(pg, "next", more ? json_integer((json_int_t)more) :
		    json_null());
		set(o, "page", pg);
	}
	/* Last, as in the results document. */
	set(o, "tests", json_incref(tests));
	ok = 1;
out:
	free(ids);
	free(v);
	snap_end(s);
fail:
	json_decref(tests);
	if (!ok) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

/* --- the PR comparison --------------------------------------------------- */

const char *compare_class_name(enum compare_class c)
{
	switch (c) {
	case COMPARE_NEW: return "new";
	case COMPARE_KNOWN: return "known";
	case COMPARE_FIXED: return "fixed";
	}
	return "unknown";
}

static int cmp_test_ptr(const void *a, const void *b)
{
	const struct test *x = *(const struct test *const *)a;
	const struct test *y = *(const struct test *const *)b;
	int c = strcmp(x->package, y->package);

	return c ? c : strcmp(x->name, y->name);
}

struct test_key {
	const char *package, *name;
};

/* bsearch(): a struct test_key against a const struct test *. */
static int cmp_key_test(const void *k, const void *e)
{
	const struct test_key *x = k;
	const struct test *y = *(const struct test *const *)e;
	int c = strcmp(x->package, y->package);

	return c ? c : strcmp(x->name, y->name);
}

/* r's test (package, name) in the sorted index, or NULL. */
static const struct test *find_test(const struct test **idx, size_t n,
				    const char *package, const char *name)
{
	struct test_key key;
	const struct test *const *hit;

	key.package = package;
	key.name = name;
	hit = bsearch(&key, idx, n, sizeof(*idx), cmp_key_test);
	return hit ? *hit : NULL;
}

static int verdict_order(enum verdict v)
{
	return v == VERDICT_FAILED ? 0 : v == VERDICT_FLAKY ? 1 : 2;
}

static int cmp_compare(const void *a, const void *b)
{
	const struct compare_row *x = a, *y = b;
	int c;

	if (x->cls != y->cls)
		return x->cls < y->cls ? -1 : 1;
	c = verdict_order(x->status) - verdict_order(y->status);
	if (c)
		return c;
	if (x->rate != y->rate)
		return x->rate < y->rate ? 1 : -1;
	c = strcmp(x->package, y->package);
	return c ? c : strcmp(x->name, y->name);
}

/* r's start as the store normalizes it, else now_unix, into out. */
static int run_bound(struct store *s, const struct results *r,
		     long long now_unix, char *out, size_t size,
		     struct err *err)
{
	static const char sql[] =
		"SELECT coalesce(strftime('%Y-%m-%dT%H:%M:%SZ', ?1),"
		" strftime('%Y-%m-%dT%H:%M:%SZ', ?2, 'unixepoch'))";
	sqlite3_stmt *st = NULL;
	int rc, ret = -1;

	if (prepare(s, sql, &st, err))
		return -1;
	if (store_bind_text(st, 1, r->meta.started_at) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, now_unix) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	if (step_rows(s, st, &rc, err))
		goto out;
	snprintf(out, size, "%s", rc == SQLITE_ROW && col_text(st, 0) ?
		 col_text(st, 0) : "");
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

/* What every row is filled from. */
struct compare_ctx {
	struct store *s;
	const char *repo, *base, *bound;
	long long rid;
	int window_days;
	long long now_unix;
	struct compare_row *v;
	size_t n, alloc;
};

/* Appends the row of test (package, name), tests.id tid (0: unknown). */
static int compare_add(struct compare_ctx *c, const char *package,
		       const char *name, long long tid, enum verdict status,
		       int fixed, struct err *err)
{
	struct flake_row fr;
	struct compare_row *row;
	int rc = 1;

	memset(&fr, 0, sizeof(fr));
	if (tid)
		rc = store_flake_test(c->s, c->repo, tid, c->base,
				      c->window_days, c->now_unix, &fr, err);
	if (rc < 0)
		return -1;
	xgrow((void **)&c->v, &c->alloc, c->n + 1, sizeof(*c->v));
	row = &c->v[c->n++];
	memset(row, 0, sizeof(*row));
	row->test_id = tid;
	row->package = xstrdup(package);
	row->name = xstrdup(name);
	row->status = status;
	row->lo = 0.0;
	row->hi = 1.0;
	if (rc == 0) {
		row->executions = fr.executions;
		row->failures = fr.failures;
		row->runs = fr.runs;
		row->flaky_runs = fr.flaky_runs;
		row->failed_runs = fr.failed_runs;
		row->rate = fr.rate;
		row->lo = fr.lo;
		row->hi = fr.hi;
		row->first_flaky_commit = fr.first_flaky_commit;
		row->first_flaky_at = fr.first_flaky_at;
		fr.first_flaky_commit = NULL;
		fr.first_flaky_at = NULL;
	}
	if (stats_format_rate(row->rate_text, sizeof(row->rate_text),
			      row->failures, row->executions))
		snprintf(row->rate_text, sizeof(row->rate_text), "n/a");
	if (fixed)
		row->cls = COMPARE_FIXED;
	else if (row->first_flaky_at &&
		 strcmp(row->first_flaky_at, c->bound) < 0)
		row->cls = COMPARE_KNOWN;
	else
		row->cls = COMPARE_NEW;
	store_flake_row_release(&fr);
	return 0;
}

/* The flaky and failed tests of r. */
static int compare_broken(struct compare_ctx *c, const struct results *r,
			  struct err *err)
{
	static const char sql[] =
		"SELECT id FROM tests WHERE repo_id = ?1 AND package = ?2"
		" AND name = ?3";
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc, ret = -1;

	if (prepare(c->s, sql, &st, err))
		return -1;
	for (i = 0; i < r->ntests; i++) {
		const struct test *t = r->tests[i];
		long long tid = 0;

		if (t->status != VERDICT_FLAKY && t->status != VERDICT_FAILED)
			continue;
		if (c->rid) {
			sqlite3_reset(st);
			if (sqlite3_bind_int64(st, 1, c->rid) != SQLITE_OK ||
			    store_bind_text(st, 2, t->package) != SQLITE_OK ||
			    store_bind_text(st, 3, t->name) != SQLITE_OK) {
				store_db_err(c->s, "cannot read history in",
					     err);
				goto out;
			}
			if (step_rows(c->s, st, &rc, err))
				goto out;
			if (rc == SQLITE_ROW)
				tid = sqlite3_column_int64(st, 0);
		}
		if (compare_add(c, t->package, t->name, tid, t->status, 0,
				err))
			goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

/* The tests flaky on base in the window that passed in r. */
static int compare_fixed(struct compare_ctx *c, const struct results *r,
			 struct err *err)
{
	static const char sql[] =
		"SELECT DISTINCT d.test_id, t.package, t.name"
		" FROM daily AS d INDEXED BY daily_failing"
		" JOIN tests t ON t.id = d.test_id"
		" WHERE d.repo_id = ?1 AND d.day >= ?2"
		" AND (failures > 0 OR failed_runs > 0) AND d.flaky_runs > 0"
		" AND (?3 IS NULL OR d.branch = ?3)";
	sqlite3_stmt *st = NULL;
	const struct test **idx = NULL;
	char start[16];
	size_t i;
	int rc, ret = -1;

	if (!r->ntests)
		return 0;
	idx = xcalloc(r->ntests, sizeof(*idx));
	for (i = 0; i < r->ntests; i++)
		idx[i] = r->tests[i];
	qsort(idx, r->ntests, sizeof(*idx), cmp_test_ptr);
	store_window_start(c->window_days, c->now_unix, start, sizeof(start));
	if (prepare(c->s, sql, &st, err))
		goto out;
	if (sqlite3_bind_int64(st, 1, c->rid) != SQLITE_OK ||
	    store_bind_text(st, 2, start) != SQLITE_OK ||
	    store_bind_text(st, 3, c->base) != SQLITE_OK) {
		store_db_err(c->s, "cannot read history in", err);
		goto out;
	}
	for (;;) {
		const struct test *t;

		if (step_rows(c->s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		t = find_test(idx, r->ntests, col_text(st, 1) ?
			      col_text(st, 1) : "", col_text(st, 2) ?
			      col_text(st, 2) : "");
		if (!t || t->status != VERDICT_PASSED)
			continue;
		if (compare_add(c, t->package, t->name,
				sqlite3_column_int64(st, 0), t->status, 1,
				err))
			goto out;
	}
	ret = 0;
out:
	free(idx);
	sqlite3_finalize(st);
	return ret;
}

int store_q_compare(struct store *s, const char *repo,
		    const char *base_branch, const struct results *r,
		    int window_days, long long now_unix,
		    struct compare_row **rows, size_t *n, struct err *err)
{
	struct compare_ctx c;
	char bound[40];
	int rc, ret = -1;

	if (!r->finished)
		BUG("store_q_compare() before results_finish()");
	memset(&c, 0, sizeof(c));
	c.s = s;
	c.repo = repo;
	c.base = base_branch;
	c.bound = bound;
	c.window_days = window_days;
	c.now_unix = now_unix;
	if (snap_begin(s, err))
		return -1;
	if (run_bound(s, r, now_unix, bound, sizeof(bound), err))
		goto out;
	rc = store_repo_find(s, repo, 0, &c.rid, err);
	if (rc < 0)
		goto out;
	if (rc > 0)
		c.rid = 0;
	if (compare_broken(&c, r, err) ||
	    (c.rid && compare_fixed(&c, r, err)))
		goto out;
	if (c.n)
		qsort(c.v, c.n, sizeof(*c.v), cmp_compare);
	*rows = c.v;
	*n = c.n;
	c.v = NULL;
	c.n = 0;
	ret = 0;
out:
	store_compare_rows_free(c.v, c.n);
	snap_end(s);
	return ret;
}

void store_compare_rows_free(struct compare_row *rows, size_t n)
{
	size_t i;

	if (!rows)
		return;
	for (i = 0; i < n; i++) {
		free(rows[i].package);
		free(rows[i].name);
		free(rows[i].first_flaky_commit);
		free(rows[i].first_flaky_at);
	}
	free(rows);
}

/* --- trends for the repository page --------------------------------------- */

static int fixed_count(struct store *s, long long rid, const char *branch,
		       const char *prev, const char *start, long long *out,
		       struct err *err)
{
	static const char sql[] =
		"SELECT count(*) FROM (SELECT tf.test_id FROM test_flaky tf"
		" JOIN tests t ON t.id = tf.test_id WHERE t.repo_id = ?1"
		" AND (?4 IS NULL OR tf.branch = ?4) GROUP BY tf.test_id"
		" HAVING max(tf.last_flaky_at) >= ?2"
		" AND max(tf.last_flaky_at) < ?3)";
	sqlite3_stmt *st = NULL;
	int rc, ret = -1;

	if (prepare(s, sql, &st, err))
		goto out;
	if (sqlite3_bind_int64(st, 1, rid) != SQLITE_OK ||
	    store_bind_text(st, 2, prev) != SQLITE_OK ||
	    store_bind_text(st, 3, start) != SQLITE_OK ||
	    store_bind_text(st, 4, branch) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	if (step_rows(s, st, &rc, err))
		goto out;
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

static int spark(struct store *s, long long rid, long long tid,
		 const char *branch, const char *start, int days,
		 long long now_unix, json_t *t, struct err *err)
{
	static const char sql[] =
		"SELECT day, sum(failures) FROM daily WHERE repo_id = ?1"
		" AND test_id = ?2 AND day >= ?3 AND (?4 IS NULL OR branch = ?4)"
		" GROUP BY day ORDER BY day";
	sqlite3_stmt *st = NULL;
	json_t *a = json_array();
	long long *v = xcalloc((size_t)days, sizeof(*v));
	long long start_t = now_unix - (long long)(days - 1) * 86400;
	int rc, i, ret = -1;

	if (prepare(s, sql, &st, err))
		goto out;
	if (sqlite3_bind_int64(st, 1, rid) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, tid) != SQLITE_OK ||
	    store_bind_text(st, 3, start) != SQLITE_OK ||
	    store_bind_text(st, 4, branch) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	for (;;) {
		const char *day;
		struct tm tm;
		char buf[16];

		if (step_rows(s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		day = (const char *)sqlite3_column_text(st, 0);
		for (i = 0; day && i < days; i++) {
			time_t tt = (time_t)(start_t + (long long)i * 86400);

			gmtime_r(&tt, &tm);
			strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
			if (!strcmp(buf, day)) {
				v[i] += sqlite3_column_int64(st, 1);
				break;
			}
		}
	}
	for (i = 0; i < days; i++)
		push(a, json_integer(v[i]));
	set(t, "daily_failures", json_incref(a));
	ret = 0;
out:
	json_decref(a);
	free(v);
	sqlite3_finalize(st);
	return ret;
}

int store_q_trends(struct store *s, const char *repo, const char *branch,
		   int window_days, long long now_unix, json_t *doc,
		   struct err *err)
{
	char start[16], prev[16];
	json_t *tests = json_object_get(doc, "tests"), *t;
	long long rid = 0, fixed = 0, nnew = 0, known = 0;
	size_t i;
	int ret = -1, days = window_days > 0 ? window_days : 30;

	store_window_start(days, now_unix, start, sizeof(start));
	store_window_start(2 * days, now_unix, prev, sizeof(prev));
	if (snap_begin(s, err))
		return -1;
	if (repo_known(s, repo, &rid, err) ||
	    fixed_count(s, rid, branch, prev, start, &fixed, err))
		goto out;
	json_array_foreach(tests, i, t) {
		const char *first = json_string_value(json_object_get(
			json_object_get(t, "first_flaky"), "at"));

		if (json_integer_value(json_object_get(t, "flaky_runs")) > 0) {
			if (first && strcmp(first, start) >= 0)
				nnew++;
			else
				known++;
		}
		if (i < STORE_Q_SPARK_MAX &&
		    spark(s, rid, json_integer_value(json_object_get(t, "id")),
			  branch, start, days, now_unix, t, err))
			goto out;
	}
	set(doc, "flakes", json_pack("{s:I,s:I,s:I}", "new", (json_int_t)nnew,
				      "known", (json_int_t)known,
				      "fixed", (json_int_t)fixed));
	ret = 0;
out:
	snap_end(s);
	return ret;
}
