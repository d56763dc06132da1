-- Dust alarms become tasks (issue 15 point 6).
--
-- A dust event is about a site and the monitor standing on it: site_id and
-- monitor_id (NULL for fire events). alarm_count is how many alarms the
-- open event has taken (the first included): more alarms while it is open
-- update it (last_seen, alarm_count), never a second task. rule names the
-- dust rule of the first alarm, or the registry violation of a
-- site_inspection event ("video", "uncovered").
ALTER TABLE events ADD COLUMN site_id INTEGER REFERENCES sites (id) ON DELETE SET NULL;
ALTER TABLE events ADD COLUMN monitor_id INTEGER REFERENCES monitors (id) ON DELETE SET NULL;
ALTER TABLE events ADD COLUMN alarm_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN rule TEXT NOT NULL DEFAULT '';
-- The open dust event of a monitor and class, or of a site and violation.
CREATE INDEX events_monitor_open ON events (monitor_id, class) WHERE monitor_id IS NOT NULL AND state = 'open';
CREATE INDEX events_site_open ON events (site_id, class, rule) WHERE site_id IS NOT NULL AND state = 'open';

-- One row per exceeding window or data-quality finding of a monitor:
-- rule is the dustrule name (a preset, or silent, stuck, out_of_range,
-- low_capture), class the event class it opens (dust_exceedance or
-- monitor_offline). window_start and window_end (UTC, as every time in
-- the store) bound the window or stretch; value and limit_value are in
-- µg/m³ for exceedances, minutes for silence and stuck values, % for the
-- capture rate. event_id is the event that took it. Unique on (monitor_id,
-- rule, window_start): checking a window again never doubles it.
-- site_id, county_id and grid_id are as at the alarm (the statistics
-- group by them).
CREATE TABLE dust_alarms (
	id           INTEGER PRIMARY KEY,
	monitor_id   INTEGER NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
	site_id      INTEGER REFERENCES sites (id) ON DELETE SET NULL,
	county_id    TEXT,
	grid_id      TEXT,
	rule         TEXT NOT NULL,
	class        TEXT NOT NULL CHECK (class IN ('dust_exceedance', 'monitor_offline')),
	window_start TEXT NOT NULL,
	window_end   TEXT NOT NULL,
	value        REAL NOT NULL,
	limit_value  REAL NOT NULL,
	detail       TEXT NOT NULL DEFAULT '',
	event_id     INTEGER REFERENCES events (id) ON DELETE SET NULL,
	created_at   TEXT NOT NULL,
	UNIQUE (monitor_id, rule, window_start)
);
CREATE INDEX dust_alarms_start ON dust_alarms (window_start);
CREATE INDEX dust_alarms_site ON dust_alarms (site_id, window_start);
CREATE INDEX dust_alarms_event ON dust_alarms (event_id);
