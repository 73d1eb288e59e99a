/*
 * upload.c: upload a results document to flake-reporter with retries
 * (see upload.h).
 */
#include "retry.h"
#include "version.h"
#include "upload.h"
#include "buf.h"
#include "gz.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define BACKOFF_BASE_MS 500
#define BACKOFF_CAP_MS 15000

void upload_result_release(struct upload_result *u)
{
	free(u->body);
	free(u->run_url);
	free(u->comment_status);
	free(u->comment_markdown);
	memset(u, 0, sizeof(*u));
}

struct hdrs {
	long long retry_after;
};

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct hdrs *h = ud;
	size_t len = size * n;

	if (len > 12 && !strncasecmp(p, "Retry-After:", 12))
		h->retry_after = retry_header_seconds(p + 12, len - 12);
	return len;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct buf *b = ud;
	size_t len = size * n, room = b->limit - b->len;

	if (buf_add(b, p, len < room ? len : room))
		return 0;
	return len;
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
	if (json_is_string(json_object_get(c, "markdown")))
		res->comment_markdown = xstrdup(json_string_value(
			json_object_get(c, "markdown")));
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

int upload_results(const struct upload_opts *o, const char *doc, size_t len,
		   struct upload_result *res, struct err *err)
{
	struct buf gz = BUF_INIT((size_t)1 << 31), url = BUF_INIT(4096);
	struct buf auth = BUF_INIT(4096), idem = BUF_INIT(512);
	int max = o->max_attempts > 0 ? o->max_attempts : 5;
	long long budget = o->max_wait_ms > 0 ? o->max_wait_ms : 60000;
	struct retry rp;
	CURL *c = NULL;
	int ret = -1, attempt;
	size_t ul = strlen(o->url);

	memset(res, 0, sizeof(*res));
	retry_init(&rp, BACKOFF_BASE_MS, BACKOFF_CAP_MS);
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
	    (o->idem_key && buf_addf(&idem, "Idempotency-Key: %s", o->idem_key))) {
		err_set(err, "reporter URL or token too long");
		goto out;
	}
	c = curl_easy_init();
	if (!c) {
		err_set(err, "cannot initialise libcurl");
		goto out;
	}
	for (attempt = 1; attempt <= max; attempt++) {
		struct curl_slist *h = NULL;
		struct buf body = BUF_INIT(16u << 20);
		struct hdrs hd = { -1 };
		CURLcode rc;
		long long wait;
		int retry;

		h = curl_slist_append(h, "Content-Type: application/json");
		h = curl_slist_append(h, "Content-Encoding: gzip");
		h = curl_slist_append(h, "Expect:");
		h = curl_slist_append(h, auth.data);
		if (idem.len)
			h = curl_slist_append(h, idem.data);
		curl_easy_reset(c);
		curl_easy_setopt(c, CURLOPT_URL, url.data);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, gz.data);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)gz.len);
		curl_easy_setopt(c, CURLOPT_USERAGENT,
				 "flake-collector/" FLAKE_VERSION);
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout_s > 0 ? o->timeout_s : 60L);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
		curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(c, CURLOPT_HEADERDATA, &hd);
		rc = curl_easy_perform(c);
		curl_slist_free_all(h);
		res->attempts = attempt;
		res->status = 0;
		if (rc == CURLE_OK)
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status);
		free(res->body);
		res->body = buf_detach(&body, NULL);
		buf_release(&body);
		if (rc == CURLE_OK && res->status >= 200 && res->status < 300) {
			parse_response(res);
			ret = 0;
			goto out;
		}
		retry = rc != CURLE_OK || res->status >= 500 || res->status == 429;
		if (rc != CURLE_OK)
			err_set(err, "cannot reach the reporter at '%s': %s",
				o->url, curl_easy_strerror(rc));
		else {
			char msg[300];

			reporter_message(res->body, msg, sizeof(msg));
			err_set(err, "the reporter answered %ld: %s", res->status, msg);
		}
		if (!retry || attempt == max)
			break;
		wait = retry_wait_ms(&rp, attempt, hd.retry_after);
		if (wait > budget)
			break;
		budget -= wait;
		retry_sleep_ms(wait);
	}
out:
	if (c)
		curl_easy_cleanup(c);
	buf_release(&gz);
	buf_release(&url);
	if (auth.data)
		memset(auth.data, 0, auth.len);
	buf_release(&auth);
	buf_release(&idem);
	return ret;
}
