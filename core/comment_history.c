/*
 * comment_history.c: the PR comment's history rows from a store (see
 * comment_history.h).
 */
#include "comment_history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int comment_history_load(struct store *s, const struct results *r,
			 int window_days, long long now_unix,
			 struct comment_source *c, struct err *err)
{
	struct comment_row *crows;
	const char *base = store_compare_branch(r);
	long long evidence = 0;
	size_t i;

	memset(c, 0, sizeof(*c));
	if (store_q_compare(s, store_repo_name(r), r, window_days, now_unix,
			    &c->rows, &c->n, &evidence, err))
		return -1;
	crows = xcalloc(c->n + 1, sizeof(*crows));
	c->h.rows = crows;
	c->first = xcalloc(c->n + 1, sizeof(*c->first));
	c->rates = xcalloc(c->n + 1, sizeof(*c->rates));
	for (i = 0; i < c->n; i++) {
		const struct compare_row *w = &c->rows[i];

		if (w->test_id && w->executions) {
			struct flake_row f;
			struct q_rates q;

			memset(&f, 0, sizeof(f));
			f.test_id = w->test_id;
			f.executions = w->executions;
			f.failures = w->failures;
			f.runs = w->runs;
			f.flaky_runs = w->flaky_runs;
			f.failed_runs = w->failed_runs;
			if (store_q_rates_read(s, &f, base ? base : "",
					       window_days > 0 ? window_days :
					       STORE_KNOWN_WINDOW_DAYS,
					       now_unix, &q, err)) {
				comment_history_release(c);
				return -1;
			}
			store_q_rates_text(&q, c->rates[i], sizeof(c->rates[i]));
			crows[i].rates_text = c->rates[i];
		}

		crows[i].package = w->package;
		crows[i].name = w->name;
		crows[i].rate_text = w->executions ? w->rate_text : NULL;
		crows[i].klass = w->cls;
		crows[i].test_id = (long)w->test_id;
		if (w->first_flaky_commit || w->first_flaky_at) {
			snprintf(c->first[i], sizeof(c->first[i]), "%.7s%s%.10s",
				 w->first_flaky_commit ? w->first_flaky_commit : "",
				 w->first_flaky_commit && w->first_flaky_at ? " " : "",
				 w->first_flaky_at ? w->first_flaky_at : "");
			crows[i].first_seen = c->first[i];
		}
	}
	snprintf(c->window, sizeof(c->window), "%d days",
		 window_days > 0 ? window_days : STORE_KNOWN_WINDOW_DAYS);
	c->h.rows = crows;
	c->h.nrows = c->n;
	c->h.window = c->window;
	return 0;
}

void comment_history_release(struct comment_source *c)
{
	store_compare_rows_free(c->rows, c->n);
	free(c->h.rows);
	free(c->first);
	free(c->rates);
	memset(c, 0, sizeof(*c));
}
