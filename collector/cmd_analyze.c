/*
 * cmd_analyze.c: `flake-collector analyze [--cell NAME] FILE...` -- the
 * run's verdicts and outputs from existing `go test -json` files, one file
 * per cell ("-" reads stdin), for teams that already run go test -json.
 */
#include "cmds.h"
#include "publish.h"
#include "core/buf.h"
#include "core/gtest.h"
#include "core/meta.h"
#include "core/results.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { O_CELL = 1 };

static const struct cli_opt analyze_opts[] = {
	{ "cell", O_CELL, "NAME", "name the cell of the next FILE (default: the file's name); "
	  "\"race\" and \"GOMAXPROCS=N\" in it are read as conditions" },
	{ NULL, 0, NULL, NULL },
};

static void help(const struct cli_opt *opts)
{
	printf("usage: flake-collector analyze [options] [--cell NAME] FILE...\n\n"
	       "Reads go test -json streams (one file per cell, '-' for stdin)\n"
	       "and reports every test's verdict: passed, failed (every\n"
	       "execution failed), flaky (both) or skipped.  A package whose\n"
	       "process failed with no failing test fails as a package.  It\n"
	       "writes history only when --db names the database.\n\n");
	cli_help(opts, stdout);
	printf("\nExit status: 0 clean, 1 the --fail-on policy tripped, 2 usage or\n"
	       "internal error (also an unreadable file or one that is not a\n"
	       "go test -json stream).\n");
}

/* "race GOMAXPROCS=2": conditions spelled in a cell name. */
static void cell_from_name(struct cell *c, const char *name)
{
	const char *g = strstr(name, "GOMAXPROCS=");

	c->name = (char *)(uintptr_t)name;
	c->race = -1;
	if (strstr(name, "norace"))
		c->race = 0;
	else if (strstr(name, "race"))
		c->race = 1;
	if (g) {
		long v = strtol(g + 11, NULL, 10);

		if (v > 0 && v < 100000)
			c->gomaxprocs = (int)v;
	}
}

static char *default_cell_name(const char *path)
{
	const char *base = strrchr(path, '/'), *dot;

	if (!strcmp(path, "-"))
		return xstrdup("stdin");
	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	if (dot && dot != base)
		return xstrndup(base, (size_t)(dot - base));
	return xstrdup(base);
}

static int read_stream(struct results *r, int cell, const char *path,
		       struct err *err)
{
	struct gtest_agg *a;
	const struct gtest_stats *st;
	char buf[1 << 16];
	struct stat sb;
	int fd, ret = -1;
	ssize_t n;

	if (!strcmp(path, "-")) {
		fd = 0;
	} else {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return err_sys(err, "cannot open '%s'", path);
		if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			close(fd);
			return err_set(err, "'%s' is a directory, not a go test "
				       "-json file", path);
		}
	}
	a = gtest_agg_new(r, cell, 0, 0);
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_sys(err, "cannot read '%s'", path);
			goto out;
		}
		if (!n)
			break;
		gtest_agg_feed(a, buf, (size_t)n);
	}
	st = gtest_agg_finish(a, -1, NULL);
	if (st->lines && !st->events) {
		err_set(err, "'%s' is not a go test -json stream (no JSON event "
			"in %lld line%s)", path, st->lines,
			st->lines == 1 ? "" : "s");
		goto out;
	}
	if (st->overlong)
		fprintf(stderr, "flake-collector: warning: '%s': skipped %lld "
			"line%s longer than %u bytes\n", path, st->overlong,
			st->overlong == 1 ? "" : "s", GTEST_STREAM_LINE_MAX);
	if (st->incomplete)
		fprintf(stderr, "flake-collector: note: '%s': %lld test "
			"execution%s never reported a result\n", path,
			st->incomplete, st->incomplete == 1 ? "" : "s");
	ret = 0;
out:
	gtest_agg_free(a);
	if (fd > 0)
		close(fd);
	return ret;
}

int cmd_analyze(int argc, char **argv, struct err *err)
{
	struct cli_opt opts[64];
	struct cli_state st = CLI_STATE_INIT;
	struct publish_opts po;
	struct results r;
	const char *arg = NULL, *next_cell = NULL;
	const char **files;
	char **cell_names;
	int id, rc = EXIT_ERROR, tripped = 0, i, nfiles = 0;

	cli_merge(opts, 64, analyze_opts, publish_cli_opts);
	results_init(&r);
	publish_opts_init(&po);
	files = xcalloc((size_t)argc + 1, sizeof(*files));
	cell_names = xcalloc((size_t)argc + 1, sizeof(*cell_names));
	/* --cell names the file that follows it. */
	for (;;) {
		id = cli_next(opts, &st, argc, argv, &arg, err);
		if (id < 0)
			goto out;
		if (id == 0) {
			/* After "--" every word is a file. */
			while (st.i < argc) {
				files[nfiles] = argv[st.i++];
				cell_names[nfiles] = next_cell ? xstrdup(next_cell) :
					default_cell_name(files[nfiles]);
				next_cell = NULL;
				nfiles++;
			}
			break;
		}
		if (id == 'h') {
			help(opts);
			rc = EXIT_CLEAN;
			goto out;
		}
		if (id == CLI_OPERAND) {
			files[nfiles] = arg;
			cell_names[nfiles] = next_cell ? xstrdup(next_cell) :
				default_cell_name(arg);
			next_cell = NULL;
			nfiles++;
		} else if (id == O_CELL) {
			if (!*arg) {
				err_set(err, "option '--cell' wants a name");
				goto out;
			}
			next_cell = arg;
		} else if (publish_opt(&po, &r.meta, id, arg, err)) {
			goto out;
		}
	}
	/* Reading old streams records nothing unless asked: history only
	 * with --db. */
	if (!po.db_set)
		po.history = 0;
	if (!nfiles) {
		err_set(err, "no files to analyze (usage: flake-collector "
			"analyze [--cell NAME] FILE...; '-' reads stdin)");
		goto out;
	}
	r.repo_root = getcwd(NULL, 0);
	meta_from_env(&r.meta, NULL);
	for (i = 0; i < nfiles; i++) {
		struct cell c;

		memset(&c, 0, sizeof(c));
		cell_from_name(&c, cell_names[i]);
		if (read_stream(&r, results_add_cell(&r, &c), files[i], err))
			goto out;
	}
	results_finish(&r);
	if (publish(&r, &po, &tripped, err))
		goto out;
	rc = tripped ? EXIT_POLICY : EXIT_CLEAN;
out:
	for (i = 0; cell_names[i]; i++)
		free(cell_names[i]);
	free(cell_names);
	free(files);
	results_release(&r);
	return rc;
}
