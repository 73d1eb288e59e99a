/*
 * store_query.c: the reporter's read queries.  See store_query.h for the
 * shapes and schema/00*.sql for the tables.
 *
 * Invariants:
 *   - Every public query runs inside one SAVEPOINT (a read transaction,
 *     so one snapshot) and releases it on every path.
 *   - Statements are prepared per call and finalized at the function's
 *     out: label; none outlives its query.
 *   - A run group's verdict of a test is its group_verdicts row (the
 *     uploads merged per test and cell, written by store.c) when there is
 *     one, else the worst of its uploads' by RANK_SQL (failed 4 > flaky
 *     3 > passed 2 > skipped 1 > notrun 0).  A test's status in one cell
 *     of a group is results_cell_verdict() of the counts its uploads sum
 *     to there, as the merge derives it.
 *   - The reads fill typed structs (store_query.h); none makes JSON
 *     (store_json.c does).  Text columns reach them through col_dup()
 *     (valid UTF-8).
 */
#include "store_query.h"
#include "store_int.h"
#include "store_quarantine.h"
#include "buf.h"
#include "err.h"
#include "results.h"
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

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
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

/* --- typed rows ---------------------------------------------------------- */

/* Column i as a new valid UTF-8 string, NULL when NULL. */
static char *col_dup(sqlite3_stmt *st, int i)
{
	return utf8_dup(col_text(st, i));
}

static long long col_int(sqlite3_stmt *st, int i)
{
	return sqlite3_column_int64(st, i);
}

/* Steps st once: *out is column 0 of its row, 0 when there is none. */
static int step_int(struct store *s, sqlite3_stmt *st, long long *out,
		    struct err *err)
{
	int rc;

	if (step_rows(s, st, &rc, err))
		return -1;
	*out = rc == SQLITE_ROW ? col_int(st, 0) : 0;
	return 0;
}

/* Grows *v (of *n elements, capacity *cap) by one zeroed element. */
static void *grow(void *v, size_t *n, size_t *cap, size_t size)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		v = xrealloc(v, *cap * size);
	}
	memset((char *)v + *n * size, 0, size);
	(*n)++;
	return v;
}

#define GROW(v, n, cap) ((v) = grow((v), &(n), &(cap), sizeof(*(v))), \
			 &(v)[(n) - 1])

void store_q_rate_text(const struct flake_row *f, char *out, size_t size)
{
	if (stats_format_rate(out, size, f->failures, f->executions))
		snprintf(out, size, "n/a");
}

/* --- repositories ------------------------------------------------------- */

/* Distinct tests flaky on days [?from, ?to) of repository p.id. */
#define FLAKY_COUNT(from, to) \
	" (SELECT count(DISTINCT test_id) FROM daily INDEXED BY daily_failing" \
	"  WHERE repo_id = p.id AND day >= " from " AND day < " to \
	"  AND (failures > 0 OR failed_runs > 0) AND flaky_runs > 0)"

