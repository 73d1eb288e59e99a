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

/*
 * Fixture: a hand-built struct results with every verdict, a package that
 * did not build, a crashed package (notrun), and hostile names, messages
 * and output.  `nextra` adds that many flaky tests with hostile names and
 * 2 KiB of output each, to push the outputs past their size limits.
 */
static const char *const hostile[] = {
	"TestEvil/<script>alert(1)</script>",
	"TestEvil/</details>",
	"TestEvil/```",
	"TestEvil/@octocat_#123",
	"TestEvil/]]>",
	"TestEvil/a|b,c:d%0A",
	"TestEvil/bad\xff\xfe\xc3(utf8",
	"TestEvil/ctl\x01\x1b[31mred\x7f\xc2\x9b",
};
#define NHOSTILE (sizeof(hostile) / sizeof(hostile[0]))

static const char hostile_text[] =
	"boom ``` </details> <script>alert(1)</script> @octocat #123 ]]> "
	"a|b *x* _y_ [l](http://e) \x1b[2J\x07 bad\xff utf8 \xe2\x80\xae"
	"rtl\n::error::injected\r\n%0A```````\n</details>\n<details>";

static void fx_cell(struct results *r, const char *name, int race, int gmp)
{
	struct cell c;
	char buf[64];

	memset(&c, 0, sizeof(c));
	snprintf(buf, sizeof(buf), "%s", name);
	c.name = buf;
	c.race = race;
	c.gomaxprocs = gmp;
	c.count = 3;
	c.wall_ms = 61500;
	results_add_cell(r, &c);
}

static void fx_counts(struct test *t, int cell, int passes, int failures)
{
	struct test_cell *tc = results_test_cell(t, cell);

	tc->passes = passes;
	tc->failures = failures;
	tc->seconds = 0.25 * (passes + failures);
}

static void fx_fail(struct test *t, int cell, enum fail_kind kind,
		    const char *file, int line, const char *msg,
		    const char *sig, const char *output, int count)
{
	struct failure f;

	memset(&f, 0, sizeof(f));
	f.cell = cell;
	f.kind = kind;
	f.file = file ? xstrdup(file) : NULL;
	f.line = line;
	f.message = xstrdup(msg);
	f.signature = xstrdup(sig);
	f.output = output ? xstrdup(output) : NULL;
	f.count = count;
	results_add_failure(t, &f);
	free(f.file);
	free(f.message);
	free(f.signature);
	free(f.output);
}

