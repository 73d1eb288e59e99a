/*
 * cmd_history.c: `flake-collector history` -- the flake-rate table of the
 * history database that `run` and `analyze` fill: per test, executions,
 * failures, the flake rate with its 95% Wilson interval (or the
 * rule-of-three floor when it never failed), its interval clustered by
 * run, flaky and failed runs, the disruption rate, when it was first and
 * last seen flaky, and the condition its failures depend on.  Text for a
 * terminal, or --json (the API's flake rows, made in core/store_json.c).
 *
 * Everything is read from the store (core/store.h's rollups,
 * store_q_rates_read() for the rates: the definitions of the pages and
 * the comment); this file only chooses the repository and window, and
 * renders.
 */
#include "cmds.h"
#include "core/buf.h"
#include "core/cli.h"
#include "core/jsonw.h"
#include "core/stats.h"
#include "core/store.h"
#include "core/store_query.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define HISTORY_DEFAULT_WINDOW 30

enum {
	O_DB = 1,
	O_REPO,
	O_BRANCH,
	O_WINDOW,
	O_ALL,
	O_JSON,
};

static const struct cli_opt history_opts[] = {
	{ "db", O_DB, "PATH",
	  "history database (default " STORE_DEFAULT_PATH ")" },
	{ "repo", O_REPO, "OWNER/NAME",
	  "repository (default: the most recent run's)" },
	{ "branch", O_BRANCH, "B",
	  "only runs on branch B (default: all branches)" },
	{ "window", O_WINDOW, "DAYS",
	  "the last DAYS days, today included (default 30; 0 = all time)" },
	{ "all", O_ALL, NULL,
	  "every test, not only those that failed at least once" },
	{ "json", O_JSON, NULL, "print the rows as JSON" },
	{ NULL, 0, NULL, NULL },
};

struct history_opts {
	const char *db;
	const char *repo;	/* NULL: the latest run's */
	const char *branch;	/* NULL: all */
	int window;		/* days; 0 all time */
	int all, json;
};

static void help(void)
{
	printf("usage: flake-collector history [options]\n\n"
	       "Prints the flake rate of each test from the history database:\n"
	       "failures / executions over the runs in which the test passed or\n"
	       "was flaky (a run where it failed every time is a break, counted\n"
	       "under FAILED RUNS), with its 95%% Wilson interval, or when it\n"
	       "never failed the rule-of-three bound \"0/n => p < 3/n\".\n"
	       "Runs where a package did not build or most tests failed are not\n"
	       "counted.  By default only tests that failed at least once.\n\n");
	cli_help(history_opts, stdout);
	printf("\nExit status: 0 (also when no runs are recorded), 2 usage error,\n"
	       "missing or unreadable database.\n");
}

static int parse(int argc, char **argv, struct history_opts *o, int *done,
		 struct err *err)
{
	struct cli_state st = CLI_STATE_INIT;
	const char *arg = NULL;
	long v;
	int id;

	memset(o, 0, sizeof(*o));
	o->db = STORE_DEFAULT_PATH;
	o->window = HISTORY_DEFAULT_WINDOW;
	*done = 0;
	for (;;) {
		id = cli_next(history_opts, &st, argc, argv, &arg, err);
		if (id <= 0)
			break;
		switch (id) {
		case 'h':
			help();
			*done = 1;
			return 0;
		case CLI_OPERAND:
			return err_set(err, "history: unexpected argument '%s' "
				       "(see --help)", arg);
		case O_DB:
			if (!*arg)
				return err_set(err, "option '--db' wants a "
					       "path");
			o->db = arg;
			break;
		case O_REPO:
			o->repo = arg;
			break;
		case O_BRANCH:
			o->branch = arg;
			break;
		case O_WINDOW:
			if (cli_int("window", arg, 0, 36500, &v, err))
				return -1;
			o->window = (int)v;
			break;
		case O_ALL:
			o->all = 1;
			break;
		case O_JSON:
			o->json = 1;
			break;
		default:
			BUG("unhandled option %d", id);
		}
	}
	if (id < 0)
		return -1;
	if (st.i < argc)
		return err_set(err, "history: unexpected argument '%s' "
			       "(see --help)", argv[st.i]);
	return 0;
}

