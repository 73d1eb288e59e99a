/*
 * test_store_query.c: the reporter's side of the store -- run groups (two
 * shard uploads of one workflow run are one merged run), idempotency
 * keys, tokens, migration 1 -> 2 with the group backfill, and every
 * query of store_query.h checked against hand-computed numbers.
 */
#include "core/err.h"
#include "core/results.h"
#include "core/schema.h"
#include "core/stats.h"
#include "core/store.h"
#include "core/store_query.h"
#include "core/store_token.h"
#include "tests/unit/check.h"

#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NEAR(a, b) (fabs((a) - (b)) < 1e-5)
#define PKG "example.com/api/pool"
#define REPO "acme/api"

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

/* sqlite3 directly: one integer (-1 when no row or an error). */
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

/* One text value into out ("" when none). */
static void sql_text(const char *path, const char *sql, char *out,
		     size_t size)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	out[0] = '\0';
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) ==
	    SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, size, "%s",
			 (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static int sql_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;
	int rc = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_CREATE, NULL) == SQLITE_OK &&
	    sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		rc = 0;
	if (msg) {
		fprintf(stderr, "sql_exec: %s\n", msg);
		sqlite3_free(msg);
	}
	sqlite3_close(db);
	return rc;
}

/* One test's outcome in one cell; failures get a cause of kind/sig. */
struct spec {
	const char *name;
	int cell, passes, failures, skips;
	enum fail_kind kind;
	const char *sig;	/* NULL: "boom" */
};

struct meta_spec {
	const char *repo, *branch, *base, *commit, *started_at, *run_id;
	const char *shard;
	int pr;
};

/* Builds and finishes a run with cells "default" and "race". */
static void make_run(struct results *r, const struct meta_spec *m,
		     const struct spec *sp, size_t n)
{
	char n0[] = "default", n1[] = "race";
	struct cell c0, c1;
	size_t i;

	results_init(r);
	if (m->repo)
		r->meta.repository = xstrdup(m->repo);
	if (m->branch)
		r->meta.branch = xstrdup(m->branch);
	if (m->base)
		r->meta.base_branch = xstrdup(m->base);
	if (m->commit)
		r->meta.commit = xstrdup(m->commit);
	if (m->started_at)
		r->meta.started_at = xstrdup(m->started_at);
	if (m->shard)
		r->meta.shard = xstrdup(m->shard);
	r->meta.pr = m->pr;
	if (m->run_id) {
		r->meta.run_id = xstrdup(m->run_id);
		r->meta.run_attempt = 1;
		r->meta.job = xstrdup("test");
	}
	memset(&c0, 0, sizeof(c0));
	memset(&c1, 0, sizeof(c1));
	c0.name = n0;
	c0.count = 10;
	c0.wall_ms = 1000;
	c1.name = n1;
	c1.race = 1;
	c1.count = 10;
	c1.gomaxprocs = 2;
	c1.wall_ms = 1000;
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
			char file[] = "pool_test.go", msg[80], sig[64];
			char out[] = "--- FAIL\n";

			snprintf(sig, sizeof(sig), "%s",
				 sp[i].sig ? sp[i].sig : "boom");
			snprintf(msg, sizeof(msg), "msg: %s", sig);
			memset(&f, 0, sizeof(f));
			f.cell = sp[i].cell;
			f.kind = sp[i].kind;
			f.file = file;
			f.line = 12;
			f.message = msg;
			f.signature = sig;
			f.output = out;
			f.count = sp[i].failures;
			results_add_failure(t, &f);
		}
	}
	results_finish(r);
}

#define NSPEC(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The history of acme/api (cells default | race, -count=10; "p+f" is
 * passes + failures; all on main unless said):
 *
 * group run  upload  start (UTC)        tests
 * G0    90   U0      05-01 10:00  c0    Old 9+1|10 flaky, Flaky 10|10
 * G1    100  U1a 1/2 05-08 10:00  c1    Flaky 9+1|10 flaky, Stable 10|10
 *            U1b 2/2 05-08 10:05  c1    Broken 0+10|0+10 failed,
 *                                       Other 8+2|10 flaky, Skip skipped,
 *                                       Stable skipped (1 skip)
 * G2    101  U2      05-09 10:00  c2    Flaky 10|8+2 flaky (race: a race
 *                                       report), Broken, Other, Stable
 *                                       10|10
 * G3    102  U3      05-10 08:00  c3    feature, PR 7 onto main: Flaky
 *                                       10|10, New 9+1|10 flaky, Other
 *                                       9+1|10 flaky, Broken failed,
 *                                       Stable 10|10
 * G4    103  U4      05-10 09:00  c4    infra: 5 tests fail everything
 */
static const struct spec s_u0[] = {
	{ "TestOld", 0, 9, 1, 0, FAIL_ASSERT, NULL },
	{ "TestOld", 1, 10, 0, 0, FAIL_ASSERT, NULL },
	{ "TestFlaky", 0, 10, 0, 0, FAIL_ASSERT, NULL },
	{ "TestFlaky", 1, 10, 0, 0, FAIL_ASSERT, NULL },
};
static const struct spec s_u1a[] = {
	{ "TestFlaky", 0, 9, 1, 0, FAIL_ASSERT, NULL },
	{ "TestFlaky", 1, 10, 0, 0, FAIL_ASSERT, NULL },
	{ "TestStable", 0, 10, 0, 0, FAIL_ASSERT, NULL },
	{ "TestStable", 1, 10, 0, 0, FAIL_ASSERT, NULL },
};
static const struct spec s_u1b[] = {
	{ "TestBroken", 0, 0, 10, 0, FAIL_ASSERT, "broken" },
	{ "TestBroken", 1, 0, 10, 0, FAIL_ASSERT, "broken" },
	{ "TestOther", 0, 8, 2, 0, FAIL_ASSERT, NULL },
	{ "TestOther", 1, 10, 0, 0, FAIL_ASSERT, NULL },
	{ "TestSkip", 0, 0, 0, 1, FAIL_ASSERT, NULL },
	{ "TestStable", 0, 0, 0, 1, FAIL_ASSERT, NULL },
};
static const struct spec s_u2[] = {
	{ "TestFlaky", 0, 10, 0, 0, FAIL_ASSERT, NULL },
	{ "TestFlaky", 1, 8, 2, 0, FAIL_RACE, "race: pool.Get" },
	{ "TestBroken", 0, 10, 0, 0, FAIL_ASSERT, NULL },
	{ "TestBroken", 1, 10, 0, 0, FAIL_ASSERT, NULL },
	{ "TestOther", 0, 10, 0, 0, FAIL_ASSERT, NULL },
	{ "TestOther", 1, 10, 0, 0, FAIL_ASSERT, NULL },
	{ "TestStable", 0, 10, 0, 0, FAIL_ASSERT, NULL },
	{ "TestStable", 1, 10, 0, 0, FAIL_ASSERT, NULL },
};
static const struct spec s_u3[] = {
	{ "TestFlaky", 0, 10, 0, 0, FAIL_ASSERT, NULL },
	{ "TestFlaky", 1, 10, 0, 0, FAIL_ASSERT, NULL },
	{ "TestNew", 0, 9, 1, 0, FAIL_ASSERT, NULL },
	{ "TestNew", 1, 10, 0, 0, FAIL_ASSERT, NULL },
	{ "TestOther", 0, 9, 1, 0, FAIL_ASSERT, NULL },
	{ "TestOther", 1, 10, 0, 0, FAIL_ASSERT, NULL },
	{ "TestBroken", 0, 0, 10, 0, FAIL_ASSERT, "broken" },
	{ "TestStable", 0, 10, 0, 0, FAIL_ASSERT, NULL },
	{ "TestStable", 1, 10, 0, 0, FAIL_ASSERT, NULL },
};
static const struct spec s_u4[] = {
	{ "TestFlaky", 0, 0, 10, 0, FAIL_ASSERT, NULL },
	{ "TestBroken", 0, 0, 10, 0, FAIL_ASSERT, NULL },
	{ "TestOther", 0, 0, 10, 0, FAIL_ASSERT, NULL },
	{ "TestStable", 0, 0, 10, 0, FAIL_ASSERT, NULL },
	{ "TestNew", 0, 0, 10, 0, FAIL_ASSERT, NULL },
};

