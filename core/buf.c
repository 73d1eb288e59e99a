/*
 * buf.c: growable, size-limited byte buffer.  See buf.h for invariants.
 */
#include "buf.h"
#include "err.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static char buf_empty[1];

void buf_init(struct buf *b, size_t limit)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->limit = limit;
}

void buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *s = b->data;

	if (len)
		*len = b->len;
	if (!s)
		s = xstrdup("");
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	return s;
}

const char *buf_str(const struct buf *b)
{
	return b->data ? b->data : buf_empty;
}

static int grow(struct buf *b, size_t extra)
{
	size_t need, a;

	if (extra > b->limit - b->len)
		return -1;
	need = b->len + extra + 1;
	if (need <= b->alloc)
		return 0;
	a = b->alloc ? b->alloc : 64;
	while (a < need)
		a = a > ((size_t)-1) / 2 ? need : a * 2;
	if (a > b->limit + 1)
		a = b->limit + 1;
	b->data = xrealloc(b->data, a);
	b->alloc = a;
	return 0;
}

int buf_add(struct buf *b, const void *p, size_t n)
{
	if (grow(b, n))
		return -1;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_addc(struct buf *b, char c)
{
	if (b->len + 1 < b->alloc) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return 0;
	}
	return buf_add(b, &c, 1);
}

int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return -1;
	if (grow(b, (size_t)n))
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vaddf(b, fmt, ap);
	va_end(ap);
	return r;
}

void buf_truncate(struct buf *b, size_t n)
{
	if (n > b->len)
		BUG("buf_truncate past end (%zu > %zu)", n, b->len);
	b->len = n;
	if (b->data)
		b->data[n] = '\0';
}

static int add_escaped(struct buf *b, const char *s, size_t n, int xml)
{
	size_t start = b->len, i;

	for (i = 0; i < n; i++) {
		const char *rep = NULL;
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '&': rep = "&amp;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:
			/* XML 1.0 forbids most control characters even escaped. */
			if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
				rep = xml ? "\xEF\xBF\xBD" : NULL;
			break;
		}
		if (rep ? buf_adds(b, rep) : buf_addc(b, (char)c)) {
			buf_truncate(b, start);
			return -1;
		}
	}
	return 0;
}

int buf_add_html(struct buf *b, const char *s, size_t n)
{
	return add_escaped(b, s, n, 0);
}

int buf_add_xml(struct buf *b, const char *s, size_t n)
{
	return add_escaped(b, s, n, 1);
}

int buf_add_shquote(struct buf *b, const char *s)
{
	size_t start = b->len;

	if (buf_addc(b, '\''))
		return -1;
	for (; *s; s++) {
		if (*s == '\'' ? buf_adds(b, "'\\''") : buf_addc(b, *s)) {
			buf_truncate(b, start);
			return -1;
		}
	}
	if (buf_addc(b, '\'')) {
		buf_truncate(b, start);
		return -1;
	}
	return 0;
}

int buf_getline(struct buf *b, FILE *f)
{
	int c, over = 0;

	buf_reset(b);
	while ((c = getc(f)) != EOF) {
		if (c == '\n')
			break;
		if (!over && buf_addc(b, (char)c))
			over = 1;
	}
	if (ferror(f))
		return -1;
	if (over) {
		errno = EFBIG;
		return -1;
	}
	if (c == EOF && b->len == 0)
		return 0;
	return 1;
}
