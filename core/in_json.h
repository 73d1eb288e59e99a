/*
 * in_json.h: read a results document (schema/results.schema.json) back
 * into a struct results -- what the reporter does with every upload.
 *
 * Everything is validated as it is read: types, enums, ranges and the
 * limits below.  The first problem is reported with the path of the field
 * at fault ("tests[3].cells[0].passes: must be a whole number from 0 to
 * 1000000000"), so an uploader can fix its document.
 */
#ifndef CORE_IN_JSON_H
#define CORE_IN_JSON_H

#include "err.h"
#include "results.h"

#include <stddef.h>

#define IN_JSON_MAX_CELLS 256
#define IN_JSON_MAX_TESTS 500000
#define IN_JSON_MAX_NAME RESULTS_NAME_MAX /* bytes of a test or cell name */
#define IN_JSON_MAX_TEXT (64 * 1024)	/* bytes of a message or output */
#define IN_JSON_MAX_COUNT 1000000000

struct in_json_error {
	char field[256];	/* "tests[3].cells[0].passes", or "" */
};

/*
 * Parses doc[0..len) into r (initialised by the caller with
 * results_init()).  On success r is finished (r->finished = 1): the
 * verdicts are the document's own, not derived again.  Returns 0, or -1
 * with err set (and fe->field, when fe is not NULL, naming the field);
 * r then holds a partial result the caller must still release.
 */
int in_json_results(const char *doc, size_t len, struct results *r,
		    struct in_json_error *fe, struct err *err);

#endif
