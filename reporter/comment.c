/*
 * comment.c: render and post the PR comment after an upload (see
 * comment.h).  The comment covers every upload of the run so far (all
 * shards) and compares with the base branch's history.
 */
#include "comment.h"
#include "core/comment_history.h"
#include "core/github.h"
#include "core/out_comment.h"
#include "core/store_query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void comment_outcome_release(struct comment_outcome *o)
{
	free(o->markdown);
	free(o->url);
	free(o->error);
	memset(o, 0, sizeof(*o));
}

static void failed(struct comment_outcome *out, const struct err *err)
{
	out->status = "failed";
	free(out->error);
	out->error = xstrdup(err->msg);
}

void comment_after_upload(const struct server_cfg *cfg, struct store *s,
			  const struct results *r,
			  const struct results *merged, long long group_id,
			  struct comment_outcome *out)
{
	const struct results *use = merged ? merged : r;
	struct comment_source src;
	struct buf md = BUF_INIT(OUT_COMMENT_MAX), marker = BUF_INIT(256);
	struct buf run_url = BUF_INIT(2048);
	struct err err = ERR_INIT;
	int have_src = 0;

	memset(out, 0, sizeof(*out));
	memset(&src, 0, sizeof(src));
	if (!r->meta.pr || !strcmp(cfg->comment, "never")) {
		out->status = "skipped";
		goto out;
	}
	/* The rows embedded mode reads from its local history, read from
	 * ours (core/comment_history.h): one pipeline, one comment. */
	if (comment_history_load(s, use, STORE_KNOWN_WINDOW_DAYS,
				 (long long)time(NULL), &src, &err)) {
		failed(out, &err);
		goto out;
	}
	have_src = 1;
	if (cfg->public_url &&
	    !buf_addf(&run_url, "%s/%s/runs/%lld", cfg->public_url,
		      r->meta.repository, group_id))
		src.h.run_url = run_url.data;
	if (out_comment_render(use, &src.h, cfg->public_url, &md,
			       OUT_COMMENT_MAX, &err) ||
	    out_comment_marker(use, &marker)) {
		failed(out, &err);
		goto out;
	}
	if (!cfg->github_token || !*cfg->github_token) {
		/* The collector posts it with the job's GITHUB_TOKEN. */
		out->status = "not-configured";
		out->markdown = buf_detach(&md, NULL);
		goto out;
	}
	{
		struct github_opts go = GITHUB_OPTS_INIT;
		struct github_comment found;
		struct github_result res = GITHUB_RESULT_INIT;

		go.api_url = cfg->github_api_url;
		go.token = cfg->github_token;
		/* Inside a request: do not hold the uploader for a minute. */
		go.max_wait_ms = 10000;
		memset(&found, 0, sizeof(found));
		/* Only when there is nothing to report does an earlier comment
		 * decide (to say all is well now); the upsert lists the
		 * comments itself, so they are listed once per post. */
		if (!out_comment_should_post(use, cfg->comment, 0)) {
			if (github_find_comment(&go, r->meta.repository,
						r->meta.pr, marker.data, &found,
						&err)) {
				failed(out, &err);
				out->markdown = buf_detach(&md, NULL);
				goto out;
			}
			if (!out_comment_should_post(use, cfg->comment,
						     found.id != 0)) {
				github_comment_release(&found);
				out->status = "skipped";
				goto out;
			}
			github_comment_release(&found);
		}
		if (github_upsert_comment(&go, r->meta.repository, r->meta.pr,
					  marker.data, md.data, &res, &err)) {
			failed(out, &err);
			out->markdown = buf_detach(&md, NULL);
			goto out;
		}
		out->status = !strcmp(res.action, "created") ? "posted" :
			      !strcmp(res.action, "updated") ? "updated" :
			      "unchanged";
		if (res.html_url)
			out->url = xstrdup(res.html_url);
		github_result_release(&res);
	}
out:
	if (have_src)
		comment_history_release(&src);
	buf_release(&md);
	buf_release(&marker);
	buf_release(&run_url);
}
