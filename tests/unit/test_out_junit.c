/*
 * test_out_junit.c: the JUnit XML.  Checks content and escaping, and that
 * the document is well-formed: with xmllint when it is installed, and
 * always with a small tag-balance checker.
 */
#include "core/out_junit.h"
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

/* Writes r as JUnit into a temporary file; returns its malloc'd contents
 * and leaves the file's name in path. */
static char *render(const struct results *r, char *path, size_t *len)
{
	struct err err = ERR_INIT;
	FILE *f;
	char *s;
	long n;
	int fd;

	snprintf(path, 64, "/tmp/test_out_junit.XXXXXX");
	fd = mkstemp(path);
	CHECK(fd >= 0);
	f = fdopen(fd, "w+");
	CHECK(f != NULL);
	CHECK(out_junit_write(r, f, &err) == 0);
	CHECK(fseek(f, 0, SEEK_END) == 0);
	n = ftell(f);
	rewind(f);
	s = xmalloc((size_t)n + 1);
	*len = fread(s, 1, (size_t)n, f);
	s[*len] = '\0';
	fclose(f);
	return s;
}

/*
 * A minimal well-formedness check: tags balance, attribute values are
 * quoted, no raw '<' or '&' in text, only the five predefined entities
 * and character references.  Returns 0 when the document passes.
 */
static int check_xml(const char *s, size_t len)
{
	char stack[64][64];
	int depth = 0, root_closed = 0;
	const char *p = s, *end = s + len;

	if (strncmp(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39))
		return -1;
	p += 39;
	while (p < end) {
		if (*p == '&') {
			size_t k = strspn(p + 1, "#0123456789abcdefghijklmnop"
					  "qrstuvwxyz");

			if (p[1 + k] != ';' || !(p[1] == '#' ||
			    !strncmp(p, "&lt;", 4) || !strncmp(p, "&gt;", 4) ||
			    !strncmp(p, "&amp;", 5) ||
			    !strncmp(p, "&quot;", 6) ||
			    !strncmp(p, "&apos;", 6)))
				return -1;
			p += k + 2;
			continue;
		}
		if (*p == '>')
			return -1;
		if (*p != '<') {
			if (depth == 0 && *p != '\n')
				return -1;
			p++;
			continue;
		}
		if (root_closed)
			return -1;
		if (p[1] == '/') {
			size_t n = strcspn(p + 2, ">");

			if (!depth || strlen(stack[depth - 1]) != n ||
			    strncmp(stack[depth - 1], p + 2, n))
				return -1;
			depth--;
			root_closed = depth == 0;
			p += n + 3;
			continue;
		}
		{
			size_t n = strcspn(p + 1, " />");
			const char *q = p + 1 + n;

			if (!n || n >= sizeof(stack[0]) || depth >= 64)
				return -1;
			/* attributes: name="value" with no '<' inside */
			while (*q == ' ') {
				q += strcspn(q, "=");
				if (q[1] != '"')
					return -1;
				q += 2;
				q += strcspn(q, "\"<");
				if (*q != '"')
					return -1;
				q++;
			}
			if (*q == '/' && q[1] == '>') {
				p = q + 2;
				continue;
			}
			if (*q != '>')
				return -1;
			memcpy(stack[depth], p + 1, n);
			stack[depth++][n] = '\0';
			p = q + 1;
		}
	}
	return depth == 0 && root_closed ? 0 : -1;
}

static int have_xmllint(void)
{
	return system("command -v xmllint >/dev/null 2>&1") == 0;
}

static void check_wellformed(const char *path, const char *s, size_t len)
{
	char cmd[256];

	CHECK(fx_valid_utf8(s, len));
	CHECK(fx_no_controls(s, len, "\n"));
	CHECK(check_xml(s, len) == 0);
	if (have_xmllint()) {
		snprintf(cmd, sizeof(cmd), "xmllint --noout '%s'", path);
		CHECK(system(cmd) == 0);
	} else {
		fprintf(stderr, "test_out_junit: xmllint not found, "
			"structural check only\n");
	}
}

/* Occurrences of needle in s.  A plain scan: repeated strstr() is
 * quadratic under ASan, whose interceptor measures the haystack. */
static size_t count(const char *s, const char *needle)
{
	size_t n = 0, k = strlen(needle);

	for (; *s; s++)
		n += *s == *needle && !strncmp(s, needle, k);
	return n;
}

