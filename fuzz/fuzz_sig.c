/*
 * fuzz_sig.c: sig_normalize() on arbitrary bytes.  The result is at most
 * SIG_MAX bytes, has no leading/trailing or doubled white space, and is
 * valid UTF-8 whenever the input was.
 */
#include "core/sig.h"
#include "fuzz/fuzz_util.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out = BUF_INIT(1 << 20);
	size_t i;
	char *in = malloc(size ? size : 1);
	char *made;

	FUZZ_CHECK(in);
	memcpy(in, data, size);
	if (sig_normalize(&out, in, size) == 0) {
		FUZZ_CHECK(out.len <= SIG_MAX);
		if (fuzz_utf8_valid(data, size))
			FUZZ_CHECK(fuzz_utf8_valid(
				(const unsigned char *)out.data, out.len));
		if (out.len) {
			FUZZ_CHECK(out.data[0] != ' ');
			/* The cut at SIG_MAX may leave a trailing space
			 * (and backs up over stray continuation bytes). */
			FUZZ_CHECK(out.data[out.len - 1] != ' ' ||
				   out.len > SIG_MAX - 4 ||
				   !fuzz_utf8_valid(data, size));
			for (i = 1; i < out.len; i++)
				FUZZ_CHECK(out.data[i] != ' ' ||
					   out.data[i - 1] != ' ');
		}
	}
	/* Idempotence on the cut form is not promised; just exercise sig_make. */
	made = sig_make("fail", in, size, size & 1 ? "x_test.go" : NULL, 42);
	FUZZ_CHECK(made);
	free(made);
	buf_release(&out);
	free(in);
	return 0;
}