/* Display width of UTF-8 text: one column per code point. */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* "aaa1111 2024-05-01", "2024-05-01" without a commit, "-" never. */
static int add_seen(struct buf *b, const char *commit, const char *at)
{
	if (!at)
		return buf_adds(b, "-");
	if (commit && *commit)
		return buf_addf(b, "%.7s %.10s", commit, at);
	return buf_addf(b, "%.10s", at);
}

enum {
	COL_PACKAGE, COL_TEST, COL_EXECS, COL_FAILS, COL_RATE, COL_CLUSTER,
	COL_FLAKY, COL_FAILED, COL_DISRUPT, COL_FIRST, COL_LAST, COL_COND,
	NCOLS
};

static const char *const col_head[NCOLS] = {
	"PACKAGE", "TEST", "EXECS", "FAILS", "FLAKE RATE", "CLUSTERED CI",
	"FLAKY RUNS", "FAILED RUNS", "DISRUPTION", "FIRST FLAKY",
	"LAST FLAKY", "CONDITION",
};

/* Numbers are right-aligned, text left-aligned. */
static const int col_right[NCOLS] = { 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0 };

/* The rates of the rows that failed (the others have no interval or
 * condition to show): store_q_rates_read(), per row; NULL when none. */
static int read_rates(struct store *s, const struct history_opts *o,
		      const struct flake_row *rows, size_t n, long long now,
		      struct q_rates **out, struct err *err)
{
	struct q_rates *q = n ? xcalloc(n, sizeof(*q)) : NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!rows[i].failures && !rows[i].failed_runs) {
			store_q_rates_from_row(&rows[i], &q[i]);
			continue;
		}
		if (store_q_rates_read(s, &rows[i], o->branch, o->window, now,
				       &q[i], err)) {
			free(q);
			return -1;
		}
	}
	*out = q;
	return 0;
}

/* Renders one row's cells (owned by the caller) into cell[]. */
static int row_cells(const struct flake_row *f, const struct q_rates *q,
		     char **cell)
{
	struct buf b = BUF_INIT(1 << 16);
	char rate[STATS_RATE_MAX], x[16], y[16];
	int c, bad = 0;

	for (c = 0; c < NCOLS; c++)
		cell[c] = NULL;
	if (stats_format_rate(rate, sizeof(rate), f->failures, f->executions))
		snprintf(rate, sizeof(rate), "?");
	for (c = 0; c < NCOLS && !bad; c++) {
		buf_reset(&b);
		switch (c) {
		case COL_PACKAGE: bad = buf_adds(&b, f->package); break;
		case COL_TEST: bad = buf_adds(&b, f->name); break;
		case COL_EXECS: bad = buf_addf(&b, "%ld", f->executions); break;
		case COL_FAILS: bad = buf_addf(&b, "%ld", f->failures); break;
		case COL_RATE: bad = buf_adds(&b, rate); break;
		case COL_CLUSTER:
			if (q->has_cluster && q->cluster_runs > 1 &&
			    !stats_format_pct(x, sizeof(x), q->clo) &&
			    !stats_format_pct(y, sizeof(y), q->chi))
				bad = buf_addf(&b, "%s–%s%%", x, y);
			else
				bad = buf_adds(&b, "-");
			break;
		case COL_DISRUPT:
			if (!q->runs || stats_format_pct(x, sizeof(x),
					(double)q->runs_failing / (double)q->runs))
				bad = buf_adds(&b, "-");
			else
				bad = buf_addf(&b, "%s%% (%lld/%lld)", x,
					       q->runs_failing, q->runs);
			break;
		case COL_COND:
			bad = buf_adds(&b, q->condition[0] ? q->condition : "-");
			break;
		case COL_FLAKY:
			bad = buf_addf(&b, "%ld/%ld", f->flaky_runs, f->runs);
			break;
		case COL_FAILED:
			bad = buf_addf(&b, "%ld", f->failed_runs);
			break;
		case COL_FIRST:
			bad = add_seen(&b, f->first_flaky_commit,
				       f->first_flaky_at);
			break;
		case COL_LAST:
			bad = add_seen(&b, f->last_flaky_commit,
				       f->last_flaky_at);
			break;
		default:
			BUG("bad column %d", c);
		}
		cell[c] = xstrdup(buf_str(&b));
	}
	buf_release(&b);
	return bad ? -1 : 0;
}

