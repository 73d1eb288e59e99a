/*
 * cmd_run.c: `flake-collector run [options] [packages...] [-- go test
 * flags]` -- runs the matrix in the current Go module and publishes the
 * verdicts.
 */
#include "cmds.h"
#include "publish.h"
#include "core/ident.h"
#include "core/matrix.h"
#include "core/meta.h"
#include "core/results.h"
#include "core/store.h"
#include "core/store_query.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
	O_RACE = 1, O_GOMAXPROCS, O_COUNT, O_SHUFFLE, O_STRESS, O_TIMEOUT,
	O_RUN, O_SKIP, O_TAGS, O_RERUN, O_JOBS, O_VERIFY, O_GO, O_PRESET,
	O_BUDGET, O_CHANGED, O_ONLY_CHANGED, O_PASS_ENV, O_SEED, O_NRUN
};

static const struct cli_opt run_opts[] = {
	{ "preset", O_PRESET, "NAME", "gate (one plain cell, -count=1, reruns: ~1x go test), "
	  "hunt (the default matrix) or deep (adds -shuffle, CPU stress, -count=10); "
	  "other options override it" },
	{ "budget", O_BUDGET, "DUR", "fit the whole run in DUR (e.g. 5m): a first pass of "
	  "--count (default 1) in every cell, then the time left where failures are likely "
	  "(docs/BUDGET.md)" },
	{ "changed-since", O_CHANGED, "REF", "run the packages changed since the merge base "
	  "with REF (and their importers) first (docs/COLLECTOR.md)" },
	{ "only-changed", O_ONLY_CHANGED, NULL, "with --changed-since: run only those" },
	{ "pass-env", O_PASS_ENV, "NAME", "let the runner's secret NAME (e.g. GITHUB_TOKEN) reach "
	  "go and the tests, for a suite that needs it; repeatable" },
	{ "race", O_RACE, "off|on|both", "race detector per cell (default both)" },
	{ "gomaxprocs", O_GOMAXPROCS, "LIST", "GOMAXPROCS values, one cell each; default: go test's own (default 1,2,4)" },
	{ "count", O_COUNT, "N", "executions of each test per cell (default 3)" },
	{ "shuffle", O_SHUFFLE, "off|on", "a fresh -shuffle seed per execution, recorded (default off)" },
	{ "shuffle-seed", O_SEED, "N", "with --shuffle on: the first seed, then N+1, N+2, ... "
	  "(default: random), to repeat a run's orders" },
	{ "cpu-burn", O_STRESS, "N", "N CPU-burning threads while tests run (default 0; cells "
	  "say stress=N)" },
	/* The old name; not golang.org/x/tools/cmd/stress, hence the new one. */
	{ "stress", O_STRESS, "N", "the old name of --cpu-burn" },
	{ "timeout", O_TIMEOUT, "DUR", "per test process, like go test -timeout (default 10m)" },
	{ "run", O_RUN, "REGEXP", "run only matching tests (go test -run)" },
	{ "skip", O_SKIP, "REGEXP", "skip top-level tests matching this POSIX ERE" },
	{ "tags", O_TAGS, "LIST", "build tags (go test -tags)" },
	{ "rerun", O_RERUN, "N", "rerun a test that failed every time alone N times (default 5)" },
	{ "jobs", O_JOBS, "N", "test processes at once (default: adapts, one to two per CPU, to idle CPU)" },
	{ "verify-repro", O_VERIFY, NULL, "run each printed repro command as printed (sh -c, bounded) and record whether it failed" },
	{ "go", O_GO, "PATH", "the go command (default go)" },
	{ NULL, 0, NULL, NULL },
};

