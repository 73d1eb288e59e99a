/*
 * github.c: the GitHub REST client (see github.h).
 *
 * One call owns one struct gh: the HTTP client (core/http.h; reused, so
 * pages and the write share a connection), the request headers, the
 * resolved options and the retry policy with its sleep budget.  gh_call()
 * makes one request through http_call() with GitHub's meaning of its
 * answers (rate limits); the operations on top (list, create, update)
 * only read the final answer.
 *
 * Invariants:
 *   - The Authorization header is built once into g->auth and is the
 *     only place the token is copied to; nothing else formats it.
 *   - The sleep budget is http.h's: g->pol.slept_ms never exceeds
 *     g->pol.max_wait_ms, also across the posts of one upsert.
 */
#include "http.h"
#include "retry.h"
#include "version.h"
#include "github.h"
#include "ident.h"
#include "buf.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>


#define GH_USER_AGENT "flake-action/" FLAKE_VERSION
/* One page: 100 comments of up to 64 K characters, JSON-escaped. */
#define GH_BODY_MAX ((size_t)64 << 20)
#define GH_URL_MAX 4096
#define GH_PAGES_MAX 1000		/* 100,000 comments */
#define GH_MSG_MAX 200			/* bytes of GitHub's message in err */
#define GH_BACKOFF_MS 1000		/* first backoff; doubles per attempt */
#define GH_BACKOFF_CAP_MS 30000
#define GH_SECONDARY_WAIT_MS 60000	/* a rate limit that names no time */

struct gh {
	struct http http;
	char *auth;			/* "Authorization: Bearer ..." */
	char *ua;			/* the User-Agent */
	const char *headers[5];		/* auth, Accept, API version, NULL */
	const char *json_headers[6];	/* the same + Content-Type */
	char api[GH_URL_MAX];		/* api_url without trailing '/' */
	size_t origin_len;		/* bytes of api[] that are the origin */
	struct http_policy pol;		/* attempts, budget, backoff */
};

/* The result of one request after its retries. */
enum gh_outcome {
	GH_OK,			/* a 2xx answer */
	GH_FAILED,		/* a definite failure: err set */
	GH_UNSURE,		/* failed, but the request may have been applied */
};

void github_result_release(struct github_result *res)
{
	if (!res)
		return;
	FREE_AND_NULL(res->html_url);
	res->action = NULL;
	res->id = 0;
}

void github_comment_release(struct github_comment *c)
{
	if (!c)
		return;
	FREE_AND_NULL(c->body);
	FREE_AND_NULL(c->html_url);
	c->id = 0;
}

/* Copies GitHub's untrusted text into a short single line. */
static void clean_copy(char *out, size_t size, const char *s)
{
	size_t i, n = 0;

	for (i = 0; s[i] && n + 1 < size && i < GH_MSG_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		out[n++] = c < 0x20 || c == 0x7F ? ' ' : (char)c;
	}
	/* Do not end inside a UTF-8 sequence. */
	while (n && ((unsigned char)out[n - 1] & 0xC0) == 0x80)
		n--;
	if (n && ((unsigned char)out[n - 1] & 0xC0) == 0xC0)
		n--;
	out[n] = '\0';
}

/*
 * GitHub's "message" from an error body, with the first entry of
 * "errors" (422) when there is one; "" when the body is no such JSON.
 */
static void error_message(const struct http_resp *r, char *out, size_t size)
{
	json_t *root, *v, *e;
	char msg[GH_MSG_MAX + 1] = "", detail[GH_MSG_MAX + 1] = "";

	out[0] = '\0';
	root = json_loadb(buf_str(&r->body), r->body.len, 0, NULL);
	if (!json_is_object(root)) {
		json_decref(root);
		return;
	}
	v = json_object_get(root, "message");
	if (json_is_string(v))
		clean_copy(msg, sizeof(msg), json_string_value(v));
	e = json_array_get(json_object_get(root, "errors"), 0);
	v = json_is_object(e) ? json_object_get(e, "message") : NULL;
	if (!json_is_string(v) && json_is_object(e))
		v = json_object_get(e, "code");
	if (json_is_string(v))
		clean_copy(detail, sizeof(detail), json_string_value(v));
	else if (json_is_string(e))
		clean_copy(detail, sizeof(detail), json_string_value(e));
	if (*msg && *detail)
		snprintf(out, size, "%s (%s)", msg, detail);
	else
		snprintf(out, size, "%s", *msg ? msg : detail);
	json_decref(root);
}

