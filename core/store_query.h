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
 * Lifecycle: typed: 1. struct q_flakes f; store_q_flakes(s, ..., &f, err);
 * 2. read f; 3. store_q_flakes_release(&f).  JSON: 1. json_t *j =
 * store_q_tests(s, ...); 2. serialize it; 3. json_decref(j).  One thread
 * at a time per store (store.h).
 */
#ifndef CORE_STORE_QUERY_H
#define CORE_STORE_QUERY_H

#include "buf.h"
#include "err.h"
#include "results.h"
#include "stats.h"
#include "store.h"

#include <jansson.h>
#include <stddef.h>

/* 1 when err holds a "no such ..." message of these queries, else 0. */
int store_q_not_found(const struct err *err);

/* --- typed reads ------------------------------------------------------
 *
 * The pages read these structs; the JSON answers below are made from the
 * same structs in one place (store_json.c), so a field has one name in C
 * and one in JSON and a mistyped one does not compile.  Text is valid
 * UTF-8: the upload parser (json_pull) and results_canon_name() admit
 * nothing else, and these reads and the JSON answers repair what an older
 * store may hold (utf8_dup(), jsonw_str()); NULL where the JSON says null.
 * Every struct is
 * owned by the caller and freed with its *_release(); a failed read
 * leaves it zeroed (releasing it is still allowed).
 */

/* Distinct tests by merged verdict. */
struct q_totals {
	long long tests, executions, failed, flaky, passed, skipped, notrun;
};

/* A repository's headline numbers (the home page, the badge). */
struct q_repo {
	char *repository;
	long long runs_30d, infra_runs_30d;	/* run groups, last 30 days */
	long long flaky_tests;		/* flaky in the last 7 days */
	long long flaky_tests_prev;	/* in the 7 days before those */
	char *last_run_at;		/* NULL: no run yet */
};

struct q_repos {
	struct q_repo *v;
	size_t n;
};

/* Every repository by name (shape: store_q_repos()).  0, or -1 with err. */
int store_q_repo_list(struct store *s, long long now_unix,
		      struct q_repos *out, struct err *err);
void store_q_repos_release(struct q_repos *r);

/* Flags of store_q_flakes(). */
enum store_q_flake_flags {
	STORE_Q_ALL = 1 << 0,		/* STORE_FLAKE_ALL */
	STORE_Q_TRENDS = 1 << 1,	/* fill the trend fields */
};

/* The flake table of a repository (shape: store_q_tests()). */
struct q_flakes {
	char *repository, *branch;	/* branch NULL: all branches */
	int window_days;		/* 0: all time */
	long long runs, infra_runs;
	struct flake_row *rows;
	size_t n;
	/* With STORE_Q_TRENDS, for the repository page: tests flaky in the
	 * window whose first flaky time falls in it (new) or before it
	 * (known); tests whose last flaky time falls in the window before
	 * this one whose clean executions since their last failure rule out
	 * their rate of that window (fixed: stats_release_need(), the gate's
	 * rule, docs/GATE.md); and for the first nspark
	 * rows the failures per day of the window, oldest first. */
	long long new_flaky, known_flaky, fixed;
	int spark_days;			/* counts per sparkline */
	size_t nspark;			/* rows with one: min(n, STORE_Q_SPARK_MAX) */
	long long *spark;		/* row i's day d: spark[i * spark_days + d] */
};

#define STORE_Q_SPARK_MAX 200

/* 0, or -1 with err set ("no such repository 'x'" when repo is unknown). */
int store_q_flakes(struct store *s, const char *repo, const char *branch,
		   int window_days, long long now_unix, unsigned flags,
		   struct q_flakes *out, struct err *err);
void store_q_flakes_release(struct q_flakes *f);

/* f's rate as stats_format_rate() words it ("n/a" when it cannot). */
void store_q_rate_text(const struct flake_row *f, char *out, size_t size);

/* One day of a test's series. */
struct q_day {
	char day[16];			/* "2024-05-01" */
	long long executions, failures, runs, flaky_runs, failed_runs;
};

