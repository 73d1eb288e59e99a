/*
 * store_group.c: the uploads of one run group merged (see store_group.h).
 */
#include "store_group.h"
#include "in_json.h"
#include "store_int.h"

#include <string.h>

int store_group_results(struct store *s, long long group_id,
			struct results *r, struct err *err)
{
	sqlite3 *db = store_sqlite(s);
	sqlite3_stmt *st = NULL;
	int n = 0, rc;

	if (sqlite3_prepare_v2(db, "SELECT results_json FROM runs WHERE "
			       "group_id = ?1 AND results_json IS NOT NULL "
			       "ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return store_db_err(s, "cannot read the run group", err);
	sqlite3_bind_int64(st, 1, group_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *doc = (const char *)sqlite3_column_text(st, 0);
		size_t len = (size_t)sqlite3_column_bytes(st, 0);
		struct results one;

		results_init(&one);
		if (in_json_results(doc, len, &one, NULL, err)) {
			results_release(&one);
			sqlite3_finalize(st);
			return -1;
		}
		results_merge(r, &one);
		results_release(&one);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_db_err(s, "cannot read the run group", err);
	results_finish(r);
	return n;
}
