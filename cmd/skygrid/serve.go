package main

import (
	"context"
	"flag"
	"fmt"

	"skygrid/api"
	"skygrid/store"
	"skygrid/tiles"
)

// mapFlags are the map options of serve and demo.
type mapFlags struct {
	basemap     string
	tiandituKey string
	tileCache   int
}

func (mf *mapFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&mf.basemap, "basemap", "", "an MBTiles file (raster PNG/JPEG) served as the basemap instead of the one drawn from the boundaries")
	fs.StringVar(&mf.tiandituKey, "tianditu-key", getenv("SKYGRID_TIANDITU_KEY"), "Tianditu browser key (tk): offers the Tianditu vec_w/cva_w basemap to the browser (or $SKYGRID_TIANDITU_KEY)")
	fs.IntVar(&mf.tileCache, "tile-cache", 20000, "how many encoded tiles the in-process cache keeps (-1: no cache)")
}

// runServe: skygrid serve [--addr 127.0.0.1:8080]
func (m *Main) runServe(ctx context.Context, args []string) error {
	var c common
	var mf mapFlags
	fs := m.newFlags("serve", "Usage: skygrid serve [--addr 127.0.0.1:8080] [flags]\n\nServes the JSON API and the map tiles on the database.", &c)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (port 0 picks a free port)")
	mf.register(fs, m.Getenv)
	if _, err := m.parse(fs, args); err != nil {
		return err
	}
	db, err := m.openDB(c.db)
	if err != nil {
		return err
	}
	defer db.Close()
	return m.serve(ctx, db, *addr, mf)
}

// serve runs the API and tiles on db until ctx is done.
func (m *Main) serve(ctx context.Context, db *store.DB, addr string, mf mapFlags) error {
	opt := tiles.Options{CacheTiles: mf.tileCache, Now: m.Now}
	if mf.tileCache == 0 {
		opt.CacheTiles = -1
	}
	if mf.basemap != "" {
		mb, err := store.OpenMBTiles(mf.basemap)
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		defer mb.Close()
		opt.Basemap = mb
	}
	ts, err := tiles.NewServer(db, opt)
	if err != nil {
		return err
	}
	svc := api.Services{Hotspots: db, Events: db, Regions: db, Tasks: db, Ingest: db, Sites: db, Layers: db, Tiles: ts}
	if mf.tiandituKey != "" {
		svc.Basemaps = append(svc.Basemaps, tiles.Tianditu(mf.tiandituKey))
	}
	srv := api.NewServer(svc, m.Logger)
	if err := srv.Open(addr); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintf(m.Stdout, "skygrid listening on %s  (API: %s/api/events, tiles: %s/tiles/hotspots.json)\n", srv.URL(), srv.URL(), srv.URL())
	if m.Ready != nil {
		m.Ready(srv.URL())
	}
	<-ctx.Done()
	return srv.Close()
}
