/*
 * route_api.c: the read side of the JSON API (docs/API.md): health, the
 * flake table, one test, runs, one merged run.  Queries come from
 * core/store_query.h; this file only checks parameters and maps errors to
 * statuses.
 */
#include "server.h"
#include "core/ident.h"
#include "core/store_query.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

void route_health(const struct request *q, struct reply *p)
{
	struct err err = ERR_INIT;
	struct store *s = server_store(q->cfg, &err);

	if (!s) {
		reply_unavailable(p, "database unavailable", &err);
		return;
	}
	reply_json(p, 200, json_pack("{s:b,s:i}", "ok", 1, "schema_version",
				     store_schema_version(s)));
}

/* ?window=7d|30d|90d (default 30d); 0 with a 400 reply on a bad value. */
static int window_days(const struct request *q, struct reply *p)
{
	const char *w = req_query(q, "window");

	if (!w || !strcmp(w, "30d"))
		return 30;
	if (!strcmp(w, "7d"))
		return 7;
	if (!strcmp(w, "90d"))
		return 90;
	reply_error(p, 400, "window", "window must be 7d, 30d or 90d, not "
		    "'%.40s'", w);
	return 0;
}

/* {owner}/{repo} from the path, checked like a repository name. */
static int repo_param(const struct request *q, struct reply *p, char *out,
		      size_t n)
{
	const char *o = q->params[0], *r = q->params[1];

	if (!ident_repo_parts_ok(o, r) || strlen(o) + strlen(r) + 2 > n) {
		reply_error(p, 400, NULL, "not a repository name: '%.100s/%.100s'",
			    o, r);
		return -1;
	}
	if (snprintf(out, n, "%s/%s", o, r) >= (int)n)
		BUG("repository name length checked above");
	return 0;
}

static int id_param(const char *s, long long *out)
{
	char *end;
	long long v;

	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 18)
		return -1;
	v = strtoll(s, &end, 10);
	if (v <= 0)
		return -1;
	*out = v;
	return 0;
}

static struct store *store_or_503(const struct request *q, struct reply *p)
{
	struct err err = ERR_INIT;
	struct store *s = server_store(q->cfg, &err);

	if (!s)
		reply_unavailable(p, "database unavailable", &err);
	return s;
}

/* A query result: JSON, or 404 for what does not exist, else 500. */
static void answer(struct reply *p, json_t *j, const struct err *err)
{
	if (j) {
		reply_json(p, 200, j);
		return;
	}
	if (!strncmp(err->msg, "no such", 7))
		reply_error(p, 404, NULL, "%s", err->msg);
	else
		reply_unavailable(p, "query failed", err);
}

static const char *branch_param(const struct request *q)
{
	const char *b = req_query(q, "branch");

	return b && *b ? b : NULL;
}

void route_repo_tests(const struct request *q, struct reply *p)
{
	char repo[512];
	struct err err = ERR_INIT;
	struct store *s;
	const char *all = req_query(q, "all");
	int days;

	if (repo_param(q, p, repo, sizeof(repo)) ||
	    !(days = window_days(q, p)) || !(s = store_or_503(q, p)))
		return;
	answer(p, store_q_tests(s, repo, branch_param(q), days,
				(long long)time(NULL),
				all && strcmp(all, "0"), &err), &err);
}

void route_repo_test(const struct request *q, struct reply *p)
{
	char repo[512];
	struct err err = ERR_INIT;
	struct store *s;
	long long id;
	int days;

	if (repo_param(q, p, repo, sizeof(repo)))
		return;
	if (id_param(q->params[2], &id)) {
		reply_error(p, 404, NULL, "no such test: '%.40s'", q->params[2]);
		return;
	}
	if (!(days = window_days(q, p)) || !(s = store_or_503(q, p)))
		return;
	answer(p, store_q_test(s, repo, id, branch_param(q), days,
			       (long long)time(NULL), &err), &err);
}

void route_repo_runs(const struct request *q, struct reply *p)
{
	char repo[512];
	struct err err = ERR_INIT;
	struct store *s;
	const char *lim = req_query(q, "limit"), *before = req_query(q, "before");
	long long limit = 50, before_id = 0;

	if (repo_param(q, p, repo, sizeof(repo)))
		return;
	if (lim && (id_param(lim, &limit) || limit > 500)) {
		reply_error(p, 400, "limit", "limit must be 1 to 500");
		return;
	}
	if (before && id_param(before, &before_id)) {
		reply_error(p, 400, "before", "before must be a run id");
		return;
	}
	if (!(s = store_or_503(q, p)))
		return;
	answer(p, store_q_runs(s, repo, (int)limit, before_id, &err), &err);
}

void route_run(const struct request *q, struct reply *p)
{
	struct err err = ERR_INIT;
	struct store *s;
	long long id;

	if (id_param(q->params[0], &id)) {
		reply_error(p, 404, NULL, "no such run: '%.40s'", q->params[0]);
		return;
	}
	const char *ls = req_query(q, "limit"), *cs = req_query(q, "cursor");
	long long limit = STORE_Q_RUN_PAGE, cursor = 0;
	char *end;

	if (ls) {
		limit = strtoll(ls, &end, 10);
		if (end == ls || *end || limit < 1 || limit > STORE_Q_RUN_PAGE_MAX) {
			reply_error(p, 400, NULL, "limit must be 1 to %d",
				    STORE_Q_RUN_PAGE_MAX);
			return;
		}
	}
	if (cs) {
		cursor = strtoll(cs, &end, 10);
		if (end == cs || *end || cursor < 0 || cursor > 1000000000) {
			reply_error(p, 400, NULL, "cursor must be a page's "
				    "\"next\" value");
			return;
		}
	}
	if (!(s = store_or_503(q, p)))
		return;
	/* Written into the reply a test at a time (no tree of the page). */
	buf_reset(&p->body);
	switch (store_q_run_page_write(s, id, 0, cursor, limit, &p->body,
				       &err)) {
	case 0:
		p->status = 200;
		p->content_type = "application/json; charset=utf-8";
		break;
	case -2:
		reply_error(p, 500, NULL, "response too large");
		break;
	default:
		answer(p, NULL, &err);
	}
}

void route_repo_quarantine(const struct request *q, struct reply *p)
{
	char repo[512];
	struct err err = ERR_INIT;
	struct store *s;

	if (repo_param(q, p, repo, sizeof(repo)) || !(s = store_or_503(q, p)))
		return;
	answer(p, store_q_quarantine_json(s, repo, (long long)time(NULL), &err),
	       &err);
}
