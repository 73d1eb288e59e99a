/*
 * results.h: the in-memory results of one collector run -- the cells of the
 * matrix, every test seen with its per-cell counts and failures, package
 * errors and run metadata.  Everything the outputs (JSON, markdown, JUnit,
 * annotations, history) write is read from here; nothing else is.
 *
 * Invariants:
 *   - A test is identified by (package, name); results_test() finds or
 *     creates it, and the pointer stays valid until results_release().
 *   - test->cells is sorted by cell index, one entry per cell in which the
 *     test produced any attempt or was counted notrun.
 *   - test->fails holds at most RESULTS_MAX_FAILS distinct (cell, signature)
 *     pairs; further occurrences only bump `count`, further signatures are
 *     counted in test->fails_dropped.  Memory is therefore bounded by the
 *     number of distinct tests, never by the size of the streams.
 *   - Counts (passes/failures/...) are only ever added; verdicts, worst cell,
 *     repro commands and the sorted order are derived by results_finish().
 *
 * Lifecycle:
 *   1. struct results r; results_init(&r);
 *   2. results_add_cell() for each cell of the matrix;
 *   3. feed streams through gtest_agg (gtest.h), which calls results_test(),
 *      results_test_cell(), results_add_failure(), results_package();
 *   4. results_finish(&r) once, then read r.tests[0..ntests) (sorted: failed,
 *      flaky, then passed/skipped, each by package and name);
 *   5. results_release(&r).
 */
#ifndef CORE_RESULTS_H
#define CORE_RESULTS_H

#include <stddef.h>

#define RESULTS_MAX_FAILS 8

/*
 * Names (packages, tests, failure paths) are kept as valid UTF-8 of at most
 * RESULTS_NAME_MAX bytes -- the reporter's limit (IN_JSON_MAX_NAME), so
 * the collector never writes a document the reporter refuses.
 */
#define RESULTS_NAME_MAX 4096

/*
 * The one rule for names: invalid UTF-8 becomes U+FFFD; a name longer than
 * RESULTS_NAME_MAX is cut at a character boundary and ends in "…#" and 16
 * hex digits of a hash of the whole name (distinct names stay distinct).
 * Returns a new string, or NULL when s already obeys the rule.
 * results_test() and results_package() apply it to what they are given.
 */
char *results_canon_name(const char *s);

enum verdict {
	VERDICT_PASSED,
	VERDICT_FAILED,
	VERDICT_FLAKY,
	VERDICT_SKIPPED,
	VERDICT_NOTRUN,
};

/*
 * How a flaky or failed test compares with the history of its comparison
 * branch (docs/GATE.md): the one name of this concept in both programs
 * (the JSON's "class", the comment's tags, the gate).
 */
enum test_class {
	CLASS_NONE = 0,		/* not classified: passed, or not asked */
	CLASS_NEW,		/* not flaky there within the window */
	CLASS_KNOWN,		/* flaky there within the window */
	CLASS_UNVERIFIED,	/* no history could be read: never blocks */
	CLASS_FIXED,		/* comment rows: flaky there, passed here */
	CLASS_QUARANTINED,	/* on the repository's quarantine list */
	CLASS_REGRESSED,	/* released from quarantine, flaking again */
};

/* "new", "known", "unverified", "fixed", "quarantined", "regressed";
 * NULL for CLASS_NONE. */
const char *test_class_name(enum test_class c);
/* 0 with *out set, or -1 when s is no class name. */
int test_class_parse(const char *s, enum test_class *out);

/* A test's numbers on its comparison branch within the window. */
struct base_rate {
	long executions, failures, runs, flaky_runs;
};

enum fail_kind {
	FAIL_ASSERT,	/* "fail": t.Error/t.Fatal, example mismatch */
	FAIL_PANIC,	/* panic in the test goroutine */
	FAIL_TIMEOUT,	/* -test.timeout fired while the test ran */
	FAIL_RACE,	/* the race detector reported a race in the test */
	FAIL_CRASH,	/* the process died under the test (goroutine panic, os.Exit, signal) */
	FAIL_EXIT,	/* package level: the test process exited with a failure
			 * and no test failed (TestMain, os.Exit outside a test) */
	FAIL_REPEAT,	/* state leak: the outcome flips after the first
			 * execution in a process, the same in every process */
};

/* Returns "passed", "failed", "flaky", "skipped", "notrun". */
const char *verdict_name(enum verdict v);
/* Returns "fail", "panic", "timeout", "race", "crash", "exit", "repeat". */
const char *fail_kind_name(enum fail_kind k);
/* The reverse of verdict_name() / fail_kind_name(): 0 with *out set, or
 * -1 when s (may be NULL) is no such name. */
