package detect

import (
	"math"
	"time"

	"skygrid/geo"

	"github.com/paulmach/orb"
)

// pointHash buckets points in cells at least `metres` wide everywhere
// between the equator and refLat, so neighbours within `metres` are in the
// 3x3 cells around a point.
type pointHash struct {
	dLat, dLon float64
	cells      map[[2]int32][]int32
}

func newPointHash(metres, refLat float64) *pointHash {
	refLat = math.Min(math.Abs(refLat), 85)
	dLat, dLon := geo.DegreesFor(metres, refLat)
	return &pointHash{dLat: dLat, dLon: dLon, cells: make(map[[2]int32][]int32)}
}

func (ph *pointHash) key(p orb.Point) [2]int32 {
	return [2]int32{int32(math.Floor(p[0] / ph.dLon)), int32(math.Floor(p[1] / ph.dLat))}
}

func (ph *pointHash) add(p orb.Point, i int32) {
	k := ph.key(p)
	ph.cells[k] = append(ph.cells[k], i)
}

func (ph *pointHash) near(p orb.Point, fn func(i int32)) {
	k := ph.key(p)
	for dx := int32(-1); dx <= 1; dx++ {
		for dy := int32(-1); dy <= 1; dy++ {
			for _, i := range ph.cells[[2]int32{k[0] + dx, k[1] + dy}] {
				fn(i)
			}
		}
	}
}

// History holds recent detections for the persistence rule.
type History struct {
	metres float64
	hash   *pointHash
	pts    []orb.Point
	times  []time.Time
	ids    map[int64]bool
}

// NewHistory returns an empty history for points up to refLat (the largest
// |latitude| of the batch).
func NewHistory(cfg Config, refLat float64) *History {
	return &History{metres: cfg.PersistMetres, hash: newPointHash(cfg.PersistMetres, refLat), ids: map[int64]bool{}}
}

// Add records a detection; a stored hotspot (id > 0) is recorded once.
func (hs *History) Add(id int64, p orb.Point, t time.Time) {
	if id > 0 {
		if hs.ids[id] {
			return
		}
		hs.ids[id] = true
	}
	hs.hash.add(p, int32(len(hs.pts)))
	hs.pts = append(hs.pts, p)
	hs.times = append(hs.times, t)
}

// Count returns how many recorded detections lie within the persistence
// distance of p in [since, until], and on how many days (in loc).
func (hs *History) Count(p orb.Point, since, until time.Time, loc *time.Location) (n, days int) {
	seen := map[int]bool{}
	hs.hash.near(p, func(i int32) {
		t := hs.times[i]
		if t.Before(since) || t.After(until) {
			return
		}
		if geo.DistanceMeters(p, hs.pts[i]) > hs.metres {
			return
		}
		n++
		y, m, d := t.In(loc).Date()
		seen[y*10000+int(m)*100+d] = true
	})
	return n, len(seen)
}
