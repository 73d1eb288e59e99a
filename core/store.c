/*
 * store.c: the SQLite history store.  See store.h for the contract and
 * schema/001_init.sql for the tables.
 *
 * Invariants:
 *   - Every statement used more than once per run is prepared once, lazily,
 *     into s->stmt[] (SQLITE_PREPARE_PERSISTENT) and reset right after use;
 *     on any failure every cached statement is reset before ROLLBACK, so no
 *     cursor outlives its transaction.
 *   - Strings are bound SQLITE_STATIC: they are owned by the caller's
 *     struct results (or a local) and outlive the step that reads them.
 *   - Migrations run one per transaction (BEGIN IMMEDIATE), re-reading
 *     user_version inside it, so two processes opening a fresh database at
 *     once apply each migration exactly once.
 *   - A run and its group change in one transaction: the group's
 *     aggregates always describe exactly its runs rows.
 */
#include "store.h"
#include "ident.h"
#include "store_group.h"
#include "store_int.h"
#include "buf.h"
#include "err.h"
#include "schema.h"
#include "stats.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* PRAGMA application_id of our databases: "FLK1". */
#define STORE_APP_ID 0x464c4b31

enum stmt_id {
	ST_RUN_BY_KEY,
	ST_RUN_BY_IDEM,
	ST_GROUP_GET,
	ST_GROUP_ADD,
	ST_GROUP_MERGE,
	ST_GROUP_TOTALS,
	ST_GROUP_VERDICT,
	ST_GROUP_WORST,
	ST_GROUP_OTHERS,
	ST_REPO_GET,
	ST_REPO_ADD,
	ST_TIMES,
	ST_RUN_ADD,
	ST_CELL_ADD,
	ST_PKG_ADD,
	ST_TEST_GET,
	ST_TEST_ADD,
	ST_RESULT_ADD,
	ST_VERDICT_ADD,
	ST_FAILURE_ADD,
	ST_DAILY,
	ST_FLAKY,
	ST__COUNT
};

static const char *const stmt_sql[ST__COUNT] = {
	[ST_RUN_BY_KEY] =
		"SELECT id, group_id, infra FROM runs WHERE run_key = ?1",
	/* idem_key = ?2 implies the partial index's IS NOT NULL. */
	[ST_RUN_BY_IDEM] =
		"SELECT id, group_id, infra FROM runs WHERE repo_id ="
		" (SELECT id FROM repos WHERE name = ?1) AND idem_key = ?2",
	[ST_GROUP_GET] =
		"SELECT id, repo_id FROM run_groups WHERE group_key = ?1",
	[ST_GROUP_ADD] =
		"INSERT INTO run_groups(repo_id, group_key, created_at,"
		" started_at, pr, branch, base_branch, commit_sha, uploads,"
		" tests, n_failed, n_flaky, n_passed, n_skipped, n_notrun,"
		" infra) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?10,"
		" ?11, ?12, ?13, ?14, ?15)",
	/*
	 * After a further upload's rows are in: its metadata; the totals
	 * come from the uploads merged (ST_GROUP_TOTALS, merge_group()).
	 */
	[ST_GROUP_MERGE] =
		"UPDATE run_groups SET uploads = uploads + 1,"
		" started_at = min(started_at, ?2), infra = max(infra, ?3),"
		" pr = coalesce(pr, ?4), branch = coalesce(branch, ?5),"
		" base_branch = coalesce(base_branch, ?6),"
		" commit_sha = coalesce(commit_sha, ?7)"
		" WHERE id = ?1",
	[ST_GROUP_TOTALS] =
		"UPDATE run_groups SET (tests, n_failed, n_flaky, n_passed,"
		" n_skipped, n_notrun) = (?2, ?3, ?4, ?5, ?6, ?7) WHERE id = ?1",
	/*
	 * When some upload of the group can no longer be read back (recorded
	 * before schema 003 kept documents, or pruned): each test's worst
	 * verdict over the uploads, from the verdict rows every upload keeps
	 * (the same statement as the backfill in schema/002_reporter.sql).
	 */
	[ST_GROUP_WORST] =
		"UPDATE run_groups SET"
		" (tests, n_failed, n_flaky, n_passed, n_skipped, n_notrun) ="
		" (SELECT count(*), coalesce(sum(w = 4), 0),"
		"  coalesce(sum(w = 3), 0), coalesce(sum(w = 2), 0),"
		"  coalesce(sum(w = 1), 0), coalesce(sum(w = 0), 0)"
		"  FROM (SELECT max(CASE v.status WHEN 'failed' THEN 4"
		"   WHEN 'flaky' THEN 3 WHEN 'passed' THEN 2"
		"   WHEN 'skipped' THEN 1 ELSE 0 END) AS w"
		"   FROM runs r JOIN verdicts v ON v.run_id = r.id"
		"   WHERE r.group_id = ?1 GROUP BY v.test_id))"
		" WHERE id = ?1",
	[ST_GROUP_OTHERS] =
		"SELECT count(*) FROM runs WHERE group_id = ?1 AND id != ?2",
	/* A merged test's verdict (schema/007_group_verdicts.sql). */
	[ST_GROUP_VERDICT] =
		"INSERT OR REPLACE INTO group_verdicts(group_id, test_id, status)"
		" SELECT ?1, id, ?5 FROM tests"
		" WHERE repo_id = ?2 AND package = ?3 AND name = ?4",
	[ST_REPO_GET] = "SELECT id FROM repos WHERE name = ?1",
	[ST_REPO_ADD] = "INSERT INTO repos(name) VALUES (?1)",
	/* The run's start in UTC, else the recording time. */
	[ST_TIMES] =
		"SELECT coalesce(strftime('%Y-%m-%dT%H:%M:%SZ', ?1),"
		" strftime('%Y-%m-%dT%H:%M:%SZ', ?2, 'unixepoch'))",
	[ST_RUN_ADD] =
		"INSERT INTO runs(repo_id, run_key, commit_sha, branch,"
		" base_branch, pr, gh_run_id, run_attempt, job, workflow, event,"
		" shard, go_version, goos, goarch, started_at, created_at,"
		" wall_ms, tests, executions, n_failed, n_flaky, n_passed,"
		" n_skipped, n_notrun, infra, group_id, idem_key, rows_complete)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
		" ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25,"
		" ?26, ?27, ?28, 1)",
	[ST_CELL_ADD] =
		"INSERT INTO cells(run_id, idx, name, race, gomaxprocs, count,"
		" shuffle, stress, wall_ms, parallel) VALUES (?1, ?2, ?3, ?4, ?5,"
		" ?6, ?7, ?8, ?9, ?10)",
	[ST_PKG_ADD] =
		"INSERT INTO run_packages(run_id, package, dir, status, error)"
		" VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_TEST_GET] =
		"SELECT id FROM tests WHERE repo_id = ?1 AND package = ?2"
		" AND name = ?3",
	[ST_TEST_ADD] =
		"INSERT INTO tests(repo_id, package, name) VALUES (?1, ?2, ?3)",
	[ST_RESULT_ADD] =
		"INSERT INTO results(run_id, test_id, cell_idx, status, passes,"
		" failures, skips, notrun, rerun_passes, rerun_failures)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[ST_VERDICT_ADD] =
		"INSERT INTO verdicts(run_id, test_id, status, executions,"
		" passes, failures, skips, notrun, rerun_passes, rerun_failures,"
		" seconds, new_flaky, class, order_after, order_seed, order_cell)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
		" ?14, ?15, ?16)",
	[ST_FAILURE_ADD] =
		"INSERT INTO failures(run_id, test_id, cell_idx, kind, file,"
		" line, message, signature, output, count, rerun, seed)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[ST_DAILY] =
		"INSERT INTO daily(repo_id, branch, day, test_id, runs,"
		" executions, failures, flaky_runs, failed_runs)"
		" VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7, ?8)"
		" ON CONFLICT (repo_id, test_id, day, branch) DO UPDATE SET"
		" runs = runs + 1,"
		" executions = executions + excluded.executions,"
		" failures = failures + excluded.failures,"
		" flaky_runs = flaky_runs + excluded.flaky_runs,"
		" failed_runs = failed_runs + excluded.failed_runs",
	/* SET expressions all see the old row, so the CASEs agree. */
	[ST_FLAKY] =
		"INSERT INTO test_flaky(test_id, branch, first_flaky_run,"
		" first_flaky_commit, first_flaky_at, last_flaky_run,"
		" last_flaky_commit, last_flaky_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?3, ?4, ?5)"
		" ON CONFLICT (test_id, branch) DO UPDATE SET"
		" first_flaky_run = CASE WHEN (excluded.first_flaky_at,"
		"  excluded.first_flaky_run) < (first_flaky_at, first_flaky_run)"
		"  THEN excluded.first_flaky_run ELSE first_flaky_run END,"
		" first_flaky_commit = CASE WHEN (excluded.first_flaky_at,"
		"  excluded.first_flaky_run) < (first_flaky_at, first_flaky_run)"
		"  THEN excluded.first_flaky_commit ELSE first_flaky_commit END,"
		" first_flaky_at = CASE WHEN (excluded.first_flaky_at,"
		"  excluded.first_flaky_run) < (first_flaky_at, first_flaky_run)"
		"  THEN excluded.first_flaky_at ELSE first_flaky_at END,"
		" last_flaky_run = CASE WHEN (excluded.last_flaky_at,"
		"  excluded.last_flaky_run) > (last_flaky_at, last_flaky_run)"
		"  THEN excluded.last_flaky_run ELSE last_flaky_run END,"
		" last_flaky_commit = CASE WHEN (excluded.last_flaky_at,"
		"  excluded.last_flaky_run) > (last_flaky_at, last_flaky_run)"
		"  THEN excluded.last_flaky_commit ELSE last_flaky_commit END,"
		" last_flaky_at = CASE WHEN (excluded.last_flaky_at,"
		"  excluded.last_flaky_run) > (last_flaky_at, last_flaky_run)"
		"  THEN excluded.last_flaky_at ELSE last_flaky_at END",
};

