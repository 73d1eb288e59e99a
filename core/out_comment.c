/*
 * out_comment.c: the pull-request comment (see out_comment.h).
 *
 * Like the step summary (out_md.c), the comment is assembled from pieces:
 * each (marker + headline, one table row, one test's <details>, the fixed
 * line) is rendered complete into a scratch buffer and appended only when
 * it fits the remaining budget, which keeps back room for the closing
 * note.  Pieces come in order of importance; within a section the first
 * piece that does not fit ends the section, and what is left is only
 * counted for the note.  Every piece starts at the start of a line and
 * ends with a newline.
 *
 * The tests shown are the failed and flaky ones, minus parents that
 * failed only through a failing subtest (named on one line instead), in
 * the order failed, new flaky, other flaky.  Only tests whose table row
 * was written get a <details> block.
 */
#include "out_comment.h"
#include "out_md.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

#define CM_NOTE_RESERVE 320	/* bytes kept for the note, plus its link */
#define CM_NAME_MAX 200		/* bytes of a name in a table cell */
#define CM_CELL_MAX 100		/* bytes of a cell name */
#define CM_RATES_MAX 480	/* bytes of a row's rates_text */
#define CM_SIG_MAX 100		/* bytes of a signature in the table */
#define CM_TEXT_MAX 200		/* bytes of a history text (rate, first seen) */
#define CM_EXCERPT_MAX 3000	/* bytes of a failure excerpt, first try */
#define CM_EXCERPT_SHORT 600	/* ... second try */
#define CM_PARENTS_MAX 10	/* via-subtest parents named */
#define CM_FIXED_MAX 20		/* fixed tests named */
#define CM_BUILD_MAX 10		/* packages that did not build named */
/* Rows in the table: past this many, a PR comment is a wall of text;
 * the bytes go to the <details> of the first tests instead. */
#define CM_ROWS_MAX 50
#define CM_URL_MAX 2048		/* bytes of a URL we build */

/* A test of the table, with what history says about it. */
struct cm_item {
	const struct test *t;
	const struct comment_row *row;	/* NULL when history has none */
	enum test_class klass;	/* resolved */
	int shown;			/* its table row was written */
};

struct cm_out {
	struct buf *out;
	size_t start;		/* out->len on entry */
	size_t max;		/* bytes for pieces; the note's reserve excluded */
	size_t total;		/* bytes for everything */
	struct buf piece;	/* scratch for the piece being rendered */
	const struct results *r;
	const struct comment_history *h;
	const char *links_base;	/* NULL or without trailing '/' */
	size_t links_len;
	char *note_url;		/* owned; the note's link, or NULL */
	struct cm_item *items;
	size_t nitems;
	int nparents;		/* via-subtest parents */
	int omitted_tests, omitted_details, omitted_fixed, omitted_build;
};

int out_comment_mode_ok(const char *mode)
{
	return mode && (!strcmp(mode, "auto") || !strcmp(mode, "always") ||
			!strcmp(mode, "never"));
}

static int build_failed(const struct results *r)
{
	size_t i;
	int n = 0;

	for (i = 0; i < r->npkgs; i++)
		n += r->pkgs[i].status == PKG_BUILD_FAILED;
	return n;
}

int out_comment_should_post(const struct results *r, const char *mode,
			    int earlier_exists)
{
	if (!out_comment_mode_ok(mode))
		BUG("comment mode '%s'", mode ? mode : "(null)");
	if (!strcmp(mode, "never"))
		return 0;
	if (!strcmp(mode, "always"))
		return 1;
	return r->n_failed > 0 || r->n_flaky > 0 || build_failed(r) > 0 ||
	       results_n_earlier(r) > 0 || earlier_exists;
}

