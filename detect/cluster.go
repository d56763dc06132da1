package detect

import (
	"time"

	"skygrid"
	"skygrid/geo"

	"github.com/paulmach/orb"
)

// Clusterer groups hotspots into events: a hotspot joins an open event when
// it lies within ClusterMetres of one of the event's hotspots and within
// ClusterGap of the event's detections. Fires and static heat never share an
// event. When several events qualify, the oldest (lowest id, then first
// created) wins, so the result does not depend on map order.
type Clusterer struct {
	cfg    Config
	hash   *pointHash
	events []*skygrid.Event
	// per member: event index and point
	memberEvent []int32
	memberPt    []orb.Point
	order       watermark
}

// NewClusterer returns an empty clusterer for points up to refLat.
func NewClusterer(cfg Config, refLat float64) *Clusterer {
	return &Clusterer{cfg: cfg, hash: newPointHash(cfg.ClusterMetres, refLat)}
}

// AddEvent registers an event (open, stored or new) and returns its index.
func (c *Clusterer) AddEvent(e *skygrid.Event) int {
	c.events = append(c.events, e)
	return len(c.events) - 1
}

// reserve makes room for n members in all.
func (c *Clusterer) reserve(n int) {
	c.hash.reserve(n)
	c.memberPt = roomFor(c.memberPt, n)
	c.memberEvent = roomFor(c.memberEvent, n)
}

// AddMember records a hotspot position as part of event index ei.
func (c *Clusterer) AddMember(ei int, p orb.Point) {
	c.hash.add(p, int32(len(c.memberPt)))
	c.memberPt = append(c.memberPt, p)
	c.memberEvent = append(c.memberEvent, int32(ei))
}

// Match returns the index of the event h joins, or -1. Matches in order
// of the hotspots' minute (as a Decider makes them) drop from the hash
// the members of events last seen more than the gap before the minute:
// an event can only grow by a match, so no later hotspot joins them.
func (c *Clusterer) Match(h *skygrid.Hotspot, static bool) int {
	best := -1
	gap := c.cfg.ClusterGap.Duration
	m, drop := c.order.at(h.AcqTime.Unix())
	cut := time.Unix(m, 0).Add(-gap)
	near := geo.NewNear(h.Point)
	match := func(i int32) bool {
		ei := int(c.memberEvent[i])
		if best >= 0 && ei >= best {
			return true // no better; dropped, if due, by a later match
		}
		e := c.events[ei]
		if drop && e.LastSeen.Before(cut) {
			return false
		}
		if e.State != skygrid.EventOpen || (e.Class == skygrid.ClassIndustrialHeat) != static {
			return true
		}
		if h.AcqTime.Sub(e.LastSeen) > gap || e.FirstSeen.Sub(h.AcqTime) > gap {
			return true
		}
		if near.Metres(c.memberPt[i]) <= c.cfg.ClusterMetres {
			best = ei
		}
		return true
	}
	if drop {
		c.hash.near(h.Point, match)
	} else {
		for i := range c.memberPt {
			match(int32(i))
		}
	}
	return best
}

// Event returns the event at index ei.
func (c *Clusterer) Event(ei int) *skygrid.Event { return c.events[ei] }

// Join adds h to the event's figures: times, count, max FRP, mean
// position and bound.
func Join(e *skygrid.Event, h *skygrid.Hotspot) {
	if e.HotspotCount == 0 {
		e.FirstSeen, e.LastSeen = h.AcqTime, h.AcqTime
		e.Point = h.Point
		e.Bound = h.Point.Bound()
		e.MaxFRP = h.FRP
		e.HotspotCount = 1
		return
	}
	if h.AcqTime.Before(e.FirstSeen) {
		e.FirstSeen = h.AcqTime
	}
	if h.AcqTime.After(e.LastSeen) {
		e.LastSeen = h.AcqTime
	}
	n := float64(e.HotspotCount)
	e.Point = orb.Point{(e.Point[0]*n + h.Point[0]) / (n + 1), (e.Point[1]*n + h.Point[1]) / (n + 1)}
	e.Bound = e.Bound.Extend(h.Point)
	if h.FRP > e.MaxFRP {
		e.MaxFRP = h.FRP
	}
	e.HotspotCount++
}
