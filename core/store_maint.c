/*
 * store_maint.c: prune and backup (see store_maint.h).
 */
#include "store_maint.h"
#include "buf.h"
#include "store_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PRUNE_BATCH 100

static int exec1(struct store *s, const char *sql, struct err *err)
{
	if (sqlite3_exec(store_sqlite(s), sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_db_err(s, sql, err);
	return 0;
}

/* One batch: up to PRUNE_BATCH old runs that still hold raw data. */
static int prune_batch(struct store *s, const char *cutoff,
		       struct store_prune_stats *st, int *done, struct err *err)
{
	sqlite3 *db = store_sqlite(s);
	sqlite3_stmt *sel = NULL, *del_res = NULL, *del_doc = NULL,
		     *clr_out = NULL, *cnt = NULL, *clr_rows = NULL;
	long long ids[PRUNE_BATCH], rows = 0;
	int n = 0, i, rc = -1;

	*done = 0;
	if (exec1(s, "BEGIN IMMEDIATE", err))
		return -1;
	if (sqlite3_prepare_v2(db,
		"SELECT id FROM runs WHERE started_at < ?1 AND ("
		" EXISTS (SELECT 1 FROM results WHERE run_id = runs.id) OR"
		" EXISTS (SELECT 1 FROM run_docs WHERE run_id = runs.id) OR"
		" EXISTS (SELECT 1 FROM failures WHERE run_id = runs.id"
		"  AND output IS NOT NULL))"
		" ORDER BY id LIMIT ?2", -1, &sel, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "DELETE FROM results WHERE run_id = ?1",
			       -1, &del_res, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "DELETE FROM run_docs WHERE run_id = ?1",
			       -1, &del_doc, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "UPDATE failures SET output = NULL"
			       " WHERE run_id = ?1 AND output IS NOT NULL",
			       -1, &clr_out, NULL) != SQLITE_OK ||
	    /* Without its results rows a run can no longer be merged
	     * from rows (core/store_group.c): say so. */
	    sqlite3_prepare_v2(db, "UPDATE runs SET rows_complete = 0"
			       " WHERE id = ?1 AND rows_complete != 0", -1,
			       &clr_rows, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "UPDATE counters SET value = max(0, value - ?1)"
			       " WHERE name = 'result_rows'", -1, &cnt,
			       NULL) != SQLITE_OK) {
		store_db_err(s, "prune", err);
		goto out;
	}
	store_bind_text(sel, 1, cutoff);
	sqlite3_bind_int(sel, 2, PRUNE_BATCH);
	while (n < PRUNE_BATCH && (i = sqlite3_step(sel)) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(sel, 0);
	for (i = 0; i < n; i++) {
		sqlite3_bind_int64(del_res, 1, ids[i]);
		if (sqlite3_step(del_res) != SQLITE_DONE) {
			store_db_err(s, "prune", err);
			goto out;
		}
		rows += sqlite3_changes(db);
		sqlite3_reset(del_res);
		sqlite3_bind_int64(del_doc, 1, ids[i]);
		if (sqlite3_step(del_doc) != SQLITE_DONE) {
			store_db_err(s, "prune", err);
			goto out;
		}
		st->docs += sqlite3_changes(db);
		sqlite3_reset(del_doc);
		sqlite3_bind_int64(clr_out, 1, ids[i]);
		if (sqlite3_step(clr_out) != SQLITE_DONE) {
			store_db_err(s, "prune", err);
			goto out;
		}
		sqlite3_reset(clr_out);
		sqlite3_bind_int64(clr_rows, 1, ids[i]);
		if (sqlite3_step(clr_rows) != SQLITE_DONE) {
			store_db_err(s, "prune", err);
			goto out;
		}
		sqlite3_reset(clr_rows);
	}
	sqlite3_bind_int64(cnt, 1, rows);
	if (sqlite3_step(cnt) != SQLITE_DONE) {
		store_db_err(s, "prune", err);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(del_res);
	sqlite3_finalize(del_doc);
	sqlite3_finalize(clr_out);
	sqlite3_finalize(clr_rows);
	sqlite3_finalize(cnt);
	if (rc || exec1(s, "COMMIT", err)) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	st->runs += n;
	st->result_rows += rows;
	*done = n < PRUNE_BATCH;
	return 0;
}

int store_prune(struct store *s, int keep_days, long long now,
		struct store_prune_stats *out, struct err *err)
{
	struct store_prune_stats st = { 0, 0, 0 };
	char cutoff[32];
	time_t t = (time_t)(now - (long long)keep_days * 86400);
	struct tm tm;
	int done = 0;

	if (keep_days < 1)
		return err_set(err, "--keep wants a number of days >= 1");
	gmtime_r(&t, &tm);
	strftime(cutoff, sizeof(cutoff), "%Y-%m-%dT%H:%M:%SZ", &tm);
	while (!done)
		if (prune_batch(s, cutoff, &st, &done, err))
			return -1;
	if (out)
		*out = st;
	return 0;
}

int store_backup(struct store *s, const char *dest, struct err *err)
{
	struct buf tmp = BUF_INIT(8192);
	sqlite3_stmt *st = NULL;
	struct stat sb;
	int rc = -1;

	if (!dest || !*dest)
		return err_set(err, "backup wants a file to write");
	if (stat(dest, &sb) == 0)
		return err_set(err, "'%s' exists: a backup never overwrites", dest);
	if (buf_addf(&tmp, "%s.tmp", dest))
		return err_set(err, "backup path too long");
	unlink(tmp.data);
	if (sqlite3_prepare_v2(store_sqlite(s), "VACUUM INTO ?1", -1, &st,
			       NULL) != SQLITE_OK ||
	    store_bind_text(st, 1, tmp.data) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE) {
		store_db_err(s, "backup", err);
		unlink(tmp.data);
		goto out;
	}
	if (rename(tmp.data, dest)) {
		err_sys(err, "cannot rename '%s' to '%s'", tmp.data, dest);
		unlink(tmp.data);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	buf_release(&tmp);
	return rc;
}