static void pad(FILE *out, size_t n)
{
	while (n--)
		fputc(' ', out);
}

static void print_line(FILE *out, char *const *cell, const size_t *width)
{
	int c;

	for (c = 0; c < NCOLS; c++) {
		size_t w = text_width(cell[c]);
		size_t gap = width[c] > w ? width[c] - w : 0;

		if (c)
			fputs("  ", out);
		if (col_right[c])
			pad(out, gap);
		fputs(cell[c], out);
		if (!col_right[c] && c + 1 < NCOLS)
			pad(out, gap);
	}
	fputc('\n', out);
}

static void print_table(FILE *out, const struct flake_row *rows,
			const struct q_rates *rates, size_t n)
{
	char **cells = xcalloc((n + 1) * NCOLS, sizeof(*cells));
	size_t width[NCOLS], i;
	int c;

	for (c = 0; c < NCOLS; c++) {
		cells[c] = xstrdup(col_head[c]);
		width[c] = text_width(col_head[c]);
	}
	for (i = 0; i < n; i++) {
		char **cell = &cells[(i + 1) * NCOLS];

		/* A field past 64 KiB is cut, not fatal: still a string. */
		(void)row_cells(&rows[i], &rates[i], cell);
		for (c = 0; c < NCOLS; c++) {
			size_t w;

			if (!cell[c])
				cell[c] = xstrdup("?");
			w = text_width(cell[c]);
			if (w > width[c])
				width[c] = w;
		}
	}
	for (i = 0; i <= n; i++)
		print_line(out, &cells[i * NCOLS], width);
	for (i = 0; i < (n + 1) * NCOLS; i++)
		free(cells[i]);
	free(cells);
}

/* The rows as the API's flake table (docs/API.md, GET .../tests: the
 * same JSON, made in core), with the rates of store_q_test(). */
static int print_json(const struct history_opts *o, const char *repo,
		      long runs, long infra, const struct flake_row *rows,
		      const struct q_rates *rates, size_t n, struct err *err)
{
	json_t *root = json_object(), *arr = json_array();
	size_t i;
	int ret = -1;

	if (!root || !arr ||
	    json_object_set_new(root, "db", jsonw_str(o->db)) ||
	    json_object_set_new(root, "repository", jsonw_str(repo)) ||
	    json_object_set_new(root, "branch", jsonw_str(o->branch)) ||
	    json_object_set_new(root, "window_days", json_integer(o->window)) ||
	    json_object_set_new(root, "all", json_boolean(o->all)) ||
	    json_object_set_new(root, "runs", json_integer(runs)) ||
	    json_object_set_new(root, "infra_runs", json_integer(infra)))
		goto oom;
	for (i = 0; i < n; i++)
		if (json_array_append_new(arr, store_flake_row_json(&rows[i],
								    &rates[i])))
			goto oom;
	if (json_object_set_new(root, "tests", arr)) {
		arr = NULL;
		goto oom;
	}
	arr = NULL;
	if (json_dumpf(root, stdout, JSON_INDENT(2)) ||
	    fputc('\n', stdout) == EOF) {
		err_sys(err, "cannot write to stdout");
		goto out;
	}
	ret = 0;
	goto out;
oom:
	err_set(err, "history: out of memory building JSON");
out:
	json_decref(arr);
	json_decref(root);
	return ret;
}