static void err_copy(struct err *dst, const struct err *src)
{
	if (dst)
		*dst = *src;
}

/* Sets err to "cannot <what>: HTTP <status>[: <message>]". */
static int http_error(struct err *err, const char *what,
		      const struct http_resp *r)
{
	char msg[2 * GH_MSG_MAX + 8];

	error_message(r, msg, sizeof(msg));
	if (*msg)
		return err_set(err, "cannot %s: HTTP %ld: %s", what, r->status,
			       msg);
	return err_set(err, "cannot %s: HTTP %ld", what, r->status);
}

/* Checks the token can go into a header line without changing it. */
static int token_ok(const char *t)
{
	for (; *t; t++)
		if ((unsigned char)*t <= 0x20 || *t == 0x7F)
			return 0;
	return 1;
}

/* owner/name: one slash, GitHub's characters only (they also keep the
 * URL path free of anything that would need encoding). */
static int repo_ok(const char *repo)
{
	return ident_repo_ok(repo);
}

/* Length of the origin ("https://host:port") at the start of url; 0 when
 * url is not http(s). */
static size_t origin_len(const char *url)
{
	const char *p;

	if (!strncmp(url, "https://", 8))
		p = url + 8;
	else if (!strncmp(url, "http://", 7))
		p = url + 7;
	else
		return 0;
	p += strcspn(p, "/?#");
	return (size_t)(p - url);
}

static void gh_release(struct gh *g)
{
	http_close(&g->http);
	if (g->auth) {
		/* It held the token: wipe it before freeing. */
		memset(g->auth, 0, strlen(g->auth));
		free(g->auth);
	}
	free(g->ua);
	memset(g, 0, sizeof(*g));
}

static long long gh_answer_wait(const struct http_resp *r, void *arg,
				struct retry *rp, int attempt, int *refused);
static void gh_describe(const struct http_resp *r, void *arg,
			struct err *err);

static int gh_init(struct gh *g, const struct github_opts *o,
		   struct err *err)
{
	const char *api = o->api_url && *o->api_url ? o->api_url :
			  GITHUB_API_URL_DEFAULT;
	size_t n = strlen(api), i = 0;
	struct buf h = BUF_INIT(8192);

	memset(g, 0, sizeof(*g));
	while (n && api[n - 1] == '/')
		n--;
	if (n >= sizeof(g->api))
		return err_set(err, "GitHub API URL is too long");
	memcpy(g->api, api, n);
	g->api[n] = '\0';
	g->origin_len = origin_len(g->api);
	if (!g->origin_len || g->origin_len == 7 || g->origin_len == 8)
		return err_set(err, "GitHub API URL '%s' is not an http(s) URL",
			       g->api);
	if (!o->token || !*o->token)
		return err_set(err, "no GitHub token");
	if (!token_ok(o->token))
		return err_set(err, "the GitHub token contains a space or "
			       "control character");
	g->pol.max_attempts = o->max_attempts > 0 ? o->max_attempts : 5;
	g->pol.max_wait_ms = o->max_wait_ms >= 0 ? o->max_wait_ms : 60000;
	g->pol.answer_wait = gh_answer_wait;
	g->pol.describe = gh_describe;
	retry_init(&g->pol.retry, GH_BACKOFF_MS, GH_BACKOFF_CAP_MS);
	if (http_open(&g->http, err))
		return -1;
	if (buf_addf(&h, "Authorization: Bearer %s", o->token)) {
		memset(h.data, 0, h.alloc);
		buf_release(&h);
		gh_release(g);
		return err_set(err, "the GitHub token is too long");
	}
	g->auth = xstrdup(buf_str(&h));
	memset(h.data, 0, h.alloc);
	buf_release(&h);
	g->ua = xstrdup(o->user_agent && *o->user_agent ? o->user_agent :
			GH_USER_AGENT);
	g->headers[i++] = g->auth;
	g->headers[i++] = "Accept: application/vnd.github+json";
	g->headers[i++] = "X-GitHub-Api-Version: " GITHUB_API_VERSION;
	g->headers[i] = NULL;
	memcpy(g->json_headers, g->headers, i * sizeof(*g->headers));
	g->json_headers[i] = "Content-Type: application/json";
	g->json_headers[i + 1] = NULL;
	return 0;
}