/* A cell's share of a test's executions. */
struct q_cell_rate {
	char *cell;
	long long executions, failures;
};

/* A failure cause of a test. */
struct q_signature {
	char *signature, *kind, *file;	/* file NULL: unknown */
	long long count, line;		/* line 0: unknown */
	char *sample, *output;
};

/* A run group a test ran in. */
struct q_recent_run {
	long long run_id, pr;		/* pr 0: none */
	char *commit, *branch, *at;
	const char *status;		/* static: "failed", "flaky", ... */
	int infra;
};

/*
 * A test's rates beyond its pooled execution rate (docs/STATISTICS.md):
 * the one definition that the pages, the PR comment, `flake-collector
 * history` and the API show.  Over the same runs as its flake row
 * (non-infra uploads of the window and branch).
 */
struct q_rates {
	/* Disruption: uploads in which it failed at least once (flaky or
	 * failed every execution) out of those it ran in, with the Wilson
	 * interval over uploads. */
	long long runs_failing, runs;
	double dlo, dhi;
	/* Uploads in which it failed every execution (counted apart from
	 * its rate: a break, not a flake). */
	long long consistent;
	/* The execution rate's 95% interval clustered by upload
	 * (stats_cluster_interval()) over the uploads its rate counts, at
	 * most the latest 5000; has_cluster 0 when it cannot be computed
	 * (fewer than 2 uploads with executions). */
	int has_cluster;
	double clo, chi;
	long long cluster_runs;
	/* The condition its failures depend on: -race or a GOMAXPROCS value
	 * against the rest by Fisher's exact test, e.g. "only under -race
	 * (p = 0.029; 5/9 vs 0/9)", or "no condition stands out (n = 18)";
	 * "" without executions. */
	char condition[STATS_COND_MAX];
};

/* Large enough for any store_q_rates_text() output. */
#define STORE_Q_RATES_TEXT_MAX (STATS_COND_MAX + 160)

/* Only the parts of *out that f gives (disruption, consistent); the rest
 * zeroed. */
void store_q_rates_from_row(const struct flake_row *f, struct q_rates *out);

/*
 * All of *out for f (a row of store_flake_table() or store_flake_test()
 * with the same branch, window_days and now_unix): the disruption from f,
 * the clustered interval and the condition from the test's verdicts and
 * result rows (indexes verdicts_test and the primary key: bounded by the
 * test's own rows).  One snapshot.  0, or -1 with err set (*out zeroed).
 */
int store_q_rates_read(struct store *s, const struct flake_row *f,
		       const char *branch, int window_days, long long now_unix,
		       struct q_rates *out, struct err *err);

/*
 * The rates in one line for the comment and the terminal, e.g.
 * "failed in 3 of 10 runs (30.0%), 1 of them every execution; 95% CI
 * clustered by run 2.0–35.0%; only under -race (p = 0.029; 5/9 vs 0/9)".
 * Parts without data are left out; "" when none has any.
 */
void store_q_rates_text(const struct q_rates *r, char *out, size_t size);

/* One test's detail (shape: store_q_test()). */
struct q_test {
	char *repository, *branch;
	int window_days;
	struct flake_row row;
	struct q_rates rates;
	struct q_day *daily;
	size_t ndaily;
	struct q_cell_rate *cells;
	size_t ncells;
	struct q_signature *signatures;
	size_t nsignatures;
	struct q_recent_run *recent;
	size_t nrecent;
};

/* A cell name of the matrix (core/matrix.c): "race", "GOMAXPROCS=N", and
 * the settings that are not conditions ("shuffle", "stress=N",
 * "parallel=N"), space-separated, in any order: 0 with *race and *procs
 * (0: not given); -1 for any other. */
int store_cell_parse(const char *name, int *race, int *procs);

/* 0, or -1 with err set ("no such repository", "no such test N in 'r'"). */
int store_q_test_read(struct store *s, const char *repo, long long test_id,
		      const char *branch, int window_days, long long now_unix,
		      struct q_test *out, struct err *err);
