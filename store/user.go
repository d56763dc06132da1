package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"skygrid"
	"skygrid/username"
)

var _ skygrid.UserService = (*DB)(nil)

// CreateUser stores a user and their scope regions in one transaction.
func (db *DB) CreateUser(ctx context.Context, u *skygrid.User, hash string) error {
	if !slices.Contains(skygrid.Roles, u.Role) {
		return skygrid.Errorf(skygrid.EINVALID, "role %s: want one of %s", skygrid.Clip(u.Role), strings.Join(skygrid.Roles, ", "))
	}
	name, key, err := username.Parse(u.Name)
	if err != nil {
		return err
	}
	u.Name = name
	for _, r := range u.Regions {
		if err := skygrid.LimitID.CheckField("region", r); err != nil {
			return err
		}
	}
	if err := skygrid.LimitDingTalkID.CheckField("DingTalk id", u.DingTalkID); err != nil {
		return err
	}
	switch {
	case u.CityWide() && len(u.Regions) > 0:
		return skygrid.Errorf(skygrid.EINVALID, "%s users are city-wide: they take no region", u.Role)
	case !u.CityWide() && len(u.Regions) == 0:
		return skygrid.Errorf(skygrid.EINVALID, "%s users need a region (a county or township for officials, grids for supervisors)", u.Role)
	}
	if err := skygrid.LimitPhone.CheckField("phone", u.Phone); err != nil {
		return err
	}
	phone, err := skygrid.ParsePhone(u.Phone)
	if err != nil {
		return err
	}
	u.Phone, u.DingTalkID = phone, strings.TrimSpace(u.DingTalkID)
	if err := skygrid.CheckDingTalkID(u.DingTalkID); err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("create user: begin: %w", err)
	}
	defer tx.Rollback()
	if err := checkUserRegions(ctx, tx, u); err != nil {
		return err
	}
	now := ts(tx.now)
	if other, err := userNamed(ctx, tx, u.Name, key); err == nil {
		if other == u.Name {
			return skygrid.Errorf(skygrid.ECONFLICT, "user %q exists", u.Name)
		}
		return skygrid.Errorf(skygrid.ECONFLICT, "user %q exists: %q is the same name (names that differ only in case or width are one user)", other, u.Name)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("add user: %w", err)
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO users (name, name_key, phone, dingtalk_id, role, password_hash, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, u.Name, key, u.Phone, u.DingTalkID, u.Role, hash, now, now).Scan(&u.ID)
	if isConstraint(err) {
		return skygrid.Errorf(skygrid.ECONFLICT, "user %q exists", u.Name)
	} else if err != nil {
		return fmt.Errorf("add user: %w", err)
	}
	u.CreatedAt = tx.now
	for _, r := range u.Regions {
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_regions (user_id, region_id) VALUES (?, ?)`, u.ID, r); err != nil {
			return fmt.Errorf("create user: %w", err)
		}
	}
	if err := insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: skygrid.ActorOf(ctx, "cli"), Action: "user.add", Entity: "user", EntityID: fmt.Sprint(u.ID),
		After: fmt.Sprintf("name=%s role=%s regions=%s%s", u.Name, u.Role, strings.Join(u.Regions, ","), contactSummary(u))}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create user: commit: %w", err)
	}
	return nil
}

// contactSummary shows a user's phone and DingTalk id masked, for the
// audit log.
func contactSummary(u *skygrid.User) string {
	var s string
	if u.Phone != "" {
		s += " phone=" + skygrid.MaskPhone(u.Phone)
	}
	if u.DingTalkID != "" {
		s += " dingtalk=" + skygrid.MaskPhone(u.DingTalkID)
	}
	return s
}

// userCols are a user's columns (alias u) with its regions joined by
// commas (string_agg: PostgreSQL's, and SQLite's since 3.44).
const userCols = `u.id, u.name, u.phone, u.dingtalk_id, u.role, u.disabled, u.created_at,
	COALESCE((SELECT string_agg(region_id, ',') FROM user_regions r WHERE r.user_id = u.id), '')`

func scanUser(row interface{ Scan(...any) error }, extra ...any) (*skygrid.User, error) {
	u := &skygrid.User{}
	var created, regions string
	if err := row.Scan(append([]any{&u.ID, &u.Name, &u.Phone, &u.DingTalkID, &u.Role, &u.Disabled, &created, &regions}, extra...)...); err != nil {
		return nil, fmt.Errorf("read a user row: %w", err)
	}
	u.CreatedAt = parseTS(created)
	if regions != "" {
		u.Regions = strings.Split(regions, ",")
		slices.Sort(u.Regions)
	}
	return u, nil
}

func (db *DB) FindUserByID(ctx context.Context, id int64) (*skygrid.User, error) {
	u, err := scanUser(db.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users u WHERE u.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, skygrid.Errorf(skygrid.ENOTFOUND, "user %d not found", id)
	}
	return u, err
}

// UserLogin finds a user by name in any case or width (the name's key);
// users of older databases whose keys clashed, by their exact name.
func (db *DB) UserLogin(ctx context.Context, name string) (*skygrid.User, string, error) {
	var hash string
	u, err := scanUser(db.db.QueryRowContext(ctx, `SELECT `+userCols+`, u.password_hash FROM users u
		WHERE u.name_key = ? OR (u.name_key IS NULL AND u.name = ?) ORDER BY u.name = ? DESC, u.id LIMIT 1`, username.Key(name), name, name), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", skygrid.Errorf(skygrid.ENOTFOUND, "no user %s", skygrid.Clip(name))
	}
	if err != nil {
		return nil, "", fmt.Errorf("find user: %w", err)
	}
	return u, hash, nil
}

// checkUserRegions refuses a region that is not imported or not of the
// level the user's role is scoped to (grids for supervisors, a county or
// township for officials).
func checkUserRegions(ctx context.Context, tx *Tx, u *skygrid.User) error {
	for _, r := range u.Regions {
		var level string
		if err := tx.QueryRowContext(ctx, `SELECT level FROM regions WHERE id = ?`, r).Scan(&level); errors.Is(err, sql.ErrNoRows) {
			return skygrid.Errorf(skygrid.EINVALID, "region %q is not imported", r)
		} else if err != nil {
			return fmt.Errorf("read the level of region %s: %w", r, err)
		}
		if u.Role == skygrid.RoleSupervisor && level != skygrid.LevelGrid {
			return skygrid.Errorf(skygrid.EINVALID, "region %s is a %s: a supervisor is scoped to grids", r, level)
		}
		if u.Role == skygrid.RoleOfficial && level == skygrid.LevelCity {
			return cityOfficialError(ctx, tx, r)
		}
		if u.Role == skygrid.RoleOfficial && level != skygrid.LevelCounty && level != skygrid.LevelTownship {
			return skygrid.Errorf(skygrid.EINVALID, "region %s is a %s: an official is scoped to a county or a township", r, level)
		}
	}
	return nil
}

// cityOfficialError refuses a city as an official's region and says what
// to give instead: the city's counties, which a province's city bureau
// takes (--region A,B,...).
func cityOfficialError(ctx context.Context, tx *Tx, city string) error {
	var ids string
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(string_agg(id, ',' ORDER BY id), '') FROM regions
		WHERE parent_id = ? AND level = 'county' AND neighbour = 0`, city).Scan(&ids)
	if err != nil {
		return fmt.Errorf("read the counties of city %s: %w", city, err)
	}
	if ids == "" {
		return skygrid.Errorf(skygrid.EINVALID, "region %s is a city with no county imported under it: an official is scoped to a county or a township", city)
	}
	return skygrid.Errorf(skygrid.EINVALID, "region %s is a city: an official is scoped to counties or townships; for the whole city give its counties: --region %s", city, ids)
}

