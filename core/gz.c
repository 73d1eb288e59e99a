/*
 * gz.c: gzip compression and bounded inflation with zlib (see gz.h).
 */
#include "gz.h"

#include <stdint.h>
#include <string.h>
#include <zlib.h>

int gz_compress(const void *in, size_t n, struct buf *out, struct err *err)
{
	z_stream zs;
	unsigned char chunk[65536];
	int rc;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return err_set(err, "cannot start gzip compression");
	zs.next_in = (unsigned char *)(uintptr_t)in;
	do {
		uInt step = n > (1u << 30) ? (1u << 30) : (uInt)n;

		zs.avail_in = step;
		n -= step;
		do {
			zs.next_out = chunk;
			zs.avail_out = sizeof(chunk);
			rc = deflate(&zs, n ? Z_NO_FLUSH : Z_FINISH);
			if (rc == Z_STREAM_ERROR ||
			    buf_add(out, chunk, sizeof(chunk) - zs.avail_out)) {
				deflateEnd(&zs);
				return err_set(err, "gzip output too large");
			}
		} while (zs.avail_out == 0);
	} while (n);
	deflateEnd(&zs);
	return 0;
}

int gz_inflate(const void *in, size_t n, struct buf *out, struct err *err)
{
	z_stream zs;
	unsigned char chunk[65536];
	int rc = Z_OK;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 16) != Z_OK)
		return err_set(err, "cannot start gzip decompression");
	zs.next_in = (unsigned char *)(uintptr_t)in;
	zs.avail_in = n > UINT32_MAX ? UINT32_MAX : (uInt)n;
	while (rc != Z_STREAM_END) {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		rc = inflate(&zs, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END) {
			inflateEnd(&zs);
			return err_set(err, "body is not valid gzip (%s)",
				       zs.msg ? zs.msg : "corrupt data");
		}
		if (buf_add(out, chunk, sizeof(chunk) - zs.avail_out)) {
			inflateEnd(&zs);
			err_set(err, "body inflates to more than %zu bytes",
				out->limit);
			return -2;
		}
		if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
			inflateEnd(&zs);
			return err_set(err, "body is not valid gzip (truncated)");
		}
	}
	inflateEnd(&zs);
	if (zs.avail_in)
		return err_set(err, "body is not valid gzip (trailing data)");
	return 0;
}
