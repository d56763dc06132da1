package skygrid

import (
	"context"
	"time"
)

// Roles.
const (
	RoleAdmin      = "admin"      // 管理员: everything
	RoleAuditor    = "auditor"    // 农业农村局/生态环境局: reads city-wide, audits, exports, reviews
	RoleOfficial   = "official"   // 乡镇/区县干部: one county or township: map, tasks, review
	RoleSupervisor = "supervisor" // 网格员: their grids' tasks
)

// Roles lists every role.
var Roles = []string{RoleAdmin, RoleAuditor, RoleOfficial, RoleSupervisor}

// RoleNames are the Chinese names shown to users.
var RoleNames = map[string]string{RoleAdmin: "管理员", RoleAuditor: "审核（农业/生态部门）", RoleOfficial: "区县/乡镇干部", RoleSupervisor: "网格员"}

// User is a person who logs in.
type User struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone,omitempty"`
	// DingTalkID is the user's DingTalk user id (userid), for work notices.
	DingTalkID string `json:"dingtalk_id,omitempty"`
	Role       string `json:"role"`
	// Regions are the user's scope: an official's county or township, a
	// supervisor's grids; none for admins and auditors (city-wide).
	Regions   []string  `json:"regions,omitempty"`
	Disabled  bool      `json:"disabled,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// UserFilter asks for a page of users, newest first: Search finds a
// user by name or phone (contains, ASCII letters without case), or by a
// region of theirs (its code's beginning, its name or its parent's
// name); Role keeps one role. Limit 0: all.
type UserFilter struct {
	Search, Role  string
	Limit, Offset int
}

// CityWide reports whether the user sees everything.
func (u *User) CityWide() bool { return u.Role == RoleAdmin || u.Role == RoleAuditor }

// Scope is what a user may see: everything, or the regions listed. The
// rule is the store's, one SQL condition for lists and single objects
// alike: a region is in scope when it, its parent or its grandparent is
// listed; a task by its grid (once reassigned, the new grid), or without
// a grid by its event's township and county; an event by its task.
type Scope struct {
	All     bool
	Regions []string
}

// ScopeOf returns the user's scope; a scoped user without regions sees
// nothing.
func ScopeOf(u *User) Scope {
	if u == nil {
		return Scope{}
	}
	if u.CityWide() {
		return Scope{All: true}
	}
	return Scope{Regions: u.Regions}
}

// UserService keeps users, sessions and tokens.
type UserService interface {
	// CreateUser stores a user with a password hash; ECONFLICT when the
	// name is taken, EINVALID for a bad role or region.
	CreateUser(ctx context.Context, u *User, passwordHash string) error
	FindUserByID(ctx context.Context, id int64) (*User, error)
	// UserLogin returns the user and password hash by name, or ENOTFOUND.
	UserLogin(ctx context.Context, name string) (*User, string, error)
	FindUsers(ctx context.Context) ([]*User, error)
	// FindUserPage is a page of the users a filter finds and how many it
	// finds in all.
	FindUserPage(ctx context.Context, f UserFilter) ([]*User, int, error)
	// CreateSession stores a session (by the hash of its secret) with its
	// CSRF token; SessionUser returns the user and CSRF token of a live
	// session, or EUNAUTHORIZED.
	CreateSession(ctx context.Context, idHash string, userID int64, csrf string, expires time.Time) error
	SessionUser(ctx context.Context, idHash string) (*User, string, error)
	DeleteSession(ctx context.Context, idHash string) error
	// CreateToken stores an API token (by hash) that expires after
	// DefaultTokenTTL; TokenUser finds its user: EUNAUTHORIZED, saying
	// why, for a token unknown, revoked, expired or of a disabled user.
	CreateToken(ctx context.Context, tokenHash string, userID int64, name string) error
	TokenUser(ctx context.Context, tokenHash string) (*User, error)
	// AddToken stores an API token (by hash) for t.UserID named t.Name,
	// expiring at t.ExpiresAt (required), with its audit line; it sets
	// t.ID and t.CreatedAt.
	AddToken(ctx context.Context, t *Token, tokenHash string) error
	// FindTokens lists the API tokens, newest first (never a secret).
	FindTokens(ctx context.Context, f TokenFilter) ([]*Token, error)
	// RevokeToken revokes a token, with its audit line: ENOTFOUND,
	// ECONFLICT when it is revoked already. Its next request is a 401.
	RevokeToken(ctx context.Context, id int64) (*Token, error)
	// SetUserDisabled disables or enables a user, with its audit line;
	// disabling ends the user's sessions, and their tokens are refused
	// while disabled. ECONFLICT when the user is so already.
	SetUserDisabled(ctx context.Context, id int64, disabled bool) (*User, error)
	// SetPassword replaces a user's password hash and ends their sessions
	// but keep (the id hash of the session making the change; "" ends
	// all), with its audit line (never the password). It returns how many
	// sessions ended.
	SetPassword(ctx context.Context, id int64, hash, keep string) (int, error)
	// StartLogin counts, in one transaction, the failures of each key
	// (user name, client address) since a time against its limit; under
	// the limits it records this attempt as a failure for every key (so
	// parallel guesses count) and returns the records, else ok is false.
	StartLogin(ctx context.Context, keys []string, limits []int, since time.Time) (attempt []int64, ok bool, err error)
	// LoginRetryAt is when a refused log-in may be tried again: the time
	// at which every key's failures since `since` would fall below its
	// limit, as the window moves on (window is its length).
	LoginRetryAt(ctx context.Context, keys []string, limits []int, since time.Time, window time.Duration) (time.Time, error)
	// LoginSucceeded removes the attempt's records and the earlier
	// failures of key (the user name).
	LoginSucceeded(ctx context.Context, attempt []int64, key string) error
}

// DefaultTokenTTL is how long an API token lasts unless told otherwise
// (the configuration's [auth] token_expiry_days, token create --expires).
const DefaultTokenTTL = 90 * 24 * time.Hour

// Token is an API token as listed: never its secret (only its hash is
// stored).
type Token struct {
	ID       int64  `json:"id"`
	UserID   int64  `json:"user_id"`
	UserName string `json:"user_name"`
	// Name says what the token is for ("prometheus", "script").
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	LastUsed  time.Time `json:"last_used,omitzero"`
	// ExpiresAt is when it stops working (zero: never, only for tokens
	// made before tokens expired and not yet migrated).
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	// State is TokenActive, TokenExpired or TokenRevoked at the time it
	// was read.
	State string `json:"state"`
}

// Token states.
const (
	TokenActive  = "active"
	TokenExpired = "expired"
	TokenRevoked = "revoked"
)

// StateAt is the token's state at now.
func (t *Token) StateAt(now time.Time) string {
	switch {
	case !t.RevokedAt.IsZero():
		return TokenRevoked
	case !t.ExpiresAt.IsZero() && !t.ExpiresAt.After(now):
		return TokenExpired
	}
	return TokenActive
}

// TokenFilter selects tokens. Zero fields do not filter.
type TokenFilter struct {
	ID     *int64
	UserID *int64
	Name   *string
}
