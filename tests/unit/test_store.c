/*
 * test_store.c: the history store on temporary databases -- migrations,
 * user_version, reopen, refusal of foreign / corrupt / future files,
 * idempotent runs, the rollups behind the flake table (checked against
 * hand-computed numbers), infra runs, first/last flaky and new_flaky.
 */
#include "core/err.h"
#include "core/results.h"
#include "core/schema.h"
#include "core/stats.h"
#include "core/store.h"
#include "core/store_query.h"
#include "tests/unit/check.h"

#include <dirent.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NEAR(a, b) (fabs((a) - (b)) < 1e-4)
#define PKG "example.com/widgets/pool"

/* 2024-05-10T12:00:00Z */
#define NOW 1715342400LL

static char tmpdir[64];

static void rm_rf(const char *path)
{
	struct stat st;
	DIR *d;

	if (lstat(path, &st))
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	d = opendir(path);
	if (d) {
		struct dirent *e;

		for (e = readdir(d); e; e = readdir(d)) {
			char sub[512];

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			rm_rf(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

static void tmp_path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", tmpdir, name);
}

/* One test's outcome in one cell. */
struct spec {
	const char *name;
	int cell, passes, failures, skips;
};

struct meta_spec {
	const char *repo, *branch, *commit, *started_at, *run_id;
};

/* Builds and finishes a run with cells "default" and "race". */
static void make_run(struct results *r, const struct meta_spec *m,
		     const struct spec *sp, size_t n)
{
	char n0[] = "default", n1[] = "race";
	char file[] = "pool_test.go", msg[] = "boom";
	char sig[] = "boom @ pool_test.go:12";
	struct cell c0, c1;
	size_t i;

	results_init(r);
	if (m->repo)
		r->meta.repository = xstrdup(m->repo);
	if (m->branch)
		r->meta.branch = xstrdup(m->branch);
	if (m->commit)
		r->meta.commit = xstrdup(m->commit);
	if (m->started_at)
		r->meta.started_at = xstrdup(m->started_at);
	if (m->run_id) {
		r->meta.run_id = xstrdup(m->run_id);
		r->meta.run_attempt = 1;
		r->meta.job = xstrdup("test");
	}
	memset(&c0, 0, sizeof(c0));
	memset(&c1, 0, sizeof(c1));
	c0.name = n0;
	c0.count = 10;
	c1.name = n1;
	c1.race = 1;
	c1.count = 10;
	c1.gomaxprocs = 2;
	CHECK(results_add_cell(r, &c0) == 0);
	CHECK(results_add_cell(r, &c1) == 1);
	results_package(r, PKG, 1);
	for (i = 0; i < n; i++) {
		struct test *t = results_test(r, PKG, sp[i].name, 1);
		struct test_cell *tc = results_test_cell(t, sp[i].cell);

		tc->passes += sp[i].passes;
		tc->failures += sp[i].failures;
		tc->skips += sp[i].skips;
		if (sp[i].failures) {
			struct failure f;

			memset(&f, 0, sizeof(f));
			f.cell = sp[i].cell;
			f.kind = FAIL_ASSERT;
			f.file = file;
			f.line = 12;
			f.message = msg;
			f.signature = sig;
			f.count = sp[i].failures;
			results_add_failure(t, &f);
		}
	}
	results_finish(r);
}

static const struct flake_row *find_row(const struct flake_row *rows,
					size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(rows[i].name, name))
			return &rows[i];
	return NULL;
}

static const struct test *find_test(struct results *r, const char *name)
{
	return results_test(r, PKG, name, 0);
}

/* sqlite3 directly: PRAGMA values and row counts. */
static long long sql_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) ==
	    SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static int sql_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	int rc = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_CREATE, NULL) == SQLITE_OK &&
	    sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
		rc = 0;
	sqlite3_close(db);
	return rc;
}

static void test_open_migrate(void)
{
	char path[256];
	struct store *s = NULL;
	struct err err = ERR_INIT;
	struct stat st;

	/* Parent directories are created ("a/b/.flake/"). */
	tmp_path(path, sizeof(path), "a/b/.flake/history.db");
	CHECK(store_open(&s, path, 0, &err) == 0);
	CHECK(s != NULL);
	if (!s) {
		fprintf(stderr, "store_open: %s\n", err.msg);
		return;
	}
	CHECK(store_schema_version(s) == (int)schema_nfiles);
	CHECK_STR(store_path(s), path);
	store_close(s);
	CHECK(stat(path, &st) == 0);
	CHECK(sql_int(path, "PRAGMA user_version") == (long long)schema_nfiles);
	CHECK(sql_int(path, "PRAGMA journal_mode") >= 0);
	CHECK(sql_int(path, "SELECT count(*) FROM sqlite_master WHERE "
		      "type = 'table' AND name IN ('repos', 'runs', 'cells', "
		      "'tests', 'results', 'verdicts', 'failures', 'daily', "
		      "'test_flaky')") == 9);

	/* Reopening applies nothing and keeps the version. */
	s = NULL;
	CHECK(store_open(&s, path, 0, &err) == 0);
	CHECK(s && store_schema_version(s) == (int)schema_nfiles);
	store_close(s);
	s = NULL;
	CHECK(store_open(&s, path, STORE_READONLY, &err) == 0);
	store_close(s);
	store_close(NULL);

	/* In memory. */
	s = NULL;
	CHECK(store_open(&s, ":memory:", 0, &err) == 0);
	store_close(s);
}