/*
 * How long a 403/429 asks us to wait, in ms; -1 when it is no rate
 * limit (then it is a hard error).
 */
static long long rate_limit_wait(const struct http_resp *r)
{
	char msg[2 * GH_MSG_MAX + 8];

	if (r->retry_after >= 0)
		return (r->retry_after > RETRY_AFTER_MAX_S ? RETRY_AFTER_MAX_S :
			r->retry_after) * 1000;
	if (r->rl_remaining == 0 && r->rl_reset >= 0) {
		long long d = r->rl_reset - (long long)time(NULL);

		/* A second more: the reset is rounded down. */
		return (d > 0 ? d + 1 : 1) * 1000;
	}
	if (r->status == 429)
		return GH_SECONDARY_WAIT_MS;
	error_message(r, msg, sizeof(msg));
	if (strstr(msg, "secondary rate limit") || strstr(msg, "abuse"))
		return GH_SECONDARY_WAIT_MS;
	return -1;
}

/* GitHub's meaning of a non-2xx answer (http.h's answer_wait). */
static long long gh_answer_wait(const struct http_resp *r, void *arg,
				struct retry *rp, int attempt, int *refused)
{
	long long wait;

	(void)arg;
	*refused = 0;
	if (r->status == 403 || r->status == 429) {
		wait = rate_limit_wait(r);
		*refused = wait >= 0;
		return wait;
	}
	if (r->status >= 500)
		return retry_wait_ms(rp, attempt, -1);
	return -1;
}

static void gh_describe(const struct http_resp *r, void *arg,
			struct err *err)
{
	http_error(err, arg, r);
}

/*
 * Makes the request `method url` (with the JSON body json, or none) with
 * http_call()'s retries.  `what` names the step for messages ("list the
 * comments of o/r#5").  With `unsafe` set (a POST), a failure after which
 * the request may have been applied is not retried but returned as
 * GH_UNSURE (err set) for the caller to check first.  On GH_OK, r holds
 * the 2xx answer.
 */
static enum gh_outcome gh_call(struct gh *g, const char *method,
			       const char *url, const char *json, int unsafe,
			       const char *what, struct http_resp *r,
			       struct err *err)
{
	struct http_req q;

	memset(&q, 0, sizeof(q));
	q.method = method;
	q.url = url;
	q.headers = json ? g->json_headers : g->headers;
	q.user_agent = g->ua;
	q.body = json;
	q.len = json ? strlen(json) : 0;
	q.what = what;
	g->pol.unsafe = unsafe;
	g->pol.arg = (void *)(uintptr_t)what;
	switch (http_call(&g->http, &q, &g->pol, r, NULL, err)) {
	case HTTP_OK:
		return GH_OK;
	case HTTP_UNSURE:
		return GH_UNSURE;
	default:
		return GH_FAILED;
	}
}

