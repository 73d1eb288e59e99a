/*
 * out_comment.h: the pull-request comment -- a short markdown report of
 * one run that the collector (embedded mode) or the reporter posts on the
 * PR and keeps updating in place (core/github.h finds it again by its
 * hidden marker line).
 *
 * Content, most important first:
 *   1. the marker line (out_comment_marker());
 *   2. a headline: verdict, tests x cells, executions, how many flaky and
 *      failed, and -- when history is given -- how many are new, known or
 *      fixed compared with the base branch;
 *   3. the packages that did not build, named on one line;
 *   4. a table of the failed and flaky tests (failed, then new, then
 *      known; at most 50 rows): test, package, this run's
 *      failures/executions, worst cell, rate with its interval, first
 *      seen, failure signature;
 *   5. a <details> block per test of the table: its history's rates
 *      (disruption, clustered interval, condition), the repro command, the
 *      failure (a race report excerpt, else the output or message) and,
 *      when links_base is set, links to the test's history page;
 *   6. the fixed tests, named briefly on one line.
 *
 * Invariants:
 *   - Everything from a test stream (names, packages, messages, output)
 *     and from history is untrusted.  Outside fenced blocks it goes only
 *     through md_escape_inline() (no markdown, HTML, @mention or #123
 *     autolink survives); inside through md_add_fenced() (the fence is
 *     longer than any backtick run of the content).  So no test can close
 *     a <details>, inject HTML, mention anyone or link an issue.
 *   - The comment is at most max_bytes bytes (never past out's own limit).
 *     It is assembled from whole pieces (the headline, the build line, one
 *     table row, one test's <details>, the fixed line) in order of
 *     importance; a piece
 *     that does not fit is left out whole, never cut, and a final note
 *     "… N more; see <link or the job summary>" says so.  Fences, table
 *     rows and <details> elements are therefore never broken by the limit.
 *   - Bytes are at least characters, so max_bytes = GITHUB_COMMENT_MAX
 *     (65536) always satisfies GitHub's limit.
 *
 * Lifecycle:
 *   1. results_finish(&r) (the comment reads the derived fields);
 *   2. optionally fill a struct comment_history (rows borrowed);
 *   3. if (out_comment_should_post(&r, mode, earlier_exists)) {
 *          struct buf md = BUF_INIT(OUT_COMMENT_MAX);
 *          out_comment_render(&r, &hist, links_base, &md, OUT_COMMENT_MAX,
 *                             &err);
 *          post md.data (core/github.h) with the marker
 *          out_comment_marker() gives; buf_release(&md);
 *      }
 */
#ifndef CORE_OUT_COMMENT_H
#define CORE_OUT_COMMENT_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "results.h"

/* The hidden marker of our comment.  A run of one shard of a split matrix
 * ("--shard 2/4") gets its own comment: "<!-- flake-action:comment
 * shard=2/4 -->". */
#define OUT_COMMENT_MARKER "<!-- flake-action:comment -->"

/* Default size limit: GitHub's comment limit. */
#define OUT_COMMENT_MAX 65536

/* One test of interest.  All strings are borrowed and may be NULL. */
struct comment_row {
	const char *package, *name;
	const char *rate_text;	/* "12.5% (95% CI 4.1–30.2%)" over the window */
	const char *first_seen;	/* "abc1234 2026-11-20" */
	enum test_class klass;	/* CLASS_FIXED rows need no test in r; for
				 * the others the test's own klass wins */
	long test_id;		/* the reporter's test id for links; 0 none */
	const char *rates_text;	/* store_q_rates_text() over the window:
				 * disruption, clustered interval, condition */
};

struct comment_history {
	struct comment_row *rows;	/* borrowed; any order */
	size_t nrows;
	const char *window;	/* "30 days": what rate_text covers */
	const char *run_url;	/* the reporter's page of this run, or NULL
				 * (then the Actions run is linked) */
};

/*
 * Appends the marker line's text (without the newline) for r to out:
 * OUT_COMMENT_MARKER, or the per-shard variant when r->meta.shard is set.
 * Returns 0, or -1 with out unchanged when out's limit is reached.
 */
int out_comment_marker(const struct results *r, struct buf *out) BUF_WUR;

/*
 * Appends the comment for r (finished: BUG otherwise) to out, at most
 * max_bytes bytes.  h may be NULL or empty: the comment then shows this
 * run only (t->new_flaky still marks new tests).  Rows of h are matched to
 * r's tests by (package, name); FIXED rows need no test in r.  links_base
 * (e.g. "https://flake.example.com", trusted configuration) adds links to
 * "{links_base}/{owner}/{repo}/tests/{test_id}" for rows with a test_id;
 * NULL adds none.  The headline's "Full report" link and the omitted note
 * link h->run_url when set, else the Actions run (from r->meta
 * server_url, repository, run_id and run_attempt), else the note names
 * "the job summary".
 *
 * Returns 0 on success.  Returns -1 with err set, out unchanged, only
 * when not even the marker and headline fit in max_bytes.
 */
int out_comment_render(const struct results *r,
		       const struct comment_history *h,
		       const char *links_base, struct buf *out,
		       size_t max_bytes, struct err *err);

/*
 * Whether to post (or update) the comment, by mode: "never" -> 0,
 * "always" -> 1, "auto" -> 1 when r has a failed or flaky test (also one
 * flaky by an earlier attempt) or a package that did not build, or when
 * earlier_exists (an earlier comment
 * must be updated, e.g. to say all is well now), else 0.  Any other mode
 * is a BUG (validate it when parsing options).
 */
int out_comment_should_post(const struct results *r, const char *mode,
			    int earlier_exists);

/* 1 when mode is "auto", "always" or "never", else 0. */
int out_comment_mode_ok(const char *mode);

#endif
