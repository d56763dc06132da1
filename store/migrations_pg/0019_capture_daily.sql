-- PostgreSQL mirror of store/migrations/0019_capture_daily.sql: each dust
-- monitor's hours with a reading and valid particulate minutes per UTC
-- day (day: the day's start, Unix seconds), backfilled from
-- readings_hourly and kept by store/reading.go in the same transaction.
CREATE TABLE readings_capture_daily (
	monitor_id    BIGINT NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
	day           BIGINT NOT NULL,
	hours         BIGINT NOT NULL,
	valid_minutes BIGINT NOT NULL,
	PRIMARY KEY (monitor_id, day)
);

INSERT INTO readings_capture_daily (monitor_id, day, hours, valid_minutes)
SELECT monitor_id, hour - hour % 86400, COUNT(*), SUM(v) FROM (
	SELECT monitor_id, hour, MAX(CASE WHEN factor IN ('pm10', 'pm25', 'tsp') AND kind IN ('rtd', 'minute')
		THEN CASE WHEN n_valid < 60 THEN n_valid ELSE 60 END ELSE 0 END) v
	FROM readings_hourly GROUP BY monitor_id, hour HAVING MAX(n_all) > 0) h
GROUP BY monitor_id, hour - hour % 86400;