static int url_of(struct buf *u, const struct gh *g, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int url_of(struct buf *u, const struct gh *g, const char *fmt, ...)
{
	va_list ap;
	int rc;

	buf_reset(u);
	if (buf_adds(u, g->api))
		return -1;
	va_start(ap, fmt);
	rc = buf_vaddf(u, fmt, ap);
	va_end(ap);
	return rc;
}

static char *json_str_dup(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

/* Lists the comments until one contains marker; see github_find_comment(). */
static int find_comment(struct gh *g, const char *repo, int issue,
			const char *marker, struct github_comment *found,
			struct err *err)
{
	struct http_resp r;
	struct buf url = BUF_INIT(GH_URL_MAX);
	char what[300];
	json_t *root = NULL;
	int pages, ret = -1;

	snprintf(what, sizeof(what), "list the comments of %s#%d", repo,
		 issue);
	http_resp_init(&r, GH_BODY_MAX);
	if (url_of(&url, g, "/repos/%s/issues/%d/comments?per_page=100", repo,
		   issue)) {
		err_set(err, "cannot %s: URL too long", what);
		goto out;
	}
	for (pages = 0; pages < GH_PAGES_MAX; pages++) {
		json_error_t jerr;
		size_t i;

		if (gh_call(g, "GET", buf_str(&url), NULL, 0, what, &r, err) !=
		    GH_OK)
			goto out;
		json_decref(root);
		root = json_loadb(buf_str(&r.body), r.body.len, 0, &jerr);
		if (!json_is_array(root)) {
			err_set(err, "cannot %s: the answer is not a JSON array",
				what);
			goto out;
		}
		for (i = 0; i < json_array_size(root); i++) {
			json_t *c = json_array_get(root, i);
			json_t *body = json_object_get(c, "body");
			json_t *id = json_object_get(c, "id");

			if (!json_is_string(body) || !json_is_integer(id) ||
			    !strstr(json_string_value(body), marker))
				continue;
			found->id = json_integer_value(id);
			found->body = xstrdup(json_string_value(body));
			found->html_url = json_str_dup(c, "html_url");
			ret = 0;
			goto out;
		}
		if (!r.next_url)
			break;
		/* The token goes to the API's origin only. */
		if (strlen(r.next_url) < g->origin_len ||
		    strncmp(r.next_url, g->api, g->origin_len) ||
		    (r.next_url[g->origin_len] != '/' &&
		     r.next_url[g->origin_len] != '?')) {
			err_set(err, "cannot %s: the next page is on another "
				"host", what);
			goto out;
		}
		buf_reset(&url);
		if (buf_adds(&url, r.next_url)) {
			err_set(err, "cannot %s: next page URL too long", what);
			goto out;
		}
	}
	found->id = 0;
	found->body = found->html_url = NULL;
	ret = 0;
out:
	json_decref(root);
	http_resp_release(&r);
	buf_release(&url);
	return ret;
}

/* Reads id and html_url of the comment GitHub answered with. */
static int read_comment(const struct http_resp *r, const char *what,
			struct github_result *res, struct err *err)
{
	json_t *root = json_loadb(buf_str(&r->body), r->body.len, 0, NULL);
	json_t *id = json_object_get(root, "id");

	if (!json_is_integer(id)) {
		json_decref(root);
		return err_set(err, "cannot %s: the answer has no comment id",
			       what);
	}
	res->id = json_integer_value(id);
	res->html_url = json_str_dup(root, "html_url");
	json_decref(root);
	return 0;
}

static void check_repo_args(int issue, const char *marker)
{
	if (issue <= 0)
		BUG("GitHub issue number %d", issue);
	if (!marker || !*marker)
		BUG("GitHub comment marker is empty");
}

int github_find_comment(const struct github_opts *o, const char *repo,
			int issue, const char *marker,
			struct github_comment *found, struct err *err)
{
	struct github_comment c = GITHUB_COMMENT_INIT;
	struct gh g;
	int ret;

	check_repo_args(issue, marker);
	if (!repo || !repo_ok(repo))
		return err_set(err, "repository '%s' is not OWNER/NAME",
			       repo ? repo : "");
	if (gh_init(&g, o, err))
		return -1;
	ret = find_comment(&g, repo, issue, marker, &c, err);
	gh_release(&g);
	if (!ret)
		*found = c;
	return ret;
}

/* Characters (UTF-8 code points) of s, as GitHub counts a body. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* Sleeps before posting again after an unsure POST; -1 when the
 * budget is spent (e then says so). */
static int wait_before_repost(struct gh *g, int posts, struct err *e)
{
	struct err last = *e;
	struct http_policy *p = &g->pol;
	long long wait = retry_wait_ms(&p->retry, posts, -1);

	if (posts >= p->max_attempts) {
		err_set(e, "%s (gave up after %d attempts)", last.msg, posts);
		return -1;
	}
	if (p->slept_ms >= p->max_wait_ms) {
		err_set(e, "%s (a retry would wait past %lld ms in all)",
			last.msg, p->max_wait_ms);
		return -1;
	}
	if (wait > p->max_wait_ms - p->slept_ms)
		wait = p->max_wait_ms - p->slept_ms;
	retry_sleep_ms(wait);
	p->slept_ms += wait;
	return 0;
}

/* PATCHes comment c to json unless its body already is body. */
static int update_comment(struct gh *g, const char *repo, int pr,
			  struct github_comment *c, const char *body,
			  const char *json, struct http_resp *r,
			  struct github_result *out, struct err *e)
{
	struct buf url = BUF_INIT(GH_URL_MAX);
	char what[300];
	int ret = -1;

	if (c->body && !strcmp(c->body, body)) {
		out->action = "unchanged";
		out->id = c->id;
		out->html_url = c->html_url;
		c->html_url = NULL;
		return 0;
	}
	snprintf(what, sizeof(what), "update comment %lld on %s#%d", c->id,
		 repo, pr);
	if (url_of(&url, g, "/repos/%s/issues/comments/%lld", repo, c->id)) {
		err_set(e, "cannot %s: URL too long", what);
		goto out;
	}
	if (gh_call(g, "PATCH", buf_str(&url), json, 0, what, r, e) != GH_OK ||
	    read_comment(r, what, out, e))
		goto out;
	out->action = "updated";
	ret = 0;
out:
	buf_release(&url);
	return ret;
}

int github_upsert_comment(const struct github_opts *o, const char *repo,
			  int pr, const char *marker, const char *body,
			  struct github_result *res, struct err *err)
{
	struct github_result out = GITHUB_RESULT_INIT;
	struct github_comment c = GITHUB_COMMENT_INIT;
	struct err e = ERR_INIT;
	struct http_resp r;
	struct buf url = BUF_INIT(GH_URL_MAX);
	char what[300];
	char *json = NULL;
	json_t *doc;
	struct gh g;
	int posts = 0, ret = -1;

	check_repo_args(pr, marker);
	if (!strstr(body, marker))
		BUG("comment body does not contain its marker");
	if (utf8_chars(body) > GITHUB_COMMENT_MAX)
		BUG("comment body of %zu characters is over GitHub's %d",
		    utf8_chars(body), GITHUB_COMMENT_MAX);
	if (!repo || !repo_ok(repo))
		return err_set(err, "repository '%s' is not OWNER/NAME",
			       repo ? repo : "");
	doc = json_pack("{s:s}", "body", body);
	json = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (!json)
		return err_set(err, "cannot encode the comment as JSON "
			       "(invalid UTF-8?)");
	if (gh_init(&g, o, err)) {
		free(json);
		return -1;
	}
	http_resp_init(&r, GH_BODY_MAX);
	snprintf(what, sizeof(what), "create the comment on %s#%d", repo, pr);
	for (;;) {
		enum gh_outcome oc;

		github_comment_release(&c);
		if (find_comment(&g, repo, pr, marker, &c, &e))
			goto out;
		if (c.id) {
			if (update_comment(&g, repo, pr, &c, body, json, &r,
					   &out, &e))
				goto out;
			break;
		}
		if (url_of(&url, &g, "/repos/%s/issues/%d/comments", repo, pr)) {
			err_set(&e, "cannot %s: URL too long", what);
			goto out;
		}
		oc = gh_call(&g, "POST", buf_str(&url), json, 1, what, &r, &e);
		if (oc == GH_FAILED)
			goto out;
		if (oc == GH_OK) {
			if (read_comment(&r, what, &out, &e))
				goto out;
			out.action = "created";
			break;
		}
		/* GH_UNSURE: the comment may exist now; look again before
		 * posting again. */
		if (wait_before_repost(&g, ++posts, &e))
			goto out;
	}
	*res = out;
	memset(&out, 0, sizeof(out));
	ret = 0;
out:
	if (ret)
		err_copy(err, &e);
	github_result_release(&out);
	github_comment_release(&c);
	http_resp_release(&r);
	buf_release(&url);
	gh_release(&g);
	free(json);
	return ret;
}
