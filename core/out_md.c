/*
 * out_md.c: the step-summary markdown and the markdown escapers.
 *
 * The summary is assembled from pieces.  Each piece (the headline, one
 * table row, one test's <details>) is rendered complete into a scratch
 * buffer and appended only when it fits the remaining budget, which always
 * keeps MD_NOTE_RESERVE bytes back for the closing "omitted" note.  Pieces
 * are produced in order of importance, so the first one that does not fit
 * ends its section and everything after it is only counted for the note.
 * Every piece starts at the start of a line and ends with a newline; a
 * section starts with a blank line, which also ends a preceding table.
 */
#include "out_md.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

#define MD_NOTE_RESERVE 384	/* bytes kept back for the omitted note */
#define MD_NAME_MAX 300		/* bytes of a name shown in a table cell */
#define MD_WHERE_MAX 300	/* bytes of a where text in a table cell */
#define MD_BUILD_MAX 4096	/* bytes of a build error excerpt */
#define MD_FIELD_MAX 8192	/* bytes of a message or output excerpt */
#define MD_INLINE_MAX 1024	/* bytes of a message line in <details> */
#define MD_PARENTS_MAX 50	/* via-subtest parents named on the line */

/* Bidirectional overrides and isolates ("trojan source"). */
static int is_bidi(unsigned long cp)
{
	return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}


static int is_word(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
}

/* 1 when a zero-width space after s[i] stops a GFM extended autolink:
 * s[i] is the ':' of "://" or the last 'w' of "www.". */
static int breaks_autolink(const char *s, size_t n, size_t i)
{
	if (s[i] == ':')
		return i + 2 < n && s[i + 1] == '/' && s[i + 2] == '/';
	if (s[i] != 'w' && s[i] != 'W')
		return 0;
	return i >= 2 && i + 1 < n && s[i + 1] == '.' &&
	       (s[i - 1] == 'w' || s[i - 1] == 'W') &&
	       (s[i - 2] == 'w' || s[i - 2] == 'W');
}

static const char *inline_entity(unsigned char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	case '\\': return "&#92;";
	case '`': return "&#96;";
	case '*': return "&#42;";
	case '_': return "&#95;";
	case '[': return "&#91;";
	case ']': return "&#93;";
	case '|': return "&#124;";
	case '~': return "&#126;";
	case '$': return "&#36;";
	case '!': return "&#33;";
	case '#': return "&#35;";
	case '@': return "&#64;";
	default: return NULL;
	}
}

int md_escape_inline(struct buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t start = b->len, i = 0, len;
	unsigned long cp;
	int rc = 0;

	while (i < n && !rc) {
		len = utf8_seq(u + i, n - i, &cp);
		if (!len) {
			rc = buf_adds(b, utf8_replacement);
			i++;
			continue;
		}
		if (cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x2028 ||
		    cp == 0x2029) {
			rc = buf_addc(b, ' ');
		} else if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) ||
			   is_bidi(cp)) {
			/* dropped */
		} else if (cp < 0x80 && inline_entity((unsigned char)cp)) {
			rc = buf_adds(b, inline_entity((unsigned char)cp));
			/* A zero-width space keeps "@user" from mentioning and
			 * "#123" from linking, even after entity decoding. */
			if (!rc && (cp == '@' || cp == '#') && i + 1 < n &&
			    is_word(u[i + 1]))
				rc = buf_adds(b, "&#8203;");
		} else if (breaks_autolink(s, n, i)) {
			/* "http://" and "www." would become links */
			rc = buf_addc(b, s[i]);
			rc = rc ? rc : buf_adds(b, "&#8203;");
		} else {
			rc = buf_add(b, s + i, len);
		}
		i += len;
	}
	if (rc)
		buf_truncate(b, start);
	return rc;
}

/*
 * Longest run of backticks in s[0..n) as add_code_text() writes it: the
 * control characters it drops (C0 but tab, LF and CR; DEL; C1) join the
 * runs around them, so "``\1``" counts as a run of 4.
 */