// userNamed is the name of the user with this name or key.
func userNamed(ctx context.Context, tx *Tx, name, key string) (string, error) {
	var other string
	err := tx.QueryRowContext(ctx, `SELECT name FROM users WHERE name_key = ? OR name = ? LIMIT 1`, key, name).Scan(&other)
	if err != nil {
		return "", fmt.Errorf("find user named %q: %w", name, err)
	}
	return other, nil
}

// fillNameKeys gives the users of an older database their name keys
// (migration 0009). A user whose key another already has keeps none and
// logs in by the exact name.
func (db *DB) fillNameKeys(ctx context.Context) error {
	rows, err := db.db.QueryContext(ctx, `SELECT id, name FROM users WHERE name_key IS NULL ORDER BY id`)
	if err != nil {
		return fmt.Errorf("find users without a name key: %w", err)
	}
	type user struct {
		id   int64
		name string
	}
	var us []user
	for rows.Next() {
		var u user
		if err := rows.Scan(&u.id, &u.name); err != nil {
			rows.Close()
			return fmt.Errorf("find users without a name key: %w", err)
		}
		us = append(us, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find users without a name key: %w", err)
	}
	for _, u := range us {
		_, err := db.db.ExecContext(ctx, `UPDATE users SET name_key = ? WHERE id = ?`, username.Key(u.name), u.id)
		if err != nil && !isConstraint(err) {
			return fmt.Errorf("set the name key of user %d: %w", u.id, err)
		}
	}
	return nil
}

func (db *DB) FindUsers(ctx context.Context) ([]*skygrid.User, error) {
	q := &listQuery{what: "find users", from: `SELECT ` + userCols + ` FROM users u`, order: ` ORDER BY u.id`}
	return queryList(ctx, db.db, q, func(rows *sql.Rows) (*skygrid.User, error) { return scanUser(rows) })
}

// FindUserPage is a page of the users f finds, newest first, and how
// many it finds in all (see skygrid.UserFilter).
func (db *DB) FindUserPage(ctx context.Context, f skygrid.UserFilter) ([]*skygrid.User, int, error) {
	q := &listQuery{what: "find users", from: `SELECT ` + userCols + ` FROM users u`, order: ` ORDER BY u.id DESC`, limit: f.Limit, offset: f.Offset}
	if f.Role != "" {
		q.and(`u.role = ?`, f.Role)
	}
	if s := strings.TrimSpace(f.Search); s != "" {
		esc := likeEscape(s)
		like, in, prefix := db.like(), "%"+esc+"%", esc+"%"
		q.and(`(u.name `+like+` ? ESCAPE '\' OR u.phone LIKE ? ESCAPE '\' OR EXISTS (SELECT 1 FROM user_regions ur
			JOIN regions r ON r.id = ur.region_id LEFT JOIN regions p ON p.id = r.parent_id
			WHERE ur.user_id = u.id AND (ur.region_id LIKE ? ESCAPE '\' OR r.name `+like+` ? ESCAPE '\' OR p.name `+like+` ? ESCAPE '\')))`,
			in, in, prefix, in, in)
	}
	var total int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users u`+where(q.conds), q.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	us, err := queryList(ctx, db.db, q, func(rows *sql.Rows) (*skygrid.User, error) { return scanUser(rows) })
	return us, total, err
}

func (db *DB) CreateSession(ctx context.Context, idHash string, userID int64, csrf string, expires time.Time) error {
	_, err := db.db.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		idHash, userID, csrf, ts(db.Now()), ts(expires))
	if err != nil {
		return fmt.Errorf("create session for user %d: %w", userID, err)
	}
	return nil
}

func (db *DB) SessionUser(ctx context.Context, idHash string) (*skygrid.User, string, error) {
	var csrf, expires string
	u, err := scanUser(db.db.QueryRowContext(ctx, `SELECT `+userCols+`, s.csrf, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id_hash = ? AND u.disabled = 0`, idHash), &csrf, &expires)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !parseTS(expires).After(db.Now())) {
		return nil, "", skygrid.Errorf(skygrid.EUNAUTHORIZED, "not logged in (or the session expired)")
	}
	return u, csrf, err
}

func (db *DB) DeleteSession(ctx context.Context, idHash string) error {
	_, err := db.db.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash)
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// CreateToken stores an API token expiring after skygrid.DefaultTokenTTL.
func (db *DB) CreateToken(ctx context.Context, tokenHash string, userID int64, name string) error {
	return db.AddToken(ctx, &skygrid.Token{UserID: userID, Name: name, ExpiresAt: db.Now().Add(skygrid.DefaultTokenTTL)}, tokenHash)
}

// AddToken: see skygrid.UserService.
func (db *DB) AddToken(ctx context.Context, t *skygrid.Token, tokenHash string) error {
	if strings.TrimSpace(t.Name) == "" {
		return skygrid.Errorf(skygrid.EINVALID, "a token needs a name (what it is for)")
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("create token: begin: %w", err)
	}
	defer tx.Rollback()
	if t.ExpiresAt.IsZero() || !t.ExpiresAt.After(tx.now) {
		return skygrid.Errorf(skygrid.EINVALID, "token %q: its expiry %s is not in the future", t.Name, ts(t.ExpiresAt))
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO api_tokens (token_hash, user_id, name, created_at, expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		tokenHash, t.UserID, t.Name, ts(tx.now), ts(t.ExpiresAt)).Scan(&t.ID); err != nil {
		return fmt.Errorf("create token %q: %w", t.Name, err)
	}
	t.CreatedAt, t.State = tx.now, skygrid.TokenActive
	if err := insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: skygrid.ActorOf(ctx, "cli"), Action: "token.create", Entity: "user",
		EntityID: fmt.Sprint(t.UserID), After: fmt.Sprintf("token_name=%s token_id=%d user_id=%d expires=%s", t.Name, t.ID, t.UserID, ts(t.ExpiresAt))}); err != nil {
		return fmt.Errorf("create token %q: audit: %w", t.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create token %q: commit: %w", t.Name, err)
	}
	return nil
}

// tokenLastUsedEvery is how stale a token's last use may be before a
// request writes it again (one write a minute, not one a request).
const tokenLastUsedEvery = time.Minute

// TokenUser: see skygrid.UserService. Each refusal says why: the bearer
// holds the token, so nothing leaks to them.
func (db *DB) TokenUser(ctx context.Context, tokenHash string) (*skygrid.User, error) {
	var id int64
	var name, expires, revoked, lastUsed string
	u, err := scanUser(db.rdb.QueryRowContext(ctx, `SELECT `+userCols+`, t.id, t.name, t.expires_at, t.revoked_at, t.last_used
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`, tokenHash), &id, &name, &expires, &revoked, &lastUsed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, skygrid.Errorf(skygrid.EUNAUTHORIZED, "unknown API token")
	} else if err != nil {
		return nil, fmt.Errorf("find token: %w", err)
	}
	now := db.Now()
	switch t := (&skygrid.Token{RevokedAt: parseTS(revoked), ExpiresAt: parseTS(expires)}); t.StateAt(now) {
	case skygrid.TokenRevoked:
		return nil, skygrid.Errorf(skygrid.EUNAUTHORIZED, "API token %q (id %d) was revoked on %s", name, id, beijing(t.RevokedAt))
	case skygrid.TokenExpired:
		return nil, skygrid.Errorf(skygrid.EUNAUTHORIZED, "API token %q (id %d) expired on %s: ask an admin for a new one (skygrid token create)",
			name, id, beijing(t.ExpiresAt))
	}
	if u.Disabled {
		return nil, skygrid.Errorf(skygrid.EUNAUTHORIZED, "user %s is disabled", u.Name)
	}
	if db.tokenUses.due(id, parseTS(lastUsed), now) {
		// In the background: the request neither waits for the write lock
		// (an ingest may hold it) nor fails for a write that only feeds
		// the admin's list.
		db.tokenUses.wg.Add(1)
		go func() {
			defer db.tokenUses.wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, _ = db.db.ExecContext(ctx, `UPDATE api_tokens SET last_used = ? WHERE id = ? AND last_used < ?`, ts(now), id, ts(now))
		}()
	}
	return u, nil
}

// tokenUses says when a token's last use is due to be written: once a
// minute per token, however many requests come meanwhile.
type tokenUses struct {
	mu sync.Mutex
	at map[int64]time.Time // when a write was started, by token id
	wg sync.WaitGroup      // the writes under way (Close waits)
}

func (u *tokenUses) due(id int64, stored, now time.Time) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.at == nil {
		u.at = map[int64]time.Time{}
	}
	last := stored
	if t := u.at[id]; t.After(last) {
		last = t
	}
	if now.Sub(last) < tokenLastUsedEvery {
		return false
	}
	u.at[id] = now
	return true
}

// beijing shows a time to users: Asia/Shanghai, to the minute.
func beijing(t time.Time) string {
	return t.In(skygrid.Beijing).Format("2006-01-02 15:04") + " (UTC+8)"
}

const tokenCols = `t.id, t.user_id, u.name, t.name, t.created_at, t.last_used, t.expires_at, t.revoked_at`

func scanToken(row interface{ Scan(...any) error }, now time.Time) (*skygrid.Token, error) {
	t := &skygrid.Token{}
	var created, last, expires, revoked string
	if err := row.Scan(&t.ID, &t.UserID, &t.UserName, &t.Name, &created, &last, &expires, &revoked); err != nil {
		return nil, fmt.Errorf("read a token row: %w", err)
	}
	t.CreatedAt, t.LastUsed, t.ExpiresAt, t.RevokedAt = parseTS(created), parseTS(last), parseTS(expires), parseTS(revoked)
	t.State = t.StateAt(now)
	return t, nil
}

// FindTokens: see skygrid.UserService.
func (db *DB) FindTokens(ctx context.Context, f skygrid.TokenFilter) ([]*skygrid.Token, error) {
	q := &listQuery{what: "find tokens", from: `SELECT ` + tokenCols + ` FROM api_tokens t JOIN users u ON u.id = t.user_id`,
		order: ` ORDER BY t.id DESC`}
	if f.ID != nil {
		q.and("t.id = ?", *f.ID)
	}
	if f.UserID != nil {
		q.and("t.user_id = ?", *f.UserID)
	}
	if f.Name != nil {
		q.and("t.name = ?", *f.Name)
	}
	now := db.Now()
	return queryList(ctx, db.rdb, q, func(rows *sql.Rows) (*skygrid.Token, error) { return scanToken(rows, now) })
}

// tokenSummary is what the audit log says of a token: never its secret.
func tokenSummary(t *skygrid.Token) string {
	return fmt.Sprintf("token_name=%s token_id=%d user=%s token_state=%s expires=%s", t.Name, t.ID, t.UserName, t.State, ts(t.ExpiresAt))
}

// RevokeToken: see skygrid.UserService.
func (db *DB) RevokeToken(ctx context.Context, id int64) (*skygrid.Token, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("revoke token %d: begin: %w", id, err)
	}
	defer tx.Rollback()
	t, err := scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?`, id), tx.now)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, skygrid.Errorf(skygrid.ENOTFOUND, "no API token %d", id)
	} else if err != nil {
		return nil, fmt.Errorf("revoke token %d: %w", id, err)
	}
	if t.State == skygrid.TokenRevoked {
		return nil, skygrid.Errorf(skygrid.ECONFLICT, "API token %d (%s of %s) was revoked on %s already", id, t.Name, t.UserName, beijing(t.RevokedAt))
	}
	before := tokenSummary(t)
	if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, ts(tx.now), id); err != nil {
		return nil, fmt.Errorf("revoke token %d: %w", id, err)
	}
	t.RevokedAt, t.State = tx.now, skygrid.TokenRevoked
	if err := insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: skygrid.ActorOf(ctx, "cli"), Action: "token.revoke", Entity: "token",
		EntityID: fmt.Sprint(id), Before: before, After: tokenSummary(t)}); err != nil {
		return nil, fmt.Errorf("revoke token %d: audit: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("revoke token %d: commit: %w", id, err)
	}
	return t, nil
}

