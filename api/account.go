package api

import (
	"fmt"
	"net/http"
	"skygrid/password"
	"strconv"

	"skygrid"

	"github.com/labstack/echo/v4"
)

// Accounts (admins): disable and enable users, reset passwords, list and
// revoke API tokens; any user: change their own password. Each change is
// one transaction with its audit line, and takes effect on the next
// request: a disabled user's sessions end and their tokens are refused, a
// revoked token is refused, a changed password ends the user's other
// sessions.

// pathID reads a positive id from the path.
func pathID(c echo.Context, what string) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, skygrid.Errorf(skygrid.EINVALID, "%s id must be a positive whole number, got %q", what, c.Param("id"))
	}
	return id, nil
}

// POST /api/users/:id/disable (admins): the user's sessions end, their
// tokens are refused, they cannot log in.
func (s *Server) handleUserDisable(c echo.Context) error { return s.setDisabled(c, true) }

// POST /api/users/:id/enable (admins)
func (s *Server) handleUserEnable(c echo.Context) error { return s.setDisabled(c, false) }

func (s *Server) setDisabled(c echo.Context, disabled bool) error {
	id, err := pathID(c, "user")
	if err != nil {
		return err
	}
	me := userOf(c)
	if disabled && id == me.ID {
		return skygrid.Errorf(skygrid.EINVALID, "you cannot disable your own account (another admin can, or skygrid user disable)")
	}
	u, err := s.Users.SetUserDisabled(skygrid.WithActor(c.Request().Context(), me.Name), id, disabled)
	if err != nil {
		return err
	}
	m := *u
	m.Phone, m.DingTalkID = skygrid.MaskPhone(u.Phone), skygrid.MaskPhone(u.DingTalkID)
	return c.JSON(http.StatusOK, &m)
}

// PasswordRequest is the body of POST /api/users/:id/password (admins:
// Password only) and POST /api/me/password (CurrentPassword too).
type PasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	Password        string `json:"password"`
}

// PasswordChanged answers a password change: how many sessions it ended.
type PasswordChanged struct {
	SessionsEnded int `json:"sessions_ended"`
}

// POST /api/users/:id/password (admins): a new password; the user's
// sessions end (the admin's own stays when it is theirs).
func (s *Server) handleUserPassword(c echo.Context) error {
	id, err := pathID(c, "user")
	if err != nil {
		return err
	}
	var req PasswordRequest
	if err := c.Bind(&req); err != nil {
		return skygrid.Errorf(skygrid.EINVALID, "want a JSON body {\"password\": ...}")
	}
	return s.setPassword(c, id, req.Password)
}

// setPassword stores a new password for user id and ends their sessions
// but the one making the change.
func (s *Server) setPassword(c echo.Context, id int64, pw string) error {
	hash, err := password.Hash(pw)
	if err != nil {
		return err
	}
	keep, _ := c.Get("session").(string)
	me := userOf(c)
	if id != me.ID {
		keep = ""
	}
	n, err := s.Users.SetPassword(skygrid.WithActor(c.Request().Context(), me.Name), id, hash, keep)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, PasswordChanged{SessionsEnded: n})
}

// Wrong current passwords: at most passwordMaxFailures per user in
// loginWindow (a stolen session cannot guess the password for ever).
const passwordMaxFailures = 5

// POST /api/me/password: the user's own new password, given the current
// one; their other sessions end, this one stays.
func (s *Server) handleMyPassword(c echo.Context) error {
	var req PasswordRequest
	if err := c.Bind(&req); err != nil {
		return skygrid.Errorf(skygrid.EINVALID, "want a JSON body {\"current_password\": ..., \"password\": ...}")
	}
	if req.CurrentPassword == "" {
		return skygrid.Errorf(skygrid.EINVALID, "current_password: give your current password")
	}
	me := userOf(c)
	ctx := c.Request().Context()
	keys := []string{fmt.Sprintf("password:%d", me.ID)}
	attempt, ok, err := s.Users.StartLogin(ctx, keys, []int{passwordMaxFailures}, s.now().Add(-loginWindow))
	if err != nil {
		return err
	}
	if !ok {
		return echo.NewHTTPError(http.StatusTooManyRequests, "当前密码错误次数过多，请稍后再试 (too many wrong current passwords; try again later)")
	}
	_, hash, err := s.Users.UserLogin(ctx, me.Name)
	if err != nil {
		return err
	}
	if !password.Verify(hash, req.CurrentPassword) {
		return skygrid.Errorf(skygrid.EINVALID, "current_password: 当前密码不正确 (the current password is wrong)")
	}
	if err := s.Users.LoginSucceeded(ctx, attempt, keys[0]); err != nil {
		return err
	}
	return s.setPassword(c, me.ID, req.Password)
}

// GET /api/tokens?user=ID (admins): every API token, newest first: name,
// user, created, last used, expiry, state; never a secret.
func (s *Server) handleTokens(c echo.Context) error {
	p := &params{c: c}
	var f skygrid.TokenFilter
	if u := p.intv("user", 0, 0); u > 0 {
		id := int64(u)
		f.UserID = &id
	}
	if p.err != nil {
		return p.err
	}
	ts, err := s.Users.FindTokens(c.Request().Context(), f)
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []*skygrid.Token{}
	}
	return c.JSON(http.StatusOK, TokenList{Tokens: ts})
}

// POST /api/tokens/:id/revoke (admins): the token's next request is a 401.
func (s *Server) handleRevokeToken(c echo.Context) error {
	id, err := pathID(c, "token")
	if err != nil {
		return err
	}
	t, err := s.Users.RevokeToken(skygrid.WithActor(c.Request().Context(), userOf(c).Name), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}
