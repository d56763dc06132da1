package tiles_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"slices"
	"sync"
	"testing"
	"time"

	"skygrid"
	"skygrid/data"
	"skygrid/demo"
	"skygrid/detect"
	"skygrid/geo"
	"skygrid/registry"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// memSource is the store as plain values: tiles are tested without SQL.
type memSource struct {
	mu       sync.Mutex
	versions map[string]int64
	hotspots []*skygrid.Hotspot
	events   []*skygrid.Event
	regions  []*skygrid.Region
	sites    []*skygrid.Site
	loads    map[string]int // how often each layer was read
}

func (m *memSource) LayerVersions(ctx context.Context) (map[string]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps(m.versions), nil
}

func maps(v map[string]int64) map[string]int64 {
	out := make(map[string]int64, len(v))
	for k, x := range v {
		out[k] = x
	}
	return out
}

func (m *memSource) count(layer string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.loads == nil {
		m.loads = map[string]int{}
	}
	m.loads[layer]++
}

// loadCounts is how often each layer was read so far.
func (m *memSource) loadCounts() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]int{}
	for k, n := range m.loads {
		out[k] = n
	}
	return out
}

func (m *memSource) ScanHotspots(ctx context.Context, fn func(*skygrid.Hotspot) error) error {
	m.count(skygrid.LayerHotspots)
	hs := slices.Clone(m.hotspots)
	slices.SortFunc(hs, func(a, b *skygrid.Hotspot) int { return a.AcqTime.Compare(b.AcqTime) })
	for i, h := range hs {
		c := *h
		c.ID = int64(i + 1)
		if err := fn(&c); err != nil {
			return err
		}
	}
	return nil
}

func (m *memSource) FindEvents(ctx context.Context, f skygrid.EventFilter) ([]*skygrid.Event, int, error) {
	m.count(skygrid.LayerEvents)
	// Most recent first, as the store answers.
	es := slices.Clone(m.events)
	slices.SortFunc(es, func(a, b *skygrid.Event) int { return b.FirstSeen.Compare(a.FirstSeen) })
	return es, len(es), nil
}

func (m *memSource) FindRegions(ctx context.Context, f skygrid.RegionFilter) ([]*skygrid.Region, int, error) {
	m.count(skygrid.LayerRegions)
	var out []*skygrid.Region
	for _, r := range m.regions {
		if f.Level == nil || *f.Level == r.Level {
			out = append(out, r)
		}
	}
	return out, len(out), nil
}

func (m *memSource) FindSites(ctx context.Context, f skygrid.SiteFilter) ([]*skygrid.Site, int, error) {
	if f.Kind != nil {
		m.count(skygrid.SiteLayer[*f.Kind])
	}
	var out []*skygrid.Site
	for _, s := range m.sites {
		if f.Kind == nil || *f.Kind == s.Kind {
			out = append(out, s)
		}
	}
	return out, len(out), nil
}

func (m *memSource) bump(layer string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.versions[layer]++
}

// datong builds the fixture from the embedded real data: the ten counties
// and their 3 km grids, every October 2023 VIIRS detection in the area,
// the invented demo sites plus a cropland field and the Shanxi power
// plants, and one event of each class and task state.
func datong(tb testing.TB) *memSource {
	tb.Helper()
	ctx := context.Background()
	m := &memSource{versions: map[string]int64{}}
	for _, l := range []string{skygrid.LayerHotspots, skygrid.LayerEvents, skygrid.LayerRegions, skygrid.LayerConstruction,
		skygrid.LayerStockpiles, skygrid.LayerNoCoal, skygrid.LayerCropland, skygrid.LayerIndustrial} {
		m.versions[l] = 1
	}
	f, err := data.FS.Open(data.Districts)
	if err != nil {
		tb.Fatal(err)
	}
	counties, err := registry.ReadRegions(f, data.Districts, registry.RegionImport{Level: skygrid.LevelCounty,
		IDProp: "district_adcode", NameProp: "district_name", CRS: "cgcs2000"})
	f.Close()
	if err != nil {
		tb.Fatal(err)
	}
	m.regions = counties
	grids, err := registry.GenerateGrids(ctx, m, 3000, nil)
	if err != nil {
		tb.Fatal(err)
	}
	m.regions = append(m.regions, grids...)

	area := geo.NewIndex()
	for _, c := range counties {
		area.Add(c.ID, c.Geometry)
	}
	names, _ := fs.Glob(data.FS, data.FIRMSOctober+"/*.csv")
	seen := map[skygrid.Key]bool{}
	for _, name := range names {
		f, _ := data.FS.Open(name)
		r, err := detect.Open(f, name)
		if err != nil {
			tb.Fatal(err)
		}
		for {
			h, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				continue
			}
			if !area.Covers(h.Point, 5000) || seen[h.Key()] {
				continue
			}
			seen[h.Key()] = true
			h.Status = skygrid.StatusFire
			if h.Confidence == "l" {
				h.Status = skygrid.StatusLowConfidence
			}
			m.hotspots = append(m.hotspots, h)
		}
		f.Close()
	}

	m.sites = demo.Sites(counties)
	for _, st := range m.sites {
		st.Violation = st.CheckRules() // as the store does at import
	}
	f, _ = data.FS.Open(data.PowerPlantsWRI)
	res, err := detect.ReadHeatSources(f, data.PowerPlantsWRI)
	f.Close()
	if err != nil {
		tb.Fatal(err)
	}
	m.sites = append(m.sites, res.Sites...)
	m.sites = append(m.sites, &skygrid.Site{Kind: skygrid.SiteCropland, ExternalID: "F1", Name: "test field",
		Geometry: geo.Rect(orb.Point{113.42, 40.02}, 6000, 4000)})

	// Events at real detections: every class, every task state.
	states := []string{"", skygrid.TaskDispatched, skygrid.TaskAcknowledged, skygrid.TaskReported, skygrid.TaskClosed}
	for i, h := range m.hotspots {
		if i%37 != 0 || h.Status != skygrid.StatusFire {
			continue
		}
		n := len(m.events)
		e := &skygrid.Event{ID: int64(n + 1), Class: skygrid.Classes[n%len(skygrid.Classes)], State: skygrid.EventOpen,
			FirstSeen: h.AcqTime, LastSeen: h.AcqTime.Add(time.Duration(n%3) * time.Hour), Point: h.Point, HotspotCount: 1 + n%6, MaxFRP: h.FRP}
		if st := states[n%len(states)]; st != "" && skygrid.Dispatched(e.Class) {
			e.Task = &skygrid.Task{ID: e.ID, EventID: e.ID, State: st}
		}
		m.events = append(m.events, e)
	}
	return m
}

var (
	fixtureOnce sync.Once
	fixture     *memSource
)

// sharedDatong is the fixture built once per test binary; tests that
// change it build their own.
func sharedDatong(tb testing.TB) *memSource {
	fixtureOnce.Do(func() { fixture = datong(tb) })
	return fixture
}

// tileAt is the tile holding p at zoom z.
func tileAt(p orb.Point, z int) maptile.Tile {
	return maptile.At(p, maptile.Zoom(z))
}

// inTile counts the hotspots inside a tile's bound (an independent count
// for the vector tile tests).
func inTile(hs []*skygrid.Hotspot, t maptile.Tile, since, until time.Time) int {
	b := t.Bound()
	n := 0
	for _, h := range hs {
		if b.Contains(h.Point) && !h.AcqTime.Before(since) && h.AcqTime.Before(until) {
			n++
		}
	}
	return n
}
