-- 006_group_rows.sql: what the PR comment of a sharded run needs from each
-- upload, kept in rows, so the reporter merges the shards of a run from
-- rows (core/store_group.c) instead of inflating and parsing every earlier
-- shard's document again on each upload.
--
-- run_packages: every package of an upload, with the directory its repro
-- commands cd to and its build or setup error.  verdicts.class: the
-- gate's class of the test when it was uploaded (NULL: none);
-- verdicts.order_*: the order dependency bisection found (the test it
-- fails after, the -shuffle seed, the cell's index; NULL: none).
-- cells.parallel: the -test.parallel the cell pinned (0: not pinned).
-- runs.rows_complete: 1 for uploads recorded with all of the above (since
-- this migration); older ones are merged from their document.

CREATE TABLE run_packages (
	run_id	INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	package	TEXT NOT NULL,
	dir	TEXT,
	status	TEXT NOT NULL,
	error	TEXT,
	PRIMARY KEY (run_id, package)
) WITHOUT ROWID;

ALTER TABLE verdicts ADD COLUMN class TEXT;
ALTER TABLE verdicts ADD COLUMN order_after TEXT;
ALTER TABLE verdicts ADD COLUMN order_seed INTEGER;
ALTER TABLE verdicts ADD COLUMN order_cell INTEGER;
ALTER TABLE cells ADD COLUMN parallel INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN rows_complete INTEGER NOT NULL DEFAULT 0;

-- tokens.pr_only: 1 for a token that uploads only pull-request runs (the
-- fork recipe's, flake-reporter token create --pr-only): the reporter
-- refuses its uploads without a PR number and records them under the
-- branch "pr:N", which no git branch can be named, so they never become
-- a branch's history (docs/ACTION.md, "Pull requests from forks").
ALTER TABLE tokens ADD COLUMN pr_only INTEGER NOT NULL DEFAULT 0;
