-- Live feeds: the health of each pulled source.
CREATE TABLE feed_status (
	source           TEXT PRIMARY KEY,
	last_attempt     TEXT NOT NULL DEFAULT '',
	last_success     TEXT NOT NULL DEFAULT '',
	last_error       TEXT NOT NULL DEFAULT '',
	last_error_at    TEXT NOT NULL DEFAULT '',
	rows_last        INTEGER NOT NULL DEFAULT 0, -- rows in the last answer
	added_last       INTEGER NOT NULL DEFAULT 0, -- new hotspots from it
	added_total      INTEGER NOT NULL DEFAULT 0,
	pulls            INTEGER NOT NULL DEFAULT 0,
	errors           INTEGER NOT NULL DEFAULT 0,
	newest_detection TEXT NOT NULL DEFAULT '',
	failing_since    TEXT NOT NULL DEFAULT '',
	notified_at      TEXT NOT NULL DEFAULT '' -- when the admins were told it fails
);

-- End-to-end latency: when the file or answer arrived, and how long until
-- its tasks were stored.
ALTER TABLE ingest_batches ADD COLUMN arrived_at TEXT NOT NULL DEFAULT '';
ALTER TABLE ingest_batches ADD COLUMN latency_ms INTEGER;
ALTER TABLE ingest_batches ADD COLUMN origin TEXT NOT NULL DEFAULT 'cli'; -- cli, feed, watch

