-- 003_run_docs.sql: the uploaded results documents move out of `runs`.
--
-- A document is megabytes; stored in a column of `runs` it made every
-- read of a later column (group_id, idem_key) walk its overflow pages.
-- In its own table, the document is read only when asked for.  `doc` is
-- the body as uploaded: gzip (starts with 1f 8b) or JSON text.

CREATE TABLE run_docs (
	run_id	INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
	doc	BLOB NOT NULL
);

INSERT INTO run_docs (run_id, doc)
	SELECT id, CAST(results_json AS BLOB) FROM runs
	WHERE results_json IS NOT NULL;
UPDATE runs SET results_json = NULL WHERE results_json IS NOT NULL;
