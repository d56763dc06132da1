package dispatch_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"skygrid"
	"skygrid/dispatch"
)

// warningList is a fixed list of warnings (the store's answer).
type warningList []*skygrid.Warning

func (l warningList) FindWarnings(context.Context, skygrid.WarningFilter) ([]*skygrid.Warning, error) {
	return l, nil
}

// The lookup every reading and fire task makes: is the county under a
// warning at t? 100 warnings of ten counties each in the cache (a
// season's worth), read once.
func BenchmarkWarningCacheInForce(b *testing.B) {
	var ws warningList
	for i := range 100 {
		w := &skygrid.Warning{ID: int64(i), Level: skygrid.WarningOrange, Start: day9.Add(time.Duration(i) * 48 * time.Hour)}
		w.ExpectedEnd, w.LiftedAt = w.Start.Add(24*time.Hour), w.Start.Add(30*time.Hour)
		for c := range 10 {
			w.CountyIDs = append(w.CountyIDs, fmt.Sprintf("1402%02d", c))
		}
		ws = append(ws, w)
	}
	c := &dispatch.WarningCache{Store: ws, Every: time.Hour}
	if err := c.Refresh(context.Background()); err != nil {
		b.Fatal(err)
	}
	at := day9.Add(99*48*time.Hour + time.Hour)
	if c.InForce("140209", at) == nil {
		b.Fatal("not in force")
	}
	b.ResetTimer()
	for range b.N {
		c.Refresh(context.Background())
		c.InForce("140209", at)
	}
}

// countingList counts the reads of the warnings.
type countingList struct {
	warningList
	reads int
}

func (l *countingList) FindWarnings(ctx context.Context, f skygrid.WarningFilter) ([]*skygrid.Warning, error) {
	l.reads++
	return l.warningList.FindWarnings(ctx, f)
}

// The cache reads the warnings again when this process changed one, or
// when a minute has passed on its clock; not otherwise.
func TestWarningCacheRefresh(t *testing.T) {
	store := &countingList{}
	clock := &simClock{t: day9}
	var gen int64
	c := &dispatch.WarningCache{Store: store, Changed: func() int64 { return gen }, Now: clock.Now}
	for _, tt := range []struct {
		name  string
		step  func()
		reads int
	}{
		{"first", func() {}, 1},
		{"again at once", func() {}, 1},
		{"59 s later", func() { clock.Set(day9.Add(59 * time.Second)) }, 1},
		{"a warning changed", func() { gen++ }, 2},
		{"a minute after that read", func() { clock.Set(day9.Add(119 * time.Second)) }, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.step()
			if err := c.Refresh(context.Background()); err != nil {
				t.Fatal(err)
			}
			if store.reads != tt.reads {
				t.Errorf("%d reads, want %d", store.reads, tt.reads)
			}
		})
	}
}