static size_t backtick_run(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, run = 0, best = 0;

	for (i = 0; i < n; i++) {
		if ((u[i] < 0x20 && u[i] != '\t' && u[i] != '\n' &&
		     u[i] != '\r') || u[i] == 0x7F)
			continue;
		if (u[i] == 0xC2 && i + 1 < n && u[i + 1] >= 0x80 &&
		    u[i + 1] <= 0x9F) {
			i++;
			continue;
		}
		run = s[i] == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

static int add_fence(struct buf *b, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++)
		if (buf_addc(b, '`'))
			return -1;
	return 0;
}

/* Appends s[0..n) as code-block content; see md_add_fenced(). */
static int add_code_text(struct buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, len;
	unsigned long cp;
	int rc = 0;

	while (i < n && !rc) {
		len = utf8_seq(u + i, n - i, &cp);
		if (!len) {
			rc = buf_adds(b, utf8_replacement);
			i++;
			continue;
		}
		if (cp == '\r') {
			if (i + 1 >= n || s[i + 1] != '\n')
				rc = buf_addc(b, '\n');
		} else if (cp == '\n' || cp == '\t') {
			rc = buf_addc(b, (char)cp);
		} else if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) {
			/* dropped */
		} else if (is_bidi(cp)) {
			rc = buf_adds(b, utf8_replacement);
		} else {
			rc = buf_add(b, s + i, len);
		}
		i += len;
	}
	return rc;
}

int md_add_fenced(struct buf *b, const char *info, const char *s, size_t n)
{
	size_t start = b->len, k = backtick_run(s, n) + 1;
	int rc;

	if (k < 3)
		k = 3;
	rc = add_fence(b, k);
	for (; info && *info && !rc; info++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			   "0123456789_+.-", *info))
			rc = buf_addc(b, *info);
	rc = rc ? rc : buf_addc(b, '\n');
	rc = rc ? rc : add_code_text(b, s, n);
	if (!rc && b->len > start && b->data[b->len - 1] != '\n')
		rc = buf_addc(b, '\n');
	rc = rc ? rc : add_fence(b, k);
	rc = rc ? rc : buf_addc(b, '\n');
	if (rc)
		buf_truncate(b, start);
	return rc;
}

int md_escape_inline_cut(struct buf *b, const char *s, size_t max)
{
	size_t n = strlen(s), k = utf8_prefix(s, n, max);

	if (md_escape_inline(b, s, k))
		return -1;
	return k < n ? buf_adds(b, "…") : 0;
}

int md_add_code(struct buf *b, const char *s, size_t max)
{
	if (buf_adds(b, "<code>") || md_escape_inline_cut(b, s, max))
		return -1;
	return buf_adds(b, "</code>");
}

/* Fenced block of at most max bytes of s, noting a cut on its last line. */
static int add_fenced_cut(struct buf *b, const char *info, const char *s,
			  size_t max)
{
	size_t n = strlen(s), k = utf8_prefix(s, n, max);

	if (md_add_fenced(b, info, s, k))
		return -1;
	if (k < n)
		return buf_addf(b, "\n_(cut at %zu of %zu bytes)_\n", k, n);
	return 0;
}

static int add_duration(struct buf *b, long long ms)
{
	if (ms < 0)
		ms = 0;
	if (ms < 60000)
		return buf_addf(b, "%.1f s", (double)ms / 1000.0);
	if (ms < 3600000)
		return buf_addf(b, "%lldm %02llds", ms / 60000,
				(ms / 1000) % 60);
	return buf_addf(b, "%lldh %02lldm", ms / 3600000, (ms / 60000) % 60);
}

static int add_size(struct buf *b, size_t n)
{
	if (n < 1024)
		return buf_addf(b, "%zu bytes", n);
	if (n < (size_t)1024 * 1024)
		return buf_addf(b, "%zu KiB", n / 1024);
	return buf_addf(b, "%.1f MiB", (double)n / (1024.0 * 1024.0));
}