struct store {
	sqlite3 *db;
	char *path;
	unsigned flags;
	int version;
	sqlite3_stmt *stmt[ST__COUNT];
};

const char *store_path(const struct store *s)
{
	return s->path;
}

int store_schema_version(const struct store *s)
{
	return s->version;
}

/* "what: sqlite's message" into err; returns -1. */
static int db_err(struct store *s, const char *what, struct err *err)
{
	return err_set(err, "%s '%s': %s", what, s->path,
		       sqlite3_errmsg(s->db));
}

sqlite3 *store_sqlite(struct store *s)
{
	return s->db;
}

int store_db_err(struct store *s, const char *what, struct err *err)
{
	return db_err(s, what, err);
}

static void reset_all(struct store *s)
{
	size_t i;

	for (i = 0; i < ST__COUNT; i++)
		if (s->stmt[i])
			sqlite3_reset(s->stmt[i]);
}

/* Returns the cached statement id, prepared on first use; NULL on error. */
static sqlite3_stmt *stmt_get(struct store *s, enum stmt_id id,
			      struct err *err)
{
	if (!s->stmt[id] &&
	    sqlite3_prepare_v3(s->db, stmt_sql[id], -1,
			       SQLITE_PREPARE_PERSISTENT, &s->stmt[id],
			       NULL) != SQLITE_OK) {
		db_err(s, "cannot prepare a query on", err);
		s->stmt[id] = NULL;
		return NULL;
	}
	return s->stmt[id];
}

static int db_exec(struct store *s, const char *sql, const char *what,
		   struct err *err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_err(s, what, err);
	return 0;
}

static int bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (!v)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

int store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	return bind_text(st, i, v);
}

/* Binds v, or NULL when v is 0 ("unknown" in struct run_meta). */
static int bind_int_or_null(sqlite3_stmt *st, int i, long long v)
{
	if (!v)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_int64(st, i, v);
}

/* Steps a statement that returns no row, then resets it. */
static int step_done(struct store *s, sqlite3_stmt *st, const char *what,
		     struct err *err)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE) {
		/* sqlite3_errmsg() is only right before the reset. */
		db_err(s, what, err);
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

/*
 * Steps a one-column integer query: 1 and *v set when a row came, 0 when
 * none, -1 on error.  Resets the statement.
 */
static int step_int(struct store *s, sqlite3_stmt *st, long long *v,
		    const char *what, struct err *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return 1;
	}
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return 0;
	}
	db_err(s, what, err);
	sqlite3_reset(st);
	return -1;
}

/* Runs a one-row query of n integer columns into v[0..n) (0 if no row). */
static int query_ints(struct store *s, const char *sql, long long *v, int n,
		      struct err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, i, ret = -1;

	for (i = 0; i < n; i++)
		v[i] = 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		db_err(s, "cannot open", err);
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		db_err(s, "cannot open", err);
		goto out;
	}
	for (i = 0; rc == SQLITE_ROW && i < n; i++)
		v[i] = sqlite3_column_int64(st, i);
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

/* Creates the directories leading to path's last component (mkdir -p). */
static int mkdir_parents(const char *path, struct err *err)
{
	char *dir = xstrdup(path);
	char *p;
	struct stat st;
	int ret = -1;

	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0777) && errno != EEXIST) {
			err_sys(err, "cannot create directory '%s'", dir);
			goto out;
		}
		if (stat(dir, &st)) {
			err_sys(err, "cannot create directory '%s'", dir);
			goto out;
		}
		if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			err_sys(err, "cannot create directory '%s'", dir);
			goto out;
		}
		*p = '/';
		while (p[1] == '/')
			p++;
	}
	ret = 0;
out:
	free(dir);
	return ret;
}

/*
 * Reads user_version, application_id and the number of schema objects in
 * one statement -- one snapshot, so a migration that another process
 * commits meanwhile is seen whole or not at all -- and refuses a database
 * that is newer than this binary or another program's (versioned without
 * our application_id, or unversioned and not empty).
 */
static int read_version(struct store *s, long long *version,
			struct err *err)
{
	long long v[3];
	int ours;

	if (query_ints(s, "SELECT"
		       " (SELECT user_version FROM pragma_user_version),"
		       " (SELECT application_id FROM pragma_application_id),"
		       " (SELECT count(*) FROM sqlite_master)", v, 3, err))
		return -1;
	*version = v[0];
	if (v[0] > (long long)schema_nfiles)
		return err_set(err, "'%s' has schema version %lld, newer than "
			       "this binary's %u: upgrade flake-action",
			       s->path, v[0], schema_nfiles);
	ours = v[1] == STORE_APP_ID || (v[0] == 0 && v[1] == 0 && v[2] == 0);
	if (!ours)
		return err_set(err, "'%s' is not a flake history database",
			       s->path);
	return 0;
}

static int apply_one(struct store *s, long long v, struct err *err)
{
	char sql[128];
	const struct schema_file *f = &schema_files[v];

	if (sqlite3_exec(s->db, f->sql, NULL, NULL, NULL) != SQLITE_OK)
		return err_set(err, "cannot apply migration %s to '%s': %s",
			       f->name, s->path, sqlite3_errmsg(s->db));
	snprintf(sql, sizeof(sql),
		 "PRAGMA user_version = %lld; PRAGMA application_id = %d",
		 v + 1, STORE_APP_ID);
	return db_exec(s, sql, "cannot set the schema version of", err);
}

/*
 * Switches the file to WAL.  The switch needs an exclusive lock that is
 * not taken through the busy handler, so two processes opening a new
 * database at once would see SQLITE_BUSY: retry for the busy timeout.
 * A file system that cannot do WAL keeps its mode; that is not an error.
 */