int out_comment_marker(const struct results *r, struct buf *out)
{
	const char *s = r->meta.shard;
	size_t i;

	if (!s || !*s)
		return buf_adds(out, OUT_COMMENT_MARKER);
	/* Only "I/N" digits go into the HTML comment. */
	for (i = 0; s[i]; i++)
		if (!strchr("0123456789/", s[i]) || i > 16)
			return buf_adds(out, OUT_COMMENT_MARKER);
	return buf_addf(out, "<!-- flake-action:comment shard=%s -->", s);
}

/* Percent-encodes s[0..n) for a link destination: only characters with
 * no meaning to markdown stay as they are. */
static int add_url(struct buf *b, const char *s, size_t n, int keep_slash)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || strchr("-._~", c);

		if (c && (plain || (keep_slash && strchr("/:?#&=%+,;", c)))) {
			if (buf_addc(b, (char)c))
				return -1;
		} else if (buf_addf(b, "%%%02X", c)) {
			return -1;
		}
	}
	return 0;
}

/* Fenced block of at most max bytes of s, noting a cut under it. */
static int add_fenced_cut(struct buf *b, const char *info, const char *s,
			  size_t max)
{
	size_t n = strlen(s), k = utf8_prefix(s, n, max);

	if (md_add_fenced(b, info, s, k))
		return -1;
	if (k < n)
		return buf_addf(b, "\n_(first %zu of %zu bytes)_\n", k, n);
	return 0;
}

/* The link to test_id's page, "{base}/{owner}/{repo}/tests/{id}". */
static int add_test_url(struct buf *b, const struct cm_out *m, long test_id)
{
	const char *repo = m->r->meta.repository;

	if (buf_add(b, m->links_base, m->links_len) || buf_addc(b, '/') ||
	    add_url(b, repo, strlen(repo), 1))
		return -1;
	return buf_addf(b, "/tests/%ld", test_id);
}

static int has_test_link(const struct cm_out *m, const struct cm_item *it)
{
	return m->links_base && m->r->meta.repository && it->row &&
	       it->row->test_id > 0;
}

/* Appends the rendered piece when it fits; returns 1 when it did. */
static int commit(struct cm_out *m, int render_rc)
{
	size_t used = m->out->len - m->start;
	int ok = 0;

	if (!render_rc && used <= m->max && m->piece.len <= m->max - used &&
	    !buf_add(m->out, m->piece.data, m->piece.len))
		ok = 1;
	buf_reset(&m->piece);
	return ok;
}

/* ---- history lookup ---- */

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_row(const void *a, const void *b)
{
	const struct comment_row *x = *(const struct comment_row *const *)a;
	const struct comment_row *y = *(const struct comment_row *const *)b;
	int c = cmp_str(x->package, y->package);

	return c ? c : cmp_str(x->name, y->name);
}

static const struct comment_row *find_row(const struct comment_row **idx,
					  size_t n, const struct test *t)
{
	struct comment_row key;
	const struct comment_row *kp = &key, *const *hit;

	if (!n)
		return NULL;
	memset(&key, 0, sizeof(key));
	key.package = t->package;
	key.name = t->name;
	hit = bsearch(&kp, idx, n, sizeof(*idx), cmp_row);
	return hit ? *hit : NULL;
}

/* Failed or flaky, also by an earlier attempt (results_gate_verdict()). */
static int is_reported(const struct test *t)
{
	enum verdict v = results_gate_verdict(t);

	return v == VERDICT_FAILED || v == VERDICT_FLAKY;
}

