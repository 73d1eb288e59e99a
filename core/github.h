/*
 * github.h: the one GitHub REST client (libcurl + jansson) the collector
 * and the reporter share.  Today it does one job: keep exactly one
 * comment of ours on a pull request up to date ("upsert"), found again by
 * a hidden HTML marker in its body.
 *
 * Every request carries Authorization: Bearer <token>, Accept:
 * application/vnd.github+json, X-GitHub-Api-Version: 2022-11-28 and
 * User-Agent: flake-action/<version>; JSON bodies carry Content-Type:
 * application/json.  Connect timeout 10 s, whole request 60 s; redirects
 * are not followed.
 *
 * Invariants:
 *   - The token is sent only in the Authorization header, only to the
 *     origin (scheme, host, port) of api_url -- pagination links to any
 *     other origin are refused -- and never appears in an error message.
 *   - Text from GitHub copied into an error message (its "message") is
 *     cut to a few hundred bytes with control characters replaced.
 *   - Retries: a secondary rate limit (403 or 429 with Retry-After, or
 *     with x-ratelimit-remaining: 0 and x-ratelimit-reset) waits as told;
 *     5xx answers and connection errors back off exponentially (about 1,
 *     2, 4 ... s, with jitter).  At most max_attempts tries per request,
 *     and the sleeps of one call never add up to more than max_wait_ms: a
 *     wait that would pass it ends the call with an error instead.  Any
 *     other 4xx (a 403 that is no rate limit, 404, 422 ...) fails at once
 *     with GitHub's message.
 *   - A POST that may have reached GitHub (5xx, connection lost) is never
 *     blindly repeated: the comments are listed again first, so a lost
 *     answer cannot make a duplicate comment.
 *
 * Lifecycle:
 *   1. (multi-threaded programs) curl_global_init(CURL_GLOBAL_DEFAULT)
 *      once in main() before starting threads; single-threaded programs
 *      may skip it (libcurl then initialises itself on first use);
 *   2. struct github_opts o = GITHUB_OPTS_INIT; set o.token (and api_url,
 *      e.g. from $GITHUB_API_URL for GitHub Enterprise Server);
 *   3. struct github_result res = GITHUB_RESULT_INIT;
 *      github_upsert_comment(&o, "owner/name", pr, marker, body, &res, err);
 *   4. github_result_release(&res).
 * Calls are independent (each uses its own connection), so threads may
 * make calls concurrently.
 */
#ifndef CORE_GITHUB_H
#define CORE_GITHUB_H

#include "err.h"

#define GITHUB_API_URL_DEFAULT "https://api.github.com"
#define GITHUB_API_VERSION "2022-11-28"
/* GitHub refuses a comment body longer than this many characters. */
#define GITHUB_COMMENT_MAX 65536

struct github_opts {
	const char *api_url;	/* NULL: GITHUB_API_URL_DEFAULT; e.g.
				 * "https://ghe.example.com/api/v3" */
	const char *token;	/* required: a token that may write comments */
	const char *user_agent;	/* NULL: "flake-action/<version>" */
	int max_attempts;	/* tries per request; <= 0: 5 */
	long long max_wait_ms;	/* total sleep per call; < 0: 60000 */
};

#define GITHUB_OPTS_INIT { NULL, NULL, NULL, 5, 60000 }

/* What github_upsert_comment() did. */
struct github_result {
	const char *action;	/* "created", "updated" or "unchanged"
				 * (static strings) */
	long long id;		/* the comment's id */
	char *html_url;		/* owned; NULL when GitHub gave none */
};

#define GITHUB_RESULT_INIT { NULL, 0, NULL }

/* Frees res->html_url and clears res.  NULL is a no-op. */
void github_result_release(struct github_result *res);

/* One comment as listed. */
struct github_comment {
	long long id;		/* 0: no such comment */
	char *body;		/* owned, or NULL */
	char *html_url;		/* owned, or NULL */
};

#define GITHUB_COMMENT_INIT { 0, NULL, NULL }

/* Frees the strings and clears c.  NULL is a no-op. */
void github_comment_release(struct github_comment *c);

/*
 * Finds our comment on issue or pull request `issue` of repo
 * ("owner/name"): lists the comments oldest first, 100 a page, following
 * the Link rel="next" pages, and stops at the first one whose body
 * contains marker.
 * Returns 0 and fills *found (OUT; found->id is 0 when there is none;
 * release with github_comment_release()).  Returns -1 with err set (repo
 * malformed, no token, an HTTP or network failure after the retries) and
 * *found unmodified.
 */
int github_find_comment(const struct github_opts *o, const char *repo,
			int issue, const char *marker,
			struct github_comment *found, struct err *err);

/*
 * Creates or updates our comment on pull request pr of repo
 * ("owner/name"): finds it as github_find_comment() does, then PATCHes
 * it when its body differs from body ("updated"), leaves it alone when
 * the body is identical ("unchanged"), or POSTs a new comment when none
 * has the marker ("created").  body must contain marker (else a later
 * call could not find the comment) and be at most GITHUB_COMMENT_MAX
 * characters: BUG otherwise, as for pr <= 0.
 * Returns 0 and fills *res (OUT; release with github_result_release()).
 * Returns -1 with err set and *res unmodified; err names the step
 * ("cannot create the comment on o/r#5: HTTP 403: Resource not
 * accessible by integration").
 */
int github_upsert_comment(const struct github_opts *o, const char *repo,
			  int pr, const char *marker, const char *body,
			  struct github_result *res, struct err *err);

#endif
