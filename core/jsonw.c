/*
 * jsonw.c: text to JSON strings (see jsonw.h).
 */
#include "jsonw.h"
#include "err.h"
#include "utf8.h"

#include <stdlib.h>

json_t *jsonw_str(const char *s)
{
	char *fixed;
	json_t *j;

	if (!s)
		return json_null();
	if ((j = json_string(s)))
		return j;
	fixed = utf8_dup(s);
	j = json_string(fixed);
	free(fixed);
	return j ? j : json_string("");
}