static void help(const struct cli_opt *opts)
{
	printf("usage: flake-collector run [options] [packages...] [-- go test flags]\n\n"
	       "Runs the Go module's tests (default ./...) in every cell of the\n"
	       "matrix -- race detector x GOMAXPROCS -- each cell its own process\n"
	       "per package, --count executions per test, and gives every test a\n"
	       "verdict: passed, failed (failed every execution of a cell, also\n"
	       "when rerun alone), flaky (failed sometimes) or skipped.\n\n");
	cli_help(opts, stdout);
	printf("\nFlags after -- go to 'go test -c' (build flags such as -ldflags),\n"
	       "except -test.* flags, which go to the test binaries.\n\n"
	       "Exit status: 0 clean; 1 the --fail-on policy tripped (default:\n"
	       "a failed test, or a flaky test the history has not seen flaky\n"
	       "before); 2 usage or internal error.\n");
}

static int parse_gomaxprocs(struct matrix_opts *mo, const char *s,
			    struct err *err)
{
	const char *p = s;
	int n = 0;

	while (*p) {
		char *end;
		long v = strtol(p, &end, 10);
		int k;

		if (!strncmp(p, "default", 7) && (!p[7] || p[7] == ',')) {
			v = 0;	/* GOMAXPROCS not set */
			end = (char *)(uintptr_t)(p + 7);
		} else if (end == p || (*end && *end != ',') || v < 1 ||
			   v > 1024)
			return err_set(err, "option '--gomaxprocs' wants a list "
				       "like 1,2,4 (each 1..1024, or default), "
				       "not '%s'", s);
		if (n >= MATRIX_MAX_GOMAXPROCS)
			return err_set(err, "option '--gomaxprocs': at most %d "
				       "values", MATRIX_MAX_GOMAXPROCS);
		for (k = 0; k < n; k++)
			if (mo->gomaxprocs[k] == (int)v)
				return v ? err_set(err, "option '--gomaxprocs': "
						   "%ld given twice", v) :
					   err_set(err, "option '--gomaxprocs': "
						   "default given twice");
		mo->gomaxprocs[n++] = (int)v;
		p = *end ? end + 1 : end;
		if (*end && !*p)
			return err_set(err, "option '--gomaxprocs' wants a list "
				       "like 1,2,4, not '%s'", s);
	}
	if (!n)
		return err_set(err, "option '--gomaxprocs' wants a list like 1,2,4");
	mo->ngomaxprocs = n;
	return 0;
}

static int run_opt(struct matrix_opts *mo, int id, const char *arg,
		   struct err *err)
{
	long v;
	int b;

	switch (id) {
	case O_RACE:
		if (!strcmp(arg, "off"))
			mo->race = MATRIX_RACE_OFF;
		else if (!strcmp(arg, "on"))
			mo->race = MATRIX_RACE_ON;
		else if (!strcmp(arg, "both"))
			mo->race = MATRIX_RACE_BOTH;
		else
			return err_set(err, "option '--race' wants off, on or "
				       "both, not '%s'", arg);
		return 0;
	case O_GOMAXPROCS:
		return parse_gomaxprocs(mo, arg, err);
	case O_COUNT:
		if (cli_int("count", arg, 1, 100000, &v, err))
			return -1;
		mo->count = (int)v;
		return 0;
	case O_SHUFFLE:
		if (cli_onoff("shuffle", arg, &b, err))
			return -1;
		mo->shuffle = b;
		return 0;
	case O_SEED:
		if (cli_int("shuffle-seed", arg, 1, 1000000000L, &v, err))
			return -1;
		mo->shuffle_seed = v;
		return 0;
	case O_STRESS:
		if (cli_int("cpu-burn", arg, 0, 256, &v, err))
			return -1;
		mo->stress = (int)v;
		return 0;
	case O_TIMEOUT:
		return cli_duration("timeout", arg, &mo->timeout_ms, err);
	case O_CHANGED:
		/* A git revision, never an option of git's. */
		if (!*arg || *arg == '-' || strlen(arg) > 1024)
			return err_set(err, "option '--changed-since' wants a git "
				       "revision (a branch, tag or commit), not "
				       "'%s'", arg);
		mo->changed_since = arg;
		return 0;
	case O_ONLY_CHANGED:
		mo->only_changed = 1;
		return 0;
	case O_BUDGET:
		if (cli_duration("budget", arg, &mo->budget_ms, err))
			return -1;
		if (mo->budget_ms < 1000)
			return err_set(err, "option '--budget' wants at least "
				       "1s, not '%s'", arg);
		return 0;
	case O_RUN:
		mo->run = arg;
		return 0;
	case O_SKIP:
		mo->skip = arg;
		return 0;
	case O_TAGS:
		mo->tags = arg;
		return 0;
	case O_RERUN:
		if (cli_int("rerun", arg, 0, 1000, &v, err))
			return -1;
		mo->rerun = (int)v;
		return 0;
	case O_JOBS:
		if (cli_int("jobs", arg, 1, 256, &v, err))
			return -1;
		mo->jobs = (int)v;
		return 0;
	case O_VERIFY:
		mo->verify_repro = 1;
		return 0;
	case O_GO:
		if (!*arg)
			return err_set(err, "option '--go' wants a path");
		mo->go = arg;
		return 0;
	default:
		BUG("unknown run option %d", id);
	}
}

