/*
 * store.h: the history store -- an SQLite database of runs, their result
 * rows and the rollups the flake table is read from.  The collector keeps
 * one at .flake/history.db; the reporter service uses the same schema
 * (schema/NNN_*.sql, compiled in through core/schema.h) and this code.
 *
 * Invariants:
 *   - The database's PRAGMA user_version is the number of migrations
 *     applied; store_open() applies the missing ones, each in its own
 *     transaction, and refuses a database newer than this binary.
 *   - A run is written whole or not at all (one transaction), and at most
 *     once per run key.
 *   - The rollups (tables daily, test_flaky) count only runs with infra = 0
 *     and are updated in the same transaction as the run: statistics never
 *     scan result rows.
 *   - Every run belongs to one run group (schema/002_reporter.sql): the
 *     uploads of one workflow run attempt, which the reporter shows as one
 *     merged run.  The group's aggregates are updated in the run's
 *     transaction.  A "run" in the rollups (daily.runs, flake_row.runs) is
 *     still one upload.
 *   - Connections are WAL-mode with a busy timeout, so a reader (history,
 *     the reporter) and a writer (a run) can share the file.
 *
 * Lifecycle:
 *   1. struct store *s; store_open(&s, ".flake/history.db", 0, err);
 *   2. store_classify(s, &results, ...)        (store_query.h: the gate);
 *      store_add_run(s, &results, NULL, &run_id, err);
 *      (the reporter: store_add_run_ex() with an Idempotency-Key)
 *      queries: store_flake_table(), store_run_count(), store_latest_repo(),
 *      and those of store_query.h; tokens: store_token.h;
 *   3. store_close(s).
 * A store is one SQLite connection: use it from one thread at a time (a
 * server opens one store per thread; WAL lets them read while one writes).
 */
#ifndef CORE_STORE_H
#define CORE_STORE_H

#include "err.h"
#include "results.h"

#include <stddef.h>

struct store;

enum store_flags {
	/* Open read-only: no directory is created, nothing is migrated (a
	 * database that needs a migration is an error), writes fail. */
	STORE_READONLY = 1 << 0,
	/* Fail when the file does not exist instead of creating it. */
	STORE_MUST_EXIST = 1 << 1,
	/* synchronous=FULL: a committed run survives a power loss too, at
	 * one more fsync per commit (the reporter, which acknowledges
	 * uploads).  Without it, NORMAL: durable across process crashes. */
	STORE_DURABLE = 1 << 2,
};

/*
 * A run counts as infrastructure trouble ("infra", excluded from the
 * rollups) when a package failed to build, or when at least
 * STORE_INFRA_FAIL_PCT percent of the tests that ran (passed, flaky or
 * failed) failed and at least STORE_INFRA_MIN_TESTS tests ran -- so a tiny
 * suite whose one test breaks is a real break, not an infra run.
 */
#define STORE_INFRA_FAIL_PCT 80
#define STORE_INFRA_MIN_TESTS 5

/* Default --db of the collector. */
#define STORE_DEFAULT_PATH ".flake/history.db"

/*
 * Opens (creating when missing, unless flagged otherwise) the database at
 * path, creating its parent directories (e.g. ".flake/"), and brings its
 * schema up to date.  ":memory:" gives a private in-memory store.
 * Returns 0 and sets *storep (OUT, free with store_close()).  Returns -1
 * with err set and *storep = NULL when the directory cannot be created,
 * the file cannot be opened, is not an SQLite database, is an SQLite
 * database of another application, is newer than this binary ("schema
 * version N is newer than this binary's M"), or a migration fails (the
 * database is then left at the last migration that succeeded).  Messages
 * name path.
 */
int store_open(struct store **storep, const char *path, unsigned flags,
	       struct err *err);

/* Finalizes statements and closes the connection.  NULL is a no-op. */
void store_close(struct store *s);

/* Borrowed: the path given to store_open(), valid until store_close(). */
const char *store_path(const struct store *s);

/* Schema version of the open database (PRAGMA user_version). */
int store_schema_version(const struct store *s);

/*
 * The repository name a run is filed under: r->meta.repository, else
 * r->meta.module, else "local".  Borrowed from r.
 */
