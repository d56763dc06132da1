package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"skygrid"
	"skygrid/store"
)

// storeBatch ingests one batch of hotspots acquired at at, one per
// longitude, through the ingest port, counting them as new as the
// pipeline does, and returns the batch id.
func storeBatch(t *testing.T, db *store.DB, at time.Time, lons ...float64) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := db.InIngestTx(ctx, func(tx skygrid.IngestTx) error {
		b := &skygrid.IngestBatch{File: "t.csv", Format: "firms-viirs"}
		if err := tx.BeginBatch(ctx, b); err != nil {
			return err
		}
		w, err := tx.WriteHotspots(ctx, at, at)
		if err != nil {
			return err
		}
		for _, lon := range lons {
			h := ingestSpot(lon)
			h.AcqTime, h.BatchID = at, b.ID
			if err := w.Write(ctx, []*skygrid.Hotspot{&h}); err != nil {
				return err
			}
		}
		n, err := w.Close(ctx)
		if err != nil {
			return err
		}
		b.New, b.Rows = n, n
		id = b.ID
		return tx.FinishBatch(ctx, b)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// ScanHotspotsAdded reads what the batches not yet loaded added: newer
// detections from the ids above, a back-filled file (older acquisition
// times, so lower ids) by the second look; every hotspot without known.
func TestScanHotspotsAdded(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	day := time.Date(2023, 10, 20, 5, 0, 0, 0, time.UTC)
	b1 := storeBatch(t, db, day, 113, 113.1)
	b2 := storeBatch(t, db, day.Add(24*time.Hour), 113.2)
	b3 := storeBatch(t, db, day.Add(-48*time.Hour), 113.3, 113.4) // back-filled
	scan := func(known map[int64]bool, after int64) ([]int64, []float64, int64) {
		var lons []float64
		var maxID int64
		batches, err := db.ScanHotspotsAdded(ctx, known, after, func(h *skygrid.Hotspot) error {
			lons, maxID = append(lons, h.Point[0]), max(maxID, h.ID)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(lons)
		return batches, lons, maxID
	}
	all, lons, _ := scan(nil, 0)
	if !slices.Equal(all, []int64{b1, b2, b3}) || !slices.Equal(lons, []float64{113, 113.1, 113.2, 113.3, 113.4}) {
		t.Fatalf("everything: batches %v, hotspots %v", all, lons)
	}
	// The largest id of a batch (known: the others).
	maxOf := func(b int64) int64 {
		known := map[int64]bool{b1: true, b2: true, b3: true}
		delete(known, b)
		_, _, m := scan(known, -1)
		return m
	}
	m1, m2 := maxOf(b1), maxOf(b2)
	if m2 <= m1 || maxOf(b3) >= m1 {
		t.Fatalf("ids not in time order: %d %d %d", m1, m2, maxOf(b3))
	}
	for _, tc := range []struct {
		name    string
		known   []int64
		after   int64
		batches []int64
		lons    []float64
	}{
		{"a newer file: above the ids loaded", []int64{b1, b3}, m1, []int64{b2}, []float64{113.2}},
		{"a back-filled file: below them", []int64{b1, b2}, m2, []int64{b3}, []float64{113.3, 113.4}},
		{"both", []int64{b1}, m1, []int64{b2, b3}, []float64{113.2, 113.3, 113.4}},
		{"nothing new", []int64{b1, b2, b3}, m2, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			known := map[int64]bool{}
			for _, b := range tc.known {
				known[b] = true
			}
			batches, lons, _ := scan(known, tc.after)
			if !slices.Equal(batches, tc.batches) || !slices.Equal(lons, tc.lons) {
				t.Errorf("batches %v hotspots %v, want %v %v", batches, lons, tc.batches, tc.lons)
			}
		})
	}
}