/* Distinct failure kinds of t in first-seen order: "race, panic". */
static int add_kinds(struct buf *b, const struct test *t)
{
	int seen = 0, first = 1;
	size_t i;

	for (i = 0; i < t->nfails; i++) {
		int bit = 1 << t->fails[i].kind;

		if (seen & bit)
			continue;
		seen |= bit;
		if (buf_addf(b, "%s%s", first ? "" : ", ",
			     fail_kind_name(t->fails[i].kind)))
			return -1;
		first = 0;
	}
	/* None here: the failures were an earlier attempt's. */
	return first ? buf_adds(b, t->earlier_attempt ? "—" : "?") : 0;
}

/* The where text, or what a missing one means. */
static int add_where(struct buf *b, const struct test *t)
{
	/* Passed here: its failures are an earlier attempt's. */
	if (t->earlier_attempt)
		return buf_addf(b, "failed in attempt %d of this run on this "
				"commit, passed in this one: a re-run does not "
				"clear it", t->earlier_attempt);
	if (t->where)
		return md_escape_inline_cut(b, t->where, MD_WHERE_MAX);
	return buf_adds(b, t->status == VERDICT_FAILED ?
			"every cell" : "every cell it ran in");
}

/* Failed, flaky (also by an earlier attempt), and state leaks (repeat:
 * passed as go test runs it). */
static int is_reported(const struct test *t)
{
	enum verdict v = results_gate_verdict(t);

	return v == VERDICT_FAILED || v == VERDICT_FLAKY || t->repeat;
}

/* The gate's word for t (docs/GATE.md), after its verdict. */
static const char *class_tag(const struct test *t)
{
	if (t->new_flaky)
		return " 🆕 new";
	if (t->klass == CLASS_KNOWN)
		return " · known";
	if (t->klass == CLASS_QUARANTINED)
		return " · 🔒 quarantined";
	if (t->klass == CLASS_REGRESSED)
		return " · ↩️ regressed";
	if (t->klass == CLASS_UNVERIFIED &&
	    results_gate_verdict(t) == VERDICT_FLAKY)
		return " · unverified";
	return "";
}

static const char *verdict_label(const struct test *t)
{
	if (t->repeat && t->status == VERDICT_PASSED && !t->earlier_attempt)
		return "🔁 repeat";
	if (test_is_package(t))
		return t->status == VERDICT_FAILED ? "❌ package failed" :
		       "⚠️ package flaky";
	return t->status == VERDICT_FAILED ? "❌ failed" : "⚠️ flaky";
}

struct md_out {
	struct buf *out;
	size_t start;		/* out->len on entry */
	size_t max;		/* bytes for pieces; the note's reserve excluded */
	size_t total;		/* bytes for everything */
	struct buf piece;	/* scratch for the piece being rendered */
	int omitted_tests;	/* failed/flaky tests left out of the table */
	int omitted_details;	/* <details> blocks left out */
	int omitted_output;	/* <details> rendered without output excerpts */
	int omitted_builds;	/* build errors left out */
	int omitted_cells;	/* the cell table (or its tail) was left out */
};

/* Appends the rendered piece when it fits; returns 1 when it did. */
static int commit(struct md_out *m, int render_rc)
{
	size_t used = m->out->len - m->start;
	int ok = 0;

	if (!render_rc && m->piece.len <= m->max - used &&
	    !buf_add(m->out, m->piece.data, m->piece.len))
		ok = 1;
	buf_reset(&m->piece);
	return ok;
}

