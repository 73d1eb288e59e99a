/*
 * check.h: the unit-test harness.  CHECK(cond) records a failure with its
 * location and goes on; CHECK_STR compares strings.  check_done() prints
 * "N passed, N failed" for the file and returns the exit status.
 */
#ifndef TESTS_CHECK_H
#define TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond) do { \
	if (cond) { \
		check_passed++; \
	} else { \
		check_failed++; \
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, \
			__LINE__, #cond); \
	} \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	if (g_ && w_ && !strcmp(g_, w_)) { \
		check_passed++; \
	} else { \
		check_failed++; \
		fprintf(stderr, "%s:%d: CHECK_STR failed: %s\n  got:  %s\n" \
			"  want: %s\n", __FILE__, __LINE__, #got, \
			g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
	} \
} while (0)

static inline int check_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
	/* A file that checked nothing proves nothing: it fails. */
	if (!check_passed && !check_failed) {
		printf("%s: no checks ran\n", name);
		return 1;
	}
	return check_failed ? 1 : 0;
}

#endif
