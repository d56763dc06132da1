package tiles

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"skygrid"
	"skygrid/geo"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// Source is what the tiles are drawn from: the store, through the root
// services. Tiles never touch SQL.
type Source interface {
	skygrid.LayerService
	ScanHotspots(ctx context.Context, fn func(h *skygrid.Hotspot) error) error
	FindEvents(ctx context.Context, f skygrid.EventFilter) ([]*skygrid.Event, int, error)
	FindRegions(ctx context.Context, f skygrid.RegionFilter) ([]*skygrid.Region, int, error)
	FindSites(ctx context.Context, f skygrid.SiteFilter) ([]*skygrid.Site, int, error)
}

// points is the hotspots layer in memory: one slot per hotspot in columns
// (no pointer per point), ordered by the cell of the bucket grid over them
// and by id (acquisition time) within a cell, so a tile reads a few runs
// of memory rather than one cache line per column per point (issue 17:
// in time order, a tile's points were spread over the whole columns).
type points struct {
	id  []int64
	lon []float64
	lat []float64
	// Web Mercator position in tile units at zoom 20 (see worldXY)
	wx, wy []uint32
	t      []int64 // unix seconds
	frp    []float32
	status []uint8
	event  []int64
	// satellite and confidence as indices into strs: no pointer per
	// point for the garbage collector to scan
	sat, conf []uint8
	strs      []string
	grid      cellGrid
	newest    int64
	version   int64
	// times are the distinct acquisition times, sorted (ageEpoch)
	times []int64
	// maxID is the largest id; batches the ingest batches loaded (nil:
	// the source cannot say, see HotspotFeed)
	maxID   int64
	batches map[int64]bool
}

// Hotspot statuses as small numbers.
const (
	stFire uint8 = iota
	stLow
	stStatic
	stPending
)

var statusCode = map[string]uint8{skygrid.StatusFire: stFire, skygrid.StatusLowConfidence: stLow,
	skygrid.StatusStatic: stStatic, skygrid.StatusPending: stPending}

var statusName = [...]string{skygrid.StatusFire, skygrid.StatusLowConfidence, skygrid.StatusStatic, skygrid.StatusPending}

func (p *points) Len() int { return len(p.id) }

func (p *points) str(i uint8) string {
	if int(i) < len(p.strs) {
		return p.strs[i]
	}
	return ""
}

func loadPoints(ctx context.Context, src Source, version int64) (*points, error) {
	p := &points{version: version}
	str := p.interner(p)
	var err error
	if feed, ok := src.(HotspotFeed); ok {
		var batches []int64
		batches, err = feed.ScanHotspotsAdded(ctx, nil, 0, func(h *skygrid.Hotspot) error { p.append(h, str); return nil })
		p.batches = map[int64]bool{}
		for _, b := range batches {
			p.batches[b] = true
		}
	} else {
		err = src.ScanHotspots(ctx, func(h *skygrid.Hotspot) error { p.append(h, str); return nil })
	}
	if err != nil {
		return nil, fmt.Errorf("load hotspots: %w", err)
	}
	p.times = distinctTimes(p.t)
	p.grid = newCellGrid(p.lon, p.lat)
	p.permute(p.grid.idx)
	return p, nil
}

// interner returns the function that numbers satellite and confidence
// strings for the points into: p's numbers, then new ones appended to
// into's strs (at most 255; "" past them).
func (p *points) interner(into *points) func(string) uint8 {
	into.strs = slices.Clone(p.strs)
	intern := map[string]uint8{}
	for i, s := range into.strs {
		intern[s] = uint8(i)
	}
	return func(s string) uint8 {
		if v, ok := intern[s]; ok {
			return v
		}
		if len(into.strs) == 255 {
			return 255 // more than 254 distinct values: "" from here on
		}
		intern[s] = uint8(len(into.strs))
		into.strs = append(into.strs, s)
		return intern[s]
	}
}

// append adds a hotspot to the columns (not to the grid).
func (p *points) append(h *skygrid.Hotspot, str func(string) uint8) {
	p.id = append(p.id, h.ID)
	p.lon = append(p.lon, h.Point[0])
	p.lat = append(p.lat, h.Point[1])
	wx, wy := worldXY(h.Point)
	p.wx, p.wy = append(p.wx, wx), append(p.wy, wy)
	p.t = append(p.t, h.AcqTime.Unix())
	p.frp = append(p.frp, float32(h.FRP))
	p.status = append(p.status, statusCode[h.Status])
	p.event = append(p.event, h.EventID)
	p.sat = append(p.sat, str(h.Satellite))
	p.conf = append(p.conf, str(h.Confidence))
	p.newest = max(p.newest, p.t[len(p.t)-1])
	p.maxID = max(p.maxID, h.ID)
}

