/*
 * err.h: how core/ reports a failure the user must see.
 *
 * A function that can fail takes a `struct err *err` (may be NULL) and
 * returns 0 on success, -1 on failure.  On failure it fills err->msg with a
 * one-line message in git's style ("cannot open 'x': No such file"); on
 * success err is left untouched, so calls chain and the first failure wins
 * only if the caller stops at it.  Only main() prints errors.
 */
#ifndef CORE_ERR_H
#define CORE_ERR_H

#include <stddef.h>

struct err {
	char msg[512];
};

#define ERR_INIT { { 0 } }

/*
 * Format a message into err (if err is not NULL) and return -1, so that
 * `return err_set(err, "...")` reads naturally.
 */
int err_set(struct err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Like err_set, with ": strerror(errno)" appended. */
int err_sys(struct err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * BUG() checks an invariant; it is never compiled out.  It prints the
 * location and aborts: a BUG is a defect in this program, never bad input.
 */
#define BUG(...) bug_fl(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void bug_fl(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Allocation that cannot fail: out of memory aborts with a message. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grow *p (an array of *alloc elements of size `size`) to hold at least n. */
void xgrow(void **p, size_t *alloc, size_t n, size_t size);
#define FREE_AND_NULL(p) do { free(p); (p) = NULL; } while (0)

#endif