static int set_wal(struct store *s, struct err *err)
{
	struct timespec pause = { 0, 10000000L };	/* 10 ms */
	int waited_ms = 0;

	for (;;) {
		int rc = sqlite3_exec(s->db, "PRAGMA journal_mode = WAL",
				      NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if ((rc & 0xff) != SQLITE_BUSY || waited_ms >= STORE_BUSY_MS)
			return db_err(s, "cannot set WAL mode on", err);
		nanosleep(&pause, NULL);
		waited_ms += 10;
	}
}

/* One migration in its own transaction, unless another process did it. */
static int migrate_step(struct store *s, struct err *err)
{
	long long v;

	if (db_exec(s, "BEGIN IMMEDIATE", "cannot lock", err))
		return -1;
	/* Another process may have migrated while we waited. */
	if (read_version(s, &v, err) ||
	    (v < (long long)schema_nfiles && apply_one(s, v, err)) ||
	    db_exec(s, "COMMIT", "cannot commit the schema of", err)) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

static int migrate(struct store *s, struct err *err)
{
	long long v;

	for (;;) {
		if (read_version(s, &v, err))
			return -1;
		if (v == (long long)schema_nfiles)
			break;
		if (s->flags & STORE_READONLY)
			return err_set(err, "'%s' has schema version %lld, this "
				       "binary needs %u: open it read-write "
				       "to upgrade", s->path, v, schema_nfiles);
		if (migrate_step(s, err))
			return -1;
	}
	s->version = (int)v;
	return 0;
}

/* A clear "cannot open" message, with the system's reason when known. */
static int open_err(sqlite3 *db, const char *path, int rc, struct err *err)
{
	int sys = db ? sqlite3_system_errno(db) : 0;

	if (sys && (rc & 0xff) == SQLITE_CANTOPEN)
		return err_set(err, "cannot open '%s': %s", path,
			       strerror(sys));
	return err_set(err, "cannot open '%s': %s", path,
		       db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

int store_open(struct store **storep, const char *path, unsigned flags,
	       struct err *err)
{
	struct store *s;
	struct stat st;
	int memory, rc, oflags, ret = -1;
	long long ignored;

	*storep = NULL;
	if (!path || !*path)
		return err_set(err, "cannot open history: empty path");
	memory = !strcmp(path, ":memory:");
	if (!memory) {
		if (!stat(path, &st)) {
			if (S_ISDIR(st.st_mode)) {
				errno = EISDIR;
				return err_sys(err, "cannot open '%s'", path);
			}
		} else if (errno != ENOENT ||
			   (flags & (STORE_READONLY | STORE_MUST_EXIST))) {
			return err_sys(err, "cannot open '%s'", path);
		} else if (mkdir_parents(path, err)) {
			return -1;
		}
	}
	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	s->flags = flags;
	/* NOMUTEX: a store is one thread's (see store.h), so SQLite need
	 * not lock its connection mutex on every call. */
	oflags = ((flags & STORE_READONLY) ? SQLITE_OPEN_READONLY :
		  SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
		 SQLITE_OPEN_NOMUTEX;
	rc = sqlite3_open_v2(path, &s->db, oflags, NULL);
	if (rc != SQLITE_OK) {
		open_err(s->db, path, rc, err);
		goto out;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	/* The first read: a file that is not a database fails here. */
	if (read_version(s, &ignored, err))
		goto out;
	if (db_exec(s, "PRAGMA foreign_keys = ON", "cannot configure", err))
		goto out;
	if (!(flags & STORE_READONLY) && !memory) {
		/*
		 * WAL: readers never block the writer.  synchronous=NORMAL
		 * is durable across process crashes; a power loss may drop
		 * the last runs, never corrupt the file.
		 */
		if (set_wal(s, err) ||
		    db_exec(s, (flags & STORE_DURABLE) ?
			    "PRAGMA synchronous = FULL" :
			    "PRAGMA synchronous = NORMAL", "cannot configure",
			    err))
			goto out;
	}
	if (migrate(s, err))
		goto out;
	*storep = s;
	s = NULL;
	ret = 0;
out:
	store_close(s);
	return ret;
}

void store_close(struct store *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

const char *store_repo_name(const struct results *r)
{
	if (r->meta.repository && *r->meta.repository)
		return r->meta.repository;
	if (r->meta.module && *r->meta.module)
		return r->meta.module;
	return "local";
}

char *store_run_key(const struct results *r)
{
	const struct run_meta *m = &r->meta;
	struct buf b = BUF_INIT(1 << 16);
	int bad;

	if (m->run_id && *m->run_id) {
		/* Each part escaped: "5/1/x" as one run id never equals run
		 * id "5" with job "x/1/". */
		bad = buf_adds(&b, store_repo_name(r)) || buf_addc(&b, '/') ||
		      ident_add_key_part(&b, m->run_id) ||
		      buf_addf(&b, "/%d/", m->run_attempt ? m->run_attempt : 1) ||
		      ident_add_key_part(&b, m->job ? m->job : "") ||
		      buf_addc(&b, '/') ||
		      ident_add_key_part(&b, m->shard ? m->shard : "");
	} else {
		static unsigned counter;
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		bad = buf_addf(&b, "local/%lld%09ld/%ld/%u",
			       (long long)ts.tv_sec, (long)ts.tv_nsec,
			       (long)getpid(), counter++);
	}
	if (bad) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

int store_run_is_infra(const struct results *r)
{
	size_t i;
	long ran = (long)r->n_passed + r->n_failed + r->n_flaky;

	for (i = 0; i < r->npkgs; i++)
		if (r->pkgs[i].status == PKG_BUILD_FAILED)
			return 1;
	return ran >= STORE_INFRA_MIN_TESTS &&
	       (long)r->n_failed * 100 >= (long)STORE_INFRA_FAIL_PCT * ran;
}

/* Finds or creates repository name; *id (OUT). */
static int repo_id(struct store *s, const char *name, long long *id,
		   struct err *err)
{
	sqlite3_stmt *st = stmt_get(s, ST_REPO_GET, err);
	int rc;

	if (!st)
		return -1;
	if (bind_text(st, 1, name) != SQLITE_OK)
		return db_err(s, "cannot record run in", err);
	rc = step_int(s, st, id, "cannot read repositories of", err);
	if (rc)
		return rc < 0 ? -1 : 0;
	st = stmt_get(s, ST_REPO_ADD, err);
	if (!st)
		return -1;
	if (bind_text(st, 1, name) != SQLITE_OK)
		return db_err(s, "cannot record run in", err);
	if (step_done(s, st, "cannot add repository to", err))
		return -1;
	*id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int store_repo_find(struct store *s, const char *name, int create,
		    long long *id, struct err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (create)
		return repo_id(s, name, id, err);
	st = stmt_get(s, ST_REPO_GET, err);
	if (!st)
		return -1;
	if (bind_text(st, 1, name) != SQLITE_OK)
		return db_err(s, "cannot read repositories of", err);
	rc = step_int(s, st, id, "cannot read repositories of", err);
	if (rc < 0)
		return -1;
	return rc ? 0 : 1;
}

/* Finds or creates the test of repo; *id (OUT). */
static int test_id(struct store *s, long long repo, const struct test *t,
		   long long *id, struct err *err)
{
	sqlite3_stmt *st = stmt_get(s, ST_TEST_GET, err);
	int rc;

	if (!st)
		return -1;
	if (sqlite3_bind_int64(st, 1, repo) != SQLITE_OK ||
	    bind_text(st, 2, t->package) != SQLITE_OK ||
	    bind_text(st, 3, t->name) != SQLITE_OK)
		return db_err(s, "cannot record run in", err);
	rc = step_int(s, st, id, "cannot read tests of", err);
	if (rc)
		return rc < 0 ? -1 : 0;
	st = stmt_get(s, ST_TEST_ADD, err);
	if (!st)
		return -1;
	if (sqlite3_bind_int64(st, 1, repo) != SQLITE_OK ||
	    bind_text(st, 2, t->package) != SQLITE_OK ||
	    bind_text(st, 3, t->name) != SQLITE_OK)
		return db_err(s, "cannot record run in", err);
	if (step_done(s, st, "cannot add test to", err))
		return -1;
	*id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

/* Everything store_add_run() computes once per run. */
struct run_ctx {
	const struct results *r;
	long long repo, run, group;
	int group_new;		/* the group was created for this run */
	const char *idem_key;	/* NULL: none */
	char at[32];		/* normalized UTC start */
	char day[11];		/* its 'YYYY-MM-DD' */
	const char *branch;	/* '' when unknown */
	int infra;
};

static int run_times(struct store *s, struct run_ctx *c, long long now,
		     struct err *err)
{
	sqlite3_stmt *st = stmt_get(s, ST_TIMES, err);
	const unsigned char *txt;
	int rc;

	if (!st)
		return -1;
	if (bind_text(st, 1, c->r->meta.started_at) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, now) != SQLITE_OK)
		return db_err(s, "cannot record run in", err);
	rc = sqlite3_step(st);
	txt = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
	if (!txt) {
		if (rc == SQLITE_ROW)
			err_set(err, "cannot record run in '%s': bad time",
				s->path);
		else
			db_err(s, "cannot record run in", err);
		sqlite3_reset(st);
		return -1;
	}
	snprintf(c->at, sizeof(c->at), "%s", (const char *)txt);
	snprintf(c->day, sizeof(c->day), "%.10s", c->at);
	sqlite3_reset(st);
	return 0;
}

static int add_run_row(struct store *s, struct run_ctx *c, const char *key,
		       long long now, struct err *err)
{
	const struct results *r = c->r;
	const struct run_meta *m = &r->meta;
	sqlite3_stmt *st = stmt_get(s, ST_RUN_ADD, err);
	int bad = 0;

	if (!st)
		return -1;
	bad |= sqlite3_bind_int64(st, 1, c->repo) != SQLITE_OK;
	bad |= bind_text(st, 2, key) != SQLITE_OK;
	bad |= bind_text(st, 3, m->commit) != SQLITE_OK;
	bad |= bind_text(st, 4, m->branch) != SQLITE_OK;
	bad |= bind_text(st, 5, m->base_branch) != SQLITE_OK;
	bad |= bind_int_or_null(st, 6, m->pr) != SQLITE_OK;
	bad |= bind_text(st, 7, m->run_id) != SQLITE_OK;
	bad |= bind_int_or_null(st, 8, m->run_attempt) != SQLITE_OK;
	bad |= bind_text(st, 9, m->job) != SQLITE_OK;
	bad |= bind_text(st, 10, m->workflow) != SQLITE_OK;
	bad |= bind_text(st, 11, m->event) != SQLITE_OK;
	bad |= bind_text(st, 12, m->shard) != SQLITE_OK;
	bad |= bind_text(st, 13, m->go_version) != SQLITE_OK;
	bad |= bind_text(st, 14, m->goos) != SQLITE_OK;
	bad |= bind_text(st, 15, m->goarch) != SQLITE_OK;
	bad |= bind_text(st, 16, c->at) != SQLITE_OK;
	bad |= sqlite3_bind_int64(st, 17, now) != SQLITE_OK;
	bad |= sqlite3_bind_int64(st, 18, r->wall_ms) != SQLITE_OK;
	bad |= sqlite3_bind_int64(st, 19, (long long)r->ntests) != SQLITE_OK;
	bad |= sqlite3_bind_int64(st, 20, r->total_executions) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 21, r->n_failed) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 22, r->n_flaky) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 23, r->n_passed) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 24, r->n_skipped) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 25, r->n_notrun) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 26, c->infra) != SQLITE_OK;
	bad |= sqlite3_bind_int64(st, 27, c->group) != SQLITE_OK;
	bad |= bind_text(st, 28, c->idem_key) != SQLITE_OK;
	if (bad)
		return db_err(s, "cannot record run in", err);
	if (step_done(s, st, "cannot record run in", err))
		return -1;
	c->run = sqlite3_last_insert_rowid(s->db);
	return 0;
}

static int add_cells(struct store *s, struct run_ctx *c, struct err *err)
{
	sqlite3_stmt *st = stmt_get(s, ST_CELL_ADD, err);
	size_t i;

	if (!st)
		return -1;
	for (i = 0; i < c->r->ncells; i++) {
		const struct cell *cl = &c->r->cells[i];
		int bad = 0;

		bad |= sqlite3_bind_int64(st, 1, c->run) != SQLITE_OK;
		bad |= sqlite3_bind_int64(st, 2, (long long)i) != SQLITE_OK;
		bad |= bind_text(st, 3, cl->name ? cl->name : "default") !=
		       SQLITE_OK;
		bad |= sqlite3_bind_int(st, 4, cl->race) != SQLITE_OK;
		bad |= sqlite3_bind_int(st, 5, cl->gomaxprocs) != SQLITE_OK;
		bad |= sqlite3_bind_int(st, 6, cl->count) != SQLITE_OK;
		bad |= sqlite3_bind_int(st, 7, cl->shuffle) != SQLITE_OK;
		bad |= sqlite3_bind_int(st, 8, cl->stress) != SQLITE_OK;
		bad |= sqlite3_bind_int64(st, 9, cl->wall_ms) != SQLITE_OK;
		bad |= sqlite3_bind_int(st, 10, cl->parallel > 0 ?
					cl->parallel : 0) != SQLITE_OK;
		if (bad)
			return db_err(s, "cannot record run in", err);
		if (step_done(s, st, "cannot record cells in", err))
			return -1;
	}
	return 0;
}

/* run_packages: what store_group_results() needs of each package. */
static int add_packages(struct store *s, struct run_ctx *c, struct err *err)
{
	sqlite3_stmt *st = stmt_get(s, ST_PKG_ADD, err);
	size_t i;

	if (!st)
		return -1;
	for (i = 0; i < c->r->npkgs; i++) {
		const struct package *p = &c->r->pkgs[i];
		int bad = 0;

		bad |= sqlite3_bind_int64(st, 1, c->run) != SQLITE_OK;
		bad |= bind_text(st, 2, p->package) != SQLITE_OK;
		bad |= bind_text(st, 3, p->dir) != SQLITE_OK;
		bad |= sqlite3_bind_text(st, 4, pkg_status_name(p->status), -1,
					 SQLITE_STATIC) != SQLITE_OK;
		bad |= bind_text(st, 5, p->error) != SQLITE_OK;
		if (bad)
			return db_err(s, "cannot record run in", err);
		if (step_done(s, st, "cannot record packages in", err))
			return -1;
	}
	return 0;
}

static int add_results(struct store *s, struct run_ctx *c,
		       const struct test *t, long long tid, struct err *err)
{
	sqlite3_stmt *st = stmt_get(s, ST_RESULT_ADD, err);
	size_t i;

	if (!st)
		return -1;
	for (i = 0; i < t->ncells; i++) {
		const struct test_cell *tc = &t->cells[i];
		int bad = 0;

		bad |= sqlite3_bind_int64(st, 1, c->run) != SQLITE_OK;
		bad |= sqlite3_bind_int64(st, 2, tid) != SQLITE_OK;
		bad |= sqlite3_bind_int(st, 3, tc->cell) != SQLITE_OK;
		bad |= sqlite3_bind_text(st, 4, verdict_name(tc->status), -1,
					 SQLITE_STATIC) != SQLITE_OK;
		bad |= sqlite3_bind_int(st, 5, tc->passes) != SQLITE_OK;
		bad |= sqlite3_bind_int(st, 6, tc->failures) != SQLITE_OK;
		bad |= sqlite3_bind_int(st, 7, tc->skips) != SQLITE_OK;
		bad |= sqlite3_bind_int(st, 8, tc->notrun) != SQLITE_OK;
		bad |= sqlite3_bind_int(st, 9, tc->rerun_passes) != SQLITE_OK;
		bad |= sqlite3_bind_int(st, 10, tc->rerun_failures) !=
		       SQLITE_OK;
		if (bad)
			return db_err(s, "cannot record run in", err);
		if (step_done(s, st, "cannot record results in", err))
			return -1;
	}
	return 0;
}

static int add_verdict(struct store *s, struct run_ctx *c,
		       const struct test *t, long long tid, struct err *err)
{
	sqlite3_stmt *st = stmt_get(s, ST_VERDICT_ADD, err);
	int bad = 0;

	if (!st)
		return -1;
	bad |= sqlite3_bind_int64(st, 1, c->run) != SQLITE_OK;
	bad |= sqlite3_bind_int64(st, 2, tid) != SQLITE_OK;
	bad |= sqlite3_bind_text(st, 3, verdict_name(t->status), -1,
				 SQLITE_STATIC) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 4, t->executions) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 5, t->passes) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 6, t->failures) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 7, t->skips) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 8, t->notrun) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 9, t->rerun_passes) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 10, t->rerun_failures) != SQLITE_OK;
	bad |= sqlite3_bind_double(st, 11, t->seconds) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 12, t->new_flaky ? 1 : 0) != SQLITE_OK;
	bad |= bind_text(st, 13, test_class_name(t->klass)) != SQLITE_OK;
	bad |= bind_text(st, 14, t->after) != SQLITE_OK;
	if (t->after) {
		bad |= sqlite3_bind_int64(st, 15, t->after_seed) != SQLITE_OK;
		bad |= sqlite3_bind_int(st, 16, t->after_cell) != SQLITE_OK;
	} else {
		bad |= sqlite3_bind_null(st, 15) != SQLITE_OK;
		bad |= sqlite3_bind_null(st, 16) != SQLITE_OK;
	}
	if (bad)
		return db_err(s, "cannot record run in", err);
	return step_done(s, st, "cannot record verdicts in", err);
}

