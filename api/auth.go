package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"skygrid"
	"skygrid/password"
	"skygrid/username"

	"github.com/labstack/echo/v4"
)

// Sessions, tokens and login throttling.
const (
	sessionCookie = "skygrid_session"
	csrfHeader    = "X-CSRF-Token"
	sessionTTL    = 12 * time.Hour
	// At most loginMaxFailures failed logins per user name and per client
	// address in loginWindow.
	loginMaxFailures   = 5
	loginMaxPerAddress = 20 // an office behind one address has many users
	loginWindow        = 15 * time.Minute
)

// userOf returns the logged-in user of a request (set by authenticate).
func userOf(c echo.Context) *skygrid.User {
	u, _ := c.Get("user").(*skygrid.User)
	return u
}

// authenticate finds the user from an API token (Authorization: Bearer)
// or a session cookie; cookie-authenticated writes need the session's
// CSRF token in X-CSRF-Token. Without either: 401.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		if h := c.Request().Header.Get("Authorization"); h != "" {
			tok, ok := strings.CutPrefix(h, "Bearer ")
			if !ok || tok == "" {
				return skygrid.Errorf(skygrid.EUNAUTHORIZED, "Authorization: want Bearer TOKEN")
			}
			u, err := s.Users.TokenUser(ctx, password.HashSecret(tok))
			if err != nil {
				return err
			}
			c.Set("user", u)
			return next(c)
		}
		ck, err := c.Cookie(sessionCookie)
		if err != nil || ck.Value == "" {
			return skygrid.Errorf(skygrid.EUNAUTHORIZED, "please log in (no session)")
		}
		u, csrf, err := s.Users.SessionUser(ctx, password.HashSecret(ck.Value))
		if err != nil {
			return err
		}
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			got := c.Request().Header.Get(csrfHeader)
			if subtle.ConstantTimeCompare([]byte(got), []byte(csrf)) != 1 {
				return skygrid.Errorf(skygrid.EFORBIDDEN, "missing or wrong %s header (cross-site request refused)", csrfHeader)
			}
		}
		c.Set("user", u)
		c.Set("csrf", csrf)
		c.Set("session", password.HashSecret(ck.Value))
		return next(c)
	}
}

// allow refuses users whose role is not listed.
func allow(roles ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if u := userOf(c); u == nil || !slices.Contains(roles, u.Role) {
				return skygrid.Errorf(skygrid.EFORBIDDEN, "your role may not do this")
			}
			return next(c)
		}
	}
}

// LoginRequest is the body of POST /api/login.
type LoginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// Me is a logged-in user with the CSRF token for cookie writes.
type Me struct {
	User     *skygrid.User `json:"user" ts:"User"`
	CSRF     string        `json:"csrf,omitempty"`
	RoleName string        `json:"role_name"`
	// Now is the server's clock (the demo's runs from the end of October
	// 2023), for countdowns and overdue marks.
	Now time.Time `json:"now"`
	// LatestDetection is the acquisition time of the latest detection at
	// or before Now (none in a store without one): the map's time window
	// and the statistics open on the month holding it, so that a city's
	// server opens on its own season and the demo's on October 2023.
	LatestDetection *time.Time `json:"latest_detection,omitempty"`
	// Area is the bounding box [min lon, min lat, max lon, max lat] of the
	// user's area: their regions', or for a city-wide user the counties'
	// (the grids' where there is no county). The map opens on it rather
	// than on Datong, whose tiles a province's user would fetch and leave.
	Area []float64 `json:"area,omitempty"`
}

// me is the answer of a log-in and of GET /api/me.
func (s *Server) me(c echo.Context, u *skygrid.User, csrf string) (Me, error) {
	now := s.now().UTC().Truncate(time.Second)
	m := Me{User: u, CSRF: csrf, RoleName: skygrid.RoleNames[u.Role], Now: now}
	area, err := s.areaBox(c.Request().Context(), u)
	if err != nil {
		return m, err
	}
	m.Area = area
	if s.Hotspots == nil {
		return m, nil
	}
	latest, err := s.Hotspots.LatestDetection(c.Request().Context(), now)
	if err != nil {
		return m, err
	}
	if !latest.IsZero() {
		m.LatestDetection = &latest
	}
	return m, nil
}

// areaBox is Me.Area: nil without a region store or a region in the area.
func (s *Server) areaBox(ctx context.Context, u *skygrid.User) ([]float64, error) {
	if s.Regions == nil {
		return nil, nil
	}
	sc := skygrid.ScopeOf(u)
	// A scoped user without regions has no area (IDs empty, not nil).
	filters := []skygrid.RegionFilter{{IDs: append([]string{}, sc.Regions...)}}
	if sc.All {
		county, grid := skygrid.LevelCounty, skygrid.LevelGrid
		filters = []skygrid.RegionFilter{{Level: &county}, {Level: &grid}}
	}
	for _, f := range filters {
		rs, _, err := s.Regions.FindRegions(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("the user's area: %w", err)
		}
		if len(rs) == 0 {
			continue
		}
		b := rs[0].Bound
		for _, r := range rs[1:] {
			b = b.Union(r.Bound)
		}
		return []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}, nil
	}
	return nil, nil
}

