/*
 * store_group.c: the uploads of one run group merged (see store_group.h).
 *
 * An upload recorded since schema/006_group_rows.sql is read back from its
 * rows: runs, cells, run_packages, results, verdicts and failures, by
 * primary key or the run's index, with no document inflated or parsed.
 * Older uploads (rows_complete = 0) are read from their stored document.
 */
#include "store_group.h"
#include "buf.h"
#include "gz.h"
#include "in_json.h"
#include "store_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Stored documents are at most what the reporter accepts, inflated. */
#define DOC_MAX ((size_t)1 << 30)

static int prep(struct store *s, const char *sql, sqlite3_stmt **st,
		long long run, struct err *err)
{
	if (sqlite3_prepare_v2(store_sqlite(s), sql, -1, st, NULL) !=
	    SQLITE_OK)
		return store_db_err(s, "cannot read the run group", err);
	sqlite3_bind_int64(*st, 1, run);
	return 0;
}

/* Ends a statement's loop: 0 when it ran to completion, else -1. */
static int done(struct store *s, sqlite3_stmt *st, int rc, struct err *err)
{
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_db_err(s, "cannot read the run group", err);
	return 0;
}

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int bad_row(sqlite3_stmt *st, long long run, const char *what,
		   struct err *err)
{
	sqlite3_finalize(st);
	return err_set(err, "upload %lld: %s", run, what);
}

static int read_meta(struct store *s, long long run, struct results *r,
		     struct err *err)
{
	sqlite3_stmt *st;
	struct run_meta *m = &r->meta;
	int rc;

	if (prep(s, "SELECT p.name, u.commit_sha, u.branch, u.base_branch,"
		 " u.pr, u.gh_run_id, u.run_attempt, u.workflow, u.event,"
		 " u.go_version, u.goos, u.goarch, u.started_at, u.wall_ms"
		 " FROM runs u JOIN repos p ON p.id = u.repo_id"
		 " WHERE u.id = ?1", &st, run, err))
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		m->repository = store_col_dup(st, 0);
		m->commit = store_col_dup(st, 1);
		m->branch = store_col_dup(st, 2);
		m->base_branch = store_col_dup(st, 3);
		m->pr = sqlite3_column_int(st, 4);
		m->run_id = store_col_dup(st, 5);
		m->run_attempt = sqlite3_column_int(st, 6);
		m->workflow = store_col_dup(st, 7);
		m->event = store_col_dup(st, 8);
		m->go_version = store_col_dup(st, 9);
		m->goos = store_col_dup(st, 10);
		m->goarch = store_col_dup(st, 11);
		m->started_at = store_col_dup(st, 12);
		r->wall_ms = sqlite3_column_int64(st, 13);
		rc = sqlite3_step(st);
	}
	return done(s, st, rc, err);
}

static int read_cells(struct store *s, long long run, struct results *r,
		      struct err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (prep(s, "SELECT idx, name, race, gomaxprocs, count, shuffle,"
		 " stress, wall_ms, parallel FROM cells WHERE run_id = ?1"
		 " ORDER BY idx", &st, run, err))
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct cell c;

		memset(&c, 0, sizeof(c));
		c.name = (char *)(uintptr_t)col(st, 1);
		c.race = sqlite3_column_int(st, 2);
		c.gomaxprocs = sqlite3_column_int(st, 3);
		c.count = sqlite3_column_int(st, 4);
		c.shuffle = sqlite3_column_int(st, 5);
		c.stress = sqlite3_column_int(st, 6);
		c.wall_ms = sqlite3_column_int64(st, 7);
		c.parallel = sqlite3_column_int(st, 8);
		/* results.cell_idx and failures.cell_idx are these indexes. */
		if (sqlite3_column_int64(st, 0) != (long long)r->ncells)
			return bad_row(st, run, "its cells are not numbered "
				       "0, 1, ...", err);
		results_add_cell(r, &c);
	}
	return done(s, st, rc, err);
}

static int read_packages(struct store *s, long long run, struct results *r,
			 struct err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (prep(s, "SELECT package, dir, status, error FROM run_packages"
		 " WHERE run_id = ?1", &st, run, err))
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct package *p;
		enum pkg_status ps;

		if (!col(st, 0) || pkg_status_parse(col(st, 2), &ps))
			return bad_row(st, run, "a package row is unreadable",
				       err);
		p = results_package(r, col(st, 0), 1);
		p->status = ps;
		if (!p->dir)
			p->dir = store_col_dup(st, 1);
		if (!p->error)
			p->error = store_col_dup(st, 3);
	}
	return done(s, st, rc, err);
}

/* Every test's per-cell counts (the bulk), its flags and class. */
static int read_tests(struct store *s, long long run, struct results *r,
		      struct err *err)
{
	sqlite3_stmt *st;
	struct test *t = NULL;
	long long last = -1;
	int rc;

	if (prep(s, "SELECT x.test_id, t.package, t.name, x.cell_idx,"
		 " x.passes, x.failures, x.skips, x.notrun, x.rerun_passes,"
		 " x.rerun_failures, v.new_flaky, v.class, v.order_after,"
		 " v.order_seed, v.order_cell"
		 " FROM results x JOIN tests t ON t.id = x.test_id"
		 " JOIN verdicts v ON v.run_id = x.run_id AND"
		 " v.test_id = x.test_id"
		 " WHERE x.run_id = ?1 ORDER BY x.test_id, x.cell_idx",
		 &st, run, err))
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct test_cell *tc;
		int cell = sqlite3_column_int(st, 3);

