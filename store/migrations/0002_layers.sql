-- Site registries: the geodesic area, the kind's attributes and the rule a
-- site breaks are stored with it, so lists filter by violation.
ALTER TABLE sites ADD COLUMN area_m2 REAL NOT NULL DEFAULT 0;
ALTER TABLE sites ADD COLUMN attrs TEXT NOT NULL DEFAULT '{}';
ALTER TABLE sites ADD COLUMN violation TEXT NOT NULL DEFAULT '';
CREATE INDEX sites_kind_violation ON sites (kind, violation);

-- One row per map layer: every transaction that changes a layer's data
-- raises its version (in the same transaction), so tile caches keyed by
-- version are invalidated exactly when that layer changes, whichever
-- process wrote it.
CREATE TABLE layer_versions (
	layer      TEXT PRIMARY KEY,
	version    INTEGER NOT NULL DEFAULT 0,
	updated_at TEXT NOT NULL DEFAULT ''
);
INSERT INTO layer_versions (layer) VALUES
	('hotspots'), ('events'), ('regions'), ('construction'), ('stockpiles'), ('nocoal'), ('cropland'), ('industrial');
