/*
 * Unit tests for core/gtest_event and core/gtest: JSON decoding corner
 * cases, chunking independence, bounded memory on huge lines, and the
 * verdict rules on hand-written streams.
 */
#include "core/gtest.h"
#include "core/gtest_event.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>

static char cellname[] = "c";

static void decode(void)
{
	struct gtest_parser p = GTEST_PARSER_INIT;
	struct gtest_event ev;
	const char *l1 = "{\"Time\":\"2026-01-01T00:00:00Z\",\"Action\":\"output\","
			 "\"Package\":\"p\",\"Test\":\"T\",\"Output\":\"a\\u0000b\\n\\u003cx\\u003e \\ud83d\\ude00\"}";
	const char *l2 = "{\"Action\":\"pass\",\"Elapsed\":0.25,\"Extra\":{\"a\":[1,2,{\"b\":null}]},\"Test\":\"T\"}";

	CHECK(gtest_parse_line(&p, l1, strlen(l1), &ev) == 0);
	CHECK(ev.action == GA_OUTPUT);
	CHECK(ev.output.len == 12);
	CHECK(ev.output.len == 12 && !memcmp(ev.output.ptr, "a\0b\n<x> \xF0\x9F\x98\x80", 12));
	CHECK(ev.test.len == 1 && ev.test.ptr[0] == 'T');
	CHECK(gtest_parse_line(&p, l2, strlen(l2), &ev) == 0);
	CHECK(ev.action == GA_PASS && ev.has_elapsed && ev.elapsed == 0.25);
	CHECK(gtest_parse_line(&p, "FAIL\tp [build failed]", 21, &ev) == -1);
	CHECK(gtest_parse_line(&p, "{\"Action\":\"pass\"", 16, &ev) == -1);
	CHECK(gtest_parse_line(&p, "{\"Action\":\"pass\"} x", 19, &ev) == -1);
	CHECK(gtest_parse_line(&p, "{\"Test\":\"T\"}", 12, &ev) == -1);
	CHECK(gtest_parse_line(&p, "{\"Action\":\"a\\x\"}", 16, &ev) == -1);
	CHECK(gtest_parse_line(&p, "{\"Action\":\"brand-new\"}", 22, &ev) == 0 &&
	      ev.action == GA_UNKNOWN);
	CHECK(gtest_parse_line(&p, "{\"Action\":\"pass\",\"Elapsed\":1e400}", 33, &ev) == 0);
	gtest_parser_release(&p);
}

static const char *stream =
	"{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"TestA\"}\n"
	"{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"TestA\",\"Output\":\"    a_test.go:7: want 1, got 2\\n\"}\n"
	"{\"Action\":\"fail\",\"Package\":\"p\",\"Test\":\"TestA\",\"Elapsed\":0}\n"
	"{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"TestA\"}\n"
	"{\"Action\":\"pass\",\"Package\":\"p\",\"Test\":\"TestA\",\"Elapsed\":0}\n"
	"{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"TestB\"}\n"
	"{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"TestB\",\"Output\":\"panic: boom\\n\\ngoroutine 7 [running]:\\n\"}\n"
	"{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"TestB\",\"Output\":\"p.TestB.func1()\\n\\t/repo/p/b_test.go:9 +0x1d\\n\"}\n"
	"{\"Action\":\"output\",\"Package\":\"p\",\"Output\":\"FAIL\\tp\\t0.01s\\n\"}\n"
	"{\"Action\":\"fail\",\"Package\":\"p\",\"Elapsed\":0.01}\n";

static void run_stream(struct results *r, size_t chunk)
{
	struct gtest_agg *a;
	struct cell c;
	size_t n = strlen(stream), i;

	results_init(r);
	r->repo_root = strdup("/repo");
	memset(&c, 0, sizeof(c));
	c.name = cellname;
	c.count = 2;
	results_add_cell(r, &c);
	a = gtest_agg_new(r, 0, 0, 0);
	for (i = 0; i < n; i += chunk)
		gtest_agg_feed(a, stream + i, n - i < chunk ? n - i : chunk);
	gtest_agg_finish(a, 1, NULL);
	gtest_agg_free(a);
	results_finish(r);
}