static void test_open_errors(void)
{
	char path[256], dir[256];
	struct store *s = (struct store *)&s;
	struct err err = ERR_INIT;
	FILE *f;

	/* Missing file, read-only or must-exist: no file is created. */
	tmp_path(path, sizeof(path), "missing/history.db");
	CHECK(store_open(&s, path, STORE_READONLY, &err) == -1);
	CHECK(s == NULL);
	CHECK(strstr(err.msg, "cannot open '") != NULL);
	CHECK(strstr(err.msg, "missing/history.db") != NULL);
	CHECK(store_open(&s, path, STORE_MUST_EXIST, &err) == -1);
	tmp_path(dir, sizeof(dir), "missing");
	CHECK(access(dir, F_OK) != 0);

	/* Not an SQLite file. */
	tmp_path(path, sizeof(path), "garbage.db");
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		int i;

		for (i = 0; i < 200; i++)
			fputs("this is not an SQLite database at all\n", f);
		fclose(f);
	}
	err.msg[0] = '\0';
	CHECK(store_open(&s, path, 0, &err) == -1);
	CHECK(s == NULL);
	CHECK(strstr(err.msg, "garbage.db") != NULL);
	CHECK(strstr(err.msg, "not a database") != NULL);

	/* Another program's SQLite database is left alone. */
	tmp_path(path, sizeof(path), "other.db");
	CHECK(sql_exec(path, "CREATE TABLE notes(x TEXT)") == 0);
	err.msg[0] = '\0';
	CHECK(store_open(&s, path, 0, &err) == -1);
	CHECK(strstr(err.msg, "not a flake history database") != NULL);
	CHECK(sql_int(path, "PRAGMA user_version") == 0);

	/* A database from a newer binary. */
	tmp_path(path, sizeof(path), "future.db");
	CHECK(store_open(&s, path, 0, &err) == 0);
	store_close(s);
	CHECK(sql_exec(path, "PRAGMA user_version = 999") == 0);
	err.msg[0] = '\0';
	CHECK(store_open(&s, path, 0, &err) == -1);
	CHECK(s == NULL);
	CHECK(strstr(err.msg, "schema version 999") != NULL);
	CHECK(strstr(err.msg, "newer") != NULL);
	CHECK(sql_int(path, "PRAGMA user_version") == 999);

	/* An older database cannot be migrated read-only. */
	CHECK(sql_exec(path, "PRAGMA user_version = 0") == 0);
	err.msg[0] = '\0';
	CHECK(store_open(&s, path, STORE_READONLY, &err) == -1);
	CHECK(strstr(err.msg, "schema version") != NULL);

	/* A directory. */
	err.msg[0] = '\0';
	CHECK(store_open(&s, tmpdir, 0, &err) == -1);
	CHECK(strstr(err.msg, "cannot open") != NULL);

	/* A parent that is a file. */
	tmp_path(path, sizeof(path), "garbage.db/x/history.db");
	err.msg[0] = '\0';
	CHECK(store_open(&s, path, 0, &err) == -1);
	CHECK(strstr(err.msg, "garbage.db") != NULL);
	CHECK(store_open(&s, "", 0, &err) == -1);
}

/*
 * Three runs of four tests (cells "default" and "race", -count=10 each):
 *
 *              run 1 (main)       run 2 (main)       run 3 (feature)
 * TestFlaky    9+1 | 10  flaky    10 | 8+2  flaky    10 | 10   passed
 * TestBroken   0+10| 0+10 failed  0+10| 0+10 failed  10 | 10   passed
 * TestStable   10 | 10   passed   10 | 10   passed   10 | 10   passed
 * TestNew      10 | 10   passed   10 | 10   passed   9+1 | 10  flaky
 * TestSkip     skipped            skipped            skipped
 *
 * (p | q = passes in default | race, "+f" failures.)  By hand:
 *   TestFlaky:  runs 3, flaky 2, failed 0, executions 60, failures 3,
 *               rate 5%, Wilson(3, 60) = [0.01715, 0.13701];
 *               on main only: 40 executions, 3 failures, 7.5%.
 *   TestBroken: runs 3, failed 2, executions 20 (run 3 only: the runs it
 *               failed every time are breaks, not flake samples), rate 0.
 *   TestNew:    runs 3, flaky 1, executions 60, failures 1, 1/60.
 */
