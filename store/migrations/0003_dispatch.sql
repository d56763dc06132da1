-- Users, roles and scopes; sessions and API tokens; login throttling.
CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	name          TEXT NOT NULL UNIQUE,
	phone         TEXT NOT NULL DEFAULT '',
	role          TEXT NOT NULL CHECK (role IN ('admin', 'auditor', 'official', 'supervisor')),
	password_hash TEXT NOT NULL,
	disabled      INTEGER NOT NULL DEFAULT 0,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
);
-- The regions a user is scoped to: an official's county or township, a
-- supervisor's grids. Admins and auditors have none (city-wide).
CREATE TABLE user_regions (
	user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	region_id TEXT NOT NULL REFERENCES regions (id) ON DELETE CASCADE,
	PRIMARY KEY (user_id, region_id)
);
CREATE INDEX user_regions_region ON user_regions (region_id);
-- Sessions and tokens are stored as SHA-256 of the secret.
CREATE TABLE sessions (
	id_hash    TEXT PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	csrf       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
);
CREATE TABLE api_tokens (
	id         INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	last_used  TEXT NOT NULL DEFAULT ''
);
CREATE TABLE login_failures (
	key TEXT NOT NULL, -- user name or client address
	at  TEXT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);

-- The task lifecycle: report, review, escalation. version rises with
-- every transition (optimistic concurrency: two reports, one wins).
ALTER TABLE tasks ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN acknowledged_at TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN finding TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN notes TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN reported_at TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN reported_by INTEGER REFERENCES users (id);
ALTER TABLE tasks ADD COLUMN report_lon REAL;
ALTER TABLE tasks ADD COLUMN report_lat REAL;
ALTER TABLE tasks ADD COLUMN report_accuracy REAL;
ALTER TABLE tasks ADD COLUMN reports INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN closed_at TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN closed_by INTEGER REFERENCES users (id);
ALTER TABLE tasks ADD COLUMN review_note TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN escalation INTEGER NOT NULL DEFAULT 0; -- 1: to the area's official, 2: to the auditors
ALTER TABLE tasks ADD COLUMN escalated_at TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN dispatched_at TEXT NOT NULL DEFAULT ''; -- when reassigned: the deadlines count from it

-- Photo evidence: files stored by SHA-256 in the data directory.
CREATE TABLE photos (
	id          INTEGER PRIMARY KEY,
	task_id     INTEGER NOT NULL REFERENCES tasks (id),
	report      INTEGER NOT NULL, -- which report of the task (1, 2 after a return)
	sha256      TEXT NOT NULL,
	mime        TEXT NOT NULL,
	size        INTEGER NOT NULL,
	width       INTEGER NOT NULL,
	height      INTEGER NOT NULL,
	taken_at    TEXT NOT NULL DEFAULT '',
	lon         REAL,
	lat         REAL,
	distance_m  REAL,
	flags       TEXT NOT NULL DEFAULT '', -- comma-separated: far, early, unlocated
	uploaded_by INTEGER REFERENCES users (id),
	created_at  TEXT NOT NULL
);
CREATE INDEX photos_task ON photos (task_id);

-- Notifications: channels per region and an outbox written in the same
-- transaction as the change it tells of.
CREATE TABLE notify_channels (
	id         INTEGER PRIMARY KEY,
	region_id  TEXT NOT NULL REFERENCES regions (id) ON DELETE CASCADE,
	kind       TEXT NOT NULL CHECK (kind IN ('dingtalk', 'wecom', 'webhook')),
	url        TEXT NOT NULL,
	secret     TEXT NOT NULL DEFAULT '',
	audience   TEXT NOT NULL DEFAULT 'all' CHECK (audience IN ('all', 'officials', 'auditors', 'admins')),
	created_at TEXT NOT NULL
);
CREATE TABLE outbox (
	id            INTEGER PRIMARY KEY,
	key           TEXT NOT NULL UNIQUE, -- idempotency key: event, task, channel
	channel_id    INTEGER NOT NULL REFERENCES notify_channels (id) ON DELETE CASCADE,
	event         TEXT NOT NULL,
	task_id       INTEGER,
	title         TEXT NOT NULL,
	text          TEXT NOT NULL,
	payload       TEXT NOT NULL DEFAULT '{}',
	attempts      INTEGER NOT NULL DEFAULT 0,
	next_at       TEXT NOT NULL,
	claimed_until TEXT NOT NULL DEFAULT '',
	sent_at       TEXT NOT NULL DEFAULT '',
	last_error    TEXT NOT NULL DEFAULT '',
	created_at    TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox (sent_at, next_at);
