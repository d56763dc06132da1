-- PostgreSQL mirror of store/migrations/0005_stats.sql (same name, same schema):
-- INTEGER is BIGINT (INTEGER PRIMARY KEY: an identity that also takes
-- explicit ids), REAL DOUBLE PRECISION, BLOB BYTEA, times RFC 3339 TEXT;
-- WITHOUT ROWID tables are plain tables keyed by their primary key.

-- Statistics read events by first detection with their class, hotspot
-- count and areas: a covering index answers without the table.
CREATE INDEX events_stats ON events (first_seen, class, hotspot_count, county_id, township_id, grid_id);
