package tiles

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"

	"skygrid"

	"github.com/paulmach/orb"
)

// HotspotFeed is a Source that can read only the hotspots added since
// the ones in memory (the store: hotspots are only ever added, each by an
// ingest batch). With it the hotspots layer is brought up to date after
// an ingest by reading the new rows, not all of them again.
type HotspotFeed interface {
	// ScanHotspotsAdded calls fn, in id order, for the hotspots stored by
	// batches not in known (every hotspot when known is nil), looking
	// first at ids above afterID, and returns those batches' ids.
	ScanHotspotsAdded(ctx context.Context, known map[int64]bool, afterID int64, fn func(h *skygrid.Hotspot) error) ([]int64, error)
}

// ageEpoch is the time hotspot ages are counted from for a PNG tile drawn
// at now: the last moment at or before now when a hotspot's age crossed a
// boundary of the age colours (6 h, 24 h, 3 and 7 days). Between two such
// moments no dot changes colour, so tiles kept under it stay right.
func (p *points) ageEpoch(now int64) int64 {
	var e int64
	for _, a := range ageColours {
		if math.IsInf(a.hours, 1) {
			continue
		}
		b := int64(a.hours * 3600)
		// The newest acquisition time t with t+b <= now.
		i, _ := slices.BinarySearch(p.times, now-b+1)
		if i > 0 {
			e = max(e, p.times[i-1]+b)
		}
	}
	return e
}

// distinctTimes returns the sorted distinct values of ts.
func distinctTimes(ts []int64) []int64 {
	out := slices.Clone(ts)
	slices.Sort(out)
	return slices.Compact(out)
}

// mergeDistinct merges two sorted lists of distinct values into one.
func mergeDistinct(a, b []int64) []int64 {
	out := make([]int64, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			out, i = append(out, a[i]), i+1
		case a[i] > b[j]:
			out, j = append(out, b[j]), j+1
		default:
			out, i, j = append(out, a[i]), i+1, j+1
		}
	}
	return append(append(out, a[i:]...), b[j:]...)
}