static const struct meta_spec m_u0 = {
	REPO, "main", NULL, "c0", "2024-05-01T10:00:00Z", "90", NULL, 0 };
static const struct meta_spec m_u1a = {
	REPO, "main", NULL, "c1", "2024-05-08T10:00:00Z", "100", "1/2", 0 };
static const struct meta_spec m_u1b = {
	REPO, "main", NULL, "c1", "2024-05-08T10:05:00Z", "100", "2/2", 0 };
static const struct meta_spec m_u2 = {
	REPO, "main", NULL, "c2", "2024-05-09T10:00:00Z", "101", NULL, 0 };
static const struct meta_spec m_u3 = {
	REPO, "feature", "main", "c3", "2024-05-10T08:00:00Z", "102", NULL,
	7 };
static const struct meta_spec m_u4 = {
	REPO, "main", NULL, "c4", "2024-05-10T09:00:00Z", "103", NULL, 0 };

struct world {
	char path[256];
	struct store *s;
	struct results u0, u1a, u1b, u2, u3, u4;
	struct store_added a0, a1a, a1b, a2, a3, a4;
};

static int add(struct store *s, const struct results *r, const char *idem,
	       struct store_added *out)
{
	struct store_add_opts o = STORE_ADD_OPTS_INIT;
	struct err err = ERR_INIT;
	int rc;

	o.idem_key = idem;
	rc = store_add_run_ex(s, r, &o, out, &err);
	if (rc)
		fprintf(stderr, "store_add_run_ex: %s\n", err.msg);
	return rc;
}

static int world_build(struct world *w)
{
	struct err err = ERR_INIT;

	tmp_path(w->path, sizeof(w->path), "reporter.db");
	if (store_open(&w->s, w->path, 0, &err)) {
		fprintf(stderr, "store_open: %s\n", err.msg);
		return -1;
	}
	make_run(&w->u0, &m_u0, s_u0, NSPEC(s_u0));
	make_run(&w->u1a, &m_u1a, s_u1a, NSPEC(s_u1a));
	make_run(&w->u1b, &m_u1b, s_u1b, NSPEC(s_u1b));
	make_run(&w->u2, &m_u2, s_u2, NSPEC(s_u2));
	make_run(&w->u3, &m_u3, s_u3, NSPEC(s_u3));
	make_run(&w->u4, &m_u4, s_u4, NSPEC(s_u4));
	CHECK(!store_run_is_infra(&w->u1b));
	CHECK(store_run_is_infra(&w->u4));
	CHECK(add(w->s, &w->u0, NULL, &w->a0) == 0);
	CHECK(add(w->s, &w->u1a, NULL, &w->a1a) == 0);
	CHECK(add(w->s, &w->u1b, NULL, &w->a1b) == 0);
	CHECK(add(w->s, &w->u2, "idem-2", &w->a2) == 0);
	CHECK(add(w->s, &w->u3, NULL, &w->a3) == 0);
	CHECK(add(w->s, &w->u4, NULL, &w->a4) == 0);
	return 0;
}

static void world_free(struct world *w)
{
	store_close(w->s);
	results_release(&w->u0);
	results_release(&w->u1a);
	results_release(&w->u1b);
	results_release(&w->u2);
	results_release(&w->u3);
	results_release(&w->u4);
}

/* The element of array a whose string key k is v, or NULL. */
static json_t *find_by(json_t *a, const char *k, const char *v)
{
	size_t i;
	json_t *e;

	json_array_foreach(a, i, e) {
		const char *s = json_string_value(json_object_get(e, k));

		if (s && !strcmp(s, v))
			return e;
	}
	return NULL;
}