static const struct spec run1[] = {
	{ "TestFlaky", 0, 9, 1, 0 }, { "TestFlaky", 1, 10, 0, 0 },
	{ "TestBroken", 0, 0, 10, 0 }, { "TestBroken", 1, 0, 10, 0 },
	{ "TestStable", 0, 10, 0, 0 }, { "TestStable", 1, 10, 0, 0 },
	{ "TestNew", 0, 10, 0, 0 }, { "TestNew", 1, 10, 0, 0 },
	{ "TestSkip", 0, 0, 0, 1 }, { "TestSkip", 1, 0, 0, 1 },
};
static const struct spec run2[] = {
	{ "TestFlaky", 0, 10, 0, 0 }, { "TestFlaky", 1, 8, 2, 0 },
	{ "TestBroken", 0, 0, 10, 0 }, { "TestBroken", 1, 0, 10, 0 },
	{ "TestStable", 0, 10, 0, 0 }, { "TestStable", 1, 10, 0, 0 },
	{ "TestNew", 0, 10, 0, 0 }, { "TestNew", 1, 10, 0, 0 },
	{ "TestSkip", 0, 0, 0, 1 }, { "TestSkip", 1, 0, 0, 1 },
};
static const struct spec run3[] = {
	{ "TestFlaky", 0, 10, 0, 0 }, { "TestFlaky", 1, 10, 0, 0 },
	{ "TestBroken", 0, 10, 0, 0 }, { "TestBroken", 1, 10, 0, 0 },
	{ "TestStable", 0, 10, 0, 0 }, { "TestStable", 1, 10, 0, 0 },
	{ "TestNew", 0, 9, 1, 0 }, { "TestNew", 1, 10, 0, 0 },
	{ "TestSkip", 0, 0, 0, 1 }, { "TestSkip", 1, 0, 0, 1 },
};
/* An infra run: every test fails (>= 80% of >= 5 tests). */
static const struct spec run_infra[] = {
	{ "TestFlaky", 0, 0, 10, 0 }, { "TestBroken", 0, 0, 10, 0 },
	{ "TestStable", 0, 0, 10, 0 }, { "TestNew", 0, 0, 10, 0 },
	{ "TestOther", 0, 0, 10, 0 },
};

#define NSPEC(a) (sizeof(a) / sizeof((a)[0]))

static const struct meta_spec m1 = {
	"acme/widgets", "main", "aaa1111deadbeef", "2024-05-01T10:00:00Z",
	NULL };
static const struct meta_spec m2 = {
	"acme/widgets", "main", "bbb2222deadbeef",
	"2024-05-02T12:00:00.5+02:00", NULL };
static const struct meta_spec m3 = {
	"acme/widgets", "feature", "ccc3333deadbeef",
	"2024-05-10T08:00:00.123456789Z", NULL };
static const struct meta_spec m_infra = {
	"acme/widgets", "main", "ddd4444deadbeef", "2024-05-10T09:00:00Z",
	NULL };

