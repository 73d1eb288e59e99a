/*
 * comment_history.h: the PR comment's history rows, read one way from a
 * store for both programs (the collector's local history, the reporter's
 * database): the gate's comparison (store_q_compare()) turned into
 * out_comment.h's rows.  So the comment embedded mode posts and the one
 * the reporter posts for the same runs and history are the same bytes.
 *
 * Lifecycle:
 *   1. struct comment_source c; comment_history_load(s, r, window, now,
 *      &c, err);
 *   2. out_comment_render(r, &c.h, ...);  (c.h.run_url may be set first)
 *   3. comment_history_release(&c).
 */
#ifndef CORE_COMMENT_HISTORY_H
#define CORE_COMMENT_HISTORY_H

#include "err.h"
#include "out_comment.h"
#include "results.h"
#include "store.h"
#include "store_query.h"

/* The rows and the storage their strings point into. */
struct comment_source {
	struct comment_history h;	/* rows borrowed from the fields below */
	struct compare_row *rows;
	size_t n;
	char (*first)[64];		/* "abc1234 2026-11-20" per row */
	char (*rates)[STORE_Q_RATES_TEXT_MAX];	/* store_q_rates_text() per row */
	char window[32];		/* "30 days" */
};

/*
 * Fills c from s for r (finished): a row per store_q_compare() row over
 * window_days, with its base-branch rate text (when it has executions),
 * its other rates there (store_q_rates_read(): disruption, clustered
 * interval, condition), first flaky commit and date, class and test id.  0, or -1 with err set
 * (c then zeroed; releasing it is allowed).
 */
int comment_history_load(struct store *s, const struct results *r,
			 int window_days, long long now_unix,
			 struct comment_source *c, struct err *err);

void comment_history_release(struct comment_source *c);

#endif