/*
 * The presets (docs/PRESETS.md): defaults for the options not given.
 *   gate: go test's own run -- race off, GOMAXPROCS unset, -count=1 --
 *         plus isolated reruns of what failed: ~1x `go test ./...`, and
 *         tells flaky from broken;
 *   hunt: the default matrix;
 *   deep: the matrix with a -shuffle seed per execution, 2 CPU burners
 *         and -count=10, for nightly runs.
 */
static int apply_preset(struct matrix_opts *mo, const char *name,
			const unsigned char *given, struct err *err)
{
	if (!strcmp(name, "gate")) {
		if (!given[O_RACE])
			mo->race = MATRIX_RACE_OFF;
		if (!given[O_GOMAXPROCS]) {
			mo->gomaxprocs[0] = 0;
			mo->ngomaxprocs = 1;
		}
		if (!given[O_COUNT])
			mo->count = 1;
		if (!given[O_RERUN])
			mo->rerun = 3;
	} else if (!strcmp(name, "hunt")) {
		/* matrix_opts_init()'s defaults */
	} else if (!strcmp(name, "deep")) {
		if (!given[O_SHUFFLE])
			mo->shuffle = 1;
		if (!given[O_STRESS])
			mo->stress = 2;
		if (!given[O_COUNT])
			mo->count = 10;
	} else {
		return err_set(err, "option '--preset' wants gate, hunt or "
			       "deep, not '%s'", name);
	}
	return 0;
}

/* The history's priors (store_pkg_priors()) from the database when it
 * exists: a missing or unreadable one plans without them (a warning). */
#define PRIOR_WINDOW_DAYS 14
static void load_priors(const struct publish_opts *po, struct matrix_opts *mo,
			struct store_pkg_prior **v, size_t *n)
{
	struct store *s = NULL;
	struct err e = ERR_INIT;
	struct matrix_prior *mp;
	size_t i;

	*v = NULL;
	*n = 0;
	if (!po->history || access(po->db_path, F_OK))
		return;
	if (store_open(&s, po->db_path, STORE_MUST_EXIST, &e) ||
	    store_pkg_priors(s, PRIOR_WINDOW_DAYS, (long long)time(NULL), v, n,
			     &e)) {
		fprintf(stderr, "flake-collector: warning: planning without "
			"history: %s\n", e.msg);
		store_close(s);
		return;
	}
	store_close(s);
	mp = xcalloc(*n + 1, sizeof(*mp));
	for (i = 0; i < *n; i++) {
		mp[i].package = (*v)[i].package;
		mp[i].flaky = (*v)[i].flaky;
		mp[i].exec_ms = (*v)[i].exec_ms;
		mp[i].cells = (*v)[i].cells;
		mp[i].ncells = (*v)[i].ncells;
	}
	mo->prior = mp;
	mo->nprior = *n;
}