static void check_full_table(struct store *s, int window, unsigned flags)
{
	struct flake_row *rows = NULL;
	size_t n = 99;
	const struct flake_row *f;
	struct err err = ERR_INIT;
	size_t want = flags & STORE_FLAKE_ALL ? 4 : 3;

	CHECK(store_flake_table(s, "acme/widgets", NULL, window, NOW, flags,
				&rows, &n, &err) == 0);
	CHECK(n == want);
	if (n != want) {
		store_flake_rows_free(rows, n);
		return;
	}
	/* Sorted by rate: 3/60, 1/60, then the zeros by failures and name. */
	CHECK_STR(rows[0].name, "TestFlaky");
	CHECK_STR(rows[1].name, "TestNew");
	CHECK_STR(rows[2].name, "TestBroken");
	if (flags & STORE_FLAKE_ALL)
		CHECK_STR(rows[3].name, "TestStable");

	f = find_row(rows, n, "TestFlaky");
	CHECK(f && f->runs == 3 && f->flaky_runs == 2 && f->failed_runs == 0);
	CHECK(f && f->executions == 60 && f->failures == 3);
	CHECK(f && NEAR(f->rate, 0.05));
	CHECK(f && NEAR(f->lo, 0.01715) && NEAR(f->hi, 0.13701));
	CHECK_STR(f ? f->package : NULL, PKG);
	CHECK_STR(f ? f->first_flaky_commit : NULL, "aaa1111deadbeef");
	CHECK_STR(f ? f->first_flaky_at : NULL, "2024-05-01T10:00:00Z");
	CHECK_STR(f ? f->last_flaky_commit : NULL, "bbb2222deadbeef");
	/* Normalized to UTC. */
	CHECK_STR(f ? f->last_flaky_at : NULL, "2024-05-02T10:00:00Z");

	f = find_row(rows, n, "TestBroken");
	CHECK(f && f->runs == 3 && f->flaky_runs == 0 && f->failed_runs == 2);
	CHECK(f && f->executions == 20 && f->failures == 0);
	CHECK(f && f->rate == 0.0 && f->lo == 0.0);
	CHECK(f && f->first_flaky_at == NULL && f->last_flaky_commit == NULL);

	f = find_row(rows, n, "TestNew");
	CHECK(f && f->runs == 3 && f->flaky_runs == 1);
	CHECK(f && f->executions == 60 && f->failures == 1);
	CHECK(f && NEAR(f->rate, 1.0 / 60.0));
	CHECK_STR(f ? f->first_flaky_commit : NULL, "ccc3333deadbeef");
	CHECK_STR(f ? f->last_flaky_at : NULL, "2024-05-10T08:00:00Z");

	/* Never failed: only in the --all table. */
	f = find_row(rows, n, "TestStable");
	if (flags & STORE_FLAKE_ALL)
		CHECK(f && f->runs == 3 && f->executions == 60 &&
		      f->failures == 0 && f->failed_runs == 0);
	else
		CHECK(f == NULL);
	CHECK(find_row(rows, n, "TestSkip") == NULL);
	store_flake_rows_free(rows, n);
}

