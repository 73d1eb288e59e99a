/*
 * utf8.c: UTF-8 validation helpers (see utf8.h).
 */
#include "utf8.h"
#include "err.h"

#include <string.h>

const char utf8_replacement[] = "\xEF\xBF\xBD";

/*
 * Length of the valid UTF-8 sequence at s[0..n) (n >= 1), with its code
 * point in *cp; 0 when s starts an invalid, overlong or truncated sequence.
 */
size_t utf8_seq(const unsigned char *s, size_t n, unsigned long *cp)
{
	unsigned long c;
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] < 0xC2)
		return 0;
	if (s[0] < 0xE0) {
		len = 2;
		c = s[0] & 0x1Fu;
	} else if (s[0] < 0xF0) {
		len = 3;
		c = s[0] & 0x0Fu;
	} else if (s[0] < 0xF5) {
		len = 4;
		c = s[0] & 0x07u;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3Fu);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* The longest prefix of s[0..n) of at most max bytes not ending inside a
 * UTF-8 sequence. */
size_t utf8_prefix(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

int utf8_put(struct buf *b, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return buf_add(b, u, n);
}

char *utf8_dup(const char *s)
{
	struct buf b = BUF_INIT((size_t)-2);
	const unsigned char *u = (const unsigned char *)s;
	size_t n, i = 0;
	unsigned long cp;
	char *ret;

	if (!s)
		return NULL;
	n = strlen(s);
	while (i < n) {
		size_t k = utf8_seq(u + i, n - i, &cp);

		if (k ? buf_add(&b, s + i, k) : buf_adds(&b, utf8_replacement))
			BUG("utf-8 repair of %zu bytes", n);
		i += k ? k : 1;
	}
	ret = xstrdup(buf_str(&b));
	buf_release(&b);
	return ret;
}