// permute puts the columns in the order of the given indices (the grid's
// cell order); the grid's indices become the rows themselves.
func (p *points) permute(order []int32) {
	p.id, p.lon, p.lat, p.t, p.event = gather(p.id, order), gather(p.lon, order), gather(p.lat, order), gather(p.t, order), gather(p.event, order)
	p.wx, p.wy, p.frp = gather(p.wx, order), gather(p.wy, order), gather(p.frp, order)
	p.status, p.sat, p.conf = gather(p.status, order), gather(p.sat, order), gather(p.conf, order)
	for i := range order {
		order[i] = int32(i)
	}
}

func gather[T any](col []T, order []int32) []T {
	out := make([]T, len(order))
	for i, j := range order {
		out[i] = col[j]
	}
	return out
}

// cellGrid buckets points into cells of a fixed size: the indices of a
// cell are contiguous (counting sort), so a tile reads a few runs of
// memory. Built in two passes over the points, no pointer per point.
type cellGrid struct {
	minLon, minLat float64
	size           float64 // degrees
	nx, ny         int
	start          []int32 // len nx*ny+1: cell c holds idx[start[c]:start[c+1]]
	idx            []int32 // point indices, ascending within a cell
}

func newCellGrid(lon, lat []float64) cellGrid {
	g := cellGrid{size: 0.02}
	if len(lon) == 0 {
		return g
	}
	minLon, minLat, maxLon, maxLat := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i := range lon {
		minLon, maxLon = min(minLon, lon[i]), max(maxLon, lon[i])
		minLat, maxLat = min(minLat, lat[i]), max(maxLat, lat[i])
	}
	// Cells of 0.02° (about 2 km) unless the points spread far: at most
	// 4M cells.
	for (maxLon-minLon)/g.size*(maxLat-minLat)/g.size > 4e6 {
		g.size *= 2
	}
	g.minLon, g.minLat = minLon, minLat
	g.nx = int((maxLon-minLon)/g.size) + 1
	g.ny = int((maxLat-minLat)/g.size) + 1
	g.start = make([]int32, g.nx*g.ny+1)
	cells := make([]int32, len(lon))
	for i := range lon {
		c := g.cell(lon[i], lat[i])
		cells[i] = int32(c)
		g.start[c+1]++
	}
	for c := 1; c < len(g.start); c++ {
		g.start[c] += g.start[c-1]
	}
	g.idx = make([]int32, len(lon))
	next := slices.Clone(g.start[:len(g.start)-1])
	for i, c := range cells {
		g.idx[next[c]] = int32(i)
		next[c]++
	}
	return g
}

func (g *cellGrid) cell(lon, lat float64) int {
	cx := min(max(int((lon-g.minLon)/g.size), 0), g.nx-1)
	cy := min(max(int((lat-g.minLat)/g.size), 0), g.ny-1)
	return cy*g.nx + cx
}

// search appends to out the indices of points whose cell meets b (the
// caller checks the exact bound).
func (g *cellGrid) search(b orb.Bound, out []int32) []int32 {
	if g.nx == 0 {
		return out
	}
	x0 := int(math.Floor((b.Min[0] - g.minLon) / g.size))
	x1 := int(math.Floor((b.Max[0] - g.minLon) / g.size))
	y0 := int(math.Floor((b.Min[1] - g.minLat) / g.size))
	y1 := int(math.Floor((b.Max[1] - g.minLat) / g.size))
	x0, y0 = max(x0, 0), max(y0, 0)
	x1, y1 = min(x1, g.nx-1), min(y1, g.ny-1)
	if x0 > x1 || y0 > y1 {
		return out
	}
	for y := y0; y <= y1; y++ {
		row := y * g.nx
		out = append(out, g.idx[g.start[row+x0]:g.start[row+x1+1]]...)
	}
	return out
}

// feature is a drawn feature of the other layers.
type feature struct {
	id   any
	geom orb.Geometry
	// world is geom wound (geo.Wind) in world units (worldGeom), for the
	// vector tiles
	world orb.Geometry
	bound orb.Bound
	// For the time window (events): first and last seen, unix seconds.
	first, last int64
	// class: event class, site kind or region level; state: task state or
	// site violation.
	class, state string
	value        float64 // hotspot count (events), area (sites)
	props        map[string]any
}

// features is a layer of features on an R-tree.
type features struct {
	list    []*feature
	tree    rtree.RTreeG[int32]
	version int64
	// parent maps region ids to their parents (regions layer).
	parent map[string]string
}