/* Fills m->items in the order failed, new flaky, other flaky. */
static void collect(struct cm_out *m)
{
	const struct results *r = m->r;
	const struct comment_history *h = m->h;
	const struct comment_row **idx = NULL;
	size_t i, nidx = 0;
	int pass;

	if (h && h->nrows) {
		idx = xcalloc(h->nrows, sizeof(*idx));
		for (i = 0; i < h->nrows; i++)
			if (h->rows[i].klass != CLASS_FIXED)
				idx[nidx++] = &h->rows[i];
		qsort(idx, nidx, sizeof(*idx), cmp_row);
	}
	m->items = xcalloc(r->ntests + 1, sizeof(*m->items));
	for (pass = 0; pass < 3; pass++) {
		for (i = 0; i < r->ntests; i++) {
			const struct test *t = r->tests[i];
			const struct comment_row *row;
			enum test_class k;

			/* Quarantined tests have a line of their own. */
			if (!is_reported(t) || t->klass == CLASS_QUARANTINED)
				continue;
			if (t->via_subtest) {
				m->nparents += pass == 0;
				continue;
			}
			row = find_row(idx, nidx, t);
			/* The test's own class (the gate's), else its
			 * history row's, else this run's "new". */
			k = t->klass ? t->klass : row ? row->klass : CLASS_NONE;
			if (k == CLASS_NONE && t->new_flaky)
				k = CLASS_NEW;
			if (pass != (results_gate_verdict(t) == VERDICT_FAILED ? 0 :
				     k == CLASS_NEW ? 1 : 2))
				continue;
			m->items[m->nitems].t = t;
			m->items[m->nitems].row = row;
			m->items[m->nitems].klass = k;
			m->nitems++;
		}
	}
	free(idx);
}

/* ---- the pieces ---- */

static const char *class_tag(enum test_class k)
{
	switch (k) {
	case CLASS_NEW: return " · 🆕 new";
	case CLASS_KNOWN: return " · known";
	case CLASS_UNVERIFIED: return " · unverified";
	case CLASS_QUARANTINED: return " · 🔒 quarantined";
	case CLASS_REGRESSED: return " · ↩️ regressed";
	default: return "";
	}
}

static int render_headline(struct cm_out *m)
{
	const struct results *r = m->r;
	const struct comment_history *h = m->h;
	struct buf *b = &m->piece;
	size_t i;
	int nbuild = build_failed(r), nnew = 0, nknown = 0, nfixed = 0;
	int err = 0, nearlier = results_n_earlier(r);

	for (i = 0; i < m->nitems; i++) {
		nnew += m->items[i].klass == CLASS_NEW;
		nknown += m->items[i].klass == CLASS_KNOWN;
	}
	for (i = 0; h && i < h->nrows; i++)
		nfixed += h->rows[i].klass == CLASS_FIXED;
	err |= out_comment_marker(r, b);
	err |= buf_adds(b, "\n");
	if (r->n_failed || nbuild)
		err |= buf_adds(b, "### ❌ flake-action: ");
	else if (r->n_flaky || nearlier)
		err |= buf_adds(b, "### ⚠️ flake-action: ");
	else
		err |= buf_adds(b, "### ✅ flake-action: ");
	if (r->n_failed || r->n_flaky)
		err |= buf_addf(b, "%d flaky, %d failed", r->n_flaky,
				r->n_failed);
	else if (!nearlier)
		err |= buf_adds(b, "no flaky or failed tests");
	/* A re-run never clears a flake: not this run's counts, said apart. */
	if (nearlier)
		err |= buf_addf(b, "%s%d flaky in an earlier attempt of this "
				"run", r->n_failed || r->n_flaky ? ", " : "",
				nearlier);
	if (nbuild)
		err |= buf_addf(b, ", %d package%s did not build", nbuild,
				nbuild == 1 ? "" : "s");
	err |= buf_addf(b, "\n\n**%zu test%s** × **%zu cell%s**, %lld "
			"executions: **%d flaky**, **%d failed**, %d passed",
			r->ntests, r->ntests == 1 ? "" : "s", r->ncells,
			r->ncells == 1 ? "" : "s", r->total_executions,
			r->n_flaky, r->n_failed, r->n_passed);
	if (r->meta.commit) {
		size_t n = strlen(r->meta.commit);

		/* The short SHA GitHub itself shows. */
		err |= buf_adds(b, " at <code>");
		err |= md_escape_inline(b, r->meta.commit,
					utf8_prefix(r->meta.commit, n, 7));
		err |= buf_adds(b, "</code>");
	}
	err |= buf_adds(b, ".");
	if (m->note_url) {
		err |= buf_adds(b, " [Full report](");
		err |= buf_adds(b, m->note_url);
		err |= buf_adds(b, ")");
	}
	err |= buf_adds(b, "\n");
	if (h) {
		err |= buf_adds(b, "\nCompared with ");
		if (r->meta.base_branch) {
			err |= md_add_code(b, r->meta.base_branch, CM_NAME_MAX);
		} else {
			err |= buf_adds(b, "history");
		}
		if (h->window) {
			err |= buf_adds(b, " (");
			err |= md_escape_inline_cut(b, h->window, 40);
			err |= buf_adds(b, ")");
		}
		err |= buf_addf(b, ": **%d new**, %d known, %d fixed.\n", nnew,
				nknown, nfixed);
	} else if (nnew) {
		err |= buf_addf(b, "\n%d of them %s never flaky before.\n", nnew,
				nnew == 1 ? "was" : "were");
	}
	return err ? -1 : 0;
}

