/*
 * store_group.c: the uploads of one run group merged (see store_group.h).
 */
#include "store_group.h"
#include "buf.h"
#include "gz.h"
#include "in_json.h"
#include "store_int.h"

#include <string.h>

/* Stored documents are at most what the reporter accepts, inflated. */
#define DOC_MAX ((size_t)1 << 30)

int store_group_results(struct store *s, long long group_id,
			long long except_run, struct results *r,
			struct err *err)
{
	sqlite3 *db = store_sqlite(s);
	sqlite3_stmt *st = NULL;
	int n = 0, rc;

	if (sqlite3_prepare_v2(db, "SELECT d.doc FROM runs u JOIN run_docs d "
			       "ON d.run_id = u.id WHERE u.group_id = ?1 AND "
			       "u.id != ?2 ORDER BY u.id", -1, &st,
			       NULL) != SQLITE_OK)
		return store_db_err(s, "cannot read the run group", err);
	sqlite3_bind_int64(st, 1, group_id);
	sqlite3_bind_int64(st, 2, except_run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *doc = sqlite3_column_blob(st, 0);
		size_t len = (size_t)sqlite3_column_bytes(st, 0);
		struct buf json = BUF_INIT(DOC_MAX);
		struct results one;
		int bad;

		if (len >= 2 && doc[0] == 0x1f && doc[1] == 0x8b) {
			if (gz_inflate(doc, len, &json, err)) {
				buf_release(&json);
				sqlite3_finalize(st);
				return -1;
			}
			doc = (const unsigned char *)json.data;
			len = json.len;
		}
		results_init(&one);
		bad = in_json_results((const char *)doc, len, &one, NULL, err);
		if (!bad)
			results_merge(r, &one);
		results_release(&one);
		buf_release(&json);
		if (bad) {
			sqlite3_finalize(st);
			return -1;
		}
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_db_err(s, "cannot read the run group", err);
	return n;
}
