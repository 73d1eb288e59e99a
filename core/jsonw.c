/*
 * jsonw.c: text to JSON strings (see jsonw.h).
 */
#include "jsonw.h"
#include "buf.h"
#include "err.h"
#include "utf8.h"

#include <string.h>

json_t *jsonw_str(const char *s)
{
	struct buf b = BUF_INIT((size_t)-2);
	const unsigned char *u = (const unsigned char *)s;
	size_t n, i = 0;
	unsigned long cp;
	json_t *j;

	if (!s)
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	n = strlen(s);
	while (i < n) {
		size_t k = utf8_seq(u + i, n - i, &cp);

		if (k ? buf_add(&b, s + i, k) : buf_adds(&b, utf8_replacement))
			BUG("utf-8 repair");
		i += k ? k : 1;
	}
	j = json_string(buf_str(&b));
	buf_release(&b);
	return j ? j : json_string("");
}