static int add_failures(struct store *s, struct run_ctx *c,
			const struct test *t, long long tid, struct err *err)
{
	sqlite3_stmt *st;
	size_t i;

	if (!t->nfails)
		return 0;
	st = stmt_get(s, ST_FAILURE_ADD, err);
	if (!st)
		return -1;
	for (i = 0; i < t->nfails; i++) {
		const struct failure *f = &t->fails[i];
		int bad = 0;

		bad |= sqlite3_bind_int64(st, 1, c->run) != SQLITE_OK;
		bad |= sqlite3_bind_int64(st, 2, tid) != SQLITE_OK;
		bad |= sqlite3_bind_int(st, 3, f->cell) != SQLITE_OK;
		bad |= sqlite3_bind_text(st, 4, fail_kind_name(f->kind), -1,
					 SQLITE_STATIC) != SQLITE_OK;
		bad |= bind_text(st, 5, f->file) != SQLITE_OK;
		bad |= sqlite3_bind_int(st, 6, f->line) != SQLITE_OK;
		bad |= bind_text(st, 7, f->message ? f->message : "") !=
		       SQLITE_OK;
		bad |= bind_text(st, 8, f->signature ? f->signature : "") !=
		       SQLITE_OK;
		bad |= bind_text(st, 9, f->output) != SQLITE_OK;
		bad |= sqlite3_bind_int(st, 10, f->count) != SQLITE_OK;
		bad |= sqlite3_bind_int(st, 11, f->rerun) != SQLITE_OK;
		bad |= sqlite3_bind_int64(st, 12, f->seed) != SQLITE_OK;
		if (bad)
			return db_err(s, "cannot record run in", err);
		if (step_done(s, st, "cannot record failures in", err))
			return -1;
	}
	return 0;
}

