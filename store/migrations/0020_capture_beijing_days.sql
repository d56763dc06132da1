-- readings_capture_daily (migration 0019) by Beijing day, not UTC day:
-- day is the start of the day in Beijing time (UTC+8, no daylight saving),
-- Unix seconds: an hour's start minus its rest of 86400 after adding 8
-- hours. Every period the statistics pages ask for starts and ends on a
-- Beijing midnight, so a month is read from its whole days alone; by UTC
-- day each such period had 8 and 16 hours at its two ends read from
-- readings_hourly, most of a province's month's capture time. Periods off
-- the Beijing days still read their edges from readings_hourly.
DELETE FROM readings_capture_daily;

INSERT INTO readings_capture_daily (monitor_id, day, hours, valid_minutes)
SELECT monitor_id, hour - (hour + 28800) % 86400, COUNT(*), SUM(v) FROM (
	SELECT monitor_id, hour, MAX(CASE WHEN factor IN ('pm10', 'pm25', 'tsp') AND kind IN ('rtd', 'minute')
		THEN CASE WHEN n_valid < 60 THEN n_valid ELSE 60 END ELSE 0 END) v
	FROM readings_hourly GROUP BY monitor_id, hour HAVING MAX(n_all) > 0) h
GROUP BY monitor_id, hour - (hour + 28800) % 86400;
