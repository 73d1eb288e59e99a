/*
 * fixture.h: the results every output test renders -- a hand-built struct
 * results with every verdict, a package that did not build, a crashed
 * package (notrun), and hostile names, messages and output.  Included by
 * tests/unit/test_out_{md,junit,gha}.c and test_report.c (static
 * functions: each test binary gets its own copy).  `nextra` adds that many
 * flaky tests with hostile names and 2 KiB of output each, to push the
 * outputs past their size limits.
 */
#ifndef TESTS_UNIT_FIXTURE_H
#define TESTS_UNIT_FIXTURE_H

#include <stdio.h>
#include <unistd.h>
#include <signal.h>
#include "core/results.h"
#include "core/err.h"

#include <stdlib.h>
#include <string.h>

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

__attribute__((unused))
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

__attribute__((unused))
static void fx_counts(struct test *t, int cell, int passes, int failures)
{
	struct test_cell *tc = results_test_cell(t, cell);

	tc->passes = passes;
	tc->failures = failures;
	tc->seconds = 0.25 * (passes + failures);
}

__attribute__((unused))
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

__attribute__((unused))
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
__attribute__((unused))
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
__attribute__((unused))
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

/*
 * A stream every write to fails: /dev/full, or where it is missing a pipe
 * whose reading end is closed (EPIPE, SIGPIPE ignored) -- so the
 * write-error tests always run.
 */
static inline FILE *fx_failing_stream(void)
{
	FILE *f = fopen("/dev/full", "w");
	int fds[2];

	if (f)
		return f;
	if (pipe(fds))
		return NULL;
	signal(SIGPIPE, SIG_IGN);
	close(fds[0]);
	return fdopen(fds[1], "w");
}

#endif
