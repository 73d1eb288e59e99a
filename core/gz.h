/*
 * gz.h: gzip in memory (zlib) -- the collector compresses uploads, the
 * reporter inflates them with a limit, so a small "zip bomb" cannot make
 * it allocate more than it would accept uncompressed.
 */
#ifndef CORE_GZ_H
#define CORE_GZ_H

#include "buf.h"
#include "err.h"

/* Appends the gzip of in[0..n) to out.  0, or -1 with err set. */
int gz_compress(const void *in, size_t n, struct buf *out, struct err *err);

/*
 * Appends the inflated gzip stream in[0..n) to out, at most out->limit
 * bytes.  Returns 0; -1 with err set on corrupt or truncated data; -2
 * with err set when the inflated data exceeds the limit.
 */
int gz_inflate(const void *in, size_t n, struct buf *out, struct err *err);

#endif
