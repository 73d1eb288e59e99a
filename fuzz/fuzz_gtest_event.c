/*
 * fuzz_gtest_event.c: gtest_parse_line() on arbitrary bytes -- one line of
 * a `go test -json` stream.  Beyond memory safety, checks the header's
 * invariants: a decoded event's strings lie inside the line or the
 * parser's scratch storage, and the parser is reusable across lines.
 */
#include "core/gtest_event.h"
#include "fuzz/fuzz_util.h"

#include <string.h>

static void check_str(const struct gtest_parser *p, const char *line,
		      size_t len, const struct gtest_str *s)
{
	const char *sc = p->scratch.data;

	if (!s->ptr) {
		FUZZ_CHECK(s->len == 0);
		return;
	}
	if (s->ptr >= line && s->ptr <= line + len) {
		FUZZ_CHECK(s->len <= (size_t)(line + len - s->ptr));
		return;
	}
	FUZZ_CHECK(sc && s->ptr >= sc && s->ptr <= sc + p->scratch.len);
	FUZZ_CHECK(s->len <= (size_t)(sc + p->scratch.len - s->ptr));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gtest_parser p = GTEST_PARSER_INIT;
	struct gtest_event ev;
	/* An exact-size copy, so ASan sees any read past the line's end. */
	char *line = malloc(size ? size : 1);
	const char *nl;
	size_t off = 0;

	FUZZ_CHECK(line);
	memcpy(line, data, size);
	/* The whole input as one line, then each "\n"-separated line. */
	if (gtest_parse_line(&p, line, size, &ev) == 0) {
		check_str(&p, line, size, &ev.package);
		check_str(&p, line, size, &ev.test);
		check_str(&p, line, size, &ev.output);
		check_str(&p, line, size, &ev.import_path);
		check_str(&p, line, size, &ev.failed_build);
		check_str(&p, line, size, &ev.output_type);
	}
	while (off < size) {
		size_t n;

		nl = memchr(line + off, '\n', size - off);
		n = nl ? (size_t)(nl - (line + off)) : size - off;
		if (gtest_parse_line(&p, line + off, n, &ev) == 0)
			check_str(&p, line + off, n, &ev.output);
		off += n + 1;
	}
	free(line);
	return 0;
}
