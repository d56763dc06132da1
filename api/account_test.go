package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/api"
	"skygrid/geo"
	"skygrid/internal/storetest"
	"skygrid/password"
	"skygrid/store"

	"github.com/paulmach/orb"
)

// accounts is a server with three users who log in with passwords (an
// admin, an official, a supervisor) and a clock the test moves.
type accounts struct {
	srv   *httptest.Server
	db    *store.DB
	clock *time.Time
	users map[string]*skygrid.User
}

const (
	acctPassword = "correct horse battery"
	newPassword  = "a brand new passphrase"
)

func newAccounts(t *testing.T) *accounts {
	t.Helper()
	db := storetest.NewDB(t, "accounts.db")
	now := time.Date(2024, 3, 1, 2, 0, 0, 0, time.UTC)
	a := &accounts{db: db, clock: &now, users: map[string]*skygrid.User{}}
	db.Now = func() time.Time { return *a.clock }
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if err := db.ImportRegions(ctx, []*skygrid.Region{{ID: "140225", Name: "示例县", Level: skygrid.LevelCounty,
		Geometry: geo.Rect(orb.Point{113.7, 39.7}, 10000, 10000)}}); err != nil {
		t.Fatal(err)
	}
	hash, err := password.Hash(acctPassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []*skygrid.User{
		{Name: "admin", Role: skygrid.RoleAdmin},
		{Name: "admin2", Role: skygrid.RoleAdmin},
		{Name: "official", Role: skygrid.RoleOfficial, Regions: []string{"140225"}},
	} {
		if err := db.CreateUser(ctx, u, hash); err != nil {
			t.Fatal(err)
		}
		a.users[u.Name] = u
	}
	s := api.NewServer(api.Services{Regions: db, Users: db, Audit: db, Tasks: db, Events: db, Now: db.Now}, nil)
	a.srv = httptest.NewServer(s.Handler())
	t.Cleanup(a.srv.Close)
	return a
}

// client is a browser: a cookie session and its CSRF token, or an API
// token.
type client struct {
	http  *http.Client
	csrf  string
	token string
}

// login logs in with a password; nil when refused (status given).
func (a *accounts) login(t *testing.T, name, password string) (*client, int) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &client{http: &http.Client{Jar: jar}}
	var me struct{ CSRF string }
	st := c.call(t, a, "POST", "/api/login", map[string]string{"name": name, "password": password}, &me)
	if st != 200 {
		return nil, st
	}
	c.csrf = me.CSRF
	return c, st
}

// tokenClient makes an API token for a user (its expiry given).
func (a *accounts) tokenClient(t *testing.T, name string, expires time.Time) (*client, int64) {
	t.Helper()
	tok := password.NewSecret()
	tk := &skygrid.Token{UserID: a.users[name].ID, Name: "script-" + name, ExpiresAt: expires}
	if err := a.db.AddToken(context.Background(), tk, password.HashSecret(tok)); err != nil {
		t.Fatal(err)
	}
	return &client{http: http.DefaultClient, token: tok}, tk.ID
}