static int render_headline(struct md_out *m, const struct results *r)
{
	struct buf *b = &m->piece;
	const struct run_meta *mt = &r->meta;
	size_t i;
	int nbuild = 0, err = 0, nearlier = results_n_earlier(r);

	for (i = 0; i < r->npkgs; i++)
		nbuild += r->pkgs[i].status == PKG_BUILD_FAILED;
	if (r->n_failed || nbuild)
		err |= buf_adds(b, "## ❌ flake-action: ");
	else if (r->n_flaky || nearlier)
		err |= buf_adds(b, "## ⚠️ flake-action: ");
	else
		err |= buf_adds(b, "## ✅ flake-action: ");
	if (r->n_failed || r->n_flaky)
		err |= buf_addf(b, "%d failed, %d flaky", r->n_failed,
				r->n_flaky);
	else if (!nearlier)
		err |= buf_adds(b, "no failed or flaky tests");
	if (nearlier)
		err |= buf_addf(b, "%s%d flaky in an earlier attempt of this "
				"run", r->n_failed || r->n_flaky ? ", " : "",
				nearlier);
	if (nbuild)
		err |= buf_addf(b, ", %d package%s did not build", nbuild,
				nbuild == 1 ? "" : "s");
	err |= buf_addf(b, "\n\n**%zu tests** × **%zu cells**: %lld executions"
			" in ", r->ntests, r->ncells, r->total_executions);
	err |= add_duration(b, r->wall_ms);
	err |= buf_addf(b, " — **%d failed**, **%d flaky**, %d passed, "
			"%d skipped, %d not run\n",
			r->n_failed, r->n_flaky, r->n_passed, r->n_skipped,
			r->n_notrun);
	if (r->budget.budget_ms > 0) {
		char bt[RESULTS_BUDGET_TEXT_MAX];

		results_budget_text(&r->budget, bt, sizeof(bt));
		err |= buf_adds(b, "\n");
		err |= md_escape_inline_cut(b, bt, sizeof(bt));
		err |= buf_adds(b, "\n");
	}
	if (mt->go_version || mt->commit || mt->shard) {
		const char *sep = "";

		err |= buf_adds(b, "\n<sub>");
		if (mt->go_version) {
			err |= md_escape_inline_cut(b, mt->go_version, 64);
			if (mt->goos && mt->goarch) {
				err |= buf_addc(b, ' ');
				err |= md_escape_inline_cut(b, mt->goos, 32);
				err |= buf_addc(b, '/');
				err |= md_escape_inline_cut(b, mt->goarch, 32);
			}
			sep = " · ";
		}
		if (mt->commit) {
			err |= buf_addf(b, "%scommit ", sep);
			err |= md_escape_inline_cut(b, mt->commit, 12);
			sep = " · ";
		}
		if (mt->shard) {
			err |= buf_addf(b, "%sshard ", sep);
			err |= md_escape_inline_cut(b, mt->shard, 32);
		}
		err |= buf_adds(b, "</sub>\n");
	}
	return err ? -1 : 0;
}

static int render_build(struct buf *b, const struct package *p, int first,
			int with_excerpt)
{
	int err = 0;

	if (first)
		err |= buf_adds(b, "\n### Build errors\n");
	err |= buf_adds(b, "\n**");
	err |= md_add_code(b, p->package, MD_NAME_MAX);
	err |= buf_adds(b, "** did not build");
	if (with_excerpt && p->error && *p->error) {
		err |= buf_adds(b, ":\n\n");
		err |= add_fenced_cut(b, "text", p->error, MD_BUILD_MAX);
	} else {
		err |= buf_adds(b, "\n");
	}
	return err ? -1 : 0;
}

static void section_build(struct md_out *m, const struct results *r)
{
	size_t i;
	int first = 1, full = 0;

	for (i = 0; i < r->npkgs; i++) {
		const struct package *p = &r->pkgs[i];

		if (p->status != PKG_BUILD_FAILED)
			continue;
		if (!full && (commit(m, render_build(&m->piece, p, first, 1)) ||
			      commit(m, render_build(&m->piece, p, first, 0)))) {
			first = 0;
			continue;
		}
		full = 1;
		m->omitted_builds++;
	}
}

static int render_row(struct buf *b, const struct test *t, int first)
{
	int err = 0;

	if (first)
		err |= buf_adds(b, "\n### Failed and flaky tests\n\n"
				"| Verdict | Test | Package | Failed runs | "
				"Kind | Where |\n"
				"|---|---|---|---:|---|---|\n");
	err |= buf_addf(b, "| %s%s | ", verdict_label(t), class_tag(t));
	err |= md_add_code(b, t->name, MD_NAME_MAX);
	err |= buf_adds(b, " | ");
	err |= md_add_code(b, t->package, MD_NAME_MAX);
	err |= buf_addf(b, " | %d/%d | ", t->failures,
			t->passes + t->failures);
	err |= add_kinds(b, t);
	err |= buf_adds(b, " | ");
	err |= add_where(b, t);
	err |= buf_adds(b, " |\n");
	return err ? -1 : 0;
}

