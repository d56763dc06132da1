package main

import (
	"context"
	"fmt"
	"skygrid/password"
	"strconv"
	"strings"
	"time"

	"skygrid"
)

// TokenCommand is skygrid token: API tokens for scripts.
type TokenCommand struct{ *Main }

// Usage of skygrid token.
func (m *TokenCommand) Usage() string {
	return `Usage: skygrid token create|list|revoke [arguments] [flags]

  token create --user NAME [--name LABEL] [--expires 30d|720h|2024-12-31]
  token list [--user NAME]
  token revoke ID|NAME [--user NAME]

A token is printed once (send it as Authorization: Bearer TOKEN) and acts
as its user; it expires after [auth] token_expiry_days (90) unless
--expires says. Run 'skygrid token VERB -h' for the flags.

Examples:
  skygrid token create --user admin --name nightly-export --expires 30d
  skygrid token list --user admin
  skygrid token revoke nightly-export --user admin
`
}

// Run runs one verb of skygrid token.
func (m *TokenCommand) Run(ctx context.Context, args []string) error {
	if len(args) > 0 && isHelp(args[0]) {
		return m.commandHelp(m)
	}
	if len(args) == 0 {
		return fmt.Errorf("token: want create, list or revoke")
	}
	switch args[0] {
	case "create":
		return m.create(ctx, args[1:])
	case "list":
		return m.list(ctx, args[1:])
	case "revoke":
		return m.revoke(ctx, args[1:])
	}
	return fmt.Errorf("token: want create, list or revoke, got %q", args[0])
}

// create: skygrid token create --user NAME [--name LABEL] [--expires 30d]
func (m *TokenCommand) create(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("token create", `Usage: skygrid token create --user NAME [--name LABEL] [--expires 30d|720h|2024-12-31]

Prints a new API token once (send it as Authorization: Bearer TOKEN); only its
hash is stored. It expires after [auth] token_expiry_days of the
configuration (90 by default) unless --expires says: days (30d), a Go
duration (720h) or the last day it works (2024-12-31, Asia/Shanghai). An
expired or revoked token is refused (401); list with token list, revoke
with token revoke.`, &c)
	user := fs.String("user", "", "the user the token acts as (required)")
	label := fs.String("name", "script", "what the token is for")
	expires := fs.String("expires", "", "when it stops working: 30d, 720h or 2024-12-31 (default: [auth] token_expiry_days)")
	if _, err := m.parse(fs, args); err != nil {
		return err
	}
	cfg, err := m.config(&c)
	if err != nil {
		return err
	}
	now := m.Now()
	until := now.Add(time.Duration(cfg.Auth.TokenExpiryDays) * 24 * time.Hour)
	if *expires != "" {
		if until, err = parseExpiry(*expires, now); err != nil {
			return fmt.Errorf("token create: --expires: %w", err)
		}
	}
	db, err := m.openDB(c.db, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	u, _, err := db.UserLogin(ctx, *user)
	if err != nil {
		return fmt.Errorf("token create: %w", err)
	}
	tok := password.NewSecret()
	t := &skygrid.Token{UserID: u.ID, Name: *label, ExpiresAt: until}
	if err := db.AddToken(ctx, t, password.HashSecret(tok)); err != nil {
		return fmt.Errorf("token create: %w", err)
	}
	// The token alone, for scripts (token list says when it expires).
	fmt.Fprintln(m.Stdout, tok)
	return nil
}

// parseExpiry reads --expires: days ("30d"), a Go duration ("720h") or
// the last day the token works ("2024-12-31": until the midnight after,
// Asia/Shanghai).
func parseExpiry(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if d, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(d); err == nil {
			if n < 1 {
				return time.Time{}, fmt.Errorf("%q: want at least 1 day", s)
			}
			return now.Add(time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, fmt.Errorf("%q: want a time in the future", s)
		}
		return now.Add(d), nil
	}
	day, err := time.ParseInLocation("2006-01-02", s, skygrid.Beijing)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: want days (30d), a duration (720h) or a date (2024-12-31)", s)
	}
	if end := day.AddDate(0, 0, 1); end.After(now) {
		return end, nil
	}
	return time.Time{}, fmt.Errorf("%q is past", s)
}

// cliTime shows a time in Asia/Shanghai to the minute; "-" for none.
func cliTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(skygrid.Beijing).Format("2006-01-02 15:04")
}

// list: skygrid token list [--user NAME]
func (m *TokenCommand) list(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("token list", `Usage: skygrid token list [--user NAME]

Lists the API tokens, newest first: id, name, user, created, last used,
expires (Asia/Shanghai) and state (active, expired, revoked). Never a
token itself: only its hash is stored.`, &c)
	user := fs.String("user", "", "only this user's tokens")
	if _, err := m.parseFiles(fs, args, 0, 0); err != nil {
		return err
	}
	db, _, err := m.open(&c)
	if err != nil {
		return err
	}
	defer db.Close()
	var f skygrid.TokenFilter
	if *user != "" {
		u, _, err := db.UserLogin(ctx, *user)
		if err != nil {
			return fmt.Errorf("token list: %w", err)
		}
		f.UserID = &u.ID
	}
	ts, err := db.FindTokens(ctx, f)
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, "id\tname\tuser\tcreated\tlast used\texpires\tstate")
	for _, t := range ts {
		fmt.Fprintf(m.Stdout, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.UserName, cliTime(t.CreatedAt), cliTime(t.LastUsed), cliTime(t.ExpiresAt), t.State)
	}
	return nil
}

// revoke: skygrid token revoke ID|NAME [--user NAME]
func (m *TokenCommand) revoke(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("token revoke", `Usage: skygrid token revoke ID|NAME [--user NAME]

Revokes an API token by its id (token list) or its name; a name must
match one active token (--user narrows it to a user's). Its next request
is refused (401). Audited.`, &c)
	user := fs.String("user", "", "with a NAME: the user whose token it is")
	pos, err := m.parseFiles(fs, args, 1, 1)
	if err != nil {
		return err
	}
	db, _, err := m.open(&c)
	if err != nil {
		return err
	}
	defer db.Close()
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil {
		if id, err = m.tokenByName(ctx, db, pos[0], *user); err != nil {
			return fmt.Errorf("token revoke: %w", err)
		}
	}
	t, err := db.RevokeToken(ctx, id)
	if err != nil {
		return fmt.Errorf("token revoke: %w", err)
	}
	fmt.Fprintf(m.Stdout, "token %d %q of %s revoked\n", t.ID, t.Name, t.UserName)
	return nil
}

// tokenByName finds the one active token of that name (of user, when
// given).
func (m *TokenCommand) tokenByName(ctx context.Context, db interface {
	FindTokens(context.Context, skygrid.TokenFilter) ([]*skygrid.Token, error)
}, name, user string) (int64, error) {
	ts, err := db.FindTokens(ctx, skygrid.TokenFilter{Name: &name})
	if err != nil {
		return 0, err
	}
	var ids []string
	var id int64
	for _, t := range ts {
		if t.State == skygrid.TokenActive && (user == "" || t.UserName == user) {
			ids, id = append(ids, fmt.Sprintf("%d (%s)", t.ID, t.UserName)), t.ID
		}
	}
	switch len(ids) {
	case 0:
		return 0, skygrid.Errorf(skygrid.ENOTFOUND, "no active token named %q%s", name, map[bool]string{true: " of " + user}[user != ""])
	case 1:
		return id, nil
	}
	return 0, skygrid.Errorf(skygrid.ECONFLICT, "%d active tokens are named %q: give the id of one: %s", len(ids), name, strings.Join(ids, ", "))
}
