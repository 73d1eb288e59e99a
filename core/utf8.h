/*
 * utf8.h: the UTF-8 helpers every output that carries untrusted text (test
 * names, output) uses to keep what it writes valid.
 */
#ifndef CORE_UTF8_H
#define CORE_UTF8_H

#include "buf.h"

#include <stddef.h>

/* U+FFFD, the replacement for invalid sequences. */
extern const char utf8_replacement[];

/*
 * Length of the valid UTF-8 sequence at s[0..n) (n >= 1), with its code
 * point in *cp (OUT); 0 when s starts an invalid, overlong, surrogate or
 * truncated sequence (*cp is then unmodified).
 */
size_t utf8_seq(const unsigned char *s, size_t n, unsigned long *cp);

/* The longest prefix of s[0..n) of at most max bytes that does not end
 * inside a UTF-8 sequence. */
size_t utf8_prefix(const char *s, size_t n, size_t max);

/* A new copy of s (caller frees) with every invalid byte replaced by
 * U+FFFD, the one repair rule of every output; NULL for NULL. */
char *utf8_dup(const char *s);

/* Appends code point cp as UTF-8; 0, or -1 (b unchanged) past its limit. */
int utf8_put(struct buf *b, unsigned cp) __attribute__((warn_unused_result));

#endif
