/*
 * route_upload.c: POST /api/v1/uploads -- authenticate, inflate, validate,
 * store in one transaction (201 only after the commit), then keep the PR
 * comment current.  Nothing is written for a request that fails any
 * check: every 4xx leaves the database as it was.
 */
#include "core/jsonw.h"
#include "server.h"
#include "comment.h"
#include "core/gz.h"
#include "core/in_json.h"
#include "core/store_query.h"
#include "core/store_quarantine.h"
#include "core/store_token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* "application/json" or "application/json; charset=utf-8". */
static int is_json_type(const char *ct)
{
	size_t n = strlen("application/json");

	if (!ct || strncasecmp(ct, "application/json", n))
		return 0;
	ct += n;
	while (*ct == ' ')
		ct++;
	return !*ct || *ct == ';';
}

static char *bearer(const struct request *q)
{
	const char *h = req_header(q, "Authorization");
	size_t n;

	if (!h || strncasecmp(h, "Bearer ", 7))
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	n = strcspn(h, " \t");
	return n ? xstrndup(h, n) : NULL;
}

static json_t *comment_json(const struct comment_outcome *c)
{
	json_t *o = json_pack("{s:s}", "status", c->status);

	if (c->markdown)
		json_object_set_new(o, "markdown", jsonw_str(c->markdown));
	if (c->url)
		json_object_set_new(o, "url", jsonw_str(c->url));
	if (c->error)
		json_object_set_new(o, "error", jsonw_str(c->error));
	return o;
}

/*
 * The gate's answer (docs/GATE.md): the class of every flaky or failed
 * test of the upload, with its numbers on the comparison branch.
 */
static json_t *classes_json(const struct results *r, long long evidence)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < r->ntests; i++) {
		const struct test *t = r->tests[i];
		json_t *o;

		if (!t->klass)
			continue;
		o = json_object();
		json_object_set_new(o, "package", jsonw_str(t->package));
		json_object_set_new(o, "name", jsonw_str(t->name));
		json_object_set_new(o, "class", jsonw_str(test_class_name(t->klass)));
		json_object_set_new(o, "base", t->has_base ? json_pack(
			"{s:I,s:I,s:I,s:I}",
			"executions", (json_int_t)t->base.executions,
			"failures", (json_int_t)t->base.failures,
			"runs", (json_int_t)t->base.runs,
			"flaky_runs", (json_int_t)t->base.flaky_runs) : json_null());
		if (t->earlier_attempt > 0)
			json_object_set_new(o, "earlier_attempt",
					    json_integer(t->earlier_attempt));
		json_array_append_new(a, o);
	}
	return json_pack("{s:s?,s:i,s:I,s:o}", "branch", store_compare_branch(r),
			 "window_days", STORE_KNOWN_WINDOW_DAYS,
			 "evidence_runs", (json_int_t)evidence, "tests", a);
}

/*
 * Everything an upload's headers decide: the token (401), the types and
 * the Idempotency-Key.  Run on the request's first callback, before any
 * byte of the body is read or buffered, and again with the body.  Returns
 * 0 with *token_repo set (caller frees), or -1 with p set.
 */
static int preflight(const struct request *q, struct reply *p,
		     struct store **sp, char **token_repo, unsigned *flags)
{
	const char *enc = req_header(q, "Content-Encoding");
	const char *idem = req_header(q, "Idempotency-Key");
	struct err err = ERR_INIT;
	char *token;
	int rc;

	*token_repo = NULL;
	if (!(token = bearer(q))) {
		reply_error(p, 401, NULL, "an upload needs 'Authorization: Bearer "
			    "<token>' (flake-reporter token create)");
		return -1;
	}
	if (!(*sp = server_store(q->cfg, &err))) {
		reply_unavailable(p, "database unavailable", &err);
		rc = -1;
		goto out;
	}
	rc = store_token_check(*sp, token, strlen(token), token_repo, flags,
			       &err);
	if (rc < 0) {
		reply_unavailable(p, "database unavailable", &err);
		goto out;
	}
	if (rc > 0) {
		reply_error(p, 401, NULL, "unknown or revoked token");
		rc = -1;
		goto out;
	}
	rc = -1;
	if (!is_json_type(req_header(q, "Content-Type"))) {
		reply_error(p, 415, NULL, "Content-Type must be application/json");
		goto out;
	}
	if (idem && (strlen(idem) > 200 || !*idem)) {
		reply_error(p, 400, NULL, "Idempotency-Key must be 1 to 200 bytes");
		goto out;
	}
	if (enc && strcasecmp(enc, "gzip") && strcasecmp(enc, "identity")) {
		reply_error(p, 415, NULL, "Content-Encoding must be gzip or "
			    "identity, not '%.40s'", enc);
		goto out;
	}
	rc = 0;
out:
	/* Do not leave the secret in freed memory. */
	memset(token, 0, strlen(token));
	free(token);
	if (rc) {
		free(*token_repo);
		*token_repo = NULL;
	}
	return rc ? -1 : 0;
}

void route_upload_early(const struct request *q, struct reply *p)
{
	struct store *s;
	char *repo = NULL;
	unsigned flags = 0;

	if (!preflight(q, p, &s, &repo, &flags))
		free(repo);
}