// clientIP is the client's address: the connection's, or behind a
// trusted proxy (Limits.TrustedProxies) the one it forwards.
func clientIP(c echo.Context) string { return c.RealIP() }

// maxLoginBody bounds a log-in's JSON: a name, a password and room.
const maxLoginBody = 16 << 10

// readLogin reads a log-in's JSON body and returns it with the name
// normalised (package username) and the throttle's keys: fixed-size
// hashes of the name's key and of the client's address. A body that is
// not JSON, too large, or a name that is not a user name (too long,
// control or bidi characters...) is EINVALID: refused before anything is
// stored.
func readLogin(c echo.Context) (LoginRequest, []string, error) {
	var req LoginRequest
	// A form-encoded body (curl -d without a Content-Type) would bind no
	// name and read as a wrong password: say what is wanted instead.
	if ct := c.Request().Header.Get(echo.HeaderContentType); !strings.HasPrefix(strings.ToLower(ct), echo.MIMEApplicationJSON) {
		return req, nil, skygrid.Errorf(skygrid.EINVALID, "want a JSON body {\"name\": ..., \"password\": ...} with Content-Type: application/json, got %s", skygrid.Clip(ct))
	}
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxLoginBody)
	if err := c.Bind(&req); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return req, nil, skygrid.Errorf(skygrid.EINVALID, "the log-in is larger than %d KiB: the user name is at most %d characters", maxLoginBody>>10, skygrid.LimitUserName.Max)
		}
		return req, nil, skygrid.Errorf(skygrid.EINVALID, "want a JSON body {\"name\": ..., \"password\": ...}")
	}
	name, key, err := username.Parse(req.Name)
	if err != nil {
		return req, nil, err
	}
	req.Name = name
	return req, []string{"user:" + shortHash(key), "ip:" + shortHash(clientIP(c))}, nil
}

// shortHash is a throttle key's fixed size: 32 hex digits of SHA-256.
func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:16])
}

// POST /api/login: a session cookie (HttpOnly, SameSite=Lax) and the CSRF
// token. Too many failures for the name or the address: 429.
func (s *Server) handleLogin(c echo.Context) error {
	req, keys, err := readLogin(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	// Every attempt counts as a failure until it succeeds, recorded in the
	// same transaction as the check: parallel guesses cannot slip through.
	attempt, ok, err := s.Users.StartLogin(ctx, keys, []int{loginMaxFailures, loginMaxPerAddress}, s.now().Add(-loginWindow))
	if err != nil {
		return err
	}
	if !ok {
		return s.loginThrottled(c, keys)
	}
	u, hash, err := s.Users.UserLogin(ctx, req.Name)
	if err != nil {
		hash = "" // the same work for an unknown name: timing does not tell
	}
	if !password.Verify(hash, req.Password) || err != nil {
		return skygrid.Errorf(skygrid.EUNAUTHORIZED, "用户名或密码错误 (wrong name or password)")
	}
	// Only someone who knows the password learns that the account is
	// stopped: they are told whom to ask, and the attempt still counts.
	if u.Disabled {
		return skygrid.Errorf(skygrid.EFORBIDDEN, "账号已停用，请联系管理员 (this account is disabled: ask an admin)")
	}
	// Success clears this attempt and the name's failures, not the
	// address's: logging in to one's own account does not reset a spray.
	if err := s.Users.LoginSucceeded(ctx, attempt, keys[0]); err != nil {
		return err
	}
	secret, csrf := password.NewSecret(), password.NewSecret()
	if err := s.Users.CreateSession(ctx, password.HashSecret(secret), u.ID, csrf, s.now().Add(sessionTTL)); err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.secureCookie(c), MaxAge: int(sessionTTL / time.Second)})
	m, err := s.me(c, u, csrf)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

// loginThrottled answers a refused log-in: 429 with Retry-After (seconds)
// and the minutes to wait in the message.
func (s *Server) loginThrottled(c echo.Context, keys []string) error {
	now := s.now()
	at, err := s.Users.LoginRetryAt(c.Request().Context(), keys, []int{loginMaxFailures, loginMaxPerAddress}, now.Add(-loginWindow), loginWindow)
	if err != nil {
		return err
	}
	wait := max(at.Sub(now), time.Second)
	secs := int(math.Ceil(wait.Seconds()))
	mins := max(1, (secs+30)/60)
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	return echo.NewHTTPError(http.StatusTooManyRequests,
		fmt.Sprintf("登录失败次数过多，请 %d 分钟后再试 (too many failed logins; try again in %d minutes)", mins, mins))
}

// secureCookie: the session cookie is Secure (sent over HTTPS only) when
// skygrid serves TLS itself or is told it is behind a TLS proxy
// (SecureCookies).
func (s *Server) secureCookie(c echo.Context) bool {
	return s.SecureCookies || c.Request().TLS != nil
}

// POST /api/logout
func (s *Server) handleLogout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		if err := s.Users.DeleteSession(c.Request().Context(), password.HashSecret(ck.Value)); err != nil {
			return err
		}
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1,
		Secure: s.secureCookie(c)})
	return c.NoContent(http.StatusNoContent)
}

// GET /api/me
func (s *Server) handleMe(c echo.Context) error {
	u := userOf(c)
	csrf, _ := c.Get("csrf").(string)
	m, err := s.me(c, u, csrf)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}