// SetUserDisabled: see skygrid.UserService.
func (db *DB) SetUserDisabled(ctx context.Context, id int64, disabled bool) (*skygrid.User, error) {
	action := map[bool]string{true: "disable", false: "enable"}[disabled]
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("%s user %d: begin: %w", action, id, err)
	}
	defer tx.Rollback()
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userCols+` FROM users u WHERE u.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, skygrid.Errorf(skygrid.ENOTFOUND, "user %d not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("%s user %d: %w", action, id, err)
	}
	if u.Disabled == disabled {
		return nil, skygrid.Errorf(skygrid.ECONFLICT, "user %s is %sd already", u.Name, action)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?`, disabled, ts(tx.now), id); err != nil {
		return nil, fmt.Errorf("%s user %s: %w", action, u.Name, err)
	}
	ended := int64(0)
	if disabled {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id)
		if err != nil {
			return nil, fmt.Errorf("disable user %s: end sessions: %w", u.Name, err)
		}
		ended, _ = res.RowsAffected()
	}
	after := fmt.Sprintf("name=%s disabled=%t", u.Name, disabled)
	if disabled {
		after += fmt.Sprintf(" sessions_ended=%d", ended)
	}
	if err := insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: skygrid.ActorOf(ctx, "cli"), Action: "user." + action, Entity: "user",
		EntityID: fmt.Sprint(id), Before: fmt.Sprintf("name=%s disabled=%t", u.Name, u.Disabled), After: after}); err != nil {
		return nil, fmt.Errorf("%s user %s: audit: %w", action, u.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("%s user %s: commit: %w", action, u.Name, err)
	}
	u.Disabled = disabled
	return u, nil
}

