/*
 * Unit tests for core/http: the one outgoing HTTP client, against a
 * scripted server on loopback (one thread, one answer per connection).
 * Every wait is 0 or 1 ms (Retry-After: 0, a 1 ms backoff), so nothing
 * depends on timing.
 */
#include "core/http.h"
#include "check.h"

#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_ANSWERS 8

struct server {
	int fd, port;
	const char *answers[MAX_ANSWERS];	/* raw responses, in order */
	int n, served;
	char last_request[8192];
	pthread_t thread;
};

static void *serve(void *arg)
{
	struct server *s = arg;

	while (s->served < s->n) {
		int c = accept(s->fd, NULL, NULL);
		char buf[8192];
		size_t got = 0;
		ssize_t k;

		if (c < 0)
			break;
		/* The headers (and the small bodies these tests send). */
		while (got < sizeof(buf) - 1 &&
		       (k = read(c, buf + got, sizeof(buf) - 1 - got)) > 0) {
			got += (size_t)k;
			buf[got] = '\0';
			if (strstr(buf, "\r\n\r\n") &&
			    (!strstr(buf, "Content-Length:") ||
			     strstr(strstr(buf, "\r\n\r\n") + 4, "}")))
				break;
		}
		buf[got] = '\0';
		snprintf(s->last_request, sizeof(s->last_request), "%s", buf);
		if (write(c, s->answers[s->served], strlen(s->answers[s->served])) < 0)
			perror("write");
		s->served++;
		close(c);
	}
	return NULL;
}

static void server_start(struct server *s, const char *const *answers)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	memset(s, 0, sizeof(*s));
	for (; answers[s->n]; s->n++)
		s->answers[s->n] = answers[s->n];
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(s->fd, 8) ||
	    getsockname(s->fd, (struct sockaddr *)&a, &len)) {
		perror("server");
		exit(1);
	}
	s->port = ntohs(a.sin_port);
	pthread_create(&s->thread, NULL, serve, s);
}

static void server_stop(struct server *s)
{
	/* Serve whatever the client did not ask for, so the thread ends. */
	while (s->served < s->n) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a;

		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a.sin_port = htons((unsigned short)s->port);
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		    write(fd, "\r\n\r\n", 4) < 0)
			perror("write");
		close(fd);
		usleep(1000);
	}
	pthread_join(s->thread, NULL);
	close(s->fd);
}

static void describe(const struct http_resp *r, void *arg, struct err *err)
{
	(void)arg;
	err_set(err, "answered %ld", r->status);
}

/* 429 is a refusal here (as GitHub's rate limit): safe to repeat. */
static long long refuse_429(const struct http_resp *r, void *arg,
			    struct retry *rp, int attempt, int *refused)
{
	long long w = http_wait_5xx_429(r, arg, rp, attempt, refused);

	*refused = r->status == 429;
	return w;
}

static void policy(struct http_policy *p, int attempts)
{
	memset(p, 0, sizeof(*p));
	p->max_attempts = attempts;
	p->max_wait_ms = 1000;
	p->answer_wait = http_wait_5xx_429;
	p->describe = describe;
	retry_init(&p->retry, 1, 1);
}

static enum http_outcome call(struct server *s, struct http_policy *p,
			      const char *body, struct http_resp *r,
			      size_t limit, int *attempts, struct err *err)
{
	static const char *const headers[] = { "X-Test: 1", NULL };
	struct http h;
	struct http_req q;
	char url[64];
	enum http_outcome o;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", s->port);
	memset(&q, 0, sizeof(q));
	q.method = body ? "POST" : "GET";
	q.url = url;
	q.headers = headers;
	q.user_agent = "test-http/1";
	q.body = body;
	q.len = body ? strlen(body) : 0;
	q.timeout_s = 10;
	q.what = "call the test server";
	http_resp_init(r, limit);
	memset(err, 0, sizeof(*err));
	if (http_open(&h, err))
		return HTTP_FAILED;
	o = http_call(&h, &q, p, r, attempts, err);
	http_close(&h);
	return o;
}

#define OK_ANSWER "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" \
	"Link: <http://x/p2>; rel=\"next\", <http://x/p9>; rel=\"last\"\r\n" \
	"Connection: close\r\n\r\nok"
#define UNAVAILABLE "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\n" \
	"Content-Length: 0\r\nConnection: close\r\n\r\n"

