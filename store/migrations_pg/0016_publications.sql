-- PostgreSQL mirror of store/migrations/0016_publications.sql (same name, same schema):
-- INTEGER is BIGINT (INTEGER PRIMARY KEY: an identity that also takes
-- explicit ids), REAL DOUBLE PRECISION, BLOB BYTEA, times RFC 3339 TEXT;
-- WITHOUT ROWID tables are plain tables keyed by their primary key.

-- Monthly reports the bureau marked public (issue 16 point 3): one row per
-- month published ("2026-11", Beijing months). Unpublishing deletes the
-- row; the audit log keeps both steps (report.publish, report.unpublish).
CREATE TABLE publications (
	month        TEXT PRIMARY KEY,
	published_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
	published_at TEXT NOT NULL
);
