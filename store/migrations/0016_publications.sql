-- Monthly reports the bureau marked public (issue 16 point 3): one row per
-- month published ("2026-11", Beijing months). Unpublishing deletes the
-- row; the audit log keeps both steps (report.publish, report.unpublish).
CREATE TABLE publications (
	month        TEXT PRIMARY KEY,
	published_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
	published_at TEXT NOT NULL
);
