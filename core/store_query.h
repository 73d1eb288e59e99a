/*
 * store_query.h: the reporter's read queries over the history store, each
 * answering one part of docs/API.md with a ready JSON value, plus the
 * comparison behind the PR comment (plain C structs).
 *
 * Invariants:
 *   - Each query reads one snapshot (a read transaction): a run being
 *     written meanwhile is seen whole or not at all.
 *   - Flake numbers come from the rollups (daily, test_flaky) and run
 *     groups, never from a scan of results; only one test's detail reads
 *     that test's results and failures rows (through verdicts_test and
 *     failures_test).
 *   - A "run" in the API is a run group (store.h): "run_id" is always a
 *     run_groups id, "upload_id" a runs id.  The flake rows' "runs" and
 *     the daily series count uploads in which the test ran (the rollups).
 *   - Strings are repaired to valid UTF-8 (U+FFFD) on the way out.
 *   - Days and windows are UTC days, as in store_flake_table(): a window
 *     of N days ends with the day of now_unix and holds N days.
 *
 * Errors: a query returns NULL with err set.  When what was asked for does
 * not exist (repository, test, run), err->msg starts with "no such "
 * (store_q_not_found() tells): the server answers 404; anything else is a
 * database failure (500/503).
 *
 * Lifecycle: 1. json_t *j = store_q_tests(s, ...); 2. serialize it;
 * 3. json_decref(j).  One thread at a time per store (store.h).
 */
#ifndef CORE_STORE_QUERY_H
#define CORE_STORE_QUERY_H

#include "err.h"
#include "results.h"
#include "stats.h"
#include "store.h"

#include <jansson.h>
#include <stddef.h>

/* 1 when err holds a "no such ..." message of these queries, else 0. */
int store_q_not_found(const struct err *err);

/*
 * Every repository, by name, with headline numbers for the home page:
 *   {"repos": [{"repository": "acme/api",
 *     "runs_30d": 12, "infra_runs_30d": 1,   (run groups started in the
 *                                             30 days up to now_unix)
 *     "flaky_tests": 3,       (tests with flaky_runs > 0 in the last 7 days)
 *     "flaky_tests_prev": 5,  (the same in the 7 days before those)
 *     "trend": -2,            (flaky_tests - flaky_tests_prev)
 *     "last_run_at": "2024-05-10T08:00:00Z" | null}]}
 * Repositories without runs (a token was made) are listed with zeros.
 * Returns a new reference (caller json_decref's), or NULL with err set.
 */
json_t *store_q_repos(struct store *s, long long now_unix, struct err *err);

/*
 * GET /api/v1/repos/{repo}/tests: the flake table (store_flake_table(),
 * STORE_FLAKE_ALL when all is non-zero) as
 *   {"repository", "window_days", "branch" (null: all),
 *    "runs", "infra_runs",    (run groups started in the window on the
 *                              branch; infra: with an infra upload)
 *    "tests": [{"id", "package", "name", "executions", "failures",
 *      "runs", "flaky_runs", "failed_runs", "rate", "rate_lo", "rate_hi",
 *      "rate_text" (stats_format_rate()),
 *      "first_flaky": {"commit", "at"} | null, "last_flaky": ... | null}]}
 * sorted by rate as store_flake_table().  branch and window_days as
 * there.  Returns a new reference, or NULL with err set ("no such
 * repository 'x'" when repo is unknown).
 */
json_t *store_q_tests(struct store *s, const char *repo, const char *branch,
		      int window_days, long long now_unix, int all,
		      struct err *err);

/*
 * GET /api/v1/repos/{repo}/tests/{id}: test test_id's flake row (as in
 * store_q_tests(), also when it never failed) plus "repository",
 * "window_days", "branch" and
 *   "daily": every day of the window, oldest first, zeros filled
 *     (all time: from the test's first rollup day, at most 3660 days):
 *     [{"day": "2024-05-01", "executions", "failures", "runs",
 *       "flaky_runs", "failed_runs"}];
 *   "cells": per cell name, over the window's non-infra uploads where the
 *     test passed or was flaky (the runs its rate counts, so the cells'
 *     sums equal the row's executions and failures), worst rate first:
 *     [{"cell", "executions" (passes + failures), "failures"}];
 *   "signatures": the 5 most frequent failure causes over the window's
 *     non-infra uploads (any verdict):
 *     [{"signature", "kind", "count", "file", "line" (null: unknown),
 *       "sample" (the latest message), "output" (its output excerpt)}];
 *   "recent_runs": the 20 latest run groups the test ran in (on branch
 *     when given), newest first, among its 1000 latest uploads:
 *     [{"run_id", "commit", "branch", "pr", "status" (merged: worst of
 *       its uploads), "at" (the group's start), "infra"}].
 * Returns a new reference, or NULL with err set: "no such repository"
 * or "no such test N in 'repo'" when test_id is not a test of repo.
 */
json_t *store_q_test(struct store *s, const char *repo, long long test_id,
		     const char *branch, int window_days, long long now_unix,
		     struct err *err);

/*
 * GET /api/v1/repos/{repo}/runs: the latest run groups, newest (highest
 * id) first, with id < before_group_id when that is > 0; limit <= 0
 * means 50, at most 500:
 *   {"repository", "runs": [{"run_id", "commit", "branch", "base_branch",
 *     "pr", "started_at", "gh_run_id", "run_attempt", "workflow", "event"
 *     (these four: the first upload's), "uploads", "infra",
 *     "totals": {"tests", "failed", "flaky", "passed", "skipped",
 *     "notrun"} (distinct tests by merged verdict)}],
 *    "next_before": the last run_id when the page is full, else null}
 * Returns a new reference, or NULL with err set ("no such repository").
 */