static void test_runs_and_rollups(void)
{
	char path[256];
	struct store *s = NULL;
	struct err err = ERR_INIT;
	struct results r1, r2, r3, ri;
	long long id1 = 0, id2 = 0, id3 = 0, idi = 0, again = 0;
	struct flake_row *rows = NULL;
	size_t n = 0;
	const struct flake_row *f;
	long runs = -1, infra = -1;
	long long evidence = -1;
	char *repo = NULL;

	tmp_path(path, sizeof(path), "runs.db");
	if (store_open(&s, path, 0, &err)) {
		fprintf(stderr, "store_open: %s\n", err.msg);
		CHECK(s != NULL);
		return;
	}
	make_run(&r1, &m1, run1, NSPEC(run1));
	make_run(&r2, &m2, run2, NSPEC(run2));
	make_run(&r3, &m3, run3, NSPEC(run3));
	make_run(&ri, &m_infra, run_infra, NSPEC(run_infra));
	CHECK(r1.finished && r1.n_flaky == 1 && r1.n_failed == 1);
	CHECK(!store_run_is_infra(&r1));
	CHECK(store_run_is_infra(&ri));

	/* Empty history. */
	CHECK(store_latest_repo(s, &repo, &err) == 0 && repo == NULL);
	CHECK(store_run_count(s, NULL, NULL, 0, NOW, &runs, &infra, &err) == 0);
	CHECK(runs == 0 && infra == 0);
	CHECK(store_flake_table(s, "acme/widgets", NULL, 30, NOW, 0, &rows, &n,
				&err) == 0);
	CHECK(n == 0 && rows == NULL);

	/* Run 1 (main): TestFlaky is new flaky; no evidence yet. */
	CHECK(store_classify(s, &r1, 30, NOW, &evidence, &err) == 0);
	CHECK(evidence == 0);
	CHECK(find_test(&r1, "TestFlaky")->new_flaky == 1);
	CHECK(find_test(&r1, "TestFlaky")->klass == CLASS_NEW);
	CHECK(find_test(&r1, "TestBroken")->new_flaky == 0);
	CHECK(find_test(&r1, "TestBroken")->klass == CLASS_NEW);
	CHECK(find_test(&r1, "TestStable")->klass == CLASS_NONE);
	CHECK(store_add_run(s, &r1, "key-1", &id1, &err) == 0);
	CHECK(id1 > 0);
	/* A run is never its own evidence: classified again once stored. */
	CHECK(store_classify(s, &r1, 30, NOW, &evidence, &err) == 0);
	CHECK(evidence == 0 && find_test(&r1, "TestFlaky")->new_flaky == 1);

	/* Run 2 (main, a day later): TestFlaky flaked on main in run 1. */
	CHECK(store_classify(s, &r2, 30, NOW, &evidence, &err) == 0);
	CHECK(evidence == 1);
	CHECK(find_test(&r2, "TestFlaky")->new_flaky == 0);
	CHECK(find_test(&r2, "TestFlaky")->klass == CLASS_KNOWN);
	CHECK(find_test(&r2, "TestFlaky")->has_base);
	CHECK(store_add_run(s, &r2, "key-2", &id2, &err) == 0);

	/* Run 3 (a pull request from feature into main): TestNew is new,
	 * TestFlaky passed (no class).  Main's runs 1 and 2 (05-01, 05-02)
	 * are evidence over 30 days up to 05-10, not over 5; the infra run
	 * never is. */
	CHECK(store_add_run(s, &ri, "key-infra", &idi, &err) == 0);
	r3.meta.base_branch = xstrdup("main");
	CHECK(store_classify(s, &r3, 5, NOW, &evidence, &err) == 0);
	CHECK(evidence == 0);
	CHECK(store_classify(s, &r3, 30, NOW, &evidence, &err) == 0);
	CHECK(evidence == 2);
	CHECK(find_test(&r3, "TestNew")->new_flaky == 1);
	CHECK(find_test(&r3, "TestFlaky")->new_flaky == 0);
	CHECK(find_test(&r3, "TestFlaky")->klass == CLASS_NONE);
	CHECK(store_add_run(s, &r3, "key-3", &id3, &err) == 0);
	CHECK(id1 < id2 && id2 < idi && idi < id3);

	/* Idempotent: the same key again writes nothing. */
	CHECK(store_add_run(s, &r1, "key-1", &again, &err) == 0);
	CHECK(again == id1);
	CHECK(store_add_run(s, &r3, "key-3", &again, &err) == 0);
	CHECK(again == id3);
	CHECK(store_run_count(s, "acme/widgets", NULL, 0, NOW, &runs, &infra,
			      &err) == 0);
	CHECK(runs == 4 && infra == 1);
	CHECK(sql_int(path, "SELECT count(*) FROM runs") == 4);
	CHECK(sql_int(path, "SELECT infra FROM runs WHERE run_key = "
		      "'key-infra'") == 1);
	/* Result rows: 5 tests x 2 cells in runs 1-3, 5 x 1 in the infra. */
	CHECK(sql_int(path, "SELECT count(*) FROM results") == 35);
	CHECK(sql_int(path, "SELECT count(*) FROM verdicts") == 20);
	CHECK(sql_int(path, "SELECT count(*) FROM cells") == 8);
	CHECK(sql_int(path, "SELECT count(*) FROM tests") == 6);
	CHECK(sql_int(path, "SELECT count(*) FROM failures") == 12);
	CHECK(sql_int(path, "SELECT new_flaky FROM verdicts v JOIN tests t "
		      "ON t.id = v.test_id WHERE t.name = 'TestNew' AND "
		      "v.status = 'flaky'") == 1);
	CHECK(sql_int(path, "SELECT count(*) FROM daily") == 12);

	/* All branches, window of 30 days and all time: same numbers. */
	check_full_table(s, 30, 0);
	check_full_table(s, 0, 0);
	check_full_table(s, 30, STORE_FLAKE_ALL);
	check_full_table(s, 0, STORE_FLAKE_ALL);

	/* Branch main: runs 1 and 2 only. */
	CHECK(store_flake_table(s, "acme/widgets", "main", 30, NOW, 0, &rows, &n,
				&err) == 0);
	CHECK(n == 2);
	/* TestNew never failed on main. */
	CHECK(find_row(rows, n, "TestNew") == NULL);
	store_flake_rows_free(rows, n);
	CHECK(store_flake_table(s, "acme/widgets", "main", 30, NOW,
				STORE_FLAKE_ALL, &rows, &n, &err) == 0);
	CHECK(n == 4);
	f = find_row(rows, n, "TestFlaky");
	CHECK(f && f->runs == 2 && f->executions == 40 && f->failures == 3);
	CHECK(f && NEAR(f->rate, 0.075));
	CHECK(f && NEAR(f->lo, 0.025836) && NEAR(f->hi, 0.198642));
	f = find_row(rows, n, "TestNew");
	CHECK(f && f->failures == 0 && f->first_flaky_at == NULL);
	f = find_row(rows, n, "TestBroken");
	CHECK(f && f->runs == 2 && f->failed_runs == 2 && f->executions == 0);
	CHECK(f && f->rate == 0.0 && f->lo == 0.0 && f->hi == 1.0);
	store_flake_rows_free(rows, n);

	/* A 5-day window (2024-05-06..10) holds only run 3. */
	CHECK(store_flake_table(s, "acme/widgets", NULL, 5, NOW, 0, &rows, &n,
				&err) == 0);
	CHECK(n == 1);
	CHECK_STR(n ? rows[0].name : NULL, "TestNew");
	store_flake_rows_free(rows, n);
	CHECK(store_flake_table(s, "acme/widgets", NULL, 5, NOW,
				STORE_FLAKE_ALL, &rows, &n, &err) == 0);
	f = find_row(rows, n, "TestFlaky");
	CHECK(n == 4 && f && f->runs == 1 && f->executions == 20 &&
	      f->failures == 0);
	/* First/last flaky are all-time, not windowed. */
	CHECK_STR(f ? f->first_flaky_commit : NULL, "aaa1111deadbeef");
	CHECK_STR(rows[0].name, "TestNew");
	store_flake_rows_free(rows, n);
	CHECK(store_run_count(s, "acme/widgets", NULL, 5, NOW, &runs, &infra,
			      &err) == 0);
	CHECK(runs == 2 && infra == 1);
	CHECK(store_run_count(s, "acme/widgets", "feature", 0, NOW, &runs,
			      NULL, &err) == 0);
	CHECK(runs == 1);

	/* Unknown repository / branch: no rows, no error. */
	CHECK(store_flake_table(s, "nobody/nothing", NULL, 30, NOW, 0, &rows, &n,
				&err) == 0);
	CHECK(n == 0);
	store_flake_rows_free(rows, n);
	CHECK(store_flake_table(s, "acme/widgets", "nope", 30, NOW, 0, &rows, &n,
				&err) == 0);
	CHECK(n == 0);
	store_flake_rows_free(rows, n);

	CHECK(store_latest_repo(s, &repo, &err) == 0);
	CHECK_STR(repo, "acme/widgets");
	free(repo);

	CHECK(store_set_results_json(s, id1, "{\"ok\":true}", &err) == 0);
	CHECK(sql_int(path, "SELECT length(d.doc) FROM run_docs d JOIN runs r "
		      "ON r.id = d.run_id WHERE r.run_key = 'key-1'") == 11);
	CHECK(store_set_results_json(s, 99999, "{}", &err) == -1);
	CHECK(strstr(err.msg, "no run 99999") != NULL);

	store_close(s);

	/* Reopen: everything is still there. */
	s = NULL;
	CHECK(store_open(&s, path, STORE_READONLY, &err) == 0);
	if (s)
		check_full_table(s, 30, 0);
	store_close(s);

	results_release(&r1);
	results_release(&r2);
	results_release(&r3);
	results_release(&ri);
}