int verdict_parse(const char *s, enum verdict *out);
int fail_kind_parse(const char *s, enum fail_kind *out);

struct cell {
	char *name;		/* "race GOMAXPROCS=2", or the --cell name */
	int race;		/* 1 with -race, 0 without, -1 unknown (analyze) */
	int gomaxprocs;		/* 0 = not set (unknown or the machine's default) */
	int count;		/* executions of each test asked for (0 unknown) */
	int shuffle;		/* 1 when each execution got a fresh -shuffle seed */
	int stress;		/* background CPU burners while the cell ran */
	int parallel;		/* -test.parallel its processes ran with:
				 * yours, else GOMAXPROCS; 0 unknown (the
				 * machine's) */
	long long wall_ms;	/* wall time of the cell's processes */
};

/* The conditions that name a cell across runs (whatever its name or
 * count): the planner's history is kept per package and cell key. */
struct cell_key {
	int race;		/* as struct cell */
	int gomaxprocs;		/* as struct cell */
};

struct failure {
	int cell;		/* index into results.cells */
	enum fail_kind kind;
	char *file;		/* repo-relative path, or NULL when unknown */
	int line;		/* 0 when unknown */
	char *message;		/* the failure's first line(s), <= 1 KiB */
	char *signature;	/* normalized message + location: clusters causes */
	char *output;		/* excerpt of the attempt's output (head ... tail) */
	int count;		/* occurrences in this cell */
	int rerun;		/* 1 when every occurrence came from an isolated rerun */
	long long seed;		/* -shuffle seed of the first occurrence; 0 none */
};

struct test_cell {
	int cell;
	enum verdict status;	/* derived by results_finish() */
	int passes, failures, skips;
	int notrun;		/* executions lost because the process died first */
	int unknown;		/* attempts with no result in a passing package */
	int rerun_passes, rerun_failures;
	double seconds;		/* sum of Elapsed of counted executions */
	long long fail_seed;	/* -shuffle seed of a failing execution; 0 none */
	/* Order within processes, for state leaks (FAIL_REPEAT): outcomes of
	 * each process's first execution of the test, and the processes that
	 * ran it more than once -- of those, the ones whose first execution
	 * passed and every later one failed (fp), or the reverse (ff). */
	int first_passes, first_failures;
	int procs_multi, procs_fp, procs_ff;
};

/*
 * A package whose test process fails with no failing test (a TestMain that
 * exits 1 before or after m.Run, a panic in init or in a package
 * variable's initializer, os.Exit outside a test, a signal) is given a
 * verdict of its own, as `go test` does, through a pseudo test of this
 * name: no Go test can have it (top-level names are identifiers), so it
 * never meets a real one.  Its executions are the package's processes.
 */
#define RESULTS_PACKAGE_TEST "(package)"

struct test {
	char *package;
	char *name;
	enum verdict status;	/* derived */
	int executions, passes, failures, skips, notrun; /* derived sums */
	int rerun_passes, rerun_failures;		/* derived sums */
	struct test_cell *cells;
	size_t ncells, alloc_cells;
	struct failure *fails;
	size_t nfails, alloc_fails;
	int fails_dropped;
	int via_subtest;	/* every failure is only a failing subtest's */
	int worst_cell;		/* derived: highest failure rate, -1 none */
	char *where;		/* derived: "only under -race, GOMAXPROCS=2" */
	char *repro;		/* derived for flaky/failed tests */
	int new_flaky;		/* flaky and klass CLASS_NEW (results_set_class) */
	enum test_class klass;	/* set by the caller from history */
	int has_base;		/* base holds the comparison branch's numbers */
	struct base_rate base;
	int verify_runs, verify_fails;	/* --verify-repro outcome */
	double seconds;		/* derived: total elapsed */
	int repeat;		/* derived: the failures are a state leak across
				 * executions of one process (FAIL_REPEAT) */
	int first_fails;	/* derived with repeat: 1 when the first
				 * execution in a process fails, 0 when the
				 * later ones do */
	/* Order dependency found by bisection (core/bisect.h): it fails
	 * when top-level test `after` runs before it, in the order
	 * -shuffle=after_seed gives, in cell after_cell.  NULL: none. */
	char *after;
	long long after_seed;
	int after_cell;
	/* A re-run never clears a flake (docs/GATE.md): the latest earlier
	 * attempt of this job on this commit in which the test was flaky or
	 * failed, when it passed in this one; 0 none.  Set by
	 * results_mark_earlier() from history (store_classify()) or from the
	 * reporter's answer, before the class (results_set_class()). */
	int earlier_attempt;
};

/*
 * t's verdict for the gate: its status, except that a test that passed
 * here after failing in an earlier attempt of the job on the same commit
 * (earlier_attempt) is flaky -- across the attempts it passed and failed.
 * What decides whether t is listed, classified and can fail the job.
 */