// call sends a request and decodes the JSON answer into v (the error
// body too, when v is *errorBody).
func (c *client) call(t *testing.T, a *accounts, method, url string, body, v any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	rq, _ := http.NewRequest(method, a.srv.URL+url, rd)
	if body != nil {
		rq.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" {
		rq.Header.Set("X-CSRF-Token", c.csrf)
	}
	if c.token != "" {
		rq.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if v != nil {
		json.Unmarshal(b, v)
	}
	return resp.StatusCode
}

// me is GET /api/me: its status and, when refused, the message.
func (c *client) me(t *testing.T, a *accounts) (int, string) {
	t.Helper()
	var eb errorBody
	st := c.call(t, a, "GET", "/api/me", nil, &eb)
	return st, eb.Error.Message
}

// A revoked token is refused on its next request, saying so; the admin
// lists tokens with their name, user, dates and state, never a secret.
func TestRevokedTokenIsRefused(t *testing.T) {
	a := newAccounts(t)
	admin, _ := a.login(t, "admin", acctPassword)
	script, id := a.tokenClient(t, "official", a.clock.Add(24*time.Hour))
	other, _ := a.tokenClient(t, "official", a.clock.Add(24*time.Hour))
	if st, msg := script.me(t, a); st != 200 {
		t.Fatalf("a new token: %d %s", st, msg)
	}
	*a.clock = a.clock.Add(2 * time.Minute)
	var list struct{ Tokens []map[string]any }
	// The last use is written in the background: wait for it (30 s at
	// most: a busy machine can hold that write back for seconds).
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		list.Tokens = nil
		if st := admin.call(t, a, "GET", "/api/tokens", nil, &list); st != 200 || len(list.Tokens) != 2 {
			t.Fatalf("GET /api/tokens: %d %v", st, list)
		}
		if list.Tokens[1]["last_used"] != nil || time.Now().After(deadline) {
			break
		}
	}
	got := list.Tokens[1]
	if got["id"] != float64(id) || got["name"] != "script-official" || got["user_name"] != "official" || got["state"] != "active" ||
		got["last_used"] != "2024-03-01T02:00:00Z" || got["expires_at"] != "2024-03-02T02:00:00Z" || got["created_at"] == nil {
		t.Errorf("token listed as %v", got)
	}
	if b, _ := json.Marshal(list); strings.Contains(string(b), script.token) || strings.Contains(string(b), password.HashSecret(script.token)) {
		t.Errorf("the list shows a token or its hash: %s", b)
	}
	var eb errorBody
	if st := admin.call(t, a, "POST", fmt.Sprintf("/api/tokens/%d/revoke", id), map[string]any{}, &eb); st != 200 {
		t.Fatalf("revoke: %d %s", st, eb.Error.Message)
	}
	if st, msg := script.me(t, a); st != 401 || !strings.Contains(msg, "revoked") {
		t.Errorf("a revoked token: %d %q, want 401 saying revoked", st, msg)
	}
	if st, msg := other.me(t, a); st != 200 {
		t.Errorf("the user's other token: %d %s", st, msg)
	}
	if st := admin.call(t, a, "POST", fmt.Sprintf("/api/tokens/%d/revoke", id), map[string]any{}, &eb); st != 409 {
		t.Errorf("revoking again: %d %s", st, eb.Error.Message)
	}
	if st := admin.call(t, a, "POST", "/api/tokens/999/revoke", map[string]any{}, &eb); st != 404 {
		t.Errorf("revoking no token: %d %s", st, eb.Error.Message)
	}
	// Only admins, and with the CSRF header when by cookie.
	official, _ := a.login(t, "official", acctPassword)
	for _, u := range []string{"/api/tokens"} {
		if st := official.call(t, a, "GET", u, nil, nil); st != 403 {
			t.Errorf("official GET %s: %d", u, st)
		}
	}
	if st := official.call(t, a, "POST", fmt.Sprintf("/api/tokens/%d/revoke", id+1), map[string]any{}, nil); st != 403 {
		t.Errorf("official revoking: %d", st)
	}
	noCSRF := &client{http: admin.http}
	if st := noCSRF.call(t, a, "POST", fmt.Sprintf("/api/tokens/%d/revoke", id+1), map[string]any{}, nil); st != 403 {
		t.Errorf("revoking without the CSRF header: %d", st)
	}
}

// Tokens expire: by default after 90 days, or when told; an expired token
// is a 401 that says when it expired.
func TestExpiredTokenIsRefused(t *testing.T) {
	a := newAccounts(t)
	short, _ := a.tokenClient(t, "official", a.clock.Add(time.Hour))
	plain := password.NewSecret()
	if err := a.db.CreateToken(context.Background(), password.HashSecret(plain), a.users["official"].ID, "default"); err != nil {
		t.Fatal(err)
	}
	deflt := &client{http: http.DefaultClient, token: plain}
	for _, c := range []*client{short, deflt} {
		if st, msg := c.me(t, a); st != 200 {
			t.Fatalf("a new token: %d %s", st, msg)
		}
	}
	*a.clock = a.clock.Add(time.Hour)
	if st, msg := short.me(t, a); st != 401 || !strings.Contains(msg, "expired on 2024-03-01 11:00") {
		t.Errorf("a token at its expiry: %d %q, want 401 saying when it expired", st, msg)
	}
	*a.clock = a.clock.Add(89*24*time.Hour - 2*time.Hour)
	if st, msg := deflt.me(t, a); st != 200 {
		t.Errorf("a default token after 89 days: %d %s", st, msg)
	}
	*a.clock = a.clock.Add(2 * 24 * time.Hour)
	if st, msg := deflt.me(t, a); st != 401 || !strings.Contains(msg, "expired") {
		t.Errorf("a default token after 91 days: %d %q", st, msg)
	}
	// A token cannot be made already expired.
	err := a.db.AddToken(context.Background(), &skygrid.Token{UserID: 1, Name: "x", ExpiresAt: a.clock.Add(-time.Second)}, "h")
	if skygrid.ErrorCode(err) != skygrid.EINVALID {
		t.Errorf("a token expired at birth: %v", err)
	}
}

