/*
 * test_store_group.c: a sharded run merged from the store's rows.  Two
 * shards with different cell orders, a package that did not build, a
 * flaky test split across both shards, failures with shuffle seeds and
 * output, classes and new_flaky.  The comment rendered from shard 1 read
 * back from its rows (plus shard 2 in memory) must be byte-identical to
 * the comment of both shards merged in memory; the same from shard 1's
 * document (an upload from before schema 006); and an upload recorded
 * with neither counts for nothing.
 */
#include "core/err.h"
#include "core/out_comment.h"
#include "core/out_json.h"
#include "core/results.h"
#include "core/store.h"
#include "core/store_group.h"
#include "core/store_maint.h"
#include "core/store_query.h"
#include "tests/unit/check.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define P1 "example.com/m/pool"
#define P2 "example.com/m/broken"
#define P3 "example.com/m/cache"

static void meta(struct results *r, const char *shard)
{
	r->meta.repository = xstrdup("octo/widgets");
	r->meta.commit = xstrdup("0123456789abcdef0123456789abcdef01234567");
	r->meta.branch = xstrdup("feature");
	r->meta.base_branch = xstrdup("main");
	r->meta.run_id = xstrdup("4242");
	r->meta.run_attempt = 1;
	r->meta.pr = 7;
	r->meta.job = xstrdup("test");
	r->meta.event = xstrdup("pull_request");
	r->meta.server_url = xstrdup("https://github.com");
	r->meta.shard = xstrdup(shard);
}

static int cell(struct results *r, const char *name, int race, int procs,
		int parallel)
{
	struct cell c;

	memset(&c, 0, sizeof(c));
	c.name = (char *)(uintptr_t)name;
	c.race = race;
	c.gomaxprocs = procs;
	c.count = 3;
	c.parallel = parallel;
	c.shuffle = race;	/* repros carry the failing seed */
	c.wall_ms = 1000;
	return results_add_cell(r, &c);
}

static void counts(struct results *r, const char *pkg, const char *name,
		   int c, int passes, int failures, int rerun_passes)
{
	struct test *t = results_test(r, pkg, name, 1);
	struct test_cell *tc = results_test_cell(t, c);

	tc->passes = passes;
	tc->failures = failures;
	tc->rerun_passes = rerun_passes;
}

static void failure(struct results *r, const char *pkg, const char *name,
		    int c, enum fail_kind k, const char *msg, long long seed)
{
	struct test *t = results_test(r, pkg, name, 1);
	struct failure f;
	char sig[256];

	snprintf(sig, sizeof(sig), "%s: %s @ pool_test.go:12",
		 fail_kind_name(k), msg);
	memset(&f, 0, sizeof(f));
	f.cell = c;
	f.kind = k;
	f.file = (char *)(uintptr_t)"pool_test.go";
	f.line = 12;
	f.message = (char *)(uintptr_t)msg;
	f.signature = sig;
	f.output = (char *)(uintptr_t)"=== RUN   T\n    pool_test.go:12: boom\n";
	f.count = 1;
	f.seed = seed;
	results_add_failure(t, &f);
	results_test_cell(t, c)->fail_seed = seed;
}

/* Shard 1: cells plain (0) and race (1); P2 did not build. */
static void shard1(struct results *r)
{
	struct package *p;
	int c0, c1;

	results_init(r);
	meta(r, "1/2");
	c0 = cell(r, "GOMAXPROCS=1", 0, 1, 0);
	c1 = cell(r, "race GOMAXPROCS=2", 1, 2, 4);
	p = results_package(r, P1, 1);
	p->dir = xstrdup("pool");
	p = results_package(r, P2, 1);
	p->dir = xstrdup("broken");
	p->status = PKG_BUILD_FAILED;
	p->error = xstrdup("broken/b.go:3:2: undefined: frob");
	counts(r, P1, "TestFlip", c0, 2, 1, 0);
	failure(r, P1, "TestFlip", c0, FAIL_ASSERT, "want 1, got 2", 0);
	counts(r, P1, "TestFlip", c1, 3, 0, 0);
	counts(r, P1, "TestBroken", c1, 0, 3, 0);
	failure(r, P1, "TestBroken", c1, FAIL_PANIC, "nil map", 99);
	counts(r, P1, "TestOK", c0, 3, 0, 0);
	counts(r, P1, "TestOK", c1, 3, 0, 0);
	/* One cell split over both shards (parts of its executions):
	 * failed here, passed there -- flaky merged. */
	counts(r, P1, "TestSplit", c0, 0, 2, 0);
	failure(r, P1, "TestSplit", c0, FAIL_ASSERT, "split", 0);
	counts(r, P1, "TestRerun", c1, 0, 3, 2);
	failure(r, P1, "TestRerun", c1, FAIL_TIMEOUT, "deadline", 0);
	/* An order dependency found by bisection (its where, its repro). */
	{
		struct test *t = results_test(r, P1, "TestBroken", 0);

		t->after = xstrdup("TestOK");
		t->after_seed = 99;
		t->after_cell = c1;
	}
	results_finish(r);
	results_test(r, P1, "TestFlip", 0)->klass = CLASS_KNOWN;
	results_test(r, P1, "TestRerun", 0)->klass = CLASS_NEW;
	results_test(r, P1, "TestRerun", 0)->new_flaky = 1;

}

