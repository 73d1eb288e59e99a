/*
 * fuzz_json_pull.c: jp_skip() + jp_end() over arbitrary bytes, then a
 * generic walk of the same text with the typed readers (jp_object/jp_key,
 * jp_array/jp_elem, jp_string, jp_real ...).  Both must agree on whether
 * the text is one valid JSON value, and an error must stick.
 */
#include "core/json_pull.h"
#include "fuzz/fuzz_util.h"

#include <string.h>

static int walk(struct jpull *j, int depth)
{
	const char *s;
	size_t n;
	int b, r;

	switch (jp_peek(j)) {
	case JP_OBJECT:
		if (jp_object(j))
			return -1;
		while ((r = jp_key(j, &s, &n)) > 0) {
			FUZZ_CHECK(s && s[n] == '\0');
			FUZZ_CHECK(fuzz_utf8_valid((const unsigned char *)s, n));
			if (walk(j, depth + 1))
				return -1;
		}
		return r;
	case JP_ARRAY:
		if (jp_array(j))
			return -1;
		while ((r = jp_elem(j)) > 0)
			if (walk(j, depth + 1))
				return -1;
		return r;
	case JP_STRING:
		if (jp_string(j, &s, &n))
			return -1;
		FUZZ_CHECK(s && s[n] == '\0');
		FUZZ_CHECK(fuzz_utf8_valid((const unsigned char *)s, n));
		return 0;
	case JP_NUMBER:
		/* jp_real() refuses valid numbers out of a double's range or
		 * over 63 bytes (a reader's limit), so syntax only here. */
		return jp_skip(j);
	case JP_BOOL:
		return jp_bool(j, &b);
	case JP_NULL:
		return jp_null(j) == 1 ? 0 : -1;
	case JP_ERROR:
	default:
		return -1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	struct jpull j;
	int ok_skip, ok_walk, r;

	FUZZ_CHECK(text);
	memcpy(text, data, size);

	jp_init(&j, text, size);
	ok_skip = jp_skip(&j) == 0 && jp_end(&j) == 0;
	FUZZ_CHECK(ok_skip == (jp_error(&j) == NULL));
	if (!ok_skip) {
		/* The first error sticks. */
		FUZZ_CHECK(jp_skip(&j) == -1);
		FUZZ_CHECK(jp_error(&j) != NULL);
	}
	jp_release(&j);

	jp_init(&j, text, size);
	r = walk(&j, 0);
	ok_walk = r == 0 && jp_end(&j) == 0;
	jp_release(&j);
	FUZZ_CHECK(ok_skip == ok_walk);

	free(text);
	return 0;
}
