/*
 * out_junit.c: JUnit XML.  See out_junit.h for the document's shape.
 *
 * The document is streamed: counts for a <testsuite> are computed first,
 * then each test case is rendered into one buffer and written, so memory
 * is bounded by the largest test case, not by the run.  All text passes
 * through xml_text()/xml_attr(), which validate UTF-8 before buf_add_xml()
 * escapes it.
 */
#include "out_junit.h"
#include "utf8.h"
#include "buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define JUNIT_CASE_LIMIT (64u << 20)	/* one rendered test case */
#define JUNIT_ATTR_MAX 1024		/* bytes of a message attribute */
#define JUNIT_NAME_MAX 4096		/* bytes of a name attribute */


/*
 * Appends s[0..n) escaped for XML.  Runs of valid UTF-8 go to buf_add_xml()
 * (which maps forbidden control characters to U+FFFD); invalid bytes,
 * DEL, C1 controls and the non-characters U+FFFE/U+FFFF become U+FFFD.
 * In text, CR LF and a lone CR become LF; in an attribute (attr = 1),
 * tab, CR and LF become spaces: what a parser would make of them.
 */
static int xml_escape(struct buf *b, const char *s, size_t n, int attr)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0, len, start = b->len;
	unsigned long cp;
	int rc = 0;

	while (i < n && !rc) {
		const char *rep = NULL;

		len = utf8_seq(u + i, n - i, &cp);
		if (!len) {
			rep = utf8_replacement;
			len = 1;
		} else if (cp == 0xFFFE || cp == 0xFFFF ||
			   (cp >= 0x7F && cp < 0xA0)) {
			/* non-characters; DEL and C1 controls, which XML 1.0
			 * discourages and many consumers reject */
			rep = utf8_replacement;
		} else if (attr && (cp == '\t' || cp == '\n' || cp == '\r')) {
			rep = " ";
		} else if (cp == '\r') {
			/* what a parser's end-of-line handling would make it */
			rep = i + 1 < n && s[i + 1] == '\n' ? "" : "\n";
		}
		if (rep) {
			rc = buf_add_xml(b, s + run, i - run);
			rc = rc ? rc : buf_adds(b, rep);
			run = i + len;
		}
		i += len;
	}
	if (!rc)
		rc = buf_add_xml(b, s + run, n - run);
	if (rc)
		buf_truncate(b, start);
	return rc;
}

static int xml_text(struct buf *b, const char *s)
{
	return xml_escape(b, s, strlen(s), 0);
}

/* At most max bytes of s as attribute text, "…" marking a cut. */
static int xml_attr(struct buf *b, const char *s, size_t max)
{
	size_t n = strlen(s), k = utf8_prefix(s, n, max);

	if (xml_escape(b, s, k, 1))
		return -1;
	return k < n ? buf_adds(b, "…") : 0;
}

/* The first line of s as an attribute. */
static int xml_attr_line(struct buf *b, const char *s)
{
	size_t n = strcspn(s, "\r\n"), k = utf8_prefix(s, n, JUNIT_ATTR_MAX);

	if (xml_escape(b, s, k, 1))
		return -1;
	return k < n ? buf_adds(b, "…") : 0;
}

static int cmp_test_ptr(const void *a, const void *b)
{
	const struct test *x = *(struct test *const *)a;
	const struct test *y = *(struct test *const *)b;
	int c = strcmp(x->package, y->package);

	return c ? c : strcmp(x->name, y->name);
}

struct junit_pkg {
	const char *name;
	const struct package *pkg;	/* NULL when only tests name it */
};

/* By name; of equal names, the one with a struct package first. */
static int cmp_pkg(const void *a, const void *b)
{
	const struct junit_pkg *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (y->pkg != NULL) - (x->pkg != NULL);
}

/* The failure that best stands for t: most occurrences, a known file. */
static const struct failure *primary_failure(const struct test *t)
{
	const struct failure *best = NULL;
	size_t i;

	for (i = 0; i < t->nfails; i++) {
		const struct failure *f = &t->fails[i];

		if (!best || f->count > best->count ||
		    (f->count == best->count && f->file && !best->file))
			best = f;
	}
	return best;
}

