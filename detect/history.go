package detect

import (
	"math"
	"slices"
	"time"

	"skygrid/geo"

	"github.com/paulmach/orb"
)

// pointHash buckets points in cells at least `metres` wide everywhere
// between the equator and refLat, so neighbours within `metres` are in the
// 3x3 cells around a point. Cells live in an open-addressing table; the
// points of a cell form a linked list through next (no allocation per point).
type pointHash struct {
	dLat, dLon float64
	keys       []uint64 // cell key + 1; 0 is an empty slot
	heads      []int32  // first point of the cell
	used       int
	next       []int32 // next point in the same cell, -1 at the end
}

func newPointHash(metres, refLat float64) *pointHash {
	refLat = math.Min(math.Abs(refLat), 85)
	dLat, dLon := geo.DegreesFor(metres, refLat)
	ph := &pointHash{dLat: dLat, dLon: dLon}
	ph.resize(1024)
	return ph
}

func (ph *pointHash) resize(n int) {
	oldKeys, oldHeads := ph.keys, ph.heads
	ph.keys, ph.heads, ph.used = make([]uint64, n), make([]int32, n), 0
	for i, k := range oldKeys {
		if k != 0 {
			*ph.slot(k, true) = oldHeads[i]
		}
	}
}

// slot returns the head of cell key k (k already +1), inserting it when
// insert is set; nil when absent.
func (ph *pointHash) slot(k uint64, insert bool) *int32 {
	mask := uint64(len(ph.keys) - 1)
	for i := (k * 0x9E3779B97F4A7C15) >> 32 & mask; ; i = (i + 1) & mask {
		switch ph.keys[i] {
		case k:
			return &ph.heads[i]
		case 0:
			if !insert {
				return nil
			}
			ph.keys[i] = k
			ph.heads[i] = -1
			ph.used++
			return &ph.heads[i]
		}
	}
}

func (ph *pointHash) cell(p orb.Point) (int32, int32) {
	return int32(math.Floor(p[0] / ph.dLon)), int32(math.Floor(p[1] / ph.dLat))
}

func cellKey(x, y int32) uint64 { return uint64(uint32(x))<<32 | uint64(uint32(y)) + 1 }

// add records point i (points are added with i = 0, 1, 2, ...).
func (ph *pointHash) add(p orb.Point, i int32) {
	if (ph.used+1)*2 > len(ph.keys) {
		ph.resize(len(ph.keys) * 2)
	}
	x, y := ph.cell(p)
	head := ph.slot(cellKey(x, y), true)
	for int(i) >= len(ph.next) {
		ph.next = append(ph.next, -1)
	}
	ph.next[i] = *head
	*head = i
}

// reserve makes room for n points in all (no growing while they are added).
func (ph *pointHash) reserve(n int) {
	ph.next = roomFor(ph.next, n)
}

// roomFor is s with capacity for n elements in all (s itself when it has).
func roomFor[S ~[]E, E any](s S, n int) S {
	return slices.Grow(s, max(0, n-len(s)))
}

// near calls fn with the points in the 3x3 cells around p; a point for
// which fn returns false is unlinked from its cell (it is never visited
// again, by near; it keeps its number).
func (ph *pointHash) near(p orb.Point, fn func(i int32) (keep bool)) {
	x, y := ph.cell(p)
	for dx := int32(-1); dx <= 1; dx++ {
		for dy := int32(-1); dy <= 1; dy++ {
			link := ph.slot(cellKey(x+dx, y+dy), false)
			if link == nil {
				continue
			}
			for i := *link; i >= 0; i = *link {
				if fn(i) {
					link = &ph.next[i]
				} else {
					*link = ph.next[i]
				}
			}
		}
	}
}

// watermark keeps the time order of a run of queries: queries come in
// order of their minute (a batch's rows, see Rows.SortDedupe), so what is
// too old for one query is too old for every later one and can be
// dropped from the hash. The first query out of order turns dropping off
// for good (the caller then scans every point: slower, still right).
type watermark struct {
	minute    int64 // Unix seconds of the latest query's minute
	unordered bool
}