// SetPassword: see skygrid.UserService.
func (db *DB) SetPassword(ctx context.Context, id int64, hash, keep string) (int, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("set password of user %d: begin: %w", id, err)
	}
	defer tx.Rollback()
	var name string
	if err := tx.QueryRowContext(ctx, `SELECT name FROM users WHERE id = ?`, id).Scan(&name); errors.Is(err, sql.ErrNoRows) {
		return 0, skygrid.Errorf(skygrid.ENOTFOUND, "user %d not found", id)
	} else if err != nil {
		return 0, fmt.Errorf("set password of user %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, ts(tx.now), id); err != nil {
		return 0, fmt.Errorf("set password of %s: %w", name, err)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?`, id, keep)
	if err != nil {
		return 0, fmt.Errorf("set password of %s: end sessions: %w", name, err)
	}
	ended, _ := res.RowsAffected()
	if err := insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: skygrid.ActorOf(ctx, "cli"), Action: "user.password", Entity: "user",
		EntityID: fmt.Sprint(id), Before: "name=" + name, After: fmt.Sprintf("name=%s password_changed=yes sessions_ended=%d", name, ended)}); err != nil {
		return 0, fmt.Errorf("set password of %s: audit: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("set password of %s: commit: %w", name, err)
	}
	return int(ended), nil
}

// maxLoginKey bounds a throttle key: the api sends fixed-size hashes.
const maxLoginKey = 80

// pruneLogins is how many expired attempts each attempt removes: more
// than it adds, so the table holds about one window of attempts.
const pruneLogins = 100

// StartLogin: see skygrid.UserService. It also prunes attempts older than
// since (at most pruneLogins of them), and waits out a busy database
// rather than fail.
func (db *DB) StartLogin(ctx context.Context, keys []string, limits []int, since time.Time) ([]int64, bool, error) {
	for _, k := range keys {
		if len(k) > maxLoginKey {
			return nil, false, fmt.Errorf("start login: a throttle key of %d bytes (at most %d)", len(k), maxLoginKey)
		}
	}
	var ids []int64
	var ok bool
	err := db.retryBusy(ctx, func() (err error) {
		ids, ok, err = db.startLogin(ctx, keys, limits, since)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("start login: %w", err)
	}
	return ids, ok, nil
}

func (db *DB) startLogin(ctx context.Context, keys []string, limits []int, since time.Time) ([]int64, bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, false, fmt.Errorf("start login: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE rowid IN
		(SELECT rowid FROM login_failures WHERE at < ? ORDER BY at LIMIT ?)`, ts(since), pruneLogins); err != nil {
		return nil, false, fmt.Errorf("start login: %w", err)
	}
	for i, k := range keys {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_failures WHERE key = ? AND at >= ?`, k, ts(since)).Scan(&n); err != nil {
			return nil, false, fmt.Errorf("start login: read a row: %w", err)
		}
		if n >= limits[i] {
			if err := tx.Commit(); err != nil { // keep the pruning
				return nil, false, fmt.Errorf("start login: commit the pruning: %w", err)
			}
			return nil, false, nil
		}
	}
	var ids []int64
	for _, k := range keys {
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO login_failures (key, at) VALUES (?, ?) RETURNING rowid`, k, ts(tx.now)).Scan(&id); err != nil {
			return nil, false, fmt.Errorf("start login: %w", err)
		}
		ids = append(ids, id)
	}
	if err := tx.Commit(); err != nil {
		return ids, true, fmt.Errorf("start login: commit: %w", err)
	}
	return ids, true, nil
}

