-- PostgreSQL mirror of store/migrations/0006_personal.sql (same name, same schema):
-- INTEGER is BIGINT (INTEGER PRIMARY KEY: an identity that also takes
-- explicit ids), REAL DOUBLE PRECISION, BLOB BYTEA, times RFC 3339 TEXT;
-- WITHOUT ROWID tables are plain tables keyed by their primary key.

-- Personal notifications: a supervisor is told of their tasks by SMS
-- (Aliyun or Tencent Cloud) and by DingTalk work notice, besides the group
-- robots. Provider credentials live in the configuration file, never here.

-- A user's DingTalk user id (userid in the organisation), for work notices.
ALTER TABLE users ADD COLUMN dingtalk_id TEXT NOT NULL DEFAULT '';

-- The outbox now holds messages to a channel (a group robot, a webhook) or
-- to one person: the channel kind and the person's address (a phone; for
-- DingTalk "userid:ID" or "mobile:PHONE"). SQLite rebuilds the table to
-- drop NOT NULL; PostgreSQL alters it in place (same columns, defaults,
-- CHECK and index; the new columns come last here, after created_at, where
-- SQLite's rebuilt table has them after channel_id: the code names columns).
ALTER TABLE outbox ALTER COLUMN channel_id DROP NOT NULL;
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT ''; -- a personal message's channel kind; '' for a channel's (its kind is the channel's)
ALTER TABLE outbox ADD COLUMN recipient TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN recipient_name TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD CHECK ((channel_id IS NOT NULL AND kind = '' AND recipient = '')
	OR (channel_id IS NULL AND kind IN ('aliyun_sms', 'tencent_sms', 'dingtalk_work') AND recipient <> ''));
