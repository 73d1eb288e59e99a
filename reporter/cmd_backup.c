/*
 * cmd_backup.c: `flake-reporter backup FILE` -- an online, consistent copy
 * of the database, safe while `serve` runs (see core/store_maint.h).
 */
#include "cmds.h"
#include "core/cli.h"
#include "core/store_maint.h"

#include <stdio.h>

enum { O_DB = 1 };

static const struct cli_opt backup_opts[] = {
	{ "db", O_DB, "PATH", "the reporter's database (default flake.db)" },
	{ NULL, 0, NULL, NULL },
};

int cmd_backup(int argc, char **argv, struct err *err)
{
	struct cli_state st = CLI_STATE_INIT;
	const char *arg, *db = "flake.db", *dest = NULL;
	struct store *s = NULL;
	int id, rc = 2;

	while ((id = cli_next(backup_opts, &st, argc, argv, &arg, err)) != 0) {
		if (id < 0)
			return 2;
		if (id == 'h') {
			printf("usage: flake-reporter backup [--db PATH] FILE\n\n"
			       "Writes a consistent copy of the database to FILE\n"
			       "while the server runs (it holds every upload\n"
			       "acknowledged before the backup began).  FILE must not\n"
			       "exist.  To restore: stop the server, replace the\n"
			       "database file with FILE (and remove its -wal and -shm\n"
			       "files), start the server.\n\n");
			cli_help(backup_opts, stdout);
			return 0;
		}
		if (id == O_DB) {
			db = arg;
		} else if (!dest) {
			dest = arg;
		} else {
			err_set(err, "unexpected argument '%s'", arg);
			return 2;
		}
	}
	if (!dest) {
		err_set(err, "backup wants a FILE to write");
		return 2;
	}
	if (store_open(&s, db, STORE_MUST_EXIST, err))
		return 2;
	if (!store_backup(s, dest, err)) {
		printf("flake-reporter: backed up '%s' to '%s'\n", db, dest);
		rc = 0;
	}
	store_close(s);
	return rc;
}
