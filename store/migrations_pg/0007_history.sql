-- PostgreSQL mirror of store/migrations/0007_history.sql (same name, same schema):
-- INTEGER is BIGINT (INTEGER PRIMARY KEY: an identity that also takes
-- explicit ids), REAL DOUBLE PRECISION, BLOB BYTEA, times RFC 3339 TEXT;
-- WITHOUT ROWID tables are plain tables keyed by their primary key.

-- The past is not the present; fires outside the city are not the city's.
--
-- history: the event was opened from detections older than the pipeline's
-- max_age when they arrived (a back-filled archive): no task, no deadline,
-- no notification. It becomes live (history = 0, with a task) when a
-- fresh detection joins it.
ALTER TABLE events ADD COLUMN history BIGINT NOT NULL DEFAULT 0;
-- cross_border: the event lies outside every imported county (in the
-- area margin): kept for joint control (联防联控), no task, counted apart
-- from the city's figures. near_*: the nearest of our counties, how far
-- and in which direction the fire lies from it; neighbour_id: the
-- neighbouring county holding it, where neighbours are imported.
ALTER TABLE events ADD COLUMN cross_border BIGINT NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN near_county_id TEXT;
ALTER TABLE events ADD COLUMN near_metres DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN near_direction TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN neighbour_id TEXT;
-- Events stored before this migration outside every county (no grid, no
-- township, no county, while counties are imported) were fires in the
-- margin: they are cross-border (their tasks, if any, are kept).
UPDATE events SET cross_border = 1
	WHERE grid_id IS NULL AND township_id IS NULL AND county_id IS NULL AND EXISTS (SELECT 1 FROM regions WHERE level = 'county');

-- neighbour: a county of a neighbouring city, imported (`import regions
-- --level county --neighbour`) only to name where a cross-border fire
-- burns. Not part of the area, no grids, not listed with our regions.
ALTER TABLE regions ADD COLUMN neighbour BIGINT NOT NULL DEFAULT 0;

-- The statistics leave cross-border events out: the covering index of
-- 0005 gains the flag, so they are still answered from the index alone.
DROP INDEX events_stats;
CREATE INDEX events_stats ON events (first_seen, class, hotspot_count, county_id, township_id, grid_id, cross_border);

-- Of a batch's new events, those that got no task on purpose.
ALTER TABLE ingest_batches ADD COLUMN events_history BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ingest_batches ADD COLUMN events_cross_border BIGINT NOT NULL DEFAULT 0;
