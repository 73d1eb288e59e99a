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

#include "tests/unit/fixture.h"

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