/* One line naming the parents that failed only through subtests. */
static int render_parents(struct buf *b, const struct results *r, int n)
{
	size_t i;
	int k = 0, err = 0;

	err |= buf_adds(b, "\n_Also failed, only because a subtest failed:_ ");
	for (i = 0; i < r->ntests && k < MD_PARENTS_MAX; i++) {
		const struct test *t = r->tests[i];

		if (!is_reported(t) || !t->via_subtest)
			continue;
		err |= buf_adds(b, k ? ", " : "");
		err |= md_add_code(b, t->name, MD_NAME_MAX);
		k++;
	}
	if (n > k)
		err |= buf_addf(b, " and %d more", n - k);
	err |= buf_adds(b, "\n");
	return err ? -1 : 0;
}

static void section_tests(struct md_out *m, const struct results *r)
{
	size_t i;
	int first = 1, full = 0, parents = 0;

	for (i = 0; i < r->ntests; i++) {
		const struct test *t = r->tests[i];

		if (!is_reported(t) || t->klass == CLASS_QUARANTINED)
			continue;
		if (t->via_subtest) {
			parents++;
			continue;
		}
		if (!full && commit(m, render_row(&m->piece, t, first))) {
			first = 0;
			continue;
		}
		full = 1;
		m->omitted_tests++;
	}
	if (!parents)
		return;
	if (full || !commit(m, render_parents(&m->piece, r, parents)))
		m->omitted_tests += parents;
}

static int render_quarantined(struct buf *b, const struct test *t, int first)
{
	int err = 0;

	if (first)
		err |= buf_adds(b, "\n### 🔒 Quarantined\n\nThese tests are on "
				"the quarantine list: they ran, and their failures "
				"do not fail the job (docs/GATE.md).\n\n"
				"| Verdict | Test | Package | This run | Base branch "
				"(window) |\n|---|---|---|---:|---:|\n");
	err |= buf_addf(b, "| %s | ", verdict_label(t));
	err |= md_add_code(b, t->name, MD_NAME_MAX);
	err |= buf_adds(b, " | ");
	err |= md_add_code(b, t->package, MD_NAME_MAX);
	err |= buf_addf(b, " | %d/%d | ", t->failures, t->passes + t->failures);
	if (t->has_base)
		err |= buf_addf(b, "%ld/%ld |\n", t->base.failures,
				t->base.executions);
	else
		err |= buf_adds(b, "— |\n");
	return err ? -1 : 0;
}

/* The quarantined tests, apart from the table that can fail the job. */
static void section_quarantined(struct md_out *m, const struct results *r)
{
	size_t i;
	int first = 1, full = 0;

	for (i = 0; i < r->ntests; i++) {
		const struct test *t = r->tests[i];

		if (!is_reported(t) || t->klass != CLASS_QUARANTINED)
			continue;
		if (!full && commit(m, render_quarantined(&m->piece, t, first))) {
			first = 0;
			continue;
		}
		full = 1;
		m->omitted_tests++;
	}
}

static int render_cell(struct buf *b, const struct results *r, size_t c,
		       int first)
{
	long long execs = 0;
	int failing = 0, err = 0;
	size_t i, j;

	for (i = 0; i < r->ntests; i++) {
		const struct test *t = r->tests[i];

		for (j = 0; j < t->ncells; j++) {
			if (t->cells[j].cell != (int)c)
				continue;
			execs += t->cells[j].passes + t->cells[j].failures +
				 t->cells[j].skips;
			failing += t->cells[j].failures > 0;
		}
	}
	if (first)
		err |= buf_adds(b, "\n### Cells\n\n"
				"| Cell | Executions | Tests with failures | "
				"Wall time |\n"
				"|---|---:|---:|---:|\n");
	err |= buf_adds(b, "| ");
	err |= md_add_code(b, r->cells[c].name, MD_NAME_MAX);
	err |= buf_addf(b, " | %lld | %d | ", execs, failing);
	err |= add_duration(b, r->cells[c].wall_ms);
	err |= buf_adds(b, " |\n");
	return err ? -1 : 0;
}