static void verdicts(void)
{
	size_t chunks[] = { 1, 2, 7, 64, 100000 };
	size_t k;

	for (k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
		struct results r;
		struct test *a, *b;

		run_stream(&r, chunks[k]);
		a = results_test(&r, "p", "TestA", 0);
		b = results_test(&r, "p", "TestB", 0);
		CHECK(a && a->status == VERDICT_FLAKY);
		CHECK(a && a->passes == 1 && a->failures == 1);
		CHECK(a && a->nfails == 1 && a->fails[0].line == 7);
		CHECK(a && a->nfails == 1 && !strcmp(a->fails[0].file, "a_test.go"));
		CHECK(a && a->nfails == 1 && !strcmp(a->fails[0].message, "want 1, got 2"));
		CHECK(b && b->status == VERDICT_FAILED);
		CHECK(b && b->nfails == 1 && b->fails[0].kind == FAIL_CRASH);
		CHECK(b && b->nfails == 1 && b->fails[0].file &&
		      !strcmp(b->fails[0].file, "p/b_test.go"));
		CHECK(b && b->repro && strstr(b->repro, "-run '^TestB$' -count=1"));
		results_release(&r);
	}
}

/* A 64 MiB output line: skipped and counted, memory stays bounded. */
static void huge_line(void)
{
	struct results r;
	struct gtest_agg *a;
	const struct gtest_stats *st;
	struct cell c;
	char *chunk = malloc(1 << 20);
	const char *head = "{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"T\",\"Output\":\"";
	const char *tail = "\"}\n{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"T\"}\n"
			   "{\"Action\":\"pass\",\"Package\":\"p\",\"Test\":\"T\"}\n";
	int i;

	if (!chunk)
		return;
	memset(chunk, 'x', 1 << 20);
	results_init(&r);
	memset(&c, 0, sizeof(c));
	c.name = cellname;
	results_add_cell(&r, &c);
	a = gtest_agg_new(&r, 0, 0, 0);
	gtest_agg_feed(a, head, strlen(head));
	for (i = 0; i < 64; i++)
		gtest_agg_feed(a, chunk, 1 << 20);
	gtest_agg_feed(a, tail, strlen(tail));
	st = gtest_agg_finish(a, 0, NULL);
	CHECK(st->overlong == 1);
	CHECK(st->events == 2);
	gtest_agg_free(a);
	results_finish(&r);
	CHECK(r.ntests == 1 && r.tests[0]->status == VERDICT_PASSED);
	results_release(&r);
	free(chunk);
}

/* The failure line: the first log block that reads like a failure. */
/* One stream (one process that exited 1) into a fresh, finished r. */
static void feed_one(struct results *r, const char *s)
{
	struct gtest_agg *a;
	struct cell c;

	results_init(r);
	memset(&c, 0, sizeof(c));
	c.name = cellname;
	results_add_cell(r, &c);
	a = gtest_agg_new(r, 0, 0, 0);
	gtest_agg_feed(a, s, strlen(s));
	gtest_agg_finish(a, 1, NULL);
	gtest_agg_free(a);
	results_finish(r);
}

static void failure_line(void)
{
	static const char *s =
		"{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"TestC\"}\n"
		"{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"TestC\",\"Output\":\"    c_test.go:3: starting\\n\"}\n"
		"{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"TestC\",\"Output\":\"    c_test.go:4: got 1, want 2\\n\"}\n"
		"{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"TestC\",\"Output\":\"        second line\\n\"}\n"
		"{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"TestC\",\"Output\":\"    c_test.go:5: got 3, want 4\\n\"}\n"
		"{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"TestC\",\"Output\":\"    c_test.go:6: cleanup done\\n\"}\n"
		"{\"Action\":\"fail\",\"Package\":\"p\",\"Test\":\"TestC\"}\n";
	struct results r;
	struct test *t;

	feed_one(&r, s);
	t = results_test(&r, "p", "TestC", 0);
	CHECK(t && t->nfails == 1 && t->fails[0].line == 4);
	CHECK(t && t->nfails == 1 &&
	      !strcmp(t->fails[0].message, "got 1, want 2\nsecond line"));
	results_release(&r);
}

/* A parallel test's failure line comes from its own last segment, after
 * its "=== CONT", not from what it logged before pausing. */
static void failure_segment(void)
{
	static const char *s =
		"{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"TestP\"}\n"
		"{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"TestP\",\"Output\":\"    p_test.go:3: error budget: 2 expected failures\\n\"}\n"
		"{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"TestP\",\"Output\":\"=== PAUSE TestP\\n\"}\n"
		"{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"TestP\",\"Output\":\"=== CONT  TestP\\n\"}\n"
		"{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"TestP\",\"Output\":\"    p_test.go:9: in /tmp reported /x\\n\"}\n"
		"{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"TestP\",\"Output\":\"    p_test.go:11: want /tmp\\n\"}\n"
		"{\"Action\":\"fail\",\"Package\":\"p\",\"Test\":\"TestP\"}\n";
	struct results r;
	struct test *t;

	feed_one(&r, s);
	t = results_test(&r, "p", "TestP", 0);
	CHECK(t && t->nfails == 1 && t->fails[0].line == 11);
	results_release(&r);
}