/* 1 when t->fails[i] is the first failure with its signature. */
static int first_of_signature(const struct test *t, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (!strcmp(t->fails[j].signature, t->fails[i].signature))
			return 0;
	return 1;
}

/* "race in <cell> (x3), <cell> (x1) at file:line": the failures of t
 * with the signature of t->fails[first]. */
static int add_fail_head(struct buf *b, const struct results *r,
			 const struct test *t, size_t first)
{
	const struct failure *f = &t->fails[first];
	size_t i;
	int err = 0, n = 0;

	err |= buf_addf(b, "%s in ", fail_kind_name(f->kind));
	for (i = first; i < t->nfails; i++) {
		const struct failure *g = &t->fails[i];

		if (strcmp(g->signature, f->signature))
			continue;
		err |= buf_adds(b, n++ ? ", " : "");
		err |= xml_text(b, r->cells[g->cell].name);
		err |= buf_addf(b, " (x%d%s)", g->count,
				g->rerun ? ", rerun" : "");
	}
	if (f->file) {
		err |= buf_adds(b, " at ");
		err |= xml_text(b, f->file);
		if (f->line > 0)
			err |= buf_addf(b, ":%d", f->line);
	}
	return err ? -1 : 0;
}

static int add_failed(struct buf *b, const struct results *r,
		      const struct test *t)
{
	const struct failure *pf = primary_failure(t);
	/* A package-level failure is an error of the suite, not of a
	 * test (JUnit's <error>). */
	const char *tag = test_is_package(t) ? "error" : "failure";
	size_t i;
	int err = 0;

	err |= buf_addf(b, "      <%s message=\"", tag);
	err |= xml_attr_line(b, pf && *pf->message ? pf->message :
			     "test failed");
	err |= buf_addf(b, "\" type=\"%s\">",
			pf ? fail_kind_name(pf->kind) : "fail");
	err |= buf_addf(b, "%d of %d %s failed", t->failures,
			t->passes + t->failures,
			test_is_package(t) ? "test processes" : "runs");
	if (t->where) {
		err |= buf_adds(b, ", ");
		err |= xml_text(b, t->where);
	}
	err |= buf_adds(b, "\n");
	for (i = 0; i < t->nfails; i++) {
		const struct failure *f = &t->fails[i];

		if (!first_of_signature(t, i))
			continue;
		err |= buf_adds(b, "\n");
		err |= add_fail_head(b, r, t, i);
		err |= buf_adds(b, "\n");
		err |= xml_text(b, f->message);
		if (f->output && *f->output) {
			err |= buf_adds(b, "\n\n");
			err |= xml_text(b, f->output);
		}
		err |= buf_adds(b, "\n");
	}
	if (t->fails_dropped)
		err |= buf_addf(b, "\n(%d more distinct failures not kept)\n",
				t->fails_dropped);
	err |= buf_addf(b, "</%s>\n", tag);
	return err ? -1 : 0;
}

/* One <flakyFailure> per distinct signature, as Surefire writes one per
 * distinct failed rerun. */
static int add_flaky(struct buf *b, const struct results *r,
		     const struct test *t)
{
	size_t i;
	int err = 0;

	for (i = 0; i < t->nfails; i++) {
		const struct failure *f = &t->fails[i];

		if (!first_of_signature(t, i))
			continue;
		err |= buf_adds(b, "      <flakyFailure message=\"");
		err |= xml_attr_line(b, *f->message ? f->message :
				     "test failed");
		err |= buf_addf(b, "\" type=\"%s\">\n        <stackTrace>",
				fail_kind_name(f->kind));
		err |= add_fail_head(b, r, t, i);
		err |= buf_adds(b, "\n");
		err |= xml_text(b, *f->signature ? f->signature : f->message);
		err |= buf_adds(b, "</stackTrace>\n");
		if (f->output && *f->output) {
			err |= buf_adds(b, "        <system-out>");
			err |= xml_text(b, f->output);
			err |= buf_adds(b, "</system-out>\n");
		}
		err |= buf_adds(b, "      </flakyFailure>\n");
	}
	return err ? -1 : 0;
}