static void section_cells(struct md_out *m, const struct results *r)
{
	size_t c;

	for (c = 0; c < r->ncells; c++) {
		if (!commit(m, render_cell(&m->piece, r, c, c == 0))) {
			m->omitted_cells = 1;
			return;
		}
	}
}

/* "race GOMAXPROCS=2 (×3), ..." for every failure with f's signature. */
static int add_fail_cells(struct buf *b, const struct results *r,
			  const struct test *t, size_t first)
{
	size_t i;
	int err = 0, n = 0;

	for (i = first; i < t->nfails; i++) {
		const struct failure *f = &t->fails[i];

		if (strcmp(f->signature, t->fails[first].signature))
			continue;
		err |= buf_adds(b, n++ ? ", " : "");
		err |= md_escape_inline_cut(b, r->cells[f->cell].name, MD_NAME_MAX);
		err |= buf_addf(b, " (×%d%s)", f->count,
				f->rerun ? ", in reruns" : "");
	}
	return err ? -1 : 0;
}

static int render_failure(struct buf *b, const struct results *r,
			  const struct test *t, size_t i, int with_output)
{
	const struct failure *f = &t->fails[i];
	int err = 0;

	err |= buf_addf(b, "\n**%s** in ", fail_kind_name(f->kind));
	err |= add_fail_cells(b, r, t, i);
	if (f->file) {
		err |= buf_adds(b, " at <code>");
		err |= md_escape_inline_cut(b, f->file, MD_NAME_MAX);
		if (f->line > 0)
			err |= buf_addf(b, ":%d", f->line);
		err |= buf_adds(b, "</code>");
	}
	err |= buf_adds(b, "\n");
	if (*f->signature) {
		err |= buf_adds(b, "\nSignature:\n\n");
		err |= add_fenced_cut(b, "text", f->signature, MD_INLINE_MAX);
	}
	if (*f->message && strcmp(f->message, f->signature)) {
		err |= buf_adds(b, "\nMessage:\n\n");
		err |= add_fenced_cut(b, "text", f->message, MD_FIELD_MAX);
	}
	if (with_output && f->output && *f->output) {
		err |= buf_adds(b, "\nOutput:\n\n");
		err |= add_fenced_cut(b, "text", f->output, MD_FIELD_MAX);
	}
	return err ? -1 : 0;
}

static int render_details(struct buf *b, const struct results *r,
			  const struct test *t, int first, int with_output)
{
	size_t i, j;
	int err = 0, omitted_output = 0;

	if (first)
		err |= buf_adds(b, "\n### Details\n");
	err |= buf_addf(b, "\n<details><summary><b>%s</b>%s ",
			verdict_label(t), class_tag(t));
	err |= md_add_code(b, t->name, MD_NAME_MAX);
	err |= buf_adds(b, " in ");
	err |= md_add_code(b, t->package, MD_NAME_MAX);
	err |= buf_addf(b, ": %d/%d runs failed, ", t->failures,
			t->passes + t->failures);
	err |= add_where(b, t);
	err |= buf_adds(b, "</summary>\n");
	if (t->repro) {
		err |= buf_adds(b, "\nReproduce");
		if (t->worst_cell >= 0) {
			err |= buf_adds(b, " (worst cell: ");
			err |= md_escape_inline_cut(b, r->cells[t->worst_cell].name,
					      MD_NAME_MAX);
			err |= buf_adds(b, ")");
		}
		err |= buf_adds(b, ":\n\n");
		err |= md_add_fenced(b, "sh", t->repro, strlen(t->repro));
	}
	if (t->verify_runs > 0)
		err |= buf_adds(b, t->verify_fails ?
				"\nVerified: run as printed, the repro command "
				"failed.\n" :
				"\nVerified: run as printed, the repro command "
				"passed (it did not reproduce this time).\n");
	for (i = 0; i < t->nfails; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(t->fails[j].signature,
				    t->fails[i].signature))
				break;
		if (j < i)
			continue;
		err |= render_failure(b, r, t, i, with_output);
		omitted_output |= !with_output && t->fails[i].output &&
				  *t->fails[i].output;
	}
	if (omitted_output)
		err |= buf_adds(b, "\n_Output excerpts omitted for size; see "
				"the results JSON._\n");
	if (t->fails_dropped)
		err |= buf_addf(b, "\n_%d more distinct failures were not "
				"kept._\n", t->fails_dropped);
	err |= buf_adds(b, "\n</details>\n");
	return err ? -1 : 0;
}