/* The daily and first/last-flaky rollups for one test of a non-infra run. */
static int add_rollups(struct store *s, struct run_ctx *c,
		       const struct test *t, long long tid, struct err *err)
{
	sqlite3_stmt *st;
	int counted, bad = 0;

	if (t->status != VERDICT_PASSED && t->status != VERDICT_FLAKY &&
	    t->status != VERDICT_FAILED)
		return 0;
	/* A test that failed every time broke; it is not a flake sample. */
	counted = t->status != VERDICT_FAILED;
	st = stmt_get(s, ST_DAILY, err);
	if (!st)
		return -1;
	bad |= sqlite3_bind_int64(st, 1, c->repo) != SQLITE_OK;
	bad |= bind_text(st, 2, c->branch) != SQLITE_OK;
	bad |= bind_text(st, 3, c->day) != SQLITE_OK;
	bad |= sqlite3_bind_int64(st, 4, tid) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 5, counted ?
				t->passes + t->failures : 0) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 6, counted ? t->failures : 0) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 7, t->status == VERDICT_FLAKY) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 8, t->status == VERDICT_FAILED) !=
	       SQLITE_OK;
	if (bad)
		return db_err(s, "cannot record run in", err);
	if (step_done(s, st, "cannot update rollups in", err))
		return -1;
	if (t->status != VERDICT_FLAKY)
		return 0;
	st = stmt_get(s, ST_FLAKY, err);
	if (!st)
		return -1;
	bad |= sqlite3_bind_int64(st, 1, tid) != SQLITE_OK;
	bad |= bind_text(st, 2, c->branch) != SQLITE_OK;
	bad |= sqlite3_bind_int64(st, 3, c->run) != SQLITE_OK;
	bad |= bind_text(st, 4, c->r->meta.commit) != SQLITE_OK;
	bad |= bind_text(st, 5, c->at) != SQLITE_OK;
	if (bad)
		return db_err(s, "cannot record run in", err);
	return step_done(s, st, "cannot update rollups in", err);
}

static int add_test(struct store *s, struct run_ctx *c, const struct test *t,
		    struct err *err)
{
	long long tid = 0;

	if (test_id(s, c->repo, t, &tid, err) ||
	    add_results(s, c, t, tid, err) ||
	    add_verdict(s, c, t, tid, err) ||
	    add_failures(s, c, t, tid, err))
		return -1;
	if (c->infra)
		return 0;
	return add_rollups(s, c, t, tid, err);
}

/*
 * Looks up a recorded run by idempotency key (idem set) or run key: 1 and
 * *out filled when found, 0 when not, -1 on error.
 */
static int find_run(struct store *s, const struct results *r,
		    const char *run_key, const char *idem,
		    struct store_added *out, struct err *err)
{
	sqlite3_stmt *st = stmt_get(s, idem ? ST_RUN_BY_IDEM : ST_RUN_BY_KEY,
				    err);
	int rc, bad = 0;