/* The failure to show for t: a race report first, else the first. */
static const struct failure *main_failure(const struct test *t)
{
	size_t i;

	for (i = 0; i < t->nfails; i++)
		if (t->fails[i].kind == FAIL_RACE)
			return &t->fails[i];
	return t->nfails ? &t->fails[0] : NULL;
}

static int render_row(struct cm_out *m, const struct cm_item *it, int first)
{
	const struct test *t = it->t;
	const struct failure *f = main_failure(t);
	struct buf *b = &m->piece;
	size_t i;
	int err = 0;

	if (first) {
		err |= buf_adds(b, "\n| | Test | Package | This run | "
				"Worst cell |");
		if (m->h) {
			err |= buf_adds(b, " Rate");
			if (m->h->window) {
				err |= buf_adds(b, " (");
				err |= md_escape_inline_cut(b, m->h->window, 40);
				err |= buf_adds(b, ")");
			}
			err |= buf_adds(b, " | First seen |");
		}
		err |= buf_adds(b, " Signature |\n|---|---|---|---:|---|");
		if (m->h)
			err |= buf_adds(b, "---|---|");
		err |= buf_adds(b, "---|\n");
	}
	err |= buf_addf(b, "| %s%s | ", t->status == VERDICT_FAILED ?
			"❌ failed" : "⚠️ flaky", class_tag(it->klass));
	if (has_test_link(m, it)) {
		err |= buf_adds(b, "[");
		err |= md_add_code(b, t->name, CM_NAME_MAX);
		err |= buf_adds(b, "](");
		err |= add_test_url(b, m, it->row->test_id);
		err |= buf_adds(b, ")");
	} else {
		err |= md_add_code(b, t->name, CM_NAME_MAX);
	}
	err |= buf_adds(b, " | ");
	err |= md_add_code(b, t->package, CM_NAME_MAX);
	err |= buf_addf(b, " | %d/%d", t->failures, t->passes + t->failures);
	if (t->earlier_attempt)
		err |= buf_addf(b, "; failed in attempt %d", t->earlier_attempt);
	err |= buf_adds(b, " | ");
	for (i = 0; t->worst_cell >= 0 && i < t->ncells; i++) {
		const struct test_cell *tc = &t->cells[i];

		if (tc->cell != t->worst_cell)
			continue;
		err |= md_escape_inline_cut(b, m->r->cells[tc->cell].name,
				      CM_CELL_MAX);
		err |= buf_addf(b, ": %d/%d", tc->failures,
				tc->passes + tc->failures);
		break;
	}
	if (t->worst_cell < 0 || i == t->ncells)
		err |= buf_adds(b, "—");
	if (m->h) {
		err |= buf_adds(b, " | ");
		if (it->row && it->row->rate_text)
			err |= md_escape_inline_cut(b, it->row->rate_text,
					      CM_TEXT_MAX);
		else
			err |= buf_adds(b, "—");
		err |= buf_adds(b, " | ");
		if (it->row && it->row->first_seen)
			err |= md_escape_inline_cut(b, it->row->first_seen,
					      CM_TEXT_MAX);
		else
			err |= buf_adds(b, it->klass == CLASS_NEW ?
					"this run" : "—");
	}
	err |= buf_adds(b, " | ");
	if (f && *f->signature)
		err |= md_add_code(b, f->signature, CM_SIG_MAX);
	else
		err |= buf_adds(b, "—");
	err |= buf_adds(b, " |\n");
	return err ? -1 : 0;
}

