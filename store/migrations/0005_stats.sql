-- Statistics read events by first detection with their class, hotspot
-- count and areas: a covering index answers without the table.
CREATE INDEX events_stats ON events (first_seen, class, hotspot_count, county_id, township_id, grid_id);