static int render_case(struct buf *b, const struct results *r,
		       const struct test *t)
{
	int err = 0;

	err |= buf_adds(b, "    <testcase classname=\"");
	err |= xml_attr(b, t->package, JUNIT_NAME_MAX);
	err |= buf_adds(b, "\" name=\"");
	err |= xml_attr(b, t->name, JUNIT_NAME_MAX);
	err |= buf_addf(b, "\" time=\"%.3f\"", t->seconds);
	switch (t->status) {
	case VERDICT_PASSED:
		err |= buf_adds(b, "/>\n");
		return err ? -1 : 0;
	case VERDICT_SKIPPED:
		err |= buf_adds(b, ">\n      <skipped/>\n");
		break;
	case VERDICT_NOTRUN:
		err |= buf_adds(b, ">\n      <skipped message=\"not run: the "
				"test process died before this test "
				"started\"/>\n");
		break;
	case VERDICT_FAILED:
		err |= buf_adds(b, ">\n");
		err |= add_failed(b, r, t);
		break;
	case VERDICT_FLAKY:
		err |= buf_adds(b, ">\n");
		err |= add_flaky(b, r, t);
		break;
	}
	if (t->repro) {
		err |= buf_adds(b, "      <system-out>repro: ");
		err |= xml_text(b, t->repro);
		err |= buf_adds(b, "\n</system-out>\n");
	}
	err |= buf_adds(b, "    </testcase>\n");
	return err ? -1 : 0;
}

static int render_build_case(struct buf *b, const struct package *p)
{
	int err = 0;

	err |= buf_adds(b, "    <testcase classname=\"");
	err |= xml_attr(b, p->package, JUNIT_NAME_MAX);
	err |= buf_adds(b, "\" name=\"[build failed]\" time=\"0.000\">\n"
			"      <error message=\"package did not build\" "
			"type=\"build\">");
	err |= xml_text(b, p->error ? p->error : "");
	err |= buf_adds(b, "</error>\n    </testcase>\n");
	return err ? -1 : 0;
}

struct suite_counts {
	size_t tests;
	int failures, errors, skipped;
	double seconds;
};

static void count_tests(struct test *const *t, size_t n,
			struct suite_counts *c)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int pkg = test_is_package(t[i]);

		c->tests++;
		c->failures += t[i]->status == VERDICT_FAILED && !pkg;
		c->errors += t[i]->status == VERDICT_FAILED && pkg;
		c->skipped += t[i]->status == VERDICT_SKIPPED ||
			      t[i]->status == VERDICT_NOTRUN;
		/* A parent's elapsed time includes its subtests'. */
		if (!strchr(t[i]->name, '/'))
			c->seconds += t[i]->seconds;
	}
}

/* Writes b to f and empties it; -1 on a short write. */
static int flush_buf(struct buf *b, FILE *f)
{
	int rc = 0;

	if (b->len && fwrite(b->data, 1, b->len, f) != b->len)
		rc = -1;
	buf_reset(b);
	return rc;
}

struct junit_doc {
	struct test **tests;	/* sorted by package, name */
	size_t ntests;
	struct junit_pkg *pkgs;	/* distinct packages, sorted by name */
	size_t npkgs;
};

static void doc_init(struct junit_doc *d, const struct results *r)
{
	size_t i, n = 0;

	d->ntests = r->ntests;
	d->tests = xcalloc(r->ntests + 1, sizeof(struct test *));
	if (r->ntests)
		memcpy(d->tests, r->tests, r->ntests * sizeof(struct test *));
	qsort(d->tests, d->ntests, sizeof(struct test *), cmp_test_ptr);
	d->pkgs = xcalloc(r->ntests + r->npkgs + 1, sizeof(*d->pkgs));
	for (i = 0; i < r->ntests; i++)
		if (!i || strcmp(d->tests[i]->package, d->tests[i - 1]->package))
			d->pkgs[n++].name = d->tests[i]->package;
	for (i = 0; i < r->npkgs; i++) {
		d->pkgs[n].name = r->pkgs[i].package;
		d->pkgs[n++].pkg = &r->pkgs[i];
	}
	qsort(d->pkgs, n, sizeof(*d->pkgs), cmp_pkg);
	d->npkgs = 0;
	for (i = 0; i < n; i++)
		if (!d->npkgs ||
		    strcmp(d->pkgs[i].name, d->pkgs[d->npkgs - 1].name))
			d->pkgs[d->npkgs++] = d->pkgs[i];
}

