/*
 * buf.h: the one growable byte buffer (git's strbuf, curl's dynbuf).
 *
 * Invariants: data is NULL or NUL-terminated at data[len]; len <= limit;
 * every append either succeeds whole or leaves the buffer unchanged and
 * returns -1 (the size limit, set at init, was reached).  A buffer may hold
 * NUL bytes; len is authoritative.
 *
 * Lifecycle:
 *   1. struct buf b = BUF_INIT(1 << 20);   (limit in bytes)
 *   2. buf_add*() as needed; check the result.
 *   3. buf_reset(&b) to reuse, buf_detach(&b) to take the string, or
 *      buf_release(&b) to free it.
 */
#ifndef CORE_BUF_H
#define CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#define BUF_WUR __attribute__((warn_unused_result))

struct buf {
	char *data;
	size_t len;
	size_t alloc;
	size_t limit;
};

#define BUF_INIT(lim) { NULL, 0, 0, (lim) }

void buf_init(struct buf *b, size_t limit);
/* Frees the storage; the buffer is empty and reusable afterwards. */
void buf_release(struct buf *b);
/* Empties the buffer, keeping its storage. */
void buf_reset(struct buf *b);
/*
 * Returns the contents as a malloc'd NUL-terminated string owned by the
 * caller (never NULL; "" for an empty buffer) and empties the buffer.
 */
char *buf_detach(struct buf *b, size_t *len);
/* Borrowed NUL-terminated view, valid until the next change ("" if empty). */
const char *buf_str(const struct buf *b);

/* Appends; 0 on success, -1 (buffer unchanged) past the limit. */
int buf_add(struct buf *b, const void *p, size_t n) BUF_WUR;
int buf_adds(struct buf *b, const char *s) BUF_WUR;
int buf_addc(struct buf *b, char c) BUF_WUR;
int buf_addf(struct buf *b, const char *fmt, ...) BUF_WUR
	__attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap) BUF_WUR
	__attribute__((format(printf, 2, 0)));
/* Drops bytes past n (n <= len). */
void buf_truncate(struct buf *b, size_t n);

/* Escapers: append s[0..n) escaped for the target language. */
int buf_add_html(struct buf *b, const char *s, size_t n) BUF_WUR;
int buf_add_xml(struct buf *b, const char *s, size_t n) BUF_WUR;
/* Single-quoted POSIX shell word ('it'\''s'). */
int buf_add_shquote(struct buf *b, const char *s) BUF_WUR;

/*
 * Reads one line from f into b (replacing its contents), without the
 * trailing "\n".  Returns 1 when a line was read, 0 at EOF with nothing
 * read, -1 on a read error or when the line exceeds the limit (then the
 * rest of that line is consumed and b holds the first `limit` bytes; errno
 * is EFBIG).
 */
int buf_getline(struct buf *b, FILE *f);

#endif
