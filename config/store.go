package config

import (
	"fmt"
	"net/url"
	"strings"
)

// Store is the [store] section: the database the commands open when
// neither --db nor $SKYGRID_DB names one.
type Store struct {
	// DSN is a SQLite file or a PostgreSQL URL (postgres://user@host/db);
	// "" keeps the default, skygrid.db in the working directory.
	DSN string `toml:"dsn"`
}

// Validate checks that a PostgreSQL URL parses (a SQLite file is any
// name).
func (s Store) Validate() error {
	if !strings.HasPrefix(s.DSN, "postgres://") && !strings.HasPrefix(s.DSN, "postgresql://") {
		return nil
	}
	if _, err := url.Parse(s.DSN); err != nil {
		// The URL may hold a password: name the key, not the value.
		return fmt.Errorf("store.dsn: not a PostgreSQL URL (postgres://user@host/db)")
	}
	return nil
}