const char *store_repo_name(const struct results *r);

/*
 * A run key for r: "repository/run_id/attempt/job/shard" when
 * r->meta.run_id is known (so re-uploading a CI job is idempotent), else
 * "local/<unix ns>/<pid>/<counter>" (unique per call).  Caller frees.
 */
char *store_run_key(const struct results *r);

/*
 * The key of r's run group, the uploads of one attempt of one workflow
 * run: "repository/run_id/attempt" when r->meta.run_id is known, else a
 * copy of run_key (a run is its own group).  Caller frees; NULL only when
 * the key would be over the buffer's limit.
 */
char *store_group_key(const struct results *r, const char *run_key);

/* 1 when r is an infra run (see STORE_INFRA_FAIL_PCT), else 0. */
int store_run_is_infra(const struct results *r);

/*
 * Records the run r (which must be results_finish()ed: BUG otherwise) in
 * one transaction: its repository, the run row, cells, tests (found or
 * created), one result row per test per cell, per-test verdicts, failures,
 * and -- unless it is an infra run -- the daily and first/last-flaky
 * rollups.  run_key NULL means store_run_key(r).  The rollup day is the
 * UTC day of r->meta.started_at (RFC 3339), else of the current time.
 * When run_key is already recorded nothing is written and that run's id
 * is returned: adding is idempotent.  The run joins its run group as in
 * store_add_run_ex(), which this calls with opts { run_key }.
 * Returns 0 and sets *run_id_out (OUT, may be NULL).  Returns -1 with err
 * set (everything rolled back, *run_id_out unmodified) on failure.
 */
int store_add_run(struct store *s, const struct results *r,
		  const char *run_key, long long *run_id_out, struct err *err);

/* Options of store_add_run_ex(); STORE_ADD_OPTS_INIT is all defaults. */
struct store_add_opts {
	/* NULL: store_run_key(r).  Borrowed for the call. */
	const char *run_key;
	/* An upload's Idempotency-Key, unique per repository; NULL: none.
	 * Borrowed for the call. */
	const char *idem_key;
	/* The results document as uploaded (gzip or JSON text), stored in
	 * the same transaction; NULL: none.  Borrowed for the call. */
	const void *doc;
	size_t doc_len;
	/* Initialised by the caller (results_init()), or NULL.  When r
	 * joined a group with other uploads, the group's merged results
	 * (finished) are left here for the caller, who releases them either
	 * way; its `finished` tells whether they were filled. */
	struct results *merged;
};
#define STORE_ADD_OPTS_INIT { NULL, NULL, NULL, 0, NULL }

/* What store_add_run_ex() recorded, or found recorded before. */
struct store_added {
	long long run_id;	/* runs.id: the upload */
	long long group_id;	/* run_groups.id: the merged run */
	int duplicate;		/* 1: run_key or idem_key existed, nothing
				 * was written; the fields describe the
				 * stored run */
	int infra;		/* the (stored) run is an infra run */
};

/*
 * store_add_run() for the reporter.  Before writing, looks up the run key
 * (opts->run_key, else store_run_key(r)) and, when given, the idempotency
 * key of r's repository (store_repo_name(r)); when either is recorded,
 * nothing is written and *out describes that run (the idempotency key
 * wins when both match different runs).  Otherwise records r as
 * store_add_run() does, in the run group "repository/run_id/attempt" when
 * r->meta.run_id is set (else a group of its own, keyed by the run key),
 * creating the group or merging r into it (uploads, earliest start,
 * infra, missing metadata, and the verdict totals of the uploads merged
 * as the PR comment merges them: core/store_group.h, results_merge()).  opts NULL means
 * defaults.  Returns 0 and fills *out (OUT).  Returns -1 with err set,
 * everything rolled back and *out unmodified: also when the group key
 * belongs to another repository's group.
 */
int store_add_run_ex(struct store *s, const struct results *r,
		     const struct store_add_opts *opts,
		     struct store_added *out, struct err *err);

/*
 * Stores the full results document (JSON text) on run run_id, replacing
 * any.  Returns 0, or -1 with err set (also when there is no such run).
 */
