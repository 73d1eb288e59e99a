/*
 * reporter_base.c: the ingest baseline of bench/reporter.sh -- a raw
 * prepared SQLite insert of the reporter's result rows, nothing else.
 *
 *   reporter_base DB BATCHES TESTS CELLS > OUT.tsv
 *
 * Creates DB with the same `results` table as schema/001_init.sql
 * (WITHOUT ROWID, clustered on (run_id, test_id, cell_idx)) and the same
 * settings as core/store.c (WAL, synchronous=NORMAL), but no foreign keys,
 * no other tables and no rollups.  Inserts BATCHES transactions of
 * TESTS x CELLS rows each (one transaction per upload, run_id ascending
 * as the reporter writes them), with one prepared statement bound and
 * stepped per row.  Prints "t_done rows" per transaction (seconds since
 * the first BEGIN), the format bench/reporter_client.py's ingest writes.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check(sqlite3 *db, int rc, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE) {
		fprintf(stderr, "reporter_base: %s: %s\n", what,
			sqlite3_errmsg(db));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	static const char *const status[] = { "passed", "flaky", "failed" };
	sqlite3 *db;
	sqlite3_stmt *st;
	long batches, tests, cells, b, t, c;
	double t0;

	if (argc != 5) {
		fprintf(stderr, "usage: reporter_base DB BATCHES TESTS CELLS\n");
		return 2;
	}
	batches = strtol(argv[2], NULL, 10);
	tests = strtol(argv[3], NULL, 10);
	cells = strtol(argv[4], NULL, 10);
	check(NULL, sqlite3_open(argv[1], &db), "open");
	check(db, sqlite3_exec(db, "PRAGMA journal_mode = WAL;"
			       " PRAGMA synchronous = NORMAL;"
			       " CREATE TABLE results ("
			       " run_id INTEGER NOT NULL, test_id INTEGER NOT NULL,"
			       " cell_idx INTEGER NOT NULL, status TEXT NOT NULL,"
			       " passes INTEGER NOT NULL DEFAULT 0,"
			       " failures INTEGER NOT NULL DEFAULT 0,"
			       " skips INTEGER NOT NULL DEFAULT 0,"
			       " notrun INTEGER NOT NULL DEFAULT 0,"
			       " rerun_passes INTEGER NOT NULL DEFAULT 0,"
			       " rerun_failures INTEGER NOT NULL DEFAULT 0,"
			       " PRIMARY KEY (run_id, test_id, cell_idx))"
			       " WITHOUT ROWID", NULL, NULL, NULL), "create");
	check(db, sqlite3_prepare_v3(db, "INSERT INTO results(run_id, test_id,"
				     " cell_idx, status, passes, failures, skips,"
				     " notrun, rerun_passes, rerun_failures)"
				     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
				     " ?10)", -1, SQLITE_PREPARE_PERSISTENT, &st,
				     NULL), "prepare");
	t0 = now();
	for (b = 1; b <= batches; b++) {
		check(db, sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL),
		      "begin");
		for (t = 1; t <= tests; t++) {
			for (c = 0; c < cells; c++) {
				int k = (t % 67 == 0) ? 1 + (int)(b % 2) : 0;

				sqlite3_bind_int64(st, 1, b);
				sqlite3_bind_int64(st, 2, t);
				sqlite3_bind_int(st, 3, (int)c);
				sqlite3_bind_text(st, 4, status[k], -1,
						  SQLITE_STATIC);
				sqlite3_bind_int(st, 5, k ? 2 : 3);
				sqlite3_bind_int(st, 6, k ? 1 : 0);
				sqlite3_bind_int(st, 7, 0);
				sqlite3_bind_int(st, 8, 0);
				sqlite3_bind_int(st, 9, 0);
				sqlite3_bind_int(st, 10, 0);
				check(db, sqlite3_step(st), "insert");
				sqlite3_reset(st);
			}
		}
		check(db, sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), "commit");
		printf("%.6f\t%ld\n", now() - t0, tests * cells);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return 0;
}
