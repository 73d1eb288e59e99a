/*
 * upload.h: the collector's upload of a results document to a reporter
 * (POST /api/v1/uploads, docs/API.md): gzip, bearer token, an
 * Idempotency-Key so a retried upload is never stored twice, and retries
 * with exponential backoff and jitter on connection errors, 5xx and 429.
 */
#ifndef CORE_UPLOAD_H
#define CORE_UPLOAD_H

#include "err.h"
#include "results.h"

#include <stddef.h>

struct upload_opts {
	const char *url;		/* reporter base URL, e.g. http://host:8080 */
	const char *token;		/* upload token (FLAKE_TOKEN) */
	const char *idem_key;		/* Idempotency-Key */
	int max_attempts;		/* default 5 */
	long long max_wait_ms;		/* total backoff budget, default 60 s */
	long timeout_s;			/* per attempt, default 60 */
};

/* One test's class in the reporter's answer (docs/GATE.md). */
struct upload_class {
	char *package, *name;
	enum test_class klass;
	int has_base;
	struct base_rate base;
	int earlier_attempt;	/* the test's earlier_attempt there, 0 none */
};

struct upload_result {
	long status;			/* HTTP status of the last attempt */
	int attempts;
	char *body;			/* the response body (caller frees) */
	long long run_id;		/* merged run id, 0 unknown */
	char *run_url;			/* caller frees; NULL when absent */
	char *comment_status;		/* caller frees */
	char *comment_url;		/* the comment the reporter posted;
					 * caller frees; NULL when none */
	char *comment_markdown;		/* the comment to post ourselves */
	int gate;			/* the answer carried the classes */
	struct upload_class *classes;	/* its flaky and failed tests */
	size_t nclasses;
};

void upload_result_release(struct upload_result *u);

/* Sets the class of r's tests named in u's answer (results_set_class()),
 * and the earlier attempt that keeps a passing one flaky; returns how many
 * were set. */
size_t upload_apply_classes(const struct upload_result *u, struct results *r);

/*
 * Uploads doc[0..len).  Returns 0 on a 2xx; -1 with err set otherwise
 * (4xx at once -- retrying cannot help -- or after the last retry).
 * *res is filled in both cases as far as known.
 */
int upload_results(const struct upload_opts *o, const char *doc, size_t len,
		   struct upload_result *res, struct err *err);

#endif