// LoginRetryAt: see skygrid.UserService. A key with n ≥ limit failures
// in the window is under its limit again once its limit-th newest failure
// has left the window: the second after it is window old (times are
// stored to the second).
func (db *DB) LoginRetryAt(ctx context.Context, keys []string, limits []int, since time.Time, window time.Duration) (time.Time, error) {
	var at time.Time
	for i, k := range keys {
		var s string
		err := db.rdb.QueryRowContext(ctx, `SELECT at FROM login_failures WHERE key = ? AND at >= ? ORDER BY at DESC LIMIT 1 OFFSET ?`,
			k, ts(since), limits[i]-1).Scan(&s)
		if err == sql.ErrNoRows {
			continue
		} else if err != nil {
			return time.Time{}, fmt.Errorf("login retry time: %w", err)
		}
		if t := parseTS(s).Add(window + time.Second); t.After(at) {
			at = t
		}
	}
	return at, nil
}

// LoginSucceeded: see skygrid.UserService.
func (db *DB) LoginSucceeded(ctx context.Context, attempt []int64, key string) error {
	err := db.retryBusy(ctx, func() error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("login succeeded: begin: %w", err)
		}
		defer tx.Rollback()
		for _, id := range attempt {
			if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE rowid = ?`, id); err != nil {
				return fmt.Errorf("login succeeded: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE key = ?`, key); err != nil {
			return fmt.Errorf("login succeeded: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("login succeeded: commit: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}