/* Shard 2: the cells in the other order; TestFlip again, and P3. */
static void shard2(struct results *r)
{
	struct package *p;
	int c0, c1;

	results_init(r);
	meta(r, "2/2");
	c1 = cell(r, "race GOMAXPROCS=2", 1, 2, 4);
	c0 = cell(r, "GOMAXPROCS=1", 0, 1, 0);
	p = results_package(r, P1, 1);
	p->dir = xstrdup("pool");
	p = results_package(r, P3, 1);
	p->dir = xstrdup("cache");
	counts(r, P1, "TestFlip", c1, 1, 2, 0);
	failure(r, P1, "TestFlip", c1, FAIL_RACE, "data race", 0);
	counts(r, P1, "TestSplit", c0, 1, 0, 0);
	counts(r, P3, "TestEvict", c0, 3, 0, 0);
	counts(r, P3, "TestEvict", c1, 2, 1, 0);
	failure(r, P3, "TestEvict", c1, FAIL_ASSERT, "evicted early", 123);
	results_finish(r);
}

static char *render(struct results *r)
{
	struct buf md = BUF_INIT(OUT_COMMENT_MAX);
	struct err err = ERR_INIT;
	char *s;

	CHECK(out_comment_render(r, NULL, NULL, &md, OUT_COMMENT_MAX,
				 &err) == 0);
	s = xstrdup(buf_str(&md));
	buf_release(&md);
	return s;
}

/* Shard 1 from the store (except_run: shard 2) merged with shard 2. */
static char *from_store(struct store *s, long long group, long long run2,
			const struct results *b, int want)
{
	struct results m;
	struct err err = ERR_INIT;
	char *md;

	results_init(&m);
	CHECK(store_group_results(s, group, run2, &m, &err) == want);
	results_merge(&m, b);
	results_finish(&m);
	md = render(&m);
	results_release(&m);
	return md;
}

/* The run group's totals as stored: tests, failed, flaky, passed,
 * skipped, notrun. */
static void group_row(const char *path, long long id, long long out[6])
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int k;

	memset(out, 0xff, 6 * sizeof(out[0]));
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_prepare_v2(db, "SELECT tests, n_failed, n_flaky,"
				 " n_passed, n_skipped, n_notrun FROM"
				 " run_groups WHERE id = ?1", -1, &st,
				 NULL) == SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		for (k = 0; k < 6; k++)
			out[k] = sqlite3_column_int64(st, k);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static int sql(const char *path, const char *q)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open(path, &db) == SQLITE_OK &&
		 sqlite3_exec(db, q, NULL, NULL, NULL) == SQLITE_OK;

	sqlite3_close(db);
	return rc ? 0 : -1;
}