static long long geti(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static double getr(json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

static const char *gets_(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The groups: two shards are one, every upload has its group. */
static void test_groups(struct world *w)
{
	struct store_added dup;
	struct results local;
	static const struct meta_spec m_local = {
		REPO, "main", NULL, "c9", "2024-05-10T10:00:00Z", NULL, NULL,
		0 };
	static const struct meta_spec m_other = {
		"other/repo", "main", NULL, "x1", "2024-05-10T10:00:00Z", NULL,
		NULL, 0 };
	char txt[128];

	CHECK(w->a1a.group_id == w->a1b.group_id);
	CHECK(w->a1a.run_id != w->a1b.run_id);
	CHECK(w->a0.group_id < w->a1a.group_id);
	CHECK(w->a1a.group_id < w->a2.group_id);
	CHECK(w->a2.group_id < w->a3.group_id &&
	      w->a3.group_id < w->a4.group_id);
	CHECK(!w->a1a.duplicate && !w->a1b.duplicate && !w->a4.duplicate);
	CHECK(w->a4.infra == 1 && w->a3.infra == 0);
	CHECK(sql_int(w->path, "SELECT count(*) FROM run_groups") == 5);
	CHECK(sql_int(w->path, "SELECT count(*) FROM runs") == 6);
	CHECK(sql_int(w->path, "SELECT count(*) FROM runs WHERE group_id IS "
		      "NULL") == 0);
	sql_text(w->path, "SELECT group_key FROM run_groups WHERE uploads = 2",
		 txt, sizeof(txt));
	CHECK_STR(txt, "acme/api/100/1");
	/* Merged G1: 5 distinct tests; Stable passed + skipped = passed. */
	CHECK(sql_int(w->path, "SELECT tests * 10000 + n_failed * 1000 + "
		      "n_flaky * 100 + n_passed * 10 + n_skipped FROM "
		      "run_groups WHERE uploads = 2") == 51211);
	sql_text(w->path, "SELECT started_at FROM run_groups WHERE uploads = 2",
		 txt, sizeof(txt));
	CHECK_STR(txt, "2024-05-08T10:00:00Z");

	/* The same upload again: duplicate, nothing written. */
	CHECK(add(w->s, &w->u1b, NULL, &dup) == 0);
	CHECK(dup.duplicate == 1 && dup.run_id == w->a1b.run_id &&
	      dup.group_id == w->a1b.group_id && dup.infra == 0);
	CHECK(add(w->s, &w->u4, "new-key", &dup) == 0);
	CHECK(dup.duplicate == 1 && dup.run_id == w->a4.run_id &&
	      dup.infra == 1);
	/* Another upload (a new run key) with a used Idempotency-Key. */
	make_run(&local, &m_local, s_u3, NSPEC(s_u3));
	CHECK(add(w->s, &local, "idem-2", &dup) == 0);
	CHECK(dup.duplicate == 1 && dup.run_id == w->a2.run_id &&
	      dup.group_id == w->a2.group_id);
	CHECK(sql_int(w->path, "SELECT count(*) FROM runs") == 6);
	CHECK(sql_int(w->path, "SELECT uploads FROM run_groups WHERE id = "
		      "(SELECT group_id FROM runs WHERE idem_key = 'idem-2')")
	      == 1);
	results_release(&local);
	/* The key is per repository: other/repo may use it too. */
	make_run(&local, &m_other, s_u3, NSPEC(s_u3));
	CHECK(add(w->s, &local, "idem-2", &dup) == 0);
	CHECK(dup.duplicate == 0 && dup.run_id > w->a4.run_id);
	CHECK(sql_int(w->path, "SELECT count(*) FROM runs") == 7);
	results_release(&local);
}

static void check_row(json_t *t, long long runs, long long execs,
		      long long fails, long long flaky, long long failed,
		      double rate, double lo, double hi)
{
	char want[STATS_RATE_MAX];

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK(geti(t, "runs") == runs);
	CHECK(geti(t, "executions") == execs);
	CHECK(geti(t, "failures") == fails);
	CHECK(geti(t, "flaky_runs") == flaky);
	CHECK(geti(t, "failed_runs") == failed);
	CHECK(NEAR(getr(t, "rate"), rate));
	CHECK(NEAR(getr(t, "rate_lo"), lo));
	CHECK(NEAR(getr(t, "rate_hi"), hi));
	CHECK(stats_format_rate(want, sizeof(want), (long)fails,
				(long)execs) == 0);
	CHECK_STR(gets_(t, "rate_text"), want);
	CHECK(geti(t, "id") > 0);
	CHECK_STR(gets_(t, "package"), PKG);
}

/*
 * The flake table over 30 days, all branches (uploads U0-U3; U4 is
 * infra; "runs" per test count uploads, executions only the runs where
 * the test passed or was flaky):
 *   Other:  U1b 8+2|10, U2 20, U3 9+1|10 -> runs 3, 60 executions,
 *           3 failures, flaky 2: 5%, Wilson(3, 60) = [0.017150, 0.137005]
 *   New:    U3 9+1|10 -> 1/20 = 5%, Wilson(1, 20) = [0.008881, 0.236131]
 *   Old:    U0 9+1|10 -> 1/20, the same
 *   Flaky:  U0 20, U1a 9+1|10, U2 10|8+2, U3 20 -> runs 4, 3/80 = 3.75%,
 *           Wilson(3, 80) = [0.012835, 0.104547]
 *   Broken: U1b failed, U2 20, U3 failed -> runs 3, failed 2, 0/20
 *           (Wilson(0, 20) = [0, 0.161125])
 * Sorted by rate, then failures, then name: Other, New, Old, Flaky,
 * Broken.  Stable (never failed) only with all=1.
 */
static void test_q_tests(struct world *w)
{
	struct err err = ERR_INIT;
	json_t *j, *tests, *t;

	j = store_q_tests(w->s, REPO, NULL, 30, NOW, 0, &err);
	CHECK(j != NULL);
	if (!j) {
		fprintf(stderr, "store_q_tests: %s\n", err.msg);
		return;
	}
	CHECK_STR(gets_(j, "repository"), REPO);
	CHECK(geti(j, "window_days") == 30);
	CHECK(json_is_null(json_object_get(j, "branch")));
	/* Groups G0-G4, G4 infra. */
	CHECK(geti(j, "runs") == 5 && geti(j, "infra_runs") == 1);
	tests = json_object_get(j, "tests");
	CHECK(json_array_size(tests) == 5);
	CHECK_STR(gets_(json_array_get(tests, 0), "name"), "TestOther");
	CHECK_STR(gets_(json_array_get(tests, 1), "name"), "TestNew");
	CHECK_STR(gets_(json_array_get(tests, 2), "name"), "TestOld");
	CHECK_STR(gets_(json_array_get(tests, 3), "name"), "TestFlaky");
	CHECK_STR(gets_(json_array_get(tests, 4), "name"), "TestBroken");
	check_row(find_by(tests, "name", "TestOther"), 3, 60, 3, 2, 0, 0.05,
		  0.017150, 0.137005);
	check_row(find_by(tests, "name", "TestNew"), 1, 20, 1, 1, 0, 0.05,
		  0.008881, 0.236131);
	check_row(find_by(tests, "name", "TestFlaky"), 4, 80, 3, 2, 0,
		  0.0375, 0.012835, 0.104547);
	check_row(find_by(tests, "name", "TestBroken"), 3, 20, 0, 0, 2, 0.0,
		  0.0, 0.161125);
	t = find_by(tests, "name", "TestOther");
	CHECK_STR(gets_(t, "rate_text"), "5.0% (95% CI 1.7–13.7%)");
	CHECK_STR(gets_(json_object_get(t, "first_flaky"), "commit"), "c1");
	CHECK_STR(gets_(json_object_get(t, "first_flaky"), "at"),
		  "2024-05-08T10:05:00Z");
	CHECK_STR(gets_(json_object_get(t, "last_flaky"), "commit"), "c3");
	t = find_by(tests, "name", "TestBroken");
	CHECK(json_is_null(json_object_get(t, "first_flaky")));
	CHECK(json_is_null(json_object_get(t, "last_flaky")));
	CHECK_STR(gets_(t, "rate_text"), "0/20 ⇒ p < 15.0%");
	json_decref(j);

	/* all=1 adds Stable: U1a, U2, U3 20 each (skipped in U1b: not a
	 * rollup run), no failure. */
	j = store_q_tests(w->s, REPO, NULL, 30, NOW, 1, &err);
	tests = json_object_get(j, "tests");
	CHECK(json_array_size(tests) == 6);
	t = find_by(tests, "name", "TestStable");
	CHECK(t && geti(t, "runs") == 3 && geti(t, "executions") == 60 &&
	      geti(t, "failures") == 0);
	json_decref(j);

	/*
	 * main only (U0, U1a, U1b, U2): Flaky 3/60 (Wilson(3, 60) as
	 * above), Other 2/40 = 5%, Wilson(2, 40) = [0.013821, 0.165039];
	 * New never ran there.  Groups on main: G0, G1, G2, G4.
	 */
	j = store_q_tests(w->s, REPO, "main", 30, NOW, 0, &err);
	CHECK(j && geti(j, "runs") == 4 && geti(j, "infra_runs") == 1);
	CHECK_STR(gets_(j, "branch"), "main");
	tests = json_object_get(j, "tests");
	CHECK(json_array_size(tests) == 4);
	check_row(find_by(tests, "name", "TestFlaky"), 3, 60, 3, 2, 0, 0.05,
		  0.017150, 0.137005);
	check_row(find_by(tests, "name", "TestOther"), 2, 40, 2, 1, 0, 0.05,
		  0.013821, 0.165039);
	CHECK(find_by(tests, "name", "TestNew") == NULL);
	json_decref(j);

	/* 7 days (05-04..05-10): G0 and Old drop out. */
	j = store_q_tests(w->s, REPO, NULL, 7, NOW, 0, &err);
	CHECK(j && geti(j, "runs") == 4);
	tests = json_object_get(j, "tests");
	CHECK(json_array_size(tests) == 4);
	CHECK(find_by(tests, "name", "TestOld") == NULL);
	/* Flaky: U1a, U2, U3 = 3/60. */
	check_row(find_by(tests, "name", "TestFlaky"), 3, 60, 3, 2, 0, 0.05,
		  0.017150, 0.137005);
	json_decref(j);

	/* Unknown repository: NULL, "no such". */
	err.msg[0] = '\0';
	j = store_q_tests(w->s, "nobody/none", NULL, 30, NOW, 0, &err);
	CHECK(j == NULL && store_q_not_found(&err));
	CHECK(strstr(err.msg, "nobody/none") != NULL);
}

/* The test id of name, from the flake table. */
static long long test_id_of(struct world *w, const char *repo,
			    const char *name)
{
	struct err err = ERR_INIT;
	json_t *j = store_q_tests(w->s, repo, NULL, 0, NOW, 1, &err);
	json_t *t = j ? find_by(json_object_get(j, "tests"), "name", name) :
		    NULL;
	long long id = t ? geti(t, "id") : 0;

	json_decref(j);
	return id;
}

/*
 * TestFlaky over 7 days (05-04..05-10), the uploads U1a, U2, U3:
 *   daily: 05-08 20 executions 1 failure (flaky), 05-09 20/2 (flaky),
 *          05-10 20/0; the other four days zeros.
 *   cells: race 10 + 8+2 + 10 = 30 executions, 2 failures; default
 *          9+1 + 10 + 10 = 30, 1 -- 60/3 in all, the row's numbers.
 *   signatures: "race: pool.Get" (race, 2) then "boom" (fail, 1); the
 *          infra upload's 10 "boom"s do not count.
 *   recent runs (any time, newest first): G4 failed (infra), G3
 *          passed, G2 flaky, G1 flaky, G0 passed.
 */
static void test_q_test(struct world *w)
{
	struct err err = ERR_INIT;
	long long id = test_id_of(w, REPO, "TestFlaky");
	long long other = test_id_of(w, "other/repo", "TestNew");
	json_t *j, *a, *e;
	size_t i;
	long long execs = 0, fails = 0;

	CHECK(id > 0 && other > 0);
	j = store_q_test(w->s, REPO, id, NULL, 7, NOW, &err);
	CHECK(j != NULL);
	if (!j) {
		fprintf(stderr, "store_q_test: %s\n", err.msg);
		return;
	}
	CHECK(geti(j, "id") == id);
	CHECK_STR(gets_(j, "name"), "TestFlaky");
	check_row(j, 3, 60, 3, 2, 0, 0.05, 0.017150, 0.137005);
	CHECK(geti(j, "window_days") == 7);

	a = json_object_get(j, "daily");
	CHECK(json_array_size(a) == 7);
	CHECK_STR(gets_(json_array_get(a, 0), "day"), "2024-05-04");
	CHECK_STR(gets_(json_array_get(a, 6), "day"), "2024-05-10");
	e = find_by(a, "day", "2024-05-08");
	CHECK(e && geti(e, "executions") == 20 && geti(e, "failures") == 1 &&
	      geti(e, "runs") == 1 && geti(e, "flaky_runs") == 1);
	e = find_by(a, "day", "2024-05-09");
	CHECK(e && geti(e, "executions") == 20 && geti(e, "failures") == 2);
	e = find_by(a, "day", "2024-05-10");
	CHECK(e && geti(e, "executions") == 20 && geti(e, "failures") == 0 &&
	      geti(e, "flaky_runs") == 0);
	e = find_by(a, "day", "2024-05-05");
	CHECK(e && geti(e, "executions") == 0 && geti(e, "runs") == 0);

	a = json_object_get(j, "cells");
	CHECK(json_array_size(a) == 2);
	CHECK_STR(gets_(json_array_get(a, 0), "cell"), "race");
	e = find_by(a, "cell", "race");
	CHECK(e && geti(e, "executions") == 30 && geti(e, "failures") == 2);
	e = find_by(a, "cell", "default");
	CHECK(e && geti(e, "executions") == 30 && geti(e, "failures") == 1);
	json_array_foreach(a, i, e) {
		execs += geti(e, "executions");
		fails += geti(e, "failures");
	}
	CHECK(execs == geti(j, "executions") && fails == geti(j, "failures"));

	a = json_object_get(j, "signatures");
	CHECK(json_array_size(a) == 2);
	e = json_array_get(a, 0);
	CHECK_STR(gets_(e, "signature"), "race: pool.Get");
	CHECK_STR(gets_(e, "kind"), "race");
	CHECK(geti(e, "count") == 2 && geti(e, "line") == 12);
	CHECK_STR(gets_(e, "file"), "pool_test.go");
	CHECK_STR(gets_(e, "sample"), "msg: race: pool.Get");
	CHECK_STR(gets_(e, "output"), "--- FAIL\n");
	e = json_array_get(a, 1);
	CHECK_STR(gets_(e, "signature"), "boom");
	CHECK(geti(e, "count") == 1);

	a = json_object_get(j, "recent_runs");
	CHECK(json_array_size(a) == 5);
	e = json_array_get(a, 0);
	CHECK(geti(e, "run_id") == w->a4.group_id);
	CHECK_STR(gets_(e, "status"), "failed");
	CHECK(json_is_true(json_object_get(e, "infra")));
	e = json_array_get(a, 1);
	CHECK(geti(e, "run_id") == w->a3.group_id);
	CHECK_STR(gets_(e, "status"), "passed");
	CHECK_STR(gets_(e, "branch"), "feature");
	CHECK(geti(e, "pr") == 7);
	CHECK_STR(gets_(e, "at"), "2024-05-10T08:00:00Z");
	CHECK_STR(gets_(json_array_get(a, 2), "status"), "flaky");
	e = json_array_get(a, 3);
	CHECK(geti(e, "run_id") == w->a1a.group_id);
	CHECK_STR(gets_(e, "status"), "flaky");
	CHECK_STR(gets_(e, "commit"), "c1");
	CHECK(json_is_null(json_object_get(e, "pr")));
	CHECK_STR(gets_(json_array_get(a, 4), "status"), "passed");

	/* The rates of the comment and `history` are the test page's. */
	{
		struct flake_row f;
		struct q_rates q, h;
		json_t *c = json_object_get(j, "rate_clustered");
		char text[STORE_Q_RATES_TEXT_MAX];

		CHECK(store_flake_test(w->s, REPO, id, NULL, 7, NOW, &f,
				       &err) == 0);
		CHECK(store_q_rates_read(w->s, &f, NULL, 7, NOW, &q,
					 &err) == 0);
		CHECK(q.runs == 3 && q.runs_failing == 2 && q.consistent == 0);
		CHECK(q.has_cluster && q.cluster_runs ==
		      json_integer_value(json_object_get(c, "uploads")));
		CHECK(fabs(q.clo - json_real_value(json_object_get(c, "lo")))
		      < 1e-12);
		CHECK(fabs(q.chi - json_real_value(json_object_get(c, "hi")))
		      < 1e-12);
		CHECK_STR(q.condition, gets_(j, "condition"));
		/* "default" (a cell without a name) is no known condition:
		 * only the race cell's 30 executions are compared. */
		CHECK_STR(q.condition, "no condition stands out (n = 30)");
		store_q_rates_text(&q, text, sizeof(text));
		CHECK(strncmp(text, "failed in 2 of 3 runs (66.7%); 95% CI "
			      "clustered by run ", 50) == 0);
		CHECK(strstr(text, "%; no condition stands out (n = 30)") !=
		      NULL);
		store_flake_row_release(&f);

		/* The matrix's cell names. */
		{
			int race = -1, procs = -1;

			CHECK(store_cell_parse("race GOMAXPROCS=4 shuffle "
					       "stress=2", &race, &procs) == 0 &&
			      race == 1 && procs == 4);
			CHECK(store_cell_parse("GOMAXPROCS=1 parallel=1", &race,
					       &procs) == 0 && race == 0 &&
			      procs == 1);
			CHECK(store_cell_parse("shuffle", &race, &procs) == 0 &&
			      race == 0 && procs == 0);
			CHECK(store_cell_parse("default", &race, &procs) == -1);
			CHECK(store_cell_parse("race race", &race, &procs) == -1);
			CHECK(store_cell_parse("GOMAXPROCS=0", &race, &procs) == -1);
			CHECK(store_cell_parse("stress=x", &race, &procs) == -1);
		}

		/* By hand: every part, and none. */
		memset(&h, 0, sizeof(h));
		store_q_rates_text(&h, text, sizeof(text));
		CHECK_STR(text, "");
		h.runs = 10;
		h.runs_failing = 3;
		h.consistent = 1;
		h.has_cluster = 1;
		h.cluster_runs = 10;
		h.clo = 0.02;
		h.chi = 0.35;
		snprintf(h.condition, sizeof(h.condition), "only under -race "
			 "(p = 0.029; 5/9 vs 0/9)");
		store_q_rates_text(&h, text, sizeof(text));
		CHECK_STR(text, "failed in 3 of 10 runs (30.0%), 1 of them "
			  "every execution; 95% CI clustered by run "
			  "2.0–35.0%; only under -race (p = 0.029; 5/9 vs "
			  "0/9)");
	}
	json_decref(j);

	/* Stable over 30 days: one merged G1 entry, passed (over skipped). */
	id = test_id_of(w, REPO, "TestStable");
	j = store_q_test(w->s, REPO, id, "main", 30, NOW, &err);
	CHECK(j != NULL);
	a = json_object_get(j, "recent_runs");
	/* main: G4, G2, G1 (G3 is on feature). */
	CHECK(json_array_size(a) == 3);
	e = json_array_get(a, 2);
	CHECK(e && geti(e, "run_id") == w->a1a.group_id);
	CHECK_STR(gets_(e, "status"), "passed");
	CHECK(json_array_size(json_object_get(j, "daily")) == 30);
	CHECK(json_array_size(json_object_get(j, "signatures")) == 0);
	json_decref(j);

	/* A test of another repository, an unknown id: 404s. */
	err.msg[0] = '\0';
	j = store_q_test(w->s, REPO, other, NULL, 7, NOW, &err);
	CHECK(j == NULL && store_q_not_found(&err));
	CHECK(strstr(err.msg, "no such test") != NULL);
	j = store_q_test(w->s, REPO, 999999, NULL, 7, NOW, &err);
	CHECK(j == NULL && store_q_not_found(&err));

	/* All time: from the first rollup day (05-01) to today. */
	id = test_id_of(w, REPO, "TestOld");
	j = store_q_test(w->s, REPO, id, NULL, 0, NOW, &err);
	a = json_object_get(j, "daily");
	CHECK(json_array_size(a) == 10);
	CHECK_STR(gets_(json_array_get(a, 0), "day"), "2024-05-01");
	CHECK(geti(json_array_get(a, 0), "failures") == 1);
	json_decref(j);
}

/* Newest first, paged by "before". */
static void test_q_runs(struct world *w)
{
	struct err err = ERR_INIT;
	json_t *j, *a, *e, *t;

	j = store_q_runs(w->s, REPO, 2, 0, &err);
	CHECK(j != NULL);
	if (!j) {
		fprintf(stderr, "store_q_runs: %s\n", err.msg);
		return;
	}
	a = json_object_get(j, "runs");
	CHECK(json_array_size(a) == 2);
	CHECK(geti(json_array_get(a, 0), "run_id") == w->a4.group_id);
	CHECK(json_is_true(json_object_get(json_array_get(a, 0), "infra")));
	e = json_array_get(a, 1);
	CHECK(geti(e, "run_id") == w->a3.group_id);
	CHECK(geti(e, "pr") == 7);
	CHECK_STR(gets_(e, "base_branch"), "main");
	CHECK_STR(gets_(e, "gh_run_id"), "102");
	CHECK(geti(j, "next_before") == w->a3.group_id);
	json_decref(j);

	j = store_q_runs(w->s, REPO, 2, w->a3.group_id, &err);
	a = json_object_get(j, "runs");
	CHECK(json_array_size(a) == 2);
	CHECK(geti(json_array_get(a, 0), "run_id") == w->a2.group_id);
	e = json_array_get(a, 1);
	CHECK(geti(e, "run_id") == w->a1a.group_id);
	CHECK(geti(e, "uploads") == 2);
	CHECK_STR(gets_(e, "started_at"), "2024-05-08T10:00:00Z");
	CHECK_STR(gets_(e, "commit"), "c1");
	t = json_object_get(e, "totals");
	CHECK(geti(t, "tests") == 5 && geti(t, "failed") == 1 &&
	      geti(t, "flaky") == 2 && geti(t, "passed") == 1 &&
	      geti(t, "skipped") == 1 && geti(t, "notrun") == 0);
	json_decref(j);

	j = store_q_runs(w->s, REPO, 2, w->a1a.group_id, &err);
	a = json_object_get(j, "runs");
	CHECK(json_array_size(a) == 1);
	CHECK(json_is_null(json_object_get(j, "next_before")));
	json_decref(j);

	/* Default limit; unknown repository. */
	j = store_q_runs(w->s, REPO, 0, 0, &err);
	CHECK(json_array_size(json_object_get(j, "runs")) == 5);
	json_decref(j);
	j = store_q_runs(w->s, "nobody/none", 10, 0, &err);
	CHECK(j == NULL && store_q_not_found(&err));
}

/*
 * The merged G1: uploads U1a and U1b, cells default and race (1000 ms
 * each in both: 2000 merged), and the verdict table in the document's
 * order -- Broken (failed), Flaky and Other (flaky), Stable (passed: 20
 * passes in U1a, 1 skip in U1b), Skip (skipped).
 */
/*
 * The run endpoint's streamed text is the tree's text, page by page, and
 * a reply buffer too small for it is an error, never a cut document.
 */
static void test_q_run_write(struct world *w)
{
	struct err err = ERR_INIT;
	long long cursor = 0, limits[] = { 2, 1000 };
	size_t k;
	int pages = 0;

	for (k = 0; k < 2; k++) {
		cursor = 0;
		pages = 0;
		do {
			struct buf b = BUF_INIT(1u << 20);
			json_t *j = store_q_run_page(w->s, w->a1a.group_id, 0,
						     cursor, limits[k], &err);
			char *t = j ? json_dumps(j, JSON_COMPACT |
						 JSON_PRESERVE_ORDER) : NULL;
			json_t *next = json_object_get(json_object_get(j, "page"),
						       "next");

			CHECK(store_q_run_page_write(w->s, w->a1a.group_id, 0,
						     cursor, limits[k], &b,
						     &err) == 0);
			CHECK(t && b.len == strlen(t) + 1 &&
			      !strncmp(b.data, t, strlen(t)) &&
			      b.data[b.len - 1] == '\n');
			cursor = json_is_integer(next) ?
				 (long long)json_integer_value(next) : 0;
			pages++;
			free(t);
			json_decref(j);
			buf_release(&b);
		} while (cursor && pages < 10);
		/* 5 tests: 3 pages of 2, 1 page of 1000. */
		CHECK(pages == (k ? 1 : 3));
	}
	{
		struct buf b = BUF_INIT(300);

		CHECK(store_q_run_page_write(w->s, w->a1a.group_id, 0, 0, 1000,
					     &b, &err) == -2);
		CHECK(strstr(err.msg, "larger than 300 bytes") != NULL);
		buf_release(&b);
		CHECK(store_q_run_page_write(w->s, 999999, 0, 0, 10, &b,
					     &err) == -1 &&
		      store_q_not_found(&err));
		buf_release(&b);
	}
}

static void test_q_run(struct world *w)
{
	struct err err = ERR_INIT;
	json_t *j, *a, *t, *c;

	j = store_q_run(w->s, w->a1a.group_id, &err);
	CHECK(j != NULL);
	if (!j) {
		fprintf(stderr, "store_q_run: %s\n", err.msg);
		return;
	}
	CHECK(geti(j, "run_id") == w->a1a.group_id);
	CHECK_STR(gets_(j, "repository"), REPO);
	CHECK_STR(gets_(j, "commit"), "c1");
	CHECK_STR(gets_(j, "gh_run_id"), "100");
	CHECK(geti(j, "run_attempt") == 1);
	CHECK(json_is_false(json_object_get(j, "infra")));
	t = json_object_get(j, "totals");
	/* executions: 20 + 20 (U1a), 20 + 20 + 1 + 1 (U1b) */
	CHECK(geti(t, "tests") == 5 && geti(t, "executions") == 82);
	a = json_object_get(j, "uploads");
	CHECK(json_array_size(a) == 2);
	CHECK(geti(json_array_get(a, 0), "upload_id") == w->a1a.run_id);
	CHECK_STR(gets_(json_array_get(a, 1), "shard"), "2/2");
	CHECK_STR(gets_(json_array_get(a, 1), "job"), "test");
	a = json_object_get(j, "cells");
	CHECK(json_array_size(a) == 2);
	c = find_by(a, "name", "race");
	CHECK(c && geti(c, "wall_ms") == 2000 && geti(c, "gomaxprocs") == 2 &&
	      json_is_true(json_object_get(c, "race")));
	c = find_by(a, "name", "default");
	CHECK(c && json_is_false(json_object_get(c, "race")) &&
	      json_is_null(json_object_get(c, "gomaxprocs")));

	a = json_object_get(j, "tests");
	CHECK(json_array_size(a) == 5);
	CHECK_STR(gets_(json_array_get(a, 0), "name"), "TestBroken");
	CHECK_STR(gets_(json_array_get(a, 1), "name"), "TestFlaky");
	CHECK_STR(gets_(json_array_get(a, 2), "name"), "TestOther");
	CHECK_STR(gets_(json_array_get(a, 3), "name"), "TestStable");
	CHECK_STR(gets_(json_array_get(a, 4), "name"), "TestSkip");
	t = find_by(a, "name", "TestStable");
	CHECK_STR(gets_(t, "status"), "passed");
	CHECK(geti(t, "passes") == 20 && geti(t, "skips") == 1 &&
	      geti(t, "executions") == 21);
	c = find_by(json_object_get(t, "cells"), "cell", "default");
	CHECK(c && geti(c, "passes") == 10 && geti(c, "skips") == 1);
	CHECK_STR(c ? gets_(c, "status") : NULL, "passed");
	CHECK(json_array_size(json_object_get(t, "failure_details")) == 0);
	CHECK(json_is_null(json_object_get(t, "worst_cell")));
	t = find_by(a, "name", "TestOther");
	CHECK_STR(gets_(t, "status"), "flaky");
	CHECK_STR(gets_(t, "worst_cell"), "default");
	CHECK(geti(t, "failures") == 2 && geti(t, "passes") == 18);
	c = json_array_get(json_object_get(t, "failure_details"), 0);
	CHECK(json_array_size(json_object_get(t, "failure_details")) == 1);
	CHECK_STR(gets_(c, "cell"), "default");
	CHECK_STR(gets_(c, "kind"), "fail");
	CHECK(geti(c, "count") == 2 && geti(c, "line") == 12);
	CHECK(json_is_false(json_object_get(c, "rerun")));
	t = find_by(a, "name", "TestBroken");
	CHECK_STR(gets_(t, "status"), "failed");
	CHECK(json_array_size(json_object_get(t, "failure_details")) == 2);
	CHECK_STR(gets_(t, "worst_cell"), "default");
	c = find_by(json_object_get(t, "cells"), "cell", "race");
	CHECK_STR(c ? gets_(c, "status") : NULL, "failed");
	t = find_by(a, "name", "TestSkip");
	CHECK_STR(gets_(t, "status"), "skipped");
	json_decref(j);

	err.msg[0] = '\0';
	j = store_q_run(w->s, 999999, &err);
	CHECK(j == NULL && store_q_not_found(&err));
	CHECK(strstr(err.msg, "no such run 999999") != NULL);
	test_q_run_write(w);
}

/*
 * Home page, now = 05-10: groups of the 30 days G0-G4 (G4 infra);
 * flaky in the last 7 days (05-04..05-10): Flaky, Other, New = 3; in the
 * 7 before (04-27..05-03): Old = 1; trend +2.  other/repo: one local
 * upload (test_groups) in which nothing was flaky... but TestNew and
 * TestOther were (s_u3): 2.
 */
static void test_q_repos(struct world *w)
{
	struct err err = ERR_INIT;
	json_t *j, *a, *e;

	j = store_q_repos(w->s, NOW, &err);
	CHECK(j != NULL);
	if (!j) {
		fprintf(stderr, "store_q_repos: %s\n", err.msg);
		return;
	}
	a = json_object_get(j, "repos");
	CHECK(json_array_size(a) == 2);
	e = json_array_get(a, 0);
	CHECK_STR(gets_(e, "repository"), REPO);
	CHECK(geti(e, "runs_30d") == 5 && geti(e, "infra_runs_30d") == 1);
	CHECK(geti(e, "flaky_tests") == 3 && geti(e, "flaky_tests_prev") == 1);
	CHECK(geti(e, "trend") == 2);
	CHECK_STR(gets_(e, "last_run_at"), "2024-05-10T09:00:00Z");
	e = json_array_get(a, 1);
	CHECK_STR(gets_(e, "repository"), "other/repo");
	CHECK(geti(e, "runs_30d") == 1 && geti(e, "flaky_tests") == 2 &&
	      geti(e, "trend") == 2);
	json_decref(j);
}

static const struct compare_row *find_cmp(const struct compare_row *v,
					  size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

/*
 * The PR run U3 (feature onto main) against main over 30 days:
 *   Broken  failed in U3, never flaky on main   NEW   main: 0/20
 *   New     flaky in U3, never ran on main      NEW   n/a
 *   Other   flaky in U3, flaky on main 05-08    KNOWN main: 2/40,
 *           Wilson(2, 40) = [0.013821, 0.165039]
 *   Flaky   passed in U3, flaky on main         FIXED main: 3/60
 *   Old     flaky on main in the window but not in U3: not listed.
 */
static void test_compare(struct world *w)
{
	struct err err = ERR_INIT;
	struct compare_row *v = NULL;
	size_t n = 0;
	const struct compare_row *c;
	char want[STATS_RATE_MAX];
	long long evidence = -1;

	CHECK(store_q_compare(w->s, REPO, &w->u3, 30, NOW, &v, &n, &evidence,
			      &err) == 0);
	/* U0, U1a, U1b, U2: main's runs of the 30 days before U3. */
	CHECK(evidence == 4);
	/* Flaky passed in U3 (20 executions), but on main it failed 3 of 60
	 * (5%): ruling that rate out takes 59 clean executions since its
	 * last failure there, so it is not FIXED yet. */
	CHECK(n == 3);
	if (n != 3) {
		fprintf(stderr, "store_q_compare: %zu rows %s\n", n, err.msg);
		store_compare_rows_free(v, n);
		return;
	}
	CHECK_STR(v[0].name, "TestBroken");
	CHECK(v[0].cls == CLASS_NEW && v[0].status == VERDICT_FAILED);
	CHECK_STR(v[1].name, "TestNew");
	CHECK(v[1].cls == CLASS_NEW && v[1].status == VERDICT_FLAKY);
	CHECK(v[1].executions == 0 && v[1].first_flaky_at == NULL);
	CHECK_STR(v[1].rate_text, "n/a");
	CHECK_STR(v[2].name, "TestOther");
	CHECK(v[2].cls == CLASS_KNOWN);
	CHECK(v[2].executions == 40 && v[2].failures == 2);
	CHECK(NEAR(v[2].rate, 0.05) && NEAR(v[2].lo, 0.013821) &&
	      NEAR(v[2].hi, 0.165039));
	CHECK(stats_format_rate(want, sizeof(want), 2, 40) == 0);
	CHECK_STR(v[2].rate_text, want);
	CHECK_STR(v[2].first_flaky_commit, "c1");
	CHECK_STR(v[2].first_flaky_at, "2024-05-08T10:05:00Z");
	CHECK(find_cmp(v, n, "TestFlaky") == NULL);
	CHECK(find_cmp(v, n, "TestOld") == NULL);
	CHECK(v[0].test_id > 0);
	store_compare_rows_free(v, n);

	/* With 60 clean executions in the PR's run, it is: FIXED. */
	{
		static const struct spec s_clean[] = {
			{ "TestFlaky", 0, 60, 0, 0, FAIL_ASSERT, NULL },
			{ "TestStable", 0, 10, 0, 0, FAIL_ASSERT, NULL },
		};
		static const struct meta_spec m_clean = {
			REPO, "feature", "main", "c6", "2024-05-10T08:30:00Z", "105",
			NULL, 7 };
		struct results rc;

		make_run(&rc, &m_clean, s_clean, NSPEC(s_clean));
		CHECK(store_q_compare(w->s, REPO, &rc, 30, NOW, &v, &n, &evidence,
				      &err) == 0);
		c = find_cmp(v, n, "TestFlaky");
		CHECK(c && c->cls == CLASS_FIXED && c->status == VERDICT_PASSED);
		CHECK(c && c->executions == 60 && c->failures == 3);
		CHECK_STR(c ? c->rate_text : NULL, "5.0% (95% CI 1.7–13.7%)");
		CHECK_STR(c ? test_class_name(c->cls) : NULL, "fixed");
		store_compare_rows_free(v, n);
		results_release(&rc);
	}

	/* A 1-day window (05-10): main's flakes are older; nothing is
	 * evidence, so Other is NEW again. */
	CHECK(store_q_compare(w->s, REPO, &w->u3, 1, NOW, &v, &n, &evidence,
			      &err) == 0);
	c = find_cmp(v, n, "TestOther");
	CHECK(evidence == 0 && c && c->cls == CLASS_NEW);
	store_compare_rows_free(v, n);

	/* A push to main (U2): compared with main itself.  Flaky flaked
	 * in U1a, another GitHub run: KNOWN. */
	CHECK(store_q_compare(w->s, REPO, &w->u2, 30, NOW, &v, &n, &evidence,
			      &err) == 0);
	c = find_cmp(v, n, "TestFlaky");
	CHECK(evidence == 3 && c && c->cls == CLASS_KNOWN);
	store_compare_rows_free(v, n);

	/* A re-run (attempt 2 of run 100, later that day): its own first
	 * attempt is no evidence, so Flaky is NEW -- re-running a red job
	 * never opens the gate. */
	{
		static const struct meta_spec m_rerun = {
			REPO, "main", NULL, "c1", "2024-05-08T11:00:00Z", "100",
			NULL, 0 };
		struct results rr;

		make_run(&rr, &m_rerun, s_u1a, NSPEC(s_u1a));
		rr.meta.run_attempt = 2;
		CHECK(store_q_compare(w->s, REPO, &rr, 30, NOW, &v, &n,
				      &evidence, &err) == 0);
		c = find_cmp(v, n, "TestFlaky");
		CHECK(evidence == 1 && c && c->cls == CLASS_NEW);
		store_compare_rows_free(v, n);
		/* store_classify() sets the same on the test. */
		CHECK(store_classify(w->s, &rr, 30, NOW, &evidence, &err) == 0);
		CHECK(results_test(&rr, PKG, "TestFlaky", 0)->klass == CLASS_NEW);
		CHECK(results_test(&rr, PKG, "TestFlaky", 0)->new_flaky);
		results_release(&rr);
	}

	/* A second push to the PR (feature, later): New flaked in U3, but
	 * on the PR's own branch -- never evidence: still NEW. */
	{
		static const struct meta_spec m_pr2 = {
			REPO, "feature", "main", "c5", "2024-05-10T10:00:00Z",
			"104", NULL, 7 };
		struct results pr2;

		make_run(&pr2, &m_pr2, s_u3, NSPEC(s_u3));
		CHECK(store_classify(w->s, &pr2, 30, NOW, &evidence, &err) == 0);
		CHECK(results_test(&pr2, PKG, "TestNew", 0)->klass == CLASS_NEW);
		CHECK(results_test(&pr2, PKG, "TestOther", 0)->klass ==
		      CLASS_KNOWN);
		CHECK(results_test(&pr2, PKG, "TestOther", 0)->has_base &&
		      results_test(&pr2, PKG, "TestOther", 0)->base.failures == 2);
		results_release(&pr2);
	}

	/* An unknown repository: the broken tests, all NEW. */
	CHECK(store_q_compare(w->s, "nobody/none", &w->u3, 30, NOW, &v, &n,
			      &evidence, &err) == 0);
	CHECK(n == 3);
	CHECK(n == 3 && v[0].cls == CLASS_NEW && v[2].cls == CLASS_NEW &&
	      v[0].test_id == 0);
	store_compare_rows_free(v, n);
}

/* 1 when needle[0..n) occurs in hay[0..size). */
static int contains(const char *hay, size_t size, const char *needle,
		    size_t n)
{
	size_t i;

	for (i = 0; n <= size && i <= size - n; i++)
		if (!memcmp(hay + i, needle, n))
			return 1;
	return 0;
}

/* The stored hash is SHA-256(token) and the text is nowhere in the file. */
static void check_token_not_stored(const char *path, const char *token)
{
	unsigned char want[32];
	unsigned int len = 0;
	char sql[256], hex[65];
	size_t i;
	FILE *f;
	char *data;
	long size;

	CHECK(EVP_Digest(token, strlen(token), want, &len, EVP_sha256(),
			 NULL) == 1 && len == 32);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02X", want[i]);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM tokens WHERE "
		 "hash = x'%s' AND length(hash) = 32", hex);
	CHECK(sql_int(path, sql) == 1);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM tokens WHERE "
		 "CAST(hash AS TEXT) = '%s' OR label = '%s'", token, token);
	CHECK(sql_int(path, sql) == 0);
	/* Checkpointed (the store is closed): the main file has it all. */
	f = fopen(path, "rb");
	CHECK(f != NULL);
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = xmalloc((size_t)size + 1);
	CHECK(fread(data, 1, (size_t)size, f) == (size_t)size);
	fclose(f);
	data[size] = '\0';
	/* The 64 hex digits after "flk_". */
	CHECK(!contains(data, (size_t)size, token + 4, strlen(token) - 4));
	free(data);
}

static void test_tokens(void)
{
	char path[256], bad[STORE_TOKEN_LEN + 1];
	struct store *s = NULL;
	struct err err = ERR_INIT;
	char *tok = NULL, *tok2 = NULL, *repo = NULL;
	struct token_row *rows = NULL;
	size_t n = 0;

	tmp_path(path, sizeof(path), "tokens.db");
	CHECK(store_open(&s, path, 0, &err) == 0);
	if (!s)
		return;
	CHECK(store_token_create(s, REPO, "ci", 0, &tok, &err) == 0);
	CHECK(store_token_create(s, "other/repo", NULL, 0, &tok2, &err) == 0);
	CHECK(tok && tok2 && strlen(tok) == STORE_TOKEN_LEN);
	CHECK(tok && !strncmp(tok, "flk_", 4));
	CHECK(tok && tok2 && strcmp(tok, tok2) != 0);
	CHECK(store_token_create(s, "", NULL, 0, &tok2, &err) == -1);
	if (!tok || !tok2)
		goto out;
	/* Valid: the token's repository; last_used_at set. */
	CHECK(store_token_check(s, tok, strlen(tok), &repo, NULL, &err) == 0);
	CHECK_STR(repo, REPO);
	free(repo);
	repo = NULL;
	CHECK(store_token_check(s, tok2, strlen(tok2), &repo, NULL, &err) == 0);
	CHECK_STR(repo, "other/repo");
	free(repo);
	repo = NULL;
	/* Wrong (one digit changed), truncated, malformed: 1. */
	snprintf(bad, sizeof(bad), "%s", tok);
	bad[10] = bad[10] == 'a' ? 'b' : 'a';
	CHECK(store_token_check(s, bad, strlen(bad), &repo, NULL, &err) == 1);
	CHECK(store_token_check(s, tok, strlen(tok) - 1, &repo, NULL, &err) == 1);
	CHECK(store_token_check(s, "Bearer x", 8, &repo, NULL, &err) == 1);
	CHECK(store_token_check(s, "", 0, &repo, NULL, &err) == 1);
	CHECK(repo == NULL);

	CHECK(store_token_list(s, NULL, &rows, &n, &err) == 0);
	CHECK(n == 2);
	if (n == 2) {
		CHECK_STR(rows[0].repo, REPO);
		CHECK_STR(rows[0].label, "ci");
		CHECK(rows[1].label == NULL);
		CHECK(rows[0].created_at > 0 && rows[0].last_used_at > 0 &&
		      rows[0].revoked_at == 0);
	}
	/* Revoke: the check fails from now on; twice is fine. */
	CHECK(n == 2 && store_token_revoke(s, rows[0].id, &err) == 0);
	CHECK(n == 2 && store_token_revoke(s, rows[0].id, &err) == 0);
	store_token_rows_free(rows, n);
	CHECK(store_token_check(s, tok, strlen(tok), &repo, NULL, &err) == 1);
	CHECK(repo == NULL);
	CHECK(store_token_check(s, tok2, strlen(tok2), &repo, NULL, &err) == 0);
	free(repo);
	repo = NULL;
	err.msg[0] = '\0';
	CHECK(store_token_revoke(s, 999, &err) == -1);
	CHECK(strstr(err.msg, "no such token 999") != NULL);
	CHECK(store_token_list(s, REPO, &rows, &n, &err) == 0);
	CHECK(n == 1 && rows[0].revoked_at > 0);
	store_token_rows_free(rows, n);
	CHECK(store_token_list(s, "nobody/none", &rows, &n, &err) == 0);
	CHECK(n == 0 && rows == NULL);
	/* A pull-request-only token says so; the others do not. */
	{
		char *pt = NULL;
		unsigned fl = 99;

		CHECK(store_token_check(s, tok2, strlen(tok2), &repo, &fl,
					&err) == 0 && fl == 0);
		free(repo);
		repo = NULL;
		CHECK(store_token_create(s, "fork/repo", "fork", STORE_TOKEN_PR_ONLY,
					 &pt, &err) == 0);
		CHECK(pt && store_token_check(s, pt, strlen(pt), &repo, &fl,
					      &err) == 0 &&
		      fl == STORE_TOKEN_PR_ONLY);
		free(repo);
		repo = NULL;
		free(pt);
	}
	store_close(s);
	s = NULL;
	check_token_not_stored(path, tok);
	check_token_not_stored(path, tok2);
out:
	store_close(s);
	free(tok);
	free(tok2);
}

/*
 * A database made by a version-1 binary: two shard uploads of CI run 555
 * (their verdicts: A flaky in one, passed in the other; B passed, C
 * skipped) and a local run.  Opening it migrates: two groups, the shards
 * merged (3 tests: 1 flaky, 1 passed, 1 skipped); a new shard of run 555
 * joins that group.
 */
static void test_migration(void)
{
	char path[256], sql[256], txt[128];
	struct store *s = NULL;
	struct err err = ERR_INIT;
	struct results r;
	struct store_added added;
	static const struct meta_spec m = {
		REPO, "main", NULL, "c5", "2024-05-03T10:00:00Z", "555", "3/3",
		0 };
	static const char v1_data[] =
		"INSERT INTO repos(id, name) VALUES (1, 'acme/api');"
		"INSERT INTO runs(id, repo_id, run_key, gh_run_id, run_attempt,"
		" shard, branch, commit_sha, started_at, created_at, tests,"
		" n_flaky, n_passed, n_skipped) VALUES"
		" (1, 1, 'acme/api/555/1/test/1/3', '555', 1, '1/3', 'main',"
		"  'c5', '2024-05-03T10:02:00Z', 1714730000, 2, 1, 1, 0),"
		" (2, 1, 'acme/api/555/1/test/2/3', '555', 1, '2/3', 'main',"
		"  'c5', '2024-05-03T10:01:00Z', 1714730001, 2, 0, 1, 1),"
		" (3, 1, 'local/1/2/3', NULL, NULL, NULL, 'dev', 'c6',"
		"  '2024-05-04T10:00:00Z', 1714820000, 1, 0, 1, 0);"
		"INSERT INTO tests(id, repo_id, package, name) VALUES"
		" (1, 1, 'p', 'A'), (2, 1, 'p', 'B'), (3, 1, 'p', 'C');"
		"INSERT INTO verdicts(run_id, test_id, status) VALUES"
		" (1, 1, 'flaky'), (1, 2, 'passed'),"
		" (2, 1, 'passed'), (2, 3, 'skipped'),"
		" (3, 1, 'passed');";

	tmp_path(path, sizeof(path), "v1.db");
	snprintf(sql, sizeof(sql), "PRAGMA user_version = 1;"
		 " PRAGMA application_id = %d;", 0x464c4b31);
	CHECK(sql_exec(path, schema_files[0].sql) == 0);
	CHECK(sql_exec(path, sql) == 0);
	CHECK(sql_exec(path, v1_data) == 0);
	CHECK(sql_int(path, "PRAGMA user_version") == 1);

	CHECK(store_open(&s, path, 0, &err) == 0);
	if (!s) {
		fprintf(stderr, "store_open: %s\n", err.msg);
		return;
	}
	CHECK(store_schema_version(s) == (int)schema_nfiles);
	CHECK(sql_int(path, "PRAGMA user_version") == (long long)schema_nfiles);
	CHECK(sql_int(path, "SELECT count(*) FROM run_groups") == 2);
	CHECK(sql_int(path, "SELECT count(*) FROM runs WHERE group_id IS "
		      "NULL") == 0);
	CHECK(sql_int(path, "SELECT count(DISTINCT group_id) FROM runs "
		      "WHERE gh_run_id = '555'") == 1);
	sql_text(path, "SELECT group_key || ' ' || started_at || ' ' || "
		 "uploads || ' ' || tests || n_flaky || n_passed || n_skipped "
		 "FROM run_groups WHERE uploads = 2", txt, sizeof(txt));
	CHECK_STR(txt, "acme/api/555/1 2024-05-03T10:01:00Z 2 3111");
	sql_text(path, "SELECT group_key || ' ' || uploads || ' ' || tests || "
		 "n_passed || ' ' || branch FROM run_groups WHERE uploads = 1",
		 txt, sizeof(txt));
	CHECK_STR(txt, "local/1/2/3 1 11 dev");

	/* A new shard of the same workflow run joins the backfilled group. */
	make_run(&r, &m, s_u0, NSPEC(s_u0));
	CHECK(store_add_run_ex(s, &r, NULL, &added, &err) == 0);
	CHECK(added.duplicate == 0);
	CHECK(added.group_id == sql_int(path, "SELECT group_id FROM runs "
					"WHERE id = 1"));
	/* Merged: A (flaky), B, C, and s_u0's TestOld (flaky) and TestFlaky:
	 * 3 uploads, 5 tests, 2 flaky. */
	CHECK(sql_int(path, "SELECT uploads * 100 + tests * 10 + n_flaky "
		      "FROM run_groups WHERE group_key = 'acme/api/555/1'") ==
	      352);
	results_release(&r);
	store_close(s);
}

/*
 * The repository page's "fixed" uses the gate's rule: flaky in the window
 * before this one, not since, and its clean executions since its last
 * failure rule out its rate then.  TestGone fails 1 of 3 on 04-01 (p0 =
 * 1/3: (2/3)^8 = 0.039 <= 0.05, so 8 clean executions are needed): 5
 * clean on 04-25 are not enough, 5 more on 05-01 are.
 */
static void test_repo_fixed(void)
{
	static const struct spec s_flaky[] = {
		{ "TestGone", 0, 2, 1, 0, FAIL_ASSERT, NULL },
	};
	static const struct spec s_clean[] = {
		{ "TestGone", 0, 5, 0, 0, FAIL_ASSERT, NULL },
	};
	static const struct meta_spec m1 = {
		"acme/fixed", "main", NULL, "f1", "2024-04-01T10:00:00Z", "301",
		NULL, 0 };
	static const struct meta_spec m2 = {
		"acme/fixed", "main", NULL, "f2", "2024-04-25T10:00:00Z", "302",
		NULL, 0 };
	static const struct meta_spec m3 = {
		"acme/fixed", "main", NULL, "f3", "2024-05-01T10:00:00Z", "303",
		NULL, 0 };
	struct err err = ERR_INIT;
	struct store *s = NULL;
	struct results r;
	struct store_added a;
	struct q_flakes f;
	char path[128];

	tmp_path(path, sizeof(path), "fixed.db");
	CHECK(store_open(&s, path, 0, &err) == 0);
	if (!s)
		return;
	make_run(&r, &m1, s_flaky, NSPEC(s_flaky));
	CHECK(add(s, &r, NULL, &a) == 0);
	results_release(&r);
	make_run(&r, &m2, s_clean, NSPEC(s_clean));
	CHECK(add(s, &r, NULL, &a) == 0);
	results_release(&r);
	/* Window 30 days up to 05-10: 04-11..05-10; before it 03-12..04-10. */
	CHECK(store_q_flakes(s, "acme/fixed", NULL, 30, NOW, STORE_Q_TRENDS |
			     STORE_Q_ALL, &f, &err) == 0);
	CHECK(f.fixed == 0);
	store_q_flakes_release(&f);
	make_run(&r, &m3, s_clean, NSPEC(s_clean));
	CHECK(add(s, &r, NULL, &a) == 0);
	results_release(&r);
	CHECK(store_q_flakes(s, "acme/fixed", NULL, 30, NOW, STORE_Q_TRENDS |
			     STORE_Q_ALL, &f, &err) == 0);
	CHECK(f.fixed == 1);
	store_q_flakes_release(&f);
	/* Another branch saw none of it. */
	CHECK(store_q_flakes(s, "acme/fixed", "dev", 30, NOW, STORE_Q_TRENDS,
			     &f, &err) == 0);
	CHECK(f.fixed == 0);
	store_q_flakes_release(&f);
	store_close(s);
}

int main(void)
{
	struct world w;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_store_query.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	memset(&w, 0, sizeof(w));
	if (world_build(&w) == 0) {
		test_groups(&w);
		test_q_tests(&w);
		test_q_test(&w);
		test_q_runs(&w);
		test_q_run(&w);
		test_q_repos(&w);
		test_compare(&w);
	}
	world_free(&w);
	test_tokens();
	test_migration();
	test_repo_fixed();
	if (!getenv("KEEP_TMP")) rm_rf(tmpdir);
	return check_done("test_store_query");
}
