-- PostgreSQL mirror of store/migrations/0020_capture_beijing_days.sql:
-- readings_capture_daily by Beijing day (UTC+8), not UTC day.
DELETE FROM readings_capture_daily;

INSERT INTO readings_capture_daily (monitor_id, day, hours, valid_minutes)
SELECT monitor_id, hour - (hour + 28800) % 86400, COUNT(*), SUM(v) FROM (
	SELECT monitor_id, hour, MAX(CASE WHEN factor IN ('pm10', 'pm25', 'tsp') AND kind IN ('rtd', 'minute')
		THEN CASE WHEN n_valid < 60 THEN n_valid ELSE 60 END ELSE 0 END) v
	FROM readings_hourly GROUP BY monitor_id, hour HAVING MAX(n_all) > 0) h
GROUP BY monitor_id, hour - (hour + 28800) % 86400;
