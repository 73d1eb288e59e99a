/*
 * http.c: the outgoing HTTP client (see http.h).
 *
 * Invariants:
 *   - Every request gets the same curl options (http_once()): nothing a
 *     caller passes can enable redirects or another protocol.
 *   - p->slept_ms never exceeds p->max_wait_ms: a wait is shortened (a
 *     backoff) or refused (a server-named wait) before sleeping.
 */
#include "http.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void set_err(struct err *dst, const struct err *src)
{
	if (dst)
		*dst = *src;
}

_Static_assert(sizeof(((struct http *)0)->curl_err) >= CURL_ERROR_SIZE,
	       "curl_err holds CURL_ERROR_SIZE bytes");

void http_resp_init(struct http_resp *r, size_t body_max)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body, body_max);
	r->retry_after = r->rl_remaining = r->rl_reset = -1;
}

/* Forgets the previous answer, keeping the body's storage. */
static void resp_reset(struct http_resp *r)
{
	r->status = 0;
	buf_reset(&r->body);
	r->retry_after = r->rl_remaining = r->rl_reset = -1;
	FREE_AND_NULL(r->next_url);
}

void http_resp_release(struct http_resp *r)
{
	buf_release(&r->body);
	FREE_AND_NULL(r->next_url);
}

int http_open(struct http *h, struct err *err)
{
	memset(h, 0, sizeof(*h));
	h->curl = curl_easy_init();
	if (!h->curl)
		return err_set(err, "cannot initialise libcurl");
	return 0;
}

void http_close(struct http *h)
{
	if (h->curl)
		curl_easy_cleanup(h->curl);
	memset(h, 0, sizeof(*h));
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct http_resp *r = arg;

	/* Returning less than given makes curl fail with CURLE_WRITE_ERROR. */
	if (buf_add(&r->body, p, size * n))
		return 0;
	return size * n;
}

/* 1 when s[0..n) starts with the NUL-terminated word w. */
static int starts_with(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);

	return n >= k && !strncmp(s, w, k);
}

/* Finds the URL of rel="next" in a Link header value:
 * <https://...&page=2>; rel="next", <https://...&page=5>; rel="last" */
static void parse_link(struct http_resp *r, const char *v, size_t n)
{
	size_t i = 0, gt, end, k;

	while (i < n) {
		size_t lt;

		while (i < n && v[i] != '<')
			i++;
		if (i == n)
			return;
		lt = i + 1;
		for (gt = lt; gt < n && v[gt] != '>'; gt++)
			;
		if (gt == n)
			return;
		/* The parameters run from '>' to the next ',' */
		for (end = gt; end < n && v[end] != ','; end++)
			;
		for (k = gt; k < end; k++) {
			if (starts_with(v + k, end - k, "rel=\"next\"") ||
			    starts_with(v + k, end - k, "rel=next")) {
				free(r->next_url);
				r->next_url = xstrndup(v + lt, gt - lt);
				return;
			}
		}
		i = end;
	}
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct http_resp *r = arg;
	size_t len = size * n, name_len, vlen;
	const char *colon, *v;

	if (len >= 5 && !strncmp(p, "HTTP/", 5)) {
		/* A new response (after 100 Continue, or a retry). */
		r->retry_after = r->rl_remaining = r->rl_reset = -1;
		FREE_AND_NULL(r->next_url);
		return len;
	}
	colon = memchr(p, ':', len);
	if (!colon)
		return len;
	name_len = (size_t)(colon - p);
	v = colon + 1;
	vlen = len - name_len - 1;
	while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' ||
			v[vlen - 1] == ' '))
		vlen--;
	if (name_len == 11 && !strncasecmp(p, "retry-after", 11))
		r->retry_after = retry_header_seconds(v, vlen);
	else if (name_len == 21 && !strncasecmp(p, "x-ratelimit-remaining", 21))
		r->rl_remaining = retry_header_seconds(v, vlen);
	else if (name_len == 17 && !strncasecmp(p, "x-ratelimit-reset", 17))
		r->rl_reset = retry_header_seconds(v, vlen);
	else if (name_len == 4 && !strncasecmp(p, "link", 4))
		parse_link(r, v, vlen);
	return len;
}