/* One line naming the parents that failed only through subtests. */
static int render_parents(struct cm_out *m)
{
	const struct results *r = m->r;
	struct buf *b = &m->piece;
	size_t i;
	int k = 0, err = 0;

	err |= buf_adds(b, "\n_Also failed, only because a subtest failed:_ ");
	for (i = 0; i < r->ntests && k < CM_PARENTS_MAX; i++) {
		const struct test *t = r->tests[i];

		if (!is_reported(t) || !t->via_subtest)
			continue;
		err |= buf_adds(b, k ? ", " : "");
		err |= md_add_code(b, t->name, CM_NAME_MAX);
		k++;
	}
	if (m->nparents > k)
		err |= buf_addf(b, " and %d more", m->nparents - k);
	err |= buf_adds(b, "\n");
	return err ? -1 : 0;
}

static void section_table(struct cm_out *m)
{
	size_t i;
	int full = 0;

	for (i = 0; i < m->nitems; i++) {
		if (!full && i < CM_ROWS_MAX &&
		    commit(m, render_row(m, &m->items[i], i == 0))) {
			m->items[i].shown = 1;
			continue;
		}
		full = 1;
		m->omitted_tests++;
	}
	if (m->nparents && (full || !commit(m, render_parents(m))))
		m->omitted_tests += m->nparents;
}

/* One line naming the packages that did not build. */
static int render_build(struct cm_out *m, int nbuild)
{
	const struct results *r = m->r;
	struct buf *b = &m->piece;
	size_t i;
	int k = 0, err = 0;

	err |= buf_adds(b, "\n**Did not build:** ");
	for (i = 0; i < r->npkgs && k < CM_BUILD_MAX; i++) {
		if (r->pkgs[i].status != PKG_BUILD_FAILED)
			continue;
		err |= buf_adds(b, k ? ", " : "");
		err |= md_add_code(b, r->pkgs[i].package, CM_NAME_MAX);
		k++;
	}
	if (nbuild > k)
		err |= buf_addf(b, " and %d more", nbuild - k);
	err |= buf_adds(b, " (the errors are in the job summary)\n");
	return err ? -1 : 0;
}

static void section_build(struct cm_out *m)
{
	int n = build_failed(m->r);

	if (n && !commit(m, render_build(m, n)))
		m->omitted_build = n;
}

/* "GOMAXPROCS=2 (×3), race GOMAXPROCS=2 (×1)": f's signature's cells. */
static int add_fail_cells(struct buf *b, const struct results *r,
			  const struct test *t, const struct failure *f)
{
	size_t i;
	int err = 0, n = 0;

	for (i = 0; i < t->nfails && n < 8; i++) {
		const struct failure *g = &t->fails[i];

		if (strcmp(g->signature, f->signature) != 0)
			continue;
		err |= buf_adds(b, n++ ? ", " : "");
		err |= md_escape_inline_cut(b, r->cells[g->cell].name, CM_CELL_MAX);
		err |= buf_addf(b, " (×%d)", g->count);
	}
	return err ? -1 : 0;
}

/* Distinct signatures of t other than f's. */
static int other_signatures(const struct test *t, const struct failure *f)
{
	size_t i, j;
	int n = 0;

	for (i = 0; i < t->nfails; i++) {
		if (!strcmp(t->fails[i].signature, f->signature))
			continue;
		for (j = 0; j < i; j++)
			if (!strcmp(t->fails[j].signature,
				    t->fails[i].signature))
				break;
		n += j == i;
	}
	return n + t->fails_dropped;
}

