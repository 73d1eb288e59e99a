/*
 * test_bisect.c: bisect_order() against a simulated package: a fixed
 * shuffled order of 9 tests, -run as a set filter (the relative order is
 * kept, as Go's -shuffle does), and a rule for when the target fails.
 */
#include "core/bisect.h"
#include "tests/unit/check.h"

#include <stdlib.h>
#include <string.h>

static const char *const ORDER[] = { "TestA", "TestB", "TestReset",
	"TestC", "TestD", "TestE", "TestLookup", "TestF", "TestG" };
#define N (sizeof(ORDER) / sizeof(ORDER[0]))

enum rule { NEEDS_RESET, ALWAYS, NEEDS_TWO, NEVER };

struct sim {
	enum rule rule;
	int flaky;	/* fail only every second time the rule says so */
	int calls, says;
};

static int in(const char *const *names, size_t n, const char *s)
{
	size_t i;

	if (!n)
		return 1;
	for (i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return 1;
	return 0;
}

static int probe(void *ctx, const char *const *names, size_t n, int *failed,
		 char ***order, size_t *norder, struct err *err)
{
	struct sim *s = ctx;
	int reset = 0, c = 0, e = 0, f = 0;
	size_t i, k = 0;

	(void)err;
	s->calls++;
	if (order)
		*order = xcalloc(N, sizeof(**order));
	for (i = 0; i < N; i++) {
		if (!in(names, n, ORDER[i]))
			continue;
		if (order)
			(*order)[k++] = xstrdup(ORDER[i]);
		if (!strcmp(ORDER[i], "TestLookup")) {
			switch (s->rule) {
			case NEEDS_RESET: f = reset; break;
			case ALWAYS: f = 1; break;
			case NEEDS_TWO: f = c && e; break;
			case NEVER: f = 0; break;
			}
		}
		reset |= !strcmp(ORDER[i], "TestReset");
		c |= !strcmp(ORDER[i], "TestC");
		e |= !strcmp(ORDER[i], "TestE");
	}
	if (f && s->flaky)
		f = s->says++ % 2;
	if (norder)
		*norder = k;
	*failed = f;
	return 0;
}

int main(void)
{
	struct bisect_result r;
	struct err err = ERR_INIT;
	struct sim s;

	memset(&s, 0, sizeof(s));
	s.rule = NEEDS_RESET;
	CHECK(bisect_order("TestLookup", probe, &s, 1, 30, &r, &err) == 0);
	CHECK(r.culprit && !strcmp(r.culprit, "TestReset"));
	/* alone, whole, then halving 6 suspects: 3, 2, 1 (+ the other half
	 * at most once per step), then the pair */
	CHECK(r.probes <= 2 + 2 * 3 + 1);
	CHECK(r.probes == s.calls);
	bisect_result_release(&r);

	/* Failing only every second time: found with 2 tries per check. */
	memset(&s, 0, sizeof(s));
	s.rule = NEEDS_RESET;
	s.flaky = 1;
	CHECK(bisect_order("TestLookup", probe, &s, 2, 40, &r, &err) == 0);
	CHECK(r.culprit && !strcmp(r.culprit, "TestReset"));
	bisect_result_release(&r);

	memset(&s, 0, sizeof(s));
	s.rule = ALWAYS;
	CHECK(bisect_order("TestLookup", probe, &s, 2, 30, &r, &err) == 0);
	CHECK(!r.culprit && r.why && strstr(r.why, "alone"));
	CHECK(r.probes == 1);
	bisect_result_release(&r);

	memset(&s, 0, sizeof(s));
	s.rule = NEEDS_TWO;
	CHECK(bisect_order("TestLookup", probe, &s, 1, 30, &r, &err) == 0);
	CHECK(!r.culprit && r.why && strstr(r.why, "more than one"));
	bisect_result_release(&r);

	memset(&s, 0, sizeof(s));
	s.rule = NEVER;
	CHECK(bisect_order("TestLookup", probe, &s, 3, 30, &r, &err) == 0);
	CHECK(!r.culprit && r.why && strstr(r.why, "did not fail again"));
	CHECK(r.probes == 6);
	bisect_result_release(&r);

	/* The probe budget is a hard bound. */
	memset(&s, 0, sizeof(s));
	s.rule = NEEDS_RESET;
	CHECK(bisect_order("TestLookup", probe, &s, 1, 3, &r, &err) == 0);
	CHECK(!r.culprit && r.why && strstr(r.why, "probes"));
	CHECK(s.calls <= 3);
	bisect_result_release(&r);
	return check_done("test_bisect");
}
