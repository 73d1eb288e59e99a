/*
 * gtest_event.c: a validating scanner for test2json's one-object-per-line
 * events.  It is the hot loop of the collector (hundreds of MB of output in
 * big suites), so it decodes strings in place when they hold no escapes
 * and never allocates per line: decoded strings go to one scratch buffer
 * that is reset for every line.
 */
#include "gtest_event.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

void gtest_parser_release(struct gtest_parser *p)
{
	buf_release(&p->scratch);
}

struct scan {
	const char *p, *end;
	struct gtest_parser *parser;
	int depth;
};

static void skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
				 *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int read_hex4(const char *p, const char *end, unsigned *out)
{
	unsigned v = 0;
	int i, h;

	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		h = hexval(p[i]);
		if (h < 0)
			return -1;
		v = (v << 4) | (unsigned)h;
	}
	*out = v;
	return 0;
}

/*
 * Scans a string starting at the opening quote.  When out is not NULL the
 * decoded value is stored there (in place when there are no escapes).
 * Scratch offsets are used rather than pointers because the scratch buffer
 * may move while later strings of the same line are decoded; the caller
 * resolves them after the whole line is scanned.
 */
struct strref {
	const char *ptr;	/* in-place value, or NULL when in scratch */
	size_t off, len;
};

static int scan_string(struct scan *s, struct strref *out)
{
	const char *start, *p;
	struct buf *sc = &s->parser->scratch;
	size_t off;

	if (s->p >= s->end || *s->p != '"')
		return -1;
	start = ++s->p;
	/* Fast path: find the closing quote; most strings have no escapes. */
	for (p = start; p < s->end; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"' || c == '\\' || c < 0x20)
			break;
	}
	if (p < s->end && *p == '"') {
		if (out) {
			out->ptr = start;
			out->len = (size_t)(p - start);
		}
		s->p = p + 1;
		return 0;
	}
	off = sc->len;
	if (out && buf_add(sc, start, (size_t)(p - start)))
		return -1;
	while (p < s->end) {
		unsigned char c = (unsigned char)*p;
		unsigned cp, lo;
		char e;

		if (c == '"') {
			if (out) {
				out->ptr = NULL;
				out->off = off;
				out->len = sc->len - off;
			}
			s->p = p + 1;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c != '\\') {
			const char *q = p;

			while (q < s->end && *q != '"' && *q != '\\' &&
			       (unsigned char)*q >= 0x20)
				q++;
			if (out && buf_add(sc, p, (size_t)(q - p)))
				return -1;
			p = q;
			continue;
		}
		if (++p >= s->end)
			return -1;
		e = *p++;
		switch (e) {
		case '"': case '\\': case '/':
			cp = (unsigned char)e; break;
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			if (read_hex4(p, s->end, &cp))
				return -1;
			p += 4;
			if (cp >= 0xD800 && cp < 0xDC00) {
				if (s->end - p >= 6 && p[0] == '\\' &&
				    p[1] == 'u' && !read_hex4(p + 2, s->end, &lo) &&
				    lo >= 0xDC00 && lo < 0xE000) {
					cp = 0x10000 + ((cp - 0xD800) << 10) +
					     (lo - 0xDC00);
					p += 6;
				} else {
					cp = 0xFFFD;
				}
			} else if (cp >= 0xDC00 && cp < 0xE000) {
				cp = 0xFFFD;
			}
			break;
		default:
			return -1;
		}
		if (out && utf8_put(sc, cp))
			return -1;
	}
	return -1;
}

static int scan_value(struct scan *s);

static int scan_number(struct scan *s, double *out)
{
	const char *p = s->p, *start = p;
	char tmp[64], *endp;
	size_t n;

	if (p < s->end && *p == '-')
		p++;
	if (p >= s->end)
		return -1;
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	} else {
		return -1;
	}
	if (p < s->end && *p == '.') {
		p++;
		if (p >= s->end || *p < '0' || *p > '9')
			return -1;
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < s->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < s->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= s->end || *p < '0' || *p > '9')
			return -1;
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	}
	s->p = p;
	if (!out)
		return 0;
	n = (size_t)(p - start);
	if (n >= sizeof(tmp)) {
		*out = 0;
		return 0;
	}
	memcpy(tmp, start, n);
	tmp[n] = '\0';
	*out = strtod(tmp, &endp);
	return 0;
}

static int scan_literal(struct scan *s, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n))
		return -1;
	s->p += n;
	return 0;
}

static int scan_container(struct scan *s, char open)
{
	char close = open == '{' ? '}' : ']';

	if (++s->depth > 64)
		return -1;
	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		s->depth--;
		return 0;
	}
	for (;;) {
		if (open == '{') {
			skip_ws(s);
			if (scan_string(s, NULL))
				return -1;
			skip_ws(s);
			if (s->p >= s->end || *s->p++ != ':')
				return -1;
		}
		if (scan_value(s))
			return -1;
		skip_ws(s);
		if (s->p >= s->end)
			return -1;
		if (*s->p == ',') {
			s->p++;
			continue;
		}
		if (*s->p == close) {
			s->p++;
			s->depth--;
			return 0;
		}
		return -1;
	}
}