void store_q_test_release(struct q_test *t);

/* A run group in a repository's list. */
struct q_run_row {
	long long run_id, pr, run_attempt;	/* 0: none */
	char *commit, *branch, *base_branch, *started_at;
	char *gh_run_id, *workflow, *event;	/* the first upload's */
	long long uploads;
	int infra;
	struct q_totals totals;			/* executions not counted */
};

/* A page of run groups (shape: store_q_runs()). */
struct q_runs {
	char *repository;
	struct q_run_row *v;
	size_t n;
	long long next_before;		/* 0: the last page */
};

/* 0, or -1 with err set ("no such repository"). */
int store_q_run_list(struct store *s, const char *repo, int limit,
		     long long before_group_id, struct q_runs *out,
		     struct err *err);
void store_q_runs_release(struct q_runs *r);

/* An upload of a merged run. */
struct q_upload {
	long long upload_id, wall_ms, tests, executions;
	char *job, *shard, *started_at, *go_version, *goos, *goarch;
	int infra;
};

/* A cell of a merged run: the union by name (wall_ms summed). */
struct q_cell {
	char *name;
	int race;			/* 0, 1; -1: unknown */
	long long gomaxprocs;		/* 0: not set */
	long long count, stress, wall_ms;
	int shuffle;
};

/* A test's verdict in one cell, merged over the uploads. */
struct q_test_cell {
	char *cell;
	const char *status;		/* static */
	long long passes, failures, skips, notrun, rerun_passes,
		  rerun_failures;
};

/* One failure of a test. */
struct q_failure {
	char *cell, *kind, *file, *message, *signature, *output;
	long long line;			/* 0: unknown */
	long long count;
	long long shuffle_seed;		/* 0: none */
	int rerun;
};

/* A test of a merged run's verdict table. */
struct q_run_test {
	long long id;			/* tests.id */
	char *package, *name;
	const char *status;		/* static: merged (group_verdicts),
					 * else the worst of its uploads */
	long long executions, passes, failures, skips, notrun,
		  rerun_passes, rerun_failures;
	double seconds;
	int new_flaky;
	char *worst_cell;		/* NULL: no cell failed */
	struct q_test_cell *cells;
	size_t ncells;
	struct q_failure *failures_v;
	size_t nfailures;
};

/* A merged run (shape: store_q_run()). */
struct q_run {
	long long run_id, pr, run_attempt;	/* pr, run_attempt 0: none */
	char *repository, *commit, *branch, *base_branch, *started_at;
	long long created_at;			/* unix */
	char *gh_run_id, *workflow, *event;	/* the first upload's */
	int infra;
	struct q_totals totals;
	struct q_upload *uploads;
	size_t nuploads;
	struct q_cell *cells;
	size_t ncells;
	struct q_run_test *tests;
	size_t ntests;
	/* A page (limit >= 0, without STORE_Q_FAILING): */
	int paged;
	long long cursor, limit, total, next;	/* next 0: the last page */
};

/* Flags of the run reads. */
enum store_q_flags {
	/* Only the tests whose merged verdict is failed or flaky (the PR
	 * comment's table); totals still count every test. */
	STORE_Q_FAILING = 1 << 0,
};

/*
 * The merged run group_id.  limit < 0: every test (or every failing one),
 * in the verdict table's order.  limit >= 0: up to limit tests whose id
 * is above offset (the cursor: 0 for the first page), in test-id order,
 * with paged, cursor, limit, total and next set -- keyset paging: a page
 * costs O(page), whatever the run's size.  0, or -1 with err set ("no
 * such run N").
 */
int store_q_run_read(struct store *s, long long group_id, unsigned flags,
		     long long offset, long long limit, struct q_run *out,
		     struct err *err);
void store_q_run_release(struct q_run *r);