static int render_links(struct cm_out *m, const struct cm_item *it)
{
	struct buf *b = &m->piece;
	int err = 0;

	if (!has_test_link(m, it))
		return 0;
	err |= buf_adds(b, "\n[History of this test](");
	err |= add_test_url(b, m, it->row->test_id);
	err |= buf_adds(b, ")\n");
	return err ? -1 : 0;
}

/* excerpt: bytes of the failure's output to show; 0 shows none. */
static int render_details(struct cm_out *m, const struct cm_item *it,
			  size_t excerpt)
{
	const struct results *r = m->r;
	const struct test *t = it->t;
	const struct failure *f = main_failure(t);
	struct buf *b = &m->piece;
	int err = 0;

	err |= buf_addf(b, "\n<details><summary>%s ",
			t->status == VERDICT_FAILED ? "❌" : "⚠️");
	err |= md_add_code(b, t->name, CM_NAME_MAX);
	err |= buf_adds(b, " in ");
	err |= md_add_code(b, t->package, CM_NAME_MAX);
	err |= buf_addf(b, ": %d/%d failed", t->failures,
			t->passes + t->failures);
	if (t->earlier_attempt)
		err |= buf_addf(b, " here, and failed in attempt %d of this run "
				"on this commit: a re-run does not clear it",
				t->earlier_attempt);
	if (t->where) {
		err |= buf_adds(b, ", ");
		err |= md_escape_inline_cut(b, t->where, CM_NAME_MAX);
	}
	err |= buf_adds(b, "</summary>\n");
	if (it->row && it->row->rates_text && *it->row->rates_text) {
		err |= buf_adds(b, "\nHistory");
		if (r->meta.base_branch) {
			err |= buf_adds(b, " on ");
			err |= md_add_code(b, r->meta.base_branch, CM_NAME_MAX);
		}
		if (m->h && m->h->window) {
			err |= buf_adds(b, " (");
			err |= md_escape_inline_cut(b, m->h->window, 40);
			err |= buf_adds(b, ")");
		}
		err |= buf_adds(b, ": ");
		err |= md_escape_inline_cut(b, it->row->rates_text, CM_RATES_MAX);
		err |= buf_adds(b, "\n");
	}
	if (t->repro) {
		err |= buf_adds(b, "\nReproduce");
		if (t->worst_cell >= 0) {
			err |= buf_adds(b, " (worst cell: ");
			err |= md_escape_inline_cut(b, r->cells[t->worst_cell].name,
					      CM_CELL_MAX);
			err |= buf_adds(b, ")");
		}
		err |= buf_adds(b, ":\n\n");
		err |= md_add_fenced(b, "sh", t->repro, strlen(t->repro));
	}
	if (f) {
		const char *text = f->output && *f->output ? f->output :
				   f->message;
		int others = other_signatures(t, f);

		err |= buf_addf(b, "\n**%s**", fail_kind_name(f->kind));
		if (f->file) {
			err |= buf_adds(b, " at <code>");
			err |= md_escape_inline_cut(b, f->file, CM_NAME_MAX);
			if (f->line > 0)
				err |= buf_addf(b, ":%d", f->line);
			err |= buf_adds(b, "</code>");
		}
		err |= buf_adds(b, " in ");
		err |= add_fail_cells(b, r, t, f);
		if (excerpt && text && *text) {
			err |= buf_addf(b, ":\n\n");
			err |= add_fenced_cut(b, "text", text, excerpt);
		} else {
			err |= buf_adds(b, "\n");
		}
		if (others)
			err |= buf_addf(b, "\n_%d other distinct failure%s: "
					"see the job summary._\n", others,
					others == 1 ? "" : "s");
	}
	err |= render_links(m, it);
	err |= buf_adds(b, "\n</details>\n");
	return err ? -1 : 0;
}