static void test_content(void)
{
	struct results r;
	char path[64];
	size_t len;
	char *s;
	const char *pool;

	fx_build(&r, 0);
	s = render(&r, path, &len);
	check_wellformed(path, s, len);
	CHECK(strstr(s, "<testsuites name=\"flake-action\" tests=\"15\" "
		     "failures=\"6\" errors=\"1\" skipped=\"2\" time=\"83.400\">")
	      != NULL);
	pool = strstr(s, "<testsuite name=\"example.com/m/pool\" tests=\"3\" "
		      "failures=\"0\" errors=\"0\" skipped=\"1\" time=\"");
	CHECK(pool != NULL);
	/* suites in import-path order */
	CHECK(strstr(s, "name=\"example.com/m/broken\"") <
	      strstr(s, "name=\"example.com/m/crash\""));
	CHECK(strstr(s, "<testcase classname=\"example.com/m/pool\" "
		     "name=\"TestPut\" time=\"3.000\"/>") != NULL);
	CHECK(strstr(s, "name=\"TestSkip\" time=\"0.000\">\n      "
		     "<skipped/>\n") != NULL);
	CHECK(strstr(s, "name=\"TestAfter\" time=\"0.000\">\n      <skipped "
		     "message=\"not run: the test process died before this "
		     "test started\"/>") != NULL);
	CHECK(strstr(s, "name=\"[build failed]\" time=\"0.000\">\n      <error "
		     "message=\"package did not build\" type=\"build\">broken/"
		     "x.go:3:1: syntax error: unexpected }\n&lt;script&gt;")
	      != NULL);
	CHECK(strstr(s, "<failure message=\"panic: boom [recovered]\" "
		     "type=\"panic\">12 of 12 runs failed") != NULL);
	CHECK(strstr(s, "<flakyFailure message=\"WARNING: DATA RACE\" "
		     "type=\"race\">\n        <stackTrace>race in race "
		     "GOMAXPROCS=2 (x2) at pool/pool.go:42\nrace: "
		     "pool.(*Pool).Get pool/pool.go:42</stackTrace>\n        "
		     "<system-out>") != NULL);
	/* a flaky test passes: no <failure> inside it */
	CHECK(strstr(s, "name=\"TestGet\" time=\"3.000\">\n      "
		     "<flakyFailure") != NULL);
	/* one flakyFailure per distinct failure; failed tests one failure */
	CHECK(count(s, "<flakyFailure ") == 5);
	CHECK(count(s, "<failure ") == 6);
	/* hostile names escaped, invalid UTF-8 replaced */
	CHECK(strstr(s, "<script") == NULL);
	CHECK(strstr(s, "]]>") == NULL);
	CHECK(strstr(s, "name=\"TestEvil/&lt;script&gt;alert(1)&lt;/script"
		     "&gt;\"") != NULL);
	CHECK(strstr(s, "name=\"TestEvil/bad\xEF\xBF\xBD\xEF\xBF\xBD"
		     "\xEF\xBF\xBD(utf8\"") != NULL);
	CHECK(strstr(s, "name=\"TestEvil/ctl\xEF\xBF\xBD\xEF\xBF\xBD[31mred")
	      != NULL);
	CHECK(strstr(s, "<system-out>repro: GOMAXPROCS=2 go test -race -run "
		     "&#39;^TestGet$&#39; -count=") != NULL);
	free(s);
	unlink(path);
	results_release(&r);
}

static void test_big(void)
{
	struct results r;
	char path[64];
	size_t len;
	char *s;

	fx_build(&r, 5000);
	s = render(&r, path, &len);
	check_wellformed(path, s, len);
	CHECK(count(s, "<testcase ") == 5015);
	free(s);
	unlink(path);
	results_release(&r);
}

static void test_empty(void)
{
	struct results r;
	char path[64];
	size_t len;
	char *s;

	results_init(&r);
	/* Nothing to derive.  (results_finish() on an empty run calls
	 * qsort(NULL, 0, ...), which UBSan rejects: reported.) */
	r.finished = 1;
	s = render(&r, path, &len);
	check_wellformed(path, s, len);
	CHECK(strstr(s, "tests=\"0\"") != NULL);
	free(s);
	unlink(path);
	results_release(&r);
}

static void test_write_error(void)
{
	struct results r;
	struct err err = ERR_INIT;
	FILE *f = fopen("/dev/full", "w");

	if (!f) {
		fprintf(stderr, "test_out_junit: no /dev/full, skipped\n");
		return;
	}
	fx_build(&r, 50);
	CHECK(out_junit_write(&r, f, &err) == -1);
	CHECK(strstr(err.msg, "cannot write JUnit XML: ") != NULL);
	fclose(f);
	results_release(&r);
}

int main(void)
{
	test_content();
	test_big();
	test_empty();
	test_write_error();
	return check_done("test_out_junit");
}