/* --- the JSON answers (docs/API.md), made from the typed reads ---------
 * Each returns a new reference (caller json_decref's), or NULL with err
 * set as its typed read.
 */

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
 *      "disruption": {"runs_failing", "runs", "rate", "lo", "hi", "text"}
 *        (store_q_rates_from_row()),
 *      "first_flaky": {"commit", "at"} | null, "last_flaky": ... | null}]}
 * sorted by rate as store_flake_table().  branch and window_days as
 * there.  Returns a new reference, or NULL with err set ("no such
 * repository 'x'" when repo is unknown).
 */
json_t *store_q_tests(struct store *s, const char *repo, const char *branch,
		      int window_days, long long now_unix, int all,
		      struct err *err);

/*
 * One row of store_q_tests()'s "tests" (with "disruption"), plus when
 * rates is not NULL its "rate_clustered" ({"lo", "hi", "uploads"} | null)
 * and "condition" (text | null) as in store_q_test().  For `flake-collector
 * history --json`.  A new reference; never NULL (BUG on out of memory).
 */
json_t *store_flake_row_json(const struct flake_row *f,
			     const struct q_rates *rates);

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
 *     [{"run_id", "commit", "branch", "pr", "status" (merged as the PR
 *       comment merges, else the worst of its uploads), "at" (the
 *       group's start), "infra"}].
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
 *      name), merged per (package, name) over the uploads: status the
 *      group's merged verdict (group_verdicts: per test and cell, as the
 *      PR comment merges) when recorded, else the worst of (failed >
 *      flaky > passed > skipped > notrun), counts and
 *      seconds summed, new_flaky if any, cells merged by name likewise,
 *      worst_cell derived as results_finish() does, failure_details from
 *      every upload.  Not stored, hence absent: via_subtest,
 *      repro_verified, failure_details_dropped, and the cells' unknown,
 *      seconds and shuffle_seed; "where" and "repro" are null.}
 * Returns a new reference, or NULL with err set ("no such run N").
 */
json_t *store_q_run(struct store *s, long long group_id, struct err *err);

/*
 * One page of a run (store_q_run_read()) with "page": {"cursor", "limit",
 * "total", "next"} ("next" the cursor of the next page, null after the
 * last); limit -1: every test, in the verdict table's order, and no
 * "page".
 */
json_t *store_q_run_page(struct store *s, long long group_id, unsigned flags,
			 long long offset, long long limit, struct err *err);

/*
 * store_q_run_page()'s text (compact, and a newline) appended to out, one
 * test at a time: the page is never a tree.  0; -1 with err set as
 * store_q_run_read(); -2 with err set when out's limit was reached (out
 * then holds a partial text: discard it).
 */
int store_q_run_page_write(struct store *s, long long group_id,
			   unsigned flags, long long offset, long long limit,
			   struct buf *out, struct err *err);

/* The run endpoint's page size: default and maximum. */
#define STORE_Q_RUN_PAGE 1000
#define STORE_Q_RUN_PAGE_MAX 5000

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
	enum test_class cls;
	long executions, failures, runs, flaky_runs, failed_runs;
	double rate, lo, hi;
	char rate_text[STATS_RATE_MAX];	/* stats_format_rate() */
	char *first_flaky_commit, *first_flaky_at;
};

/*
 * GET /api/v1/repos/{repo}/quarantine: store_quarantine_list() as
 *   {"repository", "quarantine": [{"package", "name", "reason",
 *    "added_by", "added_at", "issue_url", "released_at", "rate_at_add",
 *    "failures_since", "clean_executions", "release_needs",
 *    "ready_to_release"}]}
 * (an unknown repository has an empty list).  NULL with err set.
 */
json_t *store_q_quarantine_json(struct store *s, const char *repo,
				long long now_unix, struct err *err);

/* The gate's default window (--known-window), in UTC days. */
#define STORE_KNOWN_WINDOW_DAYS 30

/* The branch r is compared with (docs/GATE.md): its pull request's base
 * branch, or for a run that is not a pull request its own branch; NULL
 * when neither is known (then runs without a branch are compared). */
