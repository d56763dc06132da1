package main

import (
	"context"
	"fmt"

	"skygrid/api"
	"skygrid/store"
)

// runServe: skygrid serve [--addr 127.0.0.1:8080]
func (m *Main) runServe(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("serve", "Usage: skygrid serve [--addr 127.0.0.1:8080] [flags]\n\nServes the JSON API on the database.", &c)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (port 0 picks a free port)")
	if _, err := m.parse(fs, args); err != nil {
		return err
	}
	db, err := m.openDB(c.db)
	if err != nil {
		return err
	}
	defer db.Close()
	return m.serve(ctx, db, *addr)
}

// serve runs the API on db until ctx is done.
func (m *Main) serve(ctx context.Context, db *store.DB, addr string) error {
	srv := api.NewServer(api.Services{Hotspots: db, Events: db, Regions: db, Tasks: db, Ingest: db, Sites: db}, m.Logger)
	if err := srv.Open(addr); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintf(m.Stdout, "skygrid listening on %s  (API: %s/api/events)\n", srv.URL(), srv.URL())
	if m.Ready != nil {
		m.Ready(srv.URL())
	}
	<-ctx.Done()
	return srv.Close()
}
