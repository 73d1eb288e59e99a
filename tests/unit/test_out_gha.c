/*
 * test_out_gha.c: workflow-command annotations and step outputs.  Checks
 * the per-kind maximum and the notice, the order (build errors, failed,
 * flaky; real tests before via-subtest parents; more failures first), and
 * that no untrusted text escapes its field or its line.
 */
#include "core/out_gha.h"
#include "core/results.h"
#include "core/err.h"
#include "tests/unit/check.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static char *slurp(FILE *f)
{
	char *s;
	long n;

	fflush(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = xmalloc((size_t)n + 1);
	s[fread(s, 1, (size_t)n, f)] = '\0';
	return s;
}

/* Runs out_gha_annotations into memory; *rc gets its result. */
static char *annotate(const struct results *r, int max_err, int max_warn,
		      int *rc)
{
	FILE *f = tmpfile();
	char *s;

	CHECK(f != NULL);
	*rc = out_gha_annotations(r, f, max_err, max_warn);
	s = slurp(f);
	fclose(f);
	return s;
}

/*
 * Every line is one workflow command whose properties hold no raw ':' or
 * ',' inside values.  Counts ::error and ::warning lines.
 */
static int check_commands(const char *s, int *nerr, int *nwarn, int *nnote)
{
	const char *line = s;

	*nerr = *nwarn = *nnote = 0;
	while (*line) {
		const char *nl = strchr(line, '\n');
		const char *props, *sep, *p;

		if (!nl)
			return -1;
		if (!strncmp(line, "::error ", 8))
			(*nerr)++;
		else if (!strncmp(line, "::warning ", 10))
			(*nwarn)++;
		else if (!strncmp(line, "::notice ", 9))
			(*nnote)++;
		else
			return -1;
		props = strchr(line, ' ') + 1;
		sep = strstr(props, "::");
		if (!sep || sep > nl)
			return -1;
		/* properties: k=v,k=v with no ':' and no ',' inside a value */
		for (p = props; p < sep; ) {
			size_t k = strcspn(p, "=");
			size_t v;

			if (p + k >= sep)
				return -1;
			p += k + 1;
			v = strcspn(p, ",:");
			if (p + v < sep && p[v] == ':')
				return -1;
			p += v + (p + v < sep);
		}
		for (p = line; p < nl; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7F)
				return -1;
		line = nl + 1;
	}
	return 0;
}

static void test_annotations(void)
{
	struct results r;
	const char *get, *evil, *boom, *build;
	int rc, nerr, nwarn, nnote;
	char *s;

	fx_build(&r, 0);
	s = annotate(&r, 10, 10, &rc);
	CHECK(check_commands(s, &nerr, &nwarn, &nnote) == 0);
	CHECK(fx_valid_utf8(s, strlen(s)));
	CHECK(fx_no_controls(s, strlen(s), "\n"));
	/* build + 6 failed tests; 5 flaky; nothing dropped */
	CHECK(rc == 12);
	CHECK(nerr == 7);
	CHECK(nwarn == 5);
	CHECK(nnote == 0);
	get = strstr(s, "::warning file=pool/pool.go,line=42,title=flaky%3A "
		     "TestGet (2/12 failed%2C only under -race%2C "
		     "GOMAXPROCS=2)::race: WARNING: DATA RACE%0Asignature: "
		     "race: pool.(*Pool).Get pool/pool.go:42%0Apackage: "
		     "example.com/m/pool%0Arepro: GOMAXPROCS=2 go test -race "
		     "-run '^TestGet$' -count=10 ./pool\n");
	CHECK(get != NULL);
	build = strstr(s, "::error title=build failed%3A example.com/m/broken::"
		       "example.com/m/broken did not build%0Abroken/x.go:3:1: "
		       "syntax error: unexpected }%0A<script>");
	CHECK(build == s);
	boom = strstr(s, "::error file=crash/crash_test.go,line=12,title="
		      "failed%3A TestBoom (12/12 failed)::panic: boom "
		      "[recovered]%0Asignature: panic: boom%0A");
	CHECK(boom != NULL);
	/* the via-subtest parent comes last among the errors, without file */
	evil = strstr(s, "::error title=failed%3A TestEvil (12/12 failed%2C "
		      "via a subtest)::fail: subtest failed%0Apackage: ");
	CHECK(evil != NULL);
	CHECK(boom && evil && boom < evil);
	CHECK(evil && strstr(evil + 1, "::error ") == NULL);
	/* escaping: name with , : % in a property; % CR LF in data */
	CHECK(strstr(s, "title=flaky%3A TestEvil/a|b%2Cc%3Ad%250A (") != NULL);
	CHECK(strstr(s, "%0A::error::injected") == NULL);
	CHECK(strstr(s, "TestEvil/bad\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
		     "(utf8") != NULL);
	CHECK(strstr(s, "TestEvil/ctl[31mred (") != NULL);
	/* a message's first line only; the rest is cut with "…" */
	CHECK(strstr(s, "::fail: boom ``` </details>") != NULL);
	/* bidirectional overrides are replaced */
	CHECK(strstr(s, "\xe2\x80\xae") == NULL);
	CHECK(strstr(s, " utf8 \xEF\xBF\xBDrtl%0Asignature") != NULL);
	free(s);
	results_release(&r);
}

static void test_limits(void)
{
	struct results r;
	const char *p, *last = NULL;
	int rc, nerr, nwarn, nnote, prev = 1 << 30;
	char *s;

	fx_build(&r, 40);
	s = annotate(&r, 5, 10, &rc);
	CHECK(check_commands(s, &nerr, &nwarn, &nnote) == 0);
	CHECK(rc == 15);
	CHECK(nerr == 5);
	CHECK(nwarn == 10);
	CHECK(nnote == 1);
	CHECK(strstr(s, "::notice title=flake-action::2 more failures and 35 "
		     "more flaky tests were not annotated (at most 5 errors "
		     "and 10 warnings per step); see the job summary\n")
	      != NULL);
	/* the parent that failed only via subtests was the one dropped */
	CHECK(strstr(s, "TestEvil (12/12 failed%2C via a subtest)") == NULL);
	CHECK(strstr(s, "TestBoom (12/12") != NULL);
	/* warnings in descending failure counts: the hostile flaky tests
	 * (2 failures) before the many (1 failure) */
	for (p = strstr(s, "::warning "); p; p = strstr(p + 1, "::warning ")) {
		const char *q = strstr(p, " failed");
		int k = 0;

		while (q > p && q[-1] != '(')
			q--;
		k = (int)strtol(q, NULL, 10);
		CHECK(k <= prev);
		prev = k;
		last = p;
	}
	CHECK(last != NULL);
	free(s);

	s = annotate(&r, 0, -1, &rc);
	CHECK(check_commands(s, &nerr, &nwarn, &nnote) == 0);
	CHECK(rc == 0);
	CHECK(nerr == 0 && nwarn == 0 && nnote == 1);
	CHECK(strstr(s, "::notice title=flake-action::7 more failures and 45 "
		     "more flaky tests") != NULL);
	free(s);
	results_release(&r);
}

static void test_write_error(void)
{
	struct results r;
	FILE *f = fopen("/dev/full", "w");

	if (!f) {
		fprintf(stderr, "test_out_gha: no /dev/full, skipped\n");
		return;
	}
	fx_build(&r, 0);
	CHECK(out_gha_annotations(&r, f, 10, 10) == -1);
	fclose(f);
	results_release(&r);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s;

	CHECK(f != NULL);
	if (!f)
		return xstrdup("");
	s = slurp(f);
	fclose(f);
	return s;
}

static void test_outputs(void)
{
	struct results r;
	struct err err = ERR_INIT;
	char path[] = "/tmp/test_out_gha.XXXXXX", delim[64], want[256];
	const char *p;
	char *s;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	CHECK(write(fd, "before=1\n", 9) == 9);
	close(fd);
	fx_build(&r, 0);
	CHECK(out_gha_outputs(&r, "out/results.json", path, &err) == 0);
	s = read_file(path);
	CHECK_STR(s, "before=1\nflaky-count=5\nfailed-count=6\n"
		  "results-path=out/results.json\n");
	free(s);

	/* a newline in a value: heredoc with a random delimiter */
	CHECK(out_gha_outputs(&r, "odd\ndir/r.json", path, &err) == 0);
	s = read_file(path);
	p = strstr(s, "results-path<<ghadelim_");
	CHECK(p != NULL);
	if (p) {
		size_t n = strcspn(p + 14, "\n");

		CHECK(n == 25 && n < sizeof(delim));
		memcpy(delim, p + 14, n);
		delim[n] = '\0';
		snprintf(want, sizeof(want), "results-path<<%s\nodd\ndir/"
			 "r.json\n%s\n", delim, delim);
		CHECK_STR(p, want);
	}
	free(s);

	/* not under Actions: nothing to do */
	CHECK(out_gha_outputs(&r, "x", NULL, &err) == 0);
	CHECK(out_gha_outputs(&r, "x", "", &err) == 0);
	/* no results path: only the counts */
	CHECK(truncate(path, 0) == 0);
	CHECK(out_gha_outputs(&r, NULL, path, &err) == 0);
	s = read_file(path);
	CHECK_STR(s, "flaky-count=5\nfailed-count=6\n");
	free(s);
	unlink(path);

	CHECK(out_gha_outputs(&r, "x", "/nonexistent/dir/out", &err) == -1);
	CHECK(strstr(err.msg, "cannot open '/nonexistent/dir/out': ") != NULL);
	if (access("/dev/full", W_OK) == 0) {
		memset(&err, 0, sizeof(err));
		CHECK(out_gha_outputs(&r, "x", "/dev/full", &err) == -1);
		CHECK(strstr(err.msg, "cannot write '/dev/full': ") != NULL);
	}
	results_release(&r);
}

int main(void)
{
	test_annotations();
	test_limits();
	test_write_error();
	test_outputs();
	return check_done("test_out_gha");
}
