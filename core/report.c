/*
 * report.c: the terminal report.  See report.h for the layout.
 *
 * Each block (one test, the parents line, one package, the totals) is
 * rendered into a buffer and written whole.  Untrusted text goes through
 * term_text(), never straight into a format string or the output.
 */
#include "report.h"
#include "utf8.h"
#include "buf.h"
#include "err.h"

#include <string.h>

#define REPORT_BLOCK_LIMIT (4u << 20)	/* one rendered block */
#define REPORT_NAME_MAX 1024		/* bytes of a name */
#define REPORT_LINE_MAX 512		/* bytes of one message line */
#define REPORT_MSG_LINES 5		/* message lines per failure */
#define REPORT_BUILD_LINES 10		/* build error lines per package */
#define REPORT_PARENTS_MAX 20		/* parents named on their line */


/*
 * Appends s[0..n) safe for a terminal: C0 controls other than tab, DEL and
 * C1 controls (ESC and CSI among them) are dropped; bidirectional
 * overrides and invalid UTF-8 become U+FFFD.  The caller passes text
 * without line breaks.
 */
static int term_escape(struct buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, len, start = b->len;
	unsigned long cp;
	int rc = 0;

	while (i < n && !rc) {
		len = utf8_seq(u + i, n - i, &cp);
		if (!len) {
			rc = buf_adds(b, utf8_replacement);
			i++;
			continue;
		}
		if ((cp >= 0x202A && cp <= 0x202E) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			rc = buf_adds(b, utf8_replacement);
		else if (cp == '\t' ||
			 (cp >= 0x20 && (cp < 0x7F || cp >= 0xA0)))
			rc = buf_add(b, s + i, len);
		i += len;
	}
	if (rc)
		buf_truncate(b, start);
	return rc;
}

/* At most max bytes of the first line of s, "…" marking a cut. */
static int term_line(struct buf *b, const char *s, size_t max)
{
	size_t n = strcspn(s, "\r\n"), k = utf8_prefix(s, n, max);

	if (term_escape(b, s, k))
		return -1;
	return k < n ? buf_adds(b, "…") : 0;
}

/* The whole of a one-line string (line breaks become spaces). */
static int term_text(struct buf *b, const char *s, size_t max)
{
	size_t n = strlen(s), k = utf8_prefix(s, n, max), i;
	int err = 0;

	for (i = 0; i < k && !err; ) {
		size_t m = strcspn(s + i, "\r\n");

		if (m > k - i)
			m = k - i;
		err |= term_escape(b, s + i, m);
		i += m;
		if (i < k) {
			err |= buf_addc(b, ' ');
			i++;
		}
	}
	if (!err && k < n)
		err = buf_adds(b, "…");
	return err ? -1 : 0;
}

struct style {
	const char *red, *yellow, *green, *bold, *dim, *reset;
};

static void style_init(struct style *st, int color)
{
	if (color == 1) {
		st->red = "\033[1;31m";
		st->yellow = "\033[1;33m";
		st->green = "\033[1;32m";
		st->bold = "\033[1m";
		st->dim = "\033[2m";
		st->reset = "\033[0m";
	} else {
		st->red = st->yellow = st->green = "";
		st->bold = st->dim = st->reset = "";
	}
}

/* "      | line" for up to `lines` lines of s, then "      | …". */
static int add_quoted(struct buf *b, const struct style *st, const char *s,
		      int lines)
{
	int err = 0, k = 0;

	while (*s && k < lines) {
		size_t n = strcspn(s, "\r\n");

		err |= buf_addf(b, "      %s|%s ", st->dim, st->reset);
		err |= term_line(b, s, REPORT_LINE_MAX);
		err |= buf_adds(b, "\n");
		s += n;
		if (*s == '\r')
			s++;
		if (*s == '\n')
			s++;
		k++;
	}
	if (*s)
		err |= buf_addf(b, "      %s| …%s\n", st->dim, st->reset);
	return err ? -1 : 0;
}

static int add_cells(struct buf *b, const struct results *r,
		     const struct test *t, const struct style *st)
{
	size_t i;
	int err = 0;

	/* None: a package that passed here, failed in an earlier attempt. */
	if (!t->ncells)
		return 0;
	err |= buf_addf(b, "    %sper cell (passes/failures):%s\n", st->dim,
			st->reset);
	for (i = 0; i < t->ncells; i++) {
		const struct test_cell *tc = &t->cells[i];

		err |= buf_adds(b, "      ");
		err |= term_text(b, r->cells[tc->cell].name, REPORT_NAME_MAX);
		err |= buf_addf(b, ": %d/%d", tc->passes, tc->failures);
		if (tc->rerun_passes || tc->rerun_failures)
			err |= buf_addf(b, ", reruns: %d/%d", tc->rerun_passes,
					tc->rerun_failures);
		if (tc->notrun)
			err |= buf_addf(b, ", notrun %d", tc->notrun);
		if (tc->skips)
			err |= buf_addf(b, ", skipped %d", tc->skips);
		err |= buf_adds(b, "\n");
	}
	return err ? -1 : 0;
}

/* One distinct failure (by signature), with every cell it occurred in. */
static int add_failure(struct buf *b, const struct results *r,
		       const struct test *t, size_t first,
		       const struct style *st)
{
	const struct failure *f = &t->fails[first];
	size_t i;
	int err = 0, n = 0;

	err |= buf_addf(b, "    %s%s%s", st->bold, fail_kind_name(f->kind),
			st->reset);
	if (f->file) {
		err |= buf_adds(b, " at ");
		err |= term_text(b, f->file, REPORT_NAME_MAX);
		if (f->line > 0)
			err |= buf_addf(b, ":%d", f->line);
	}
	err |= buf_adds(b, " in ");
	for (i = first; i < t->nfails; i++) {
		const struct failure *g = &t->fails[i];

		if (strcmp(g->signature, f->signature))
			continue;
		err |= buf_adds(b, n++ ? ", " : "");
		err |= term_text(b, r->cells[g->cell].name, REPORT_NAME_MAX);
		err |= buf_addf(b, " (x%d%s)", g->count,
				g->rerun ? ", rerun" : "");
	}
	err |= buf_adds(b, "\n");
	if (*f->signature) {
		err |= buf_addf(b, "      %ssignature:%s ", st->dim, st->reset);
		err |= term_line(b, f->signature, REPORT_LINE_MAX);
		err |= buf_adds(b, "\n");
	}
	if (*f->message)
		err |= add_quoted(b, st, f->message, REPORT_MSG_LINES);
	return err ? -1 : 0;
}

static int render_test(struct buf *b, const struct results *r,
		       const struct test *t, const struct style *st)
{
	int flaky = results_gate_verdict(t) == VERDICT_FLAKY, err = 0;
	int pkg = test_is_package(t);
	int leak = t->repeat && t->status == VERDICT_PASSED &&
		   !t->earlier_attempt;
	size_t i, j;

	err |= buf_addf(b, "%s%-6s%s  %s", flaky || leak ? st->yellow : st->red,
			leak ? "REPEAT" : flaky ? "FLAKY" : "FAILED",
			st->reset, st->bold);
	if (pkg) {
		err |= buf_adds(b, "package ");
		err |= term_text(b, t->package, REPORT_NAME_MAX);
		err |= buf_addf(b, "%s  (the test process failed, no test "
				"did)", st->reset);
	} else {
		err |= term_text(b, t->name, REPORT_NAME_MAX);
		err |= buf_addf(b, "%s  ", st->reset);
		err |= term_text(b, t->package, REPORT_NAME_MAX);
	}
	if (t->new_flaky)
		err |= buf_addf(b, "  %s(new)%s", st->yellow, st->reset);
	else if (t->klass == CLASS_KNOWN && t->has_base)
		err |= buf_addf(b, "  (known: %ld/%ld failed on the base "
				"branch)", t->base.failures, t->base.executions);
	else if (t->klass == CLASS_KNOWN)
		err |= buf_adds(b, "  (known)");
	else if (t->klass == CLASS_QUARANTINED)
		err |= buf_addf(b, "  %s(quarantined: does not fail the job)%s",
				st->yellow, st->reset);
	else if (t->klass == CLASS_REGRESSED)
		err |= buf_addf(b, "  %s(regressed: failing again after its release "
				"from quarantine)%s", st->red, st->reset);
	else if (t->klass == CLASS_UNVERIFIED && flaky)
		err |= buf_adds(b, "  (unverified: no history to compare)");
	if (t->earlier_attempt)
		err |= buf_addf(b, "\n    failed in attempt %d of this workflow "
				"run on this commit; passed in this one, which "
				"does not clear it", t->earlier_attempt);
	if (leak)
		err |= buf_adds(b, "\n    passes as go test runs it; fails "
				"when run again in the same process");
	else
		err |= buf_addf(b, "\n    %s, %d/%d %s failed",
				verdict_name(t->status), t->failures,
				t->passes + t->failures,
				pkg ? "test processes" : "executions");
	if (t->skips)
		err |= buf_addf(b, ", %d skipped", t->skips);
	if (t->notrun)
		err |= buf_addf(b, ", %d not run", t->notrun);
	if (t->rerun_passes || t->rerun_failures)
		err |= buf_addf(b, "; reruns %d passed, %d failed",
				t->rerun_passes, t->rerun_failures);
	err |= buf_adds(b, "\n");
	err |= add_cells(b, r, t, st);
	if (t->where) {
		err |= buf_addf(b, "    %swhere:%s ", st->dim, st->reset);
		err |= term_text(b, t->where, REPORT_NAME_MAX);
		err |= buf_adds(b, "\n");
	}
	for (i = 0; i < t->nfails; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(t->fails[j].signature,
				    t->fails[i].signature))
				break;
		if (j == i)
			err |= add_failure(b, r, t, i, st);
	}
	if (t->fails_dropped)
		err |= buf_addf(b, "    (%d more distinct failures not kept)\n",
				t->fails_dropped);
	if (t->repro) {
		err |= buf_addf(b, "    %srepro:%s ", st->dim, st->reset);
		err |= term_text(b, t->repro, REPORT_BLOCK_LIMIT / 2);
		err |= buf_adds(b, "\n");
	}
	if (t->verify_runs > 0)
		err |= buf_addf(b, "    repro verified: %s\n",
				t->verify_fails ? "it failed, as printed" :
				"it passed (did not reproduce)");
	err |= buf_adds(b, "\n");
	return err ? -1 : 0;
}

