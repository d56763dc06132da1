package main

import (
	"skygrid/config"
	"skygrid/dispatch"
	"skygrid/store"
)

// readingSink is where readings go, by every path in (serve --hj212's
// receiver, POST /api/readings, skygrid ingest readings): the store, with
// the dust rules checked after each commit and their alarms made tasks
// (dispatch.DustChecker), on m's clock.
func (m *Main) readingSink(db *store.DB, cfg config.Config) (*dispatch.DustChecker, error) {
	p, err := m.pipeline(db, cfg)
	if err != nil {
		return nil, err
	}
	c := dispatch.NewDustChecker(db, p, cfg.Dust, cfg.Air.NearestKm)
	c.Now, c.Logger = m.Now, m.Logger
	if r, ok := cfg.Warning.Rule(cfg.Dust); ok {
		c.Warnings, c.WarningRule = p.Warnings, &r
	}
	return c, nil
}