json_t *store_q_runs(struct store *s, const char *repo, int limit,
		     long long before_group_id, struct err *err);

/*
 * GET /api/v1/runs/{id}: the merged run group_id:
 *   {"run_id", "repository", "commit", "branch", "base_branch", "pr",
 *    "started_at", "created_at" (unix), "gh_run_id", "run_attempt",
 *    "workflow", "event", "infra",
 *    "totals": {"tests", "executions", "failed", "flaky", "passed",
 *               "skipped", "notrun"},
 *    "uploads": [{"upload_id", "job", "shard", "started_at", "go_version",
 *      "goos", "goarch", "wall_ms", "tests", "executions", "infra"}],
 *    "cells": the union by name, in upload then index order, as the
 *      results document's cells (wall_ms summed),
 *    "tests": the verdict table, as the results document's tests[] and in
 *      its order (failed, flaky, passed, skipped, notrun; then package,
 *      name), merged per (package, name) over the uploads: status worst
 *      of (failed > flaky > passed > skipped > notrun), counts and
 *      seconds summed, new_flaky if any, cells merged by name likewise,
 *      worst_cell derived as results_finish() does, failure_details from
 *      every upload.  Not stored, hence absent: via_subtest,
 *      repro_verified, failure_details_dropped, and the cells' unknown,
 *      seconds and shuffle_seed; "where" and "repro" are null.}
 * Returns a new reference, or NULL with err set ("no such run N").
 */
json_t *store_q_run(struct store *s, long long group_id, struct err *err);

/* Flags of store_q_run_ex(). */
enum store_q_flags {
	/* Only the tests whose merged verdict is failed or flaky (the PR
	 * comment's table); totals still count every test. */
	STORE_Q_FAILING = 1 << 0,
};

/* store_q_run() with flags (enum store_q_flags). */
json_t *store_q_run_ex(struct store *s, long long group_id, unsigned flags,
		       struct err *err);

/*
 * One page of a run: up to limit tests whose id is above `offset` (the
 * cursor: 0 for the first page), in test-id order (limit -1: every test,
 * in the verdict table's order, and no "page"), and "page": {"cursor",
 * "limit", "total", "next"} ("next" the cursor of the next page, null
 * after the last) -- keyset paging: a page costs O(page), whatever the
 * run's size.
 */
json_t *store_q_run_page(struct store *s, long long group_id, unsigned flags,
			 long long offset, long long limit, struct err *err);

/* The run endpoint's page size: default and maximum. */
#define STORE_Q_RUN_PAGE 1000
#define STORE_Q_RUN_PAGE_MAX 5000

/*
 * For the repository page: adds to doc (a store_q_tests() answer for the
 * same repo, branch and window) "flakes": {"new", "known", "fixed"} --
 * tests flaky in the window whose first flaky time falls in it (new) or
 * before it (known), and tests whose last flaky time falls in the window
 * before this one (fixed: flaky then, not since) -- and to each of its
 * first STORE_Q_SPARK_MAX tests "daily_failures": one count per day of
 * the window, oldest first, for a sparkline.  0, or -1 with err set.
 */
#define STORE_Q_SPARK_MAX 200
int store_q_trends(struct store *s, const char *repo, const char *branch,
		   int window_days, long long now_unix, json_t *doc,
		   struct err *err);

/* How a test of a PR's run compares with the base branch. */
enum compare_class {
	COMPARE_NEW,	/* flaky/failed in r, never flaky on base before */
	COMPARE_KNOWN,	/* flaky/failed in r, flaky on base before */
	COMPARE_FIXED,	/* flaky on base in the window, passed in r */
};

/* "new", "known", "fixed". */
const char *compare_class_name(enum compare_class c);

/*
 * One compared test.  The numbers are the test's flake row over the
 * window on the base branch (all branches when base is NULL): zeros, rate
 * 0 and [lo, hi] = [0, 1] when the store has no rollup for it.  first
 * flaky is all-time on that branch (NULL: never).  Strings owned by the
 * row.
 */
struct compare_row {
	long long test_id;	/* 0: the store has never seen the test */
	char *package, *name;
	enum verdict status;	/* in r */
	enum compare_class cls;
	long executions, failures, runs, flaky_runs, failed_runs;
	double rate, lo, hi;
	char rate_text[STATS_RATE_MAX];	/* stats_format_rate() */
	char *first_flaky_commit, *first_flaky_at;
};

/*
 * For the PR comment: every test of r (finished) that is flaky or failed
 * in r, NEW or KNOWN, plus every test flaky on base_branch (NULL: on any
 * branch) in the window that passed in r, FIXED.  "Before" r means with a
 * first flaky time earlier than r's start (r->meta.started_at, else
 * now_unix), so the answer is the same whether r is already stored or
 * not.  repo is the repository to compare in (normally
 * store_repo_name(r)); an unknown one gives only NEW rows.  Sorted by class (new, known, fixed), then failed before flaky,
 * rate descending, package and name.  Cost: a few index lookups per row;
 * call it for non-infra runs (an infra run's thousands of failures make
 * thousands of rows).
 * Returns 0 and sets *rows (OUT, NULL when none; free with
 * store_compare_rows_free()) and *n (OUT).  Returns -1 with err set,
 * *rows and *n unmodified.
 */
int store_q_compare(struct store *s, const char *repo,
		    const char *base_branch, const struct results *r,
		    int window_days, long long now_unix,
		    struct compare_row **rows, size_t *n, struct err *err);

/* Frees rows[0..n) and the array.  NULL is a no-op. */
void store_compare_rows_free(struct compare_row *rows, size_t n);

#endif