static void test_infra_rules(void)
{
	struct results r;
	struct package *p;
	static const struct spec one_broken[] = {
		{ "TestOnly", 0, 0, 10, 0 },
	};
	static const struct spec mostly_ok[] = {
		{ "TestA", 0, 0, 10, 0 }, { "TestB", 0, 0, 10, 0 },
		{ "TestC", 0, 0, 10, 0 }, { "TestD", 0, 10, 0, 0 },
		{ "TestE", 0, 10, 0, 0 },
	};
	static const struct spec four_of_five[] = {
		{ "TestA", 0, 0, 10, 0 }, { "TestB", 0, 0, 10, 0 },
		{ "TestC", 0, 0, 10, 0 }, { "TestD", 0, 0, 10, 0 },
		{ "TestE", 0, 10, 0, 0 },
	};

	/* A tiny suite whose one test breaks is a break, not infra. */
	make_run(&r, &m1, one_broken, NSPEC(one_broken));
	CHECK(store_run_is_infra(&r) == 0);
	results_release(&r);
	/* 60% failed: not infra; 80%: infra. */
	make_run(&r, &m1, mostly_ok, NSPEC(mostly_ok));
	CHECK(store_run_is_infra(&r) == 0);
	results_release(&r);
	make_run(&r, &m1, four_of_five, NSPEC(four_of_five));
	CHECK(store_run_is_infra(&r) == 1);
	results_release(&r);

	/* A package that failed to build makes the run infra. */
	make_run(&r, &m1, mostly_ok, NSPEC(mostly_ok));
	p = results_package(&r, "example.com/widgets/broken", 1);
	p->status = PKG_BUILD_FAILED;
	CHECK(store_run_is_infra(&r) == 1);
	results_release(&r);
}

/*
 * The planner's priors (store_pkg_priors()): the package flaked lately,
 * and where.  TestFlaky failed once in the race cell (race, GOMAXPROCS=2)
 * of a run; TestBroken failed every execution in both cells of it (verdict
 * failed: a break, not a flake), so the default cell is not where the
 * package flakes.  An infra run and a run older than the window add
 * nothing.
 */
