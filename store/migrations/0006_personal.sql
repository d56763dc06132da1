-- Personal notifications: a supervisor is told of their tasks by SMS
-- (Aliyun or Tencent Cloud) and by DingTalk work notice, besides the group
-- robots. Provider credentials live in the configuration file, never here.

-- A user's DingTalk user id (userid in the organisation), for work notices.
ALTER TABLE users ADD COLUMN dingtalk_id TEXT NOT NULL DEFAULT '';

-- The outbox now holds messages to a channel (a group robot, a webhook) or
-- to one person: the channel kind and the person's address (a phone; for
-- DingTalk "userid:ID" or "mobile:PHONE"). SQLite cannot drop NOT NULL with
-- ALTER, so the table is rebuilt with its rows, ids, keys and indexes.
CREATE TABLE outbox_new (
	id             INTEGER PRIMARY KEY,
	key            TEXT NOT NULL UNIQUE, -- idempotency key: event, task, version/level, channel or person and kind
	channel_id     INTEGER REFERENCES notify_channels (id) ON DELETE CASCADE,
	kind           TEXT NOT NULL DEFAULT '', -- a personal message's channel kind; '' for a channel's (its kind is the channel's)
	recipient      TEXT NOT NULL DEFAULT '',
	recipient_name TEXT NOT NULL DEFAULT '',
	event          TEXT NOT NULL,
	task_id        INTEGER,
	title          TEXT NOT NULL,
	text           TEXT NOT NULL,
	payload        TEXT NOT NULL DEFAULT '{}',
	attempts       INTEGER NOT NULL DEFAULT 0,
	next_at        TEXT NOT NULL,
	claimed_until  TEXT NOT NULL DEFAULT '',
	sent_at        TEXT NOT NULL DEFAULT '',
	last_error     TEXT NOT NULL DEFAULT '',
	created_at     TEXT NOT NULL,
	CHECK ((channel_id IS NOT NULL AND kind = '' AND recipient = '')
		OR (channel_id IS NULL AND kind IN ('aliyun_sms', 'tencent_sms', 'dingtalk_work') AND recipient <> ''))
);
INSERT INTO outbox_new (id, key, channel_id, event, task_id, title, text, payload, attempts, next_at, claimed_until, sent_at, last_error, created_at)
	SELECT id, key, channel_id, event, task_id, title, text, payload, attempts, next_at, claimed_until, sent_at, last_error, created_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (sent_at, next_at);