static int render_parents(struct buf *b, const struct results *r, int n)
{
	size_t i;
	int k = 0, err = 0;

	err |= buf_adds(b, "also failed via subtests: ");
	for (i = 0; i < r->ntests && k < REPORT_PARENTS_MAX; i++) {
		const struct test *t = r->tests[i];

		if (!t->via_subtest || (t->status != VERDICT_FAILED &&
					t->status != VERDICT_FLAKY))
			continue;
		err |= buf_adds(b, k++ ? ", " : "");
		err |= term_text(b, t->name, REPORT_NAME_MAX);
		err |= buf_adds(b, " (");
		err |= term_text(b, t->package, REPORT_NAME_MAX);
		err |= buf_adds(b, ")");
	}
	if (n > k)
		err |= buf_addf(b, " and %d more", n - k);
	err |= buf_adds(b, "\n\n");
	return err ? -1 : 0;
}

static int render_build(struct buf *b, const struct package *p,
			const struct style *st)
{
	int err = 0;

	err |= buf_addf(b, "%sBUILD FAILED%s  ", st->red, st->reset);
	err |= term_text(b, p->package, REPORT_NAME_MAX);
	err |= buf_adds(b, "\n");
	if (p->error)
		err |= add_quoted(b, st, p->error, REPORT_BUILD_LINES);
	err |= buf_adds(b, "\n");
	return err ? -1 : 0;
}

