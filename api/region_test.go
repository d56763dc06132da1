package api_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"skygrid"
	"skygrid/api"
	"skygrid/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// GET /api/regions?labels=true gives each region a label point inside it,
// at every level (townships too), with or without the geometry, and keeps
// to the user's area.
func TestRegionLabels(t *testing.T) {
	w := newWorld(t)
	w.addTownships(t)
	ctx := context.Background()
	inside := func(t *testing.T, id string, lp []any) {
		t.Helper()
		if len(lp) != 2 {
			t.Fatalf("%s: label_point %v", id, lp)
		}
		r, err := w.db.FindRegionByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		p := orb.Point{lp[0].(float64), lp[1].(float64)}
		if !planar.MultiPolygonContains(r.Geometry, p) {
			t.Errorf("%s %s: label point %v is outside it", id, r.Name, p)
		}
	}
	for _, tt := range []struct {
		name, user, query string
		// want is the number of regions, -1 for "some"
		want     int
		withGeom bool
	}{
		{"counties without geometry", "admin", "level=county&labels=true&geometry=false", 10, false},
		{"counties with geometry", "admin", "level=county&labels=true", 10, true},
		{"townships", "admin", "level=township&labels=true&geometry=false", 2, false},
		{"grids in a box", "admin", "level=grid&labels=true&geometry=false&bbox=113.6,39.6,113.8,39.8", -1, false},
		{"an official: their county only", "officialA", "level=county&labels=true&geometry=false", 1, false},
		{"a supervisor: no county", "supervisorA", "level=county&labels=true&geometry=false", 0, false},
		{"a supervisor: their grid", "supervisorA", "level=grid&labels=true&geometry=false", 1, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got fc
			if st := w.do(t, tt.user, "GET", "/api/regions?"+tt.query, nil, &got); st != 200 {
				t.Fatalf("status %d", st)
			}
			if (tt.want >= 0 && len(got.Features) != tt.want) || (tt.want < 0 && len(got.Features) < 10) {
				t.Fatalf("%d regions, want %d", len(got.Features), tt.want)
			}
			for _, f := range got.Features {
				id := f.Props["id"].(string)
				if (f.Geometry != nil) != tt.withGeom {
					t.Errorf("%s: geometry %v, want it %v", id, f.Geometry != nil, tt.withGeom)
				}
				if f.Props["name"] == "" {
					t.Errorf("%s: no name", id)
				}
				lp, _ := f.Props["label_point"].([]any)
				inside(t, id, lp)
				if tt.user == "supervisorA" && id != w.gridA {
					t.Errorf("supervisor A sees %s", id)
				}
				if tt.user == "officialA" && id != w.countyA {
					t.Errorf("official A sees %s", id)
				}
			}
		})
	}
	// Without labels=true there is no label point (the answer is as before).
	var plain fc
	w.do(t, "admin", "GET", "/api/regions?level=county&geometry=false", nil, &plain)
	if len(plain.Features) == 0 || plain.Features[0].Props["label_point"] != nil || plain.Features[0].Geometry != nil {
		t.Errorf("without labels: %+v", plain.Features[0])
	}
}

// TestRegionLabelsFollowAnImport: the label points are kept between
// requests, and a township imported again with another outline gets its
// label inside the new one (with or without geometry asked for).
func TestRegionLabelsFollowAnImport(t *testing.T) {
	w := newWorld(t)
	w.addTownships(t)
	ctx := context.Background()
	id := w.countyA + "100"
	label := func(query string) orb.Point {
		t.Helper()
		var got fc
		if st := w.do(t, "admin", "GET", "/api/regions?level=township&labels=true"+query, nil, &got); st != 200 {
			t.Fatalf("status %d", st)
		}
		for _, f := range got.Features {
			if f.Props["id"] == id {
				lp := f.Props["label_point"].([]any)
				return orb.Point{lp[0].(float64), lp[1].(float64)}
			}
		}
		t.Fatalf("no township %s", id)
		return orb.Point{}
	}
	before := label("&geometry=false")
	if again := label("&geometry=false"); again != before {
		t.Errorf("the label moved between two requests: %v, then %v", before, again)
	}
	r, err := w.db.FindRegionByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	moved := geo.Rect(orb.Point{before[0] + 0.1, before[1] + 0.05}, 3000, 3000)
	if err := w.db.ImportRegions(ctx, []*skygrid.Region{{ID: id, Name: r.Name, Level: r.Level, ParentID: r.ParentID, Geometry: moved}}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"&geometry=false", ""} {
		if p := label(q); !planar.MultiPolygonContains(moved, p) {
			t.Errorf("%s: after the import the label %v is not in the new outline (was %v)", q, p, before)
		}
	}
}

// Without a Tianditu key, /api/basemaps offers the offline basemap only
// and asks the map to say how to set a key to those who can: an
// administrator (or anyone in the demo), not a supervisor.
func TestBasemapsKeyHint(t *testing.T) {
	w := newWorld(t)
	for _, tt := range []struct {
		user string
		hint bool
	}{{"admin", true}, {"officialA", false}, {"supervisorA", false}} {
		t.Run(tt.user, func(t *testing.T) {
			var bm struct {
				Basemaps []map[string]any `json:"basemaps"`
				Tianditu *bool            `json:"tianditu"`
				KeyHint  *bool            `json:"key_hint"`
			}
			if st := w.do(t, tt.user, "GET", "/api/basemaps", nil, &bm); st != 200 {
				t.Fatalf("status %d", st)
			}
			if len(bm.Basemaps) != 1 || bm.Basemaps[0]["id"] != "offline" || bm.Tianditu == nil || *bm.Tianditu ||
				bm.KeyHint == nil || *bm.KeyHint != tt.hint {
				t.Errorf("basemaps %+v, tianditu %v, key_hint %v (want %v)", bm.Basemaps, bm.Tianditu, bm.KeyHint, tt.hint)
			}
		})
	}
}

// countingRegions counts the region reads that load outlines.
type countingRegions struct {
	skygrid.RegionService
	outlines atomic.Int64
}

func (c *countingRegions) FindRegions(ctx context.Context, f skygrid.RegionFilter) ([]*skygrid.Region, int, error) {
	if f.WithGeometry {
		c.outlines.Add(1)
	}
	return c.RegionService.FindRegions(ctx, f)
}

// TestWarmLabels: once WarmLabels has run (serve runs it as it starts),
// the map's first request for the county and township names reads no
// outline; without it the first request reads them.
func TestWarmLabels(t *testing.T) {
	w := newWorld(t)
	w.addTownships(t)
	for _, warm := range []bool{false, true} {
		rc := &countingRegions{RegionService: w.db}
		s := api.NewServer(api.Services{Regions: rc, Layers: w.db, Users: w.db, Now: w.db.Now}, nil)
		srv := httptest.NewServer(s.Handler())
		if warm {
			if err := s.WarmLabels(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		before := rc.outlines.Load()
		for _, level := range []string{"county", "township"} {
			st, body := getCode(t, srv.URL+"/api/regions?labels=true&geometry=false&level="+level, w.tokens["admin"])
			if st != 200 || !strings.Contains(string(body), "label_point") {
				t.Fatalf("%s names: %d %.200s", level, st, body)
			}
		}
		if read := rc.outlines.Load() - before; (read == 0) != warm {
			t.Errorf("warmed %v: the first names read outlines %d times", warm, read)
		}
		srv.Close()
	}
}