static int scan_value(struct scan *s)
{
	skip_ws(s);
	if (s->p >= s->end)
		return -1;
	switch (*s->p) {
	case '"': return scan_string(s, NULL);
	case '{': case '[': return scan_container(s, *s->p);
	case 't': return scan_literal(s, "true");
	case 'f': return scan_literal(s, "false");
	case 'n': return scan_literal(s, "null");
	default: return scan_number(s, NULL);
	}
}

enum field {
	F_OTHER, F_ACTION, F_PACKAGE, F_TEST, F_OUTPUT, F_ELAPSED,
	F_IMPORTPATH, F_FAILEDBUILD, F_OUTPUTTYPE,
};

static enum field field_of(const char *k, size_t n)
{
	switch (n) {
	case 4: if (!memcmp(k, "Test", 4)) return F_TEST; break;
	case 6:
		if (!memcmp(k, "Action", 6)) return F_ACTION;
		if (!memcmp(k, "Output", 6)) return F_OUTPUT;
		break;
	case 7:
		if (!memcmp(k, "Package", 7)) return F_PACKAGE;
		if (!memcmp(k, "Elapsed", 7)) return F_ELAPSED;
		break;
	case 10:
		if (!memcmp(k, "ImportPath", 10)) return F_IMPORTPATH;
		if (!memcmp(k, "OutputType", 10)) return F_OUTPUTTYPE;
		break;
	case 11: if (!memcmp(k, "FailedBuild", 11)) return F_FAILEDBUILD; break;
	default: break;
	}
	return F_OTHER;
}

static enum gtest_action action_of(const char *a, size_t n)
{
	static const struct { const char *name; enum gtest_action a; } tab[] = {
		{ "output", GA_OUTPUT }, { "run", GA_RUN }, { "pass", GA_PASS },
		{ "fail", GA_FAIL }, { "skip", GA_SKIP }, { "cont", GA_CONT },
		{ "pause", GA_PAUSE }, { "start", GA_START },
		{ "bench", GA_BENCH }, { "attr", GA_ATTR },
		{ "artifacts", GA_ARTIFACTS },
		{ "build-output", GA_BUILD_OUTPUT },
		{ "build-fail", GA_BUILD_FAIL },
	};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strlen(tab[i].name) == n && !memcmp(tab[i].name, a, n))
			return tab[i].a;
	return GA_UNKNOWN;
}

static void resolve(const struct gtest_parser *p, const struct strref *r,
		    struct gtest_str *out)
{
	out->ptr = r->ptr ? r->ptr : p->scratch.data + r->off;
	out->len = r->len;
}

int gtest_parse_line(struct gtest_parser *parser, const char *line,
		     size_t len, struct gtest_event *ev)
{
	struct scan s = { line, line + len, parser, 0 };
	struct strref refs[9];
	int have[9] = { 0 };
	double elapsed = 0;
	int has_elapsed = 0, i;

	buf_reset(&parser->scratch);
	skip_ws(&s);
	if (s.p >= s.end || *s.p != '{')
		return -1;
	s.p++;
	skip_ws(&s);
	if (s.p < s.end && *s.p == '}') {
		s.p++;
	} else {
		for (;;) {
			struct strref key;
			enum field f;

			skip_ws(&s);
			if (scan_string(&s, &key))
				return -1;
			f = field_of(key.ptr ? key.ptr :
				     parser->scratch.data + key.off, key.len);
			skip_ws(&s);
			if (s.p >= s.end || *s.p++ != ':')
				return -1;
			skip_ws(&s);
			if (f == F_OTHER) {
				if (scan_value(&s))
					return -1;
			} else if (f == F_ELAPSED) {
				if (s.p < s.end && *s.p == 'n') {
					if (scan_literal(&s, "null"))
						return -1;
				} else {
					if (scan_number(&s, &elapsed))
						return -1;
					has_elapsed = 1;
				}
			} else if (s.p < s.end && *s.p == '"') {
				if (scan_string(&s, &refs[f]))
					return -1;
				have[f] = 1;
			} else {
				/* A non-string where a string belongs: valid
				 * JSON, so skip it and treat it as absent. */
				if (scan_value(&s))
					return -1;
				have[f] = 0;
			}
			skip_ws(&s);
			if (s.p >= s.end)
				return -1;
			if (*s.p == ',') {
				s.p++;
				continue;
			}
			if (*s.p++ == '}')
				break;
			return -1;
		}
	}
	skip_ws(&s);
	if (s.p != s.end || !have[F_ACTION])
		return -1;
	memset(ev, 0, sizeof(*ev));
	for (i = F_ACTION; i <= F_OUTPUTTYPE; i++) {
		struct gtest_str *dst = NULL;

		if (!have[i] || i == F_ELAPSED)
			continue;
		switch ((enum field)i) {
		case F_PACKAGE: dst = &ev->package; break;
		case F_TEST: dst = &ev->test; break;
		case F_OUTPUT: dst = &ev->output; break;
		case F_IMPORTPATH: dst = &ev->import_path; break;
		case F_FAILEDBUILD: dst = &ev->failed_build; break;
		case F_OUTPUTTYPE: dst = &ev->output_type; break;
		case F_ACTION: case F_OTHER: case F_ELAPSED: break;
		}
		if (dst)
			resolve(parser, &refs[i], dst);
	}
	{
		struct gtest_str a;

		resolve(parser, &refs[F_ACTION], &a);
		ev->action = action_of(a.ptr, a.len);
	}
	ev->elapsed = elapsed;
	ev->has_elapsed = has_elapsed;
	return 0;
}
