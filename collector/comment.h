/*
 * comment.h: the PR comment in embedded mode -- the collector itself
 * renders the comment (core/out_comment.h) with history from its local
 * store and creates or updates it on the pull request (core/github.h).
 *
 * When: r->meta.pr and r->meta.repository are known (--pr/--repository
 * or the Actions environment), --comment is not "never", and
 * out_comment_should_post() agrees ("auto": something flaky or failed,
 * or an earlier comment of ours to bring up to date).  The token comes
 * from $GITHUB_TOKEN; the API from --github-api-url, $GITHUB_API_URL, or
 * https://api.github.com.  $FLAKE_GITHUB_MAX_WAIT_MS bounds the total
 * time spent waiting between retries (default 60000; the tests set it
 * low).
 *
 * Lifecycle: publish() calls comment_publish() last, after history was
 * written; a failure is a warning there, never an exit status.
 */
#ifndef COLLECTOR_COMMENT_H
#define COLLECTOR_COMMENT_H

#include "publish.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/results.h"

/*
 * Posts or updates the PR comment for r (finished) as described above,
 * printing "flake-collector: PR comment <created|updated|unchanged>: URL"
 * on stderr unless o->quiet.  Returns 0 when done or when there is
 * nothing to do (not a PR, mode "never", nothing to say, or no token in
 * "auto" mode with nothing flaky or failed).  Returns -1 with err set
 * when the comment should have been posted but was not (no token, GitHub
 * refused, the network failed after the retries).
 */
int comment_publish(struct results *r, const struct publish_opts *o,
		    struct err *err);

/*
 * Renders the comment embedded mode posts for r (finished) into md (its
 * limit at least OUT_COMMENT_MAX): this run, with the local history when
 * there is one.  0, or -1 with err set.
 */
int comment_render(struct results *r, const struct publish_opts *o,
		   struct buf *md, struct err *err);

/*
 * Posts markdown rendered by the reporter (the upload response of a
 * reporter with no GitHub token) under the run's marker, with the job's
 * GITHUB_TOKEN.  Refuses markdown without the marker or over GitHub's
 * limit.  Returns as comment_publish() does.
 */
int comment_post_markdown(struct results *r, const struct publish_opts *o,
			  const char *markdown, struct err *err);

#endif
