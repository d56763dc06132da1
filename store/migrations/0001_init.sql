-- skygrid schema 1: the core pipeline.
-- Times are UTC, stored as RFC 3339 text ("2023-10-24T05:36:00Z"), which
-- sorts in time order. Geometry is WKB (WGS84) with its bounding box.

CREATE TABLE regions (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	level      TEXT NOT NULL CHECK (level IN ('city', 'county', 'township', 'grid')),
	parent_id  TEXT,
	geom       BLOB NOT NULL,
	min_lon    REAL NOT NULL,
	min_lat    REAL NOT NULL,
	max_lon    REAL NOT NULL,
	max_lat    REAL NOT NULL,
	area_km2   REAL NOT NULL,
	demo       INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX regions_level_parent ON regions (level, parent_id);

CREATE TABLE supervisors (
	id         INTEGER PRIMARY KEY,
	grid_id    TEXT NOT NULL UNIQUE REFERENCES regions (id) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	phone      TEXT NOT NULL,
	demo       INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

CREATE TABLE sites (
	id          INTEGER PRIMARY KEY,
	kind        TEXT NOT NULL CHECK (kind IN ('construction', 'stockpile', 'nocoal', 'cropland', 'industrial')),
	external_id TEXT NOT NULL,
	name        TEXT NOT NULL,
	geom        BLOB NOT NULL,
	min_lon     REAL NOT NULL,
	min_lat     REAL NOT NULL,
	max_lon     REAL NOT NULL,
	max_lat     REAL NOT NULL,
	props       TEXT NOT NULL DEFAULT '{}',
	source      TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL,
	UNIQUE (kind, external_id)
);
CREATE INDEX sites_kind_bbox ON sites (kind, min_lon, max_lon);

CREATE TABLE ingest_batches (
	id             INTEGER PRIMARY KEY,
	file           TEXT NOT NULL,
	format         TEXT NOT NULL,
	rows           INTEGER NOT NULL DEFAULT 0,
	new            INTEGER NOT NULL DEFAULT 0,
	duplicates     INTEGER NOT NULL DEFAULT 0,
	rejected       INTEGER NOT NULL DEFAULT 0,
	outside        INTEGER NOT NULL DEFAULT 0,
	low_confidence INTEGER NOT NULL DEFAULT 0,
	static         INTEGER NOT NULL DEFAULT 0,
	events_new     INTEGER NOT NULL DEFAULT 0,
	events_updated INTEGER NOT NULL DEFAULT 0,
	tasks_new      INTEGER NOT NULL DEFAULT 0,
	errors         TEXT NOT NULL DEFAULT '[]',
	started_at     TEXT NOT NULL,
	finished_at    TEXT
);

CREATE TABLE events (
	id            INTEGER PRIMARY KEY,
	class         TEXT NOT NULL,
	state         TEXT NOT NULL CHECK (state IN ('open', 'closed')),
	first_seen    TEXT NOT NULL,
	last_seen     TEXT NOT NULL,
	lon           REAL NOT NULL,
	lat           REAL NOT NULL,
	min_lon       REAL NOT NULL,
	min_lat       REAL NOT NULL,
	max_lon       REAL NOT NULL,
	max_lat       REAL NOT NULL,
	hotspot_count INTEGER NOT NULL,
	max_frp       REAL NOT NULL,
	grid_id       TEXT,
	township_id   TEXT,
	county_id     TEXT,
	assigned_by   TEXT NOT NULL,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
);
CREATE INDEX events_last_seen ON events (last_seen);
CREATE INDEX events_first_seen ON events (first_seen);
CREATE INDEX events_grid ON events (grid_id);
CREATE INDEX events_county ON events (county_id);

-- Hotspots: acq_time is Unix seconds (UTC, whole minutes, as FIRMS and
-- Himawari give them) and the position is kept at 5 decimals (1.1 m), the
-- precision of the source files.
--
-- The id is the acquisition minute times 2^20 plus a sequence number, so
-- the table itself (SQLite's rowid B-tree) is in time order and time
-- ranges are id ranges: no second index to keep up on every insert, which
-- is what lets a million-row file go in at 200,000 rows/s. The dedupe key
-- of DESIGN.md (source, satellite, minute, position) is enforced by the
-- ingest transaction, the only writer, which drops rows whose key is in
-- the file twice or already stored (store.KeyOf, ExistingKeys; tested).
-- For the same reason batch_id and event_id carry no REFERENCES clause;
-- store tests check that no hotspot names a missing batch or event.
CREATE TABLE hotspots (
	id            INTEGER PRIMARY KEY,
	acq_time      INTEGER NOT NULL,
	source        TEXT NOT NULL,
	satellite     TEXT NOT NULL,
	lat_e5        INTEGER NOT NULL,
	lon_e5        INTEGER NOT NULL,
	brightness    REAL NOT NULL,
	bright_t31    REAL NOT NULL,
	scan          REAL NOT NULL,
	track         REAL NOT NULL,
	frp           REAL NOT NULL,
	confidence    TEXT NOT NULL,
	daynight      TEXT NOT NULL,
	version       TEXT NOT NULL,
	type          INTEGER NOT NULL,
	batch_id      INTEGER NOT NULL,
	status        TEXT NOT NULL,
	status_reason TEXT NOT NULL DEFAULT '',
	event_id      INTEGER
);

CREATE TABLE tasks (
	id            INTEGER PRIMARY KEY,
	event_id      INTEGER NOT NULL UNIQUE REFERENCES events (id),
	grid_id       TEXT,
	supervisor_id INTEGER REFERENCES supervisors (id) ON DELETE SET NULL,
	state         TEXT NOT NULL CHECK (state IN ('dispatched', 'acknowledged', 'reported', 'closed')),
	ack_due       TEXT NOT NULL,
	report_due    TEXT NOT NULL,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
);
CREATE INDEX tasks_state ON tasks (state);
CREATE INDEX tasks_grid ON tasks (grid_id);

-- The audit log is append-only: triggers refuse updates and deletes.
CREATE TABLE audit_log (
	id        INTEGER PRIMARY KEY,
	at        TEXT NOT NULL,
	actor     TEXT NOT NULL,
	action    TEXT NOT NULL,
	entity    TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	before    TEXT NOT NULL DEFAULT '',
	after     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;
