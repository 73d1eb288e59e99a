/*
 * bisect.c: order-dependency bisection (see bisect.h).
 */
#include "bisect.h"

#include <stdlib.h>
#include <string.h>

void bisect_free(char **order, size_t n)
{
	size_t i;

	for (i = 0; order && i < n; i++)
		free(order[i]);
	free(order);
}

void bisect_result_release(struct bisect_result *r)
{
	free(r->culprit);
	memset(r, 0, sizeof(*r));
}

struct ctx {
	const char *target;
	bisect_probe_fn probe;
	void *pctx;
	int tries, left;
	struct bisect_result *out;
};

/*
 * 1 when the target fails with these tests (and itself) in up to
 * c->tries probes, 0 when it never did, -1 on error or when out of
 * probes (then c->out->why is set).
 */
static int fails(struct ctx *c, const char *const *set, size_t n,
		 struct err *err)
{
	const char **names = xcalloc(n + 1, sizeof(*names));
	int k, failed = 0, rc = 0;

	if (n)
		memcpy(names, set, n * sizeof(*names));
	names[n] = c->target;
	for (k = 0; k < c->tries && !failed; k++) {
		if (c->left-- <= 0) {
			c->out->why = "ran out of probes";
			rc = -1;
			break;
		}
		c->out->probes++;
		if (c->probe(c->pctx, names, n + 1, &failed, NULL, NULL, err)) {
			rc = -2;
			break;
		}
	}
	free(names);
	return rc < 0 ? rc : failed;
}

int bisect_order(const char *target, bisect_probe_fn probe, void *ctx,
		 int tries, int max_probes, struct bisect_result *out,
		 struct err *err)
{
	struct ctx c = { target, probe, ctx, tries > 0 ? tries : 1,
			 max_probes, out };
	char **order = NULL;
	size_t norder = 0, i, lo, hi;
	const char **sus = NULL;
	int rc, failed = 0, k;

	memset(out, 0, sizeof(*out));
	/* 1. Alone. */
	rc = fails(&c, NULL, 0, err);
	if (rc == -2)
		return -1;
	if (rc < 0)
		return 0;
	if (rc) {
		out->why = "it fails when run alone with its seed";
		return 0;
	}
	/* 2. The whole package, for the order. */
	for (k = 0; k < c.tries && !failed; k++) {
		if (c.left-- <= 0) {
			out->why = "ran out of probes";
			return 0;
		}
		bisect_free(order, norder);
		order = NULL;
		norder = 0;
		out->probes++;
		if (probe(ctx, NULL, 0, &failed, &order, &norder, err))
			return -1;
	}
	if (!failed) {
		out->why = "the whole package with its seed did not fail again";
		goto done;
	}
	for (i = 0; i < norder && strcmp(order[i], target); i++)
		;
	if (i == norder) {
		out->why = "it did not run in the whole package";
		goto done;
	}
	if (!i) {
		out->why = "it failed running first";
		goto done;
	}
	/* 3. Halve the suspects: the tests that ran before it. */
	sus = xcalloc(i, sizeof(*sus));
	for (lo = 0; lo < i; lo++)
		sus[lo] = order[lo];
	lo = 0;
	hi = i;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		rc = fails(&c, sus + lo, mid - lo, err);
		if (rc == 1) {
			hi = mid;
			continue;
		}
		if (rc == 0)
			rc = fails(&c, sus + mid, hi - mid, err);
		if (rc == 1) {
			lo = mid;
			continue;
		}
		if (rc == -2)
			goto error;
		if (rc == 0)
			out->why = "it needs more than one of the tests before it";
		goto done;
	}
	/* 4. The pair. */
	rc = fails(&c, sus + lo, 1, err);
	if (rc == -2)
		goto error;
	if (rc == 1)
		out->culprit = xstrdup(sus[lo]);
	else if (rc == 0)
		out->why = "the last suspect and it did not fail together";
done:
	free(sus);
	bisect_free(order, norder);
	return 0;
error:
	free(sus);
	bisect_free(order, norder);
	return -1;
}