static void section_details(struct cm_out *m)
{
	static const size_t tiers[] = { CM_EXCERPT_MAX, CM_EXCERPT_SHORT, 0 };
	size_t i, tier = 0;
	int full = 0;

	for (i = 0; i < m->nitems; i++) {
		if (!m->items[i].shown)
			continue;
		if (full) {
			m->omitted_details++;
			continue;
		}
		/* Once a tier no longer fits, later tests use the smaller
		 * ones only, so that as many tests as possible keep a block. */
		while (tier < 3 &&
		       !commit(m, render_details(m, &m->items[i], tiers[tier])))
			tier++;
		if (tier == 3) {
			full = 1;
			m->omitted_details++;
		}
	}
}

static int render_fixed(struct cm_out *m, int nfixed)
{
	const struct comment_history *h = m->h;
	struct buf *b = &m->piece;
	size_t i;
	int k = 0, err = 0;

	err |= buf_adds(b, "\n**Fixed**");
	if (m->r->meta.base_branch) {
		err |= buf_adds(b, " (flaky on ");
		err |= md_add_code(b, m->r->meta.base_branch, CM_NAME_MAX);
		err |= buf_adds(b, ", not here)");
	}
	err |= buf_adds(b, ": ");
	for (i = 0; i < h->nrows && k < CM_FIXED_MAX; i++) {
		const struct comment_row *row = &h->rows[i];

		if (row->klass != CLASS_FIXED)
			continue;
		err |= buf_adds(b, k ? ", " : "");
		err |= md_add_code(b, row->name ? row->name : "?", CM_NAME_MAX);
		k++;
	}
	if (nfixed > k)
		err |= buf_addf(b, " and %d more", nfixed - k);
	err |= buf_adds(b, "\n");
	return err ? -1 : 0;
}

static void section_fixed(struct cm_out *m)
{
	size_t i;
	int n = 0;

	for (i = 0; m->h && i < m->h->nrows; i++)
		n += m->h->rows[i].klass == CLASS_FIXED;
	if (n && !commit(m, render_fixed(m, n)))
		m->omitted_fixed = n;
}

static int render_quarantined(struct cm_out *m, int n)
{
	const struct results *r = m->r;
	struct buf *b = &m->piece;
	size_t i;
	int k = 0, err = 0;

	err |= buf_adds(b, "\n**🔒 Quarantined** (they ran; their failures do "
			"not fail the job): ");
	for (i = 0; i < r->ntests && k < CM_FIXED_MAX; i++) {
		const struct test *t = r->tests[i];

		if (!is_reported(t) || t->klass != CLASS_QUARANTINED)
			continue;
		err |= buf_adds(b, k ? ", " : "");
		err |= md_add_code(b, t->name, CM_NAME_MAX);
		err |= buf_addf(b, " %d/%d", t->failures, t->passes + t->failures);
		k++;
	}
	if (n > k)
		err |= buf_addf(b, " and %d more", n - k);
	err |= buf_adds(b, "\n");
	return err ? -1 : 0;
}

static void section_quarantined(struct cm_out *m)
{
	size_t i;
	int n = 0;

	for (i = 0; i < m->r->ntests; i++)
		n += is_reported(m->r->tests[i]) &&
		     m->r->tests[i]->klass == CLASS_QUARANTINED;
	if (n && !commit(m, render_quarantined(m, n)))
		m->omitted_tests += n;
}

/* The note's link: the reporter's run page, else the Actions run. */
static char *note_url(const struct results *r,
		      const struct comment_history *h)
{
	const struct run_meta *mt = &r->meta;
	struct buf b = BUF_INIT(CM_URL_MAX);

	if (h && h->run_url && *h->run_url) {
		if (add_url(&b, h->run_url, strlen(h->run_url), 1))
			goto fail;
	} else if (mt->server_url && mt->repository && mt->run_id) {
		size_t n = strlen(mt->server_url);

		while (n && mt->server_url[n - 1] == '/')
			n--;
		if (add_url(&b, mt->server_url, n, 1) || buf_addc(&b, '/') ||
		    add_url(&b, mt->repository, strlen(mt->repository), 1) ||
		    buf_adds(&b, "/actions/runs/") ||
		    add_url(&b, mt->run_id, strlen(mt->run_id), 0))
			goto fail;
		if (mt->run_attempt > 1 &&
		    buf_addf(&b, "/attempts/%d", mt->run_attempt))
			goto fail;
	} else {
		return NULL;
	}
	return buf_detach(&b, NULL);
fail:
	buf_release(&b);
	return NULL;
}