void route_upload(const struct request *q, struct reply *p)
{
	const char *enc = req_header(q, "Content-Encoding");
	const char *idem = req_header(q, "Idempotency-Key");
	struct buf inflated = BUF_INIT(q->cfg->max_body);
	struct err err = ERR_INIT;
	struct in_json_error fe;
	struct results r, merged;
	struct store *s;
	struct store_add_opts ao;
	struct store_added added;
	struct comment_outcome co;
	const char *doc = q->body ? q->body : "";
	size_t len = q->body_len;
	char *token_repo = NULL, url[1024];
	long long evidence = 0;
	unsigned flags = 0;
	int rc;

	results_init(&r);
	results_init(&merged);
	memset(&co, 0, sizeof(co));
	if (preflight(q, p, &s, &token_repo, &flags))
		goto out;
	if (enc && !strcasecmp(enc, "gzip")) {
		rc = gz_inflate(doc, len, &inflated, &err);
		if (rc == -2) {
			reply_error(p, 413, NULL, "%s", err.msg);
			goto out;
		}
		if (rc) {
			reply_error(p, 400, NULL, "%s", err.msg);
			goto out;
		}
		doc = inflated.data ? inflated.data : "";
		len = inflated.len;
	}
	if (!len) {
		reply_error(p, 400, NULL, "empty body: want a results document");
		goto out;
	}
	if (in_json_results(doc, len, &r, &fe, &err)) {
		reply_error(p, 400, fe.field, "%s", err.msg);
		goto out;
	}
	if (!r.meta.repository) {
		reply_error(p, 400, "meta.repository", "meta.repository: required "
			    "for an upload");
		goto out;
	}
	if (strcmp(r.meta.repository, token_repo)) {
		reply_error(p, 403, "meta.repository", "this token writes only "
			    "'%s', not '%s'", token_repo, r.meta.repository);
		goto out;
	}
	/*
	 * A pull-request-only token (the fork recipe's): the upload must be
	 * a PR's, and it is recorded under the branch "pr:N" -- no git
	 * branch can be named that (':' is not allowed in a ref) -- so a
	 * document that claims "branch: main" never writes main's history,
	 * its badge or the base the gate compares with.
	 */
	if (flags & STORE_TOKEN_PR_ONLY) {
		char b[32];

		if (r.meta.pr <= 0) {
			reply_error(p, 403, "meta.pr", "this token uploads only "
				    "pull-request runs (flake-reporter token "
				    "create --pr-only): meta.pr is required");
			goto out;
		}
		snprintf(b, sizeof(b), "pr:%d", r.meta.pr);
		free(r.meta.branch);
		r.meta.branch = xstrdup(b);
		free(r.meta.event);
		r.meta.event = xstrdup("pull_request");
	}
	memset(&ao, 0, sizeof(ao));
	ao.idem_key = idem;
	/* The document as it came: gzip from the collector (~35x smaller). */
	ao.doc = q->body;
	ao.doc_len = q->body_len;
	/* A shard's upload: the group's merge, made once for the totals
	 * and the comment. */
	ao.merged = &merged;
	/* Classified before it is stored, though it would not count for
	 * itself anyway (a run is never its own evidence). */
	if (store_classify(s, &r, STORE_KNOWN_WINDOW_DAYS,
			   (long long)time(NULL), &evidence, &err) ||
	    store_add_run_ex(s, &r, &ao, &added, &err)) {
		reply_unavailable(p, "could not store the upload", &err);
		goto out;
	}
	/* Release on evidence, when asked: this upload may be the last
	 * clean execution a quarantined test needed.  Best effort. */
	if (q->cfg->auto_release && !added.duplicate) {
		struct err rerr = ERR_INIT;
		size_t nrel = 0;

		if (store_quarantine_auto_release(s, r.meta.repository,
						  (long long)time(NULL), &nrel,
						  &rerr))
			fprintf(stderr, "flake-reporter: auto-release: %s\n",
				rerr.msg);
		else if (nrel)
			fprintf(stderr, "flake-reporter: released %zu test%s of "
				"%s from quarantine on evidence\n", nrel,
				nrel == 1 ? "" : "s", r.meta.repository);
	}
	/* The comment is best effort: the upload is already safe.  The
	 * merge lists what earlier attempts keep flaky, as r does. */
	if (!added.duplicate && merged.finished) {
		struct err merr = ERR_INIT;

		if (store_mark_earlier(s, &merged, &merr))
			fprintf(stderr, "flake-reporter: earlier attempts: %s\n",
				merr.msg);
	}
	if (!added.duplicate)
		comment_after_upload(q->cfg, s, &r,
				     merged.finished ? &merged : NULL,
				     added.group_id, &co);
	else
		co.status = "skipped";
	snprintf(url, sizeof(url), "%s/%s/runs/%lld",
		 q->cfg->public_url ? q->cfg->public_url : "",
		 r.meta.repository, added.group_id);
	reply_json(p, added.duplicate ? 200 : 201,
		   json_pack("{s:I,s:I,s:s,s:b,s:b,s:s,s:o,s:o}",
			     "upload_id", (json_int_t)added.run_id,
			     "run_id", (json_int_t)added.group_id,
			     "repository", r.meta.repository,
			     "duplicate", added.duplicate,
			     "infra", added.infra,
			     "run_url", url,
			     "comment", comment_json(&co),
			     "gate", classes_json(&r, evidence)));
out:
	comment_outcome_release(&co);
	results_release(&merged);
	results_release(&r);
	buf_release(&inflated);
	free(token_repo);
}