static void print_header(const struct history_opts *o, const char *repo,
			 long runs, long infra)
{
	printf("%s, %s%s, ", repo, o->branch ? "branch " : "all branches",
	       o->branch ? o->branch : "");
	if (o->window > 0)
		printf("last %d day%s: ", o->window, o->window == 1 ? "" : "s");
	else
		printf("all time: ");
	printf("%ld run%s", runs, runs == 1 ? "" : "s");
	if (infra)
		printf(" (%ld not counted: a package did not build or most "
		       "tests failed)", infra);
	printf("\n");
}

static int history(const struct history_opts *o, struct err *err)
{
	struct store *s = NULL;
	struct flake_row *rows = NULL;
	struct q_rates *rates = NULL;
	size_t n = 0;
	struct stat st;
	char *latest = NULL;
	const char *repo = o->repo;
	long runs = 0, infra = 0, ever = 0;
	long long now = (long long)time(NULL);
	int ret = -1;

	if (stat(o->db, &st)) {
		if (errno == ENOENT)
			return err_set(err, "no history at '%s': run "
				       "'flake-collector run' first", o->db);
		return err_sys(err, "cannot open '%s'", o->db);
	}
	if (store_open(&s, o->db, STORE_MUST_EXIST, err))
		return -1;
	if (!repo) {
		if (store_latest_repo(s, &latest, err))
			goto out;
		repo = latest;
	}
	if (repo && store_run_count(s, repo, o->branch, o->window, now, &runs,
				    &infra, err))
		goto out;
	if (repo && store_flake_table(s, repo, o->branch, o->window, now,
				      o->all ? STORE_FLAKE_ALL : 0, &rows, &n,
				      err))
		goto out;
	if (read_rates(s, o, rows, n, now, &rates, err))
		goto out;
	if (o->json) {
		ret = print_json(o, repo, runs, infra, rows, rates, n, err);
		goto out;
	}
	ret = 0;
	if (!repo) {
		printf("no runs recorded in '%s'\n", o->db);
		goto out;
	}
	if (!runs) {
		if (store_run_count(s, repo, o->branch, 0, now, &ever, NULL,
				    err)) {
			ret = -1;
			goto out;
		}
		if (!ever)
			printf("no runs recorded for %s%s%s in '%s'\n", repo,
			       o->branch ? " on branch " : "",
			       o->branch ? o->branch : "", o->db);
		else
			printf("no runs of %s%s%s in the last %d days (%ld in "
			       "all; see --window)\n", repo,
			       o->branch ? " on branch " : "",
			       o->branch ? o->branch : "", o->window, ever);
		goto out;
	}
	print_header(o, repo, runs, infra);
	if (!n) {
		printf(o->all ? "no test results in the counted runs\n" :
		       "no test failed in the counted runs (--all lists every "
		       "test)\n");
		goto out;
	}
	printf("\n");
	print_table(stdout, rows, rates, n);
	printf("\nFLAKE RATE: failures / executions in runs where the test "
	       "passed or was flaky,\nwith its 95%% Wilson interval; "
	       "\"0/n \xe2\x87\x92 p < x\" bounds a test that never failed.\n"
	       "CLUSTERED CI: the rate's 95%% interval with executions "
	       "clustered by run.\nDISRUPTION: the runs in which it failed at "
	       "least once.  CONDITION: -race or a\nGOMAXPROCS value its "
	       "failures depend on, by Fisher's exact test (p < 0.05).\n"
	       "See docs/STATISTICS.md.\n");
out:
	free(rates);
	store_flake_rows_free(rows, n);
	free(latest);
	store_close(s);
	return ret;
}

int cmd_history(int argc, char **argv, struct err *err)
{
	struct history_opts o;
	int done;

	if (parse(argc, argv, &o, &done, err))
		return EXIT_ERROR;
	if (done)
		return EXIT_CLEAN;
	return history(&o, err) ? EXIT_ERROR : EXIT_CLEAN;
}
