/*
 * json_pull.c: strict JSON pull parsing over a buffer (see json_pull.h).
 *
 * Container state is implicit: the caller's loops over jp_key()/jp_elem()
 * mirror the nesting, and `first` says whether a ',' must precede the next
 * member.  After a value is read, `first` is 0 for the enclosing
 * container; opening a container sets it to 1.
 */
#include "json_pull.h"
#include "utf8.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jp_init(struct jpull *j, const char *text, size_t len)
{
	memset(j, 0, sizeof(*j));
	j->start = j->p = text;
	j->end = text + len;
	buf_init(&j->str, (size_t)1 << 30);
}

void jp_release(struct jpull *j)
{
	buf_release(&j->str);
}

int jp_fail(struct jpull *j, const char *what)
{
	if (!j->failed) {
		j->failed = 1;
		snprintf(j->msg, sizeof(j->msg), "malformed JSON at byte %zu: %s",
			 (size_t)(j->p - j->start), what);
	}
	return -1;
}

const char *jp_error(const struct jpull *j)
{
	return j->failed ? j->msg : NULL;
}

static void ws(struct jpull *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
				 *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

enum jp_type jp_peek(struct jpull *j)
{
	if (j->failed)
		return JP_ERROR;
	ws(j);
	if (j->p >= j->end)
		return JP_ERROR;
	switch (*j->p) {
	case '{': return JP_OBJECT;
	case '[': return JP_ARRAY;
	case '"': return JP_STRING;
	case 't': case 'f': return JP_BOOL;
	case 'n': return JP_NULL;
	default:
		if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
			return JP_NUMBER;
		return JP_ERROR;
	}
}

static int open(struct jpull *j, char c)
{
	if (jp_peek(j) == JP_ERROR || *j->p != c)
		return jp_fail(j, c == '{' ? "expected an object" :
			       "expected an array");
	if (++j->depth > JP_MAX_DEPTH)
		return jp_fail(j, "nested too deeply");
	j->p++;
	j->first = 1;
	return 0;
}

int jp_object(struct jpull *j)
{
	return open(j, '{');
}

int jp_array(struct jpull *j)
{
	return open(j, '[');
}

/* Before a member: the closing bracket (returns 0), or a ',' unless it
 * is the first member (returns 1). */
static int member(struct jpull *j, char close)
{
	if (j->failed)
		return -1;
	ws(j);
	if (j->p >= j->end)
		return jp_fail(j, "unexpected end");
	if (*j->p == close) {
		j->p++;
		j->depth--;
		j->first = 0;
		return 0;
	}
	if (!j->first) {
		if (*j->p != ',')
			return jp_fail(j, "expected ',' or a closing bracket");
		j->p++;
		ws(j);
	}
	j->first = 0;
	return 1;
}

int jp_key(struct jpull *j, const char **key, size_t *klen)
{
	int r = member(j, '}');

	if (r <= 0)
		return r;
	if (jp_string(j, key, klen))
		return -1;
	ws(j);
	if (j->p >= j->end || *j->p != ':')
		return jp_fail(j, "expected ':'");
	j->p++;
	return 1;
}

int jp_elem(struct jpull *j)
{
	return member(j, ']');
}

static int hex4(const char *p, unsigned *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		char c = p[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -1;
		*v = (*v << 4) | d;
	}
	return 0;
}

int jp_string(struct jpull *j, const char **s, size_t *len)
{
	const char *p;

	if (jp_peek(j) != JP_STRING)
		return jp_fail(j, "expected a string");
	p = ++j->p;
	buf_reset(&j->str);
	for (;;) {
		const char *q = p;
		unsigned char c;

		/* Plain bytes in one go. */
		while (q < j->end && (unsigned char)*q >= 0x20 && *q != '"' &&
		       *q != '\\' && (unsigned char)*q < 0x80)
			q++;
		if (q > p && buf_add(&j->str, p, (size_t)(q - p)))
			return jp_fail(j, "string too long");
		p = q;
		if (p >= j->end) {
			j->p = p;
			return jp_fail(j, "unterminated string");
		}
		c = (unsigned char)*p;
		if (c == '"')
			break;
		if (c < 0x20) {
			j->p = p;
			return jp_fail(j, "control character in a string");
		}
		if (c >= 0x80) {
			unsigned long cp;
			size_t n = utf8_seq((const unsigned char *)p,
					    (size_t)(j->end - p), &cp);

			if (!n) {
				j->p = p;
				return jp_fail(j, "invalid UTF-8 in a string");
			}
			if (buf_add(&j->str, p, n))
				return jp_fail(j, "string too long");
			p += n;
			continue;
		}
		/* A backslash escape. */
		if (j->end - p < 2) {
			j->p = p;
			return jp_fail(j, "unterminated escape");
		}
		{
			char e = p[1];
			unsigned cp, lo;
			int r = 0;

			p += 2;
			switch (e) {
			case '"': case '\\': case '/':
				r = buf_addc(&j->str, e);
				break;
			case 'b': r = buf_addc(&j->str, '\b'); break;
			case 'f': r = buf_addc(&j->str, '\f'); break;
			case 'n': r = buf_addc(&j->str, '\n'); break;
			case 'r': r = buf_addc(&j->str, '\r'); break;
			case 't': r = buf_addc(&j->str, '\t'); break;
			case 'u':
				if (j->end - p < 4 || hex4(p, &cp)) {
					j->p = p;
					return jp_fail(j, "bad \\u escape");
				}
				p += 4;
				if (cp >= 0xD800 && cp < 0xDC00) {
					if (j->end - p < 6 || p[0] != '\\' ||
					    p[1] != 'u' || hex4(p + 2, &lo) ||
					    lo < 0xDC00 || lo >= 0xE000) {
						j->p = p;
						return jp_fail(j, "unpaired surrogate");
					}
					cp = 0x10000 + ((cp - 0xD800) << 10) +
					     (lo - 0xDC00);
					p += 6;
				} else if (cp >= 0xDC00 && cp < 0xE000) {
					j->p = p;
					return jp_fail(j, "unpaired surrogate");
				}
				r = utf8_put(&j->str, cp);
				break;
			default:
				j->p = p - 1;
				return jp_fail(j, "bad escape");
			}
			if (r)
				return jp_fail(j, "string too long");
		}
	}
	j->p = p + 1;
	j->first = 0;
	*s = buf_str(&j->str);
	*len = j->str.len;
	return 0;
}

/* Scans a number; *is_int when it has no fraction or exponent. */
static int number(struct jpull *j, const char **start, int *is_int)
{
	const char *p = j->p;

	*start = p;
	*is_int = 1;
	if (p < j->end && *p == '-')
		p++;
	if (p >= j->end)
		return jp_fail(j, "bad number");
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (p < j->end && *p >= '0' && *p <= '9')
			p++;
	else
		return jp_fail(j, "bad number");
	if (p < j->end && *p == '.') {
		*is_int = 0;
		p++;
		if (p >= j->end || *p < '0' || *p > '9')
			return jp_fail(j, "bad number");
		while (p < j->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < j->end && (*p == 'e' || *p == 'E')) {
		*is_int = 0;
		p++;
		if (p < j->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= j->end || *p < '0' || *p > '9')
			return jp_fail(j, "bad number");
		while (p < j->end && *p >= '0' && *p <= '9')
			p++;
	}
	j->p = p;
	j->first = 0;
	return 0;
}

int jp_int(struct jpull *j, long long *v)
{
	const char *s;
	char tmp[32];
	int is_int;
	size_t n;
	char *end;

	if (jp_peek(j) != JP_NUMBER)
		return jp_fail(j, "expected a number");
	if (number(j, &s, &is_int))
		return -1;
	n = (size_t)(j->p - s);
	if (!is_int || n >= sizeof(tmp))
		return -2;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	*v = strtoll(tmp, &end, 10);
	return errno ? -2 : 0;
}

int jp_real(struct jpull *j, double *v)
{
	const char *s;
	char tmp[64];
	int is_int;
	size_t n;

	if (jp_peek(j) != JP_NUMBER)
		return jp_fail(j, "expected a number");
	if (number(j, &s, &is_int))
		return -1;
	n = (size_t)(j->p - s);
	if (n >= sizeof(tmp))
		return -2;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	*v = strtod(tmp, NULL);
	return 0;
}

static int literal(struct jpull *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n))
		return jp_fail(j, "bad literal");
	j->p += n;
	j->first = 0;
	return 0;
}