// loadPointsAdded returns the layer at version with the hotspots added
// since old, and where they are; nil when the source cannot say (then
// the layer is read whole).
func loadPointsAdded(ctx context.Context, src Source, old *points, version int64) (*points, *Dirty, error) {
	feed, ok := src.(HotspotFeed)
	if !ok || old == nil || old.batches == nil {
		return nil, nil, nil
	}
	add := &points{}
	str := old.interner(add)
	var d Dirty
	batches, err := feed.ScanHotspotsAdded(ctx, old.batches, old.maxID, func(h *skygrid.Hotspot) error {
		add.append(h, str)
		d.Bounds = append(d.Bounds, orb.Bound{Min: h.Point, Max: h.Point})
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("load added hotspots: %w", err)
	}
	p := old.merged(add, version)
	p.batches = make(map[int64]bool, len(old.batches)+len(batches))
	for b := range old.batches {
		p.batches[b] = true
	}
	for _, b := range batches {
		p.batches[b] = true
	}
	return p, &d, nil
}

// merged returns a new layer of p's points and add's (p is unchanged:
// requests may be drawing from it). When the added points fall in p's
// grid, each cell's run is copied with the cell's new points after it:
// one pass in memory order; else the grid is built again.
func (p *points) merged(add *points, version int64) *points {
	n := &points{version: version, strs: add.strs}
	n.newest, n.maxID = max(p.newest, add.newest), max(p.maxID, add.maxID)
	n.times = mergeDistinct(p.times, distinctTimes(add.t))
	if start, order, ok := p.grid.place(add.lon, add.lat); ok {
		n.id, n.lon, n.lat, n.t = mergeCells(&p.grid, start, order, p.id, add.id), mergeCells(&p.grid, start, order, p.lon, add.lon),
			mergeCells(&p.grid, start, order, p.lat, add.lat), mergeCells(&p.grid, start, order, p.t, add.t)
		n.wx, n.wy, n.frp = mergeCells(&p.grid, start, order, p.wx, add.wx), mergeCells(&p.grid, start, order, p.wy, add.wy), mergeCells(&p.grid, start, order, p.frp, add.frp)
		n.event, n.status = mergeCells(&p.grid, start, order, p.event, add.event), mergeCells(&p.grid, start, order, p.status, add.status)
		n.sat, n.conf = mergeCells(&p.grid, start, order, p.sat, add.sat), mergeCells(&p.grid, start, order, p.conf, add.conf)
		n.grid = p.grid
		n.grid.start = start
		n.grid.idx = make([]int32, len(n.id))
		for i := range n.grid.idx {
			n.grid.idx[i] = int32(i)
		}
		return n
	}
	n.id, n.lon, n.lat, n.t = slices.Concat(p.id, add.id), slices.Concat(p.lon, add.lon), slices.Concat(p.lat, add.lat), slices.Concat(p.t, add.t)
	n.wx, n.wy, n.frp, n.event = slices.Concat(p.wx, add.wx), slices.Concat(p.wy, add.wy), slices.Concat(p.frp, add.frp), slices.Concat(p.event, add.event)
	n.status, n.sat, n.conf = slices.Concat(p.status, add.status), slices.Concat(p.sat, add.sat), slices.Concat(p.conf, add.conf)
	// In id order first, as when read whole: a cell of the new grid
	// keeps its rows in id order.
	byID := make([]int32, len(n.id))
	for i := range byID {
		byID[i] = int32(i)
	}
	slices.SortFunc(byID, func(a, b int32) int { return cmp.Compare(n.id[a], n.id[b]) })
	n.permute(byID)
	n.grid = newCellGrid(n.lon, n.lat)
	n.permute(n.grid.idx)
	return n
}

// place returns, for points added to a grid whose rows are in cell
// order, the cells' new starts and the added points in cell order;
// false when a point falls outside the grid's cells.
func (g *cellGrid) place(lon, lat []float64) (start []int32, order []int32, ok bool) {
	if g.nx == 0 {
		return nil, nil, false
	}
	maxLon, maxLat := g.minLon+float64(g.nx)*g.size, g.minLat+float64(g.ny)*g.size
	cells := make([]int32, len(lon))
	count := make(map[int32]int32, 64)
	for i := range lon {
		if lon[i] < g.minLon || lon[i] >= maxLon || lat[i] < g.minLat || lat[i] >= maxLat {
			return nil, nil, false
		}
		cells[i] = int32(g.cell(lon[i], lat[i]))
		count[cells[i]]++
	}
	order = make([]int32, len(lon))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return int(cells[a] - cells[b]) })
	start = slices.Clone(g.start)
	var shift int32
	for c := range len(start) - 1 {
		start[c] += shift
		shift += count[int32(c)]
	}
	start[len(start)-1] += shift
	return start, order, true
}

// mergeCells is a column of the merged layer: each cell's old rows, then
// its added ones (order: the added rows by cell; start: the new starts).
func mergeCells[T any](g *cellGrid, start, order []int32, old, add []T) []T {
	out := make([]T, len(old)+len(add))
	k := 0
	for c := range len(g.start) - 1 {
		o := g.start[c+1] - g.start[c]
		copy(out[start[c]:], old[g.start[c]:g.start[c+1]])
		for at := start[c] + o; at < start[c+1]; at++ {
			out[at] = add[order[k]]
			k++
		}
	}
	return out
}

// featuresDirty returns where two loads of a layer differ: the bounds of
// the features added, removed, or changed (geometry or attributes).
func featuresDirty(old, cur *features) Dirty {
	var d Dirty
	before := make(map[any]*feature, len(old.list))
	for _, ft := range old.list {
		if _, twice := before[ft.id]; twice {
			return Dirty{All: true} // ids that do not name one feature: no telling
		}
		before[ft.id] = ft
	}
	seen := make(map[any]bool, len(cur.list))
	for _, ft := range cur.list {
		if seen[ft.id] {
			return Dirty{All: true}
		}
		seen[ft.id] = true
		o, ok := before[ft.id]
		if ok {
			delete(before, ft.id)
			if o.first == ft.first && o.last == ft.last && o.state == ft.state && o.class == ft.class &&
				orb.Equal(o.geom, ft.geom) && reflect.DeepEqual(o.props, ft.props) {
				continue
			}
			d.Bounds = append(d.Bounds, o.bound)
		}
		d.Bounds = append(d.Bounds, ft.bound)
		if len(d.Bounds) > maxDirty {
			return Dirty{All: true}
		}
	}
	for _, o := range before {
		d.Bounds = append(d.Bounds, o.bound)
	}
	if !maps.Equal(old.parent, cur.parent) {
		// The regions' parents decide scoped tiles and events' areas.
		return Dirty{All: true}
	}
	return d
}
