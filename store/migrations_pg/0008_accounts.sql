-- PostgreSQL mirror of store/migrations/0008_accounts.sql (same name, same schema):
-- INTEGER is BIGINT (INTEGER PRIMARY KEY: an identity that also takes
-- explicit ids), REAL DOUBLE PRECISION, BLOB BYTEA, times RFC 3339 TEXT;
-- WITHOUT ROWID tables are plain tables keyed by their primary key.

-- Accounts: API tokens expire and can be revoked. Tokens made before
-- expiry existed get the default 90 days from now (rather than stopping at
-- once, or never). Users are disabled with users.disabled (0003).
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT NOT NULL DEFAULT '';
-- strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+90 days') in SQLite: the same
-- RFC 3339 UTC text, whole seconds.
UPDATE api_tokens SET expires_at = to_char((now() AT TIME ZONE 'UTC') + interval '90 days', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
CREATE INDEX api_tokens_user ON api_tokens (user_id);
CREATE INDEX sessions_user ON sessions (user_id);