	if (!st)
		return -1;
	if (idem) {
		bad |= bind_text(st, 1, store_repo_name(r)) != SQLITE_OK;
		bad |= bind_text(st, 2, idem) != SQLITE_OK;
	} else {
		bad |= bind_text(st, 1, run_key) != SQLITE_OK;
	}
	if (bad)
		return db_err(s, "cannot read runs of", err);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->run_id = sqlite3_column_int64(st, 0);
		out->group_id = sqlite3_column_int64(st, 1);
		out->infra = sqlite3_column_int(st, 2) != 0;
		out->duplicate = 1;
		sqlite3_reset(st);
		return 1;
	}
	if (rc != SQLITE_DONE) {
		db_err(s, "cannot read runs of", err);
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

char *store_group_key(const struct results *r, const char *run_key)
{
	const struct run_meta *m = &r->meta;
	struct buf b = BUF_INIT(1 << 16);

	if (!m->run_id || !*m->run_id)
		return xstrdup(run_key);
	if (buf_adds(&b, store_repo_name(r)) || buf_addc(&b, '/') ||
	    ident_add_key_part(&b, m->run_id) ||
	    buf_addf(&b, "/%d", m->run_attempt ? m->run_attempt : 1)) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

/* Finds r's run group (c->group_new = 0) or creates it (1); c->group. */
static int find_group(struct store *s, struct run_ctx *c, const char *key,
		      long long now, struct err *err)
{
	const struct results *r = c->r;
	const struct run_meta *m = &r->meta;
	sqlite3_stmt *st = stmt_get(s, ST_GROUP_GET, err);
	int rc, bad = 0;

	if (!st)
		return -1;
	if (bind_text(st, 1, key) != SQLITE_OK)
		return db_err(s, "cannot record run in", err);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		long long repo = sqlite3_column_int64(st, 1);

		c->group = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (repo != c->repo)
			return err_set(err, "cannot record run in '%s': run "
				       "group '%s' belongs to another "
				       "repository", s->path, key);
		c->group_new = 0;
		return 0;
	}
	if (rc != SQLITE_DONE) {
		db_err(s, "cannot read run groups of", err);
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	st = stmt_get(s, ST_GROUP_ADD, err);
	if (!st)
		return -1;
	bad |= sqlite3_bind_int64(st, 1, c->repo) != SQLITE_OK;
	bad |= bind_text(st, 2, key) != SQLITE_OK;
	bad |= sqlite3_bind_int64(st, 3, now) != SQLITE_OK;
	bad |= bind_text(st, 4, c->at) != SQLITE_OK;
	bad |= bind_int_or_null(st, 5, m->pr) != SQLITE_OK;
	bad |= bind_text(st, 6, m->branch) != SQLITE_OK;
	bad |= bind_text(st, 7, m->base_branch) != SQLITE_OK;
	bad |= bind_text(st, 8, m->commit) != SQLITE_OK;
	bad |= sqlite3_bind_int64(st, 9, (long long)r->ntests) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 10, r->n_failed) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 11, r->n_flaky) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 12, r->n_passed) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 13, r->n_skipped) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 14, r->n_notrun) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 15, c->infra) != SQLITE_OK;
	if (bad)
		return db_err(s, "cannot record run in", err);
	if (step_done(s, st, "cannot add a run group to", err))
		return -1;
	c->group = sqlite3_last_insert_rowid(s->db);
	c->group_new = 1;
	return 0;
}

/*
 * The group's totals: its other uploads read back (store_group_results())
 * and r merged into them, as the PR comment merges them -- per test and
 * cell, so a cell split over two shards that failed in one and passed in
 * the other is flaky, as it would be in one job.  The merged results are
 * left in *merged (initialised by the caller; finished here).
 */
static int group_totals(struct store *s, struct run_ctx *c,
			struct results *merged, struct err *err)
{
	sqlite3_stmt *st;
	size_t i;
	int bad = 0, n, rc;
	long long others;

	n = store_group_results(s, c->group, c->run, merged, err);
	if (n < 0)
		return -1;
	results_merge(merged, c->r);
	results_finish(merged);
	st = stmt_get(s, ST_GROUP_OTHERS, err);
	if (!st)
		return -1;
	if (sqlite3_bind_int64(st, 1, c->group) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, c->run) != SQLITE_OK)
		return db_err(s, "cannot record run in", err);
	rc = sqlite3_step(st);
	others = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_reset(st);
	if (others < 0)
		return db_err(s, "cannot read the run group in", err);
	if (n < others) {
		/* Not every upload merged: the verdict rows decide. */
		st = stmt_get(s, ST_GROUP_WORST, err);
		if (!st)
			return -1;
		if (sqlite3_bind_int64(st, 1, c->group) != SQLITE_OK)
			return db_err(s, "cannot record run in", err);
		return step_done(s, st, "cannot update the run group in", err);
	}
	st = stmt_get(s, ST_GROUP_TOTALS, err);
	if (!st)
		return -1;
	bad |= sqlite3_bind_int64(st, 1, c->group) != SQLITE_OK;
	bad |= sqlite3_bind_int64(st, 2, (long long)merged->ntests) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 3, merged->n_failed) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 4, merged->n_flaky) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 5, merged->n_passed) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 6, merged->n_skipped) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 7, merged->n_notrun) != SQLITE_OK;
	if (bad)
		return db_err(s, "cannot record run in", err);
	if (step_done(s, st, "cannot update the run group in", err))
		return -1;
	/* Every test's merged verdict: the tests only grow over a group's
	 * uploads, so each write replaces the last one's. */
	for (i = 0; i < merged->ntests; i++) {
		const struct test *t = merged->tests[i];

		st = stmt_get(s, ST_GROUP_VERDICT, err);
		if (!st)
			return -1;
		bad |= sqlite3_bind_int64(st, 1, c->group) != SQLITE_OK;
		bad |= sqlite3_bind_int64(st, 2, c->repo) != SQLITE_OK;
		bad |= bind_text(st, 3, t->package) != SQLITE_OK;
		bad |= bind_text(st, 4, t->name) != SQLITE_OK;
		bad |= bind_text(st, 5, verdict_name(t->status)) != SQLITE_OK;
		if (bad)
			return db_err(s, "cannot record run in", err);
		if (step_done(s, st, "cannot record a merged verdict in", err))
			return -1;
	}
	return 0;
}

/* Merges the run just written into its existing group. */
static int merge_group(struct store *s, struct run_ctx *c,
		       struct results *merged, struct err *err)
{
	const struct run_meta *m = &c->r->meta;
	sqlite3_stmt *st = stmt_get(s, ST_GROUP_MERGE, err);
	struct results local;
	int bad = 0, ret;

	if (!st)
		return -1;
	bad |= sqlite3_bind_int64(st, 1, c->group) != SQLITE_OK;
	bad |= bind_text(st, 2, c->at) != SQLITE_OK;
	bad |= sqlite3_bind_int(st, 3, c->infra) != SQLITE_OK;
	bad |= bind_int_or_null(st, 4, m->pr) != SQLITE_OK;
	bad |= bind_text(st, 5, m->branch) != SQLITE_OK;
	bad |= bind_text(st, 6, m->base_branch) != SQLITE_OK;
	bad |= bind_text(st, 7, m->commit) != SQLITE_OK;
	if (bad)
		return db_err(s, "cannot record run in", err);
	if (step_done(s, st, "cannot update the run group in", err))
		return -1;
	if (merged)
		return group_totals(s, c, merged, err);
	results_init(&local);
	ret = group_totals(s, c, &local, err);
	results_release(&local);
	return ret;
}

/* Adds the run's result rows and one upload to the counters. */
static int count_added(struct store *s, const struct results *r,
		       struct err *err)
{
	sqlite3_stmt *st = NULL;
	long long rows = 0;
	size_t i;
	int ret = -1;

	for (i = 0; i < r->ntests; i++)
		rows += (long long)r->tests[i]->ncells;
	if (sqlite3_prepare_v2(s->db, "UPDATE counters SET value = value + CASE"
			       " name WHEN 'result_rows' THEN ?1 ELSE 1 END"
			       " WHERE name IN ('result_rows', 'uploads')", -1,
			       &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, rows) != SQLITE_OK) {
		db_err(s, "cannot record run in", err);
		goto out;
	}
	ret = step_done(s, st, "cannot record run in", err);
out:
	sqlite3_finalize(st);
	return ret;
}

int store_counts(struct store *s, long long *uploads, long long *result_rows,
		 struct err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, ret = -1;

	*uploads = *result_rows = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT name, value FROM counters", -1,
			       &st, NULL) != SQLITE_OK) {
		db_err(s, "cannot read counters in", err);
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(st, 0);

		if (n && !strcmp(n, "uploads"))
			*uploads = sqlite3_column_int64(st, 1);
		else if (n && !strcmp(n, "result_rows"))
			*result_rows = sqlite3_column_int64(st, 1);
	}
	if (rc != SQLITE_DONE) {
		db_err(s, "cannot read counters in", err);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

static int add_doc(struct store *s, long long run, const void *doc, size_t len,
		   struct err *err)
{
	sqlite3_stmt *st = NULL;
	int ret = -1;

	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO run_docs (run_id,"
			       " doc) VALUES (?1, ?2)", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, run) != SQLITE_OK ||
	    sqlite3_bind_blob64(st, 2, doc, len, SQLITE_STATIC) != SQLITE_OK) {
		db_err(s, "cannot store results in", err);
		goto out;
	}
	ret = step_done(s, st, "cannot store results in", err);
out:
	sqlite3_finalize(st);
	return ret;
}

