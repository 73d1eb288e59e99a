-- 001_init.sql: migration 1, the history store shared by flake-collector
-- (its embedded .flake/history.db) and flake-reporter.
--
-- Applied by core/store.c inside one transaction, which then sets
-- PRAGMA user_version = 1 (the file's number) and PRAGMA application_id.
-- Never edit a released migration: add 002_....sql instead.
--
-- Conventions:
--   - Times are TEXT 'YYYY-MM-DDTHH:MM:SSZ' (UTC) or INTEGER unix seconds;
--     days are TEXT 'YYYY-MM-DD' (UTC), so they sort as strings.
--   - Statuses are the words of core/results.h: 'passed', 'failed',
--     'flaky', 'skipped', 'notrun'.
--   - Raw rows (runs and everything keyed by run_id) can be pruned with
--     DELETE FROM runs, which cascades.  The rollups (daily, test_flaky)
--     are kept: they are the long-term statistics and reference runs only
--     by value (first_flaky_run may name a pruned run).
--
-- Write path: one transaction per run (store_add_run).  The hot tables
-- (results, verdicts, daily) are WITHOUT ROWID, clustered on their primary
-- key, and have no secondary index on results, so an insert is one b-tree
-- insert plus the foreign-key probes.  Read path: the flake table reads
-- only daily + tests + test_flaky, never results.

-- A repository: "owner/name" on GitHub, the Go module path, or "local".
CREATE TABLE repos (
	id	INTEGER PRIMARY KEY,
	name	TEXT NOT NULL UNIQUE
);

-- One collector run (one job / shard attempt).
CREATE TABLE runs (
	id		INTEGER PRIMARY KEY,
	repo_id		INTEGER NOT NULL REFERENCES repos(id),
	-- Idempotency key: "repository/run_id/attempt/job/shard" on CI, a
	-- time-and-pid derived "local/..." key otherwise.  Adding a run whose
	-- key exists writes nothing.
	run_key		TEXT NOT NULL UNIQUE,
	commit_sha	TEXT,		-- "commit" is an SQL keyword
	branch		TEXT,		-- head branch
	base_branch	TEXT,		-- pull request base
	pr		INTEGER,	-- pull request number, NULL none
	gh_run_id	TEXT,		-- GITHUB_RUN_ID ("id" is ours)
	run_attempt	INTEGER,
	job		TEXT,
	workflow	TEXT,
	event		TEXT,		-- push, pull_request, ...
	shard		TEXT,		-- "i/n" or NULL
	go_version	TEXT,
	goos		TEXT,
	goarch		TEXT,
	-- Normalized UTC start ('YYYY-MM-DDTHH:MM:SSZ'): the run metadata's
	-- started_at, or created_at when that was missing or unparsable.
	-- Its first 10 characters are the rollup day.
	started_at	TEXT NOT NULL,
	created_at	INTEGER NOT NULL,	-- unix seconds when recorded
	wall_ms		INTEGER NOT NULL DEFAULT 0,
	tests		INTEGER NOT NULL DEFAULT 0,	-- distinct tests
	executions	INTEGER NOT NULL DEFAULT 0,
	n_failed	INTEGER NOT NULL DEFAULT 0,
	n_flaky		INTEGER NOT NULL DEFAULT 0,
	n_passed	INTEGER NOT NULL DEFAULT 0,
	n_skipped	INTEGER NOT NULL DEFAULT 0,
	n_notrun	INTEGER NOT NULL DEFAULT 0,
	-- 1 when the run must not count in statistics: a package failed to
	-- build, or most tests failed (see store.h).  Its rows are stored;
	-- the rollups skip it.
	infra		INTEGER NOT NULL DEFAULT 0,
	results_json	TEXT		-- the full results document, optional
);
-- Window counts and "the latest run of a repository".
CREATE INDEX runs_repo_started ON runs(repo_id, started_at);

-- The cells (matrix entries) of a run; idx is results.cells' index.
CREATE TABLE cells (
	run_id		INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	idx		INTEGER NOT NULL,
	name		TEXT NOT NULL,
	race		INTEGER NOT NULL,	-- 1, 0, -1 unknown
	gomaxprocs	INTEGER NOT NULL,	-- 0 not set
	count		INTEGER NOT NULL,	-- 0 unknown
	shuffle		INTEGER NOT NULL,
	stress		INTEGER NOT NULL,
	wall_ms		INTEGER NOT NULL,
	PRIMARY KEY (run_id, idx)
) WITHOUT ROWID;

-- A test of a repository, identified by (package, name) forever.
CREATE TABLE tests (
	id		INTEGER PRIMARY KEY,
	repo_id		INTEGER NOT NULL REFERENCES repos(id),
	package		TEXT NOT NULL,
	name		TEXT NOT NULL,
	UNIQUE (repo_id, package, name)
);

-- Result rows: one per test per cell per run, the bulk of the data.
-- Clustered on (run_id, test_id, cell_idx): a run's rows are contiguous,
-- inserts append, and a run is deleted by a range.  No secondary index:
-- per-test history reads verdicts instead.
CREATE TABLE results (
	run_id		INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	test_id		INTEGER NOT NULL REFERENCES tests(id),
	cell_idx	INTEGER NOT NULL,
	status		TEXT NOT NULL,
	passes		INTEGER NOT NULL DEFAULT 0,
	failures	INTEGER NOT NULL DEFAULT 0,
	skips		INTEGER NOT NULL DEFAULT 0,
	notrun		INTEGER NOT NULL DEFAULT 0,
	rerun_passes	INTEGER NOT NULL DEFAULT 0,
	rerun_failures	INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (run_id, test_id, cell_idx)
) WITHOUT ROWID;

-- The overall verdict of each test in a run (over all its cells).
-- executions = passes + failures + skips (not reruns), as in results.h.
CREATE TABLE verdicts (
	run_id		INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	test_id		INTEGER NOT NULL REFERENCES tests(id),
	status		TEXT NOT NULL,
	executions	INTEGER NOT NULL DEFAULT 0,
	passes		INTEGER NOT NULL DEFAULT 0,
	failures	INTEGER NOT NULL DEFAULT 0,
	skips		INTEGER NOT NULL DEFAULT 0,
	notrun		INTEGER NOT NULL DEFAULT 0,
	rerun_passes	INTEGER NOT NULL DEFAULT 0,
	rerun_failures	INTEGER NOT NULL DEFAULT 0,
	seconds		REAL NOT NULL DEFAULT 0,
	new_flaky	INTEGER NOT NULL DEFAULT 0,	-- first time seen flaky
	PRIMARY KEY (run_id, test_id)
) WITHOUT ROWID;
-- A test's history across runs (reporter's test page).
CREATE INDEX verdicts_test ON verdicts(test_id, run_id);

