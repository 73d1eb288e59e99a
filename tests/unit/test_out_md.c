/*
 * test_out_md.c: the step-summary markdown and its escapers.  Asserts the
 * structural invariants on every render: valid UTF-8, fences balanced and
 * never closed by content, no raw HTML but our own tags, no raw backtick,
 * mention or issue link outside fences, table rows of constant width,
 * <details> balanced -- at many size limits, with and without a cut.
 */
#include "core/out_md.h"
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

static int starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Checks one line outside any fence; returns 0 when fine. */
static int check_outside_line(const char *l, size_t n)
{
	static const char *const tags[] = {
		"<details>", "</details>", "<summary>", "</summary>", "<b>",
		"</b>", "<code>", "</code>", "<sub>", "</sub>",
	};
	size_t i, k;

	for (i = 0; i < n; i++) {
		if (l[i] == '&') {
			k = strspn(l + i + 1, "#0123456789abcdefghijklmnop"
				   "qrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
			if (l[i + 1 + k] != ';') {
				fprintf(stderr, "raw '&': %.*s\n", (int)n, l);
				return -1;
			}
			i += k + 1;
			continue;
		}
		if (l[i] == '`') {
			fprintf(stderr, "raw backtick outside fence: %.*s\n",
				(int)n, l);
			return -1;
		}
		if (l[i] == '@' && i + 1 < n && l[i + 1] != '&') {
			fprintf(stderr, "raw mention: %.*s\n", (int)n, l);
			return -1;
		}
		if (l[i] == '#' && i + 1 < n && l[i + 1] >= '0' &&
		    l[i + 1] <= '9') {
			fprintf(stderr, "raw issue link: %.*s\n", (int)n, l);
			return -1;
		}
		if (l[i] != '<')
			continue;
		for (k = 0; k < sizeof(tags) / sizeof(tags[0]); k++)
			if (!strncmp(l + i, tags[k], strlen(tags[k])))
				break;
		if (k == sizeof(tags) / sizeof(tags[0])) {
			fprintf(stderr, "raw '<' outside fence: %.*s\n",
				(int)n, l);
			return -1;
		}
	}
	return 0;
}

static size_t count_pipes(const char *l, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += l[i] == '|';
	return k;
}

/* All structural invariants of a rendered summary; 0 when they hold. */
static int check_md(const char *md, size_t len)
{
	const char *p = md, *end = md + len;
	size_t fence = 0, pipes = 0;
	int details = 0, in_table = 0, rc = 0;

	if (!fx_valid_utf8(md, len)) {
		fprintf(stderr, "invalid UTF-8\n");
		return -1;
	}
	if (!fx_no_controls(md, len, "\n")) {
		fprintf(stderr, "control character\n");
		return -1;
	}
	if (len && md[len - 1] != '\n') {
		fprintf(stderr, "does not end with a newline\n");
		return -1;
	}
	while (p < end && !rc) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t ticks = strspn(p, "`");

		if (ticks > n)
			ticks = n;
		if (fence) {
			if (ticks >= fence && ticks == n)
				fence = 0;
		} else if (ticks >= 3) {
			if (memchr(p + ticks, '`', n - ticks)) {
				fprintf(stderr, "backtick in info string\n");
				rc = -1;
			}
			fence = ticks;
			in_table = 0;
		} else {
			rc = check_outside_line(p, n);
			if (n && p[0] == '|') {
				if (!in_table)
					pipes = count_pipes(p, n);
				else if (count_pipes(p, n) != pipes) {
					fprintf(stderr, "table row width: "
						"%.*s\n", (int)n, p);
					rc = -1;
				}
				in_table = 1;
			} else {
				in_table = 0;
			}
			if (starts(p, "<details>"))
				details++;
			if (starts(p, "</details>"))
				details--;
			if (details < 0 || details > 1) {
				fprintf(stderr, "<details> nesting\n");
				rc = -1;
			}
		}
		p += n + 1;
	}
	if (!rc && fence) {
		fprintf(stderr, "unclosed fence\n");
		rc = -1;
	}
	if (!rc && details) {
		fprintf(stderr, "unclosed <details>\n");
		rc = -1;
	}
	return rc;
}