/* Feeds each stream (one process each) into one cell of a fresh r. */
static void feed_procs(struct results *r, const char *const *procs, int n,
		       int count, int exit_status)
{
	struct cell c;
	int i;

	results_init(r);
	memset(&c, 0, sizeof(c));
	c.name = cellname;
	c.count = count;
	results_add_cell(r, &c);
	for (i = 0; i < n; i++) {
		struct gtest_agg *a = gtest_agg_new(r, 0, GTEST_DIRECT, 0);

		gtest_agg_expect(a, "p");
		gtest_agg_feed(a, procs[i], strlen(procs[i]));
		gtest_agg_finish(a, exit_status, NULL);
		gtest_agg_free(a);
	}
	results_finish(r);
}

#define EV(action, test) "{\"Action\":\"" action "\",\"Package\":\"p\"" \
	test "}\n"
#define T(name) ",\"Test\":\"" name "\""
#define OUT(text) "{\"Action\":\"output\",\"Package\":\"p\",\"Output\":\"" \
	text "\\n\"}\n"

/* A process that fails while its tests pass fails the package (go test). */
static void package_level(void)
{
	static const char *const after[] = {
		EV("start", "") EV("run", T("TestA")) EV("pass", T("TestA"))
		OUT("PASS") OUT("goleak: found unexpected goroutines")
		EV("fail", ""),
	};
	static const char *const before[] = {
		EV("start", "") OUT("x_test.go:9: no database") EV("fail", ""),
		EV("start", "") EV("run", T("TestA")) EV("pass", T("TestA"))
		OUT("PASS") EV("pass", ""),
	};
	static const char *const nothing[] = { "" };
	struct results r;
	struct test *t, *a;
	struct package *p;

	feed_procs(&r, after, 1, 1, 1);
	t = results_test(&r, "p", RESULTS_PACKAGE_TEST, 0);
	a = results_test(&r, "p", "TestA", 0);
	CHECK(t && t->status == VERDICT_FAILED && test_is_package(t));
	CHECK(t && t->nfails == 1 && t->fails[0].kind == FAIL_EXIT &&
	      strstr(t->fails[0].message, "after its tests passed: goleak"));
	CHECK(a && a->status == VERDICT_PASSED);
	p = results_package(&r, "p", 0);
	CHECK(p && p->status == PKG_FAILED);
	CHECK(r.n_failed == 1 && r.n_pkg_failed == 1 && r.n_tests == 1);
	CHECK(t && t->repro && !strcmp(t->repro, "go test -count=1 p"));
	results_release(&r);

	/* Fails in one process, passes in the next: flaky at package level,
	 * and the pass before the first failure counts too (order). */
	feed_procs(&r, before, 2, 1, 1);
	t = results_test(&r, "p", RESULTS_PACKAGE_TEST, 0);
	CHECK(t && t->status == VERDICT_FLAKY && t->passes == 1 &&
	      t->failures == 1);
	CHECK(t && t->nfails == 1 && t->fails[0].line == 9 &&
	      t->fails[0].file && !strcmp(t->fails[0].file, "x_test.go"));
	CHECK(t && t->repro && strstr(t->repro, "sh -c 'for i in $(seq ") &&
	      strstr(t->repro, "go test -run \"^$\" -count=1 p || exit 1; done'"));
	results_release(&r);
	feed_procs(&r, before + 1, 1, 1, 0);
	CHECK(!results_test(&r, "p", RESULTS_PACKAGE_TEST, 0));
	results_release(&r);

	/* A process that died before saying anything still fails p. */
	feed_procs(&r, nothing, 1, 1, 127);
	t = results_test(&r, "p", RESULTS_PACKAGE_TEST, 0);
	CHECK(t && t->status == VERDICT_FAILED);
	results_release(&r);
}

