/*
 * cmd_prune.c: `flake-reporter prune --keep DAYS` -- retention: the raw
 * rows and stored documents of old runs go, the daily rollups stay (see
 * core/store_maint.h).  Safe while `serve` runs.
 */
#include "cmds.h"
#include "core/cli.h"
#include "core/store_maint.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { O_DB = 1, O_KEEP };

static const struct cli_opt prune_opts[] = {
	{ "db", O_DB, "PATH", "the reporter's database (default flake.db)" },
	{ "keep", O_KEEP, "DAYS", "keep the raw rows of the last DAYS days (required)" },
	{ NULL, 0, NULL, NULL },
};

int cmd_prune(int argc, char **argv, struct err *err)
{
	struct cli_state st = CLI_STATE_INIT;
	struct store_prune_stats ps;
	const char *arg, *db = "flake.db";
	struct store *s = NULL;
	long keep = 0;
	char *end;
	int id, rc = 2;

	while ((id = cli_next(prune_opts, &st, argc, argv, &arg, err)) != 0) {
		if (id < 0)
			return 2;
		if (id == 'h') {
			printf("usage: flake-reporter prune [--db PATH] --keep DAYS\n\n"
			       "Deletes the per-test result rows and the stored\n"
			       "documents of runs older than DAYS days; the daily\n"
			       "rollups (rates, history pages, badges), run summaries,\n"
			       "verdicts and failure signatures stay.  Safe while the\n"
			       "server runs.  Run it from cron, e.g. daily.\n\n");
			cli_help(prune_opts, stdout);
			return 0;
		}
		if (id == O_DB) {
			db = arg;
		} else if (id == O_KEEP) {
			keep = strtol(arg, &end, 10);
			if (end == arg || *end || keep < 1 || keep > 100000) {
				err_set(err, "option '--keep' wants a number of "
					"days from 1 to 100000, not '%s'", arg);
				return 2;
			}
		} else {
			err_set(err, "unexpected argument '%s'", arg);
			return 2;
		}
	}
	if (!keep) {
		err_set(err, "prune wants --keep DAYS");
		return 2;
	}
	if (store_open(&s, db, STORE_MUST_EXIST, err))
		return 2;
	if (!store_prune(s, (int)keep, (long long)time(NULL), &ps, err)) {
		printf("flake-reporter: pruned %lld runs older than %ld days: "
		       "%lld result rows, %lld documents\n", ps.runs, keep,
		       ps.result_rows, ps.docs);
		rc = 0;
	}
	store_close(s);
	return rc;
}
