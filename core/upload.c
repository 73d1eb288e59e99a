/*
 * upload.c: upload a results document to flake-reporter (see upload.h)
 * through the one HTTP client, core/http.h, and its retries.
 */
#include "http.h"
#include "retry.h"
#include "version.h"
#include "upload.h"
#include "buf.h"
#include "gz.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define BACKOFF_BASE_MS 500
#define BACKOFF_CAP_MS 15000

void upload_result_release(struct upload_result *u)
{
	free(u->body);
	free(u->run_url);
	free(u->comment_status);
	free(u->comment_url);
	free(u->comment_markdown);
	while (u->nclasses--) {
		free(u->classes[u->nclasses].package);
		free(u->classes[u->nclasses].name);
	}
	free(u->classes);
	memset(u, 0, sizeof(*u));
}

static long count_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	json_int_t n = json_is_integer(v) ? json_integer_value(v) : 0;

	return n > 0 && n < 2000000000 ? (long)n : 0;
}

/* "gate": {"tests": [{"package", "name", "class", "base",
 * "earlier_attempt"?}]}; entries that are not such are skipped. */
static void parse_gate(struct upload_result *res, json_t *g)
{
	json_t *a = json_object_get(g, "tests"), *e;
	size_t i;

	if (!json_is_array(a))
		return;
	res->gate = 1;
	res->classes = xcalloc(json_array_size(a) + 1, sizeof(*res->classes));
	json_array_foreach(a, i, e) {
		const char *p = json_string_value(json_object_get(e, "package"));
		const char *n = json_string_value(json_object_get(e, "name"));
		json_t *b = json_object_get(e, "base");
		struct upload_class *u = &res->classes[res->nclasses];

		if (!p || !n || test_class_parse(json_string_value(
			json_object_get(e, "class")), &u->klass))
			continue;
		u->package = xstrdup(p);
		u->name = xstrdup(n);
		u->earlier_attempt = (int)count_of(e, "earlier_attempt");
		if (json_is_object(b)) {
			u->has_base = 1;
			u->base.executions = count_of(b, "executions");
			u->base.failures = count_of(b, "failures");
			u->base.runs = count_of(b, "runs");
			u->base.flaky_runs = count_of(b, "flaky_runs");
		}
		res->nclasses++;
	}
}

size_t upload_apply_classes(const struct upload_result *u, struct results *r)
{
	size_t i, n = 0;

	for (i = 0; i < u->nclasses; i++) {
		const struct upload_class *c = &u->classes[i];
		struct test *t = c->earlier_attempt > 0 ?
				  results_mark_earlier(r, c->package, c->name,
						       c->earlier_attempt) :
				  results_test(r, c->package, c->name, 0);

		if (!t)
			continue;
		t->has_base = 0;
		results_set_class(t, c->klass, c->has_base ? &c->base : NULL);
		n++;
	}
	return n;
}

static void parse_response(struct upload_result *res)
{
	json_t *j = res->body ? json_loads(res->body, 0, NULL) : NULL;
	json_t *c;

	if (!j)
		return;
	if (json_is_integer(json_object_get(j, "run_id")))
		res->run_id = json_integer_value(json_object_get(j, "run_id"));
	if (json_is_string(json_object_get(j, "run_url")))
		res->run_url = xstrdup(json_string_value(json_object_get(j, "run_url")));
	c = json_object_get(j, "comment");
	if (json_is_string(json_object_get(c, "status")))
		res->comment_status = xstrdup(json_string_value(
			json_object_get(c, "status")));
	if (json_is_string(json_object_get(c, "url")))
		res->comment_url = xstrdup(json_string_value(
			json_object_get(c, "url")));
	if (json_is_string(json_object_get(c, "markdown")))
		res->comment_markdown = xstrdup(json_string_value(
			json_object_get(c, "markdown")));
	parse_gate(res, json_object_get(j, "gate"));
	json_decref(j);
}