enum verdict results_gate_verdict(const struct test *t);

/*
 * Sets t's class (and base numbers when base is non-NULL); new_flaky
 * follows: t is flaky for the gate and CLASS_NEW.  The one writer of both
 * fields.
 */
void results_set_class(struct test *t, enum test_class klass,
		       const struct base_rate *base);

/* Is t the package-level pseudo test (RESULTS_PACKAGE_TEST)? */
int test_is_package(const struct test *t);

/* 1 when t has failures and every one is FAIL_REPEAT: a state leak, as a
 * read-back document (in_json) tells it. */
int test_fails_are_repeat(const struct test *t);

enum pkg_status {
	PKG_OK,			/* the package's processes ran to completion */
	PKG_FAILED,		/* some test failed, or a process died */
	PKG_BUILD_FAILED,	/* did not build / vet / set up: no verdicts */
	PKG_NO_TESTS,		/* [no test files] */
};

struct pkg_cell {
	int cell;
	int ran;		/* a stream for the package was seen in the cell */
	int crashed;		/* a process died before finishing its tests */
	int timed_out;
	int failed;		/* package-level fail seen */
	int clean_procs;	/* processes that ended without a package-level
				 * failure, before the pseudo test existed */
	int clean_reruns;	/* the same for isolated reruns */
	int fail_before_tests;	/* a package-level failure came before any
				 * test started (init, TestMain before m.Run) */
};

struct package {
	char *package;		/* import path */
	char *dir;		/* directory relative to the working directory
				 * ("." for it), for repro commands; or NULL */
	char *abs_dir;		/* absolute directory, or NULL */
	enum pkg_status status;	/* derived, worst over cells */
	char *error;		/* build / setup output excerpt, or NULL */
	struct pkg_cell *cells;
	size_t ncells, alloc_cells;
};

/* Returns "ok", "failed", "build-failed", "no-tests". */
const char *pkg_status_name(enum pkg_status s);
/* Its reverse: 0 with *out set, or -1 when s (may be NULL) is none. */
int pkg_status_parse(const char *s, enum pkg_status *out);

/* Run metadata: every field may be NULL / 0 when unknown. */
struct run_meta {
	char *repository;	/* owner/name */
	char *commit;
	char *branch;		/* head branch */
	char *base_branch;	/* PR base branch */
	int pr;			/* pull request number, 0 none */
	char *run_id;
	int run_attempt;
	char *job;
	char *workflow;
	char *event;		/* push, pull_request, ... */
	char *server_url;	/* https://github.com */
	char *go_version;
	char *goos, *goarch;
	char *started_at;	/* RFC 3339 UTC */
	char *shard;		/* "i/n" or NULL */
	char *module;		/* Go module path */
	char *tool_version;
};

/* What a --budget run planned and did (docs/BUDGET.md); budget_ms 0: no
 * budget. */
struct run_budget {
	long long budget_ms;
	long long first_pass_ms;	/* builds and the first pass */
	int rounds;			/* rounds after the first pass */
	long long extra_processes;	/* in those rounds */
	long long extra_counts;		/* their -count, summed: each runs every
					 * test of its package that often */
	long long dropped_processes;	/* planned, not started: no time */
	long long hang_limited;		/* processes given a shorter
					 * -test.timeout from history */
	long long budget_cut;		/* stopped after running for the
					 * whole budget, their package never
					 * timed: timeouts */
	long long hang_silent;		/* stopped when a test was silent
					 * past its package's hang limit for
					 * one execution: timeouts */
	long long stopped_processes;	/* rounds' processes stopped at the
					 * round's end, no hang in evidence:
					 * unfinished executions dropped */
	int exceeded;			/* the first pass alone took longer */
	int cells_skipped;		/* cells whose first pass did not fit */
	int cells_partial;		/* ... of which only the packages run
					 * while the build ran did */
	long long plan_us;		/* time spent planning the rounds and
					 * the reruns (the planner's cost) */
};

/* Large enough for results_budget_text(). */
#define RESULTS_BUDGET_TEXT_MAX 400

/* The budget in words, for the terminal and the summary, e.g. "budget
 * 40.0 s: first pass 8.3 s, then 5 rounds: 214 processes, -count 562716
 * in all"; "" when b->budget_ms is 0. */
void results_budget_text(const struct run_budget *b, char *out, size_t size);