int jp_bool(struct jpull *j, int *v)
{
	if (jp_peek(j) != JP_BOOL)
		return jp_fail(j, "expected true or false");
	*v = *j->p == 't';
	return literal(j, *v ? "true" : "false");
}

int jp_null(struct jpull *j)
{
	if (jp_peek(j) != JP_NULL)
		return 0;
	return literal(j, "null") ? -1 : 1;
}

int jp_skip(struct jpull *j)
{
	const char *s;
	size_t n;
	int is_int, r, b;
	long long v;

	switch (jp_peek(j)) {
	case JP_OBJECT:
		if (jp_object(j))
			return -1;
		while ((r = jp_key(j, &s, &n)) > 0)
			if (jp_skip(j))
				return -1;
		return r;
	case JP_ARRAY:
		if (jp_array(j))
			return -1;
		while ((r = jp_elem(j)) > 0)
			if (jp_skip(j))
				return -1;
		return r;
	case JP_STRING:
		return jp_string(j, &s, &n);
	case JP_NUMBER:
		(void)v;
		return number(j, &s, &is_int);
	case JP_BOOL:
		return jp_bool(j, &b);
	case JP_NULL:
		return jp_null(j) == 1 ? 0 : -1;
	case JP_ERROR:
		break;
	}
	return jp_fail(j, j->p >= j->end ? "unexpected end" : "expected a value");
}

int jp_end(struct jpull *j)
{
	if (j->failed)
		return -1;
	ws(j);
	if (j->p != j->end)
		return jp_fail(j, "trailing characters after the document");
	return 0;
}
