package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/internal/steps"
	"skygrid/internal/storetest"
	"skygrid/password"
	"skygrid/store"
)

// tokenUser asks the store who a token is, at now.
func tokenUser(t *testing.T, path string, now time.Time, tok string) error {
	t.Helper()
	db := store.NewDB(path)
	db.Now = func() time.Time { return now }
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err := db.TokenUser(context.Background(), password.HashSecret(tok))
	return err
}

// token create|list|revoke and user disable|enable|passwd: expiry from
// the configuration or --expires, revocation by id or by name, each
// refused on the token's next use.
func TestTokenAndUserCommands(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2024, 3, 1, 2, 0, 0, 0, time.UTC)
	r := &tokenRun{db: storetest.DSN(t, "t.db"), pw: filepath.Join(dir, "pw"), now: now,
		later: now.Add(8 * 24 * time.Hour), tokens: map[string]string{}}
	os.WriteFile(r.pw, []byte("first password\n"), 0o600)
	for _, name := range []string{"ops", "scraper"} {
		if out, err := runAt(t, now, r.db, "user", "add", "--name", name, "--role", "admin", "--password-file", r.pw); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
	}
	// Each step goes on from the one before (steps.Run).
	steps.Run(t,
		steps.Step{Name: "token create", Run: r.create}, steps.Step{Name: "token list and use", Run: r.listAndUse}, steps.Step{Name: "token revoke", Run: r.revoke},
		steps.Step{Name: "user disable and enable", Run: r.disableEnable}, steps.Step{Name: "user passwd", Run: r.passwd}, steps.Step{Name: "audit", Run: r.audit},
	)
}

// tokenRun is a database with two admins, ops and scraper, and their
// tokens by how their expiry was set; now is when they are made, later
// a week and a day on.
type tokenRun struct {
	db, pw     string
	now, later time.Time
	tokens     map[string]string
}

func (r *tokenRun) create(t *testing.T) {
	db, now, tokens := r.db, r.now, r.tokens
	for _, tc := range []struct {
		key  string
		args []string
	}{
		{"default", []string{"--user", "ops", "--name", "prometheus"}},
		{"config", []string{"--user", "ops", "--name", "weekly", "--set", "auth.token_expiry_days=7"}},
		{"days", []string{"--user", "scraper", "--name", "prometheus", "--expires", "30d"}},
		{"date", []string{"--user", "scraper", "--name", "until-april", "--expires", "2024-04-01"}},
	} {
		out, err := runAt(t, now, db, append([]string{"token", "create"}, tc.args...)...)
		if err != nil || !regexp.MustCompile(`^[A-Za-z0-9_-]{43}\n$`).MatchString(out) {
			t.Fatalf("token create %v: %v %q", tc.args, err, out)
		}
		tokens[tc.key] = strings.TrimSpace(out)
	}
	for _, bad := range []struct{ expires, says string }{{"0d", "at least 1 day"}, {"-5h", "in the future"}, {"2024-02-01", "past"}, {"soon", "want days"}} {
		if out, err := runAt(t, now, db, "token", "create", "--user", "ops", "--expires", bad.expires); err == nil || !strings.Contains(err.Error(), bad.says) {
			t.Errorf("--expires %s: %v %s", bad.expires, err, out)
		}
	}
	if _, err := runAt(t, now, db, "token", "create", "--user", "ops", "--set", "auth.token_expiry_days=0"); err == nil || !strings.Contains(err.Error(), "token_expiry_days") {
		t.Errorf("token_expiry_days=0: %v", err)
	}
}

// listAndUse: the list, a use, and the weekly token expired a week on.
func (r *tokenRun) listAndUse(t *testing.T) {
	db, now, later, tokens := r.db, r.now, r.later, r.tokens
	out, err := runAt(t, now.Add(time.Hour), db, "token", "list")
	want := []string{
		"id\tname\tuser\tcreated\tlast used\texpires\tstate",
		"4\tuntil-april\tscraper\t2024-03-01 10:00\t-\t2024-04-02 00:00\tactive",
		"3\tprometheus\tscraper\t2024-03-01 10:00\t-\t2024-03-31 10:00\tactive",
		"2\tweekly\tops\t2024-03-01 10:00\t-\t2024-03-08 10:00\tactive",
		"1\tprometheus\tops\t2024-03-01 10:00\t-\t2024-05-30 10:00\tactive",
	}
	if err != nil || out != strings.Join(want, "\n")+"\n" {
		t.Fatalf("token list: %v\n%s\nwant\n%s", err, out, strings.Join(want, "\n"))
	}
	// Used: the list says when.
	if err := tokenUser(t, db, now.Add(2*time.Hour), tokens["default"]); err != nil {
		t.Fatal(err)
	}
	// The weekly token has expired a week on; the list says so.
	if err := tokenUser(t, db, later, tokens["config"]); skygrid.ErrorCode(err) != skygrid.EUNAUTHORIZED || !strings.Contains(err.Error(), "expired on 2024-03-08 10:00") {
		t.Errorf("the weekly token a week on: %v", err)
	}
	out, _ = runAt(t, later, db, "token", "list", "--user", "ops")
	if !strings.Contains(out, "2\tweekly\tops\t2024-03-01 10:00\t-\t2024-03-08 10:00\texpired\n") ||
		!strings.Contains(out, "1\tprometheus\tops\t2024-03-01 10:00\t2024-03-01 12:00\t2024-05-30 10:00\tactive\n") || strings.Contains(out, "scraper") {
		t.Errorf("token list --user ops:\n%s", out)
	}
}

