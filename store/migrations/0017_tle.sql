-- The latest fetched set of the fire satellites' orbital elements (TLE, in
-- CelesTrak's 3-line text), its newest epoch and when and where it was
-- fetched: one row, replaced by each successful fetch. Without a row the
-- passes come from the set embedded in the binary (orbit/tle/fallback.txt).
CREATE TABLE tle_sets (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	text       TEXT NOT NULL,
	epoch      TEXT NOT NULL, -- UTC, the newest epoch in the set
	fetched_at TEXT NOT NULL, -- UTC
	url        TEXT NOT NULL DEFAULT ''
);
