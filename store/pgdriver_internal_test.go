package store

import "testing"

func TestRebind(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"plain", `SELECT a FROM t WHERE x = ? AND y = ?`, `SELECT a FROM t WHERE x = $1 AND y = $2`},
		{"numbered", `WHERE m = ?1 AND a >= ?2 OR m = ?1`, `WHERE m = $1 AND a >= $2 OR m = $1`},
		{"quoted", `SELECT '?', "a?" FROM t WHERE x = ? -- why?` + "\n" + `AND y = ?`, `SELECT '?', "a?" FROM t WHERE x = $1 -- why?` + "\n" + `AND y = $2`},
		{"doubled quote", `SELECT 'it''s ?' WHERE x = ?`, `SELECT 'it''s ?' WHERE x = $1`},
		{"none", `SELECT 1`, `SELECT 1`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got, _ := rebind(c.in); got != c.want {
				t.Errorf("rebind(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}
