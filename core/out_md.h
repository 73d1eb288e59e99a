/*
 * out_md.h: the GitHub step-summary markdown ($GITHUB_STEP_SUMMARY), and the
 * markdown escaping helpers the PR-comment renderer shares.
 *
 * Invariants:
 *   - Everything from a test stream (names, packages, messages, output) is
 *     untrusted.  Outside fenced blocks it is written only through
 *     md_escape_inline(), which leaves no character with a markdown or HTML
 *     meaning, no @mention or #123 autolink, no control character and no
 *     invalid UTF-8.  Inside fenced blocks it goes through md_add_fenced(),
 *     whose fence is longer than any backtick run of the content, so the
 *     content can never close it.
 *   - out_md_summary() appends at most max_bytes.  It renders the summary as
 *     whole pieces (a heading, a table row, one test's <details>) in order
 *     of importance, and a piece that does not fit is left out whole, never
 *     cut; a closing note then says what was omitted.  So a fence, a table
 *     row or a <details> element is never broken by the limit.
 *
 * Lifecycle:
 *   1. results_finish(&r) (the summary reads the derived fields);
 *   2. struct buf md = BUF_INIT(limit); out_md_summary(&r, &md, max, &err);
 *   3. write md.data[0..md.len) to $GITHUB_STEP_SUMMARY; buf_release(&md).
 */
#ifndef CORE_OUT_MD_H
#define CORE_OUT_MD_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "results.h"

/*
 * Appends the step summary of r (finished) to out, at most max_bytes bytes
 * (and never past out's own limit): headline, package build errors, the
 * table of failed then flaky tests, the per-cell table, then a <details>
 * block per failed/flaky test (repro command, signature, message, output).
 * Parents that failed only through a failing subtest (via_subtest) are
 * folded into one line after the table and get no <details>.  When
 * something was left out for size, ends with a note like "_… 12 more tests
 * omitted (summary limited to 1008 KiB); see the results JSON_".
 *
 * Returns 0 on success.  Returns -1 with err set only when not even the
 * headline fits; out then holds whatever fitted, still <= max_bytes.
 */
int out_md_summary(const struct results *r, struct buf *out, size_t max_bytes,
		   struct err *err);

/*
 * Appends s[0..n) as inline markdown text that renders as the same
 * characters: markdown and HTML specials (\ ` * _ [ ] < > & | ~ $ ! # @
 * " ') become HTML entities; "@" and "#" before a word, "://" and "www."
 * also get a zero-width space, so nothing mentions a user or becomes a
 * link; control and bidirectional-override characters are dropped (tab,
 * CR and LF become one space each); invalid UTF-8 becomes U+FFFD.  Safe inside a table
 * cell, HTML element content (<summary>, <code>) and emphasis; do not
 * start a line with it (a leading "-" or "1." could still start a list).
 *
 * Returns 0, or -1 with b unchanged when b's limit would be exceeded.
 */
int md_escape_inline(struct buf *b, const char *s, size_t n) BUF_WUR;

/*
 * Appends s[0..n) as a fenced code block: a line of k backticks followed by
 * `info` (may be NULL; only [A-Za-z0-9_+.-] of it is kept), the content,
 * and a closing line of k backticks, where k is 3 or one more than the
 * longest backtick run in s.  The content keeps tabs and newlines (CR LF
 * and lone CR become LF); other control characters are dropped and invalid
 * UTF-8 and bidirectional overrides become U+FFFD.  The block starts at
 * the start of a line: the caller has written a newline before it, and it
 * ends with a newline.
 *
 * Returns 0, or -1 with b unchanged when b's limit would be exceeded.
 */
int md_add_fenced(struct buf *b, const char *info, const char *s, size_t n)
	BUF_WUR;

/*
 * md_escape_inline() on at most max bytes of s (cut on a UTF-8 boundary),
 * with "…" appended when cut.  0, or -1 past b's limit.
 */
int md_escape_inline_cut(struct buf *b, const char *s, size_t max) BUF_WUR;

/* "<code>" + md_escape_inline_cut(s, max) + "</code>".  0, or -1. */
int md_add_code(struct buf *b, const char *s, size_t max) BUF_WUR;

#endif
