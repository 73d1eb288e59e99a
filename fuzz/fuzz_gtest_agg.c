/*
 * fuzz_gtest_agg.c: the whole collector pipeline on an arbitrary stream.
 *
 * Input layout: byte 0 picks the aggregator flags and the exit status;
 * bytes 1..3 are chunk sizes (0 = the rest at once, else 1..255), used in
 * turn to cut the rest of the input into gtest_agg_feed() calls, so chunk
 * boundaries fall anywhere.  Then gtest_agg_finish(), results_finish(), and
 * every writer: JSON (out_json_dumps, which the reporter's in_json_results
 * must accept back), the markdown summary (twice: unbounded and with a
 * small limit, which it must respect) and JUnit XML (to an in-memory FILE,
 * which must be valid UTF-8).
 */
#include "core/gtest.h"
#include "core/in_json.h"
#include "core/out_json.h"
#include "core/out_junit.h"
#include "core/out_md.h"
#include "fuzz/fuzz_util.h"

#include <string.h>

/*
 * Known limitation (docs/RELIABILITY.md, "Fuzzing"): the collector keeps
 * test and package names of any length, the reporter's reader refuses
 * names over IN_JSON_MAX_NAME bytes.  Such documents are not round-tripped.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int exits[] = { -1, 0, 1, 2, 128 + 9, 128 + 6, 3, -1 };
	struct results r, back;
	struct cell c;
	struct gtest_agg *a;
	struct err err;
	struct in_json_error fe;
	struct buf md = BUF_INIT(1 << 22), md_small = BUF_INIT(1 << 22);
	unsigned flags = 0;
	size_t off = 4, chunk_i = 0, md_max;
	char *stream, *json, *xml = NULL;
	size_t xml_len = 0;
	FILE *f;

	if (size < 4)
		return 0;
	if (data[0] & 1)
		flags |= GTEST_RERUN;
	if (data[0] & 2)
		flags |= GTEST_DIRECT;
	stream = malloc(size);
	FUZZ_CHECK(stream);
	memcpy(stream, data, size);

	results_init(&r);
	r.repo_root = strdup("/home/u/repo");
	FUZZ_CHECK(r.repo_root);
	memset(&c, 0, sizeof(c));
	c.name = (char *)"race GOMAXPROCS=2";
	c.race = 1;
	c.gomaxprocs = 2;
	c.count = data[0] >> 4;
	a = gtest_agg_new(&r, results_add_cell(&r, &c), flags,
			  data[0] & 4 ? 12345 : 0);
	while (off < size) {
		size_t n = data[1 + chunk_i++ % 3];

		if (!n || n > size - off)
			n = size - off;
		gtest_agg_feed(a, stream + off, n);
		off += n;
	}
	gtest_agg_finish(a, exits[(data[0] >> 3) & 7],
			 data[0] & 0x40 ? "killed after the hard timeout" : NULL);
	gtest_agg_free(a);
	results_finish(&r);

	json = out_json_dumps(&r, &err);
	FUZZ_CHECK(json);
	FUZZ_CHECK(fuzz_utf8_valid((const unsigned char *)json, strlen(json)));
	results_init(&back);
	/* Names obey results_canon_name(): the reporter accepts every
	 * document the collector writes. */
	if (in_json_results(json, strlen(json), &back, &fe, &err)) {
		fprintf(stderr, "collector output rejected: %s (field %s)\n%s\n",
			err.msg, fe.field, json);
		FUZZ_CHECK(!"in_json accepts out_json output");
	}
	results_release(&back);
	free(json);

	FUZZ_CHECK(out_md_summary(&r, &md, 1 << 21, &err) == 0);
	FUZZ_CHECK(fuzz_utf8_valid((const unsigned char *)buf_str(&md),
				   md.len));
	md_max = 200 + (size_t)data[1] * 16;
	if (out_md_summary(&r, &md_small, md_max, &err) == 0 || md_small.len)
		FUZZ_CHECK(md_small.len <= md_max);

	f = open_memstream(&xml, &xml_len);
	FUZZ_CHECK(f);
	FUZZ_CHECK(out_junit_write(&r, f, &err) == 0);
	FUZZ_CHECK(fclose(f) == 0);
	FUZZ_CHECK(fuzz_utf8_valid((const unsigned char *)xml, xml_len));

	free(xml);
	buf_release(&md_small);
	buf_release(&md);
	results_release(&r);
	free(stream);
	return 0;
}