func (r *tokenRun) revoke(t *testing.T) {
	db, later, tokens := r.db, r.later, r.tokens
	// Revoke: a name two users' tokens share needs the user or the id.
	if out, err := runAt(t, later, db, "token", "revoke", "prometheus"); err == nil || !strings.Contains(err.Error(), `2 active tokens are named "prometheus": give the id of one: 3 (scraper), 1 (ops)`) {
		t.Errorf("revoke an ambiguous name: %v %s", err, out)
	}
	if out, err := runAt(t, later, db, "token", "revoke", "prometheus", "--user", "scraper"); err != nil || out != "token 3 \"prometheus\" of scraper revoked\n" {
		t.Errorf("revoke by name: %v %q", err, out)
	}
	if out, err := runAt(t, later, db, "token", "revoke", "1"); err != nil || out != "token 1 \"prometheus\" of ops revoked\n" {
		t.Errorf("revoke by id: %v %q", err, out)
	}
	if out, err := runAt(t, later, db, "token", "revoke", "1"); err == nil || !strings.Contains(err.Error(), "revoked on 2024-03-09 10:00 (UTC+8) already") {
		t.Errorf("revoke twice: %v %q", err, out)
	}
	if out, err := runAt(t, later, db, "token", "revoke", "nothing"); err == nil || !strings.Contains(err.Error(), `no active token named "nothing"`) {
		t.Errorf("revoke an unknown name: %v %q", err, out)
	}
	for _, key := range []string{"default", "days"} {
		if err := tokenUser(t, db, later, tokens[key]); skygrid.ErrorCode(err) != skygrid.EUNAUTHORIZED || !strings.Contains(err.Error(), "revoked") {
			t.Errorf("the %s token after revoke: %v", key, err)
		}
	}
}

func (r *tokenRun) disableEnable(t *testing.T) {
	db, later, tokens := r.db, r.later, r.tokens
	// user disable|enable: the token of a disabled user is refused.
	if out, err := runAt(t, later, db, "user", "disable", "scraper"); err != nil || !strings.Contains(out, "user 2 scraper disabled") {
		t.Fatalf("user disable: %v %s", err, out)
	}
	if err := tokenUser(t, db, later, tokens["date"]); skygrid.ErrorCode(err) != skygrid.EUNAUTHORIZED || !strings.Contains(err.Error(), "disabled") {
		t.Errorf("a disabled user's token: %v", err)
	}
	if out, _ := runAt(t, later, db, "user", "list"); !strings.Contains(out, "scraper\tadmin (管理员)\t\t\t\tdisabled\n") {
		t.Errorf("user list:\n%s", out)
	}
	if _, err := runAt(t, later, db, "user", "disable", "--name", "scraper"); err == nil || !strings.Contains(err.Error(), "disabled already") {
		t.Errorf("disable twice: %v", err)
	}
	if out, err := runAt(t, later, db, "user", "enable", "--name", "scraper"); err != nil || !strings.Contains(out, "user 2 scraper enabled") {
		t.Fatalf("user enable: %v %s", err, out)
	}
	if err := tokenUser(t, db, later, tokens["date"]); err != nil {
		t.Errorf("the token once enabled: %v", err)
	}
	if _, err := runAt(t, later, db, "user", "disable", "nobody"); err == nil || !strings.Contains(err.Error(), "nobody") {
		t.Errorf("disable an unknown user: %v", err)
	}
}

func (r *tokenRun) passwd(t *testing.T) {
	db, later, pw := r.db, r.later, r.pw
	// user passwd: from a file or standard input, at least 8 characters.
	os.WriteFile(pw, []byte("second password\n"), 0o600)
	if out, err := runAt(t, later, db, "user", "passwd", "ops", "--password-file", pw); err != nil || out != "password of user 1 ops changed; 0 sessions ended\n" {
		t.Errorf("user passwd: %v %q", err, out)
	}
	m, outb, _ := testMain()
	m.Stdin = strings.NewReader("short\n")
	if err := m.Run(context.Background(), []string{"user", "passwd", "ops", "--db", db}); err == nil || !strings.Contains(err.Error(), "at least 8") {
		t.Errorf("a short password: %v %s", err, outb)
	}
}

// audit: the password is hashed, and the audit log has every change and no secret.
func (r *tokenRun) audit(t *testing.T) {
	db, tokens := r.db, r.tokens
	d := store.NewDB(db)
	if err := d.Open(); err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	_, hash, err := d.UserLogin(context.Background(), "ops")
	if err != nil || hash == "" || strings.Contains(hash, "second") {
		t.Fatalf("%v %q", err, hash)
	}
	entries, err := d.FindAuditLog(context.Background(), skygrid.AuditFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
		if strings.Contains(e.Before+e.After, "password\n") || strings.Contains(e.Before+e.After, "second password") || strings.Contains(e.Before+e.After, tokens["days"]) {
			t.Errorf("audit line %+v holds a secret", e)
		}
	}
	if got := strings.Join(actions, " "); got != "user.password user.enable user.disable token.revoke token.revoke token.create token.create token.create token.create user.add user.add" {
		t.Errorf("audit: %s", got)
	}
}
