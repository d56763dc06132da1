-- Dust surveillance (issue 15): monitors, their readings, hourly
-- aggregates and the rejected-packet log.

CREATE TABLE monitors (
	id           INTEGER PRIMARY KEY,
	mn           TEXT NOT NULL UNIQUE,
	password     TEXT NOT NULL DEFAULT '',
	name         TEXT NOT NULL,
	kind         TEXT NOT NULL DEFAULT 'dust' CHECK (kind IN ('dust', 'station')),
	lon          REAL NOT NULL,
	lat          REAL NOT NULL,
	site_id      INTEGER REFERENCES sites (id) ON DELETE SET NULL,
	video_url    TEXT NOT NULL DEFAULT '',
	snapshot_url TEXT NOT NULL DEFAULT '',
	lenient_length_counts_trailer INTEGER NOT NULL DEFAULT 0,
	lenient_modbus_crc            INTEGER NOT NULL DEFAULT 0,
	lenient_lowercase_hex         INTEGER NOT NULL DEFAULT 0,
	demo         INTEGER NOT NULL DEFAULT 0,
	-- Video probing (phase 2): when the snapshot was last fetched, when
	-- it was last tried, and the last failure ('' when it worked).
	video_seen_at    TEXT,
	video_checked_at TEXT,
	video_error      TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL
);
CREATE INDEX monitors_site ON monitors (site_id);

-- Readings are the largest table by far: a province is 5,000 monitors
-- each sending a packet a minute (7.2 million rows a day), and a year of
-- minute data for 1,000 monitors is 525 million rows. So the layout is
-- compact, unlike the rest of the schema:
--  * one row per monitor, kind and data time, with a column per factor
--    (NULL when not sent: one byte), not one row per value;
--  * values are INTEGER hundredths of their unit (8530 is 85.30 µg/m³,
--    8950 is 89.50 kPa), rounded to the hundredth: 1 to 4 bytes each
--    instead of a REAL's 8 (HJ 212 devices send at most 3 decimals of
--    mg/m³, whole µg/m³, and 1 or 2 decimals of the other factors);
--  * WITHOUT ROWID with the key (monitor_id, kind, at): the table is its
--    own index, rows of one monitor lie together in time order (a chart
--    reads a contiguous range), and a resend of the same data time is
--    found by the key (INSERT OR IGNORE: the first copy is kept);
--  * times are INTEGER Unix seconds UTC (at most 6 bytes, not 20 of
--    text): at is the data time, received_at when skygrid took it in;
--  * flags is NULL when every factor is valid (flag N or none), else
--    "factor=flag" pairs joined by ";" for the others only; deviations
--    is NULL or the hj212 deviation names joined by ";";
--  * qn is the HJ 212 request number (YYYYMMDDhhmmsszzz) stored as an
--    INTEGER when it is all digits (8 bytes, not 17), text otherwise,
--    NULL when the reading did not come over HJ 212; a partial unique
--    index finds a resend of the same QN with another data time.
-- Minute data (kinds rtd and minute) is pruned after [readings]
-- keep_minutes days, monitor by monitor along the key (no index on the
-- time alone: it would cost 25 bytes a row); hour and day readings are
-- kept.
CREATE TABLE readings (
	monitor_id  INTEGER NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
	kind        TEXT NOT NULL CHECK (kind IN ('rtd', 'minute', 'hour', 'day')),
	at          INTEGER NOT NULL,
	pm10        INTEGER,
	pm25        INTEGER,
	tsp         INTEGER,
	temp        INTEGER,
	rh          INTEGER,
	pressure    INTEGER,
	ws          INTEGER,
	wd          INTEGER,
	noise       INTEGER,
	flags       TEXT,
	deviations  TEXT,
	qn          BLOB,
	source      TEXT NOT NULL,
	received_at INTEGER NOT NULL,
	PRIMARY KEY (monitor_id, kind, at)
) WITHOUT ROWID;
CREATE UNIQUE INDEX readings_qn ON readings (monitor_id, qn) WHERE qn IS NOT NULL;

-- Hourly aggregates per monitor, kind of the readings they come from
-- (rtd, minute; hour readings count as one value each), hour (Unix
-- seconds UTC at the hour's start) and factor: the sum and count of
-- valid values (mean = sum_valid / n_valid), the count of all values
-- (valid or flagged: the capture rate), and the min and max of the valid
-- values. Updated in the transaction that stores the readings; kept for
-- good (a year of 1,000 monitors is about 26 million rows).
CREATE TABLE readings_hourly (
	monitor_id INTEGER NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
	kind       TEXT NOT NULL,
	hour       INTEGER NOT NULL,
	factor     TEXT NOT NULL,
	n_all      INTEGER NOT NULL,
	n_valid    INTEGER NOT NULL,
	sum_valid  REAL NOT NULL,
	min_valid  REAL,
	max_valid  REAL,
	PRIMARY KEY (monitor_id, hour, factor, kind)
) WITHOUT ROWID;

-- Packets refused by the receiver (or items by the readings API), for
-- the rejected-packet log admins read.
CREATE TABLE packet_rejects (
	id     INTEGER PRIMARY KEY,
	at     TEXT NOT NULL,
	mn     TEXT NOT NULL DEFAULT '',
	remote TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL,
	detail TEXT NOT NULL DEFAULT '',
	packet TEXT NOT NULL DEFAULT ''
);
CREATE INDEX packet_rejects_at ON packet_rejects (at);
CREATE INDEX packet_rejects_mn ON packet_rejects (mn, at);

INSERT INTO layer_versions (layer) VALUES ('monitors');
