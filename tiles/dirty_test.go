package tiles_test

import (
	"cmp"
	"context"
	"slices"
	"testing"
	"time"

	"skygrid"
	"skygrid/tiles"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

// A change to one event redraws the tiles of that event only (issue 17):
// the events layer is loaded again and compared with the load before;
// tiles whose area (with the buffer) holds no changed event stay kept.
// Before, any change of the layer's version redrew every tile of it.
func TestEventChangeRedrawsOnlyItsTiles(t *testing.T) {
	src := datong(t)
	// A load never slower than the wait: no tile is stale here.
	s := newServer(t, src, tiles.Options{StaleWait: time.Minute})
	ctx := context.Background()
	changed := src.events[3]
	var other *skygrid.Event
	for _, e := range src.events {
		if d := e.Point.Lon() - changed.Point.Lon(); d > 0.2 || d < -0.2 {
			other = e
			break
		}
	}
	for _, format := range []string{"png", "mvt"} {
		t.Run(format, func(t *testing.T) {
			at, far := req(skygrid.LayerEvents, tileAt(changed.Point, 12), format), req(skygrid.LayerEvents, tileAt(other.Point, 12), format)
			t1, _, _ := s.Get(ctx, at)
			f1, _, _ := s.Get(ctx, far)
			src.mu.Lock()
			changed.State, changed.HotspotCount = skygrid.EventClosed, changed.HotspotCount+5
			src.mu.Unlock()
			src.bump(skygrid.LayerEvents)
			if f2, hit, err := s.Get(ctx, far); err != nil || !hit || f2.ETag != f1.ETag {
				t.Errorf("a tile without the changed event: hit %v, same %v (%v)", hit, f2.ETag == f1.ETag, err)
			}
			if t2, hit, err := s.Get(ctx, at); err != nil || hit || t2.ETag == t1.ETag {
				t.Errorf("the changed event's tile: hit %v, same %v (%v)", hit, t2.ETag == t1.ETag, err)
			}
		})
	}
}

// Invalidate, as another server's notification would call it: a step
// with the bounds of a change keeps the tiles elsewhere; a step of the
// whole layer, or a version reached without any recorded step, redraws.
func TestInvalidate(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		record   func(s *tiles.Server, p orb.Point)
		to       int64 // the layer's version after
		keptFar  bool
		keptNear bool
	}{
		{"the bound of the change", func(s *tiles.Server, p orb.Point) {
			s.Invalidate(skygrid.LayerConstruction, 1, 2, tiles.Dirty{Bounds: []orb.Bound{p.Bound()}})
		}, 2, true, false},
		{"the whole layer", func(s *tiles.Server, p orb.Point) {
			s.Invalidate(skygrid.LayerConstruction, 1, 2, tiles.Dirty{All: true})
		}, 2, false, false},
		{"a step that does not reach the version", func(s *tiles.Server, p orb.Point) {
			s.Invalidate(skygrid.LayerConstruction, 0, 1, tiles.Dirty{})
		}, 2, false, false},
		{"two steps", func(s *tiles.Server, p orb.Point) {
			s.Invalidate(skygrid.LayerConstruction, 1, 2, tiles.Dirty{})
			s.Invalidate(skygrid.LayerConstruction, 2, 3, tiles.Dirty{Bounds: []orb.Bound{p.Bound()}})
		}, 3, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := datong(t)
			s := newServer(t, src, tiles.Options{StaleWait: time.Minute})
			near, far := src.sites[0].Geometry.Bound().Center(), orb.Point{0, 0}
			for _, st := range src.sites {
				if c := st.Geometry.Bound().Center(); st.Kind == skygrid.SiteConstruction && maptile.At(c, 12) != maptile.At(near, 12) {
					far = c
				}
			}
			rn, rf := req(skygrid.LayerConstruction, tileAt(near, 12), "png"), req(skygrid.LayerConstruction, tileAt(far, 12), "png")
			s.Get(ctx, rn)
			s.Get(ctx, rf)
			// The version moves with no load of the layer's data (the
			// fixture's sites share an id: a load would say "all").
			tc.record(s, near)
			src.mu.Lock()
			src.versions[skygrid.LayerConstruction] = tc.to
			src.mu.Unlock()
			tiles.SetSnapshotVersion(s, skygrid.LayerConstruction, tc.to)
			_, hitFar, _ := s.Get(ctx, rf)
			_, hitNear, _ := s.Get(ctx, rn)
			if hitFar != tc.keptFar || hitNear != tc.keptNear {
				t.Errorf("far tile kept %v, want %v; the change's tile kept %v, want %v", hitFar, tc.keptFar, hitNear, tc.keptNear)
			}
		})
	}
}