int main(void)
{
	char dir[] = "/tmp/test_store_group.XXXXXX", path[128];
	struct results a, b, mem;
	struct store *s = NULL;
	struct store_add_opts o = STORE_ADD_OPTS_INIT;
	struct store_added a1, a2;
	struct err err = ERR_INIT;
	char *doc, *want, *got;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/h.db", dir);
	shard1(&a);
	shard2(&b);
	results_init(&mem);
	results_merge(&mem, &a);
	results_merge(&mem, &b);
	results_finish(&mem);
	want = render(&mem);
	if (getenv("SHOW")) fputs(want, stderr);
	CHECK(strstr(want, "TestFlip") != NULL);
	CHECK(strstr(want, "TestEvict") != NULL);
	CHECK(strstr(want, "broken") != NULL);

	CHECK(store_open(&s, path, 0, &err) == 0);
	doc = out_json_dumps(&a, &err);
	CHECK(doc != NULL);
	o.doc = doc;
	o.doc_len = strlen(doc);
	CHECK(store_add_run_ex(s, &a, &o, &a1, &err) == 0);
	o.doc = NULL;
	o.doc_len = 0;
	{
		/* The store hands back the group's merge it made for the
		 * totals: the same comment. */
		struct results pm;
		long long g[6];

		results_init(&pm);
		o.merged = &pm;
		CHECK(store_add_run_ex(s, &b, &o, &a2, &err) == 0);
		o.merged = NULL;
		CHECK(pm.finished);
		got = render(&pm);
		CHECK_STR(got, want);
		free(got);
		results_release(&pm);
		/* The run page's totals are the merge's: TestSplit is flaky
		 * (per cell), not the worst of its uploads (failed). */
		group_row(path, a2.group_id, g);
		CHECK(g[0] == (long long)mem.ntests);
		CHECK(g[1] == mem.n_failed);
		CHECK(g[2] == mem.n_flaky);
		CHECK(g[3] == mem.n_passed);
		CHECK(g[4] == mem.n_skipped);
		CHECK(g[5] == mem.n_notrun);
		CHECK(results_test(&mem, P1, "TestSplit", 0)->status ==
		      VERDICT_FLAKY);
		/* ... and so is its row on the run page. */
		{
			json_t *run = store_q_run(s, a2.group_id, &err);
			json_t *tests = json_object_get(run, "tests"), *t;
			size_t k;
			int seen = 0;

			CHECK(run != NULL);
			json_array_foreach(tests, k, t) {
				if (strcmp(json_string_value(json_object_get(
					   t, "name")), "TestSplit"))
					continue;
				seen = 1;
				CHECK_STR(json_string_value(json_object_get(
					  t, "status")), "flaky");
			}
			CHECK(seen);
			json_decref(run);
		}
	}
	CHECK(a1.group_id == a2.group_id);
	CHECK(a1.run_id != a2.run_id);

	/* From rows. */
	got = from_store(s, a2.group_id, a2.run_id, &b, 1);
	CHECK_STR(got, want);
	free(got);
	/* Shard 2 asks: shard 1 from rows, shard 2 ... and the reverse. */
	{
		struct results m;

		results_init(&m);
		CHECK(store_group_results(s, a1.group_id, a1.run_id, &m,
					  &err) == 1);
		results_merge(&m, &a);
		results_finish(&m);
		got = render(&m);
		results_release(&m);
		CHECK_STR(got, want);
		free(got);
	}
	store_close(s);

	/* An upload from before 006: read from its document. */
	CHECK(sql(path, "UPDATE runs SET rows_complete = 0") == 0);
	CHECK(store_open(&s, path, 0, &err) == 0);
	got = from_store(s, a2.group_id, a2.run_id, &b, 1);
	CHECK_STR(got, want);
	free(got);
	store_close(s);

	/* Neither rows nor a document: nothing to merge. */
	CHECK(sql(path, "DELETE FROM run_docs") == 0);
	CHECK(store_open(&s, path, 0, &err) == 0);
	got = from_store(s, a2.group_id, a2.run_id, &b, 0);
	CHECK(strcmp(got, want) != 0);
	free(got);
	store_close(s);

	/* A corrupt row is an error naming the upload, not a crash. */
	CHECK(sql(path, "UPDATE runs SET rows_complete = 1;"
		  " UPDATE run_packages SET status = 'exploded'") == 0);
	CHECK(store_open(&s, path, 0, &err) == 0);
	{
		struct results m;

		results_init(&m);
		CHECK(store_group_results(s, a2.group_id, a2.run_id, &m,
					  &err) == -1);
		CHECK(strstr(err.msg, "package row") != NULL);
		results_release(&m);
	}
	store_close(s);

	/* Pruned (its rows gone, and its document): nothing to merge. */
	CHECK(sql(path, "UPDATE run_packages SET status = 'ok'") == 0);
	CHECK(store_open(&s, path, 0, &err) == 0);
	{
		struct store_prune_stats ps;
		struct results m;

		CHECK(store_prune(s, 1, 4102444800LL, &ps, &err) == 0);
		CHECK(ps.runs == 2);
		results_init(&m);
		CHECK(store_group_results(s, a2.group_id, a2.run_id, &m,
					  &err) == 0);
		CHECK(m.ntests == 0);
		results_release(&m);
	}
	store_close(s);

	free(doc);
	free(want);
	results_release(&a);
	results_release(&b);
	results_release(&mem);
	unlink(path);
	{
		char p2[160];

		snprintf(p2, sizeof(p2), "%s-wal", path);
		unlink(p2);
		snprintf(p2, sizeof(p2), "%s-shm", path);
		unlink(p2);
	}
	rmdir(dir);
	return check_done("test_store_group");
}
