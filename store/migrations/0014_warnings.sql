-- Heavy-pollution warnings (重污染天气预警) and the emergency list
-- (应急减排清单), issue 16 point 1.
--
-- A warning is one official act: issued with a level, an area, a start and
-- an expected end; extended by moving expected_end (the row keeps the
-- latest; the audit log keeps every step); lifted at lifted_at, which only
-- a lift sets (an expected end that passes does not end a warning: the
-- bureau lifts it). Its state is derived from the times and lifted_at, so
-- it is not stored and cannot disagree with them. started_at is when its
-- inspection tasks were opened (StartWarnings runs once per warning: ''
-- until then). Times are UTC text as everywhere in the store.
CREATE TABLE warnings (
	id            INTEGER PRIMARY KEY,
	level         TEXT NOT NULL CHECK (level IN ('blue', 'yellow', 'orange', 'red')),
	start         TEXT NOT NULL,
	expected_end  TEXT NOT NULL,
	lifted_at     TEXT NOT NULL DEFAULT '',
	started_at    TEXT NOT NULL DEFAULT '',
	reason        TEXT NOT NULL DEFAULT '',
	public_advice TEXT NOT NULL DEFAULT '',
	issued_by     INTEGER REFERENCES users (id) ON DELETE SET NULL,
	lifted_by     INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL,
	CHECK (expected_end > start)
);
-- The warnings in force are found by their start among those not lifted.
CREATE INDEX warnings_open ON warnings (lifted_at, start);

-- The area of a warning: one row per county; none is the whole city (the
-- common case of a city-wide warning needs no list of every county, and
-- a county imported later is covered too).
CREATE TABLE warning_counties (
	warning_id INTEGER NOT NULL REFERENCES warnings (id) ON DELETE CASCADE,
	county_id  TEXT NOT NULL REFERENCES regions (id),
	PRIMARY KEY (warning_id, county_id)
);

-- The emergency list as the bureau keeps it: one row per site or
-- enterprise and level (the lists give each its measures per level), as
-- skygrid.EmergencyEntry. An import replaces the whole list (the bureau's
-- file is the list). site_id is the registry site the row was matched to
-- (by external id, else by name): NULL when unmatched, and the row is
-- kept all the same (reported, never dropped; a county still places it).
-- measures is JSON ([]skygrid.Measure): the measures are read and written
-- whole with their row, never queried one by one. source is "file:line".
CREATE TABLE emergency_list (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL,
	external_id TEXT NOT NULL DEFAULT '',
	site_id     INTEGER REFERENCES sites (id) ON DELETE SET NULL,
	county_id   TEXT NOT NULL DEFAULT '',
	level       TEXT NOT NULL CHECK (level IN ('blue', 'yellow', 'orange', 'red')),
	measures    TEXT NOT NULL DEFAULT '[]',
	contact     TEXT NOT NULL DEFAULT '',
	phone       TEXT NOT NULL DEFAULT '',
	source      TEXT NOT NULL DEFAULT '',
	updated_at  TEXT NOT NULL
);
CREATE INDEX emergency_list_county ON emergency_list (county_id, level);

-- An emergency_inspection event names the warning it belongs to and the
-- listed site: listed_key is "site-ID" for a matched row, "NAME|COUNTY"
-- for an unmatched one, unique per warning (what makes StartWarnings safe
-- to run again); listed_name is the row's name as listed (the report
-- names the site even after a later import replaced the list).
-- emergency_id is the list row (NULL once replaced; the checklist keeps
-- the measures). listed_contact and listed_phone are the row's contact
-- person and phone as listed, for the supervisor to call (an import
-- replaces the list, the open task keeps whom to call; not public).
-- Other events leave them NULL and ''.
ALTER TABLE events ADD COLUMN warning_id INTEGER REFERENCES warnings (id);
ALTER TABLE events ADD COLUMN emergency_id INTEGER REFERENCES emergency_list (id) ON DELETE SET NULL;
ALTER TABLE events ADD COLUMN listed_key TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN listed_name TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN listed_contact TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN listed_phone TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX events_warning_listed ON events (warning_id, listed_key) WHERE warning_id IS NOT NULL;

-- The checklist of an emergency inspection task: report 0 is the list as
-- given (the entry's measures when the task was opened, in_place NULL);
-- report N the supervisor's answers in the task's Nth report (stored in
-- the report's transaction), one row per measure, so a returned and
-- reported-again task keeps what each report said. measure is JSON
-- (skygrid.Measure, read whole); photo_sha256 is a JSON array of the
-- report's photos that show the measure (by hash: photos are stored by
-- hash, and the hash survives re-stamping).
CREATE TABLE task_checklist (
	task_id      INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
	report       INTEGER NOT NULL,
	seq          INTEGER NOT NULL,
	measure      TEXT NOT NULL,
	in_place     INTEGER CHECK (in_place IN (0, 1)),
	note         TEXT NOT NULL DEFAULT '',
	photo_sha256 TEXT NOT NULL DEFAULT '[]',
	checked_at   TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (task_id, report, seq)
);