-- Distinct failure causes of a test in a cell of a run (results.h's
-- struct failure, at most RESULTS_MAX_FAILS per test).
CREATE TABLE failures (
	id		INTEGER PRIMARY KEY,
	run_id		INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	test_id		INTEGER NOT NULL REFERENCES tests(id),
	cell_idx	INTEGER NOT NULL,
	kind		TEXT NOT NULL,	-- fail, panic, timeout, race, crash
	file		TEXT,
	line		INTEGER NOT NULL DEFAULT 0,
	message		TEXT NOT NULL,
	signature	TEXT NOT NULL,	-- clusters occurrences of one cause
	output		TEXT,
	count		INTEGER NOT NULL DEFAULT 1,
	rerun		INTEGER NOT NULL DEFAULT 0,	-- only seen in reruns
	seed		INTEGER NOT NULL DEFAULT 0	-- -shuffle seed, 0 none
);
CREATE INDEX failures_run ON failures(run_id, test_id);
CREATE INDEX failures_test ON failures(test_id, run_id);

-- Rollup per (repository, test, UTC day, branch), maintained by
-- store_add_run with UPSERT, only for runs with infra = 0 and only for
-- verdicts passed, flaky and failed.  branch is '' when unknown.
--   runs:        runs in which the test passed, was flaky or failed
--   executions,  passes + failures (not skips, not reruns) summed over
--   failures:    the runs where the test passed or was flaky: the flake
--                rate is failures / executions.  A run where the test
--                failed every time (verdict failed) is a real break, not
--                a flake: it counts only in failed_runs.
--   flaky_runs:  runs with verdict flaky
--   failed_runs: runs with verdict failed
-- Keyed by test first: one test's window is one contiguous range, whatever
-- the number of branches, and a whole repository's rows come out grouped
-- by test (no sort for GROUP BY test_id).
CREATE TABLE daily (
	repo_id		INTEGER NOT NULL REFERENCES repos(id),
	test_id		INTEGER NOT NULL REFERENCES tests(id),
	day		TEXT NOT NULL,
	branch		TEXT NOT NULL,
	runs		INTEGER NOT NULL DEFAULT 0,
	executions	INTEGER NOT NULL DEFAULT 0,
	failures	INTEGER NOT NULL DEFAULT 0,
	flaky_runs	INTEGER NOT NULL DEFAULT 0,
	failed_runs	INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (repo_id, test_id, day, branch)
) WITHOUT ROWID;
-- The tests that failed at least once in a window: a partial index holds
-- only the (few) rows with a failure, so the default flake table finds
-- its tests without reading the passing majority, then sums each one's
-- window through the primary key.  Queries name it (INDEXED BY) and
-- repeat its WHERE term verbatim.
CREATE INDEX daily_failing ON daily(repo_id, day)
	WHERE failures > 0 OR failed_runs > 0;

-- First and last time a test was flaky, per branch (infra = 0 runs only).
-- "First" and "last" order by the run's started_at, then its id, so runs
-- ingested out of order still give the right answer.
CREATE TABLE test_flaky (
	test_id			INTEGER NOT NULL REFERENCES tests(id),
	branch			TEXT NOT NULL,
	first_flaky_run		INTEGER NOT NULL,	-- runs.id, not a foreign key
	first_flaky_commit	TEXT,
	first_flaky_at		TEXT NOT NULL,
	last_flaky_run		INTEGER NOT NULL,
	last_flaky_commit	TEXT,
	last_flaky_at		TEXT NOT NULL,
	PRIMARY KEY (test_id, branch)
) WITHOUT ROWID;
