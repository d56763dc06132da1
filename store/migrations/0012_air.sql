-- The city's air (issue 15 point 4): national and provincial air-quality
-- stations, and their hourly concentrations as CNEMC publishes them.
--
-- county_id is the county region holding the station, computed from the
-- regions at import ('' outside them).
CREATE TABLE air_stations (
	code       TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	city       TEXT NOT NULL DEFAULT '',
	county_id  TEXT NOT NULL DEFAULT '',
	lon        REAL NOT NULL,
	lat        REAL NOT NULL,
	network    TEXT NOT NULL DEFAULT 'national' CHECK (network IN ('national', 'provincial')),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX air_stations_county ON air_stations (county_id);

-- One row per station and hour (UTC, the hour's label). A pollutant not
-- given is NULL; missing names those published as missing ('-'),
-- comma-separated. aqi and primary_pollutant are as published.
CREATE TABLE air_hourly (
	station    TEXT NOT NULL REFERENCES air_stations (code),
	hour       TEXT NOT NULL,
	pm25       REAL,
	pm25_24h   REAL,
	pm10       REAL,
	pm10_24h   REAL,
	so2        REAL,
	so2_24h    REAL,
	no2        REAL,
	no2_24h    REAL,
	co         REAL,
	co_24h     REAL,
	o3         REAL,
	o3_24h     REAL,
	o3_8h      REAL,
	o3_8h_24h  REAL,
	missing    TEXT NOT NULL DEFAULT '',
	aqi        INTEGER,
	primary_pollutant TEXT NOT NULL DEFAULT '',
	updated_at TEXT NOT NULL,
	PRIMARY KEY (station, hour)
) WITHOUT ROWID;
CREATE INDEX air_hourly_hour ON air_hourly (hour);
