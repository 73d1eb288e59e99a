-- 007_group_verdicts.sql: each test's verdict in a run group of several
-- uploads (the shards or matrix jobs of one workflow run), as the uploads
-- merge: per test and cell, the PR comment's merge (core/store.c,
-- group_totals()), rewritten on every further upload.  A cell split over
-- two shards that failed in one and passed in the other is flaky here,
-- where the worst of the uploads' verdicts would say failed.  The run and
-- test pages read it; a group of one upload has no rows (its verdicts are
-- its own), nor do groups recorded before this migration.

CREATE TABLE group_verdicts (
	group_id	INTEGER NOT NULL REFERENCES run_groups(id),
	test_id		INTEGER NOT NULL REFERENCES tests(id),
	status		TEXT NOT NULL,
	PRIMARY KEY (group_id, test_id)
) WITHOUT ROWID;