static void test_escape_inline(void)
{
	struct buf b = BUF_INIT(1 << 16), small = BUF_INIT(8);
	static const char in[] = "a|b`c*_[x]<s>&#1 @u \x01\n\xff\xe2\x80\xae.";

	CHECK(md_escape_inline(&b, in, sizeof(in) - 1) == 0);
	CHECK_STR(buf_str(&b), "a&#124;b&#96;c&#42;&#95;&#91;x&#93;&lt;s&gt;"
		  "&amp;&#35;&#8203;1 &#64;&#8203;u  \xEF\xBF\xBD.");
	/* no extended autolinks */
	buf_reset(&b);
	CHECK(md_escape_inline(&b, "x https://e.com WWW.e.com ab:c", 30) == 0);
	CHECK_STR(buf_str(&b), "x https:&#8203;//e.com WWW&#8203;.e.com ab:c");
	/* NUL bytes inside the length are dropped, not a terminator */
	buf_reset(&b);
	CHECK(md_escape_inline(&b, "a\0b", 3) == 0);
	CHECK_STR(buf_str(&b), "ab");
	/* all or nothing at the limit */
	CHECK(buf_adds(&small, "xy") == 0);
	CHECK(md_escape_inline(&small, "<<<", 3) == -1);
	CHECK_STR(buf_str(&small), "xy");
	buf_release(&b);
	buf_release(&small);
}

static void test_fenced(void)
{
	struct buf b = BUF_INIT(1 << 16), small = BUF_INIT(10);

	CHECK(md_add_fenced(&b, "sh", "go test ./...", 13) == 0);
	CHECK_STR(buf_str(&b), "```sh\ngo test ./...\n```\n");
	buf_reset(&b);
	CHECK(md_add_fenced(&b, "text", "a ``` b\n", 8) == 0);
	CHECK_STR(buf_str(&b), "````text\na ``` b\n````\n");
	buf_reset(&b);
	CHECK(md_add_fenced(&b, "x`y", "```````", 7) == 0);
	CHECK_STR(buf_str(&b), "````````xy\n```````\n````````\n");
	buf_reset(&b);
	CHECK(md_add_fenced(&b, NULL, "a\r\nb\rc\x1b[0m\x07\td\xff", 14) == 0);
	CHECK_STR(buf_str(&b), "```\na\nb\nc[0m\td\xEF\xBF\xBD\n```\n");
	buf_reset(&b);
	CHECK(md_add_fenced(&b, NULL, "", 0) == 0);
	CHECK_STR(buf_str(&b), "```\n```\n");
	CHECK(md_add_fenced(&small, "sh", "0123456789", 10) == -1);
	CHECK(small.len == 0);
	buf_release(&b);
	buf_release(&small);
}

static void test_full(void)
{
	struct results r;
	struct buf md = BUF_INIT(1 << 22);
	struct err err = ERR_INIT;
	const char *s, *a, *b;

	fx_build(&r, 0);
	CHECK(out_md_summary(&r, &md, (1 << 20) - 16384, &err) == 0);
	s = buf_str(&md);
	CHECK(check_md(md.data, md.len) == 0);
	CHECK(strstr(s, "## ❌ flake-action: ") != NULL);
	CHECK(strstr(s, "1 package did not build") != NULL);
	CHECK(strstr(s, "executions in 1m 23s") != NULL);
	CHECK(strstr(s, "### Build errors") != NULL);
	CHECK(strstr(s, "<code>example.com/m/broken</code>") != NULL);
	CHECK(strstr(s, "### Failed and flaky tests") != NULL);
	CHECK(strstr(s, "🆕 new | <code>TestGet</code>") != NULL);
	CHECK(strstr(s, "| 2/12 | race | only under -race, GOMAXPROCS=2 |")
	      != NULL);
	CHECK(strstr(s, "### Cells") != NULL);
	CHECK(strstr(s, "```sh\nGOMAXPROCS=2 go test -race -run '^TestGet$'")
	      != NULL);
	CHECK(strstr(s, "&lt;script&gt;alert(1)&lt;/script&gt;") != NULL);
	CHECK(strstr(s, "&#64;&#8203;octocat") != NULL);
	CHECK(strstr(s, "a&#124;b") != NULL);
	CHECK(strstr(s, "omitted") == NULL);
	/* failed rows before flaky rows; the parent only on the folded line */
	a = strstr(s, "| ❌ failed |");
	b = strstr(s, "| ⚠️ flaky |");
	CHECK(a && b && a < b);
	CHECK(strstr(s, "<code>TestEvil</code> |") == NULL);
	CHECK(strstr(s, "only because a subtest failed:_ <code>TestEvil</code>")
	      != NULL);
	/* the 7-backtick output needs an 8-backtick fence */
	CHECK(strstr(s, "\n````````text\n") != NULL);
	buf_release(&md);
	results_release(&r);
}