static void test_priors(void)
{
	static const struct spec flaky_in_race[] = {
		{ "TestFlaky", 0, 10, 0, 0 }, { "TestFlaky", 1, 9, 1, 0 },
		{ "TestBroken", 0, 0, 10, 0 }, { "TestBroken", 1, 0, 10, 0 },
	};
	static const struct spec flaky_in_default[] = {
		{ "TestFlaky", 0, 9, 1, 0 }, { "TestFlaky", 1, 10, 0, 0 },
	};
	static const struct meta_spec old = {
		"acme/widgets", "main", "eee5555deadbeef", "2024-04-01T10:00:00Z",
		NULL };
	char path[256];
	struct store *s = NULL;
	struct err err = ERR_INIT;
	struct results r;
	struct store_pkg_prior *v = NULL;
	size_t n = 0;
	long long id;

	tmp_path(path, sizeof(path), "priors.db");
	if (store_open(&s, path, 0, &err)) {
		fprintf(stderr, "store_open: %s\n", err.msg);
		CHECK(s != NULL);
		return;
	}
	/* Empty history: no priors. */
	CHECK(store_pkg_priors(s, 14, NOW, &v, &n, &err) == 0 && n == 0);
	store_pkg_priors_free(v, n);
	make_run(&r, &m1, flaky_in_race, NSPEC(flaky_in_race));
	CHECK(store_add_run(s, &r, NULL, &id, &err) == 0);
	results_release(&r);
	/* Failed in the default cell, but 39 days ago: outside 14 days. */
	make_run(&r, &old, flaky_in_default, NSPEC(flaky_in_default));
	CHECK(store_add_run(s, &r, NULL, &id, &err) == 0);
	results_release(&r);
	make_run(&r, &m_infra, run_infra, NSPEC(run_infra));
	CHECK(store_add_run(s, &r, NULL, &id, &err) == 0);
	results_release(&r);
	v = NULL;
	n = 0;
	CHECK(store_pkg_priors(s, 14, NOW, &v, &n, &err) == 0);
	CHECK(n == 1);
	if (n == 1) {
		CHECK(!strcmp(v[0].package, PKG));
		CHECK(v[0].flaky == 1);
		CHECK(v[0].ncells == 1);
		if (v[0].ncells == 1)
			CHECK(v[0].cells[0].race == 1 &&
			      v[0].cells[0].gomaxprocs == 2);
	}
	store_pkg_priors_free(v, n);
	/* The old run within a 60-day window: both cells, sorted. */
	v = NULL;
	n = 0;
	CHECK(store_pkg_priors(s, 60, NOW, &v, &n, &err) == 0);
	CHECK(n == 1 && v[0].ncells == 2);
	if (n == 1 && v[0].ncells == 2)
		CHECK(v[0].cells[0].race == 0 && v[0].cells[0].gomaxprocs == 0 &&
		      v[0].cells[1].race == 1 && v[0].cells[1].gomaxprocs == 2);
	store_pkg_priors_free(v, n);
	store_close(s);
}

/* Run keys from CI metadata make re-uploads idempotent; local keys differ. */
static void test_run_keys(void)
{
	static const struct meta_spec ci = {
		"acme/widgets", "main", "aaa1111", "2024-05-01T10:00:00Z",
		"4242" };
	static const struct meta_spec local = {
		NULL, NULL, NULL, NULL, NULL };
	struct results r, l;
	struct store *s = NULL;
	struct err err = ERR_INIT;
	long long a = 0, b = 0, c = 0, d = 0;
	char *k1, *k2;
	long runs = 0;

	make_run(&r, &ci, run1, NSPEC(run1));
	make_run(&l, &local, run1, NSPEC(run1));
	k1 = store_run_key(&r);
	CHECK_STR(k1, "acme/widgets/4242/1/test/");
	free(k1);
	k1 = store_run_key(&l);
	k2 = store_run_key(&l);
	CHECK(k1 && k2 && strcmp(k1, k2) != 0);
	CHECK(k1 && !strncmp(k1, "local/", 6));
	free(k1);
	free(k2);
	CHECK_STR(store_repo_name(&l), "local");
	free(l.meta.module);
	l.meta.module = xstrdup("example.com/widgets");
	CHECK_STR(store_repo_name(&l), "example.com/widgets");

	CHECK(store_open(&s, ":memory:", 0, &err) == 0);
	if (!s)
		goto out;
	CHECK(store_add_run(s, &r, NULL, &a, &err) == 0);
	CHECK(store_add_run(s, &r, NULL, &b, &err) == 0);
	CHECK(a == b && a > 0);
	CHECK(store_add_run(s, &l, NULL, &c, &err) == 0);
	CHECK(store_add_run(s, &l, NULL, &d, &err) == 0);
	CHECK(c != d && c > a);
	CHECK(store_run_count(s, NULL, NULL, 0, NOW, &runs, NULL, &err) == 0);
	CHECK(runs == 3);
	CHECK(store_run_count(s, "example.com/widgets", NULL, 0, NOW, &runs,
			      NULL, &err) == 0);
	CHECK(runs == 2);
	store_close(s);
out:
	results_release(&r);
	results_release(&l);
}

