package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/airindex"
	"skygrid/demo"
	"skygrid/internal/storetest"
	"skygrid/store"
)

// The demo's air data rank every county in October 2023 (the demo's
// month: 29 valid days; with a year-ago index) and September; 天镇县's
// invented outage leaves its September unranked, with the reason; the
// three counties without a station are estimated from the urban ones.
func TestDemoAirRanking(t *testing.T) {
	db := regionsDB(t)
	ctx := context.Background()
	if err := demoAir(ctx, db, io.Discard, demo.Start); err != nil {
		t.Fatal(err)
	}
	r := &airindex.Ranking{Source: db, NearestKm: 30}
	for _, tt := range []struct {
		name      string
		month     time.Time
		unranked  string // the county not ranked ("" none)
		validDays int    // of a county with its own station
		yearAgo   bool   // the demo invents the year-ago October only
	}{
		{"October 2023", demo.Start, "", 29, true},
		{"September 2023", time.Date(2023, 9, 15, 0, 0, 0, 0, skygrid.Beijing), "天镇县", 30, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := r.CountyAirRanking(ctx, tt.month)
			if err != nil {
				t.Fatal(err)
			}
			estimated := 0
			for _, c := range cs {
				if c.CountyName == tt.unranked {
					if c.Rank != 0 || c.Index != nil || !strings.Contains(c.Note, "有效日数25天，少于27天") {
						t.Errorf("%s: rank %d index %v note %q", c.CountyName, c.Rank, c.Index, c.Note)
					}
					continue
				}
				if c.Rank == 0 || c.Index == nil || (c.YearAgoIndex != nil) != tt.yearAgo {
					t.Errorf("%s: rank %d index %v year ago %v (%s)", c.CountyName, c.Rank, c.Index, c.YearAgoIndex, c.Note)
				}
				if c.Estimated {
					estimated++
				} else if c.CountyName == "平城区" && c.ValidDays != tt.validDays {
					t.Errorf("平城区: %d valid days, want %d", c.ValidDays, tt.validDays)
				}
			}
			if len(cs) != 10 || estimated != 3 {
				t.Errorf("%d counties, %d estimated; want 10 and 3", len(cs), estimated)
			}
		})
	}
}

// regionsDB is a database with the demo's regions, closed when tb ends.
func regionsDB(tb testing.TB) *store.DB {
	tb.Helper()
	db := storetest.NewDB(tb, "demo.db")
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, _, err := demoRegions(context.Background(), db, io.Discard); err != nil {
		tb.Fatal(err)
	}
	return db
}

// BenchmarkDemoAir: the demo's air stations and their 25,686 invented
// hours stored (demoAir on a database with the demo's regions).
func BenchmarkDemoAir(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := regionsDB(b)
		b.StartTimer()
		if err := demoAir(context.Background(), db, io.Discard, demo.Start); err != nil {
			b.Fatal(err)
		}
	}
}
