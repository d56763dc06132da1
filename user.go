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
	// CreateSession stores a session (by the hash of its secret) with its
	// CSRF token; SessionUser returns the user and CSRF token of a live
	// session, or EUNAUTHORIZED.
	CreateSession(ctx context.Context, idHash string, userID int64, csrf string, expires time.Time) error
	SessionUser(ctx context.Context, idHash string) (*User, string, error)
	DeleteSession(ctx context.Context, idHash string) error
	// CreateToken stores an API token (by hash); TokenUser finds its user.
	CreateToken(ctx context.Context, tokenHash string, userID int64, name string) error
	TokenUser(ctx context.Context, tokenHash string) (*User, error)
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
