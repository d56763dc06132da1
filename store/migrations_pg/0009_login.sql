-- PostgreSQL mirror of store/migrations/0009_login.sql (same name, same schema):
-- INTEGER is BIGINT (INTEGER PRIMARY KEY: an identity that also takes
-- explicit ids), REAL DOUBLE PRECISION, BLOB BYTEA, times RFC 3339 TEXT;
-- WITHOUT ROWID tables are plain tables keyed by their primary key.

-- Log-in throttling keyed by fixed-size hashes: the api keys an attempt by
-- "user:" or "ip:" and the first 32 hex digits of a SHA-256 of the
-- normalised name or the address. The records under the old keys (the
-- names as sent, of any length) are dropped; they no longer match any
-- attempt. Attempts older than the window are pruned by time.
DELETE FROM login_failures;
CREATE INDEX login_failures_at ON login_failures (at);

-- A user's name key, the NFKC name case-folded (package username): no two
-- users share one, so ADMIN cannot be added beside admin, and a user logs
-- in by any case. The store fills it for the users of older databases
-- when it opens (SQL cannot fold case beyond ASCII); users whose keys
-- clash keep NULL and log in by their exact name.
ALTER TABLE users ADD COLUMN name_key TEXT;
CREATE UNIQUE INDEX users_name_key ON users (name_key);
