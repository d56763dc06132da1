package store

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/internal/steps"
)

// sqliteOnly skips a test of what only SQLite has on a PostgreSQL run
// (SKYGRID_TEST_STORE=postgres; package store's own tests cannot import
// internal/storetest, which imports store).
func sqliteOnly(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("SKYGRID_TEST_STORE") == "postgres" {
		t.Skip("sqlite only: " + why)
	}
}

// sqliteBefore writes an SQLite file at path migrated up to, not
// including, the migration named before (each recorded as applied at
// appliedAt), and returns it open for the test to fill.
func sqliteBefore(t *testing.T, path, before, appliedAt string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	names, _ := fs.Glob(migrationFS, "migrations/*.sql")
	sort.Strings(names)
	for _, name := range names {
		if name >= before {
			break
		}
		buf, _ := fs.ReadFile(migrationFS, name)
		if _, err := raw.Exec(string(buf)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		raw.Exec(`INSERT INTO migrations (name, applied_at) VALUES (?, ?)`, name, appliedAt)
	}
	return raw
}

// Migration 0006 rebuilds the outbox: a database at 0005 with queued,
// failed and sent messages keeps them with their ids, keys and state,
// the unique key, the due index and the cascade from channels.
func TestMigration0006KeepsTheOutbox(t *testing.T) {
	sqliteOnly(t, "an SQLite file of an older schema, migrated")
	path := outboxAt0005(t)
	db := NewDB(path)
	db.Now = func() time.Time { return time.Date(2023, 10, 2, 0, 0, 0, 0, time.UTC) }
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	steps.Run(t,
		steps.Step{Name: "messages and claims kept", Run: func(t *testing.T) { outboxKept(t, db) }},
		steps.Step{Name: "indexes", Run: func(t *testing.T) { outboxIndexes(t, db) }},
		steps.Step{Name: "keys, recipients and the cascade", Run: func(t *testing.T) { outboxRulesKept(t, db) }},
	)
}

// outboxAt0005 writes a database migrated to 0005 with a channel, a sent
// message and a failed one under a claim, and returns its path.
func outboxAt0005(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.db")
	raw := sqliteBefore(t, path, "migrations/0006", "2023-10-01T00:00:00Z")
	for _, q := range []string{
		`INSERT INTO regions (id, name, level, geom, min_lon, min_lat, max_lon, max_lat, area_km2, created_at, updated_at)
			VALUES ('140225', '浑源县', 'county', x'00', 113, 39, 114, 40, 1, '2023-10-01T00:00:00Z', '2023-10-01T00:00:00Z')`,
		`INSERT INTO notify_channels (id, region_id, kind, url, secret, created_at) VALUES (3, '140225', 'wecom', 'https://q/x?key=k', '', '2023-10-01T00:00:00Z')`,
		`INSERT INTO outbox (id, key, channel_id, event, task_id, title, text, payload, attempts, next_at, claimed_until, sent_at, last_error, created_at)
			VALUES (5, 'task.created/task-1/level-0/version-1/channel-3', 3, 'task.created', 1, 't1', 'x1', '{}', 0, '2023-10-01T00:00:00Z', '', '2023-10-01T00:00:05Z', '', '2023-10-01T00:00:00Z'),
			(9, 'task.overdue/task-1/level-1/version-2/channel-3', 3, 'task.overdue', 1, 't2', 'x2', '{"a":1}', 2, '2023-10-01T01:00:00Z', '2023-10-01T02:00:00Z', '', 'HTTP 500', '2023-10-01T00:05:00Z')`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()
	return path
}

// outboxKept: the messages kept with their ids, keys and state; the claim
// survives the rebuild.
func outboxKept(t *testing.T, db *DB) {
	ctx := context.Background()
	ms, err := db.FindOutbox(ctx, 0)
	if err != nil || len(ms) != 2 {
		t.Fatalf("%d messages, %v", len(ms), err)
	}
	if m := ms[0]; m.ID != 9 || m.Key != "task.overdue/task-1/level-1/version-2/channel-3" || m.ChannelID != 3 || m.Kind != skygrid.ChannelWeCom ||
		m.Attempts != 2 || m.LastError != "HTTP 500" || m.Payload != `{"a":1}` || !m.SentAt.IsZero() || m.RecipientMasked != "" {
		t.Errorf("kept %+v", m)
	}
	if m := ms[1]; m.ID != 5 || m.SentAt.IsZero() || m.Title != "t1" {
		t.Errorf("kept %+v", m)
	}
	// The claim survives the rebuild: due at 01:00, claimed until 02:00.
	if got, err := db.ClaimOutbox(ctx, time.Date(2023, 10, 1, 1, 30, 0, 0, time.UTC), 10, time.Minute); err != nil || len(got) != 0 {
		t.Errorf("claimed during the old claim %v, %v", got, err)
	}
	if got, err := db.ClaimOutbox(ctx, time.Date(2023, 10, 1, 2, 0, 0, 0, time.UTC), 10, time.Minute); err != nil || len(got) != 1 || got[0].ID != 9 {
		t.Errorf("claimed %v, %v", got, err)
	}
}

func outboxIndexes(t *testing.T, db *DB) {
	var indexes []string
	rows, _ := db.db.Query(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'outbox' ORDER BY name`)
	for rows.Next() {
		var s string
		rows.Scan(&s)
		indexes = append(indexes, s)
	}
	rows.Close()
	if strings.Join(indexes, ",") != "outbox_due,sqlite_autoindex_outbox_1" {
		t.Errorf("indexes %v", indexes)
	}
}

// outboxRulesKept: new rows continue the ids, the key is unique, a
// personal message needs its recipient, deleting a channel deletes its
// messages.
func outboxRulesKept(t *testing.T, db *DB) {
	ctx := context.Background()
	// New rows continue the ids; the key is still unique.
	again := &skygrid.OutboxMessage{Key: "task.created/task-1/level-0/version-1/channel-3", ChannelID: 3, Event: "task.created"}
	fresh := &skygrid.OutboxMessage{Key: "task.created/task-1/level-0/version-1/user-1/aliyun_sms", Kind: skygrid.ChannelAliyunSMS,
		Recipient: "13900000001", Event: "task.created"}
	if err := db.QueueOutbox(ctx, []*skygrid.OutboxMessage{again, fresh}); err != nil || again.ID != 5 || fresh.ID != 10 {
		t.Errorf("queued %d and %d, %v", again.ID, fresh.ID, err)
	}
	// A personal message without its recipient is refused by the table too.
	if _, err := db.db.Exec(`INSERT INTO outbox (key, kind, event, title, text, next_at, created_at) VALUES ('k', 'aliyun_sms', 'e', '', '', '', '')`); err == nil {
		t.Error("the table took a personal message without a recipient")
	}
	// Deleting the channel still deletes its messages, not personal ones.
	if _, err := db.db.Exec(`DELETE FROM notify_channels WHERE id = 3`); err != nil {
		t.Fatal(err)
	}
	if ms, _ := db.FindOutbox(ctx, 0); len(ms) != 1 || ms[0].ID != 10 {
		t.Errorf("after deleting the channel: %v", ms)
	}
	var ding string
	if err := db.db.QueryRow(`SELECT dingtalk_id FROM users LIMIT 1`).Scan(&ding); err != sql.ErrNoRows {
		t.Errorf("users.dingtalk_id: %v", err)
	}
}

// Migration 0008: API tokens made before tokens expired keep working for
// the default 90 days from the migration (not for ever, not stopping at
// once); new columns for expiry and revocation.
func TestMigration0008GivesOldTokensAnExpiry(t *testing.T) {
	sqliteOnly(t, "an SQLite file of an older schema, migrated")
	path := filepath.Join(t.TempDir(), "old.db")
	raw := sqliteBefore(t, path, "migrations/0008", "2023-10-01T00:00:00Z")
	for _, q := range []string{
		`INSERT INTO users (id, name, role, password_hash, created_at, updated_at) VALUES (1, 'ops', 'admin', 'x', '2023-01-01T00:00:00Z', '2023-01-01T00:00:00Z')`,
		`INSERT INTO api_tokens (id, token_hash, user_id, name, created_at) VALUES (7, 'h7', 1, 'prometheus', '2023-01-01T00:00:00Z')`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()
	db := NewDB(path)
	before := time.Now().UTC().Truncate(time.Second)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	ts, err := db.FindTokens(ctx, skygrid.TokenFilter{})
	if err != nil || len(ts) != 1 {
		t.Fatalf("%v %v", ts, err)
	}
	tk := ts[0]
	if lo, hi := before.Add(skygrid.DefaultTokenTTL), time.Now().Add(skygrid.DefaultTokenTTL+time.Second); tk.ID != 7 || tk.State != skygrid.TokenActive ||
		tk.ExpiresAt.Before(lo) || tk.ExpiresAt.After(hi) || !tk.RevokedAt.IsZero() || tk.UserName != "ops" {
		t.Errorf("the old token after 0008: %+v", tk)
	}
	if u, err := db.TokenUser(ctx, "h7"); err != nil || u.Name != "ops" {
		t.Errorf("the old token: %v %v", u, err)
	}
}

// Migration 0009: the log-in records under the old keys (names as sent)
// are dropped; users get their name keys when the store opens, and of two
// whose names differ only in case the first keeps the key and the second
// logs in by its exact name.
func TestMigration0009NameKeys(t *testing.T) {
	sqliteOnly(t, "an SQLite file of an older schema, migrated")
	path := filepath.Join(t.TempDir(), "old.db")
	raw := sqliteBefore(t, path, "migrations/0009", "2023-10-01T00:00:00Z")
	for _, q := range []string{
		`INSERT INTO users (id, name, role, password_hash, created_at, updated_at) VALUES
			(1, 'admin', 'admin', 'h1', '2023-10-01T00:00:00Z', '2023-10-01T00:00:00Z'),
			(2, 'ADMIN', 'admin', 'h2', '2023-10-01T00:00:00Z', '2023-10-01T00:00:00Z'),
			(3, 'Wang', 'auditor', 'h3', '2023-10-01T00:00:00Z', '2023-10-01T00:00:00Z')`,
		`INSERT INTO login_failures (key, at) VALUES ('user:` + strings.Repeat("x", 100000) + `', '2023-10-01T00:00:00Z')`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%.200s: %v", q, err)
		}
	}
	raw.Close()

	db := NewDB(path)
	db.Now = func() time.Time { return time.Date(2023, 10, 2, 0, 0, 0, 0, time.UTC) }
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var n int
	if err := db.db.QueryRow(`SELECT COUNT(*) FROM login_failures`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d old log-in records kept (%v)", n, err)
	}
	for _, tc := range []struct{ login, want string }{{"admin", "h1"}, {"Admin", "h1"}, {"ADMIN", "h2"}, {"wang", "h3"}} {
		_, hash, err := db.UserLogin(ctx, tc.login)
		if err != nil || hash != tc.want {
			t.Errorf("log in as %s: %q %v, want the user of %s", tc.login, hash, err, tc.want)
		}
	}
	err := db.CreateUser(ctx, &skygrid.User{Name: "WANG", Role: skygrid.RoleAuditor}, "h4")
	if skygrid.ErrorCode(err) != skygrid.ECONFLICT {
		t.Errorf("WANG beside Wang: %v", err)
	}
}

// Migrations 0019 and 0020 fill readings_capture_daily from the hourly
// aggregates a database already holds: every monitor-day as DustStats
// counts it, by Beijing day (0020; 0019 wrote UTC days).
func TestMigration0019BackfillsTheDailyCapture(t *testing.T) {
	sqliteOnly(t, "an SQLite file of an older schema, migrated")
	path := filepath.Join(t.TempDir(), "old.db")
	raw := sqliteBefore(t, path, "migrations/0019", "2026-10-01T00:00:00Z")
	day := int64(1762300800) // 2026-11-05T00:00:00Z, 08:00 in Beijing
	bj := day - 8*3600       // 2026-11-05T00:00:00+08:00
	for _, q := range []string{
		`INSERT INTO monitors (id, mn, name, lon, lat, created_at, updated_at) VALUES (1, 'M1', '一号（示例）', 113, 40, '2026-10-01T00:00:00Z', '2026-10-01T00:00:00Z'),
			(2, 'M2', '二号（示例）', 113, 40, '2026-10-01T00:00:00Z', '2026-10-01T00:00:00Z')`,
		`INSERT INTO readings_hourly (monitor_id, kind, hour, factor, n_all, n_valid, sum_valid, min_valid, max_valid) VALUES
			(1, 'minute', ` + itoa(day-3600) + `, 'pm10', 60, 50, 100, 1, 3), (1, 'minute', ` + itoa(day-3600) + `, 'tsp', 60, 55, 100, 1, 3),
			(1, 'rtd', ` + itoa(day) + `, 'pm25', 120, 120, 100, 1, 3), (1, 'minute', ` + itoa(day+7200) + `, 'so2', 60, 60, 100, 1, 3),
			(1, 'hour', ` + itoa(day+10800) + `, 'pm10', 1, 1, 7, 7, 7), (2, 'minute', ` + itoa(day+86400-3600) + `, 'pm10', 30, 0, 0, NULL, NULL)`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()
	db := NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	diff, err := db.CaptureDailyDiffForTest(context.Background())
	if err != nil || len(diff) > 0 {
		t.Errorf("the backfill differs from readings_hourly: %v %v", diff, err)
	}
	for _, tc := range []struct {
		name         string
		monitor, day int64
		hours, valid int64
	}{
		{"M1 on the 5th, the most valid values of one factor, at most 60 a hour, no minutes from SO2 or hour data", 1, bj, 4, 55 + 60},
		{"M2 on the 6th (23:00Z on the 5th): an hour with readings, none valid", 2, bj + 86400, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hours, valid int64
			if err := db.db.QueryRow(`SELECT hours, valid_minutes FROM readings_capture_daily WHERE monitor_id = ? AND day = ?`,
				tc.monitor, tc.day).Scan(&hours, &valid); err != nil || hours != tc.hours || valid != tc.valid {
				t.Errorf("%d hours, %d minutes (%v); want %d, %d", hours, valid, err, tc.hours, tc.valid)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
