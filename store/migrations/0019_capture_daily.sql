-- Each dust monitor's capture per UTC day, from readings_hourly: the hours
-- with any reading and the valid particulate minutes (per hour the most
-- valid PM10, PM2.5 or TSP values of one realtime or minute factor, at
-- most 60), exactly what the dust statistics count for a whole day. day is
-- the day's start, Unix seconds (an hour's start minus its rest of 86400).
-- Kept in the transaction that writes readings_hourly (store/reading.go
-- recomputes each monitor-day it touched), so a month of a province is
-- read from 30 rows a monitor, not 720 hours of several factors.
CREATE TABLE readings_capture_daily (
	monitor_id    INTEGER NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
	day           INTEGER NOT NULL,
	hours         INTEGER NOT NULL,
	valid_minutes INTEGER NOT NULL,
	PRIMARY KEY (monitor_id, day)
) WITHOUT ROWID;

INSERT INTO readings_capture_daily (monitor_id, day, hours, valid_minutes)
SELECT monitor_id, hour - hour % 86400, COUNT(*), SUM(v) FROM (
	SELECT monitor_id, hour, MAX(CASE WHEN factor IN ('pm10', 'pm25', 'tsp') AND kind IN ('rtd', 'minute')
		THEN CASE WHEN n_valid < 60 THEN n_valid ELSE 60 END ELSE 0 END) v
	FROM readings_hourly GROUP BY monitor_id, hour HAVING MAX(n_all) > 0) h
GROUP BY monitor_id, hour - hour % 86400;
