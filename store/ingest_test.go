package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"skygrid"

	"github.com/paulmach/orb"
)

// The ingest port's promises that the pipeline builds on, on a real
// SQLite file.
func TestIngestPort(t *testing.T) {
	for _, tt := range []struct {
		name string
		run  func(t *testing.T, ctx context.Context, tx skygrid.IngestTx) error
		// what is stored after InIngestTx: hotspots, and the error wanted
		stored  int
		failure string
	}{
		{"Write copies what it needs: the caller reuses its buffer", ingestWriteCopies, 3, ""},
		{"a writer left open when fn fails is waited for and nothing stays", ingestWriterLeftOpen, 0, "deciding failed"},
		{"new event ids are fresh, and the events and tasks saved with them", ingestNewEventIDs, 0, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			ctx := context.Background()
			err := db.InIngestTx(ctx, func(tx skygrid.IngestTx) error { return tt.run(t, ctx, tx) })
			if (err == nil) != (tt.failure == "") || (err != nil && err.Error() != tt.failure) {
				t.Fatalf("InIngestTx: %v, want %q", err, tt.failure)
			}
			hs, _, err := db.FindHotspots(ctx, skygrid.HotspotFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(hs) != tt.stored {
				t.Fatalf("%d hotspots stored, want %d", len(hs), tt.stored)
			}
			for i, h := range hs {
				if h.FRP != h.Point[0] {
					t.Errorf("hotspot %d: FRP %v at %v (a reused buffer was read late)", i, h.FRP, h.Point)
				}
			}
		})
	}
}

// ingestAt is when the port's test hotspots were seen.
var ingestAt = time.Date(2023, 10, 24, 5, 36, 0, 0, time.UTC)

// ingestSpot is a hotspot at a longitude, its FRP the longitude.
func ingestSpot(lon float64) skygrid.Hotspot {
	return skygrid.Hotspot{Source: "VIIRS", Satellite: "N20", AcqTime: ingestAt, Point: orb.Point{lon, 40}, Confidence: "n", Status: "fire", FRP: lon}
}

// ingestWriteCopies: Write copies what it needs: the caller reuses its buffer.
func ingestWriteCopies(t *testing.T, ctx context.Context, tx skygrid.IngestTx) error {
	w, err := tx.WriteHotspots(ctx, ingestAt, ingestAt)
	if err != nil {
		return err
	}
	buf := []skygrid.Hotspot{ingestSpot(113)}
	for _, lon := range []float64{113, 113.5, 114} {
		buf[0] = ingestSpot(lon)
		if err := w.Write(ctx, []*skygrid.Hotspot{&buf[0]}); err != nil {
			return err
		}
	}
	n, err := w.Close(ctx)
	if n != 3 {
		t.Errorf("Close: %d stored", n)
	}
	return err
}

// ingestWriterLeftOpen: a writer left open when fn fails is waited for
// and nothing stays.
func ingestWriterLeftOpen(t *testing.T, ctx context.Context, tx skygrid.IngestTx) error {
	w, err := tx.WriteHotspots(ctx, ingestAt, ingestAt)
	if err != nil {
		return err
	}
	h := ingestSpot(113)
	if err := w.Write(ctx, []*skygrid.Hotspot{&h}); err != nil {
		return err
	}
	return errors.New("deciding failed")
}

// ingestNewEventIDs: new event ids are fresh, and the events and tasks
// saved with them.
func ingestNewEventIDs(t *testing.T, ctx context.Context, tx skygrid.IngestTx) error {
	a, err := tx.NewEventID(ctx)
	if err != nil {
		return err
	}
	b, err := tx.NewEventID(ctx)
	if err != nil || b == a {
		t.Errorf("ids %d, %d (%v)", a, b, err)
	}
	e := &skygrid.Event{ID: b, Class: skygrid.ClassOpenBurning, State: skygrid.EventOpen, FirstSeen: ingestAt, LastSeen: ingestAt,
		Point: orb.Point{113, 40}, HotspotCount: 1}
	task := &skygrid.Task{EventID: b, State: skygrid.TaskDispatched, AckDue: ingestAt, ReportDue: ingestAt}
	if err := tx.SaveResult(ctx, &skygrid.IngestResult{Events: []*skygrid.Event{e}, NewTasks: []*skygrid.Task{task}}); err != nil {
		return err
	}
	if task.ID == 0 {
		t.Error("the new task has no id")
	}
	got, err := tx.TaskByEvent(ctx, b)
	if err != nil || got == nil || got.ID != task.ID {
		t.Errorf("task of event %d: %+v, %v", b, got, err)
	}
	if none, err := tx.TaskByEvent(ctx, a); none != nil || err != nil {
		t.Errorf("task of event %d (not saved): %+v, %v", a, none, err)
	}
	return nil
}

// A later transaction's event ids come after those saved before.
func TestNewEventIDAfterSaved(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	at := time.Date(2023, 10, 24, 5, 36, 0, 0, time.UTC)
	var ids []int64
	for range 2 {
		err := db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
			id, err := tx.NewEventID(ctx)
			if err != nil {
				return err
			}
			ids = append(ids, id)
			return tx.SaveResult(ctx, &skygrid.IngestResult{Events: []*skygrid.Event{{ID: id, Class: skygrid.ClassOpenBurning,
				State: skygrid.EventOpen, FirstSeen: at, LastSeen: at, Point: orb.Point{113, 40}, HotspotCount: 1}}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if ids[1] <= ids[0] {
		t.Errorf("ids %v", ids)
	}
}

// TestLatestDetection: none in an empty store; then the latest at or
// before the time asked (its minute counts whole), not a later one.
func TestLatestDetection(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if got, err := db.LatestDetection(ctx, ingestAt); err != nil || !got.IsZero() {
		t.Fatalf("an empty store: %v %v, want the zero time", got, err)
	}
	times := []time.Time{ingestAt.Add(-48 * time.Hour), ingestAt, ingestAt.Add(30 * 24 * time.Hour)}
	err := db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
		w, err := tx.WriteHotspots(ctx, times[0], times[2])
		if err != nil {
			return err
		}
		for i, at := range times {
			h := ingestSpot(113 + float64(i)/10)
			h.AcqTime = at
			if err := w.Write(ctx, []*skygrid.Hotspot{&h}); err != nil {
				return err
			}
		}
		_, err = w.Close(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ at, want time.Time }{
		{ingestAt.Add(-time.Hour), times[0]},
		{ingestAt, ingestAt},
		{ingestAt.Add(30 * time.Second), ingestAt},
		{ingestAt.Add(-time.Second), times[0]},
		{ingestAt.Add(24 * time.Hour), ingestAt},
		{times[2].Add(time.Hour), times[2]},
		{times[0].Add(-time.Minute), time.Time{}},
	} {
		if got, err := db.LatestDetection(ctx, c.at); err != nil || !got.Equal(c.want) {
			t.Errorf("LatestDetection(%s) = %s %v, want %s", c.at, got, err, c.want)
		}
	}
}