const char *store_compare_branch(const struct results *r);

/*
 * The gate's comparison (docs/GATE.md), for the PR comment and the exit
 * status: every test of r (finished) that is flaky or failed in r, NEW or
 * KNOWN, plus every test flaky on the comparison branch in the window
 * that passed in r with evidence that it no longer flakes, FIXED: its
 * passes there since its last failure there (evidence runs) plus r's
 * reach stats_release_need() of its rate there.  KNOWN: flaky in an *evidence run* -- a run of
 * the comparison branch that started in the window_days (<= 0: 30) UTC
 * days up to r's start (r->meta.started_at, else now_unix) and before it,
 * is not infra, and belongs to another GitHub run than r's
 * (r->meta.run_id; other attempts of r never count).  So the answer is the
 * same whether r is already stored or not.  The rows' numbers are the
 * test's flake row on the comparison branch over that window.  repo is
 * the repository to compare in (normally store_repo_name(r)); an unknown
 * one gives only NEW rows.  *evidence (OUT) is the number of evidence runs
 * (0: nothing here can say a flake is known).  Sorted by class (new,
 * known, fixed), then failed before flaky, rate descending, package and
 * name.  Cost: a few index lookups per row; call it for non-infra runs (an
 * infra run's thousands of failures make thousands of rows).
 * Returns 0 and sets *rows (OUT, NULL when none; free with
 * store_compare_rows_free()) and *n (OUT).  Returns -1 with err set,
 * *rows and *n unmodified.
 */
int store_q_compare(struct store *s, const char *repo,
		    const struct results *r, int window_days,
		    long long now_unix, struct compare_row **rows, size_t *n,
		    long long *evidence, struct err *err);

/*
 * A re-run never clears a flake (docs/GATE.md): each test of r that passed
 * here and was flaky or failed in an earlier attempt of r's workflow run
 * (its run groups "repository/run_id/K", K < r's attempt) on the same
 * commit gets the latest such attempt in earlier_attempt.  One indexed
 * lookup per earlier attempt; nothing for a run with no GitHub run id or a
 * first attempt.  store_classify() calls it; the reporter also calls it
 * on a group's merged results for the comment.  -1 with err set on a
 * database error.
 */
int store_mark_earlier(struct store *s, struct results *r, struct err *err);

/*
 * The gate's classes for r's flaky and failed tests from s
 * (store_q_compare() over store_repo_name(r)): results_set_class() with
 * the comparison branch's numbers; CLASS_QUARANTINED for a test on the
 * repository's quarantine list, CLASS_REGRESSED for one released from it
 * before r started (store_quarantine.h).  *evidence as there.  0, or -1 with
 * err set (r unchanged).
 */
int store_classify(struct store *s, struct results *r, int window_days,
		   long long now_unix, long long *evidence, struct err *err);

/* Frees rows[0..n) and the array.  NULL is a no-op. */
void store_compare_rows_free(struct compare_row *rows, size_t n);

/* What the history says of a package, for planning a run (core/matrix.h's
 * struct matrix_prior). */
struct store_pkg_prior {
	char *package;
	int flaky;		/* a test of it failed in the window */
	long long exec_ms;	/* the slowest run's sum over its top-level
				 * tests of their mean execution time, ms */
	struct cell_key *cells;	/* the cells where a test of it failed, not
				 * in a rerun, in a run where that test was
				 * not failed outright; NULL when none */
	size_t ncells;
};

/*
 * Every package with a rollup or a verdict in the window's non-infra
 * runs, of any repository (import paths name their module), sorted by
 * package; each one's cells sorted by (race, gomaxprocs).  0 with *out
 * (free with store_pkg_priors_free()) and *n, or -1 with err set.
 */
int store_pkg_priors(struct store *s, int window_days, long long now_unix,
		     struct store_pkg_prior **out, size_t *n, struct err *err);
void store_pkg_priors_free(struct store_pkg_prior *v, size_t n);

#endif
