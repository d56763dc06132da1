package tiles

import (
	"slices"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/tidwall/rtree"
)

// Dirty is where a layer's data changed from one version to another:
// the bounds (lon/lat; a point is a bound of no size) of what was added,
// changed or removed, or All. A kept tile whose area (with its buffer)
// meets none of them is still right at the newer version.
type Dirty struct {
	All    bool
	Bounds []orb.Bound
}

// maxDirty is how many changed bounds a step keeps before it counts as
// the whole layer (a season's file touches every tile anyway).
const maxDirty = 200_000

// dirtyStep is one recorded change of a layer, with its bounds on an
// R-tree.
type dirtyStep struct {
	from, to int64
	all      bool
	n        int // bounds in tree
	tree     rtree.RTreeG[struct{}]
}

// dirtyLog keeps each layer's recent steps.
type dirtyLog struct {
	mu    sync.Mutex
	steps map[string][]*dirtyStep
}

// keptSteps is how many steps a layer keeps, and keptBounds how many
// bounds in all (about 100 bytes each): a tile kept from before the
// oldest step kept is drawn again.
const (
	keptSteps  = 256
	keptBounds = 500_000
)

// Invalidate records that layer's data changed from version from to
// version to only where d says. Tiles kept at from (or at any version the
// recorded steps lead from) whose area d does not meet are served at to
// without being drawn again; the others are drawn again. The tile server
// records the steps it sees when it loads a layer again (the hotspots
// added by an ingest, the features that differ); a server told of a
// change by another (a notification from the database) may record it
// here too. Without a step covering a change, the whole layer is drawn
// again, as before issue 17.
func (s *Server) Invalidate(layer string, from, to int64, d Dirty) {
	if to <= from {
		return
	}
	st := &dirtyStep{from: from, to: to, all: d.All || len(d.Bounds) > maxDirty}
	if !st.all {
		for _, b := range d.Bounds {
			st.tree.Insert(b.Min, b.Max, struct{}{})
		}
		st.n = len(d.Bounds)
	}
	l := &s.dirty
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.steps == nil {
		l.steps = map[string][]*dirtyStep{}
	}
	// A new slice: readers hold the old one without the lock.
	steps := append(slices.Clone(l.steps[layer]), st)
	slices.SortFunc(steps, func(a, b *dirtyStep) int { return int(a.to - b.to) })
	total := 0
	for _, st := range steps {
		total += st.n
	}
	for len(steps) > 1 && (len(steps) > keptSteps || total > keptBounds) {
		total -= steps[0].n
		steps = steps[1:]
	}
	l.steps[layer] = steps
}

// clean reports whether the tile t of layer, kept at version from, is
// the same at version to: recorded steps lead from from to to and none
// meets the tile's area grown by its buffer.
func (s *Server) clean(layer string, from, to int64, t maptile.Tile) bool {
	l := &s.dirty
	l.mu.Lock()
	steps := l.steps[layer]
	l.mu.Unlock()
	b := t.Bound()
	pad := (b.Max[0] - b.Min[0]) * mvtBuffer / mvtExtent
	b = b.Pad(pad)
	for cur := from; cur < to; {
		var next *dirtyStep
		for _, st := range steps {
			if st.from <= cur && st.to > cur && st.to <= to && (next == nil || st.to > next.to) {
				next = st
			}
		}
		if next == nil || next.all {
			return false
		}
		hit := false
		next.tree.Search(b.Min, b.Max, func(_, _ [2]float64, _ struct{}) bool {
			hit = true
			return false
		})
		if hit {
			return false
		}
		cur = next.to
	}
	return true
}