static void doc_release(struct junit_doc *d)
{
	FREE_AND_NULL(d->tests);
	FREE_AND_NULL(d->pkgs);
}

/* The first test of package pkg at or after *pos; *pos moves past them. */
static size_t tests_of(const struct junit_doc *d, const char *pkg, size_t *pos)
{
	size_t lo = *pos;

	while (*pos < d->ntests && !strcmp(d->tests[*pos]->package, pkg))
		(*pos)++;
	return lo;
}

static int render_suite_head(struct buf *b, const char *pkg,
			     const struct suite_counts *c)
{
	int err = 0;

	err |= buf_adds(b, "  <testsuite name=\"");
	err |= xml_attr(b, pkg, JUNIT_NAME_MAX);
	err |= buf_addf(b, "\" tests=\"%zu\" failures=\"%d\" errors=\"%d\" "
			"skipped=\"%d\" time=\"%.3f\">\n", c->tests,
			c->failures, c->errors, c->skipped, c->seconds);
	return err ? -1 : 0;
}

int out_junit_write(const struct results *r, FILE *f, struct err *err)
{
	struct junit_doc d;
	struct buf b = BUF_INIT(JUNIT_CASE_LIMIT);
	struct suite_counts all;
	size_t i, j, pos = 0;
	int rc = 0;

	if (!r->finished)
		BUG("out_junit_write before results_finish");
	doc_init(&d, r);
	/* Only a failed write may set errno from here on. */
	errno = 0;
	memset(&all, 0, sizeof(all));
	count_tests(d.tests, d.ntests, &all);
	for (i = 0; i < r->npkgs; i++)
		if (r->pkgs[i].status == PKG_BUILD_FAILED) {
			all.tests++;
			all.errors++;
		}
	if (buf_addf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		     "<testsuites name=\"flake-action\" tests=\"%zu\" "
		     "failures=\"%d\" errors=\"%d\" skipped=\"%d\" "
		     "time=\"%.3f\">\n", all.tests, all.failures, all.errors,
		     all.skipped, (double)r->wall_ms / 1000.0) ||
	    flush_buf(&b, f))
		goto write_error;
	for (i = 0; i < d.npkgs; i++) {
		const struct package *p = d.pkgs[i].pkg;
		int build = p && p->status == PKG_BUILD_FAILED;
		size_t lo = tests_of(&d, d.pkgs[i].name, &pos);
		struct suite_counts c;

		memset(&c, 0, sizeof(c));
		count_tests(d.tests + lo, pos - lo, &c);
		c.tests += (size_t)build;
		c.errors += build;
		if (render_suite_head(&b, d.pkgs[i].name, &c) || flush_buf(&b, f))
			goto write_error;
		if (build && (render_build_case(&b, p) || flush_buf(&b, f)))
			goto write_error;
		for (j = lo; j < pos; j++) {
			if (render_case(&b, r, d.tests[j])) {
				rc = err_set(err, "cannot render JUnit test "
					     "case '%s': larger than %u bytes",
					     d.tests[j]->name,
					     JUNIT_CASE_LIMIT);
				goto out;
			}
			if (flush_buf(&b, f))
				goto write_error;
		}
		if (buf_adds(&b, "  </testsuite>\n") || flush_buf(&b, f))
			goto write_error;
	}
	if (buf_adds(&b, "</testsuites>\n") || flush_buf(&b, f))
		goto write_error;
	if (fflush(f) || ferror(f))
		goto write_error;
	goto out;
write_error:
	if (!errno)
		errno = EIO;
	rc = err_sys(err, "cannot write JUnit XML");
out:
	buf_release(&b);
	doc_release(&d);
	return rc;
}