int main(void)
{
	struct server s;
	struct http_policy p;
	struct http_resp r;
	struct err err;
	int attempts = 0;

	curl_global_init(CURL_GLOBAL_DEFAULT);

	/* A 503 with Retry-After: 0, then the answer; headers read. */
	{
		static const char *const a[] = { UNAVAILABLE, OK_ANSWER, NULL };

		server_start(&s, a);
		policy(&p, 3);
		CHECK(call(&s, &p, NULL, &r, 1024, &attempts, &err) == HTTP_OK);
		CHECK(attempts == 2 && r.status == 200);
		CHECK_STR(buf_str(&r.body), "ok");
		CHECK_STR(r.next_url, "http://x/p2");
		CHECK(strstr(s.last_request, "GET /x ") != NULL);
		CHECK(strstr(s.last_request, "X-Test: 1\r\n") != NULL);
		CHECK(strstr(s.last_request, "User-Agent: test-http/1\r\n") != NULL);
		http_resp_release(&r);
		server_stop(&s);
	}
	/* A redirect is an answer, never followed. */
	{
		static const char *const a[] = { "HTTP/1.1 302 Found\r\n"
			"Location: http://127.0.0.1:1/elsewhere\r\n"
			"Content-Length: 0\r\nConnection: close\r\n\r\n", NULL };

		server_start(&s, a);
		policy(&p, 3);
		CHECK(call(&s, &p, NULL, &r, 1024, &attempts, &err) == HTTP_FAILED);
		CHECK(attempts == 1 && r.status == 302);
		CHECK_STR(err.msg, "answered 302");
		http_resp_release(&r);
		server_stop(&s);
	}
	/* A body past the limit fails the call, not the process. */
	{
		static const char *const a[] = { "HTTP/1.1 200 OK\r\n"
			"Content-Length: 40\r\nConnection: close\r\n\r\n"
			"0123456789012345678901234567890123456789", NULL };

		server_start(&s, a);
		policy(&p, 3);
		CHECK(call(&s, &p, NULL, &r, 16, &attempts, &err) == HTTP_FAILED);
		CHECK(strstr(err.msg, "larger than 16 bytes") != NULL);
		http_resp_release(&r);
		server_stop(&s);
	}
	/* An unsafe POST that met a 500 may have been applied: UNSURE, at
	 * once; one refused (429) is repeated. */
	{
		static const char *const a[] = { "HTTP/1.1 500 Oops\r\n"
			"Content-Length: 0\r\nConnection: close\r\n\r\n", NULL };

		server_start(&s, a);
		policy(&p, 3);
		p.unsafe = 1;
		CHECK(call(&s, &p, "{}", &r, 1024, &attempts, &err) == HTTP_UNSURE);
		CHECK(attempts == 1 && r.status == 500);
		CHECK(strstr(s.last_request, "POST /x ") != NULL);
		http_resp_release(&r);
		server_stop(&s);
	}
	{
		static const char *const a[] = { "HTTP/1.1 429 Slow down\r\n"
			"Retry-After: 0\r\nContent-Length: 0\r\n"
			"Connection: close\r\n\r\n", OK_ANSWER, NULL };

		server_start(&s, a);
		policy(&p, 3);
		p.unsafe = 1;
		p.answer_wait = refuse_429;
		CHECK(call(&s, &p, "{}", &r, 1024, &attempts, &err) == HTTP_OK);
		CHECK(attempts == 2);
		http_resp_release(&r);
		server_stop(&s);
	}
	/* Attempts are bounded: the message says how many were made. */
	{
		static const char *const a[] = { UNAVAILABLE, UNAVAILABLE,
			UNAVAILABLE, NULL };

		server_start(&s, a);
		policy(&p, 3);
		CHECK(call(&s, &p, NULL, &r, 1024, &attempts, &err) == HTTP_FAILED);
		CHECK(attempts == 3);
		CHECK_STR(err.msg, "answered 503 (gave up after 3 attempts)");
		http_resp_release(&r);
		server_stop(&s);
	}
	/* A server-named wait past the budget ends the call at once. */
	{
		static const char *const a[] = { "HTTP/1.1 429 Slow down\r\n"
			"Retry-After: 30\r\nContent-Length: 0\r\n"
			"Connection: close\r\n\r\n", NULL };

		server_start(&s, a);
		policy(&p, 5);
		p.answer_wait = refuse_429;
		CHECK(call(&s, &p, NULL, &r, 1024, &attempts, &err) == HTTP_FAILED);
		CHECK(attempts == 1 && p.slept_ms == 0);
		CHECK(strstr(err.msg, "would wait past 1000 ms") != NULL);
		http_resp_release(&r);
		server_stop(&s);
	}
	/* No server: the network's failure is retried, then named. */
	{
		static const char *const a[] = { NULL };

		server_start(&s, a);
		close(s.fd);		/* nothing listens on the port now */
		s.fd = -1;
		pthread_join(s.thread, NULL);
		policy(&p, 2);
		CHECK(call(&s, &p, NULL, &r, 1024, &attempts, &err) == HTTP_FAILED);
		CHECK(attempts == 2);
		CHECK(strstr(err.msg, "cannot call the test server: ") != NULL);
		CHECK(strstr(err.msg, "(gave up after 2 attempts)") != NULL);
		http_resp_release(&r);
	}
	curl_global_cleanup();
	return check_done("test_http");
}