int store_add_run_ex(struct store *s, const struct results *r,
		     const struct store_add_opts *opts,
		     struct store_added *out, struct err *err)
{
	static const struct store_add_opts defaults = STORE_ADD_OPTS_INIT;
	struct run_ctx c;
	struct store_added found;
	char *key = NULL, *gkey = NULL;
	const char *run_key;
	long long now = (long long)time(NULL);
	size_t i;
	int rc = 0, in_tx = 0, ret = -1;

	if (!r->finished)
		BUG("store_add_run() before results_finish()");
	if (!opts)
		opts = &defaults;
	run_key = opts->run_key;
	if (!run_key) {
		key = store_run_key(r);
		if (!key)
			return err_set(err, "cannot record run in '%s': run "
				       "metadata too long", s->path);
		run_key = key;
	}
	gkey = store_group_key(r, run_key);
	if (!gkey) {
		err_set(err, "cannot record run in '%s': run metadata too "
			"long", s->path);
		goto out;
	}
	memset(&c, 0, sizeof(c));
	memset(&found, 0, sizeof(found));
	c.r = r;
	c.branch = r->meta.branch ? r->meta.branch : "";
	c.infra = store_run_is_infra(r);
	c.idem_key = opts->idem_key;
	if (db_exec(s, "BEGIN IMMEDIATE", "cannot lock", err))
		goto out;
	in_tx = 1;
	if (c.idem_key)
		rc = find_run(s, r, NULL, c.idem_key, &found, err);
	if (rc == 0)
		rc = find_run(s, r, run_key, NULL, &found, err);
	if (rc < 0)
		goto out;
	if (rc == 0) {
		if (repo_id(s, store_repo_name(r), &c.repo, err) ||
		    run_times(s, &c, now, err) ||
		    find_group(s, &c, gkey, now, err) ||
		    add_run_row(s, &c, run_key, now, err) ||
		    add_cells(s, &c, err) || add_packages(s, &c, err))
			goto out;
		for (i = 0; i < r->ntests; i++)
			if (add_test(s, &c, r->tests[i], err))
				goto out;
		if (!c.group_new && merge_group(s, &c, opts->merged, err))
			goto out;
		if (opts->doc && add_doc(s, c.run, opts->doc, opts->doc_len, err))
			goto out;
		if (count_added(s, r, err))
			goto out;
		found.run_id = c.run;
		found.group_id = c.group;
		found.infra = c.infra;
	}
	/* Also when nothing was written: ends the transaction. */
	if (db_exec(s, "COMMIT", "cannot commit run to", err))
		goto out;
	in_tx = 0;
	*out = found;
	ret = 0;
out:
	if (in_tx) {
		reset_all(s);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
	free(key);
	free(gkey);
	return ret;
}

int store_add_run(struct store *s, const struct results *r,
		  const char *run_key, long long *run_id_out,
		  struct err *err)
{
	struct store_add_opts opts = STORE_ADD_OPTS_INIT;
	struct store_added added;

	memset(&added, 0, sizeof(added));
	opts.run_key = run_key;
	if (store_add_run_ex(s, r, &opts, &added, err))
		return -1;
	if (run_id_out)
		*run_id_out = added.run_id;
	return 0;
}

int store_set_results_json(struct store *s, long long run_id,
			   const char *json, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int ret = -1;

	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO run_docs (run_id,"
			       " doc) SELECT id, CAST(?1 AS BLOB) FROM runs "
			       "WHERE id = ?2", -1, &st, NULL) != SQLITE_OK ||
	    bind_text(st, 1, json) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, run_id) != SQLITE_OK) {
		db_err(s, "cannot store results in", err);
		goto out;
	}
	if (step_done(s, st, "cannot store results in", err))
		goto out;
	if (sqlite3_changes(s->db) != 1) {
		err_set(err, "cannot store results in '%s': no run %lld",
			s->path, run_id);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

/* 'YYYY-MM-DD' of the first day in the window; "" for all time. */
static void window_start(int window_days, long long now, char *out,
			 size_t size)
{
	time_t t;
	struct tm tm;

	out[0] = '\0';
	if (window_days <= 0)
		return;
	t = (time_t)(now - (long long)(window_days - 1) * 86400);
	if (!gmtime_r(&t, &tm))
		return;
	strftime(out, size, "%Y-%m-%d", &tm);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	return v ? xstrdup((const char *)v) : NULL;
}

void store_window_start(int window_days, long long now, char *out,
			size_t size)
{
	window_start(window_days, now, out, size);
}

char *store_col_dup(sqlite3_stmt *st, int i)
{
	return col_dup(st, i);
}

static int cmp_rows(const void *a, const void *b)
{
	const struct flake_row *x = a, *y = b;
	int c;

	if (x->rate != y->rate)
		return x->rate < y->rate ? 1 : -1;
	if (x->failures != y->failures)
		return x->failures < y->failures ? 1 : -1;
	c = strcmp(x->package, y->package);
	return c ? c : strcmp(x->name, y->name);
}

/*
 * The first/last flaky columns: over one branch a primary-key lookup, over
 * all branches the earliest first and latest last of the test's rows.
 */
#define FLAKY_COL(col, order) \
	" (SELECT " col " FROM test_flaky f WHERE f.test_id = a.test_id" \
	"  AND (?3 IS NULL OR f.branch = ?3) ORDER BY " order " LIMIT 1)"

/*
 * The default table starts from the tests with a failure in the window
 * (the partial index daily_failing; its WHERE term is repeated verbatim,
 * and INDEXED BY because without ANALYZE statistics the planner prefers a
 * primary-key scan of the whole repository, ~6x slower at 1M result rows),
 * then sums each one's window through the primary key.  STORE_FLAKE_ALL
 * sums every row of the repository's window instead.
 */
static const char *const flake_sql_failing[] = {
	"WITH c AS (SELECT DISTINCT test_id FROM daily"
	" INDEXED BY daily_failing WHERE repo_id = ?1 AND day >= ?2"
	" AND (failures > 0 OR failed_runs > 0)",
	/* branch filter */
	"), a AS (SELECT d.test_id, sum(d.runs) AS runs,"
	" sum(d.executions) AS executions, sum(d.failures) AS failures,"
	" sum(d.flaky_runs) AS flaky_runs, sum(d.failed_runs) AS failed_runs"
	" FROM c JOIN daily d ON d.repo_id = ?1 AND d.test_id = c.test_id"
	" AND d.day >= ?2",
	/* branch filter */
	" GROUP BY d.test_id)",
};
static const char *const flake_sql_all[] = {
	"WITH a AS (SELECT test_id, sum(runs) AS runs,"
	" sum(executions) AS executions, sum(failures) AS failures,"
	" sum(flaky_runs) AS flaky_runs, sum(failed_runs) AS failed_runs"
	" FROM daily WHERE repo_id = ?1 AND day >= ?2",
	/* branch filter */
	"",
	/* no second filter */
	" GROUP BY test_id)",
};
static const char flake_sql_tail[] =
	" SELECT t.package, t.name, a.executions, a.failures, a.runs,"
	" a.flaky_runs, a.failed_runs,"
	FLAKY_COL("first_flaky_commit", "first_flaky_at, first_flaky_run") ","
	FLAKY_COL("first_flaky_at", "first_flaky_at, first_flaky_run") ","
	FLAKY_COL("last_flaky_commit",
		  "last_flaky_at DESC, last_flaky_run DESC") ","
	FLAKY_COL("last_flaky_at", "last_flaky_at DESC, last_flaky_run DESC")
	", t.id FROM a JOIN tests t ON t.id = a.test_id";

/* Reads one result row of the flake query into f. */
static void flake_row_read(sqlite3_stmt *st, struct flake_row *f)
{
	memset(f, 0, sizeof(*f));
	f->package = col_dup(st, 0);
	f->name = col_dup(st, 1);
	if (!f->package)
		f->package = xstrdup("");
	if (!f->name)
		f->name = xstrdup("");
	f->executions = (long)sqlite3_column_int64(st, 2);
	f->failures = (long)sqlite3_column_int64(st, 3);
	f->runs = (long)sqlite3_column_int64(st, 4);
	f->flaky_runs = (long)sqlite3_column_int64(st, 5);
	f->failed_runs = (long)sqlite3_column_int64(st, 6);
	f->first_flaky_commit = col_dup(st, 7);
	f->first_flaky_at = col_dup(st, 8);
	f->last_flaky_commit = col_dup(st, 9);
	f->last_flaky_at = col_dup(st, 10);
	f->test_id = sqlite3_column_int64(st, 11);
	f->lo = 0.0;
	f->hi = 1.0;
	if (f->executions > 0) {
		f->rate = (double)f->failures / (double)f->executions;
		stats_wilson(f->failures, f->executions, STATS_Z95, &f->lo,
			     &f->hi);
	}
}

int store_flake_table(struct store *s, const char *repo, const char *branch,
		      int window_days, long long now_unix, unsigned flags,
		      struct flake_row **rows, size_t *nrows,
		      struct err *err)
{
	struct buf sql = BUF_INIT(8192);
	sqlite3_stmt *st = NULL;
	struct flake_row *v = NULL;
	size_t n = 0, alloc = 0;
	char start[16];
	long long rid = 0;
	int rc, ret = -1;
	/* Separate texts per branch filter, so it can use the key. */
	const char *bf = branch ? " AND branch = ?3" : "";
	const char *dbf = branch ? " AND d.branch = ?3" : "";
	const char *const *q = (flags & STORE_FLAKE_ALL) ? flake_sql_all :
			       flake_sql_failing;

	st = stmt_get(s, ST_REPO_GET, err);
	if (!st)
		return -1;
	if (bind_text(st, 1, repo) != SQLITE_OK)
		return db_err(s, "cannot read history in", err);
	rc = step_int(s, st, &rid, "cannot read history in", err);
	st = NULL;
	if (rc < 0)
		return -1;
	if (rc == 0) {
		*rows = NULL;
		*nrows = 0;
		return 0;
	}
	window_start(window_days, now_unix, start, sizeof(start));
	if (buf_adds(&sql, q[0]) || buf_adds(&sql, bf) ||
	    buf_adds(&sql, q[1]) ||
	    buf_adds(&sql, (flags & STORE_FLAKE_ALL) ? "" : dbf) ||
	    buf_adds(&sql, q[2]) || buf_adds(&sql, flake_sql_tail))
		BUG("flake table query too long");
	if (sqlite3_prepare_v2(s->db, buf_str(&sql), -1, &st, NULL) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, rid) != SQLITE_OK ||
	    bind_text(st, 2, start) != SQLITE_OK ||
	    bind_text(st, 3, branch) != SQLITE_OK) {
		db_err(s, "cannot read history in", err);
		goto out;
	}
	for (rc = sqlite3_step(st); rc == SQLITE_ROW; rc = sqlite3_step(st)) {
		xgrow((void **)&v, &alloc, n + 1, sizeof(*v));
		flake_row_read(st, &v[n++]);
	}
	if (rc != SQLITE_DONE) {
		db_err(s, "cannot read history in", err);
		goto out;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_rows);
	*rows = v;
	*nrows = n;
	v = NULL;
	n = 0;
	ret = 0;
out:
	store_flake_rows_free(v, n);
	sqlite3_finalize(st);
	buf_release(&sql);
	return ret;
}