/* Passes first in each process, fails after: repeat, passed as go test. */
static void state_leak(void)
{
#define RUN3(a, b, c) EV("start", "") \
	EV("run", T("TestR")) EV(a, T("TestR")) \
	EV("run", T("TestR")) EV(b, T("TestR")) \
	EV("run", T("TestR")) EV(c, T("TestR")) EV("fail", "")
	static const char *const leak[] = {
		RUN3("pass", "fail", "fail"), RUN3("pass", "fail", "fail"),
	};
	static const char *const warm[] = {
		RUN3("fail", "pass", "pass"), RUN3("fail", "pass", "pass"),
	};
	static const char *const flaky[] = {
		RUN3("pass", "fail", "fail"), RUN3("pass", "fail", "pass"),
	};
	struct results r;
	struct test *t;

	feed_procs(&r, leak, 2, 3, 1);
	t = results_test(&r, "p", "TestR", 0);
	CHECK(t && t->repeat && !t->first_fails && t->status == VERDICT_PASSED);
	CHECK(t && t->passes == 2 && t->failures == 0);
	CHECK(t && t->nfails && t->fails[0].kind == FAIL_REPEAT);
	CHECK(t && t->repro && strstr(t->repro, "-count=2"));
	CHECK(r.n_repeat == 1 && r.n_flaky == 0);
	results_release(&r);
	feed_procs(&r, warm, 2, 3, 1);
	t = results_test(&r, "p", "TestR", 0);
	CHECK(t && t->repeat && t->first_fails && t->status == VERDICT_FAILED);
	results_release(&r);
	/* Not the same pattern in every process: flaky, not a leak. */
	feed_procs(&r, flaky, 2, 3, 1);
	t = results_test(&r, "p", "TestR", 0);
	CHECK(t && !t->repeat && t->status == VERDICT_FLAKY);
	results_release(&r);
	/* One process is not enough evidence. */
	feed_procs(&r, leak, 1, 3, 1);
	t = results_test(&r, "p", "TestR", 0);
	CHECK(t && !t->repeat && t->status == VERDICT_FLAKY);
	results_release(&r);
}

/* One rule for names: valid UTF-8, bounded, distinct names distinct. */
static void names(void)
{
	char *a = malloc(RESULTS_NAME_MAX + 100), *b, *ca, *cb;

	memset(a, 'x', RESULTS_NAME_MAX + 99);
	a[RESULTS_NAME_MAX + 99] = '\0';
	b = strdup(a);
	b[RESULTS_NAME_MAX + 98] = 'y';
	ca = results_canon_name(a);
	cb = results_canon_name(b);
	CHECK(ca && cb && strlen(ca) <= RESULTS_NAME_MAX &&
	      strlen(cb) <= RESULTS_NAME_MAX && strcmp(ca, cb));
	CHECK(ca && !results_canon_name(ca));	/* idempotent */
	CHECK(!results_canon_name("TestOK/ü"));
	free(cb);
	cb = results_canon_name("Test\xff\xfe");
	CHECK_STR(cb, "Test\xEF\xBF\xBD\xEF\xBF\xBD");
	free(a);
	free(b);
	free(ca);
	free(cb);
}

/* A direct-mode aggregator of package "p" into r (initialised here, one
 * cell): the caller finishes and frees both. */
static struct gtest_agg *direct_agg(struct results *r)
{
	struct cell c;
	struct gtest_agg *a;

	results_init(r);
	memset(&c, 0, sizeof(c));
	c.name = cellname;
	results_add_cell(r, &c);
	a = gtest_agg_new(r, 0, GTEST_DIRECT, 0);
	gtest_agg_expect(a, "p");
	return a;
}

/* The closing line frees a scheduler's slot; a test's "PASS" output
 * does not, nor does a line that only starts with it. */
static void closing(void)
{
	static const char *const cases[][2] = {
		{ EV("start", "") EV("run", T("TestA"))
		  "{\"Action\":\"output\",\"Package\":\"p\",\"Test\":"
		  "\"TestA\",\"Output\":\"PASS\\n\"}\n" EV("pass", T("TestA")), "0" },
		{ EV("start", "") OUT("PASSED nothing"), "0" },
		{ EV("start", "") EV("run", T("TestA")) EV("pass", T("TestA"))
		  OUT("PASS"), "1" },
		{ EV("start", "") EV("run", T("TestA")) EV("fail", T("TestA"))
		  OUT("FAIL"), "1" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct results r;
		struct gtest_agg *a = direct_agg(&r);

		CHECK(!gtest_agg_closing(a));
		gtest_agg_feed(a, cases[i][0], strlen(cases[i][0]));
		CHECK(gtest_agg_closing(a) == (cases[i][1][0] == '1'));
		gtest_agg_finish(a, 0, NULL);
		gtest_agg_free(a);
		results_release(&r);
	}
}

/* gtest_agg_running(): set by a test's run event, not by the
 * converter's start or package output before it. */
static void running(void)
{
	static const char *const steps[][2] = {
		{ EV("start", ""), "0" },
		{ OUT("init output of the package"), "0" },
		{ EV("run", T("TestA")), "1" },
		{ EV("pass", T("TestA")) OUT("PASS"), "1" },
	};
	struct results r;
	struct gtest_agg *a = direct_agg(&r);
	size_t i;

	CHECK(!gtest_agg_running(a));
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		gtest_agg_feed(a, steps[i][0], strlen(steps[i][0]));
		CHECK(gtest_agg_running(a) == (steps[i][1][0] == '1'));
	}
	gtest_agg_finish(a, 0, NULL);
	gtest_agg_free(a);
	results_release(&r);
}