func newFeatures(list []*feature, version int64) *features {
	f := &features{list: list, version: version}
	for i, ft := range list {
		ft.bound = ft.geom.Bound()
		g := ft.geom
		if _, ok := g.(orb.Point); !ok {
			g = orb.Clone(g)
			geo.Wind(g) // data imported before the importer wound it may have either
		}
		ft.world = worldGeom(g)
		f.tree.Insert(ft.bound.Min, ft.bound.Max, int32(i))
	}
	return f
}

func (f *features) search(b orb.Bound, fn func(*feature)) {
	var hits []int32
	f.tree.Search(b.Min, b.Max, func(_, _ [2]float64, i int32) bool {
		hits = append(hits, i)
		return true
	})
	// Draw in a stable order: the order loaded.
	slices.Sort(hits)
	for _, i := range hits {
		fn(f.list[i])
	}
}

func loadFeatures(ctx context.Context, src Source, layer string, version int64) (*features, error) {
	var list []*feature
	var err error
	switch layer {
	case skygrid.LayerEvents:
		list, err = eventFeatures(ctx, src)
	case skygrid.LayerRegions:
		list, err = regionFeatures(ctx, src)
	default:
		list, err = siteFeatures(ctx, src, layer)
	}
	if err != nil {
		return nil, err
	}
	f := newFeatures(list, version)
	switch layer {
	case skygrid.LayerRegions:
		f.parent = map[string]string{}
		for _, ft := range list {
			f.parent[ft.id.(string)] = ft.props["parent_id"].(string)
		}
	case skygrid.LayerEvents:
		// An event with a task is where its task is (after a reassign,
		// the new grid's area): the tiles need the grids' parents.
		rs, _, err := src.FindRegions(ctx, skygrid.RegionFilter{})
		if err != nil {
			return nil, fmt.Errorf("load regions: %w", err)
		}
		f.parent = map[string]string{}
		for _, r := range rs {
			f.parent[r.ID] = r.ParentID
		}
	}
	return f, nil
}

// eventFeatures are the fires, oldest first so newer ones draw on top;
// dust events (skygrid.IsDust) and reports from the public are not drawn
// here.
func eventFeatures(ctx context.Context, src Source) ([]*feature, error) {
	es, _, err := src.FindEvents(ctx, skygrid.EventFilter{Brief: true})
	if err != nil {
		return nil, fmt.Errorf("load events: %w", err)
	}
	slices.Reverse(es)
	list := make([]*feature, 0, len(es))
	for _, e := range es {
		if skygrid.IsDust(e.Class) || e.Class == skygrid.ClassPublicReport {
			continue // not a fire: a site's alarm or inspection (the monitors layer, the alarm list), a public report (its task)
		}
		state := "none"
		if e.Task != nil {
			state = e.Task.State
		}
		props := map[string]any{"id": e.ID, "class": e.Class, "class_name": skygrid.ClassNames[e.Class], "state": e.State,
			"task_state": state, "hotspot_count": e.HotspotCount, "max_frp": e.MaxFRP,
			"first_seen": e.FirstSeen.Format(time.RFC3339), "last_seen": e.LastSeen.Format(time.RFC3339),
			"grid_id": e.GridID, "county_id": e.CountyID}
		if e.Task != nil {
			props["task_id"] = e.Task.ID
			props["task_grid_id"] = e.Task.GridID
		}
		list = append(list, &feature{id: e.ID, geom: e.Point, first: e.FirstSeen.Unix(), last: e.LastSeen.Unix(),
			class: e.Class, state: state, value: float64(e.HotspotCount), props: props})
	}
	return list, nil
}

// regionFeatures are the regions: grids first, then townships, counties,
// the city, so the outlines of the larger regions draw over the grid lines.
func regionFeatures(ctx context.Context, src Source) ([]*feature, error) {
	rs, _, err := src.FindRegions(ctx, skygrid.RegionFilter{WithGeometry: true})
	if err != nil {
		return nil, fmt.Errorf("load regions: %w", err)
	}
	slices.SortStableFunc(rs, func(a, b *skygrid.Region) int { return skygrid.LevelRank(b.Level) - skygrid.LevelRank(a.Level) })
	var list []*feature
	for _, r := range rs {
		if len(r.Geometry) == 0 {
			continue
		}
		list = append(list, &feature{id: r.ID, geom: r.Geometry, class: r.Level, value: r.AreaKm2,
			props: map[string]any{"id": r.ID, "name": r.Name, "level": r.Level, "parent_id": r.ParentID}})
	}
	return list, nil
}