		if (sqlite3_column_int64(st, 0) != last) {
			enum test_class k = CLASS_NONE;

			if (!col(st, 1) || !col(st, 2) ||
			    (col(st, 11) && test_class_parse(col(st, 11), &k)))
				return bad_row(st, run, "a test row is "
					       "unreadable", err);
			last = sqlite3_column_int64(st, 0);
			t = results_test(r, col(st, 1), col(st, 2), 1);
			t->new_flaky = sqlite3_column_int(st, 10) != 0;
			t->klass = k;
			if (col(st, 12)) {
				int oc = sqlite3_column_int(st, 14);

				if (oc < 0 || (size_t)oc >= r->ncells)
					return bad_row(st, run, "an order names "
						       "no cell", err);
				t->after = store_col_dup(st, 12);
				t->after_seed = sqlite3_column_int64(st, 13);
				t->after_cell = oc;
			}
		}
		if (cell < 0 || (size_t)cell >= r->ncells)
			return bad_row(st, run, "a result names no cell", err);
		tc = results_test_cell(t, cell);
		tc->passes = sqlite3_column_int(st, 4);
		tc->failures = sqlite3_column_int(st, 5);
		tc->skips = sqlite3_column_int(st, 6);
		tc->notrun = sqlite3_column_int(st, 7);
		tc->rerun_passes = sqlite3_column_int(st, 8);
		tc->rerun_failures = sqlite3_column_int(st, 9);
	}
	return done(s, st, rc, err);
}

static int read_failures(struct store *s, long long run, struct results *r,
			 struct err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (prep(s, "SELECT t.package, t.name, f.cell_idx, f.kind, f.file,"
		 " f.line, f.message, f.signature, f.output, f.count, f.rerun,"
		 " f.seed FROM failures f JOIN tests t ON t.id = f.test_id"
		 " WHERE f.run_id = ?1 ORDER BY f.id", &st, run, err))
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct failure f;
		struct test *t;
		struct test_cell *tc;

		memset(&f, 0, sizeof(f));
		f.cell = sqlite3_column_int(st, 2);
		if (!col(st, 0) || !col(st, 1) || f.cell < 0 ||
		    (size_t)f.cell >= r->ncells ||
		    fail_kind_parse(col(st, 3), &f.kind))
			return bad_row(st, run, "a failure row is unreadable",
				       err);
		t = results_test(r, col(st, 0), col(st, 1), 1);
		f.file = (char *)(uintptr_t)col(st, 4);
		f.line = sqlite3_column_int(st, 5);
		f.message = (char *)(uintptr_t)col(st, 6);
		f.signature = (char *)(uintptr_t)col(st, 7);
		f.output = (char *)(uintptr_t)col(st, 8);
		f.count = sqlite3_column_int(st, 9);
		f.rerun = sqlite3_column_int(st, 10);
		f.seed = sqlite3_column_int64(st, 11);
		results_add_failure(t, &f);
		/* The cell's shuffle seed is its first failing execution's. */
		tc = results_test_cell(t, f.cell);
		if (!tc->fail_seed)
			tc->fail_seed = f.seed;
	}
	return done(s, st, rc, err);
}

static int read_rows(struct store *s, long long run, struct results *r,
		     struct err *err)
{
	return read_meta(s, run, r, err) || read_cells(s, run, r, err) ||
	       read_packages(s, run, r, err) || read_tests(s, run, r, err) ||
	       read_failures(s, run, r, err) ? -1 : 0;
}

/* An upload from before 006: its document.  0, 1 with none, or -1. */
static int read_doc(struct store *s, long long run, struct results *r,
		    struct err *err)
{
	sqlite3_stmt *st;
	int rc, ret = 1;

	if (prep(s, "SELECT doc FROM run_docs WHERE run_id = ?1", &st, run,
		 err))
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *doc = sqlite3_column_blob(st, 0);
		size_t len = (size_t)sqlite3_column_bytes(st, 0);
		struct buf json = BUF_INIT(DOC_MAX);

		ret = 0;
		if (len >= 2 && doc[0] == 0x1f && doc[1] == 0x8b) {
			if (gz_inflate(doc, len, &json, err))
				ret = -1;
			doc = (const unsigned char *)json.data;
			len = json.len;
		}
		if (!ret && in_json_results((const char *)doc, len, r, NULL,
					    err))
			ret = -1;
		buf_release(&json);
		rc = ret < 0 ? SQLITE_DONE : sqlite3_step(st);
	}
	if (done(s, st, rc, err))
		return -1;
	return ret;
}

int store_group_results(struct store *s, long long group_id,
			long long except_run, struct results *r,
			struct err *err)
{
	struct upload {
		long long id;
		int rows;	/* rows_complete */
	} *up = NULL;
	sqlite3_stmt *st = NULL;
	size_t nup = 0, alloc = 0, i;
	int n = 0, rc;

	/* The uploads first: reading one runs statements of its own. */
	if (prep(s, "SELECT id, rows_complete FROM runs WHERE group_id = ?1"
		 " AND id != ?2 ORDER BY id", &st, group_id, err))
		return -1;
	sqlite3_bind_int64(st, 2, except_run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		xgrow((void **)&up, &alloc, nup + 1, sizeof(*up));
		up[nup].id = sqlite3_column_int64(st, 0);
		up[nup++].rows = sqlite3_column_int(st, 1);
	}
	if (done(s, st, rc, err))
		n = -1;
	for (i = 0; n >= 0 && i < nup; i++) {
		struct results one;
		int got;

		results_init(&one);
		got = up[i].rows ? read_rows(s, up[i].id, &one, err) :
				   read_doc(s, up[i].id, &one, err);
		if (!got)
			results_merge(r, &one);
		results_release(&one);
		n = got < 0 ? -1 : n + !got;
	}
	free(up);
	return n;
}