struct results {
	struct run_meta meta;
	struct run_budget budget;
	struct cell *cells;
	size_t ncells, alloc_cells;
	struct test **tests;	/* owned; sorted by results_finish() */
	size_t ntests, alloc_tests;
	struct package *pkgs;	/* owned, in first-seen order */
	size_t npkgs, alloc_pkgs;
	char *repo_root;	/* absolute path used to make paths relative */
	char *tags;		/* the run's build tags, for repro commands */
	long long timeout_ms;	/* the run's -timeout, for timeout repros */
	long long wall_ms;	/* whole run */
	int finished;
	/* private: hash index over tests */
	size_t *hidx;
	size_t hcap;
	/* derived totals; n_failed and n_flaky count failures: a parent that
	 * failed only through its subtests is not counted again, and a
	 * package-level failure counts once */
	int n_tests;			/* tests, the pseudo tests not counted */
	int n_passed, n_failed, n_flaky, n_skipped, n_notrun;
	int n_pkg_failed, n_pkg_flaky;	/* of those, package-level ones */
	int n_repeat;			/* state leaks (FAIL_REPEAT tests) */
	long long total_executions;
};

void results_init(struct results *r);
void results_release(struct results *r);

/* Copies *c (its name is duplicated); returns the new cell's index. */
int results_add_cell(struct results *r, const struct cell *c);

/*
 * Finds the test (package, name); creates it when `create` is set.
 * Returns a pointer owned by r, or NULL when absent and !create.
 */
struct test *results_test(struct results *r, const char *package,
			  const char *name, int create);
/* Finds or creates t's entry for cell index `cell`. Borrowed pointer,
 * valid until the next call for the same test. */
struct test_cell *results_test_cell(struct test *t, int cell);
/* Finds the package, creating it (with dir NULL) when `create` is set. */
struct package *results_package(struct results *r, const char *package,
				int create);
struct pkg_cell *results_pkg_cell(struct package *p, int cell);
/* Removes the package (no test of it may exist yet; before
 * results_finish()): a shard of a split run drops the packages another
 * shard reports.  Pointers to packages are invalid afterwards.  An unknown
 * package is a no-op. */
void results_package_remove(struct results *r, const char *package);

/*
 * Finds or creates the package-level pseudo test of `package`.  On
 * creation the clean processes counted so far in the package's cells
 * become its passes (and rerun passes), so its per-cell counts cover every
 * process, before and after its first failure.
 */
struct test *results_package_test(struct results *r, const char *package);

/*
 * Records a failure occurrence.  Strings in *f are copied.  Occurrences with
 * the same (cell, signature) are merged (count += f->count; rerun stays 1
 * only while every occurrence is a rerun).
 */
void results_add_failure(struct test *t, const struct failure *f);

/*
 * Derives notrun counts, verdicts, totals, worst cells, `where` texts and
 * repro commands (with `go_cmd`, e.g. "go"), and sorts the tests.
 * Call once after all streams were fed.
 */
void results_finish(struct results *r);

/*
 * Test (package, name) of finished results r was flaky or failed in
 * earlier attempt `attempt` of this run: when it passed here, its
 * earlier_attempt becomes the later of its own and `attempt`.  A package
 * failure there (name RESULTS_PACKAGE_TEST) whose package passed here
 * gets its pseudo test, created as passed with no executions of its own
 * (the totals are not recounted).  Returns the test (owned by r), or NULL
 * when r has none by that name.  The one writer of earlier_attempt after
 * results_finish().
 */
struct test *results_mark_earlier(struct results *r, const char *package,
				  const char *name, int attempt);

/* The tests of r that are flaky for the gate only through an earlier
 * attempt (passed here; earlier_attempt), which r's totals do not count. */
int results_n_earlier(const struct results *r);

/* (Re)derives the totals (n_tests, n_failed, ...) from the tests'
 * verdicts; results_finish() calls it. */
void results_count(struct results *r);

/* Writes the repro command for t in cell `cell` into a new string (caller
 * frees).  count is the -count to suggest. */
char *results_repro_cmd(const struct results *r, const struct test *t,
			int cell, int count);

/*
 * Adds src (any state) into dst (not finished): its cells (matched by
 * name, new ones appended), packages, and every test's per-cell counts
 * and failures, so the shards of one workflow run become one run.  dst's
 * metadata is filled from src where dst has none.  Call results_finish()
 * on dst afterwards to derive verdicts over the union.
 */
void results_merge(struct results *dst, const struct results *src);

/*
 * A test's verdict in one cell from its counts: failed when it failed and
 * never passed (reruns included), flaky when it did both, else passed,
 * skipped or notrun.  The one rule: results_finish() and the reporter's
 * per-cell statuses of a merged run (core/store_query.c) both use it.
 */
enum verdict results_cell_verdict(const struct test_cell *tc);

/* Failure rate of a test cell: failures / (passes + failures), 0 if none. */
double test_cell_rate(const struct test_cell *tc);

#endif
