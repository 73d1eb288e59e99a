-- 004_counters.sql: running totals that /metrics reads in one lookup
-- instead of counting tables (`results` has no rowid to take a max of).
-- store_add_run_ex() adds to them in the upload's transaction.

CREATE TABLE counters (
	name	TEXT PRIMARY KEY,
	value	INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO counters (name, value) SELECT 'result_rows', count(*) FROM results;
INSERT INTO counters (name, value) SELECT 'uploads', count(*) FROM runs;