/* curl errors worth trying again: the network, not our request. */
static int curl_retryable(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

/* One attempt.  Returns the CURLcode; r holds the answer on CURLE_OK. */
static CURLcode http_once(struct http *h, const struct http_req *q,
			  struct http_resp *r)
{
	CURL *c = h->curl;
	struct curl_slist *hl = NULL, *n;
	CURLcode rc;
	size_t i;

	resp_reset(r);
	for (i = 0; q->headers && q->headers[i]; i++) {
		if (!(n = curl_slist_append(hl, q->headers[i]))) {
			curl_slist_free_all(hl);
			return CURLE_OUT_OF_MEMORY;
		}
		hl = n;
	}
	/* No 100-continue round trip. */
	if (!(n = curl_slist_append(hl, "Expect:"))) {
		curl_slist_free_all(hl);
		return CURLE_OUT_OF_MEMORY;
	}
	hl = n;
	curl_easy_reset(c);
	h->curl_err[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, q->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, q->timeout_s > 0 ? q->timeout_s : 60L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS,
			 (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->curl_err);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	if (q->user_agent)
		curl_easy_setopt(c, CURLOPT_USERAGENT, q->user_agent);
	if (q->body) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)q->len);
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hl);
	return rc;
}

long long http_wait_5xx_429(const struct http_resp *r, void *arg,
			    struct retry *rp, int attempt, int *refused)
{
	(void)arg;
	*refused = 0;
	if (r->status >= 500 || r->status == 429)
		return retry_wait_ms(rp, attempt, r->retry_after);
	return -1;
}

enum http_outcome http_call(struct http *h, const struct http_req *q,
			    struct http_policy *p, struct http_resp *r,
			    int *attempts, struct err *err)
{
	struct err last = ERR_INIT;
	int attempt;

	for (attempt = 1;; attempt++) {
		CURLcode cc = http_once(h, q, r);
		long long wait;
		int refused = 0;

		if (attempts)
			*attempts = attempt;
		if (cc == CURLE_OK && r->status >= 200 && r->status < 300)
			return HTTP_OK;
		if (cc != CURLE_OK) {
			if (cc == CURLE_WRITE_ERROR)
				err_set(&last, "cannot %s: the answer is larger "
					"than %zu bytes", q->what, r->body.limit);
			else
				err_set(&last, "cannot %s: %s", q->what,
					h->curl_err[0] ? h->curl_err :
					curl_easy_strerror(cc));
			if (!curl_retryable(cc)) {
				set_err(err, &last);
				return HTTP_FAILED;
			}
			wait = retry_wait_ms(&p->retry, attempt, -1);
		} else {
			p->describe(r, p->arg, &last);
			wait = p->answer_wait(r, p->arg, &p->retry, attempt,
					      &refused);
			if (wait < 0) {
				set_err(err, &last);
				return HTTP_FAILED;
			}
		}
		/* A refused request was not done, so it is safe to repeat; a
		 * 5xx or a lost connection may have done the work. */
		if (p->unsafe && !refused) {
			set_err(err, &last);
			return HTTP_UNSURE;
		}
		if (attempt >= p->max_attempts) {
			err_set(err, "%s (gave up after %d attempts)", last.msg,
				attempt);
			return HTTP_FAILED;
		}
		if (wait > p->max_wait_ms - p->slept_ms) {
			if (refused || p->slept_ms >= p->max_wait_ms) {
				err_set(err, "%s (a retry would wait past %lld ms "
					"in all)", last.msg, p->max_wait_ms);
				return HTTP_FAILED;
			}
			wait = p->max_wait_ms - p->slept_ms;
		}
		retry_sleep_ms(wait);
		p->slept_ms += wait;
	}
}