int store_q_repo_list(struct store *s, long long now_unix,
		      struct q_repos *out, struct err *err)
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
	char d30[16], d7[16], d14[16];
	size_t cap = 0;
	int rc, ret = -1;

	memset(out, 0, sizeof(*out));
	store_window_start(30, now_unix, d30, sizeof(d30));
	store_window_start(7, now_unix, d7, sizeof(d7));
	store_window_start(14, now_unix, d14, sizeof(d14));
	if (snap_begin(s, err))
		return -1;
	if (prepare(s, sql, &st, err))
		goto out;
	if (store_bind_text(st, 1, d30) != SQLITE_OK ||
	    store_bind_text(st, 2, d7) != SQLITE_OK ||
	    store_bind_text(st, 3, d14) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	for (;;) {
		struct q_repo *r;

		if (step_rows(s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		r = GROW(out->v, out->n, cap);
		r->repository = col_dup(st, 0);
		r->runs_30d = col_int(st, 1);
		r->infra_runs_30d = col_int(st, 2);
		r->flaky_tests = col_int(st, 3);
		r->flaky_tests_prev = col_int(st, 4);
		r->last_run_at = col_dup(st, 5);
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	snap_end(s);
	if (ret)
		store_q_repos_release(out);
	return ret;
}

void store_q_repos_release(struct q_repos *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].repository);
		free(r->v[i].last_run_at);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* --- the flake table ---------------------------------------------------- */

/* Run groups of repository rid started in the window, on branch. */
static int group_counts(struct store *s, long long rid, struct q_flakes *f,
			long long now_unix, struct err *err)
{
	static const char sql[] =
		"SELECT count(*), coalesce(sum(infra), 0) FROM run_groups"
		" WHERE repo_id = ?1 AND started_at >= ?2"
		" AND (?3 IS NULL OR coalesce(branch, '') = ?3)";
	sqlite3_stmt *st = NULL;
	char start[16];
	int rc, ret = -1;

	store_window_start(f->window_days, now_unix, start, sizeof(start));
	if (prepare(s, sql, &st, err))
		return -1;
	if (sqlite3_bind_int64(st, 1, rid) != SQLITE_OK ||
	    store_bind_text(st, 2, start) != SQLITE_OK ||
	    store_bind_text(st, 3, f->branch) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	if (step_rows(s, st, &rc, err))
		goto out;
	f->runs = rc == SQLITE_ROW ? col_int(st, 0) : 0;
	f->infra_runs = rc == SQLITE_ROW ? col_int(st, 1) : 0;
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

static int trends(struct store *s, long long rid, struct q_flakes *f,
		  long long now_unix, struct err *err);

int store_q_flakes(struct store *s, const char *repo, const char *branch,
		   int window_days, long long now_unix, unsigned flags,
		   struct q_flakes *out, struct err *err)
{
	long long rid = 0;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (snap_begin(s, err))
		return -1;
	out->repository = utf8_dup(repo);
	out->branch = utf8_dup(branch);
	out->window_days = window_days > 0 ? window_days : 0;
	if (repo_known(s, repo, &rid, err) ||
	    store_flake_table(s, repo, branch, window_days, now_unix,
			      flags & STORE_Q_ALL ? STORE_FLAKE_ALL : 0,
			      &out->rows, &out->n, err) ||
	    group_counts(s, rid, out, now_unix, err) ||
	    ((flags & STORE_Q_TRENDS) && trends(s, rid, out, now_unix, err)))
		goto out;
	ret = 0;
out:
	snap_end(s);
	if (ret)
		store_q_flakes_release(out);
	return ret;
}

void store_q_flakes_release(struct q_flakes *f)
{
	free(f->repository);
	free(f->branch);
	store_flake_rows_free(f->rows, f->n);
	free(f->spark);
	memset(f, 0, sizeof(*f));
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

/* The daily series: every day of the window, zeros filled. */
static int test_daily(struct store *s, long long rid, struct q_test *t,
		      long long now_unix, struct err *err)
{
	static const char sql[] =
		"SELECT day, sum(executions), sum(failures), sum(runs),"
		" sum(flaky_runs), sum(failed_runs) FROM daily"
		" WHERE repo_id = ?1 AND test_id = ?2 AND day >= ?3"
		" AND (?4 IS NULL OR branch = ?4) GROUP BY day ORDER BY day";
	sqlite3_stmt *st = NULL;
	char start[16];
	long long today = now_unix / 86400, first, d;
	size_t cap = 0;
	int rc, ret = -1;

	store_window_start(t->window_days, now_unix, start, sizeof(start));
	if (prepare(s, sql, &st, err))
		goto out;
	if (sqlite3_bind_int64(st, 1, rid) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, t->row.test_id) != SQLITE_OK ||
	    store_bind_text(st, 3, start) != SQLITE_OK ||
	    store_bind_text(st, 4, t->branch) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	if (step_rows(s, st, &rc, err))
		goto out;
	if (t->window_days > 0)
		first = today - (t->window_days - 1);
	else if (rc != SQLITE_ROW || parse_day(col_text(st, 0), &first))
		first = today;
	if (first < today - (Q_MAX_DAYS - 1))
		first = today - (Q_MAX_DAYS - 1);
	for (d = first; d <= today; d++) {
		struct q_day *e = GROW(t->daily, t->ndaily, cap);
		int hit;

		day_text(d, e->day, sizeof(e->day));
		while (rc == SQLITE_ROW && strcmp(col_text(st, 0), e->day) < 0)
			if (step_rows(s, st, &rc, err))
				goto out;
		hit = rc == SQLITE_ROW && !strcmp(col_text(st, 0), e->day);
		if (!hit)
			continue;
		e->executions = col_int(st, 1);
		e->failures = col_int(st, 2);
		e->runs = col_int(st, 3);
		e->flaky_runs = col_int(st, 4);
		e->failed_runs = col_int(st, 5);
		if (step_rows(s, st, &rc, err))
			goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

/*
 * The cells: from the test's verdicts (index verdicts_test) to its result
 * rows (primary key) of the window's non-infra uploads where it counted.
 * CROSS JOIN fixes that order: the test's own rows drive the query.
 */
static int test_cells(struct store *s, long long test_id, const char *branch,
		      const char *start, struct q_cell_rate **cells,
		      size_t *ncells, struct err *err)
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
	size_t cap = 0;
	int rc, ret = -1;

	if (prepare(s, sql, &st, err))
		goto out;
	if (sqlite3_bind_int64(st, 1, test_id) != SQLITE_OK ||
	    store_bind_text(st, 2, start) != SQLITE_OK ||
	    store_bind_text(st, 3, branch) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	for (;;) {
		struct q_cell_rate *e;

		if (step_rows(s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		e = GROW(*cells, *ncells, cap);
		e->cell = col_dup(st, 0);
		e->executions = col_int(st, 1);
		e->failures = col_int(st, 2);
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

/* The rate's interval clustered by upload: the test's verdicts of the
 * window's non-infra uploads where it passed or was flaky (what its rate
 * counts), at most Q_CLUSTER_UPLOADS of the latest. */
#define Q_CLUSTER_UPLOADS 5000
static int test_cluster(struct store *s, long long test_id,
			const char *branch, const char *start,
			struct q_rates *t, struct err *err)
{
	static const char sql[] =
		"SELECT v.passes + v.failures, v.failures"
		" FROM verdicts v CROSS JOIN runs r"
		" WHERE v.test_id = ?1 AND v.status IN ('passed', 'flaky')"
		" AND r.id = v.run_id AND r.infra = 0 AND r.started_at >= ?2"
		" AND (?3 IS NULL OR coalesce(r.branch, '') = ?3)"
		" ORDER BY v.run_id DESC LIMIT ?4";
	sqlite3_stmt *st = NULL;
	long *k = NULL, *n = NULL;
	size_t cnt = 0, alloc_k = 0, alloc_n = 0;
	int rc, ret = -1;

	if (prepare(s, sql, &st, err))
		return -1;
	if (sqlite3_bind_int64(st, 1, test_id) != SQLITE_OK ||
	    store_bind_text(st, 2, start) != SQLITE_OK ||
	    store_bind_text(st, 3, branch) != SQLITE_OK ||
	    sqlite3_bind_int(st, 4, Q_CLUSTER_UPLOADS) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	for (;;) {
		if (step_rows(s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		xgrow((void **)&k, &alloc_k, cnt + 1, sizeof(*k));
		xgrow((void **)&n, &alloc_n, cnt + 1, sizeof(*n));
		n[cnt] = (long)col_int(st, 0);
		k[cnt] = (long)col_int(st, 1);
		cnt++;
	}
	t->cluster_runs = (long long)cnt;
	t->has_cluster = cnt && !stats_cluster_interval(k, n, cnt, &t->clo,
							&t->chi);
	ret = 0;
out:
	free(k);
	free(n);
	sqlite3_finalize(st);
	return ret;
}

/* The top failure causes, through failures_test; the sample is the
 * latest row. */
static int test_signatures(struct store *s, struct q_test *t,
			   const char *start, struct err *err)
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
	size_t cap = 0;
	int rc, ret = -1;

	if (prepare(s, sql, &st, err))
		goto out;
	if (sqlite3_bind_int64(st, 1, t->row.test_id) != SQLITE_OK ||
	    store_bind_text(st, 2, start) != SQLITE_OK ||
	    store_bind_text(st, 3, t->branch) != SQLITE_OK ||
	    sqlite3_bind_int(st, 4, Q_TOP_SIGNATURES) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	for (;;) {
		struct q_signature *e;

		if (step_rows(s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		e = GROW(t->signatures, t->nsignatures, cap);
		e->signature = col_dup(st, 0);
		e->kind = col_dup(st, 1);
		e->count = col_int(st, 2);
		e->file = col_dup(st, 3);
		e->line = col_int(st, 4);
		e->sample = col_dup(st, 5);
		e->output = col_dup(st, 6);
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

/* The test's latest uploads, merged per group. */
static int test_recent(struct store *s, struct q_test *t, struct err *err)
{
	static const char sql[] =
		"SELECT g.id, g.commit_sha, g.branch, g.pr,"
		" coalesce((SELECT " RANK_SQL("gv.status") " FROM group_verdicts gv"
		"  WHERE gv.group_id = g.id AND gv.test_id = ?1),"
		"  max(" RANK_SQL("v.status") ")), g.started_at, g.infra"
		" FROM (SELECT run_id, status FROM verdicts WHERE test_id = ?1"
		"  ORDER BY run_id DESC LIMIT ?3) v"
		" JOIN runs r ON r.id = v.run_id"
		" JOIN run_groups g ON g.id = r.group_id"
		" WHERE ?2 IS NULL OR coalesce(g.branch, '') = ?2"
		" GROUP BY g.id ORDER BY g.started_at DESC, g.id DESC LIMIT ?4";
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc, ret = -1;

	if (prepare(s, sql, &st, err))
		goto out;
	if (sqlite3_bind_int64(st, 1, t->row.test_id) != SQLITE_OK ||
	    store_bind_text(st, 2, t->branch) != SQLITE_OK ||
	    sqlite3_bind_int(st, 3, Q_RECENT_UPLOADS) != SQLITE_OK ||
	    sqlite3_bind_int(st, 4, Q_RECENT_RUNS) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	for (;;) {
		struct q_recent_run *e;

		if (step_rows(s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		e = GROW(t->recent, t->nrecent, cap);
		e->run_id = col_int(st, 0);
		e->commit = col_dup(st, 1);
		e->branch = col_dup(st, 2);
		e->pr = col_int(st, 3);
		e->status = rank_name(sqlite3_column_int(st, 4));
		e->at = col_dup(st, 5);
		e->infra = col_int(st, 6) != 0;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

#define Q_COND_PROCS 16

/*
 * "race", "GOMAXPROCS=N" or both, space-separated, in any order: 0 and
 * *race, *procs set (procs 0: not given); -1 for anything else.
 */
int store_cell_parse(const char *name, int *race, int *procs)
{
	const char *s = name;

	*race = 0;
	*procs = 0;
	if (!s || !*s)
		return -1;
	while (*s) {
		size_t len = strcspn(s, " ");

		if (len == 4 && !strncmp(s, "race", 4) && !*race) {
			*race = 1;
		} else if (len > 11 && len <= 15 && !strncmp(s, "GOMAXPROCS=", 11) &&
			   strspn(s + 11, "0123456789") == len - 11 && !*procs) {
			*procs = (int)strtol(s + 11, NULL, 10);
			if (*procs <= 0)
				return -1;
		} else if ((len == 7 && !strncmp(s, "shuffle", 7)) ||
			   (len > 7 && len <= 12 && !strncmp(s, "stress=", 7) &&
			    strspn(s + 7, "0123456789") == len - 7) ||
			   (len > 9 && len <= 14 && !strncmp(s, "parallel=", 9) &&
			    strspn(s + 9, "0123456789") == len - 9)) {
			/* The matrix's other settings: not a condition. */
		} else {
			return -1;
		}
		s += len;
		s += strspn(s, " ");
	}
	return 0;
}

/* Failures and executions under candidate c of conditions(). */
static void in_of(long k[2][Q_COND_PROCS + 1], long n[2][Q_COND_PROCS + 1], int np,
		  int c, long *ki, long *ni)
{
	int r, g;

	for (r = 0; r < 2; r++)
		for (g = 0; g < np; g++)
			if (c == 0 ? r == 1 : g == c - 1) {
				*ki += k[r][g];
				*ni += n[r][g];
			}
}

/*
 * The condition the test's failures depend on, if the history supports
 * one (docs/STATISTICS.md), into t->condition: each of -race and every GOMAXPROCS value
 * against the rest of the executions, by Fisher's exact test; the most
 * significant with a higher rate under it is named, else "no condition
 * stands out".
 */
static void test_condition(const struct q_cell_rate *cells, size_t ncells,
			   struct q_rates *t)
{
	long k[2][Q_COND_PROCS + 1], n[2][Q_COND_PROCS + 1];
	int procs[Q_COND_PROCS], np = 0, race, pr, i, c, best_c = -1;
	double best = 2.0;
	long tk = 0, tn = 0;
	char *text = t->condition, label[32];
	size_t x;

	memset(k, 0, sizeof(k));
	memset(n, 0, sizeof(n));
	for (x = 0; x < ncells; x++) {
		if (store_cell_parse(cells[x].cell, &race, &pr))
			continue;
		for (i = 0; i < np && procs[i] != pr; i++)
			;
		if (i == np) {
			if (np == Q_COND_PROCS)
				continue;
			procs[np++] = pr;
		}
		k[race][i] += cells[x].failures;
		n[race][i] += cells[x].executions;
		tk += cells[x].failures;
		tn += cells[x].executions;
	}
	t->condition[0] = '\0';
	if (!tn)
		return;
	/* Candidate 0: -race; candidate c >= 1: GOMAXPROCS=procs[c - 1]. */
	for (c = 0; c <= np; c++) {
		long ki = 0, ni = 0;
		double p;

		if (c > 0 && procs[c - 1] == 0)
			continue;	/* GOMAXPROCS not given: no condition */
		in_of(k, n, np, c, &ki, &ni);
		if (!ni || ni == tn)
			continue;
		p = stats_fisher(ki, ni - ki, tk - ki, tn - ni - (tk - ki));
		if ((double)ki / (double)ni > (double)(tk - ki) /
		    (double)(tn - ni) && p < best) {
			best = p;
			best_c = c;
		}
	}
	if (best_c < 0) {
		snprintf(text, sizeof(t->condition), "no condition stands out (n = %ld)", tn);
	} else {
		long ki = 0, ni = 0;

		in_of(k, n, np, best_c, &ki, &ni);
		if (best_c == 0)
			snprintf(label, sizeof(label), "-race");
		else
			snprintf(label, sizeof(label), "GOMAXPROCS=%d",
				 procs[best_c - 1]);
		if (stats_format_condition(text, sizeof(t->condition), label, ki, ni,
					   tk - ki, tn - ni))
			t->condition[0] = '\0';
	}
}

void store_q_rates_from_row(const struct flake_row *f, struct q_rates *out)
{
	memset(out, 0, sizeof(*out));
	out->runs_failing = f->flaky_runs + f->failed_runs;
	out->runs = f->runs;
	out->consistent = f->failed_runs;
	out->dlo = 0.0;
	out->dhi = 1.0;
	if (stats_wilson((long)out->runs_failing, (long)out->runs, STATS_Z95,
			 &out->dlo, &out->dhi)) {
		out->dlo = 0.0;
		out->dhi = 1.0;
	}
}

int store_q_rates_read(struct store *s, const struct flake_row *f,
		       const char *branch, int window_days, long long now_unix,
		       struct q_rates *out, struct err *err)
{
	struct q_cell_rate *cells = NULL;
	size_t ncells = 0, i;
	char start[16];
	int ret = -1;

	store_q_rates_from_row(f, out);
	if (snap_begin(s, err)) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	store_window_start(window_days, now_unix, start, sizeof(start));
	if (test_cells(s, f->test_id, branch, start, &cells, &ncells, err) ||
	    test_cluster(s, f->test_id, branch, start, out, err))
		goto out;
	test_condition(cells, ncells, out);
	ret = 0;
out:
	snap_end(s);
	for (i = 0; i < ncells; i++)
		free(cells[i].cell);
	free(cells);
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}

void store_q_rates_text(const struct q_rates *r, char *out, size_t size)
{
	struct buf b = BUF_INIT(STORE_Q_RATES_TEXT_MAX);
	char a[16], c[16];
	int bad = 0;

	if (r->runs > 0) {
		bad |= buf_addf(&b, "failed in %lld of %lld run%s", r->runs_failing,
				r->runs, r->runs == 1 ? "" : "s");
		if (!stats_format_pct(a, sizeof(a), (double)r->runs_failing /
				      (double)r->runs))
			bad |= buf_addf(&b, " (%s%%)", a);
		if (r->consistent)
			bad |= buf_addf(&b, ", %lld of them every execution",
					r->consistent);
	}
	if (r->has_cluster && r->cluster_runs > 1 &&
	    !stats_format_pct(a, sizeof(a), r->clo) &&
	    !stats_format_pct(c, sizeof(c), r->chi))
		bad |= buf_addf(&b, "%s95%% CI clustered by run %s–%s%%",
				b.len ? "; " : "", a, c);
	if (r->condition[0])
		bad |= buf_addf(&b, "%s%s", b.len ? "; " : "", r->condition);
	snprintf(out, size, "%s", bad ? "" : buf_str(&b));
	buf_release(&b);
}

int store_q_test_read(struct store *s, const char *repo, long long test_id,
		      const char *branch, int window_days, long long now_unix,
		      struct q_test *out, struct err *err)
{
	long long rid = 0;
	char start[16];
	int rc, ret = -1;

	memset(out, 0, sizeof(*out));
	if (snap_begin(s, err))
		return -1;
	out->repository = utf8_dup(repo);
	out->branch = utf8_dup(branch);
	out->window_days = window_days > 0 ? window_days : 0;
	if (repo_known(s, repo, &rid, err))
		goto out;
	rc = store_flake_test(s, repo, test_id, branch, window_days, now_unix,
			      &out->row, err);
	if (rc < 0)
		goto out;
	if (rc > 0) {
		err_set(err, "no such test %lld in '%s'", test_id, repo);
		goto out;
	}
	store_window_start(window_days, now_unix, start, sizeof(start));
	store_q_rates_from_row(&out->row, &out->rates);
	if (test_daily(s, rid, out, now_unix, err) ||
	    test_cells(s, test_id, branch, start, &out->cells, &out->ncells,
		       err) ||
	    test_cluster(s, test_id, branch, start, &out->rates, err) ||
	    test_signatures(s, out, start, err) ||
	    test_recent(s, out, err))
		goto out;
	test_condition(out->cells, out->ncells, &out->rates);
	ret = 0;
out:
	snap_end(s);
	if (ret)
		store_q_test_release(out);
	return ret;
}

void store_q_test_release(struct q_test *t)
{
	size_t i;

	free(t->repository);
	free(t->branch);
	store_flake_row_release(&t->row);
	free(t->daily);
	for (i = 0; i < t->ncells; i++)
		free(t->cells[i].cell);
	free(t->cells);
	for (i = 0; i < t->nsignatures; i++) {
		struct q_signature *g = &t->signatures[i];

		free(g->signature);
		free(g->kind);
		free(g->file);
		free(g->sample);
		free(g->output);
	}
	free(t->signatures);
	for (i = 0; i < t->nrecent; i++) {
		free(t->recent[i].commit);
		free(t->recent[i].branch);
		free(t->recent[i].at);
	}
	free(t->recent);
	memset(t, 0, sizeof(*t));
}

/* --- runs ---------------------------------------------------------------- */

/* The group's first upload, for what only uploads know. */
#define FIRST_UPLOAD \
	" LEFT JOIN runs f ON f.id =" \
	" (SELECT min(id) FROM runs WHERE group_id = g.id)"

int store_q_run_list(struct store *s, const char *repo, int limit,
		     long long before_group_id, struct q_runs *out,
		     struct err *err)
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
	long long rid = 0;
	size_t cap = 0;
	int rc, ret = -1;

	memset(out, 0, sizeof(*out));
	if (limit <= 0)
		limit = Q_RUNS_DEFAULT;
	if (limit > Q_RUNS_MAX)
		limit = Q_RUNS_MAX;
	if (snap_begin(s, err))
		return -1;
	out->repository = utf8_dup(repo);
	if (repo_known(s, repo, &rid, err) || prepare(s, sql, &st, err))
		goto out;
	if (sqlite3_bind_int64(st, 1, rid) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, before_group_id) != SQLITE_OK ||
	    sqlite3_bind_int(st, 3, limit) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	for (;;) {
		struct q_run_row *e;

		if (step_rows(s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		e = GROW(out->v, out->n, cap);
		e->run_id = col_int(st, 0);
		e->commit = col_dup(st, 1);
		e->branch = col_dup(st, 2);
		e->base_branch = col_dup(st, 3);
		e->pr = col_int(st, 4);
		e->started_at = col_dup(st, 5);
		e->gh_run_id = col_dup(st, 6);
		e->run_attempt = col_int(st, 7);
		e->workflow = col_dup(st, 8);
		e->event = col_dup(st, 9);
		e->uploads = col_int(st, 10);
		e->infra = col_int(st, 11) != 0;
		e->totals.tests = col_int(st, 12);
		e->totals.failed = col_int(st, 13);
		e->totals.flaky = col_int(st, 14);
		e->totals.passed = col_int(st, 15);
		e->totals.skipped = col_int(st, 16);
		e->totals.notrun = col_int(st, 17);
	}
	if (out->n == (size_t)limit)
		out->next_before = out->v[out->n - 1].run_id;
	ret = 0;
out:
	sqlite3_finalize(st);
	snap_end(s);
	if (ret)
		store_q_runs_release(out);
	return ret;
}

void store_q_runs_release(struct q_runs *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		struct q_run_row *e = &r->v[i];

		free(e->commit);
		free(e->branch);
		free(e->base_branch);
		free(e->started_at);
		free(e->gh_run_id);
		free(e->workflow);
		free(e->event);
	}
	free(r->v);
	free(r->repository);
	memset(r, 0, sizeof(*r));
}

/* --- one merged run ------------------------------------------------------ */

/* A test of the verdict table by id, for merging its cells and failures. */
struct mtest {
	long long id;
	size_t idx;		/* in q_run.tests */
	double worst;		/* worst cell's rate (2: failed), -1 none */
	long long worst_failures;
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

static int run_meta(struct store *s, long long gid, struct q_run *o,
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
	o->run_id = col_int(st, 0);
	o->repository = col_dup(st, 1);
	o->commit = col_dup(st, 2);
	o->branch = col_dup(st, 3);
	o->base_branch = col_dup(st, 4);
	o->pr = col_int(st, 5);
	o->started_at = col_dup(st, 6);
	o->created_at = col_int(st, 7);
	o->gh_run_id = col_dup(st, 8);
	o->run_attempt = col_int(st, 9);
	o->workflow = col_dup(st, 10);
	o->event = col_dup(st, 11);
	o->infra = col_int(st, 12) != 0;
	o->totals.tests = col_int(st, 13);
	o->totals.executions = col_int(st, 14);
	o->totals.failed = col_int(st, 15);
	o->totals.flaky = col_int(st, 16);
	o->totals.passed = col_int(st, 17);
	o->totals.skipped = col_int(st, 18);
	o->totals.notrun = col_int(st, 19);
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

static int run_uploads(struct store *s, long long gid, struct q_run *o,
		       struct err *err)
{
	static const char sql[] =
		"SELECT id, job, shard, started_at, go_version, goos, goarch,"
		" wall_ms, tests, executions, infra FROM runs"
		" WHERE group_id = ?1 ORDER BY id";
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc, ret = -1;

	if (prepare(s, sql, &st, err))
		goto out;
	if (sqlite3_bind_int64(st, 1, gid) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	for (;;) {
		struct q_upload *e;

		if (step_rows(s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		e = GROW(o->uploads, o->nuploads, cap);
		e->upload_id = col_int(st, 0);
		e->job = col_dup(st, 1);
		e->shard = col_dup(st, 2);
		e->started_at = col_dup(st, 3);
		e->go_version = col_dup(st, 4);
		e->goos = col_dup(st, 5);
		e->goarch = col_dup(st, 6);
		e->wall_ms = col_int(st, 7);
		e->tests = col_int(st, 8);
		e->executions = col_int(st, 9);
		e->infra = col_int(st, 10) != 0;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

/* The union of the uploads' cells by name; wall_ms summed.  A run has a
 * handful of cells: a linear search merges them. */
static int run_cells(struct store *s, long long gid, struct q_run *o,
		     struct err *err)
{
	static const char sql[] =
		"SELECT c.name, c.race, c.gomaxprocs, c.count, c.shuffle,"
		" c.stress, c.wall_ms FROM runs r JOIN cells c"
		" ON c.run_id = r.id WHERE r.group_id = ?1 ORDER BY r.id, c.idx";
	sqlite3_stmt *st = NULL;
	size_t cap = 0, i;
	int rc, ret = -1;

	if (prepare(s, sql, &st, err))
		goto out;
	if (sqlite3_bind_int64(st, 1, gid) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	for (;;) {
		const char *name;
		struct q_cell *e;

		if (step_rows(s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		name = col_text(st, 0) ? col_text(st, 0) : "";
		for (i = 0; i < o->ncells && strcmp(o->cells[i].name, name); i++)
			;
		if (i < o->ncells) {
			o->cells[i].wall_ms += col_int(st, 6);
			continue;
		}
		e = GROW(o->cells, o->ncells, cap);
		e->name = utf8_dup(name);
		e->race = sqlite3_column_int(st, 1) < 0 ? -1 :
			  col_int(st, 1) != 0;
		e->gomaxprocs = col_int(st, 2);
		e->count = col_int(st, 3);
		e->shuffle = col_int(st, 4) != 0;
		e->stress = col_int(st, 5);
		e->wall_ms = col_int(st, 6);
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

/* The merged verdicts: one row per test, in the document's order. */
#define RUN_VERDICTS_GROUPED \
	"SELECT v.test_id, t.package, t.name," \
	" coalesce((SELECT " RANK_SQL("gv.status") " FROM group_verdicts gv" \
	"  WHERE gv.group_id = ?1 AND gv.test_id = v.test_id)," \
	"  max(" RANK_SQL("v.status") ")) AS w," \
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
			long long offset, long long limit, struct q_run *o,
			struct mtest **vp, struct err *err)
{
	static const char all[] = RUN_VERDICTS_SQL("");
	static const char failing[] = RUN_VERDICTS_SQL(" HAVING w >= 3");
	static const char page[] = RUN_VERDICTS_PAGE_SQL;
	const char *sql = limit >= 0 ? page :
			  (flags & STORE_Q_FAILING) ? failing : all;
	sqlite3_stmt *st = NULL;
	struct mtest *v;
	size_t cap = 0, i;
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
		struct q_run_test *t;

		if (step_rows(s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		/* The row past the page: there is a next page after the
		 * last one kept. */
		if (limit >= 0 && (long long)o->ntests == limit) {
			o->next = o->tests[o->ntests - 1].id;
			break;
		}
		t = GROW(o->tests, o->ntests, cap);
		t->id = col_int(st, 0);
		t->package = col_dup(st, 1);
		t->name = col_dup(st, 2);
		t->status = rank_name(sqlite3_column_int(st, 3));
		t->executions = col_int(st, 4);
		t->passes = col_int(st, 5);
		t->failures = col_int(st, 6);
		t->skips = col_int(st, 7);
		t->notrun = col_int(st, 8);
		t->rerun_passes = col_int(st, 9);
		t->rerun_failures = col_int(st, 10);
		t->seconds = sqlite3_column_double(st, 11);
		t->new_flaky = col_int(st, 12) != 0;
	}
	v = xcalloc(o->ntests + 1, sizeof(*v));
	for (i = 0; i < o->ntests; i++) {
		v[i].id = o->tests[i].id;
		v[i].idx = i;
		v[i].worst = -1.0;
	}
	if (o->ntests)
		qsort(v, o->ntests, sizeof(*v), cmp_mtest);
	*vp = v;
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

/* Each test's cells merged by name; derives worst_cell. */
#define RUN_TEST_CELLS_SQL(only) \
	"SELECT res.test_id, c.name," \
	" sum(res.passes), sum(res.failures), sum(res.skips)," \
	" sum(res.notrun), sum(res.rerun_passes)," \
	" sum(res.rerun_failures)" \
	" FROM runs r JOIN results res ON res.run_id = r.id" \
	" JOIN cells c ON c.run_id = res.run_id AND c.idx = res.cell_idx" \
	" WHERE r.group_id = ?1" only " GROUP BY res.test_id, c.name" \
	" ORDER BY res.test_id, min(res.run_id), min(res.cell_idx)"

static int run_test_cells(struct store *s, long long gid, unsigned flags,
			  const char *ids, struct q_run *o, struct mtest *v,
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
		struct q_run_test *t;
		struct q_test_cell *c;
		struct test_cell sum;
		enum verdict w;
		double rate;

		if (step_rows(s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		m = mtest_find(v, o->ntests, col_int(st, 0));
		if (!m)
			continue;
		t = &o->tests[m->idx];
		/* Appended in one pass: the capacity doubles whenever the
		 * count reaches a power of two. */
		if ((t->ncells & (t->ncells - 1)) == 0)
			t->cells = xrealloc(t->cells, (t->ncells ? 2 * t->ncells : 1) *
					    sizeof(*t->cells));
		c = &t->cells[t->ncells++];
		memset(c, 0, sizeof(*c));
		c->cell = col_dup(st, 1);
		c->passes = col_int(st, 2);
		c->failures = col_int(st, 3);
		c->skips = col_int(st, 4);
		c->notrun = col_int(st, 5);
		c->rerun_passes = col_int(st, 6);
		c->rerun_failures = col_int(st, 7);
		/* The cell's status from the counts its uploads sum to, as the
		 * merge derives it (results_merge(), results_finish()): a cell
		 * that failed in one upload and passed in another is flaky,
		 * not the worst of the two.  The rule reads only zero or not,
		 * so the 64-bit sums need no narrowing. */
		memset(&sum, 0, sizeof(sum));
		sum.passes = c->passes > 0;
		sum.failures = c->failures > 0;
		sum.skips = c->skips > 0;
		sum.rerun_passes = c->rerun_passes > 0;
		w = results_cell_verdict(&sum);
		c->status = verdict_name(w);
		if (!c->failures)
			continue;
		/* As results_finish(): a failed cell outranks any rate. */
		rate = w == VERDICT_FAILED ? 2.0 : (double)c->failures /
		       (double)(c->passes + c->failures);
		if (rate > m->worst || (rate == m->worst &&
					c->failures > m->worst_failures)) {
			m->worst = rate;
			m->worst_failures = c->failures;
			free(t->worst_cell);
			t->worst_cell = xstrdup(c->cell ? c->cell : "");
		}
	}
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
			struct q_run *o, struct mtest *v, struct err *err)
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
		struct q_run_test *t;
		struct q_failure *d;

		if (step_rows(s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		m = mtest_find(v, o->ntests, col_int(st, 0));
		if (!m)
			continue;
		t = &o->tests[m->idx];
		if ((t->nfailures & (t->nfailures - 1)) == 0)
			t->failures_v = xrealloc(t->failures_v,
						 (t->nfailures ? 2 * t->nfailures : 1) *
						 sizeof(*t->failures_v));
		d = &t->failures_v[t->nfailures++];
		memset(d, 0, sizeof(*d));
		d->cell = col_dup(st, 1);
		d->kind = col_dup(st, 2);
		d->file = col_dup(st, 3);
		d->line = col_int(st, 4);
		d->message = col_dup(st, 5);
		d->signature = col_dup(st, 6);
		d->count = col_int(st, 7);
		d->rerun = col_int(st, 8) != 0;
		d->shuffle_seed = col_int(st, 9);
		d->output = col_dup(st, 10);
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

/* The number of tests in a run group (for its pages). */
static int run_count(struct store *s, long long gid, long long *out,
		     struct err *err)
{
	static const char sql[] =
		"SELECT count(DISTINCT v.test_id) FROM runs r"
		" JOIN verdicts v ON v.run_id = r.id WHERE r.group_id = ?1";
	sqlite3_stmt *st = NULL;
	int ret = -1;

	if (prepare(s, sql, &st, err))
		return -1;
	if (sqlite3_bind_int64(st, 1, gid) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	if (step_int(s, st, out, err))
		goto out;
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

int store_q_run_read(struct store *s, long long group_id, unsigned flags,
		     long long offset, long long limit, struct q_run *out,
		     struct err *err)
{
	struct mtest *v = NULL;
	char *ids = NULL, *idp;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (snap_begin(s, err))
		return -1;
	out->paged = limit >= 0 && !(flags & STORE_Q_FAILING);
	out->cursor = offset;
	out->limit = limit;
	if (run_meta(s, group_id, out, err) ||
	    run_uploads(s, group_id, out, err) ||
	    run_cells(s, group_id, out, err) ||
	    (out->paged && run_count(s, group_id, &out->total, err)) ||
	    run_verdicts(s, group_id, flags, offset, limit, out, &v, err))
		goto out;
	/* A page names its tests: the rows read are the page's, not the
	 * run's (a JSON array of ids, for json_each). */
	if (limit >= 0) {
		size_t i;

		ids = xcalloc(out->ntests * 21 + 3, 1);
		idp = ids;
		*idp++ = '[';
		for (i = 0; i < out->ntests; i++)
			idp += sprintf(idp, "%s%lld", i ? "," : "",
				       out->tests[i].id);
		*idp++ = ']';
		*idp = '\0';
	}
	if (run_test_cells(s, group_id, flags, ids, out, v, err) ||
	    run_failures(s, group_id, ids, out, v, err))
		goto out;
	ret = 0;
out:
	free(ids);
	free(v);
	snap_end(s);
	if (ret)
		store_q_run_release(out);
	return ret;
}

void store_q_run_release(struct q_run *r)
{
	size_t i, k;

	free(r->repository);
	free(r->commit);
	free(r->branch);
	free(r->base_branch);
	free(r->started_at);
	free(r->gh_run_id);
	free(r->workflow);
	free(r->event);
	for (i = 0; i < r->nuploads; i++) {
		struct q_upload *u = &r->uploads[i];

		free(u->job);
		free(u->shard);
		free(u->started_at);
		free(u->go_version);
		free(u->goos);
		free(u->goarch);
	}
	free(r->uploads);
	for (i = 0; i < r->ncells; i++)
		free(r->cells[i].name);
	free(r->cells);
	for (i = 0; i < r->ntests; i++) {
		struct q_run_test *t = &r->tests[i];

		free(t->package);
		free(t->name);
		free(t->worst_cell);
		for (k = 0; k < t->ncells; k++)
			free(t->cells[k].cell);
		free(t->cells);
		for (k = 0; k < t->nfailures; k++) {
			struct q_failure *f = &t->failures_v[k];

			free(f->cell);
			free(f->kind);
			free(f->file);
			free(f->message);
			free(f->signature);
			free(f->output);
		}
		free(t->failures_v);
	}
	free(r->tests);
	memset(r, 0, sizeof(*r));
}

/* --- the PR comparison --------------------------------------------------- */

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

/* r's start as the store normalizes it, else now_unix, into out, and
 * as unix seconds into *unix_s. */
static int run_bound(struct store *s, const struct results *r,
		     long long now_unix, char *out, size_t size,
		     long long *unix_s, struct err *err)
{
	static const char sql[] =
		"SELECT coalesce(strftime('%Y-%m-%dT%H:%M:%SZ', ?1),"
		" strftime('%Y-%m-%dT%H:%M:%SZ', ?2, 'unixepoch')),"
		" coalesce(CAST(strftime('%s', ?1) AS INTEGER), ?2)";
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
	*unix_s = rc == SQLITE_ROW ? col_int(st, 1) : now_unix;
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

/* What every row is filled from. */
struct compare_ctx {
	struct store *s;
	const char *repo, *base, *bound;
	const char *gh_run;		/* r's GitHub run id, or NULL */
	char start[16];			/* the window's first day */
	long long rid;
	int window_days;
	long long now_unix;		/* r's start: the window ends there */
	struct compare_row *v;
	size_t n, alloc;
};

/* The earlier runs that count as evidence (docs/GATE.md): of the
 * comparison branch, in the window, started before r, not infra, and of
 * another GitHub run than r's (a re-run attempt is no evidence). */
#define EVIDENCE_RUNS(r) \
	r ".infra = 0 AND coalesce(" r ".branch, '') = coalesce(?2, '')" \
	" AND " r ".started_at >= ?3 AND " r ".started_at < ?4" \
	" AND (?5 IS NULL OR " r ".gh_run_id IS NULL OR " r ".gh_run_id <> ?5)"

static int bind_evidence(struct compare_ctx *c, sqlite3_stmt *st,
			 long long first, struct err *err)
{
	if (sqlite3_bind_int64(st, 1, first) != SQLITE_OK ||
	    store_bind_text(st, 2, c->base) != SQLITE_OK ||
	    store_bind_text(st, 3, c->start) != SQLITE_OK ||
	    store_bind_text(st, 4, c->bound) != SQLITE_OK ||
	    store_bind_text(st, 5, c->gh_run) != SQLITE_OK)
		return store_db_err(c->s, "cannot read history in", err);
	return 0;
}

/* *out: 1 when test tid was flaky in an evidence run. */
static int flaky_before(struct compare_ctx *c, long long tid, int *out,
			struct err *err)
{
	static const char sql[] =
		"SELECT EXISTS (SELECT 1 FROM verdicts v CROSS JOIN runs x"
		" WHERE v.test_id = ?1 AND v.status = 'flaky' AND x.id = v.run_id"
		" AND " EVIDENCE_RUNS("x") ")";
	sqlite3_stmt *st = NULL;
	int rc, ret = -1;

	if (prepare(c->s, sql, &st, err))
		return -1;
	if (bind_evidence(c, st, tid, err) || step_rows(c->s, st, &rc, err))
		goto out;
	*out = rc == SQLITE_ROW && col_int(st, 0) != 0;
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

/* *out: test tid's passes in the evidence runs after its last failing
 * one there (all of them when none failed). */
static int clean_since_failure(struct compare_ctx *c, long long tid,
			       long long *out, struct err *err)
{
	static const char sql[] =
		"SELECT coalesce(sum(v.passes), 0) FROM verdicts v CROSS JOIN runs x"
		" WHERE v.test_id = ?1 AND x.id = v.run_id AND " EVIDENCE_RUNS("x")
		" AND x.started_at > coalesce((SELECT max(y.started_at)"
		"  FROM verdicts w CROSS JOIN runs y WHERE w.test_id = ?1"
		"  AND y.id = w.run_id AND w.failures > 0 AND "
		EVIDENCE_RUNS("y") "), '')";
	sqlite3_stmt *st = NULL;
	int ret = -1;

	if (prepare(c->s, sql, &st, err))
		return -1;
	if (bind_evidence(c, st, tid, err) || step_int(c->s, st, out, err))
		goto out;
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

/* The number of evidence runs of repository c->rid. */
static int evidence_count(struct compare_ctx *c, long long *out,
			  struct err *err)
{
	static const char sql[] =
		"SELECT count(*) FROM runs x WHERE x.repo_id = ?1 AND "
		EVIDENCE_RUNS("x");
	sqlite3_stmt *st = NULL;
	int ret = -1;

	if (prepare(c->s, sql, &st, err))
		return -1;
	if (bind_evidence(c, st, c->rid, err) || step_int(c->s, st, out, err))
		goto out;
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

/* Appends the row of test (package, name), tests.id tid (0: unknown). */
static int compare_add(struct compare_ctx *c, const char *package,
		       const char *name, long long tid, enum verdict status,
		       int fixed, struct err *err)
{
	struct flake_row fr;
	struct compare_row *row;
	int rc = 1, known = 0;

	memset(&fr, 0, sizeof(fr));
	if (tid)
		rc = store_flake_test(c->s, c->repo, tid, c->base ? c->base : "",
				      c->window_days, c->now_unix, &fr, err);
	if (rc < 0 || (tid && !fixed && flaky_before(c, tid, &known, err))) {
		store_flake_row_release(&fr);
		return -1;
	}
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
	row->cls = fixed ? CLASS_FIXED : known ? CLASS_KNOWN : CLASS_NEW;
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

		enum verdict v = results_gate_verdict(t);

		if (v != VERDICT_FLAKY && v != VERDICT_FAILED)
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
		if (compare_add(c, t->package, t->name, tid, v, 0, err))
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
		" AND d.branch = ?3";
	sqlite3_stmt *st = NULL;
	const struct test **idx = NULL;
	size_t i;
	int rc, ret = -1;

	if (!r->ntests)
		return 0;
	idx = xcalloc(r->ntests, sizeof(*idx));
	for (i = 0; i < r->ntests; i++)
		idx[i] = r->tests[i];
	qsort(idx, r->ntests, sizeof(*idx), cmp_test_ptr);
	if (prepare(c->s, sql, &st, err))
		goto out;
	if (sqlite3_bind_int64(st, 1, c->rid) != SQLITE_OK ||
	    store_bind_text(st, 2, c->start) != SQLITE_OK ||
	    store_bind_text(st, 3, c->base ? c->base : "") != SQLITE_OK) {
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
		/* Not fixed when an earlier attempt keeps it flaky. */
		if (!t || results_gate_verdict(t) != VERDICT_PASSED)
			continue;
		if (compare_add(c, t->package, t->name,
				sqlite3_column_int64(st, 0), t->status, 1,
				err))
			goto out;
		/* Fixed on evidence, not on one clean run: its clean
		 * executions since its last failure there, and this run's,
		 * rule out its rate there (stats_release_need()). */
		{
			struct compare_row *row = &c->v[c->n - 1];
			long long clean = 0;

			if (clean_since_failure(c, row->test_id, &clean, err))
				goto out;
			clean += t->passes;
			if (row->executions <= 0 ||
			    clean < stats_release_need(row->rate)) {
				free(row->package);
				free(row->name);
				free(row->first_flaky_commit);
				free(row->first_flaky_at);
				c->n--;
			}
		}
	}
	ret = 0;
out:
	free(idx);
	sqlite3_finalize(st);
	return ret;
}

const char *store_compare_branch(const struct results *r)
{
	return r->meta.base_branch && *r->meta.base_branch ?
	       r->meta.base_branch : r->meta.branch;
}

int store_q_compare(struct store *s, const char *repo,
		    const struct results *r, int window_days,
		    long long now_unix, struct compare_row **rows, size_t *n,
		    long long *evidence, struct err *err)
{
	struct compare_ctx c;
	char bound[40];
	int rc, ret = -1;

	if (!r->finished)
		BUG("store_q_compare() before results_finish()");
	memset(&c, 0, sizeof(c));
	c.s = s;
	c.repo = repo;
	c.base = store_compare_branch(r);
	c.bound = bound;
	c.gh_run = r->meta.run_id;
	c.window_days = window_days > 0 ? window_days : STORE_KNOWN_WINDOW_DAYS;
	*evidence = 0;
	if (snap_begin(s, err))
		return -1;
	if (run_bound(s, r, now_unix, bound, sizeof(bound), &c.now_unix, err))
		goto out;
	store_window_start(c.window_days, c.now_unix, c.start, sizeof(c.start));
	rc = store_repo_find(s, repo, 0, &c.rid, err);
	if (rc < 0)
		goto out;
	if (rc > 0)
		c.rid = 0;
	if (compare_broken(&c, r, err) ||
	    (c.rid && (compare_fixed(&c, r, err) ||
		       evidence_count(&c, evidence, err))))
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

int store_mark_earlier(struct store *s, struct results *r, struct err *err)
{
	static const char sql[] =
		"SELECT t.package, t.name FROM run_groups g"
		" JOIN runs x ON x.group_id = g.id"
		" JOIN verdicts v ON v.run_id = x.id"
		" JOIN tests t ON t.id = v.test_id"
		" WHERE g.group_key = ?1 AND v.status IN ('flaky', 'failed')"
		" AND (?2 IS NULL OR x.commit_sha IS NULL OR x.commit_sha = ?2)";
	struct results at;
	sqlite3_stmt *st = NULL;
	char *key = NULL;
	int k, rc, ret = -1;

	if (!r->meta.run_id || !*r->meta.run_id || r->meta.run_attempt <= 1)
		return 0;
	if (prepare(s, sql, &st, err))
		return -1;
	/* A shallow copy whose attempt changes: the key reads only meta. */
	at = *r;
	for (k = r->meta.run_attempt - 1; k >= 1; k--) {
		at.meta.run_attempt = k;
		free(key);
		if (!(key = store_group_key(&at, ""))) {
			err_set(err, "the run's group key is too long");
			goto out;
		}
		/* Bound without a copy: key lives until the next attempt. */
		sqlite3_reset(st);
		if (store_bind_text(st, 1, key) != SQLITE_OK ||
		    store_bind_text(st, 2, r->meta.commit) != SQLITE_OK) {
			store_db_err(s, "cannot read history in", err);
			goto out;
		}
		for (;;) {
			if (step_rows(s, st, &rc, err))
				goto out;
			if (rc != SQLITE_ROW)
				break;
			results_mark_earlier(r, col_text(st, 0) ?
					     col_text(st, 0) : "",
					     col_text(st, 1) ? col_text(st, 1) :
					     "", k);
		}
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	free(key);
	return ret;
}

int store_classify(struct store *s, struct results *r, int window_days,
		   long long now_unix, long long *evidence, struct err *err)
{
	struct compare_row *rows = NULL;
	size_t n = 0, i;

	long long rid = 0;
	int have_repo;

	if (store_mark_earlier(s, r, err) ||
	    store_q_compare(s, store_repo_name(r), r, window_days, now_unix,
			    &rows, &n, evidence, err))
		return -1;
	have_repo = store_repo_find(s, store_repo_name(r), 0, &rid, err);
	if (have_repo < 0) {
		store_compare_rows_free(rows, n);
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct base_rate b;
		struct test *t;
		enum test_class cls = rows[i].cls;
		int active = 0, released = 0;

		if (cls == CLASS_FIXED ||
		    !(t = results_test(r, rows[i].package, rows[i].name, 0)))
			continue;
		/* The quarantine list outranks the comparison: listed, the
		 * test never fails the job; released and failing again, it
		 * has regressed. */
		if (have_repo == 0 &&
		    store_quarantine_state(s, rid, rows[i].package, rows[i].name,
					   r->meta.started_at ? r->meta.started_at :
					   "9999", &active, &released, err)) {
			store_compare_rows_free(rows, n);
			return -1;
		}
		if (active)
			cls = CLASS_QUARANTINED;
		else if (released)
			cls = CLASS_REGRESSED;
		b.executions = rows[i].executions;
		b.failures = rows[i].failures;
		b.runs = rows[i].runs;
		b.flaky_runs = rows[i].flaky_runs;
		results_set_class(t, cls, &b);
	}
	store_compare_rows_free(rows, n);
	return 0;
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

/* *out: test tid's passes after its last failing execution, in the
 * non-infra runs of branch (NULL: all branches) -- all of them when it
 * never failed there. */
static int clean_since(struct store *s, long long tid, const char *branch,
		       long long *out, struct err *err)
{
	static const char sql[] =
		"SELECT coalesce(sum(v.passes), 0) FROM verdicts v"
		" CROSS JOIN runs x WHERE v.test_id = ?1 AND x.id = v.run_id"
		" AND x.infra = 0 AND (?2 IS NULL OR coalesce(x.branch, '') = ?2)"
		" AND x.started_at > coalesce((SELECT max(y.started_at)"
		"  FROM verdicts w CROSS JOIN runs y WHERE w.test_id = ?1"
		"  AND y.id = w.run_id AND w.failures > 0 AND y.infra = 0"
		"  AND (?2 IS NULL OR coalesce(y.branch, '') = ?2)), '')";
	sqlite3_stmt *st = NULL;
	int ret = -1;

	if (prepare(s, sql, &st, err))
		return -1;
	if (sqlite3_bind_int64(st, 1, tid) != SQLITE_OK ||
	    store_bind_text(st, 2, branch) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	if (step_int(s, st, out, err))
		goto out;
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

/*
 * The repository page's "fixed", with the gate's rule (docs/GATE.md):
 * tests flaky in the window before this one and not since, whose clean
 * executions since their last failure rule out their rate of that window
 * (stats_release_need()) -- not merely quiet for a while.
 */
static int fixed_count(struct store *s, long long rid, const char *branch,
		       const char *prev, const char *start, long long *out,
		       struct err *err)
{
	static const char sql[] =
		"SELECT tf.test_id FROM test_flaky tf"
		" JOIN tests t ON t.id = tf.test_id WHERE t.repo_id = ?1"
		" AND (?4 IS NULL OR tf.branch = ?4) GROUP BY tf.test_id"
		" HAVING max(tf.last_flaky_at) >= ?2"
		" AND max(tf.last_flaky_at) < ?3";
	static const char rate_sql[] =
		"SELECT sum(executions), sum(failures) FROM daily"
		" WHERE repo_id = ?1 AND test_id = ?2 AND day >= ?3 AND day < ?4"
		" AND (?5 IS NULL OR branch = ?5)";
	sqlite3_stmt *st = NULL;
	long long *ids = NULL, n = 0;
	size_t alloc = 0, i;
	int rc, ret = -1;

	*out = 0;
	if (prepare(s, sql, &st, err))
		goto out;
	if (sqlite3_bind_int64(st, 1, rid) != SQLITE_OK ||
	    store_bind_text(st, 2, prev) != SQLITE_OK ||
	    store_bind_text(st, 3, start) != SQLITE_OK ||
	    store_bind_text(st, 4, branch) != SQLITE_OK) {
		store_db_err(s, "cannot read history in", err);
		goto out;
	}
	for (;;) {
		if (step_rows(s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		xgrow((void **)&ids, &alloc, (size_t)n + 1, sizeof(*ids));
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (prepare(s, rate_sql, &st, err))
		goto out;
	for (i = 0; i < (size_t)n; i++) {
		long long execs, fails, clean = 0;

		/* Its rate in the window before this one. */
		sqlite3_reset(st);
		if (sqlite3_bind_int64(st, 1, rid) != SQLITE_OK ||
		    sqlite3_bind_int64(st, 2, ids[i]) != SQLITE_OK ||
		    store_bind_text(st, 3, prev) != SQLITE_OK ||
		    store_bind_text(st, 4, start) != SQLITE_OK ||
		    store_bind_text(st, 5, branch) != SQLITE_OK) {
			store_db_err(s, "cannot read history in", err);
			goto out;
		}
		if (step_rows(s, st, &rc, err))
			goto out;
		execs = rc == SQLITE_ROW ? col_int(st, 0) : 0;
		fails = rc == SQLITE_ROW ? col_int(st, 1) : 0;
		if (execs <= 0)
			continue;
		if (clean_since(s, ids[i], branch, &clean, err))
			goto out;
		if (clean >= stats_release_need((double)fails / (double)execs))
			(*out)++;
	}
	ret = 0;
out:
	free(ids);
	sqlite3_finalize(st);
	return ret;
}

/* Test tid's failures per day of the window into v[0..days). */
static int spark(struct store *s, long long rid, long long tid,
		 const char *branch, const char *start, int days,
		 long long now_unix, long long *v, struct err *err)
{
	static const char sql[] =
		"SELECT day, sum(failures) FROM daily WHERE repo_id = ?1"
		" AND test_id = ?2 AND day >= ?3 AND (?4 IS NULL OR branch = ?4)"
		" GROUP BY day ORDER BY day";
	sqlite3_stmt *st = NULL;
	long long first = now_unix / 86400 - (days - 1), day;
	int rc, ret = -1;

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
		if (step_rows(s, st, &rc, err))
			goto out;
		if (rc != SQLITE_ROW)
			break;
		if (!parse_day(col_text(st, 0), &day) && day >= first &&
		    day < first + days)
			v[day - first] += col_int(st, 1);
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

static int trends(struct store *s, long long rid, struct q_flakes *f,
		  long long now_unix, struct err *err)
{
	char start[16], prev[16];
	int days = f->window_days > 0 ? f->window_days : 30;
	size_t i;

	store_window_start(days, now_unix, start, sizeof(start));
	store_window_start(2 * days, now_unix, prev, sizeof(prev));
	if (fixed_count(s, rid, f->branch, prev, start, &f->fixed, err))
		return -1;
	for (i = 0; i < f->n; i++) {
		const char *first = f->rows[i].first_flaky_at;

		if (f->rows[i].flaky_runs <= 0)
			continue;
		if (first && strcmp(first, start) >= 0)
			f->new_flaky++;
		else
			f->known_flaky++;
	}
	f->spark_days = days;
	f->nspark = f->n < STORE_Q_SPARK_MAX ? f->n : STORE_Q_SPARK_MAX;
	f->spark = xcalloc(f->nspark * (size_t)days + 1, sizeof(*f->spark));
	for (i = 0; i < f->nspark; i++)
		if (spark(s, rid, f->rows[i].test_id, f->branch, start, days,
			  now_unix, f->spark + i * (size_t)days, err))
			return -1;
	return 0;
}

/* --- priors for planning a run ------------------------------------------- */

static struct store_pkg_prior *prior_of(struct store_pkg_prior **v, size_t *n,
					size_t *alloc, const char *package)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*v)[i].package, package))
			return &(*v)[i];
	xgrow((void **)v, alloc, *n + 1, sizeof(**v));
	memset(&(*v)[*n], 0, sizeof(**v));
	(*v)[*n].package = xstrdup(package);
	return &(*v)[(*n)++];
}

static int cmp_prior(const void *a, const void *b)
{
	return strcmp(((const struct store_pkg_prior *)a)->package,
		      ((const struct store_pkg_prior *)b)->package);
}

int store_pkg_priors(struct store *s, int window_days, long long now_unix,
		     struct store_pkg_prior **out, size_t *n, struct err *err)
{
	static const char flaky_sql[] =
		"SELECT t.package FROM daily d JOIN tests t ON t.id = d.test_id"
		" WHERE d.day >= ?1 AND (d.failures > 0 OR d.flaky_runs > 0)"
		" GROUP BY t.package";
	static const char ms_sql[] =
		"SELECT package, max(s) FROM (SELECT t.package AS package,"
		"  sum(v.seconds / v.executions) AS s"
		"  FROM runs r JOIN verdicts v ON v.run_id = r.id"
		"  JOIN tests t ON t.id = v.test_id"
		"  WHERE r.infra = 0 AND r.started_at >= ?1 AND v.executions > 0"
		"  AND instr(t.name, '/') = 0 GROUP BY r.id, t.package)"
		" GROUP BY package";
	/* The failures table holds a row per cause per cell: small, and
	 * read by its run index. */
	static const char cells_sql[] =
		"SELECT t.package, c.race, c.gomaxprocs FROM runs r"
		" JOIN failures f ON f.run_id = r.id"
		" JOIN verdicts v ON v.run_id = f.run_id AND v.test_id = f.test_id"
		" JOIN cells c ON c.run_id = f.run_id AND c.idx = f.cell_idx"
		" JOIN tests t ON t.id = f.test_id"
		" WHERE r.infra = 0 AND r.started_at >= ?1 AND f.rerun = 0"
		" AND v.status != 'failed'"
		" GROUP BY t.package, c.race, c.gomaxprocs"
		" ORDER BY t.package, c.race, c.gomaxprocs";
	static const char *const sql[] = { flaky_sql, ms_sql, cells_sql };
	struct store_pkg_prior *v = NULL;
	size_t cnt = 0, alloc = 0;
	sqlite3_stmt *st = NULL;
	char start[16];
	int rc, pass, ret = -1;

	*out = NULL;
	*n = 0;
	store_window_start(window_days, now_unix, start, sizeof(start));
	if (snap_begin(s, err))
		return -1;
	for (pass = 0; pass < 3; pass++) {
		if (prepare(s, sql[pass], &st, err))
			goto out;
		if (store_bind_text(st, 1, start) != SQLITE_OK) {
			store_db_err(s, "cannot read history in", err);
			goto out;
		}
		for (;;) {
			struct store_pkg_prior *p;

			if (step_rows(s, st, &rc, err))
				goto out;
			if (rc != SQLITE_ROW)
				break;
			if (!col_text(st, 0))
				continue;
			p = prior_of(&v, &cnt, &alloc, col_text(st, 0));
			if (pass == 1) {
				/* Known, however fast: at least 1 ms. */
				p->exec_ms = (long long)
					(sqlite3_column_double(st, 1) * 1000.0 + 0.5);
				if (p->exec_ms < 1)
					p->exec_ms = 1;
			} else if (pass == 2) {
				p->cells = xrealloc(p->cells, (p->ncells + 1) *
						    sizeof(*p->cells));
				p->cells[p->ncells].race =
					sqlite3_column_int(st, 1);
				p->cells[p->ncells].gomaxprocs =
					sqlite3_column_int(st, 2);
				p->ncells++;
			} else {
				p->flaky = 1;
			}
		}
		sqlite3_finalize(st);
		st = NULL;
	}
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_prior);
	*out = v;
	*n = cnt;
	v = NULL;
	cnt = 0;
	ret = 0;
out:
	sqlite3_finalize(st);
	snap_end(s);
	store_pkg_priors_free(v, cnt);
	return ret;
}

void store_pkg_priors_free(struct store_pkg_prior *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].package);
		free(v[i].cells);
	}
	free(v);
}
