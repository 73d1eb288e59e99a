/*
 * matrix.h: run a Go module's tests under a matrix of conditions -- race
 * detector on/off x GOMAXPROCS values, -count executions per cell, fresh
 * -shuffle seeds, CPU stress -- and feed every process's test2json stream
 * into a struct results.
 *
 * How: `go list` maps packages to directories; each package's test binary
 * is built once per race setting (`go test -c`, so Go's test cache can
 * never replay a pass and no cell pays for linking again); every (cell,
 * package) then runs as its own process through `go tool test2json`, up
 * to `jobs` at once.  Tests that failed every execution of a cell are
 * rerun alone (anchored -run, a package's suspects together, each rerun
 * its own process) to tell flaky from failed.
 *
 * Lifecycle:
 *   1. struct matrix_opts o; matrix_opts_init(&o); set fields;
 *   2. matrix_run(&results, &o, err): adds the cells, builds, runs,
 *      reruns, calls results_finish(), verifies repro commands when asked,
 *      and removes the binaries it built.
 */
#ifndef CORE_MATRIX_H
#define CORE_MATRIX_H

#include "err.h"
#include "results.h"

#include <stdio.h>

enum matrix_race {
	MATRIX_RACE_OFF = 1 << 0,
	MATRIX_RACE_ON = 1 << 1,
	MATRIX_RACE_BOTH = MATRIX_RACE_OFF | MATRIX_RACE_ON,
};

#define MATRIX_MAX_GOMAXPROCS 16

struct matrix_opts {
	unsigned race;			/* enum matrix_race */
	int gomaxprocs[MATRIX_MAX_GOMAXPROCS];	/* 0: not set (go test's own) */
	int ngomaxprocs;
	int count;			/* executions per test per cell */
	int shuffle;			/* fresh seed per execution */
	long long shuffle_seed;		/* > 0: the first seed, the next ones
					 * +1 each; 0: random */
	int stress;			/* CPU-burning threads while running */
	long long timeout_ms;		/* per test process (-test.timeout) */
	const char *run;		/* -run regexp */
	const char *skip;		/* skip top-level tests matching (ERE) */
	const char *tags;		/* build tags */
	const char *const *packages;	/* NULL-terminated; NULL: ./... */
	const char *const *extra;	/* flags after --: build flags, and
					 * -test.* flags for the binary */
	int rerun;			/* isolated reruns of failed tests */
	int jobs;			/* test processes at once; 0 adapts
					 * between 1 and 2 per CPU to idle CPU */
	const char *go;			/* the go command ("go") */
	FILE *progress;			/* progress lines, NULL for none */
	int tty;			/* progress is a terminal: live line */
	int gha;			/* ::group:: folding */
	int verify_repro;		/* run each repro command, bounded */
	/* --shard I/N: run only the (package, cell) units plan_shards()
	 * gives shard I (1-based) of N; 0/0: all of them. */
	int shard_index, shard_count;
	/* --budget: the whole run (builds and reruns included) within this
	 * many ms, the time after a first pass spent where failures are
	 * likely (docs/BUDGET.md); 0: no budget, `count` everywhere. */
	long long budget_ms;
	/* With a budget: `count` is the least a first-pass process runs; a
	 * unit whose package was timed runs up to 3 executions while they
	 * cost no more than its start (docs/BUDGET.md).  0: exactly
	 * `count` (--count given). */
	int count_fill;
	/* --changed-since REF (core/changed.h): the packages the change
	 * touches go first (and weigh more in a budget); with only_changed
	 * the others do not run.  NULL: no change given. */
	const char *changed_since;
	int only_changed;
	/* --pass-env: names of matrix_secret_env that the go commands and
	 * test processes keep (a suite that needs a token); NULL-terminated,
	 * NULL for none. */
	const char *const *pass_env;
	/* History (may be NULL): per package, what earlier runs say. */
	const struct matrix_prior *prior;
	size_t nprior;
};

/* What the history says of a package (flake-collector fills it from its
 * database before the run). */
struct matrix_prior {
	const char *package;	/* import path; borrowed */
	int flaky;		/* a test of it failed or flaked lately */
	long long exec_ms;	/* its slowest recent execution of all its
				 * top-level tests, ms; 0 unknown */
	const struct cell_key *cells;	/* where a test of it failed lately
					 * (not a test failed outright);
					 * borrowed; may be NULL */
	size_t ncells;
};

/*
 * Hang detection: a test process whose package's usual execution time is
 * known (from the history, or from this run's first pass) gets
 * -test.timeout = count x exec_ms x MATRIX_HANG_FACTOR (x the race factor
 * under -race; once this run timed the package's processes, their start
 * plus count x their execution, times the factor), at least the floor
 * (MATRIX_HANG_FLOOR_MS; with a budget, an eighth of it when that is
 * less, and never under 1 s), and never more than the run's timeout: Go's
 * own timeout panic, with the goroutine dump and the running test named,
 * as go test gives at -timeout.  A process started before its package was
 * timed gets the same limit once another cell's process of the package
 * has ended, and is stopped past it with SIGQUIT, as go test does.  Under
 * a budget, a process whose package is still untimed may run for the
 * whole budget and no longer: past it, it is stopped the same way, as
 * go test -timeout=BUDGET would (budget.budget_cut).  A process whose
 * tests began and whose stream then says nothing for longer than a
 * process of one execution may take (the same rule with count 1) is
 * stopped the same way (budget.hang_silent): a hang inside a process of
 * many executions.  A budget round's process still running at the
 * round's end with no such evidence is killed and its unfinished
 * executions count nowhere (budget.stopped_processes).
 */
#define MATRIX_HANG_FACTOR 10
#define MATRIX_HANG_FLOOR_MS 10000LL

void matrix_opts_init(struct matrix_opts *o);

/*
 * The runner's secrets, removed from the environment of everything the
 * matrix starts (go, git, the test binaries, repro commands): the code
 * under test never sees the job's tokens, except those named in
 * o->pass_env.  NULL-terminated.
 */
extern const char *const matrix_secret_env[];

/*
 * Runs the matrix in the current directory (a Go module), filling r: the
 * cells, packages (dirs relative to the working directory), every test's
 * counts and failures, r->repo_root and the Go version/OS/arch in
 * r->meta; then results_finish(r).  Returns 0 -- also when tests fail or
 * packages do not build, which are results -- or -1 with err set when the
 * matrix could not run at all (no go on PATH, not a Go module, no
 * packages, a temp directory that cannot be made).
 */
int matrix_run(struct results *r, const struct matrix_opts *o,
	       struct err *err);

#endif