// A PNG hotspot tile is kept while no dot changes colour, however the
// clock moves, and drawn again when a dot's age crosses a colour's
// boundary (6 h, 24 h, ...): no flush every 10 minutes (issue 17).
func TestHotspotAgesWithoutClockFlush(t *testing.T) {
	src := datong(t)
	seen := time.Date(2023, 10, 31, 3, 0, 0, 0, time.UTC)
	p := src.hotspots[0].Point
	src.hotspots = []*skygrid.Hotspot{
		{Satellite: "N20", Confidence: "h", Status: skygrid.StatusFire, AcqTime: seen, Point: p, FRP: 10},
		{Satellite: "N20", Confidence: "h", Status: skygrid.StatusFire, AcqTime: seen.Add(time.Hour), Point: orb.Point{p[0] + 0.001, p[1]}, FRP: 10},
	}
	now := seen.Add(2 * time.Hour)
	// A tile drawn again is waited for as long as it takes (not served
	// stale past 200 ms on a busy machine).
	s := newServer(t, src, tiles.Options{Now: func() time.Time { return now }, StaleWait: time.Minute})
	ctx := context.Background()
	r := req(skygrid.LayerHotspots, tileAt(p, 12), "png")
	first, _, _ := s.Get(ctx, r)
	for _, tc := range []struct {
		name  string
		after time.Duration // since the first detection
		hit   bool
	}{
		{"30 minutes on", 2*time.Hour + 30*time.Minute, true},
		{"just before 6 h", 6*time.Hour - time.Second, true},
		{"the first crosses 6 h", 6 * time.Hour, false},
		{"an hour on, before the second does", 6*time.Hour + 59*time.Minute, true},
		{"the second crosses 6 h", 7 * time.Hour, false},
		{"a day on, before 24 h", 23 * time.Hour, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now = seen.Add(tc.after)
			tile, hit, err := s.Get(ctx, r)
			if err != nil || hit != tc.hit {
				t.Errorf("hit %v, want %v (%v)", hit, tc.hit, err)
			}
			if tc.after < 6*time.Hour && tile.ETag != first.ETag {
				t.Error("the tile changed before any dot's colour did")
			}
		})
	}
	// Vector tiles carry the time and no colour: one tile all along.
	m := req(skygrid.LayerHotspots, tileAt(p, 12), "mvt")
	now = seen.Add(2 * time.Hour)
	s.Get(ctx, m)
	now = seen.Add(30 * 24 * time.Hour)
	if _, hit, _ := s.Get(ctx, m); !hit {
		t.Error("a vector tile was drawn again as the clock moved")
	}
}

// Hotspots added by an ingest are merged into the layer in memory (not
// read whole again): the tiles then are the same as a server's that
// reads everything, whether the new points fall inside the cells of the
// grid over the points (copied in, cell by cell) or outside (the grid
// built again); only the batches added are read.
func TestHotspotsAddedAsReadWhole(t *testing.T) {
	src := feedSource{datong(t)}
	s := newServer(t, src, tiles.Options{StaleWait: time.Minute})
	ctx := context.Background()
	first := src.hotspots[0].Point
	far := orb.Point{first[0] + 3, first[1] - 2} // outside every October detection's cell
	places := []orb.Point{first, hunyuan, cityCentre, far}
	for _, p := range places {
		s.Get(ctx, req(skygrid.LayerHotspots, tileAt(p, 12), "png"))
	}
	for batch, at := range map[int64]orb.Point{2: first, 3: far} {
		src.mu.Lock()
		for k := range 50 {
			src.hotspots = append(src.hotspots, &skygrid.Hotspot{BatchID: batch, Satellite: "N21", Confidence: "h", Status: skygrid.StatusFire,
				AcqTime: time.Date(2023, 10, 31, 18, k, 0, 0, time.UTC), FRP: float64(k), Point: orb.Point{at[0] + float64(k)*2e-4, at[1] + float64(k%7)*1e-4}})
		}
		src.mu.Unlock()
		src.bump(skygrid.LayerHotspots)
		whole := newServer(t, src, tiles.Options{})
		for _, p := range places {
			for _, z := range []int{8, 12, 14} {
				for _, format := range []string{"png", "mvt"} {
					r := req(skygrid.LayerHotspots, tileAt(p, z), format)
					got, _, err := s.Get(ctx, r)
					if err != nil {
						t.Fatal(err)
					}
					want := get(t, whole, r)
					switch {
					case format == "png" && got.ETag != want.ETag:
						t.Errorf("batch %d, z%d at %v: merged %s, read whole %s", batch, z, p, got.ETag, want.ETag)
					case got.Empty != want.Empty:
						t.Errorf("batch %d, %s z%d at %v: merged empty %v, read whole %v", batch, format, z, p, got.Empty, want.Empty)
					case format == "mvt" && !got.Empty:
						// The same features; their order follows the cells
						// of the grid, built over other points.
						sameLayers(t, byID(t, got.Data), byID(t, want.Data))
					}
				}
			}
		}
	}
	if n := src.loads[skygrid.LayerHotspots]; n != 0 {
		t.Errorf("ScanHotspots called %d times: the layer was read whole", n)
	}
}

// byID is a vector tile again with its features in id order.
func byID(t *testing.T, data []byte) []byte {
	t.Helper()
	ls, err := mvt.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		slices.SortFunc(l.Features, func(a, b *geojson.Feature) int { return cmp.Compare(a.ID.(float64), b.ID.(float64)) })
	}
	out, err := mvt.Marshal(ls)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
