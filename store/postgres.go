package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
)

// pgPoolConns bounds each PostgreSQL pool's connections: a server's
// writers and readers together stay well inside max_connections (100 by
// default) with several servers on one database.
const pgPoolConns = 16

// openPostgres opens the PostgreSQL store: a writer pool (its write
// transactions serialized cluster-wide, pgdriver.go) and a reader pool,
// then applies migrations_pg/ unless AsFound.
func (db *DB) openPostgres() (err error) {
	db.postgres = true
	if db.db, err = openPostgres(db.DSN, true); err != nil {
		return err
	}
	db.db.SetMaxOpenConns(pgPoolConns)
	db.db.SetMaxIdleConns(pgPoolConns)
	if err := db.db.Ping(); err != nil {
		db.db.Close()
		return fmt.Errorf("open %s: %w", RedactDSN(db.DSN), err)
	}
	if !db.AsFound {
		if err := db.migrate(); err != nil {
			db.db.Close()
			return fmt.Errorf("migrate %s: %w", RedactDSN(db.DSN), err)
		}
		if err := db.fillNameKeys(context.Background()); err != nil {
			db.db.Close()
			return fmt.Errorf("migrate %s: %w", RedactDSN(db.DSN), err)
		}
	}
	if db.versions, err = db.db.Prepare(`SELECT layer, version FROM layer_versions`); err != nil {
		db.db.Close()
		return fmt.Errorf("open %s: %w", RedactDSN(db.DSN), err)
	}
	if db.rdb, err = openPostgres(db.DSN, false); err != nil {
		db.db.Close()
		return err
	}
	db.rdb.SetMaxOpenConns(2 * pgPoolConns)
	db.rdb.SetMaxIdleConns(2 * pgPoolConns)
	return nil
}

// Postgres reports whether the store is on PostgreSQL.
func (db *DB) Postgres() bool { return db.postgres }

// pgCode is a PostgreSQL error's SQLSTATE, "" for any other error.
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// pin is SQLite's index hint, a unary "+" before a column in a condition
// (see taskConds); PostgreSQL has none (and no unary plus of text).
func (db *DB) pin() string {
	if db.postgres {
		return ""
	}
	return "+"
}
