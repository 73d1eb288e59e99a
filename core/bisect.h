/*
 * bisect.h: naming the test an order-dependent failure depends on.
 *
 * A test that failed under -shuffle, in some orders and not others, may
 * fail only when some other test ran before it ("TestLookup fails after
 * TestReset").  Go's -shuffle permutes every test of the binary and -run
 * then filters them, so with the failing seed any subset of the tests
 * runs in the same relative order as the whole package did.  That makes
 * the order bisectable: bisect_order() finds, with a caller's probe, the
 * one earlier test whose presence makes the target fail.
 *
 *   1. The target alone (its seed): if it fails, it is not about order.
 *   2. The whole package: it must fail again; the tests that ran before
 *      the target are the suspects.
 *   3. Halve the suspects while one half, with the target, still fails.
 *   4. Confirm the last suspect and the target fail together.
 * Each check is a probe repeated up to `tries` times ("fails" when one
 * does), so a failure that is also a little flaky is still followed.
 */
#ifndef CORE_BISECT_H
#define CORE_BISECT_H

#include "err.h"

#include <stddef.h>

/*
 * One probe: run the binary with the failing seed and -run matching
 * exactly the n top-level tests names (n == 0: all of them).  Sets
 * *failed when the target failed; when order is not NULL, also the
 * top-level tests in the order they ran (*order: new array of new
 * strings, *norder entries; the caller frees both with bisect_free()).
 * Returns 0, or -1 with err set when the binary could not be run.
 */
typedef int (*bisect_probe_fn)(void *ctx, const char *const *names,
			       size_t n, int *failed, char ***order,
			       size_t *norder, struct err *err);

struct bisect_result {
	char *culprit;		/* new string, or NULL: not found */
	const char *why;	/* static: why not found, or NULL */
	int probes;		/* probes run */
};

/*
 * Bisects target's order dependency with probe (ctx passed along), at
 * most max_probes probes.  Returns 0 with *out filled (found or not), or
 * -1 with err set when a probe failed to run.  Release with
 * bisect_result_release().
 */
int bisect_order(const char *target, bisect_probe_fn probe, void *ctx,
		 int tries, int max_probes, struct bisect_result *out,
		 struct err *err);

void bisect_result_release(struct bisect_result *r);

/* Frees an order list of a probe. */
void bisect_free(char **order, size_t n);

#endif