static void section_details(struct md_out *m, const struct results *r)
{
	size_t i;
	int first = 1, full = 0, with_output = 1;

	for (i = 0; i < r->ntests; i++) {
		const struct test *t = r->tests[i];

		if (!is_reported(t) || t->via_subtest)
			continue;
		if (full) {
			m->omitted_details++;
			continue;
		}
		if (with_output &&
		    commit(m, render_details(&m->piece, r, t, first, 1))) {
			first = 0;
			continue;
		}
		/* Once output no longer fits, later tests go without it
		 * too, so that as many tests as possible keep a block. */
		with_output = 0;
		if (commit(m, render_details(&m->piece, r, t, first, 0))) {
			first = 0;
			m->omitted_output++;
			continue;
		}
		full = 1;
		m->omitted_details++;
	}
}

/* Appends the omitted note, or a shorter one when it does not fit. */
static void add_note(struct md_out *m)
{
	struct buf *b = &m->piece;
	const char *part[4];
	char text[4][64];
	size_t room = m->total - (m->out->len - m->start);
	int n = 0, i, err = 0;

	if (m->omitted_tests) {
		snprintf(text[n], sizeof(text[n]), "%d more tests",
			 m->omitted_tests);
		part[n] = text[n];
		n++;
	}
	if (m->omitted_details) {
		snprintf(text[n], sizeof(text[n]), "details of %d tests",
			 m->omitted_details);
		part[n] = text[n];
		n++;
	}
	if (m->omitted_builds) {
		snprintf(text[n], sizeof(text[n]), "%d build errors",
			 m->omitted_builds);
		part[n] = text[n];
		n++;
	}
	if (m->omitted_cells)
		part[n++] = "the cell table";
	if (!n && !m->omitted_output)
		return;
	buf_reset(b);
	err |= buf_adds(b, "\n_… ");
	for (i = 0; i < n; i++)
		err |= buf_addf(b, "%s%s", i == 0 ? "" : i == n - 1 ?
				" and " : ", ", part[i]);
	if (n)
		err |= buf_adds(b, " omitted");
	if (m->omitted_output)
		err |= buf_addf(b, "%soutput excerpts of %d tests left out",
				n ? "; " : "", m->omitted_output);
	err |= buf_adds(b, " (summary limited to ");
	err |= add_size(b, m->total);
	err |= buf_adds(b, "); see the results JSON_\n");
	if (err || b->len > room) {
		buf_reset(b);
		if (buf_adds(b, "\n_… truncated; see the results JSON_\n") ||
		    b->len > room)
			buf_reset(b);
	}
	/* The room was checked, so this cannot fail. */
	if (buf_add(m->out, b->data ? b->data : "", b->len))
		BUG("step summary note does not fit after all");
	buf_reset(b);
}

int out_md_summary(const struct results *r, struct buf *out, size_t max_bytes,
		   struct err *err)
{
	struct md_out m;
	int rc = 0;

	if (!r->finished)
		BUG("out_md_summary before results_finish");
	memset(&m, 0, sizeof(m));
	m.out = out;
	m.start = out->len;
	m.total = max_bytes;
	if (out->limit - out->len < m.total)
		m.total = out->limit - out->len;
	m.max = m.total > MD_NOTE_RESERVE ? m.total - MD_NOTE_RESERVE : 0;
	buf_init(&m.piece, m.total + 1);
	if (!commit(&m, render_headline(&m, r))) {
		rc = err_set(err, "step summary limit of %zu bytes is too "
			     "small for its headline", max_bytes);
		goto out;
	}
	section_build(&m, r);
	section_tests(&m, r);
	section_quarantined(&m, r);
	section_cells(&m, r);
	section_details(&m, r);
	add_note(&m);
out:
	buf_release(&m.piece);
	return rc;
}