// A disabled user's sessions end and their tokens are refused on the
// next request, and they cannot log in; enabled again, they log in and
// their token works, the old sessions stay ended.
func TestDisabledUserIsRefused(t *testing.T) {
	a := newAccounts(t)
	admin, _ := a.login(t, "admin", acctPassword)
	session, _ := a.login(t, "official", acctPassword)
	token, _ := a.tokenClient(t, "official", a.clock.Add(24*time.Hour))
	id := a.users["official"].ID
	var u skygrid.User
	var eb errorBody
	if st := admin.call(t, a, "POST", fmt.Sprintf("/api/users/%d/disable", id), map[string]any{}, &u); st != 200 || !u.Disabled {
		t.Fatalf("disable: %d %+v", st, u)
	}
	if st, _ := session.me(t, a); st != 401 {
		t.Errorf("a disabled user's session: %d", st)
	}
	if st, msg := token.me(t, a); st != 401 || !strings.Contains(msg, "disabled") {
		t.Errorf("a disabled user's token: %d %q", st, msg)
	}
	// With the right password they are told why (an admin can help);
	// with a wrong one, nothing more than anyone else.
	anon := &client{http: http.DefaultClient}
	if st := anon.call(t, a, "POST", "/api/login", map[string]string{"name": "official", "password": acctPassword}, &eb); st != 403 ||
		!strings.HasPrefix(eb.Error.Message, "账号已停用") {
		t.Errorf("a disabled user logging in: %d %q", st, eb.Error.Message)
	}
	eb = errorBody{}
	if st := anon.call(t, a, "POST", "/api/login", map[string]string{"name": "official", "password": "not-" + acctPassword}, &eb); st != 401 ||
		strings.Contains(eb.Error.Message, "停用") {
		t.Errorf("a disabled user's name with a wrong password: %d %q", st, eb.Error.Message)
	}
	var users struct{ Users []skygrid.User }
	admin.call(t, a, "GET", "/api/users", nil, &users)
	if len(users.Users) != 3 || !users.Users[2].Disabled {
		t.Errorf("the users list: %+v", users.Users)
	}
	if st := admin.call(t, a, "POST", fmt.Sprintf("/api/users/%d/disable", id), map[string]any{}, &eb); st != 409 {
		t.Errorf("disabling twice: %d %s", st, eb.Error.Message)
	}
	if st := admin.call(t, a, "POST", fmt.Sprintf("/api/users/%d/disable", a.users["admin"].ID), map[string]any{}, &eb); st != 400 {
		t.Errorf("an admin disabling themselves: %d %s", st, eb.Error.Message)
	}
	u = skygrid.User{}
	if st := admin.call(t, a, "POST", fmt.Sprintf("/api/users/%d/enable", id), map[string]any{}, &u); st != 200 || u.Disabled || u.ID != id {
		t.Fatalf("enable: %d %+v", st, u)
	}
	var users2 struct{ Users []skygrid.User }
	admin.call(t, a, "GET", "/api/users", nil, &users2)
	if users2.Users[2].Disabled {
		t.Errorf("enabled, the users list says disabled")
	}
	if st, _ := session.me(t, a); st != 401 {
		t.Errorf("a session ended by disabling, after enabling: %d", st)
	}
	if st, msg := token.me(t, a); st != 200 {
		t.Errorf("the token after enabling: %d %s", st, msg)
	}
	if _, st := a.login(t, "official", acctPassword); st != 200 {
		t.Errorf("logging in after enabling: %d", st)
	}
	// Only admins.
	if st := token.call(t, a, "POST", fmt.Sprintf("/api/users/%d/disable", a.users["admin2"].ID), map[string]any{}, nil); st != 403 {
		t.Errorf("an official disabling an admin: %d", st)
	}
	if st := admin.call(t, a, "POST", "/api/users/999/disable", map[string]any{}, nil); st != 404 {
		t.Errorf("disabling no user: %d", st)
	}
}