/* gtest_agg_cut(): the collector stopped the process (SIGQUIT) at a hang
 * limit of its own.  The test running then is a timeout, located at its
 * frame in the runtime's goroutine dump, its message the caller's; the
 * same stream uncut is a crash.  A second cut changes nothing. */
static void cut(void)
{
	static const char head[] =
		EV("start", "") EV("run", T("TestA")) EV("pass", T("TestA"))
		EV("run", T("TestB"));
	static const char dump[] =
		OUT("SIGQUIT: quit") OUT("PC=0x46e1a1 m=0 sigcode=0") OUT("")
		OUT("goroutine 7 gp=0xc000003 m=0 mp=0x6d70a0 [select (no cases)]:")
		OUT("p.TestB(0xc0000a2000?)") OUT("\\t/repo/p/b_test.go:9 +0x50")
		OUT("testing.tRunner(0xc0000a2000, 0x592e58)")
		OUT("\\t/usr/local/go/src/testing/testing.go:2036 +0xea")
		OUT("FAIL\\tp\\t1.012s") EV("fail", "");
	int k;

	for (k = 0; k < 2; k++) {
		struct results r;
		struct gtest_agg *a = direct_agg(&r);
		const struct test *ta, *tb;

		r.repo_root = strdup("/repo");
		gtest_agg_feed(a, head, strlen(head));
		if (k) {
			gtest_agg_cut(a, "test timed out after 1s\nstopped by us");
			gtest_agg_cut(a, "a second cut");
		}
		gtest_agg_feed(a, dump, strlen(dump));
		gtest_agg_finish(a, 1, NULL);
		gtest_agg_free(a);
		results_finish(&r);
		ta = results_test(&r, "p", "TestA", 0);
		tb = results_test(&r, "p", "TestB", 0);
		CHECK(ta && ta->status == VERDICT_PASSED);
		CHECK(tb && tb->nfails == 1 &&
		      tb->fails[0].kind == (k ? FAIL_TIMEOUT : FAIL_CRASH));
		if (k && tb && tb->nfails == 1) {
			CHECK(!strcmp(tb->fails[0].message,
				      "test timed out after 1s\nstopped by us"));
			CHECK(tb->fails[0].file &&
			      !strcmp(tb->fails[0].file, "p/b_test.go") &&
			      tb->fails[0].line == 9);
		}
		results_release(&r);
	}
}

/* gtest_agg_drop(): the collector stopped a budget round's process for
 * want of time (SIGKILL, converter and all).  What it finished counts --
 * the held last result too, which is the test's own, not a converter's
 * package end -- the execution it was in counts nowhere, and the death
 * fails nothing; the same stream not dropped, a test open, is a crash. */
static void drop(void)
{
	static const char done2[] =
		EV("start", "") EV("run", T("TestA")) EV("pass", T("TestA"))
		EV("run", T("TestA")) EV("pass", T("TestA"));
	static const char open3[] = EV("run", T("TestA"));
	int k, open;

	for (open = 0; open < 2; open++)
		for (k = 0; k < 2; k++) {
			struct results r;
			struct gtest_agg *a = direct_agg(&r);
			const struct test *t;
			const struct package *p;

			gtest_agg_feed(a, done2, strlen(done2));
			if (open)
				gtest_agg_feed(a, open3, strlen(open3));
			if (k)
				gtest_agg_drop(a);
			gtest_agg_finish(a, 128 + 9, NULL);
			if (k)
				CHECK(gtest_agg_done(a) == 2);
			gtest_agg_free(a);
			results_finish(&r);
			t = results_test(&r, "p", "TestA", 0);
			p = results_package(&r, "p", 0);
			if (k) {
				CHECK(t && t->passes == 2 && t->failures == 0 &&
				      t->nfails == 0 && t->cells[0].unknown == 0);
				CHECK(p && p->status == PKG_OK);
			} else if (open) {
				CHECK(t && t->failures == 1 && t->nfails == 1 &&
				      t->fails[0].kind == FAIL_CRASH);
				CHECK(p && p->status == PKG_FAILED);
			}
			results_release(&r);
		}
}

int main(void)
{
	decode();
	closing();
	running();
	cut();
	drop();
	package_level();
	state_leak();
	names();
	failure_line();
	failure_segment();
	verdicts();
	huge_line();
	return check_done("test_gtest");
}
