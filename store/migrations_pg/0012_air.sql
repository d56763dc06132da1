-- PostgreSQL mirror of store/migrations/0012_air.sql (same name, same schema):
-- INTEGER is BIGINT (INTEGER PRIMARY KEY: an identity that also takes
-- explicit ids), REAL DOUBLE PRECISION, BLOB BYTEA, times RFC 3339 TEXT;
-- WITHOUT ROWID tables are plain tables keyed by their primary key.

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
	lon        DOUBLE PRECISION NOT NULL,
	lat        DOUBLE PRECISION NOT NULL,
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
	pm25       DOUBLE PRECISION,
	pm25_24h   DOUBLE PRECISION,
	pm10       DOUBLE PRECISION,
	pm10_24h   DOUBLE PRECISION,
	so2        DOUBLE PRECISION,
	so2_24h    DOUBLE PRECISION,
	no2        DOUBLE PRECISION,
	no2_24h    DOUBLE PRECISION,
	co         DOUBLE PRECISION,
	co_24h     DOUBLE PRECISION,
	o3         DOUBLE PRECISION,
	o3_24h     DOUBLE PRECISION,
	o3_8h      DOUBLE PRECISION,
	o3_8h_24h  DOUBLE PRECISION,
	missing    TEXT NOT NULL DEFAULT '',
	aqi        BIGINT,
	primary_pollutant TEXT NOT NULL DEFAULT '',
	updated_at TEXT NOT NULL,
	PRIMARY KEY (station, hour)
);
CREATE INDEX air_hourly_hour ON air_hourly (hour);
