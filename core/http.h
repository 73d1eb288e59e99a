/*
 * http.h: the one HTTP client of both programs' outgoing requests (the
 * GitHub REST client, core/github.c, and the reporter upload,
 * core/upload.c): one curl setup (http and https only, no redirects,
 * bounded connect and transfer times, no signals), one reading of the
 * answer's headers, and one retry loop over core/retry.h's backoff.  The
 * callers decide only what their answers mean (which statuses are worth a
 * retry, and how an error reads).
 *
 * Lifecycle:
 *   1. struct http h; http_open(&h, err);         one connection, reused
 *   2. struct http_resp r; http_resp_init(&r, body_max);
 *   3. http_call(&h, &req, &pol, &r, err);        as often as needed
 *   4. http_resp_release(&r); http_close(&h);
 */
#ifndef CORE_HTTP_H
#define CORE_HTTP_H

#include "buf.h"
#include "err.h"
#include "retry.h"

#include <stddef.h>

/* An answer: reset at each attempt (and at each status line, so an
 * interim 100 Continue never leaks stale values). */
struct http_resp {
	long status;			/* 0: no answer */
	struct buf body;		/* bounded: a longer body fails the call */
	long long retry_after;		/* seconds; -1 absent */
	long long rl_remaining;		/* X-RateLimit-Remaining; -1 absent */
	long long rl_reset;		/* X-RateLimit-Reset (epoch s); -1 */
	char *next_url;			/* Link rel="next"; NULL absent */
};

void http_resp_init(struct http_resp *r, size_t body_max);
void http_resp_release(struct http_resp *r);

struct http {
	void *curl;			/* CURL *, reused across calls */
	char curl_err[256];		/* CURL_ERROR_SIZE */
};

/* 0, or -1 with err set (libcurl cannot start). */
int http_open(struct http *h, struct err *err);
void http_close(struct http *h);

/* A request.  headers: "Name: value" lines, NULL-terminated. */
struct http_req {
	const char *method;		/* "GET", "POST", "PATCH" */
	const char *url;		/* http:// or https:// */
	const char *const *headers;
	const char *user_agent;
	const void *body;		/* NULL: none (then a GET) */
	size_t len;
	long timeout_s;			/* per attempt; <= 0: 60 */
	const char *what;		/* "upload to the reporter at x" */
};

/*
 * What a caller makes of a non-2xx answer (r->status > 0): the wait in ms
 * before trying again, or -1 when it is final; *refused (OUT) set when the
 * server refused the request without doing it (a rate limit), so even an
 * unsafe request may be repeated.  describe() sets err to the message of
 * the answer ("cannot <what>: HTTP 404: Not Found").
 */
struct http_policy {
	int max_attempts;		/* >= 1 */
	long long max_wait_ms;		/* the sleep budget of one call */
	long long slept_ms;		/* slept so far (IN/OUT, across calls) */
	struct retry retry;		/* retry_init() it */
	/* A non-idempotent request (a POST without an idempotency key):
	 * after a failure it may have been applied, so it is not retried
	 * unless refused; http_call() returns HTTP_UNSURE instead. */
	int unsafe;
	long long (*answer_wait)(const struct http_resp *r, void *arg,
				 struct retry *rp, int attempt, int *refused);
	void (*describe)(const struct http_resp *r, void *arg,
			 struct err *err);
	void *arg;
};

/* The default answer_wait: 5xx and 429 retry after the backoff (or the
 * server's Retry-After); every other status is final. */
long long http_wait_5xx_429(const struct http_resp *r, void *arg,
			    struct retry *rp, int attempt, int *refused);

enum http_outcome {
	HTTP_OK,			/* a 2xx answer, in r */
	HTTP_FAILED,			/* err set; r holds the last answer */
	HTTP_UNSURE,			/* unsafe, failed, may have been applied */
};

/*
 * Makes the request, retrying network failures (refused connections,
 * timeouts, resets) and what answer_wait() says, within max_attempts and
 * the sleep budget (a wait past it ends the call, except that a backoff
 * is shortened to what is left).  *attempts (OUT, may be NULL) counts the
 * requests made.
 */
enum http_outcome http_call(struct http *h, const struct http_req *q,
			    struct http_policy *p, struct http_resp *r,
			    int *attempts, struct err *err);

#endif