/* Renders r at `limit` and checks the limit, the note and the structure. */
static void check_limit(const struct results *r, size_t limit, int want_cut)
{
	struct buf md = BUF_INIT(1 << 22);
	struct err err = ERR_INIT;
	int rc = out_md_summary(r, &md, limit, &err);
	int cut = strstr(buf_str(&md), "see the results JSON_") != NULL;

	CHECK(rc == 0);
	CHECK(md.len <= limit);
	CHECK(check_md(md.data, md.len) == 0);
	if (want_cut >= 0 && cut != want_cut)
		fprintf(stderr, "limit %zu: cut %d, want %d\n", limit, cut,
			want_cut);
	if (want_cut >= 0)
		CHECK(cut == want_cut);
	buf_release(&md);
}

static void test_limits(void)
{
	struct results r;
	struct buf md = BUF_INIT(1 << 22);
	struct err err = ERR_INIT;
	size_t limit;

	fx_build(&r, 5000);
	check_limit(&r, 2048, 1);
	check_limit(&r, 65536, 1);
	check_limit(&r, (1 << 20) - 16384, 1);
	for (limit = 700; limit < 40000; limit += 997)
		check_limit(&r, limit, 1);
	/* the note counts what is missing */
	CHECK(out_md_summary(&r, &md, 2048, &err) == 0);
	CHECK(strstr(buf_str(&md), " more tests") != NULL);
	CHECK(strstr(buf_str(&md), "omitted (summary limited to 2 KiB); "
		     "see the results JSON_\n") != NULL);
	buf_release(&md);
	/* the output buffer's own limit is respected too */
	buf_init(&md, 5000);
	CHECK(out_md_summary(&r, &md, 1 << 20, &err) == 0);
	CHECK(md.len <= 5000);
	CHECK(check_md(md.data, md.len) == 0);
	buf_release(&md);
	/* appends after what the buffer already holds */
	buf_init(&md, 1 << 20);
	CHECK(buf_adds(&md, "prefix\n") == 0);
	CHECK(out_md_summary(&r, &md, 4096, &err) == 0);
	CHECK(starts(buf_str(&md), "prefix\n## "));
	CHECK(md.len <= 7 + 4096);
	buf_release(&md);
	/* too small even for the headline */
	buf_init(&md, 1 << 20);
	CHECK(out_md_summary(&r, &md, 100, &err) == -1);
	CHECK(md.len <= 100);
	CHECK(strstr(err.msg, "too small") != NULL);
	buf_release(&md);
	results_release(&r);

	/* no cut when everything fits; a cut in the details keeps blocks */
	fx_build(&r, 0);
	check_limit(&r, 1 << 20, 0);
	for (limit = 1500; limit < 60000; limit += 1499)
		check_limit(&r, limit, -1);
	results_release(&r);
}

static void test_all_passed(void)
{
	struct results r;
	struct buf md = BUF_INIT(1 << 20);
	struct err err = ERR_INIT;
	struct cell c;
	struct test *t;
	char name[] = "default";

	results_init(&r);
	memset(&c, 0, sizeof(c));
	c.name = name;
	c.count = 1;
	results_add_cell(&r, &c);
	t = results_test(&r, "example.com/ok", "TestOK", 1);
	results_test_cell(t, 0)->passes = 1;
	results_finish(&r);
	CHECK(out_md_summary(&r, &md, 1 << 20, &err) == 0);
	CHECK(strstr(buf_str(&md), "✅ flake-action: no failed or flaky "
		     "tests") != NULL);
	CHECK(strstr(buf_str(&md), "### Failed") == NULL);
	CHECK(strstr(buf_str(&md), "<details>") == NULL);
	CHECK(check_md(md.data, md.len) == 0);
	buf_release(&md);
	results_release(&r);
}

int main(void)
{
	test_escape_inline();
	test_fenced();
	test_full();
	test_limits();
	test_all_passed();
	return check_done("test_out_md");
}
