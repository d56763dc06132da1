package main

import (
	"context"
	"fmt"

	"skygrid"
	"skygrid/airdata"
	"skygrid/store"
)

// importStations is skygrid import stations FILE: a station list, or the
// per-station layout's stations.
func (m *ImportCommand) importStations(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("import stations", "Usage: skygrid import stations FILE.csv [flags]\n\n"+
		"Air-quality stations: a list (code, name, city, lon, lat, network; or CNEMC's 监测点编码, 监测点名称, 城市, 经度, 纬度)\n"+
		"or the per-station layout (station_code, name, city, lon, lat, timepoint, ...). Each station's county comes from the regions.", &c)
	files, err := m.parseFiles(fs, args, 1, 1)
	if err != nil {
		return err
	}
	f, err := airdata.ReadFile(files[0])
	if err != nil {
		return err
	}
	if f.Layout == airdata.LayoutDaily {
		return skygrid.Errorf(skygrid.EINVALID, "%s: hourly concentrations, not stations: use skygrid ingest air", files[0])
	}
	db, _, err := m.open(&c)
	if err != nil {
		return err
	}
	defer db.Close()
	return m.storeStations(ctx, db, files[0], f.Stations)
}

func (m *Main) storeStations(ctx context.Context, db *store.DB, path string, stations []*skygrid.AirStation) error {
	n, err := db.ImportAirStations(ctx, stations)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	placed := 0
	for _, s := range stations {
		if s.CountyID != "" {
			placed++
		}
	}
	fmt.Fprintf(m.Stdout, "%s: %d air-quality stations (%d in a county of the regions)\n", path, n, placed)
	return nil
}

// ingestAir is skygrid ingest air FILE...: hourly concentrations in the
// per-station or the per-day CNEMC layout; each file's hours are one
// transaction (the per-station layout's stations are stored first).
func (m *IngestCommand) ingestAir(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("ingest air", "Usage: skygrid ingest air FILE.csv... [flags]\n\n"+
		"Hourly concentrations: CNEMC's per-day layout (date,hour,type,<station codes>; stations from skygrid import stations;\n"+
		"columns of stations not imported are skipped) or the per-station layout (station_code,...,timepoint,...).", &c)
	files, err := m.parseFiles(fs, args, 1, -1)
	var db *store.DB
	if err == nil {
		db, _, err = m.open(&c)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	failed := 0
	for _, path := range files {
		if err := m.ingestAirFile(ctx, db, path); err != nil {
			failed++
			fmt.Fprintf(m.Stdout, "%s: REFUSED: %s\n", path, errorText(err))
		}
	}
	if failed > 0 {
		return fmt.Errorf("ingest air: %d of %d files refused", failed, len(files))
	}
	return nil
}

func (m *IngestCommand) ingestAirFile(ctx context.Context, db *store.DB, path string) error {
	f, err := airdata.ReadFile(path)
	if err != nil {
		return err
	}
	switch f.Layout {
	case airdata.LayoutList:
		return skygrid.Errorf(skygrid.EINVALID, "a station list, no concentrations: use skygrid import stations")
	case airdata.LayoutStation:
		if err := m.storeStations(ctx, db, path, f.Stations); err != nil {
			return err
		}
	}
	known, err := db.FindAirStations(ctx)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, s := range known {
		have[s.Code] = true
	}
	var hours []*skygrid.AirHour
	skipped := map[string]bool{}
	for _, h := range f.Hours {
		if have[h.Station] {
			hours = append(hours, h)
		} else {
			skipped[h.Station] = true
		}
	}
	added, updated, err := db.IngestAirHours(ctx, hours)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%s: %d station hours (%d new, %d updated); %d stations not imported skipped\n",
		path, len(hours), added, updated, len(skipped))
	return nil
}
