-- 005_quarantine.sql: the quarantine list (docs/GATE.md, "Quarantine").
--
-- A quarantined test still runs; its failures never fail the job.  An
-- entry is active while released_at is NULL; releasing keeps the row, so
-- a test that flakes again after its release is "regressed".  rate_at_add
-- is p0, the test's failure rate when it was quarantined: release needs
-- enough clean executions to reject "rate >= p0" (stats_release_need()).
CREATE TABLE quarantine (
	id		INTEGER PRIMARY KEY,
	repo_id		INTEGER NOT NULL REFERENCES repos(id),
	package		TEXT NOT NULL,
	name		TEXT NOT NULL,
	reason		TEXT NOT NULL,
	added_by	TEXT NOT NULL,
	added_at	TEXT NOT NULL,		-- 'YYYY-MM-DDTHH:MM:SSZ'
	issue_url	TEXT,
	rate_at_add	REAL NOT NULL,
	released_at	TEXT
);

CREATE UNIQUE INDEX quarantine_active ON quarantine(repo_id, package, name)
	WHERE released_at IS NULL;
CREATE INDEX quarantine_test ON quarantine(repo_id, package, name, released_at);
