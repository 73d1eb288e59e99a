/*
 * comment.c: the PR comment in embedded mode (see comment.h).
 *
 * History comes from the local store, opened read-only after publish()
 * recorded this run: the flake table over HISTORY_DAYS on all branches
 * gives each reported test its rate and first flaky commit; the table of
 * the base branch (when known) names the tests flaky there that passed
 * here ("fixed").  Strings of the comment rows point into those tables,
 * which live until the comment is posted.
 */
#include "comment.h"
#include "core/buf.h"
#include "core/github.h"
#include "core/comment_history.h"
#include "core/out_comment.h"
#include "core/stats.h"
#include "core/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * The comment's history from the local store (opened read-only after
 * publish() recorded this run), as the reporter reads its own:
 * core/comment_history.h.  -1 when there is none (the comment then shows
 * this run only).
 */
static int load_history(struct comment_source *c, struct results *r,
			const struct publish_opts *o, struct err *err)
{
	struct store *st = NULL;
	int ret;

	memset(c, 0, sizeof(*c));
	if (!o->history)
		return -1;
	if (store_open(&st, o->db_path, STORE_READONLY | STORE_MUST_EXIST, err))
		return -1;
	ret = comment_history_load(st, r, o->known_window, (long long)time(NULL),
				   c, err);
	store_close(st);
	return ret;
}

int comment_render(struct results *r, const struct publish_opts *o,
		   struct buf *md, struct err *err)
{
	struct comment_source c;
	struct err ignored = ERR_INIT;
	int have = !load_history(&c, r, o, &ignored), ret;

	ret = out_comment_render(r, have ? &c.h : NULL, NULL, md,
				 OUT_COMMENT_MAX, err);
	if (have)
		comment_history_release(&c);
	return ret;
}

/* 1 when GitHub's URL is safe to print on a terminal. */
static int printable(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if (*s <= 0x20 || *s == 0x7F)
			return 0;
	return 1;
}

static long long max_wait_from_env(void)
{
	const char *s = getenv("FLAKE_GITHUB_MAX_WAIT_MS");
	char *end;
	long long v;

	if (!s || !*s)
		return 60000;
	v = strtoll(s, &end, 10);
	return *end || v < 0 ? 60000 : v;
}

/* In "auto" mode with nothing to report: 1 when an earlier comment of
 * ours is there to update, 0 when not, -1 on failure. */
static int earlier_comment(const struct github_opts *go, struct results *r,
			   const char *marker, struct err *err)
{
	struct github_comment c = GITHUB_COMMENT_INIT;
	int found;

	if (github_find_comment(go, r->meta.repository, r->meta.pr, marker,
				&c, err))
		return -1;
	found = c.id != 0;
	github_comment_release(&c);
	return found;
}

/*
 * The checks both entry points share.  Returns 1 to go on with *go
 * filled, 0 when there is nothing to do, -1 with err set.  `wanted`: the
 * comment would be posted (a missing token is then an error).
 */
static int prepare(const struct results *r, const struct publish_opts *o,
		   int wanted, struct github_opts *go, struct err *err)
{
	const char *mode = o->comment_mode ? o->comment_mode : "auto";
	const char *token = getenv("GITHUB_TOKEN");
	int always = !strcmp(mode, "always");

	if (!strcmp(mode, "never"))
		return 0;
	if (!r->meta.pr || !r->meta.repository) {
		if (always)
			return err_set(err, "not a pull request (no --pr or "
				       "--repository)");
		return 0;
	}
	if (!token || !*token) {
		if (always || wanted)
			return err_set(err, "GITHUB_TOKEN is not set");
		return 0;
	}
	go->api_url = o->github_api_url;
	go->token = token;
	go->max_wait_ms = max_wait_from_env();
	return 1;
}

static void report(const struct publish_opts *o,
		   const struct github_result *res)
{
	if (!o->quiet)
		fprintf(stderr, "flake-collector: PR comment %s: %s\n",
			res->action, printable(res->html_url) ?
			res->html_url : "(no URL)");
}

int comment_publish(struct results *r, const struct publish_opts *o,
		    struct err *err)
{
	struct github_opts go = GITHUB_OPTS_INIT;
	struct github_result res = GITHUB_RESULT_INIT;
	struct buf marker = BUF_INIT(256);
	struct buf md = BUF_INIT(OUT_COMMENT_MAX);
	const char *mode = o->comment_mode ? o->comment_mode : "auto";
	int ret;

	if (!out_comment_mode_ok(mode))
		BUG("comment mode '%s'", mode);
	ret = prepare(r, o, out_comment_should_post(r, mode, 0), &go, err);
	if (ret <= 0)
		return ret;
	ret = -1;
	if (out_comment_marker(r, &marker)) {
		err_set(err, "comment marker too long");
		goto out;
	}
	if (!out_comment_should_post(r, mode, 0)) {
		int found = earlier_comment(&go, r, buf_str(&marker), err);

		if (found <= 0) {
			ret = found < 0 ? -1 : 0;
			goto out;
		}
	}
	/* Without history the comment still shows this run. */
	if (comment_render(r, o, &md, err))
		goto out;
	if (github_upsert_comment(&go, r->meta.repository, r->meta.pr,
				  buf_str(&marker), buf_str(&md), &res, err))
		goto out;
	report(o, &res);
	ret = 0;
out:
	github_result_release(&res);
	buf_release(&marker);
	buf_release(&md);
	return ret;
}

int comment_post_markdown(struct results *r, const struct publish_opts *o,
			  const char *markdown, struct err *err)
{
	struct github_opts go = GITHUB_OPTS_INIT;
	struct github_result res = GITHUB_RESULT_INIT;
	int ret;

	/* The reporter rendered it for the whole run (all shards): it
	 * carries the run's marker, never a shard's. */
	if (!strstr(markdown, OUT_COMMENT_MARKER) ||
	    strlen(markdown) > OUT_COMMENT_MAX)
		return err_set(err, "the reporter's comment lacks the marker or "
			       "is over %d bytes", OUT_COMMENT_MAX);
	ret = prepare(r, o, 1, &go, err);
	if (ret <= 0)
		return ret;
	if (github_upsert_comment(&go, r->meta.repository, r->meta.pr,
				  OUT_COMMENT_MARKER, markdown, &res, err))
		return -1;
	report(o, &res);
	github_result_release(&res);
	return 0;
}
