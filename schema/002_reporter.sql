-- 002_reporter.sql: migration 2, what flake-reporter adds to the history
-- store: upload tokens, run groups (the merged runs of docs/API.md),
-- idempotency keys, and the indexes of the API's queries.
--
-- Applied by core/store.c inside one transaction (with foreign keys on),
-- which then sets PRAGMA user_version = 2.  Existing databases (the
-- collector's .flake/history.db) migrate in place: every run gets a group.
-- Never edit a released migration: add 003_....sql instead.

-- Upload tokens.  Only the SHA-256 of the token text ("flk_" + 64 hex
-- digits) is stored; the text is shown once, when it is made.  A token
-- writes only its repository.  Revoked tokens stay (revoked_at set), so
-- the list shows what was revoked when.
CREATE TABLE tokens (
	id		INTEGER PRIMARY KEY,
	repo_id		INTEGER NOT NULL REFERENCES repos(id),
	hash		BLOB NOT NULL UNIQUE,	-- SHA-256 of the token text
	label		TEXT,
	created_at	INTEGER NOT NULL,	-- unix seconds
	last_used_at	INTEGER,		-- NULL: never used
	revoked_at	INTEGER			-- NULL: valid
);
CREATE INDEX tokens_repo ON tokens(repo_id);

-- A run as users see it: every upload (job, shard) of one workflow run
-- attempt.  group_key is "repository/gh_run_id/attempt" when the upload
-- has a GitHub run id, else the upload's own run_key (a group of one).
-- The metadata is the first upload's, NULLs filled by later ones; the
-- aggregates are maintained by store_add_run in the upload's transaction:
--   started_at:  the earliest upload's runs.started_at
--   uploads:     number of runs rows in the group
--   tests, n_*:  distinct tests of the group and their merged verdicts
--                (worst of: failed > flaky > passed > skipped > notrun)
--   infra:       1 when any upload is an infra run
-- DELETE FROM run_groups prunes a group with its runs (cascade).
CREATE TABLE run_groups (
	id		INTEGER PRIMARY KEY,
	repo_id		INTEGER NOT NULL REFERENCES repos(id),
	group_key	TEXT NOT NULL UNIQUE,
	created_at	INTEGER NOT NULL,	-- unix seconds, first upload
	started_at	TEXT NOT NULL,
	pr		INTEGER,
	branch		TEXT,
	base_branch	TEXT,
	commit_sha	TEXT,
	uploads		INTEGER NOT NULL DEFAULT 0,
	tests		INTEGER NOT NULL DEFAULT 0,
	n_failed	INTEGER NOT NULL DEFAULT 0,
	n_flaky		INTEGER NOT NULL DEFAULT 0,
	n_passed	INTEGER NOT NULL DEFAULT 0,
	n_skipped	INTEGER NOT NULL DEFAULT 0,
	n_notrun	INTEGER NOT NULL DEFAULT 0,
	infra		INTEGER NOT NULL DEFAULT 0
);
-- The runs list (newest first, "before" an id) of a repository.
CREATE INDEX run_groups_repo ON run_groups(repo_id);
-- Runs of a repository in a window (the repository list, runs counts).
CREATE INDEX run_groups_repo_started ON run_groups(repo_id, started_at);

-- NULL only transiently: store_add_run sets it on every run.
ALTER TABLE runs ADD COLUMN group_id INTEGER
	REFERENCES run_groups(id) ON DELETE CASCADE;
-- The upload's Idempotency-Key header, unique per repository.
ALTER TABLE runs ADD COLUMN idem_key TEXT;

-- Backfill: the existing runs grouped by the same rule as new uploads
-- (a collector's local runs are one group each), metadata from each
-- group's first run.
INSERT INTO run_groups(repo_id, group_key, created_at, started_at, pr,
		       branch, base_branch, commit_sha)
SELECT r.repo_id, k.key, r.created_at, r.started_at, r.pr, r.branch,
	r.base_branch, r.commit_sha
FROM (SELECT min(runs.id) AS first,
	CASE WHEN runs.gh_run_id <> '' THEN repos.name || '/' ||
		runs.gh_run_id || '/' || coalesce(runs.run_attempt, 1)
	ELSE runs.run_key END AS key
	FROM runs JOIN repos ON repos.id = runs.repo_id
	GROUP BY key) AS k
JOIN runs r ON r.id = k.first
ORDER BY k.first;

UPDATE runs SET group_id = (SELECT g.id FROM run_groups g, repos p
	WHERE p.id = runs.repo_id AND g.group_key =
	CASE WHEN runs.gh_run_id <> '' THEN p.name || '/' ||
		runs.gh_run_id || '/' || coalesce(runs.run_attempt, 1)
	ELSE runs.run_key END);

UPDATE run_groups SET
	uploads = (SELECT count(*) FROM runs WHERE group_id = run_groups.id),
	started_at = (SELECT min(started_at) FROM runs
		WHERE group_id = run_groups.id),
	infra = (SELECT max(infra) FROM runs WHERE group_id = run_groups.id);

-- A group of one upload has that upload's totals ...
UPDATE run_groups SET (tests, n_failed, n_flaky, n_passed, n_skipped,
		       n_notrun) =
	(SELECT tests, n_failed, n_flaky, n_passed, n_skipped, n_notrun
	 FROM runs WHERE group_id = run_groups.id)
WHERE uploads = 1;

-- ... a larger one merges its verdicts per test (the same statement as
-- store.c's ST_GROUP_MERGE).
UPDATE run_groups SET (tests, n_failed, n_flaky, n_passed, n_skipped,
		       n_notrun) =
	(SELECT count(*), coalesce(sum(w = 4), 0), coalesce(sum(w = 3), 0),
		coalesce(sum(w = 2), 0), coalesce(sum(w = 1), 0),
		coalesce(sum(w = 0), 0)
	 FROM (SELECT max(CASE v.status WHEN 'failed' THEN 4
			WHEN 'flaky' THEN 3 WHEN 'passed' THEN 2
			WHEN 'skipped' THEN 1 ELSE 0 END) AS w
	       FROM runs r JOIN verdicts v ON v.run_id = r.id
	       WHERE r.group_id = run_groups.id GROUP BY v.test_id))
WHERE uploads > 1;

-- A group's uploads (merging, the run page).
CREATE INDEX runs_group ON runs(group_id);
-- Idempotency-Key lookups; most runs have none.
CREATE UNIQUE INDEX runs_idem ON runs(repo_id, idem_key)
	WHERE idem_key IS NOT NULL;
