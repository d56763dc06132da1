package main

import (
	"flag"
	"net/url"
	"strings"

	"skygrid/config"
	"skygrid/dispatch"
	"skygrid/store"
)

// The preamble every command shares: the configuration read once (the
// file, the --set overrides, the secrets of the environment), then the
// database opened (created and migrated) on the command's clock with the
// configured rules, then, for the commands that take in data, the
// pipeline.

// config reads the configuration of the common flags; the database is
// its [store] dsn when neither --db nor $SKYGRID_DB named one.
func (m *Main) config(c *common) (config.Config, error) {
	cfg, err := config.Load(c.config, m.Getenv, c.sets...)
	if err == nil && !c.dbGiven && cfg.Store.DSN != "" {
		c.db, c.dbGiven = cfg.Store.DSN, true
	}
	return cfg, err
}

// open reads the configuration and opens the database at c.db; close it.
func (m *Main) open(c *common) (*store.DB, config.Config, error) {
	cfg, err := m.config(c)
	if err != nil {
		return nil, cfg, err
	}
	db, err := m.openDB(c.db, cfg)
	return db, cfg, err
}

// parseOpen parses the flags of a command that takes no file and opens
// its database; close it.
func (m *Main) parseOpen(fs *flag.FlagSet, args []string, c *common) (*store.DB, error) {
	if _, err := m.parse(fs, args); err != nil {
		return nil, err
	}
	db, _, err := m.open(c)
	return db, err
}

// openDB opens (creating and migrating) the database at path with the
// configuration's rules: the dust rules of [sites], the escalation
// policy, and the personal channel kinds that have a provider (their
// messages are queued with the tasks).
func (m *Main) openDB(path string, cfg config.Config) (*store.DB, error) {
	db := store.NewDB(path)
	db.Now = m.Now
	db.SiteRules = cfg.Sites.Rules()
	db.Escalation = cfg.Escalation.Policy()
	db.PersonalKinds = cfg.Notify.Kinds()
	db.AreaName = cfg.Server.AreaName
	if err := db.Open(); err != nil {
		return nil, err
	}
	return db, nil
}

// openPipeline is open with the pipeline on the database; close the DB.
func (m *Main) openPipeline(c *common) (*store.DB, *dispatch.Pipeline, config.Config, error) {
	db, cfg, err := m.open(c)
	if err != nil {
		return nil, nil, cfg, err
	}
	p, err := m.pipeline(db, cfg)
	if err != nil {
		db.Close()
		return nil, nil, cfg, err
	}
	return db, p, cfg, nil
}

// pipeline is the pipeline on db with the configuration, on m's clock.
func (m *Main) pipeline(db *store.DB, cfg config.Config) (*dispatch.Pipeline, error) {
	p, err := dispatch.New(db, cfg.Config)
	if err != nil {
		return nil, err
	}
	p.Now = m.Now
	// Heavy-pollution warnings: shorter fire deadlines in their area, and
	// the listed sites' inspections placed in their grids as fires are.
	p.Warnings = &dispatch.WarningCache{Store: db, Changed: db.WarningsChanged, Now: m.Now}
	p.WarningConfig = cfg.Warning
	db.Place, db.InspectHours = p.Place, cfg.Warning.InspectHours
	return p, nil
}

// defaultDataDir is where report photos go without --data: DB.data
// beside a SQLite file; for PostgreSQL, NAME.data in the working
// directory after the database's name (several servers on one database
// must share one folder: give them --data).
func defaultDataDir(dsn string) string {
	if !store.IsPostgres(dsn) {
		return dsn + ".data"
	}
	name := "skygrid"
	if u, err := url.Parse(dsn); err == nil {
		if p := strings.Trim(u.Path, "/"); p != "" && !strings.ContainsAny(p, `/\`) && p != "." && p != ".." {
			name = p
		}
	}
	return name + ".data"
}
