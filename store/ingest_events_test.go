package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"skygrid"

	"github.com/paulmach/orb"
)

// An ingest's events are stored with every value they were given, whether
// a statement writes their shared columns in as literals (runs of 100
// alike: ingest_events.go) or binds every value, new or saved again by a
// later ingest (created then, updated now).
func TestIngestEventsSaved(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	first := time.Date(2024, 3, 1, 4, 5, 0, 0, time.UTC)
	clock := first.Add(time.Hour)
	db.Now = func() time.Time { return clock }
	var es []*skygrid.Event
	event := func(i int) *skygrid.Event {
		e := &skygrid.Event{Class: skygrid.ClassOpenBurning, State: skygrid.EventOpen, FirstSeen: first.Add(time.Duration(i) * time.Minute),
			LastSeen: first.Add(time.Duration(i+5) * time.Minute), Point: orb.Point{113 + float64(i)/1000, 40}, HotspotCount: i + 1,
			MaxFRP: float64(i) / 7, AssignedBy: "none"}
		e.Bound = orb.Bound{Min: orb.Point{e.Point[0] - 0.001, 39.999}, Max: orb.Point{e.Point[0] + 0.002, 40.003}}
		switch {
		case i < 150: // grids vary, not shared
			e.GridID, e.TownshipID, e.CountyID = fmt.Sprint("g", i), fmt.Sprint("t", i%3), "c1"
		case i >= 150 && i < 270: // alternating: no run of 100
			e.History, e.GridID, e.TownshipID, e.CountyID, e.AssignedBy = i%2 == 0, fmt.Sprint("g", i), "t1", "c1", "contains"
		case i >= 270 && i < 300:
			e.CrossBorder, e.NearCountyID, e.NearMetres, e.NearDirection, e.NeighbourID = true, "c2", 1234.5, "东", "n1"
		case i >= 300:
			e.Class, e.History = "it's", true // a quote in a shared value
		}
		return e
	}
	save := func(es []*skygrid.Event) {
		t.Helper()
		if err := db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
			for _, e := range es {
				if e.ID == 0 {
					id, err := tx.NewEventID(ctx)
					if err != nil {
						return err
					}
					e.ID = id
				}
			}
			return tx.SaveResult(ctx, &skygrid.IngestResult{Events: es})
		}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 420; i++ {
		es = append(es, event(i))
	}
	save(es)
	clock = clock.Add(time.Hour) // the second ingest: 300 of them grow
	for _, e := range es[:300] {
		e.HotspotCount += 10
		e.LastSeen = e.LastSeen.Add(time.Hour)
	}
	save(es[:300])
	got, _, err := db.FindEvents(ctx, skygrid.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(es) {
		t.Fatalf("%d events stored, want %d", len(got), len(es))
	}
	byID := map[int64]*skygrid.Event{}
	for _, g := range got {
		byID[g.ID] = g
	}
	for i, w := range es {
		g := byID[w.ID]
		if g == nil {
			t.Fatalf("event %d (id %d) not stored", i, w.ID)
		}
		if err := sameEvent(g, w); err != "" {
			t.Errorf("event %d: %s", i, err)
		}
	}
}

// sameEvent names the first stored value of g that differs from w's.
func sameEvent(g, w *skygrid.Event) string {
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"class", g.Class, w.Class}, {"state", g.State, w.State}, {"first_seen", g.FirstSeen.Unix(), w.FirstSeen.Unix()},
		{"last_seen", g.LastSeen.Unix(), w.LastSeen.Unix()}, {"point", g.Point, w.Point}, {"bound", g.Bound, w.Bound},
		{"hotspot_count", g.HotspotCount, w.HotspotCount}, {"max_frp", g.MaxFRP, w.MaxFRP}, {"grid", g.GridID, w.GridID},
		{"township", g.TownshipID, w.TownshipID}, {"county", g.CountyID, w.CountyID}, {"assigned_by", g.AssignedBy, w.AssignedBy},
		{"created_at", g.CreatedAt.Unix(), w.CreatedAt.Unix()}, {"updated_at", g.UpdatedAt.Unix(), w.UpdatedAt.Unix()},
		{"history", g.History, w.History}, {"cross_border", g.CrossBorder, w.CrossBorder}, {"near_county", g.NearCountyID, w.NearCountyID},
		{"near_metres", g.NearMetres, w.NearMetres}, {"near_direction", g.NearDirection, w.NearDirection},
		{"neighbour", g.NeighbourID, w.NeighbourID},
	} {
		if c.got != c.want {
			return fmt.Sprintf("%s %v stored, want %v", c.name, c.got, c.want)
		}
	}
	return ""
}
