/*
 * sig.c: message normalization for failure signatures (see sig.h).
 */
#include "sig.h"
#include "err.h"
#include "utf8.h"

#include <string.h>

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_word(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '_';
}

/* Length of a Go duration unit at p ("ns", "us", "µs", "ms", "s", "m",
 * "h"), 0 if none.  A unit must not run into a longer word ("5 seconds"
 * is fine, "5sec" is not a duration). */
static size_t dur_unit(const char *p, const char *end)
{
	size_t n = 0;

	if (end - p >= 2 && (!memcmp(p, "ns", 2) || !memcmp(p, "us", 2) ||
			     !memcmp(p, "ms", 2)))
		n = 2;
	else if (end - p >= 3 && !memcmp(p, "\xC2\xB5s", 3))
		n = 3;
	else if (p < end && (*p == 's' || *p == 'm' || *p == 'h'))
		n = 1;
	if (n && p + n < end && is_word(p[n]) && !is_digit(p[n]))
		return 0;
	return n;
}

/* If a duration ("1h2m3.5s", "12.3ms") starts at p, its length; else 0. */
static size_t duration_len(const char *p, const char *end)
{
	const char *q = p;
	int parts = 0;

	while (q < end && is_digit(*q)) {
		const char *r = q;
		size_t u;

		while (r < end && is_digit(*r))
			r++;
		if (r < end && *r == '.') {
			r++;
			while (r < end && is_digit(*r))
				r++;
		}
		u = dur_unit(r, end);
		if (!u)
			break;
		q = r + u;
		parts++;
	}
	return parts ? (size_t)(q - p) : 0;
}

int sig_normalize(struct buf *out, const char *s, size_t n)
{
	const char *p = s, *end = s + n;
	size_t start = out->len;
	int space = 0;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	/* Stop once past SIG_MAX: the rest would be cut anyway, and a
	 * caller's buffer need not hold a whole long message. */
	while (p < end && out->len - start <= SIG_MAX) {
		const char *tok = NULL;
		size_t adv = 0, d;

		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			space = 1;
			p++;
			continue;
		}
		if (space) {
			if (buf_addc(out, ' '))
				goto fail;
			space = 0;
		}
		if (p + 1 < end && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
		    (p == s || !is_word(p[-1]))) {
			const char *q = p + 2;

			while (q < end && is_hex(*q))
				q++;
			tok = "0x?";
			adv = (size_t)(q - p);
		} else if (end - p >= 5 && !memcmp(p, "/tmp/", 5)) {
			const char *q = p;

			while (q < end && *q != ' ' && *q != '\t' &&
			       *q != '\n' && *q != ':' && *q != '"' &&
			       *q != '\'')
				q++;
			tok = "<tmp>";
			adv = (size_t)(q - p);
		} else if (is_digit(*p) && (p == s || !is_word(p[-1]) ||
					    is_digit(p[-1]))) {
			d = duration_len(p, end);
			if (d) {
				tok = "<dur>";
				adv = d;
			} else {
				const char *q = p;

				while (q < end && (is_digit(*q) ||
						   (*q == '.' && q + 1 < end &&
						    is_digit(q[1]))))
					q++;
				tok = "N";
				adv = (size_t)(q - p);
			}
		} else if (is_digit(*p)) {
			/* Digits inside an identifier (func1, sha256) name
			 * things, they do not vary: keep them. */
			const char *q = p;

			while (q < end && is_digit(*q))
				q++;
			if (buf_add(out, p, (size_t)(q - p) <= SIG_MAX ?
				    (size_t)(q - p) : SIG_MAX + 1))
				goto fail;
			p = q;
			continue;
		}
		if (tok) {
			if (buf_adds(out, tok))
				goto fail;
			p += adv;
			continue;
		}
		if (buf_addc(out, *p))
			goto fail;
		p++;
	}
	if (out->len - start > SIG_MAX) {
		size_t cut = start + SIG_MAX;

		while (cut > start && ((unsigned char)out->data[cut] & 0xC0) == 0x80)
			cut--;
		buf_truncate(out, cut);
	}
	return 0;
fail:
	buf_truncate(out, start);
	return -1;
}

char *sig_make(const char *kind, const char *msg, size_t msg_len,
	       const char *file, int line)
{
	struct buf b = BUF_INIT(SIG_TOTAL_MAX + 1);
	size_t flen = file ? utf8_prefix(file, strlen(file), SIG_FILE_MAX) : 0;

	if (buf_addf(&b, "%s: ", kind) || sig_normalize(&b, msg, msg_len) ||
	    (file && buf_addf(&b, " @ %.*s:%d", (int)flen, file, line)))
		BUG("signature exceeds SIG_TOTAL_MAX");
	return buf_detach(&b, NULL);
}
