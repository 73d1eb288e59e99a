/*
 * gtest_event.h: decode one line of a `go test -json` (test2json) stream
 * into a TestEvent.
 *
 * The decoder is a purpose-built scanner for test2json's flat objects: it
 * accepts any valid JSON object (unknown fields and nested values are
 * skipped after validation), decodes only the fields the aggregator uses,
 * and does not allocate per line.  Strings may contain NUL (\u0000), so
 * every string comes with its length.
 *
 * Invariants: pointers in a decoded event point either into the line or
 * into the parser's scratch storage; both stay valid until the next call
 * with the same parser.  Absent fields have ptr NULL and len 0.
 */
#ifndef CORE_GTEST_EVENT_H
#define CORE_GTEST_EVENT_H

#include "buf.h"

#include <stddef.h>

enum gtest_action {
	GA_UNKNOWN,	/* an action this version does not know: ignored */
	GA_START,
	GA_RUN,
	GA_PAUSE,
	GA_CONT,
	GA_PASS,
	GA_FAIL,
	GA_SKIP,
	GA_BENCH,
	GA_OUTPUT,
	GA_ATTR,
	GA_ARTIFACTS,
	GA_BUILD_OUTPUT,
	GA_BUILD_FAIL,
};

struct gtest_str {
	const char *ptr;
	size_t len;
};

struct gtest_event {
	enum gtest_action action;
	struct gtest_str package;
	struct gtest_str test;
	struct gtest_str output;
	struct gtest_str import_path;	/* build events (1.24+) */
	struct gtest_str failed_build;	/* package fail after build failure */
	struct gtest_str output_type;	/* "", "frame", "error", ... (tip) */
	double elapsed;
	int has_elapsed;
};

struct gtest_parser {
	struct buf scratch;	/* decoded strings with escapes */
};

#define GTEST_PARSER_INIT { BUF_INIT(64u << 20) }

void gtest_parser_release(struct gtest_parser *p);

/*
 * Decodes line[0..len) (no trailing newline needed; a trailing "\r" or
 * spaces are allowed).  Returns 0 and fills *ev when the line is a JSON
 * object with a string "Action"; -1 when it is not (a raw text line such
 * as "FAIL\tpkg [build failed]"), leaving *ev unspecified.
 */
int gtest_parse_line(struct gtest_parser *p, const char *line, size_t len,
		     struct gtest_event *ev);

#endif
