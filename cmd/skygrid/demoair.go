package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"skygrid"
	"skygrid/airdata"
	"skygrid/demo"
	"skygrid/internal/hj212sim"
	"skygrid/store"
)

// demoAir imports Datong's six national stations (real positions, from
// the embedded hour) and six invented county-town stations (示例), and
// invents their hours (示例) for the month before end's, end's month up to
// noon of the day before end, and end's month a year before: the county
// air-quality ranking of the current and the previous month, with a
// year-ago change. The station hours stop a day and a half before end so
// that the dust rules' live ambient is what is ingested after.
func demoAir(ctx context.Context, db *store.DB, out io.Writer, end time.Time) error {
	f, err := hj212sim.OpenDatongStations()
	if err != nil {
		return err
	}
	defer f.Close()
	file, err := airdata.Read(hj212sim.DatongStations, f)
	if err != nil {
		return err
	}
	level := skygrid.LevelCounty
	counties, _, err := db.FindRegions(ctx, skygrid.RegionFilter{Level: &level, WithGeometry: true})
	if err != nil {
		return err
	}
	invented := demo.AirStations(counties)
	stations := append(file.Stations, invented...)
	if _, err := db.ImportAirStations(ctx, stations); err != nil {
		return fmt.Errorf("demo air stations: %w", err)
	}
	b := end.In(skygrid.Beijing)
	month := time.Date(b.Year(), b.Month(), 1, 0, 0, 0, 0, skygrid.Beijing)
	until := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, skygrid.Beijing).Add(-12 * time.Hour)
	hours := demo.AirHours(stations, month.AddDate(0, -1, 0), until, uint64(b.Year()), 1)
	hours = append(hours, demo.AirHours(stations, month.AddDate(-1, 0, 0), month.AddDate(-1, 1, 0), uint64(b.Year()-1), 1.3)...)
	if _, _, err := db.IngestAirHours(ctx, hours); err != nil {
		return fmt.Errorf("demo air hours: %w", err)
	}
	fmt.Fprintf(out, "air stations: %d (Datong's %d national stations, real positions; %d county-town stations 示例, invented); %d station hours 示例 (invented) from %s to %s and for %s\n",
		len(stations), len(file.Stations), len(invented), len(hours), month.AddDate(0, -1, 0).Format("2006-01-02"),
		until.Format("2006-01-02 15:04"), month.AddDate(-1, 0, 0).Format("2006-01"))
	return nil
}
