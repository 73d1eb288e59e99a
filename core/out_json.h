/*
 * out_json.h: the results document (schema/results.schema.json), the one
 * contract between the collector and the reporter.
 *
 * The writer emits keys in a fixed order so documents diff well.  Field
 * names are stable: other tools read them.
 */
#ifndef CORE_OUT_JSON_H
#define CORE_OUT_JSON_H

#include "err.h"
#include "results.h"

#include <stdio.h>

#define RESULTS_SCHEMA_VERSION 1

/*
 * Writes r (finished) as JSON to path atomically: a temporary file in the
 * same directory renamed over path, so a reader never sees half a
 * document.  path "-" writes to stdout.  Returns 0, or -1 with err set.
 */
int out_json_write(const struct results *r, const char *path,
		   struct err *err);

/* Returns the document as a new string (caller frees), NULL on error. */
char *out_json_dumps(const struct results *r, struct err *err);

#endif