static int render_totals(struct buf *b, const struct results *r,
			 const struct style *st)
{
	const char *c = r->n_failed ? st->red : r->n_flaky ? st->yellow :
			st->green;
	int err = 0;

	err |= buf_addf(b, "%s%d test%s: %d failed, %d flaky%s, %d passed, "
			"%d skipped, %d notrun", c, r->n_tests,
			r->n_tests == 1 ? "" : "s",
			r->n_failed - r->n_pkg_failed,
			r->n_flaky - r->n_pkg_flaky, st->reset, r->n_passed,
			r->n_skipped, r->n_notrun);
	if (r->n_pkg_failed || r->n_pkg_flaky)
		err |= buf_addf(b, "; packages failing outside any test: %d "
				"failed, %d flaky", r->n_pkg_failed,
				r->n_pkg_flaky);
	if (r->n_repeat)
		err |= buf_addf(b, "; %d state leak%s (repeat)", r->n_repeat,
				r->n_repeat == 1 ? "" : "s");
	if (results_n_earlier(r))
		err |= buf_addf(b, "; %d flaky in an earlier attempt of this run",
				results_n_earlier(r));
	err |= buf_addf(b, " — %lld executions in %zu cell%s, %.1f s\n",
			r->total_executions, r->ncells,
			r->ncells == 1 ? "" : "s", (double)r->wall_ms / 1000.0);
	if (r->budget.budget_ms > 0) {
		char bt[RESULTS_BUDGET_TEXT_MAX];

		results_budget_text(&r->budget, bt, sizeof(bt));
		err |= buf_addf(b, "%s\n", bt);
	}
	return err ? -1 : 0;
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

/* Writes a rendered block; one that overflowed the buffer (only absurd
 * cell counts can) is replaced by a short notice. */
static int emit(struct buf *b, int render_rc, FILE *f)
{
	if (render_rc) {
		buf_reset(b);
		if (buf_adds(b, "(block too large to print; see the results "
			     "JSON)\n\n"))
			BUG("empty report buffer cannot hold a notice");
	}
	return flush_buf(b, f);
}

int report_terminal(const struct results *r, FILE *f, int color)
{
	struct buf b = BUF_INIT(REPORT_BLOCK_LIMIT);
	struct style st;
	size_t i;
	int parents = 0, pass, rc = -1;

	if (!r->finished)
		BUG("report_terminal before results_finish");
	style_init(&st, color);
	/* r->tests is sorted failed before flaky; passes keep that order
	 * (state leaks last) while putting every via-subtest parent on
	 * one line. */
	for (pass = 0; pass < 3; pass++) {
		for (i = 0; i < r->ntests; i++) {
			const struct test *t = r->tests[i];
			enum verdict want = pass == 2 ? VERDICT_PASSED :
					    pass ? VERDICT_FLAKY :
					    VERDICT_FAILED;

			/* A test that passed here after failing in an
			 * earlier attempt is listed as flaky. */
			if (results_gate_verdict(t) != want ||
			    (pass == 2 && !t->repeat))
				continue;
			if (t->via_subtest) {
				parents++;
				continue;
			}
			if (emit(&b, render_test(&b, r, t, &st), f))
				goto out;
		}
	}
	if (parents && emit(&b, render_parents(&b, r, parents), f))
		goto out;
	for (i = 0; i < r->npkgs; i++) {
		if (r->pkgs[i].status != PKG_BUILD_FAILED)
			continue;
		if (emit(&b, render_build(&b, &r->pkgs[i], &st), f))
			goto out;
	}
	if (emit(&b, render_totals(&b, r, &st), f))
		goto out;
	if (fflush(f) || ferror(f))
		goto out;
	rc = 0;
out:
	buf_release(&b);
	return rc;
}
