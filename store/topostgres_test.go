package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/internal/pgtest"
	"skygrid/store"
)

// TestCopyToPostgres: a SQLite database's users and audit log copied into
// an empty PostgreSQL database: the counts and the audit checksum equal,
// the copied rows are read back, a row made afterwards gets an id after
// the copied ones (the sequences were moved), and a second copy into the
// now non-empty target is refused and changes nothing.
func TestCopyToPostgres(t *testing.T) {
	ctx := context.Background()
	src := MustOpenSQLite(t)
	// A log-in attempt: login_failures' rows go with their rowids.
	if _, _, err := src.StartLogin(ctx, []string{"user:admin", "ip:127.0.0.1"}, []int{5, 20}, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"admin", "李伟", "wangge"} {
		if err := src.CreateUser(ctx, &skygrid.User{Name: name, Role: skygrid.RoleAuditor}, "$2a$04$notarealhash"); err != nil {
			t.Fatal(err)
		}
	}
	dst := store.NewDB(pgtest.DSN(t))
	if err := dst.Open(); err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	rep, err := store.CopyToPostgres(ctx, src, dst)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	for _, c := range rep.Tables {
		if c.Source != c.Target {
			t.Errorf("%s: %d rows in the source, %d in the target", c.Table, c.Source, c.Target)
		}
		counts[c.Table] = c.Target
	}
	if counts["users"] != 3 || counts["audit_log"] == 0 || counts["layer_versions"] == 0 {
		t.Errorf("counts %v: want 3 users, an audit log and the layer versions", counts)
	}
	if rep.AuditSource == "" || rep.AuditSource != rep.AuditTarget {
		t.Errorf("audit checksums %q and %q", rep.AuditSource, rep.AuditTarget)
	}
	// A copied name is taken; a new user is numbered after the copied ones.
	err = dst.CreateUser(ctx, &skygrid.User{Name: "李伟", Role: skygrid.RoleAuditor}, "$2a$04$notarealhash")
	if skygrid.ErrorCode(err) != skygrid.ECONFLICT {
		t.Errorf("a copied user's name made again: %v, want a conflict", err)
	}
	u := &skygrid.User{Name: "new", Role: skygrid.RoleAuditor}
	if err := dst.CreateUser(ctx, u, "$2a$04$notarealhash"); err != nil {
		t.Fatalf("a user made after the copy: %v (the id sequence must be past the copied ids)", err)
	}
	_, err = store.CopyToPostgres(ctx, src, dst)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("a second copy: %v, want refused: not empty", err)
	}
}
