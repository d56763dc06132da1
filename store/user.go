package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
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
		return err
	}
	defer tx.Rollback()
	for _, r := range u.Regions {
		var level string
		if err := tx.QueryRowContext(ctx, `SELECT level FROM regions WHERE id = ?`, r).Scan(&level); errors.Is(err, sql.ErrNoRows) {
			return skygrid.Errorf(skygrid.EINVALID, "region %q is not imported", r)
		} else if err != nil {
			return err
		}
		if u.Role == skygrid.RoleSupervisor && level != skygrid.LevelGrid {
			return skygrid.Errorf(skygrid.EINVALID, "region %s is a %s: a supervisor is scoped to grids", r, level)
		}
		if u.Role == skygrid.RoleOfficial && level != skygrid.LevelCounty && level != skygrid.LevelTownship {
			return skygrid.Errorf(skygrid.EINVALID, "region %s is a %s: an official is scoped to a county or a township", r, level)
		}
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
	res, err := tx.ExecContext(ctx, `INSERT INTO users (name, name_key, phone, dingtalk_id, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		u.Name, key, u.Phone, u.DingTalkID, u.Role, hash, now, now)
	if isConstraint(err) {
		return skygrid.Errorf(skygrid.ECONFLICT, "user %q exists", u.Name)
	} else if err != nil {
		return fmt.Errorf("add user: %w", err)
	}
	u.ID, _ = res.LastInsertId()
	u.CreatedAt = tx.now
	for _, r := range u.Regions {
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_regions (user_id, region_id) VALUES (?, ?)`, u.ID, r); err != nil {
			return err
		}
	}
	if err := insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: skygrid.ActorOf(ctx, "cli"), Action: "user.add", Entity: "user", EntityID: fmt.Sprint(u.ID),
		After: fmt.Sprintf("name=%s role=%s regions=%s%s", u.Name, u.Role, strings.Join(u.Regions, ","), contactSummary(u))}); err != nil {
		return err
	}
	return tx.Commit()
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

const userCols = `u.id, u.name, u.phone, u.dingtalk_id, u.role, u.disabled, u.created_at,
	COALESCE((SELECT group_concat(region_id, ',') FROM user_regions r WHERE r.user_id = u.id), '')`

func scanUser(row interface{ Scan(...any) error }, extra ...any) (*skygrid.User, error) {
	u := &skygrid.User{}
	var created, regions string
	if err := row.Scan(append([]any{&u.ID, &u.Name, &u.Phone, &u.DingTalkID, &u.Role, &u.Disabled, &created, &regions}, extra...)...); err != nil {
		return nil, err
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

// userNamed is the name of the user with this name or key.
func userNamed(ctx context.Context, tx *Tx, name, key string) (string, error) {
	var other string
	err := tx.QueryRowContext(ctx, `SELECT name FROM users WHERE name_key = ? OR name = ? LIMIT 1`, key, name).Scan(&other)
	return other, err
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
	rows, err := db.db.QueryContext(ctx, `SELECT `+userCols+` FROM users u ORDER BY u.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*skygrid.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func (db *DB) CreateSession(ctx context.Context, idHash string, userID int64, csrf string, expires time.Time) error {
	_, err := db.db.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		idHash, userID, csrf, ts(db.Now()), ts(expires))
	return err
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
	return err
}

func (db *DB) CreateToken(ctx context.Context, tokenHash string, userID int64, name string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (token_hash, user_id, name, created_at) VALUES (?, ?, ?, ?)`,
		tokenHash, userID, name, ts(tx.now)); err != nil {
		return err
	}
	if err := insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: "cli", Action: "token.create", Entity: "user", EntityID: fmt.Sprint(userID), After: "token " + name}); err != nil {
		return err
	}
	return tx.Commit()
}

func (db *DB) TokenUser(ctx context.Context, tokenHash string) (*skygrid.User, error) {
	u, err := scanUser(db.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND u.disabled = 0`, tokenHash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, skygrid.Errorf(skygrid.EUNAUTHORIZED, "unknown API token")
	}
	return u, err
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
		return nil, false, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE rowid IN
		(SELECT rowid FROM login_failures WHERE at < ? ORDER BY at LIMIT ?)`, ts(since), pruneLogins); err != nil {
		return nil, false, err
	}
	for i, k := range keys {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_failures WHERE key = ? AND at >= ?`, k, ts(since)).Scan(&n); err != nil {
			return nil, false, err
		}
		if n >= limits[i] {
			return nil, false, tx.Commit() // keep the pruning
		}
	}
	var ids []int64
	for _, k := range keys {
		res, err := tx.ExecContext(ctx, `INSERT INTO login_failures (key, at) VALUES (?, ?)`, k, ts(tx.now))
		if err != nil {
			return nil, false, err
		}
		id, _ := res.LastInsertId()
		ids = append(ids, id)
	}
	return ids, true, tx.Commit()
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
			return err
		}
		defer tx.Rollback()
		for _, id := range attempt {
			if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE rowid = ?`, id); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE key = ?`, key); err != nil {
			return err
		}
		return tx.Commit()
	})
	if err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}
