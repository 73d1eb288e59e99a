/*
 * comment.h: the reporter's side of the PR comment.  After an upload that
 * names a PR, the comment is rendered from the merged run and the
 * repository's history; with a GitHub token configured the reporter posts
 * or updates it itself, otherwise the markdown goes back in the upload
 * response and the collector posts it with the job's GITHUB_TOKEN.
 */
#ifndef REPORTER_COMMENT_H
#define REPORTER_COMMENT_H

#include "server.h"
#include "core/results.h"
#include "core/store.h"

struct comment_outcome {
	const char *status;	/* posted|updated|unchanged|skipped|
				 * not-configured|failed (static) */
	char *markdown;		/* when the caller must post it, else NULL */
	char *url;		/* the comment's html_url when posted */
	char *error;		/* why posting failed */
};

/*
 * Fills *out for an upload of run group group_id, whose results r
 * (finished) the caller holds.  merged: the group's uploads merged
 * (store_add_opts.merged, made by the store for the run's totals) when
 * the group has others, else NULL and r is the whole run.  Both are
 * borrowed.  Never fails: problems become out->status "failed".
 */
void comment_after_upload(const struct server_cfg *cfg, struct store *s,
			  const struct results *r,
			  const struct results *merged, long long group_id,
			  struct comment_outcome *out);

void comment_outcome_release(struct comment_outcome *o);

#endif
