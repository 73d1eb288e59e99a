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
	struct gtest_agg *a;
	struct cell c;
	struct test *t;

	results_init(&r);
	memset(&c, 0, sizeof(c));
	c.name = cellname;
	results_add_cell(&r, &c);
	a = gtest_agg_new(&r, 0, 0, 0);
	gtest_agg_feed(a, s, strlen(s));
	gtest_agg_finish(a, 1, NULL);
	gtest_agg_free(a);
	results_finish(&r);
	t = results_test(&r, "p", "TestC", 0);
	CHECK(t && t->nfails == 1 && t->fails[0].line == 4);
	CHECK(t && t->nfails == 1 &&
	      !strcmp(t->fails[0].message, "got 1, want 2\nsecond line"));
	results_release(&r);
}

int main(void)
{
	decode();
	failure_line();
	verdicts();
	huge_line();
	return check_done("test_gtest");
}
