/*
 * fuzz_util.h: helpers shared by the libFuzzer targets in fuzz/fuzz_*.c.
 *
 * The checks here are deliberately independent of core/ (a fuzzer that
 * validated UTF-8 with core/utf8.c could not catch a bug in it).  A broken
 * invariant calls FUZZ_CHECK(), which aborts so libFuzzer saves the input.
 */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: invariant failed: %s\n", \
			__FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 when s[0..n) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
static inline int fuzz_utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		unsigned long cp;
		size_t k, len;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2;
			cp = c & 0x1Fu;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			cp = c & 0x0Fu;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			cp = c & 0x07u;
		} else {
			return 0;
		}
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3Fu);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			return 0;
		i += len;
	}
	return 1;
}

/*
 * 1 when every '&' in s[0..n) starts an entity: &name; &#123; or &#x1F;
 * (so escaped output cannot smuggle a raw '&' that changes meaning).
 */
static inline int fuzz_entities_ok(const char *s, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (s[i] != '&')
			continue;
		j = i + 1;
		if (j < n && s[j] == '#') {
			j++;
			if (j < n && (s[j] == 'x' || s[j] == 'X'))
				j++;
			while (j < n && ((s[j] >= '0' && s[j] <= '9') ||
					 (s[j] >= 'a' && s[j] <= 'f') ||
					 (s[j] >= 'A' && s[j] <= 'F')))
				j++;
		} else {
			while (j < n && s[j] >= 'a' && s[j] <= 'z')
				j++;
		}
		if (j == i + 1 || j >= n || s[j] != ';')
			return 0;
	}
	return 1;
}

#endif
