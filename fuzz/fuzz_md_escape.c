/*
 * fuzz_md_escape.c: the markdown escapers of core/out_md.h.
 *
 *   md_escape_inline: the output has no raw markdown/HTML special (every
 *   '&' starts an entity), no control character and is valid UTF-8.
 *   md_add_fenced: the opening and closing fences are equal runs of k >= 3
 *   backticks, k is longer than any backtick run of the content, the
 *   content has no control character but tab and LF, and the block is
 *   valid UTF-8.  The first input byte picks an info string.
 */
#include "core/out_md.h"
#include "fuzz/fuzz_util.h"

#include <string.h>

static void check_inline(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		FUZZ_CHECK(!strchr("<>\\`*_[]|~$!@\"'", c) || c == '\0');
		FUZZ_CHECK(c >= 0x20 && c != 0x7F);
	}
	FUZZ_CHECK(fuzz_entities_ok(s, n));
	FUZZ_CHECK(fuzz_utf8_valid((const unsigned char *)s, n));
}

static void check_fenced(const char *s, size_t n)
{
	size_t k = 0, i, run = 0, body, body_end;

	while (k < n && s[k] == '`')
		k++;
	FUZZ_CHECK(k >= 3);
	FUZZ_CHECK(n > 0 && s[n - 1] == '\n');
	/* The info string: the rest of the first line, no backtick. */
	for (i = k; i < n && s[i] != '\n'; i++)
		FUZZ_CHECK(s[i] != '`');
	FUZZ_CHECK(i < n);
	body = i + 1;
	/* The closing fence: the last line, exactly k backticks. */
	FUZZ_CHECK(n >= body + k + 1);
	body_end = n - 1 - k;
	for (i = body_end; i < n - 1; i++)
		FUZZ_CHECK(s[i] == '`');
	FUZZ_CHECK(body_end == body || s[body_end - 1] == '\n');
	for (i = body; i < body_end; i++) {
		unsigned char c = (unsigned char)s[i];

		FUZZ_CHECK(c >= 0x20 || c == '\t' || c == '\n');
		FUZZ_CHECK(c != 0x7F);
		run = c == '`' ? run + 1 : 0;
		FUZZ_CHECK(run < k);
	}
	FUZZ_CHECK(fuzz_utf8_valid((const unsigned char *)s, n));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *infos[] = { NULL, "", "go", "text", "a`b<c>\n" };
	struct buf b = BUF_INIT(1 << 22);
	struct buf small = BUF_INIT(64);
	const char *info;
	char *in;

	if (!size)
		return 0;
	info = infos[data[0] % (sizeof(infos) / sizeof(infos[0]))];
	in = malloc(size - 1 ? size - 1 : 1);
	FUZZ_CHECK(in);
	memcpy(in, data + 1, size - 1);

	FUZZ_CHECK(md_escape_inline(&b, in, size - 1) == 0);
	check_inline(b.data ? b.data : "", b.len);
	buf_reset(&b);

	FUZZ_CHECK(md_add_fenced(&b, info, in, size - 1) == 0);
	check_fenced(b.data, b.len);

	/* Past the limit: -1 and the buffer unchanged. */
	if (md_escape_inline(&small, in, size - 1))
		FUZZ_CHECK(small.len == 0);
	buf_reset(&small);
	if (md_add_fenced(&small, info, in, size - 1))
		FUZZ_CHECK(small.len == 0);

	buf_release(&small);
	buf_release(&b);
	free(in);
	return 0;
}