/* The error message a reporter returned, for err. */
static void reporter_message(const char *body, char *out, size_t n)
{
	json_t *j = body ? json_loads(body, 0, NULL) : NULL;
	const char *m = json_string_value(json_object_get(
		json_object_get(j, "error"), "message"));

	snprintf(out, n, "%s", m ? m : "no message");
	json_decref(j);
}

/* The reporter's meaning of an error answer (http.h's describe). */
static void describe(const struct http_resp *r, void *arg, struct err *err)
{
	char msg[300];

	(void)arg;
	reporter_message(buf_str(&r->body), msg, sizeof(msg));
	err_set(err, "the reporter answered %ld: %s", r->status, msg);
}

int upload_results(const struct upload_opts *o, const char *doc, size_t len,
		   struct upload_result *res, struct err *err)
{
	struct buf gz = BUF_INIT((size_t)1 << 31), url = BUF_INIT(4096);
	struct buf auth = BUF_INIT(4096), idem = BUF_INIT(512);
	struct buf what = BUF_INIT(4096);
	const char *headers[5];
	struct http_policy pol;
	struct http_resp r;
	struct http_req q;
	struct http h;
	int ret = -1, nh = 0, opened = 0;
	size_t ul = strlen(o->url);

	memset(res, 0, sizeof(*res));
	memset(&pol, 0, sizeof(pol));
	memset(&q, 0, sizeof(q));
	http_resp_init(&r, 16u << 20);
	if (strncmp(o->url, "http://", 7) && strncmp(o->url, "https://", 8)) {
		err_set(err, "reporter URL must start with http:// or https://, "
			"not '%s'", o->url);
		goto out;
	}
	if (!o->token || !*o->token) {
		err_set(err, "no upload token: set FLAKE_TOKEN");
		goto out;
	}
	if (gz_compress(doc, len, &gz, err))
		goto out;
	while (ul && o->url[ul - 1] == '/')
		ul--;
	if (buf_add(&url, o->url, ul) || buf_adds(&url, "/api/v1/uploads") ||
	    buf_addf(&auth, "Authorization: Bearer %s", o->token) ||
	    (o->idem_key && buf_addf(&idem, "Idempotency-Key: %s", o->idem_key)) ||
	    buf_addf(&what, "reach the reporter at '%s'", o->url)) {
		err_set(err, "reporter URL or token too long");
		goto out;
	}
	if (http_open(&h, err))
		goto out;
	opened = 1;
	headers[nh++] = "Content-Type: application/json";
	headers[nh++] = "Content-Encoding: gzip";
	headers[nh++] = auth.data;
	if (idem.len)
		headers[nh++] = idem.data;
	headers[nh] = NULL;
	q.method = "POST";
	q.url = url.data;
	q.headers = headers;
	q.user_agent = "flake-collector/" FLAKE_VERSION;
	q.body = gz.data;
	q.len = gz.len;
	q.timeout_s = o->timeout_s > 0 ? o->timeout_s : 60L;
	q.what = what.data;
	/* Safe to repeat: the Idempotency-Key makes a repeat a duplicate. */
	pol.max_attempts = o->max_attempts > 0 ? o->max_attempts : 5;
	pol.max_wait_ms = o->max_wait_ms > 0 ? o->max_wait_ms : 60000;
	pol.answer_wait = http_wait_5xx_429;
	pol.describe = describe;
	retry_init(&pol.retry, BACKOFF_BASE_MS, BACKOFF_CAP_MS);
	if (http_call(&h, &q, &pol, &r, &res->attempts, err) == HTTP_OK)
		ret = 0;
	res->status = r.status;
	res->body = buf_detach(&r.body, NULL);
	if (!ret)
		parse_response(res);
out:
	if (opened)
		http_close(&h);
	http_resp_release(&r);
	buf_release(&gz);
	buf_release(&url);
	buf_release(&what);
	if (auth.data)
		memset(auth.data, 0, auth.len);
	buf_release(&auth);
	buf_release(&idem);
	return ret;
}
