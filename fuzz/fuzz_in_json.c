/*
 * fuzz_in_json.c: in_json_results() -- what the reporter runs on every
 * upload -- on arbitrary bytes.  When a document is accepted, writing it
 * back with out_json_dumps() must give a document that is accepted again
 * (round trip) and that writes back identically (a fixed point).
 */
#include "core/in_json.h"
#include "core/out_json.h"
#include "fuzz/fuzz_util.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct results r, r2;
	struct in_json_error fe;
	struct err err;
	char *doc = malloc(size ? size : 1), *out = NULL, *out2 = NULL;

	FUZZ_CHECK(doc);
	memcpy(doc, data, size);
	results_init(&r);
	results_init(&r2);
	if (in_json_results(doc, size, &r, &fe, &err))
		goto out;
	FUZZ_CHECK(r.finished);
	out = out_json_dumps(&r, &err);
	FUZZ_CHECK(out);
	if (in_json_results(out, strlen(out), &r2, &fe, &err)) {
		fprintf(stderr, "round trip rejected: %s (field %s)\n%s\n",
			err.msg, fe.field, out);
		FUZZ_CHECK(!"out_json_dumps output accepted by in_json");
	}
	out2 = out_json_dumps(&r2, &err);
	FUZZ_CHECK(out2);
	if (strcmp(out, out2)) {
		fprintf(stderr, "first:\n%s\nsecond:\n%s\n", out, out2);
		FUZZ_CHECK(!"out_json_dumps(in_json(out)) == out");
	}
out:
	free(out2);
	free(out);
	results_release(&r2);
	results_release(&r);
	free(doc);
	return 0;
}