int store_set_results_json(struct store *s, long long run_id,
			   const char *json, struct err *err);

/*
 * One row of the flake table: a test's numbers over the window, from the
 * daily rollup.  executions and failures count only runs in which the
 * test's verdict was passed or flaky; runs = passed + flaky + failed runs.
 * rate = failures / executions (0 when executions is 0); [lo, hi] its 95%
 * Wilson interval ([0, 1] when executions is 0).  The first/last flaky
 * fields are all-time (not limited to the window) over the branch asked
 * for, or over all branches; NULL when never flaky (commits also NULL when
 * unknown).  All strings are owned by the row.
 */
struct flake_row {
	long long test_id;	/* tests.id: the API's test id */
	char *package, *name;
	long executions, failures, runs, flaky_runs, failed_runs;
	double rate, lo, hi;
	char *first_flaky_commit, *first_flaky_at;
	char *last_flaky_commit, *last_flaky_at;
};

enum store_flake_flags {
	/* Every test with a rollup in the window, not only those that
	 * failed at least once (slower: reads every rollup row). */
	STORE_FLAKE_ALL = 1 << 0,
};

/*
 * The flake table of repository repo: one row per test that failed at
 * least once in the window (failures > 0 or failed_runs > 0; with
 * STORE_FLAKE_ALL every test with a rollup there), sorted by rate
 * descending, then failures descending, then package and name.
 * branch NULL counts all branches ("" selects runs with no known branch).
 * window_days > 0 keeps the last window_days UTC days up to and including
 * the day of now_unix; <= 0 is all time.
 * Cost: reads only the rollups -- the default table touches the window's
 * rows of the tests that failed (under 1 ms at 1M result rows), the
 * STORE_FLAKE_ALL table every rollup row of the repository (~10 ms there).
 * Returns 0 and sets *rows (OUT, NULL when none; free with
 * store_flake_rows_free()) and *nrows (OUT).  An unknown repository gives
 * no rows.  Returns -1 with err set, *rows and *nrows unmodified.
 */
int store_flake_table(struct store *s, const char *repo, const char *branch,
		      int window_days, long long now_unix, unsigned flags,
		      struct flake_row **rows, size_t *nrows,
		      struct err *err);

/*
 * The uploads and result rows stored, from running totals (one lookup,
 * no table scan).  0, or -1 with err set (*uploads, *result_rows 0).
 */
int store_counts(struct store *s, long long *uploads, long long *result_rows,
		 struct err *err);

/* Frees rows[0..n) and the array.  NULL is a no-op. */
void store_flake_rows_free(struct flake_row *rows, size_t n);

/*
 * The flake-table row of one test (tests.id test_id) of repository repo,
 * with the numbers of store_flake_table() (branch, window_days and
 * now_unix alike), also when it never failed or has no rollup in the
 * window (then all counts are 0).  Cost: one primary-key range of daily.
 * Returns 0 and fills *row (OUT; release with store_flake_row_release()).
 * Returns 1, *row unmodified, when repo has no test test_id (unknown
 * repository included).  Returns -1 with err set, *row unmodified.
 */
int store_flake_test(struct store *s, const char *repo, long long test_id,
		     const char *branch, int window_days, long long now_unix,
		     struct flake_row *row, struct err *err);

/* Frees the strings of *row (not row itself). */
void store_flake_row_release(struct flake_row *row);

/*
 * Counts the runs of repo (NULL: every repository) on branch (NULL: all)
 * started in the window (as in store_flake_table()).  Sets *runs (OUT) to
 * all runs and *infra_runs (OUT, may be NULL) to those with infra = 1.
 * Returns 0, or -1 with err set and the outputs unmodified.
 */
int store_run_count(struct store *s, const char *repo, const char *branch,
		    int window_days, long long now_unix, long *runs,
		    long *infra_runs, struct err *err);

/*
 * The repository of the most recently recorded run: the default for
 * `history` without --repo.  Returns 0 and sets *repo (OUT, caller frees;
 * NULL when no run is recorded); -1 with err set, *repo unmodified.
 */
int store_latest_repo(struct store *s, char **repo, struct err *err);

#endif