// siteFeatures are one registry's sites with their attributes.
func siteFeatures(ctx context.Context, src Source, layer string) ([]*feature, error) {
	kind, ok := siteKindOf[layer]
	if !ok {
		return nil, fmt.Errorf("unknown layer %q", layer)
	}
	ss, _, err := src.FindSites(ctx, skygrid.SiteFilter{Kind: &kind})
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", layer, err)
	}
	list := make([]*feature, 0, len(ss))
	for _, s := range ss {
		props := map[string]any{"id": s.ID, "name": s.Name, "kind": s.Kind, "external_id": s.ExternalID, "violation": s.Violation}
		if s.AreaM2 > 0 {
			props["area_m2"] = math.Round(s.AreaM2)
		}
		for k, v := range s.Attrs {
			props[k] = v
		}
		list = append(list, &feature{id: s.ID, geom: s.Geometry, class: s.Kind, state: s.Violation, value: s.AreaM2, props: props})
	}
	return list, nil
}

// siteKindOf maps a site layer to its kind.
var siteKindOf = func() map[string]string {
	m := map[string]string{}
	for k, l := range skygrid.SiteLayer {
		m[l] = k
	}
	return m
}()

// snapshot is a layer as loaded for drawing: its points (hotspots) or
// its features (the other layers; the basemap draws the regions').
type snapshot struct {
	version int64
	pts     *points
	fs      *features
}

// snapshots holds the loaded layers and loads one again when its version
// moves. Readers take a layer's current snapshot without a lock; loads
// run one at a time, each in a goroutine of its own (a request that goes
// away does not stop the load others wait for). While a newer snapshot
// loads, a request waits for it at most wait, then draws from the one it
// has: with a season's data a layer takes seconds to load, and an ingest
// moves the versions every few seconds.
type snapshots struct {
	src  Source
	wait time.Duration
	// step is told where a layer changed from the snapshot before
	// (Server.Invalidate)
	step   func(layer string, from, to int64, d Dirty)
	loadMu sync.Mutex // one load at a time: each can take much memory
	slots  sync.Map   // layer -> *slot
}

// slot is one layer's current snapshot and the load in flight.
type slot struct {
	cur     atomic.Pointer[snapshot]
	mu      sync.Mutex
	loading *loading
}

type loading struct {
	done chan struct{}
	snap *snapshot
	err  error
}

// get returns the layer's snapshot for data version v (see snapshots).
func (s *snapshots) get(ctx context.Context, layer string, v int64) (*snapshot, error) {
	sv, _ := s.slots.LoadOrStore(layer, &slot{})
	sl := sv.(*slot)
	cur := sl.cur.Load()
	// Versions only grow: a snapshot as new as the request (or newer,
	// when the version was read just before a write) serves it.
	if cur != nil && cur.version >= v {
		return cur, nil
	}
	l := s.start(sl, layer, v)
	var stale <-chan time.Time
	if cur != nil {
		t := time.NewTimer(s.wait)
		defer t.Stop()
		stale = t.C
	}
	select {
	case <-l.done:
		if l.err != nil {
			return nil, l.err
		}
		return l.snap, nil
	case <-stale:
		return cur, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// start begins loading the layer at version v, unless a load is running.
func (s *snapshots) start(sl *slot, layer string, v int64) *loading {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	if sl.loading != nil {
		return sl.loading
	}
	l := &loading{done: make(chan struct{})}
	sl.loading = l
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), renderTimeout)
		defer cancel()
		s.loadMu.Lock()
		l.snap, l.err = s.load(ctx, layer, v, sl.cur.Load())
		s.loadMu.Unlock()
		sl.mu.Lock()
		if l.err == nil {
			if cur := sl.cur.Load(); cur == nil || cur.version < l.snap.version {
				sl.cur.Store(l.snap)
			}
		}
		sl.loading = nil
		sl.mu.Unlock()
		close(l.done)
	}()
	return l
}

// load reads a layer at version v: the hotspots added since the
// snapshot before (old), else the whole layer; and tells step where it
// changed since old.
func (s *snapshots) load(ctx context.Context, layer string, v int64, old *snapshot) (*snapshot, error) {
	if layer == skygrid.LayerHotspots {
		var prev *points
		if old != nil {
			prev = old.pts
		}
		p, d, err := loadPointsAdded(ctx, s.src, prev, v)
		if err != nil {
			return nil, err
		}
		if p == nil {
			if p, err = loadPoints(ctx, s.src, v); err != nil {
				return nil, err
			}
		}
		if d != nil && old != nil {
			s.step(layer, old.version, v, *d)
		}
		return &snapshot{version: v, pts: p}, nil
	}
	f, err := loadFeatures(ctx, s.src, layer, v)
	if err != nil {
		return nil, err
	}
	if old != nil && old.fs != nil {
		s.step(layer, old.version, v, featuresDirty(old.fs, f))
	}
	return &snapshot{version: v, fs: f}, nil
}
