/*
 * fuzz_buf_html.c: buf_add_html() and buf_add_xml() (core/buf.h).  The
 * output has no raw < > " ' and every '&' starts an entity; the XML form
 * also has no control character but tab, LF and CR.  Past the limit the
 * append fails whole and leaves the buffer unchanged.
 */
#include "core/buf.h"
#include "fuzz/fuzz_util.h"

#include <string.h>

static void check_escaped(const struct buf *b, size_t from, int xml)
{
	size_t i;

	for (i = from; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];

		FUZZ_CHECK(c != '<' && c != '>' && c != '"' && c != '\'');
		if (xml)
			FUZZ_CHECK(c >= 0x20 || c == '\t' || c == '\n' ||
				   c == '\r');
	}
	FUZZ_CHECK(fuzz_entities_ok(b->data + from, b->len - from));
	FUZZ_CHECK(b->data[b->len] == '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b = BUF_INIT(1 << 22);
	struct buf small = BUF_INIT(32);
	char *in = malloc(size ? size : 1);
	size_t before;

	FUZZ_CHECK(in);
	memcpy(in, data, size);
	FUZZ_CHECK(buf_adds(&b, "x") == 0);
	before = b.len;
	FUZZ_CHECK(buf_add_html(&b, in, size) == 0);
	check_escaped(&b, before, 0);
	before = b.len;
	FUZZ_CHECK(buf_add_xml(&b, in, size) == 0);
	check_escaped(&b, before, 1);

	FUZZ_CHECK(buf_adds(&small, "ab") == 0);
	if (buf_add_html(&small, in, size)) {
		FUZZ_CHECK(small.len == 2 && !strcmp(small.data, "ab"));
	} else {
		FUZZ_CHECK(small.len <= 32);
		check_escaped(&small, 2, 0);
	}
	buf_release(&small);
	buf_release(&b);
	free(in);
	return 0;
}
