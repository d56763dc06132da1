package detect_test

import (
	"math/rand"
	"sort"
	"testing"
	"time"

	"skygrid"
	"skygrid/detect"
	"skygrid/geo"

	"github.com/paulmach/orb"
)

// refMatch is Clusterer.Match by brute force: the lowest event index with
// a member within the distance, open, of the same kind, within the gap.
func refMatch(cfg detect.Config, events []*skygrid.Event, members []int, pts []orb.Point, h *skygrid.Hotspot, static bool) int {
	best := -1
	gap := cfg.ClusterGap.Duration
	near := geo.NewNear(h.Point)
	for i, ei := range members {
		e := events[ei]
		if best >= 0 && ei >= best || e.State != skygrid.EventOpen || (e.Class == skygrid.ClassIndustrialHeat) != static {
			continue
		}
		if h.AcqTime.Sub(e.LastSeen) > gap || e.FirstSeen.Sub(h.AcqTime) > gap || near.Metres(pts[i]) > cfg.ClusterMetres {
			continue
		}
		best = ei
	}
	return best
}

// refCount is History.Count by brute force.
func refCount(cfg detect.Config, pts []orb.Point, at []time.Time, p orb.Point, since, until time.Time) (n, days int) {
	seen := map[string]bool{}
	near := geo.NewNear(p)
	for i, q := range pts {
		if at[i].Before(since) || at[i].After(until) || near.Metres(q) > cfg.PersistMetres {
			continue
		}
		n++
		seen[at[i].In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")] = true
	}
	return n, len(seen)
}

// prunedHotspots are n hotspots over 30 days in a 20 km box, half of them
// around 20 places (so events and persistent heat form), in time order
// or, with shuffle, with some out of order by hours or seconds.
func prunedHotspots(n int, seed int64, shuffle bool) []*skygrid.Hotspot {
	rnd := rand.New(rand.NewSource(seed))
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	out := make([]*skygrid.Hotspot, n)
	for i := range out {
		p := orb.Point{113 + rnd.Float64()*0.2, 40 + rnd.Float64()*0.2}
		if i%2 == 0 {
			k := float64(rnd.Intn(20))
			p = orb.Point{113.01 + k*0.009 + rnd.NormFloat64()*0.002, 40.1 + rnd.NormFloat64()*0.002}
		}
		at := t0.Add(time.Duration(rnd.Intn(30*24*60)) * time.Minute)
		if shuffle {
			at = at.Add(time.Duration(rnd.Intn(59)) * time.Second)
		}
		out[i] = &skygrid.Hotspot{Point: p, AcqTime: at}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AcqTime.Before(out[j].AcqTime) })
	if shuffle {
		for k := 0; k < n/50; k++ {
			i, j := rnd.Intn(n), rnd.Intn(n)
			out[i], out[j] = out[j], out[i]
		}
	}
	return out
}

// TestPruneSameAnswers: the clusterer and the history drop what no later
// query can reach; in order or not, every answer equals brute force's.
func TestPruneSameAnswers(t *testing.T) {
	cfg := detect.DefaultConfig()
	for _, tt := range []struct {
		name    string
		shuffle bool
	}{
		{"in minute order", false},
		{"out of order by hours and seconds", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hs := prunedHotspots(4000, 7, tt.shuffle)
			c := detect.NewClusterer(cfg, 41)
			hist := detect.NewHistory(cfg, 41, time.FixedZone("CST", 8*3600))
			var events []*skygrid.Event
			var members []int
			var pts []orb.Point
			var at []time.Time
			joined, persistent := 0, 0
			for k, h := range hs {
				hist.Add(h.Point, h.AcqTime)
				pts, at = append(pts, h.Point), append(at, h.AcqTime)
				since := h.AcqTime.Add(-cfg.PersistWindow.Duration)
				n, days := hist.Count(h.Point, since, h.AcqTime)
				if rn, rd := refCount(cfg, pts, at, h.Point, since, h.AcqTime); n != rn || days != rd {
					t.Fatalf("hotspot %d: count %d on %d days, brute force %d on %d", k, n, days, rn, rd)
				}
				if days >= 3 {
					persistent++
				}
				got, want := c.Match(h, false), refMatch(cfg, events, members, pts[:len(members)], h, false)
				if got != want {
					t.Fatalf("hotspot %d: match %d, brute force %d", k, got, want)
				}
				if got < 0 {
					events = append(events, &skygrid.Event{State: skygrid.EventOpen, Class: skygrid.ClassOpenBurning})
					got = c.AddEvent(events[len(events)-1])
				} else {
					joined++
				}
				detect.Join(events[got], h)
				c.AddMember(got, h.Point)
				members = append(members, got)
			}
			if joined < len(hs)/4 || len(events) < len(hs)/4 || persistent == 0 {
				t.Fatalf("the data tests too little: %d joined, %d events, %d persistent", joined, len(events), persistent)
			}
		})
	}
}