// at records a query at Unix time u and returns the start of its minute
// and whether dropping is allowed.
func (w *watermark) at(u int64) (int64, bool) {
	m := u - ((u%60)+60)%60
	if m < w.minute {
		w.unordered = true
	}
	w.minute = max(w.minute, m)
	return m, !w.unordered
}

// History holds recent detections for the persistence rule.
type History struct {
	metres float64
	loc    *time.Location
	// the zone offset in force from zoneStart to zoneEnd (Unix seconds)
	zoneStart, zoneEnd int64
	zoneOff            int64
	hash               *pointHash
	// dropped: detections before it are gone from hash (see Count)
	dropped   int64
	unordered bool
	pts       []orb.Point
	unix      []int64
	days      []int32 // local calendar day numbers
}

// NewHistory returns an empty history for points up to refLat (the largest
// |latitude| of the batch); days are counted in loc.
func NewHistory(cfg Config, refLat float64, loc *time.Location) *History {
	// An empty zone range (start after end): the first Add looks it up.
	return &History{metres: cfg.PersistMetres, loc: loc, hash: newPointHash(cfg.PersistMetres, refLat), zoneStart: 1, zoneEnd: 0, dropped: math.MinInt64}
}

// reserve makes room for n detections in all.
func (hs *History) reserve(n int) {
	hs.hash.reserve(n)
	hs.pts = roomFor(hs.pts, n)
	hs.unix = roomFor(hs.unix, n)
	hs.days = roomFor(hs.days, n)
}

// Add records a detection (add each once).
func (hs *History) Add(p orb.Point, t time.Time) {
	hs.hash.add(p, int32(len(hs.pts)))
	hs.pts = append(hs.pts, p)
	u := t.Unix()
	if u < hs.zoneStart || u >= hs.zoneEnd {
		lt := t.In(hs.loc)
		_, off := lt.Zone()
		start, end := lt.ZoneBounds()
		hs.zoneOff, hs.zoneStart, hs.zoneEnd = int64(off), math.MinInt64, math.MaxInt64
		if !start.IsZero() {
			hs.zoneStart = start.Unix()
		}
		if !end.IsZero() {
			hs.zoneEnd = end.Unix()
		}
	}
	hs.unix = append(hs.unix, u)
	hs.days = append(hs.days, int32((u+hs.zoneOff)/86400))
}

// Count returns how many recorded detections lie within the persistence
// distance of p in [since, until], and on how many local days. Queries in
// order of until's minute (as a Decider makes them) drop the detections
// older than since's window from the hash as they meet them: a year's
// detections cost a query what its window holds, not the year.
func (hs *History) Count(p orb.Point, since, until time.Time) (n, days int) {
	var seen [64]int32
	s, u := since.Unix(), until.Unix()
	// A later query by minute starts at or after cut: what is older is
	// dropped. A query starting before what was dropped scans all.
	cut := u - ((u%60)+60)%60 - (u - s)
	if s < hs.dropped {
		hs.unordered = true
	}
	drop := !hs.unordered
	if drop {
		hs.dropped = max(hs.dropped, cut)
	}
	near := geo.NewNear(p)
	count := func(i int32) bool {
		t := hs.unix[i]
		if t < s || t > u {
			return !drop || t >= cut
		}
		if near.Metres(hs.pts[i]) > hs.metres {
			return true
		}
		n++
		d := hs.days[i]
		for k := 0; k < days && k < len(seen); k++ {
			if seen[k] == d {
				return true
			}
		}
		if days < len(seen) {
			seen[days] = d
		}
		days++
		return true
	}
	if drop {
		hs.hash.near(p, count)
	} else {
		for i := range hs.pts {
			count(int32(i))
		}
	}
	return n, days
}