void store_flake_rows_free(struct flake_row *rows, size_t n)
{
	size_t i;

	if (!rows)
		return;
	for (i = 0; i < n; i++)
		store_flake_row_release(&rows[i]);
	free(rows);
}

/*
 * One test: the same columns as the flake table, its window summed through
 * daily's primary key; a LEFT JOIN so a test without rollups still gives
 * its row (of zeros).  ?4 is the test id.
 */
static const char flake_sql_one[] =
	"WITH a AS (SELECT t.id AS test_id,"
	" coalesce(sum(d.runs), 0) AS runs,"
	" coalesce(sum(d.executions), 0) AS executions,"
	" coalesce(sum(d.failures), 0) AS failures,"
	" coalesce(sum(d.flaky_runs), 0) AS flaky_runs,"
	" coalesce(sum(d.failed_runs), 0) AS failed_runs"
	" FROM tests t LEFT JOIN daily d ON d.repo_id = ?1"
	" AND d.test_id = t.id AND d.day >= ?2"
	" AND (?3 IS NULL OR d.branch = ?3)"
	" WHERE t.id = ?4 AND t.repo_id = ?1 GROUP BY t.id)";

int store_flake_test(struct store *s, const char *repo, long long test_id,
		     const char *branch, int window_days, long long now_unix,
		     struct flake_row *row, struct err *err)
{
	struct buf sql = BUF_INIT(8192);
	sqlite3_stmt *st = NULL;
	char start[16];
	long long rid = 0;
	int rc, ret = -1;

	rc = store_repo_find(s, repo, 0, &rid, err);
	if (rc)
		return rc;
	window_start(window_days, now_unix, start, sizeof(start));
	if (buf_adds(&sql, flake_sql_one) || buf_adds(&sql, flake_sql_tail))
		BUG("flake row query too long");
	if (sqlite3_prepare_v2(s->db, buf_str(&sql), -1, &st, NULL) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, rid) != SQLITE_OK ||
	    bind_text(st, 2, start) != SQLITE_OK ||
	    bind_text(st, 3, branch) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 4, test_id) != SQLITE_OK) {
		db_err(s, "cannot read history in", err);
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		ret = 1;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		db_err(s, "cannot read history in", err);
		goto out;
	}
	flake_row_read(st, row);
	ret = 0;
out:
	sqlite3_finalize(st);
	buf_release(&sql);
	return ret;
}

void store_flake_row_release(struct flake_row *row)
{
	if (!row)
		return;
	free(row->package);
	free(row->name);
	free(row->first_flaky_commit);
	free(row->first_flaky_at);
	free(row->last_flaky_commit);
	free(row->last_flaky_at);
	memset(row, 0, sizeof(*row));
}

int store_run_count(struct store *s, const char *repo, const char *branch,
		    int window_days, long long now_unix, long *runs,
		    long *infra_runs, struct err *err)
{
	static const char sql[] =
		"SELECT count(*), coalesce(sum(infra), 0) FROM runs"
		" WHERE (?1 IS NULL OR repo_id ="
		"  (SELECT id FROM repos WHERE name = ?1))"
		" AND started_at >= ?2"
		" AND (?3 IS NULL OR coalesce(branch, '') = ?3)";
	sqlite3_stmt *st = NULL;
	char start[16];
	int ret = -1;

	window_start(window_days, now_unix, start, sizeof(start));
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK ||
	    bind_text(st, 1, repo) != SQLITE_OK ||
	    bind_text(st, 2, start) != SQLITE_OK ||
	    bind_text(st, 3, branch) != SQLITE_OK) {
		db_err(s, "cannot read history in", err);
		goto out;
	}
	if (sqlite3_step(st) != SQLITE_ROW) {
		db_err(s, "cannot read history in", err);
		goto out;
	}
	*runs = (long)sqlite3_column_int64(st, 0);
	if (infra_runs)
		*infra_runs = (long)sqlite3_column_int64(st, 1);
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

int store_latest_repo(struct store *s, char **repo, struct err *err)
{
	static const char sql[] =
		"SELECT r.name FROM runs JOIN repos r ON r.id = runs.repo_id"
		" ORDER BY runs.id DESC LIMIT 1";
	sqlite3_stmt *st = NULL;
	int rc, ret = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		db_err(s, "cannot read history in", err);
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		db_err(s, "cannot read history in", err);
		goto out;
	}
	*repo = rc == SQLITE_ROW ? col_dup(st, 0) : NULL;
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}
