/*
 * test_report.c: the terminal report.  Checks the order (failed, flaky,
 * via-subtest parents on one line, build errors, totals), the per-cell
 * breakdown, that colour appears only when asked for, and that no control
 * character from a test reaches the terminal.
 */
#include "core/report.h"
#include "core/results.h"
#include "core/err.h"
#include "tests/unit/check.h"

#include <stdlib.h>
#include <string.h>

#include "tests/unit/fixture.h"

static char *report(const struct results *r, int color, int *rc)
{
	FILE *f = tmpfile();
	char *s;
	long n;

	CHECK(f != NULL);
	*rc = report_terminal(r, f, color);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = xmalloc((size_t)n + 1);
	s[fread(s, 1, (size_t)n, f)] = '\0';
	fclose(f);
	return s;
}

static void test_plain(void)
{
	struct results r;
	const char *boom, *get, *evil, *parents, *build, *totals;
	char *s;
	int rc;

	fx_build(&r, 0);
	s = report(&r, 0, &rc);
	CHECK(rc == 0);
	CHECK(fx_valid_utf8(s, strlen(s)));
	CHECK(fx_no_controls(s, strlen(s), "\n\t"));
	CHECK(strchr(s, '\033') == NULL);
	/* C1 CSI (U+009B) is a control too */
	CHECK(strstr(s, "\xc2\x9b") == NULL);
	CHECK(strstr(s, "\xe2\x80\xae") == NULL);

	boom = strstr(s, "FAILED  TestBoom  example.com/m/crash\n"
		      "    failed, 12/12 executions failed\n"
		      "    per cell (passes/failures):\n"
		      "      race GOMAXPROCS=1: 0/3\n");
	CHECK(boom == s);
	CHECK(strstr(s, "    panic at crash/crash_test.go:12 in race "
		     "GOMAXPROCS=1 (x3), race GOMAXPROCS=2 (x3), GOMAXPROCS=1 "
		     "(x3), GOMAXPROCS=2 (x3)\n"
		     "      signature: panic: boom\n"
		     "      | panic: boom [recovered]\n"
		     "    repro: GOMAXPROCS=1 go test -race -run '^TestBoom$' "
		     "-count=1 ./crash\n\n") != NULL);
	get = strstr(s, "FLAKY   TestGet  example.com/m/pool  (new)\n"
		     "    flaky, 2/12 executions failed\n"
		     "    per cell (passes/failures):\n"
		     "      race GOMAXPROCS=1: 3/0\n"
		     "      race GOMAXPROCS=2: 1/2\n"
		     "      GOMAXPROCS=1: 3/0\n"
		     "      GOMAXPROCS=2: 3/0\n"
		     "    where: only under -race, GOMAXPROCS=2\n"
		     "    race at pool/pool.go:42 in race GOMAXPROCS=2 (x2)\n"
		     "      signature: race: pool.(*Pool).Get pool/pool.go:42\n"
		     "      | WARNING: DATA RACE\n"
		     "      | Read at 0x00c000 by goroutine 7:\n"
		     "    repro: GOMAXPROCS=2 go test -race -run '^TestGet$' "
		     "-count=10 ./pool\n\n");
	CHECK(get != NULL);
	/* a message of 5 lines is shown whole; CR LF is one break */
	CHECK(strstr(s, "      | ::error::injected\n      | %0A```````\n"
		     "      | </details>\n      | <details>\n    repro: ")
	      != NULL);
	/* control characters stripped from names */
	CHECK(strstr(s, "TestEvil/ctl[31mred  example.com") != NULL);
	CHECK(strstr(s, "TestEvil/bad\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
		     "(utf8") != NULL);
	/* the parent is not a block of its own, only on the folded line */
	evil = strstr(s, "FAILED  TestEvil  ");
	CHECK(evil == NULL);
	parents = strstr(s, "also failed via subtests: TestEvil "
			 "(example.com/m/names)\n\n");
	build = strstr(s, "BUILD FAILED  example.com/m/broken\n"
		       "      | broken/x.go:3:1: syntax error: unexpected }\n"
		       "      | <script>alert(1)</script> ``` @octocat #123\n\n");
	totals = strstr(s, "13 tests: 5 failed, 5 flaky, 1 passed, 1 skipped, "
			"1 notrun — 147 executions in 4 cells, 83.4 s\n");
	CHECK(parents && build && totals);
	/* order: failed, flaky, parents, build errors, totals (last) */
	CHECK(boom && get && boom < get);
	CHECK(strstr(s, "FLAKY") > strstr(s, "FAILED  TestEvil/bad"));
	CHECK(get && parents && get < parents);
	CHECK(parents && build && parents < build);
	CHECK(build && totals && build < totals);
	CHECK(totals && totals[strlen(totals) - 1] == '\n' &&
	      strchr(totals, '\n') == totals + strlen(totals) - 1);
	free(s);
	results_release(&r);
}

