/*
 * json_pull.h: a pull parser for a JSON text in memory.  The caller asks
 * for what it expects next (an object's keys, an array's elements, a
 * string, a number) and values it does not want are skipped; nothing is
 * built, so memory does not grow with the document.
 *
 * Strict RFC 8259: strings must be valid UTF-8 with valid escapes,
 * numbers well-formed, nesting at most JP_MAX_DEPTH.  The first error
 * sticks: every later call fails, and jp_error() says what and where.
 *
 * Lifecycle:
 *   1. struct jpull j; jp_init(&j, text, len);
 *   2. jp_object(&j), then while ((r = jp_key(&j, &k, &kn)) > 0) read the
 *      value; jp_array() / jp_elem() likewise; jp_string(), jp_int(),
 *      jp_real(), jp_bool(), jp_null(), jp_skip() read one value;
 *   3. jp_end(&j) checks that only white space follows;
 *   4. jp_release(&j).
 */
#ifndef CORE_JSON_PULL_H
#define CORE_JSON_PULL_H

#include "buf.h"

#include <stddef.h>

#define JP_MAX_DEPTH 64

enum jp_type {
	JP_ERROR, JP_OBJECT, JP_ARRAY, JP_STRING, JP_NUMBER, JP_BOOL, JP_NULL,
};

struct jpull {
	const char *start, *p, *end;
	int depth;
	int first;		/* no element read yet in the current container */
	int failed;
	struct buf str;		/* the last decoded string */
	char msg[160];
};

void jp_init(struct jpull *j, const char *text, size_t len);
void jp_release(struct jpull *j);

/* The type of the next value, without consuming it (JP_ERROR at a
 * syntax error or the end). */
enum jp_type jp_peek(struct jpull *j);

/* Consumes '{' / '['; 0, or -1 when the next value is not one. */
int jp_object(struct jpull *j);
int jp_array(struct jpull *j);

/*
 * The next key of the current object: 1 with *key and *klen (borrowed until
 * the next string is read) and the ':' consumed; 0 at the closing '}'
 * (consumed); -1 on error.
 */
int jp_key(struct jpull *j, const char **key, size_t *klen);

/* 1 when another element of the current array follows; 0 at the closing
 * ']' (consumed); -1 on error. */
int jp_elem(struct jpull *j);

/* Reads a string (decoded, NUL-terminated; may contain NUL bytes: use
 * *len); borrowed until the next string is read.  0, or -1. */
int jp_string(struct jpull *j, const char **s, size_t *len);
/* A number that is an integer (no fraction or exponent) in range. */
int jp_int(struct jpull *j, long long *v);
/* 0; -1 a syntax error; -2 a valid number of 64 characters or more,
 * *v not written: every caller must treat it as an error. */
int jp_real(struct jpull *j, double *v);
int jp_bool(struct jpull *j, int *v);
/* Consumes null: 1; 0 when the next value is not null (nothing read). */
int jp_null(struct jpull *j);
/* Skips any value. */
int jp_skip(struct jpull *j);
/* 0 when only white space remains. */
int jp_end(struct jpull *j);

/* "malformed JSON at byte 123: expected ':'", or NULL when no error. */
const char *jp_error(const struct jpull *j);

/* Sets the error (first wins) and returns -1. */
int jp_fail(struct jpull *j, const char *what);

#endif