// A changed password ends the user's other sessions (the one that changed
// it stays); an admin's reset ends them all. The old password no longer
// logs in; wrong current passwords are throttled.
func TestPasswordChangeEndsOldSessions(t *testing.T) {
	a := newAccounts(t)
	here, _ := a.login(t, "official", acctPassword)
	phone, _ := a.login(t, "official", acctPassword)
	token, _ := a.tokenClient(t, "official", a.clock.Add(24*time.Hour))
	var eb errorBody
	for _, tc := range []struct {
		body map[string]string
		says string
	}{
		{map[string]string{"current_password": "wrong one!", "password": newPassword}, "current password is wrong"},
		{map[string]string{"password": newPassword}, "current_password"},
		{map[string]string{"current_password": acctPassword, "password": "short"}, "at least 8"},
	} {
		if st := here.call(t, a, "POST", "/api/me/password", tc.body, &eb); st != 400 || !strings.Contains(eb.Error.Message, tc.says) {
			t.Errorf("%v: %d %q, want 400 saying %q", tc.body, st, eb.Error.Message, tc.says)
		}
	}
	var done api.PasswordChanged
	if st := here.call(t, a, "POST", "/api/me/password", map[string]string{"current_password": acctPassword, "password": newPassword}, &done); st != 200 || done.SessionsEnded != 1 {
		t.Fatalf("change: %d %+v", st, done)
	}
	if st, _ := here.me(t, a); st != 200 {
		t.Errorf("the session that changed it: %d", st)
	}
	if st, _ := phone.me(t, a); st != 401 {
		t.Errorf("another session after the change: %d", st)
	}
	if st, _ := token.me(t, a); st != 200 {
		t.Errorf("the user's API token after the change: %d", st)
	}
	if _, st := a.login(t, "official", acctPassword); st != 401 {
		t.Errorf("the old password: %d", st)
	}
	again, st := a.login(t, "official", newPassword)
	if st != 200 {
		t.Fatalf("the new password: %d", st)
	}
	// An admin's reset ends every session of the user.
	admin, _ := a.login(t, "admin", acctPassword)
	id := a.users["official"].ID
	if st := admin.call(t, a, "POST", fmt.Sprintf("/api/users/%d/password", id), map[string]string{"password": "reset by the admin"}, &done); st != 200 || done.SessionsEnded != 2 {
		t.Fatalf("reset: %d %+v", st, done)
	}
	for _, c := range []*client{here, again} {
		if st, _ := c.me(t, a); st != 401 {
			t.Errorf("a session after the admin's reset: %d", st)
		}
	}
	if st := token.call(t, a, "POST", fmt.Sprintf("/api/users/%d/password", a.users["admin"].ID), map[string]string{"password": "taken over!"}, nil); st != 403 {
		t.Errorf("an official resetting an admin's password: %d", st)
	}
	// Guessing the current password: five tries, then 429.
	codes := []int{}
	for range 6 {
		codes = append(codes, admin.call(t, a, "POST", "/api/me/password", map[string]string{"current_password": "guess guess", "password": newPassword}, nil))
	}
	if fmt.Sprint(codes) != "[400 400 400 400 400 429]" {
		t.Errorf("guessing the current password: %v", codes)
	}
}

// Every account change is in the audit log: who, what, before and after,
// never a password or a token.
func TestAccountChangesAreAudited(t *testing.T) {
	a := newAccounts(t)
	admin, _ := a.login(t, "admin", acctPassword)
	official, _ := a.login(t, "official", acctPassword)
	script, tid := a.tokenClient(t, "official", a.clock.Add(24*time.Hour))
	id := a.users["official"].ID
	for _, step := range []struct {
		c          *client
		url        string
		body       any
		action     string
		before, in string
	}{
		{admin, fmt.Sprintf("/api/users/%d/disable", id), nil, "user.disable", "disabled=false", "disabled=true sessions_ended=1"},
		{admin, fmt.Sprintf("/api/users/%d/enable", id), nil, "user.enable", "disabled=true", "disabled=false"},
		{admin, fmt.Sprintf("/api/users/%d/password", id), map[string]string{"password": "reset by the admin"}, "user.password", "name=official", "password_changed=yes sessions_ended=0"},
		{admin, fmt.Sprintf("/api/tokens/%d/revoke", tid), nil, "token.revoke", "token_state=active", "token_state=revoked"},
	} {
		if step.body == nil {
			step.body = map[string]any{}
		}
		if st := step.c.call(t, a, "POST", step.url, step.body, nil); st != 200 {
			t.Fatalf("POST %s: %d", step.url, st)
		}
		var log struct{ Entries []skygrid.AuditEntry }
		admin.call(t, a, "GET", "/api/audit?action="+step.action, nil, &log)
		if len(log.Entries) != 1 || log.Entries[0].Actor != "admin" || !strings.Contains(log.Entries[0].Before, step.before) ||
			!strings.Contains(log.Entries[0].After, step.in) {
			t.Errorf("%s: audit %+v", step.action, log.Entries)
		}
	}
	me, _ := a.login(t, "official", "reset by the admin")
	me.call(t, a, "POST", "/api/me/password", map[string]string{"current_password": "reset by the admin", "password": newPassword}, nil)
	var log struct{ Entries []skygrid.AuditEntry }
	admin.call(t, a, "GET", "/api/audit?limit=1000", nil, &log)
	b, _ := json.Marshal(log)
	for _, secret := range []string{acctPassword, newPassword, "reset by the admin", script.token, password.HashSecret(script.token), "$2a$"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("the audit log holds %q", secret)
		}
	}
	if last := log.Entries[0]; last.Action != "user.password" || last.Actor != "official" {
		t.Errorf("the user's own change: %+v", last)
	}
	_ = official
}