static void test_color(void)
{
	struct results r;
	char *s;
	int rc;

	fx_build(&r, 0);
	s = report(&r, 1, &rc);
	CHECK(rc == 0);
	CHECK(strstr(s, "\033[1;31mFAILED\033[0m  \033[1mTestBoom\033[0m")
	      != NULL);
	CHECK(strstr(s, "\033[1;33mFLAKY \033[0m") != NULL);
	/* the only ESCs are ours: each starts "\033[" + digits/';' + 'm' */
	{
		const char *p;
		int ok = 1;

		for (p = strchr(s, '\033'); p; p = strchr(p + 1, '\033')) {
			size_t n = strspn(p + 2, "0123456789;");

			ok &= p[1] == '[' && p[2 + n] == 'm' &&
			      (!strncmp(p, "\033[0m", 4) ||
			       !strncmp(p, "\033[1m", 4) ||
			       !strncmp(p, "\033[2m", 4) ||
			       !strncmp(p, "\033[1;3", 5));
		}
		CHECK(ok);
	}
	free(s);
	s = report(&r, 2, &rc);
	CHECK(strchr(s, '\033') == NULL);
	free(s);
	results_release(&r);
}

static void test_clean_run(void)
{
	struct results r;
	struct cell c;
	struct test *t;
	char name[] = "default", *s;
	int rc;

	results_init(&r);
	memset(&c, 0, sizeof(c));
	c.name = name;
	c.count = 2;
	results_add_cell(&r, &c);
	r.wall_ms = 1500;
	t = results_test(&r, "example.com/ok", "TestOK", 1);
	results_test_cell(t, 0)->passes = 2;
	results_finish(&r);
	s = report(&r, 0, &rc);
	CHECK(rc == 0);
	CHECK_STR(s, "1 test: 0 failed, 0 flaky, 1 passed, 0 skipped, "
		  "0 notrun — 2 executions in 1 cell, 1.5 s\n");
	free(s);
	results_release(&r);
}

static void test_long_message(void)
{
	struct results r;
	struct cell c;
	struct test *t;
	char name[] = "default", *s;
	int rc;

	results_init(&r);
	memset(&c, 0, sizeof(c));
	c.name = name;
	c.count = 1;
	results_add_cell(&r, &c);
	t = results_test(&r, "example.com/x", "TestLong", 1);
	fx_counts(t, 0, 0, 1);
	fx_fail(t, 0, FAIL_TIMEOUT, NULL, 0, "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8",
		"", NULL, 1);
	results_finish(&r);
	s = report(&r, 0, &rc);
	CHECK(rc == 0);
	CHECK(strstr(s, "    timeout in default (x1)\n      | l1\n") != NULL);
	CHECK(strstr(s, "      | l5\n      | …\n    repro: ") != NULL);
	CHECK(strstr(s, "l6") == NULL);
	CHECK(strstr(s, "signature") == NULL);
	free(s);
	results_release(&r);
}

static void test_write_error(void)
{
	struct results r;
	FILE *f = fx_failing_stream();

	CHECK(f != NULL);
	if (!f)
		return;
	fx_build(&r, 100);
	CHECK(report_terminal(&r, f, 0) == -1);
	fclose(f);
	results_release(&r);
}

int main(void)
{
	test_plain();
	test_color();
	test_clean_run();
	test_long_message();
	test_write_error();
	return check_done("test_report");
}