int cmd_run(int argc, char **argv, struct err *err)
{
	struct cli_opt opts[64];
	struct cli_state st = CLI_STATE_INIT;
	struct matrix_opts mo;
	struct publish_opts po;
	struct results r;
	const char *arg = NULL;
	const char **pkgs, **extra;
	const char *preset = NULL;
	const char **pass;
	size_t npass = 0;
	unsigned char given[O_NRUN] = { 0 };
	struct store_pkg_prior *priors = NULL;
	size_t npriors = 0;
	int id, rc = EXIT_ERROR, tripped = 0, npkgs = 0, nextra = 0;

	cli_merge(opts, 64, run_opts, publish_cli_opts);
	results_init(&r);
	matrix_opts_init(&mo);
	publish_opts_init(&po);
	pkgs = xcalloc((size_t)argc + 1, sizeof(*pkgs));
	extra = xcalloc((size_t)argc + 1, sizeof(*extra));
	pass = xcalloc((size_t)argc + 1, sizeof(*pass));
	for (;;) {
		id = cli_next(opts, &st, argc, argv, &arg, err);
		if (id < 0)
			goto out;
		if (id == 0)
			break;
		if (id == 'h') {
			help(opts);
			rc = EXIT_CLEAN;
			goto out;
		}
		if (id > 0 && id < O_NRUN)
			given[id] = 1;
		if (id == CLI_OPERAND)
			pkgs[npkgs++] = arg;
		else if (id == O_PRESET)
			preset = arg;
		else if (id == O_PASS_ENV) {
			size_t k;

			for (k = 0; matrix_secret_env[k] &&
				    strcmp(matrix_secret_env[k], arg); k++)
				;
			if (!matrix_secret_env[k]) {
				err_set(err, "option '--pass-env': '%s' is not one "
					"of the runner's secrets the collector "
					"removes (other variables reach the tests "
					"anyway)", arg);
				goto out;
			}
			pass[npass++] = arg;
		}
		else if (id >= PUB_OPT_BASE ?
			 publish_opt(&po, &r.meta, id, arg, err) :
			 run_opt(&mo, id, arg, err))
			goto out;
	}
	while (st.i < argc)
		extra[nextra++] = argv[st.i++];
	if (preset && apply_preset(&mo, preset, given, err))
		goto out;
	if (mo.only_changed && !mo.changed_since) {
		err_set(err, "option '--only-changed' needs --changed-since REF");
		goto out;
	}
	/* Under a budget --count is the first pass's: 1 unless given. */
	if (mo.budget_ms && !given[O_COUNT]) {
		mo.count = 1;
		mo.count_fill = 1;
	}
	mo.packages = npkgs ? pkgs : NULL;
	mo.pass_env = npass ? pass : NULL;
	mo.extra = extra;
	mo.progress = stderr;
	mo.tty = isatty(2);
	mo.gha = po.gha;
	meta_from_env(&r.meta, NULL);
	/* --shard I/N splits the work (core/plan.h), not only labels it. */
	if (r.meta.shard &&
	    !ident_shard_ok(r.meta.shard, &mo.shard_index, &mo.shard_count))
		BUG("unchecked shard '%s'", r.meta.shard);
	load_priors(&po, &mo, &priors, &npriors);
	if (matrix_run(&r, &mo, err))
		goto out;
	if (publish(&r, &po, &tripped, err))
		goto out;
	rc = tripped ? EXIT_POLICY : EXIT_CLEAN;
out:
	free((void *)(uintptr_t)mo.prior);
	store_pkg_priors_free(priors, npriors);
	free(pkgs);
	free(extra);
	free(pass);
	results_release(&r);
	return rc;
}
