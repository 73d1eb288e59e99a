/* Unit tests for core/buf: limits, escaping, line reading. */
#include "core/buf.h"
#include "check.h"

#include <stdlib.h>

static void sane(const struct buf *b)
{
	CHECK(b->len <= b->limit);
	CHECK(!b->data || b->data[b->len] == '\0');
}

int main(void)
{
	struct buf b = BUF_INIT(8);
	char *s;
	size_t n;
	FILE *f;

	CHECK(buf_adds(&b, "12345678") == 0);
	sane(&b);
	CHECK(buf_addc(&b, '9') == -1);
	CHECK(b.len == 8);
	CHECK(buf_addf(&b, "%d", 1) == -1);
	CHECK_STR(buf_str(&b), "12345678");
	buf_truncate(&b, 2);
	CHECK(buf_addf(&b, "%s", "abcdef") == 0);
	CHECK_STR(buf_str(&b), "12abcdef");
	s = buf_detach(&b, &n);
	CHECK(n == 8);
	CHECK_STR(s, "12abcdef");
	free(s);
	CHECK(b.len == 0);
	CHECK_STR(buf_str(&b), "");

	buf_init(&b, 1024);
	CHECK(buf_add_html(&b, "<a href=\"x\">&'</a>", 18) == 0);
	CHECK_STR(buf_str(&b), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
	buf_reset(&b);
	CHECK(buf_add_xml(&b, "a\001b", 3) == 0);
	CHECK_STR(buf_str(&b), "a\xEF\xBF\xBD" "b");
	buf_reset(&b);
	CHECK(buf_add_shquote(&b, "it's") == 0);
	CHECK_STR(buf_str(&b), "'it'\\''s'");
	buf_release(&b);

	/* An escape that does not fit leaves the buffer unchanged. */
	buf_init(&b, 6);
	CHECK(buf_adds(&b, "ab") == 0);
	CHECK(buf_add_html(&b, "<<", 2) == -1);
	CHECK_STR(buf_str(&b), "ab");
	buf_release(&b);

	/* Lines: a line over the limit is an error, the next is fine. */
	f = tmpfile();
	CHECK(f != NULL);
	if (f) {
		fputs("short\n0123456789abcdef\nlast", f);
		rewind(f);
		buf_init(&b, 10);
		CHECK(buf_getline(&b, f) == 1);
		CHECK_STR(buf_str(&b), "short");
		CHECK(buf_getline(&b, f) == -1);
		CHECK(buf_getline(&b, f) == 1);
		CHECK_STR(buf_str(&b), "last");
		CHECK(buf_getline(&b, f) == 0);
		buf_release(&b);
		fclose(f);
	}
	return check_done("test_buf");
}