/* Runs ingested out of order still give the right first/last flaky. */
static void test_out_of_order(void)
{
	static const struct meta_spec early = {
		"acme/widgets", "main", "eee0000", "2024-04-20T10:00:00Z",
		NULL };
	static const struct meta_spec no_time = {
		"acme/widgets", "main", "fff0000", NULL, NULL };
	struct results r1, r0, rn;
	struct store *s = NULL;
	struct err err = ERR_INIT;
	struct flake_row *rows = NULL;
	size_t n = 0;
	const struct flake_row *f;
	long long id = 0;

	CHECK(store_open(&s, ":memory:", 0, &err) == 0);
	if (!s)
		return;
	make_run(&r1, &m1, run1, NSPEC(run1));
	make_run(&r0, &early, run1, NSPEC(run1));
	make_run(&rn, &no_time, run2, NSPEC(run2));
	CHECK(store_add_run(s, &r1, "k1", &id, &err) == 0);
	CHECK(store_add_run(s, &r0, "k0", &id, &err) == 0);
	CHECK(store_flake_table(s, "acme/widgets", "main", 0, NOW, 0, &rows, &n,
				&err) == 0);
	f = find_row(rows, n, "TestFlaky");
	CHECK_STR(f ? f->first_flaky_commit : NULL, "eee0000");
	CHECK_STR(f ? f->first_flaky_at : NULL, "2024-04-20T10:00:00Z");
	CHECK_STR(f ? f->last_flaky_commit : NULL, "aaa1111deadbeef");
	CHECK(f && f->runs == 2 && f->executions == 40 && f->failures == 2);
	store_flake_rows_free(rows, n);

	/* No start time: the recording time (now, the latest) is used. */
	CHECK(store_add_run(s, &rn, "kn", &id, &err) == 0);
	CHECK(store_flake_table(s, "acme/widgets", NULL, 0, NOW, 0, &rows, &n,
				&err) == 0);
	f = find_row(rows, n, "TestFlaky");
	CHECK_STR(f ? f->last_flaky_commit : NULL, "fff0000");
	CHECK_STR(f ? f->first_flaky_commit : NULL, "eee0000");
	store_flake_rows_free(rows, n);
	store_close(s);
	results_release(&r1);
	results_release(&r0);
	results_release(&rn);
}

/*
 * Processes opening one new database at once: each migration is applied
 * once, nobody sees a half-migrated file or a busy WAL switch, and their
 * runs all land.
 */
static void test_concurrent(void)
{
	enum { NPROC = 8, NRUNS = 3 };
	char path[256];
	pid_t pids[NPROC];
	struct store *s = NULL;
	struct err err = ERR_INIT;
	long runs = 0;
	int i, ok = 0;

	tmp_path(path, sizeof(path), "concurrent/history.db");
	fflush(NULL);
	for (i = 0; i < NPROC; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct results r;
			char key[32];
			int j, rc = 0;

			if (store_open(&s, path, 0, &err)) {
				fprintf(stderr, "child: %s\n", err.msg);
				_exit(1);
			}
			make_run(&r, &m1, run1, NSPEC(run1));
			for (j = 0; j < NRUNS; j++) {
				snprintf(key, sizeof(key), "p%d-%d", i, j);
				if (store_add_run(s, &r, key, NULL, &err)) {
					fprintf(stderr, "child: %s\n",
						err.msg);
					rc = 1;
				}
			}
			results_release(&r);
			store_close(s);
			_exit(rc);
		}
	}
	for (i = 0; i < NPROC; i++) {
		int status = 0;

		if (pids[i] > 0 && waitpid(pids[i], &status, 0) == pids[i] &&
		    WIFEXITED(status) && WEXITSTATUS(status) == 0)
			ok++;
	}
	CHECK(ok == NPROC);
	CHECK(store_open(&s, path, 0, &err) == 0);
	if (!s)
		return;
	CHECK(store_run_count(s, NULL, NULL, 0, NOW, &runs, NULL, &err) == 0);
	CHECK(runs == NPROC * NRUNS);
	store_close(s);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_store.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_open_migrate();
	test_open_errors();
	test_runs_and_rollups();
	test_infra_rules();
	test_priors();
	test_run_keys();
	test_out_of_order();
	test_concurrent();
	rm_rf(tmpdir);
	return check_done("test_store");
}
