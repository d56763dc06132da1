package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"skygrid"
	"skygrid/api"
	"skygrid/store"
	"skygrid/tiles"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// countingStore counts the store reads a scoped tile request makes: the
// layer versions and the regions.
type countingStore struct {
	*store.DB
	versions, regions atomic.Int64
}

func (c *countingStore) LayerVersions(ctx context.Context) (map[string]int64, error) {
	c.versions.Add(1)
	return c.DB.LayerVersions(ctx)
}

func (c *countingStore) FindRegionByID(ctx context.Context, id string) (*skygrid.Region, error) {
	c.regions.Add(1)
	return c.DB.FindRegionByID(ctx, id)
}

// A scoped user's tiles: the area of their regions is read once per
// regions' layer version, not on every request; a tile from the cache
// reads only the layer versions, once. A regions import (a new version)
// is seen: the area is read again and the user's tiles are drawn again
// with it.
func TestScopedTileAreaCachedByRegionsVersion(t *testing.T) {
	w, cs, srv := scopedTileWorld(t)
	tile := maptile.At(orb.Point{113.70, 39.73}, 11) // the site's
	get := func(x int) (status int, cache string) {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/tiles/%s/11/%d/%d.mvt", srv.URL, skygrid.LayerConstruction, x, tile.Y), nil)
		req.Header.Set("Authorization", "Bearer "+w.tokens["offX"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("X-Tile-Cache")
	}
	type reads struct{ versions, regions int64 }
	for _, step := range []struct {
		name   string
		x      int
		status int
		cache  string
		reads  reads
	}{
		{"first tile: drawn, the area read", int(tile.X), http.StatusOK, "miss", reads{1, 1}},
		{"the same tile: from the cache", int(tile.X), http.StatusOK, "hit", reads{1, 0}},
		{"again", int(tile.X), http.StatusOK, "hit", reads{1, 0}},
		{"another tile: drawn, the area kept", int(tile.X) + 1, http.StatusNoContent, "miss", reads{1, 0}},
	} {
		v0, r0 := cs.versions.Load(), cs.regions.Load()
		status, cache := get(step.x)
		got := reads{cs.versions.Load() - v0, cs.regions.Load() - r0}
		if status != step.status || cache != step.cache || got != step.reads {
			t.Errorf("%s: %d %q, %+v reads; want %d %q, %+v", step.name, status, cache, got, step.status, step.cache, step.reads)
		}
	}
	// County X moves west, away from the site: a new regions version.
	rs, _, err := w.db.FindRegions(context.Background(), skygrid.RegionFilter{WithGeometry: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.ID == scX {
			r.Geometry = orb.MultiPolygon{{{{113.50, 39.65}, {113.60, 39.65}, {113.60, 39.75}, {113.50, 39.75}, {113.50, 39.65}}}}
		}
	}
	if err := w.db.ImportRegions(context.Background(), rs); err != nil {
		t.Fatal(err)
	}
	r0 := cs.regions.Load()
	if status, cache := get(int(tile.X)); status != http.StatusNoContent || cache != "miss" || cs.regions.Load()-r0 != 1 {
		t.Errorf("after the import: %d %q, %d region reads; want 204 drawn again (the site is outside the new area), 1 read", status, cache, cs.regions.Load()-r0)
	}
}

// scopedTileWorld is the scope world with a construction site in county X
// at 113.70 39.73 (sites carry no region: they are kept by where they
// are), served with tiles through a counting store.
func scopedTileWorld(t testing.TB) (*world, *countingStore, *httptest.Server) {
	w, _ := scopeWorld(t, nil)
	site := &skygrid.Site{Kind: skygrid.SiteConstruction, ExternalID: "x-1", Name: "示例工地",
		Geometry: orb.MultiPolygon{{{{113.699, 39.729}, {113.701, 39.729}, {113.701, 39.731}, {113.699, 39.731}, {113.699, 39.729}}}}}
	if _, err := w.db.ImportSites(context.Background(), []*skygrid.Site{site}, nil); err != nil {
		t.Fatal(err)
	}
	cs := &countingStore{DB: w.db}
	ts, err := tiles.NewServer(cs, tiles.Options{Now: w.db.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.NewServer(api.Services{Events: cs, Regions: cs, Tasks: cs, Sites: cs, Layers: cs, Tiles: ts,
		Users: cs, Audit: cs, Now: w.db.Now}, nil).Handler())
	t.Cleanup(srv.Close)
	return w, cs, srv
}

// BenchmarkScopedTileHTTP serves a county official's construction-site
// tile from the tile cache through the echo handler: the layer versions,
// the scope's area (kept by the regions' version), the cache lookup.
func BenchmarkScopedTileHTTP(b *testing.B) {
	w, cs, srv := scopedTileWorld(b)
	tile := maptile.At(orb.Point{113.70, 39.73}, 11)
	h := srv.Config.Handler
	req := httptest.NewRequest("GET", fmt.Sprintf("/tiles/%s/11/%d/%d.png", skygrid.LayerConstruction, tile.X, tile.Y), nil)
	req.Header.Set("Authorization", "Bearer "+w.tokens["offX"])
	h.ServeHTTP(httptest.NewRecorder(), req)
	v0 := cs.versions.Load()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || rec.Header().Get("X-Tile-Cache") != "hit" {
			b.Fatalf("status %d, cache %s", rec.Code, rec.Header().Get("X-Tile-Cache"))
		}
	}
	b.ReportMetric(float64(cs.versions.Load()-v0)/float64(b.N), "version-reads/op")
}
