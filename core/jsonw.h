/*
 * jsonw.h: the one way text becomes a JSON string, in both programs.
 * jansson refuses invalid UTF-8 (json_string() returns NULL, and a NULL
 * value silently drops a key); test names and output may hold any bytes.
 * One policy: every invalid byte becomes U+FFFD, the rest is kept --
 * the same rule utf8_seq() applies everywhere else (core/utf8.h).
 */
#ifndef CORE_JSONW_H
#define CORE_JSONW_H

#include <jansson.h>

/* A new JSON string of s (json null for NULL), never NULL itself. */
json_t *jsonw_str(const char *s);

#endif