/* Appends the omitted note, or a shorter one when it does not fit. */
static void add_note(struct cm_out *m)
{
	struct buf *b = &m->piece;
	size_t room = m->total - (m->out->len - m->start);
	int n = 0, err = 0;

	if (!m->omitted_tests && !m->omitted_details && !m->omitted_fixed &&
	    !m->omitted_build)
		return;
	buf_reset(b);
	err |= buf_adds(b, "\n_… ");
	if (m->omitted_tests)
		err |= buf_addf(b, "%s%d more test%s", n++ ? ", " : "",
				m->omitted_tests,
				m->omitted_tests == 1 ? "" : "s");
	if (m->omitted_details)
		err |= buf_addf(b, "%sdetails of %d more", n++ ? ", " : "",
				m->omitted_details);
	if (m->omitted_fixed)
		err |= buf_addf(b, "%s%d more fixed", n++ ? ", " : "",
				m->omitted_fixed);
	if (m->omitted_build)
		err |= buf_addf(b, "%s%d package%s that did not build",
				n++ ? ", " : "", m->omitted_build,
				m->omitted_build == 1 ? "" : "s");
	err |= buf_adds(b, " (the comment is limited in size); see ");
	if (m->note_url) {
		err |= buf_adds(b, "[the full report](");
		err |= buf_adds(b, m->note_url);
		err |= buf_adds(b, ")");
	} else {
		err |= buf_adds(b, "the job summary");
	}
	err |= buf_adds(b, "._\n");
	if (err || b->len > room) {
		buf_reset(b);
		if (buf_adds(b, "\n_… more; see the job summary._\n") ||
		    b->len > room)
			buf_reset(b);
	}
	/* The room was checked, so this cannot fail. */
	if (buf_add(m->out, b->data ? b->data : "", b->len))
		BUG("comment note does not fit after all");
	buf_reset(b);
}

int out_comment_render(const struct results *r,
		       const struct comment_history *h,
		       const char *links_base, struct buf *out,
		       size_t max_bytes, struct err *err)
{
	struct cm_out m;
	size_t reserve;
	int rc = 0;

	if (!r->finished)
		BUG("out_comment_render before results_finish");
	memset(&m, 0, sizeof(m));
	m.out = out;
	m.start = out->len;
	m.r = r;
	m.h = h;
	if (links_base && *links_base) {
		m.links_base = links_base;
		m.links_len = strlen(links_base);
		while (m.links_len && links_base[m.links_len - 1] == '/')
			m.links_len--;
	}
	m.note_url = note_url(r, h);
	m.total = max_bytes;
	if (out->limit - out->len < m.total)
		m.total = out->limit - out->len;
	reserve = CM_NOTE_RESERVE + (m.note_url ? strlen(m.note_url) : 0);
	buf_init(&m.piece, m.total + 1);
	collect(&m);
	/* The headline may use the note's reserve: with it, nothing else
	 * fits anyway, and the note has a short form. */
	m.max = m.total;
	if (!commit(&m, render_headline(&m))) {
		rc = err_set(err, "comment limit of %zu bytes is too small for "
			     "its headline", max_bytes);
		goto out;
	}
	m.max = m.total > reserve ? m.total - reserve : 0;
	section_build(&m);
	section_table(&m);
	section_details(&m);
	section_quarantined(&m);
	section_fixed(&m);
	add_note(&m);
out:
	buf_release(&m.piece);
	free(m.items);
	free(m.note_url);
	return rc;
}
