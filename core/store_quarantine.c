/*
 * store_quarantine.c: the quarantine list (see store_quarantine.h and
 * schema/005_quarantine.sql).
 */
#include "store_quarantine.h"
#include "store_int.h"
#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define Q_DEFAULT_P0 0.05
#define Q_RELEASED_DAYS 90

static void iso_of(long long t, char *out, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	out[0] = '\0';
	if (gmtime_r(&tt, &tm))
		strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int prep(struct store *s, const char *sql, sqlite3_stmt **st,
		struct err *err)
{
	if (sqlite3_prepare_v2(store_sqlite(s), sql, -1, st, NULL) != SQLITE_OK) {
		*st = NULL;
		return store_db_err(s, "cannot use the quarantine list in", err);
	}
	return 0;
}

/* Runs st to its end; 0, or -1 with err set.  Finalizes st. */
static int run_done(struct store *s, sqlite3_stmt *st, struct err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_db_err(s, "cannot change the quarantine list in", err);
	return 0;
}

/* The test's id in repo rid, 0 when the store never saw it. */
static int test_id(struct store *s, long long rid, const char *package,
		   const char *name, long long *id, struct err *err)
{
	sqlite3_stmt *st;
	int rc;

	*id = 0;
	if (prep(s, "SELECT id FROM tests WHERE repo_id = ?1 AND package = ?2"
		 " AND name = ?3", &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, rid);
	store_bind_text(st, 2, package);
	store_bind_text(st, 3, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_db_err(s, "cannot read history in", err);
	return 0;
}

static int add_entry(struct store *s, const char *repo, long long rid,
		     const struct quarantine_add *a, long long now_unix,
		     struct err *err)
{
	static const char sql[] =
		"INSERT INTO quarantine (repo_id, package, name, reason, added_by,"
		" added_at, issue_url, rate_at_add) VALUES (?1, ?2, ?3, ?4, ?5,"
		" ?6, ?7, ?8)";
	struct flake_row row;
	sqlite3_stmt *st;
	long long tid;
	double p0 = Q_DEFAULT_P0;
	char now[32];
	int rc;

	if (test_id(s, rid, a->package, a->name, &tid, err))
		return -1;
	memset(&row, 0, sizeof(row));
	if (tid) {
		rc = store_flake_test(s, repo, tid, NULL, 30, now_unix, &row, err);
		if (rc < 0)
			return -1;
		if (rc == 0 && row.failures > 0 && row.executions > 0)
			p0 = row.rate;
		store_flake_row_release(&row);
	}
	iso_of(now_unix, now, sizeof(now));
	if (prep(s, sql, &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, rid);
	store_bind_text(st, 2, a->package);
	store_bind_text(st, 3, a->name);
	store_bind_text(st, 4, a->reason && *a->reason ? a->reason : "(no reason given)");
	store_bind_text(st, 5, a->added_by && *a->added_by ? a->added_by : "unknown");
	store_bind_text(st, 6, a->added_at ? a->added_at : now);
	store_bind_text(st, 7, a->issue_url && *a->issue_url ? a->issue_url : NULL);
	sqlite3_bind_double(st, 8, p0);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return err_set(err, "'%s' of '%s' is already in quarantine",
			       a->name, a->package);
	if (rc != SQLITE_DONE)
		return store_db_err(s, "cannot change the quarantine list in", err);
	return 0;
}

int store_quarantine_add(struct store *s, const char *repo,
			 const struct quarantine_add *a, long long now_unix,
			 struct err *err)
{
	long long rid;

	if (!a->package || !*a->package || !a->name || !*a->name)
		return err_set(err, "a quarantine entry needs a package and a "
			       "test name");
	if (store_repo_find(s, repo, 1, &rid, err) < 0)
		return -1;
	return add_entry(s, repo, rid, a, now_unix, err);
}

int store_quarantine_release(struct store *s, const char *repo,
			     const char *package, const char *name,
			     long long now_unix, struct err *err)
{
	sqlite3_stmt *st;
	long long rid;
	char now[32];
	int rc;

	rc = store_repo_find(s, repo, 0, &rid, err);
	if (rc < 0)
		return -1;
	if (rc > 0)
		return err_set(err, "'%s' of '%s' is not in quarantine", name,
			       package);
	iso_of(now_unix, now, sizeof(now));
	if (prep(s, "UPDATE quarantine SET released_at = ?4 WHERE repo_id = ?1"
		 " AND package = ?2 AND name = ?3 AND released_at IS NULL",
		 &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, rid);
	store_bind_text(st, 2, package);
	store_bind_text(st, 3, name);
	store_bind_text(st, 4, now);
	if (run_done(s, st, err))
		return -1;
	if (sqlite3_changes(store_sqlite(s)) != 1)
		return err_set(err, "'%s' of '%s' is not in quarantine", name,
			       package);
	return 0;
}

/* Fills e's evidence: failures since added_at, passes since the last. */
static int evidence(struct store *s, long long rid, struct q_quarantine *e,
		    struct err *err)
{
	sqlite3_stmt *st;
	long long tid;
	char *last = NULL;
	int rc;

	e->need = stats_release_need(e->p0);
	if (test_id(s, rid, e->package, e->name, &tid, err))
		return -1;
	if (!tid)
		return 0;
	if (prep(s, "SELECT coalesce(sum(v.failures), 0),"
		 " max(CASE WHEN v.failures > 0 THEN x.started_at END)"
		 " FROM verdicts v CROSS JOIN runs x WHERE v.test_id = ?1"
		 " AND x.id = v.run_id AND x.infra = 0 AND x.started_at >= ?2",
		 &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, tid);
	store_bind_text(st, 2, e->added_at);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		e->failures = sqlite3_column_int64(st, 0);
		last = store_col_dup(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_db_err(s, "cannot read history in", err);
	if (prep(s, "SELECT coalesce(sum(v.passes), 0) FROM verdicts v"
		 " CROSS JOIN runs x WHERE v.test_id = ?1 AND x.id = v.run_id"
		 " AND x.infra = 0 AND x.started_at >= ?2"
		 " AND (?3 IS NULL OR x.started_at > ?3)", &st, err)) {
		free(last);
		return -1;
	}
	sqlite3_bind_int64(st, 1, tid);
	store_bind_text(st, 2, e->added_at);
	store_bind_text(st, 3, last);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		e->clean = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	free(last);
	if (rc != SQLITE_ROW)
		return store_db_err(s, "cannot read history in", err);
	e->ready = e->clean >= e->need;
	return 0;
}

int store_quarantine_list(struct store *s, const char *repo,
			  long long now_unix, struct q_quarantine **v,
			  size_t *n, struct err *err)
{
	sqlite3_stmt *st;
	struct q_quarantine *out = NULL;
	size_t cnt = 0, alloc = 0, i;
	long long rid;
	char since[32];
	int rc;

	*v = NULL;
	*n = 0;
	rc = store_repo_find(s, repo, 0, &rid, err);
	if (rc)
		return rc < 0 ? -1 : 0;
	iso_of(now_unix - (long long)Q_RELEASED_DAYS * 86400, since, sizeof(since));
	if (prep(s, "SELECT id, package, name, reason, added_by, added_at,"
		 " issue_url, rate_at_add, released_at FROM quarantine"
		 " WHERE repo_id = ?1 AND (released_at IS NULL OR released_at >= ?2)"
		 " ORDER BY released_at IS NOT NULL, coalesce(released_at, added_at),"
		 " package, name", &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, rid);
	store_bind_text(st, 2, since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct q_quarantine *e;

		xgrow((void **)&out, &alloc, cnt + 1, sizeof(*out));
		e = &out[cnt++];
		memset(e, 0, sizeof(*e));
		e->id = sqlite3_column_int64(st, 0);
		e->package = store_col_dup(st, 1);
		e->name = store_col_dup(st, 2);
		e->reason = store_col_dup(st, 3);
		e->added_by = store_col_dup(st, 4);
		e->added_at = store_col_dup(st, 5);
		e->issue_url = store_col_dup(st, 6);
		e->p0 = sqlite3_column_double(st, 7);
		e->released_at = store_col_dup(st, 8);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_quarantine_free(out, cnt);
		return store_db_err(s, "cannot read the quarantine list in", err);
	}
	for (i = 0; i < cnt; i++)
		if (evidence(s, rid, &out[i], err)) {
			store_quarantine_free(out, cnt);
			return -1;
		}
	*v = out;
	*n = cnt;
	return 0;
}

void store_quarantine_free(struct q_quarantine *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++) {
		free(v[i].package);
		free(v[i].name);
		free(v[i].reason);
		free(v[i].added_by);
		free(v[i].added_at);
		free(v[i].issue_url);
		free(v[i].released_at);
	}
	free(v);
}

int store_quarantine_sync(struct store *s, const char *repo,
			  const struct quarantine_add *a, size_t n,
			  long long now_unix, struct err *err)
{
	sqlite3 *db = store_sqlite(s);
	struct q_quarantine *cur = NULL;
	size_t ncur = 0, i, k;
	long long rid;
	int ret = -1;

	if (sqlite3_exec(db, "SAVEPOINT quarantine_sync", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return store_db_err(s, "cannot change the quarantine list in", err);
	if (store_repo_find(s, repo, 1, &rid, err) < 0 ||
	    store_quarantine_list(s, repo, now_unix, &cur, &ncur, err))
		goto out;
	for (i = 0; i < ncur; i++) {
		if (cur[i].released_at)
			continue;
		for (k = 0; k < n; k++)
			if (!strcmp(a[k].package, cur[i].package) &&
			    !strcmp(a[k].name, cur[i].name))
				break;
		if (k == n && store_quarantine_release(s, repo, cur[i].package,
						       cur[i].name, now_unix, err))
			goto out;
	}
	for (k = 0; k < n; k++) {
		for (i = 0; i < ncur; i++)
			if (!cur[i].released_at &&
			    !strcmp(a[k].package, cur[i].package) &&
			    !strcmp(a[k].name, cur[i].name))
				break;
		if (i == ncur && add_entry(s, repo, rid, &a[k], now_unix, err))
			goto out;
	}
	ret = 0;
out:
	store_quarantine_free(cur, ncur);
	if (ret)
		sqlite3_exec(db, "ROLLBACK TO quarantine_sync", NULL, NULL, NULL);
	sqlite3_exec(db, "RELEASE quarantine_sync", NULL, NULL, NULL);
	return ret;
}

int store_quarantine_state(struct store *s, long long repo_id,
			   const char *package, const char *name,
			   const char *before, int *active, int *released,
			   struct err *err)
{
	sqlite3_stmt *st;
	int rc;

	*active = *released = 0;
	if (prep(s, "SELECT coalesce(max(released_at IS NULL), 0),"
		 " coalesce(max(released_at IS NOT NULL AND released_at < ?4), 0)"
		 " FROM quarantine WHERE repo_id = ?1 AND package = ?2"
		 " AND name = ?3", &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, repo_id);
	store_bind_text(st, 2, package);
	store_bind_text(st, 3, name);
	store_bind_text(st, 4, before);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*active = sqlite3_column_int(st, 0);
		*released = !*active && sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_db_err(s, "cannot read the quarantine list in", err);
	return 0;
}

int store_quarantine_auto_release(struct store *s, const char *repo,
				  long long now_unix, size_t *released,
				  struct err *err)
{
	struct q_quarantine *v = NULL;
	size_t n = 0, i;
	int ret = 0;

	*released = 0;
	if (store_quarantine_list(s, repo, now_unix, &v, &n, err))
		return -1;
	for (i = 0; i < n && !ret; i++) {
		if (v[i].released_at || !v[i].ready)
			continue;
		ret = store_quarantine_release(s, repo, v[i].package, v[i].name,
					       now_unix, err);
		*released += !ret;
	}
	store_quarantine_free(v, n);
	return ret;
}
