-- PostgreSQL mirror of store/migrations/0004_feeds.sql (same name, same schema):
-- INTEGER is BIGINT (INTEGER PRIMARY KEY: an identity that also takes
-- explicit ids), REAL DOUBLE PRECISION, BLOB BYTEA, times RFC 3339 TEXT;
-- WITHOUT ROWID tables are plain tables keyed by their primary key.

-- Live feeds: the health of each pulled source.
CREATE TABLE feed_status (
	source           TEXT PRIMARY KEY,
	last_attempt     TEXT NOT NULL DEFAULT '',
	last_success     TEXT NOT NULL DEFAULT '',
	last_error       TEXT NOT NULL DEFAULT '',
	last_error_at    TEXT NOT NULL DEFAULT '',
	rows_last        BIGINT NOT NULL DEFAULT 0, -- rows in the last answer
	added_last       BIGINT NOT NULL DEFAULT 0, -- new hotspots from it
	added_total      BIGINT NOT NULL DEFAULT 0,
	pulls            BIGINT NOT NULL DEFAULT 0,
	errors           BIGINT NOT NULL DEFAULT 0,
	newest_detection TEXT NOT NULL DEFAULT '',
	failing_since    TEXT NOT NULL DEFAULT '',
	notified_at      TEXT NOT NULL DEFAULT '' -- when the admins were told it fails
);

-- End-to-end latency: when the file or answer arrived, and how long until
-- its tasks were stored.
ALTER TABLE ingest_batches ADD COLUMN arrived_at TEXT NOT NULL DEFAULT '';
ALTER TABLE ingest_batches ADD COLUMN latency_ms BIGINT;
ALTER TABLE ingest_batches ADD COLUMN origin TEXT NOT NULL DEFAULT 'cli'; -- cli, feed, watch