static void fx_build(struct results *r, int nextra)
{
	struct package *p;
	struct test *t;
	char name[256], *out;
	size_t i;
	int c;

	results_init(r);
	fx_cell(r, "race GOMAXPROCS=1", 1, 1);
	fx_cell(r, "race GOMAXPROCS=2", 1, 2);
	fx_cell(r, "GOMAXPROCS=1", 0, 1);
	fx_cell(r, "GOMAXPROCS=2", 0, 2);
	r->wall_ms = 83400;
	r->meta.go_version = xstrdup("go1.22.1");
	r->meta.goos = xstrdup("linux");
	r->meta.goarch = xstrdup("amd64");
	r->meta.commit = xstrdup("0123456789abcdef0123");

	/* flaky only under -race, GOMAXPROCS=2; new */
	p = results_package(r, "example.com/m/pool", 1);
	p->dir = xstrdup("pool");
	t = results_test(r, "example.com/m/pool", "TestGet", 1);
	for (c = 0; c < 4; c++)
		fx_counts(t, c, c == 1 ? 1 : 3, c == 1 ? 2 : 0);
	fx_fail(t, 1, FAIL_RACE, "pool/pool.go", 42,
		"WARNING: DATA RACE\nRead at 0x00c000 by goroutine 7:",
		"race: pool.(*Pool).Get pool/pool.go:42",
		"==================\nWARNING: DATA RACE\n...\n", 2);
	t->new_flaky = 1;
	t = results_test(r, "example.com/m/pool", "TestPut", 1);
	for (c = 0; c < 4; c++)
		fx_counts(t, c, 3, 0);

	/* hostile subtests: even ones fail everywhere, odd ones are flaky;
	 * their parent fails only through them */
	p = results_package(r, "example.com/m/names", 1);
	p->dir = xstrdup("names");
	t = results_test(r, "example.com/m/names", "TestEvil", 1);
	for (c = 0; c < 4; c++) {
		fx_counts(t, c, 0, 3);
		fx_fail(t, c, FAIL_ASSERT, NULL, 0, "subtest failed",
			"subtest failed", NULL, 3);
	}
	for (i = 0; i < NHOSTILE; i++) {
		t = results_test(r, "example.com/m/names", hostile[i], 1);
		for (c = 0; c < 4; c++) {
			int odd = (int)(i % 2), bad = !odd || c == 0;

			fx_counts(t, c, bad ? odd : 3, bad ? 3 - odd : 0);
			if (bad)
				fx_fail(t, c, FAIL_ASSERT, "names/names_test.go",
					17, hostile_text, hostile[i],
					hostile_text, 3 - odd);
		}
	}

	/* a crash: TestBoom panics, TestAfter never ran */
	p = results_package(r, "example.com/m/crash", 1);
	p->dir = xstrdup("crash");
	t = results_test(r, "example.com/m/crash", "TestBoom", 1);
	for (c = 0; c < 4; c++) {
		fx_counts(t, c, 0, 3);
		fx_fail(t, c, FAIL_PANIC, "crash/crash_test.go", 12,
			"panic: boom [recovered]", "panic: boom",
			"goroutine 1 [running]:\nmain.f()\n", 3);
		results_pkg_cell(p, c)->crashed = 1;
	}
	t = results_test(r, "example.com/m/crash", "TestAfter", 1);

	/* skipped */
	t = results_test(r, "example.com/m/pool", "TestSkip", 1);
	results_test_cell(t, 0)->skips = 3;

	/* did not build */
	p = results_package(r, "example.com/m/broken", 1);
	p->status = PKG_BUILD_FAILED;
	p->error = xstrdup("broken/x.go:3:1: syntax error: unexpected }\n"
			   "<script>alert(1)</script> ``` @octocat #123\n");

	/* many flaky tests with hostile names */
	out = xmalloc(2049);
	for (i = 0; i < 2048; i++)
		out[i] = "ab`<@#|\n"[i % 8];
	out[2048] = '\0';
	for (i = 0; i < (size_t)nextra; i++) {
		snprintf(name, sizeof(name),
			 "TestMany%05zu/<script>`@x`#1|</details>", i);
		t = results_test(r, "example.com/m/many", name, 1);
		fx_counts(t, 0, 2, 1);
		fx_counts(t, 1, 3, 0);
		fx_fail(t, 0, FAIL_TIMEOUT, "many/many_test.go", (int)i + 1,
			hostile_text, name, out, 1);
	}
	free(out);
	results_finish(r);
}

/* 1 when s[0..n) is valid UTF-8. */
static int fx_valid_utf8(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, len, k;
	unsigned long c;

	while (i < n) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		if (u[i] < 0xC2 || u[i] > 0xF4)
			return 0;
		len = u[i] < 0xE0 ? 2 : u[i] < 0xF0 ? 3 : 4;
		if (i + len > n)
			return 0;
		c = u[i] & (len == 2 ? 0x1Fu : len == 3 ? 0x0Fu : 0x07u);
		for (k = 1; k < len; k++) {
			if ((u[i + k] & 0xC0) != 0x80)
				return 0;
			c = (c << 6) | (u[i + k] & 0x3Fu);
		}
		if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
		    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
			return 0;
		i += len;
	}
	return 1;
}

/* 1 when s[0..n) holds no control character but those in `allowed`. */
static int fx_no_controls(const char *s, size_t n, const char *allowed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 || c == 0x7F) && !(c && strchr(allowed, c)))
			return 0;
	}
	return 1;
}

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
	totals = strstr(s, "14 tests: 6 failed, 5 flaky, 1 passed, 1 skipped, "
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
	CHECK_STR(s, "1 tests: 0 failed, 0 flaky, 1 passed, 0 skipped, "
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
	FILE *f = fopen("/dev/full", "w");

	if (!f) {
		fprintf(stderr, "test_report: no /dev/full, skipped\n");
		return;
	}
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
