-- PostgreSQL mirror of store/migrations/0002_layers.sql (same name, same schema):
-- INTEGER is BIGINT (INTEGER PRIMARY KEY: an identity that also takes
-- explicit ids), REAL DOUBLE PRECISION, BLOB BYTEA, times RFC 3339 TEXT;
-- WITHOUT ROWID tables are plain tables keyed by their primary key.

-- Site registries: the geodesic area, the kind's attributes and the rule a
-- site breaks are stored with it, so lists filter by violation.
ALTER TABLE sites ADD COLUMN area_m2 DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE sites ADD COLUMN attrs TEXT NOT NULL DEFAULT '{}';
ALTER TABLE sites ADD COLUMN violation TEXT NOT NULL DEFAULT '';
CREATE INDEX sites_kind_violation ON sites (kind, violation);

-- One row per map layer: every transaction that changes a layer's data
-- raises its version (in the same transaction), so tile caches keyed by
-- version are invalidated exactly when that layer changes, whichever
-- process wrote it.
CREATE TABLE layer_versions (
	layer      TEXT PRIMARY KEY,
	version    BIGINT NOT NULL DEFAULT 0,
	updated_at TEXT NOT NULL DEFAULT ''
);
INSERT INTO layer_versions (layer) VALUES
	('hotspots'), ('events'), ('regions'), ('construction'), ('stockpiles'), ('nocoal'), ('cropland'), ('industrial');
