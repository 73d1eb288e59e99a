/*
 * test_out_comment.c: the PR comment.  Asserts on every render: at most
 * max_bytes, valid UTF-8, the marker first, fences balanced and never
 * closed by content, no raw HTML but our own tags, no mention or issue
 * link outside fences, table rows of constant width, <details> balanced
 * -- at many size limits with thousands of tests; and the order (failed,
 * new flaky, known flaky), history columns and links, the omitted note,
 * the shard marker and out_comment_should_post().
 */
#include "core/out_comment.h"
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
		"<details>", "</details>", "<summary>", "</summary>",
		"<code>", "</code>", "<!-- flake-action:comment",
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
		if (l[i] == '@') {
			fprintf(stderr, "raw '@': %.*s\n", (int)n, l);
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

/* All structural invariants of a rendered comment; 0 when they hold. */
static int check_comment(const char *md, size_t len)
{
	const char *p = md, *end = md + len;
	size_t fence = 0, pipes = 0;
	int details = 0, in_table = 0, rc = 0;

	if (!fx_valid_utf8(md, len)) {
		fprintf(stderr, "invalid UTF-8\n");
		return -1;
	}
	if (!fx_no_controls(md, len, "\n\t")) {
		fprintf(stderr, "control character\n");
		return -1;
	}
	if (!starts(md, "<!-- flake-action:comment")) {
		fprintf(stderr, "the marker is not first\n");
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

/* Offset of needle in hay, or -1. */
static long pos(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);

	return p ? (long)(p - hay) : -1;
}

/* 1 when every failed row of the table comes before every flaky row, and
 * (with history) every new flaky row before every known one. */
static int rows_in_order(const char *md)
{
	const char *p = md;
	int stage = 0;

	while ((p = strstr(p, "\n| ")) != NULL) {
		int s;

		p += 3;
		if (starts(p, "❌ failed"))
			s = 0;
		else if (starts(p, "⚠️ flaky · 🆕 new"))
			s = 1;
		else if (starts(p, "⚠️ flaky"))
			s = 2;
		else
			continue;
		if (s < stage)
			return 0;
		stage = s;
	}
	return 1;
}

static void clean_results(struct results *r)
{
	struct test *t;

	results_init(r);
	fx_cell(r, "GOMAXPROCS=1", 0, 1);
	t = results_test(r, "example.com/m/ok", "TestOK", 1);
	fx_counts(t, 0, 3, 0);
	results_finish(r);
}

static void test_should_post(void)
{
	struct results r, clean;

	fx_build(&r, 0);
	clean_results(&clean);
	CHECK(out_comment_mode_ok("auto") && out_comment_mode_ok("always") &&
	      out_comment_mode_ok("never"));
	CHECK(!out_comment_mode_ok("sometimes") && !out_comment_mode_ok(NULL));
	CHECK(out_comment_should_post(&r, "auto", 0) == 1);
	CHECK(out_comment_should_post(&r, "never", 1) == 0);
	CHECK(out_comment_should_post(&r, "always", 0) == 1);
	CHECK(out_comment_should_post(&clean, "auto", 0) == 0);
	CHECK(out_comment_should_post(&clean, "auto", 1) == 1);
	CHECK(out_comment_should_post(&clean, "always", 0) == 1);
	CHECK(out_comment_should_post(&clean, "never", 0) == 0);
	results_release(&r);
	results_release(&clean);
}

static void test_clean(void)
{
	struct results r;
	struct buf b = BUF_INIT(OUT_COMMENT_MAX);
	struct err e = ERR_INIT;

	clean_results(&r);
	CHECK(out_comment_render(&r, NULL, NULL, &b, OUT_COMMENT_MAX, &e) == 0);
	CHECK(check_comment(buf_str(&b), b.len) == 0);
	CHECK(starts(buf_str(&b), OUT_COMMENT_MARKER "\n### ✅ flake-action: "
		     "no flaky or failed tests\n"));
	CHECK(pos(buf_str(&b), "<details>") < 0);
	CHECK(pos(buf_str(&b), "| Test |") < 0);
	results_release(&r);
	buf_release(&b);
}

static void test_full(void)
{
	struct results r;
	struct buf b = BUF_INIT(OUT_COMMENT_MAX);
	struct err e = ERR_INIT;
	const char *s;

	fx_build(&r, 0);
	CHECK(out_comment_render(&r, NULL, NULL, &b, OUT_COMMENT_MAX, &e) == 0);
	s = buf_str(&b);
	CHECK(check_comment(s, b.len) == 0);
	CHECK(starts(s, OUT_COMMENT_MARKER "\n### ❌ flake-action: "));
	CHECK(pos(s, "**14 tests** × **4 cells**") > 0);
	CHECK(rows_in_order(s));
	/* no history: no history columns, new still marked */
	CHECK(pos(s, "First seen") < 0);
	CHECK(pos(s, "| ⚠️ flaky · 🆕 new | <code>TestGet</code>") > 0);
	CHECK(pos(s, "1 of them was never flaky before") > 0);
	/* the worst cell with its counts, the race excerpt and the repro */
	CHECK(pos(s, "race GOMAXPROCS=2: 2/3") > 0);
	CHECK(pos(s, "**race** at <code>pool/pool.go:42</code> in race "
		  "GOMAXPROCS=2 (×2)") > 0);
	CHECK(pos(s, "WARNING: DATA RACE") > 0);
	CHECK(pos(s, "```sh\nGOMAXPROCS=2 go test -race") > 0);
	/* hostile names escaped, the parent on its own line */
	CHECK(pos(s, "TestEvil/&lt;script&gt;alert(1)&lt;/script&gt;") > 0);
	CHECK(pos(s, "TestEvil/&#64;&#8203;octocat") > 0);
	CHECK(pos(s, "only because a subtest failed:_ <code>TestEvil</code>")
	      > 0);
	CHECK(pos(s, "\n**Did not build:** <code>example.com/m/broken</code> "
		  "(the errors are in the job summary)\n") > 0);
	/* nothing was cut, so no note */
	CHECK(pos(s, "_… ") < 0);
	/* one <details> per failed/flaky test but the parent */
	{
		int n = 0;
		const char *p = s;

		while ((p = strstr(p, "\n<details><summary>")) != NULL) {
			n++;
			p++;
		}
		CHECK(n == 10);
	}
	results_release(&r);
	buf_release(&b);
}

static void test_history(void)
{
	struct results r;
	struct buf b = BUF_INIT(OUT_COMMENT_MAX);
	struct err e = ERR_INIT;
	struct comment_row rows[] = {
		{ "example.com/m/pool", "TestGet", "12.5% (95% CI 4.1–30.2%)",
		  "abc1234 2026-11-20", CLASS_NEW, 42,
		  "failed in 3 of 10 runs (30.0%); only under -race "
		  "(p = 0.029; 5/9 vs 0/9)" },
		{ "example.com/m/names", "TestEvil/@octocat_#123",
		  "<b>@x</b> #1", "0123abc 2026-10-01", CLASS_KNOWN, 7,
		  "<i>@z</i>" },
		{ "example.com/m/old", "TestFixed/<i>@y</i>", NULL, NULL,
		  CLASS_FIXED, 0, NULL },
		{ "example.com/m/old", "TestAlsoFixed", NULL, NULL,
		  CLASS_FIXED, 0, NULL },
	};
	struct comment_history h;
	const char *s;

	memset(&h, 0, sizeof(h));
	h.rows = rows;
	h.nrows = sizeof(rows) / sizeof(rows[0]);
	h.window = "30 days";
	fx_build(&r, 0);
	r.meta.repository = xstrdup("o/r");
	r.meta.base_branch = xstrdup("main");
	r.meta.server_url = xstrdup("https://github.com");
	r.meta.run_id = xstrdup("123");
	r.meta.run_attempt = 2;
	CHECK(out_comment_render(&r, &h, "https://flake.example.com/", &b,
				 OUT_COMMENT_MAX, &e) == 0);
	s = buf_str(&b);
	CHECK(check_comment(s, b.len) == 0);
	CHECK(pos(s, "Compared with <code>main</code> (30 days): **1 new**, "
		  "1 known, 2 fixed.") > 0);
	CHECK(pos(s, "| Rate (30 days) | First seen |") > 0);
	CHECK(pos(s, "| ⚠️ flaky · 🆕 new | [<code>TestGet</code>]"
		  "(https://flake.example.com/o/r/tests/42) |") > 0);
	CHECK(pos(s, "12.5% (95% CI 4.1–30.2%) | abc1234 2026-11-20 |") > 0);
	CHECK(pos(s, "⚠️ flaky · known | [<code>TestEvil/&#64;") > 0);
	CHECK(pos(s, "&lt;b&gt;&#64;&#8203;x&lt;/b&gt; &#35;&#8203;1") > 0);
	CHECK(pos(s, "[History of this test]"
		  "(https://flake.example.com/o/r/tests/7)") > 0);
	CHECK(pos(s, "**Fixed** (flaky on <code>main</code>, not here): "
		  "<code>TestFixed/&lt;i&gt;&#64;&#8203;y&lt;/i&gt;</code>, "
		  "<code>TestAlsoFixed</code>\n") > 0);
	CHECK(pos(s, "[Full report](https://github.com/o/r/actions/runs/123/"
		  "attempts/2)") > 0);
	/* The rates of the history, in the test's details, escaped. */
	CHECK(pos(s, "\nHistory on <code>main</code> (30 days): failed in 3 of "
		  "10 runs (30.0%); only under -race (p = 0.029; 5/9 vs 0/9)\n")
	      > pos(s, "<details><summary>⚠️ <code>TestGet</code>"));
	CHECK(pos(s, "(30 days): &lt;i&gt;&#64;&#8203;z&lt;/i&gt;\n") > 0);
	CHECK(rows_in_order(s));
	/* new flaky before known flaky */
	CHECK(pos(s, "🆕 new | [<code>TestGet") < pos(s, "known | [<code>"));

	/* the reporter's run page wins; no links_base, no test links */
	buf_reset(&b);
	h.run_url = "https://flake.example.com/o/r/runs/9";
	CHECK(out_comment_render(&r, &h, NULL, &b, OUT_COMMENT_MAX, &e) == 0);
	s = buf_str(&b);
	CHECK(check_comment(s, b.len) == 0);
	CHECK(pos(s, "[Full report](https://flake.example.com/o/r/runs/9)") > 0);
	CHECK(pos(s, "/tests/42") < 0);
	CHECK(pos(s, "History of this test") < 0);
	results_release(&r);
	buf_release(&b);
}

static void test_marker(void)
{
	struct results r;
	struct buf b = BUF_INIT(256);

	clean_results(&r);
	CHECK(out_comment_marker(&r, &b) == 0);
	CHECK_STR(buf_str(&b), OUT_COMMENT_MARKER);
	buf_reset(&b);
	r.meta.shard = xstrdup("2/4");
	CHECK(out_comment_marker(&r, &b) == 0);
	CHECK_STR(buf_str(&b), "<!-- flake-action:comment shard=2/4 -->");
	buf_reset(&b);
	free(r.meta.shard);
	r.meta.shard = xstrdup("1/2 --><script>");
	CHECK(out_comment_marker(&r, &b) == 0);
	CHECK_STR(buf_str(&b), OUT_COMMENT_MARKER);
	results_release(&r);
	buf_release(&b);
}

/* Thousands of hostile flaky tests at many limits. */
static void test_limits(void)
{
	static const size_t limits[] = {
		65536, 40000, 20000, 8192, 4096, 2048, 1200, 700, 400,
	};
	struct results r;
	struct comment_row row = { "example.com/m/pool", "TestGet",
				   "5.0% (95% CI 1.7–13.7%)", "abc1234 2026-11-20",
				   CLASS_NEW, 3, NULL };
	struct comment_history h;
	size_t i;

	memset(&h, 0, sizeof(h));
	h.rows = &row;
	h.nrows = 1;
	h.window = "30 days";
	fx_build(&r, 3000);
	r.meta.repository = xstrdup("o/r");
	r.meta.server_url = xstrdup("https://github.com");
	r.meta.run_id = xstrdup("77");
	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		struct buf b = BUF_INIT(1 << 20);
		struct err e = ERR_INIT;
		const char *s;
		int rc, hist = (int)(i % 2);

		rc = out_comment_render(&r, hist ? &h : NULL,
					hist ? "https://f.example" : NULL, &b,
					limits[i], &e);
		s = buf_str(&b);
		CHECK(rc == 0);
		CHECK(b.len <= limits[i]);
		CHECK(check_comment(s, b.len) == 0);
		CHECK(rows_in_order(s));
		/* something was left out, and the note says where to look */
		CHECK(pos(s, "\n_… ") > 0);
		CHECK(pos(s, "see [the full report](https://github.com/o/r/"
			  "actions/runs/77)") > 0 ||
		      pos(s, "more; see the job summary._") > 0);
		/* most important first: the failed rows lead the table */
		if (limits[i] >= 2048) {
			CHECK(pos(s, "| ❌ failed | ") > 0);
			CHECK(pos(s, "| ⚠️ flaky") < 0 ||
			      pos(s, "| ❌ failed | ") < pos(s, "| ⚠️ flaky"));
		}
		if (limits[i] >= 20000)
			CHECK(pos(s, "<details>") > 0);
		buf_release(&b);
	}
	/* the buffer's own limit wins over max_bytes */
	{
		struct buf b = BUF_INIT(3000);
		struct err e = ERR_INIT;

		CHECK(buf_adds(&b, "x") == 0);
		CHECK(out_comment_render(&r, NULL, NULL, &b, 65536, &e) == 0);
		CHECK(b.len <= 3000);
		CHECK(check_comment(buf_str(&b) + 1, b.len - 1) == 0);
		buf_release(&b);
	}
	/* not even the headline: -1, nothing written */
	{
		struct buf b = BUF_INIT(1 << 16);
		struct err e = ERR_INIT;

		CHECK(out_comment_render(&r, NULL, NULL, &b, 100, &e) == -1);
		CHECK(b.len == 0);
		CHECK(strstr(e.msg, "too small") != NULL);
		buf_release(&b);
	}
	results_release(&r);
}

int main(void)
{
	test_should_post();
	test_clean();
	test_full();
	test_history();
	test_marker();
	test_limits();
	return check_done("test_out_comment");
}
