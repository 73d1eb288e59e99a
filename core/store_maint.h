/*
 * store_maint.h: keeping a reporter's database for years -- retention
 * (prune) and online backups.  Both are safe while `flake-reporter serve`
 * runs and uploads arrive: they work in short transactions (prune) or one
 * read transaction (backup), and writers wait for the lock
 * (STORE_BUSY_MS) instead of failing.
 */
#ifndef CORE_STORE_MAINT_H
#define CORE_STORE_MAINT_H

#include "err.h"
#include "store.h"

struct store_prune_stats {
	long long runs;		/* runs whose raw rows were removed */
	long long result_rows;	/* rows of `results` deleted */
	long long docs;		/* stored documents deleted */
};

/*
 * Removes the raw data of runs that started more than keep_days days
 * before now (unix seconds): their result rows (per test, per cell) and
 * stored documents, and the output excerpts of their failures.  What the
 * history pages and rates read stays: the daily rollups, each run's
 * summary, its verdicts and its failure signatures.  Works in batches of
 * at most 100 runs per transaction, so uploads are never held up for
 * long.  0 with *st filled (may be NULL), or -1 with err set (the batches
 * committed before the error stay done).
 */
int store_prune(struct store *s, int keep_days, long long now,
		struct store_prune_stats *st, struct err *err);

/*
 * Writes a consistent copy of the database to dest (VACUUM INTO: one read
 * transaction, so it never restarts under concurrent uploads and holds
 * every upload committed before it began).  Written to dest + ".tmp" and
 * renamed, so dest is either absent or whole.  Refuses a dest that exists.
 * 0, or -1 with err set.
 */
int store_backup(struct store *s, const char *dest, struct err *err);

#endif
