package store_test

import (
	"context"
	"testing"
	"time"

	"skygrid"
)

// The latest fetched set: none at first, then each save replaces the last,
// times in UTC to the second.
func TestTLESet(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if got, err := db.LatestTLESet(ctx); err != nil || got != nil {
		t.Fatalf("before any fetch: %+v, %v", got, err)
	}
	beijing := time.FixedZone("CST", 8*3600)
	sets := []*skygrid.TLESet{
		{Text: "NOAA 20\n1 ...\n2 ...\n", Epoch: time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC), FetchedAt: time.Date(2026, 12, 5, 8, 0, 0, 0, beijing), URL: "http://127.0.0.1:1/a"},
		{Text: "SUOMI NPP\n1 ...\n2 ...\n", Epoch: time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC), FetchedAt: time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC), URL: "http://127.0.0.1:1/b"},
	}
	for i, set := range sets {
		t.Run(set.URL, func(t *testing.T) {
			if err := db.SaveTLESet(ctx, set); err != nil {
				t.Fatal(err)
			}
			got, err := db.LatestTLESet(ctx)
			if err != nil || got == nil {
				t.Fatalf("set %d: %+v, %v", i, got, err)
			}
			if got.Text != set.Text || !got.Epoch.Equal(set.Epoch) || !got.FetchedAt.Equal(set.FetchedAt) || got.URL != set.URL || got.FetchedAt.Location() != time.UTC {
				t.Errorf("set %d: got %+v, want %+v", i, got, set)
			}
		})
	}
}
