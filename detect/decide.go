package detect

import (
	"math"

	"skygrid"
	"skygrid/geo"
)

// Decision is what a Decider made of one hotspot, first match wins:
// dropped for low confidence (Event -1), static heat or a fire; a kept
// one joins the event at index Event, or opens it (Opens, with Class).
type Decision struct {
	// Status is skygrid.StatusLowConfidence, StatusStatic or StatusFire;
	// Reason says why for the first two.
	Status, Reason string
	// Event is the index of the hotspot's event (see Decider.Event), -1
	// when it has none.
	Event int
	// Opens is true when the hotspot opens a new event of Class.
	Opens bool
	Class string
}

// Dropped reports whether the hotspot belongs to no event.
func (d Decision) Dropped() bool { return d.Event < 0 }

// Decider decides a batch's hotspots one at a time in DESIGN's order:
// confidence, static heat (type 2, a known heat source, persistent heat),
// join an open event of the same kind or open a new one, classify the
// new one. It holds the persistence history and the clusterer; the
// batch's own detections join the history a minute at a time, as the
// decider reaches them (persistence counts detections up to the one
// decided, those of its own minute included).
type Decider struct {
	det   *Detector
	rows  *Rows
	hist  *History
	cl    *Clusterer
	ahead int // rows[:ahead] are in the history
}

// Reach is the stored state deciding rows needs: the hotspots and open
// events in the rows' bound grown by the clustering and persistence
// distances, the hotspots of the persistence window before the first row
// and the events seen within the clustering gap of it. Rows must not be
// empty.
func (d *Detector) Reach(rows *Rows) skygrid.IngestQuery {
	cfg := d.Config
	first, last := rows.Acq(0), rows.Acq(rows.Len()-1)
	return skygrid.IngestQuery{
		Bound:         geo.GrowBound(rows.Bound(), math.Max(cfg.ClusterMetres, cfg.PersistMetres)),
		HotspotsSince: first.Add(-cfg.PersistWindow.Duration),
		Until:         last,
		EventsSince:   first.Add(-cfg.ClusterGap.Duration),
	}
}

// NewDecider returns a decider for rows (sorted by acquisition minute:
// see Rows.SortDedupe) against the stored state q read (Reach): its
// hotspots join the history and the open events' members, its open
// events (in id order) can be joined.
func (d *Detector) NewDecider(rows *Rows, q skygrid.IngestQuery, st *skygrid.IngestState) *Decider {
	refLat := math.Max(math.Abs(q.Bound.Min[1]), math.Abs(q.Bound.Max[1]))
	dc := &Decider{det: d, rows: rows, hist: NewHistory(d.Config, refLat, d.loc), cl: NewClusterer(d.Config, refLat)}
	// Every stored hotspot and row may join the history and the members:
	// room for them all at once, not grown one append at a time.
	n := len(st.Hotspots) + rows.Len()
	dc.hist.reserve(n)
	dc.cl.reserve(n)
	for _, h := range st.Hotspots {
		dc.hist.Add(h.Point, h.AcqTime)
	}
	index := make(map[int64]int, len(st.Events))
	for _, e := range st.Events {
		index[e.ID] = dc.cl.AddEvent(e)
	}
	for _, h := range st.Hotspots {
		if ei, ok := index[h.EventID]; ok && h.EventID > 0 {
			dc.cl.AddMember(ei, h.Point)
		}
	}
	return dc
}

// Decide decides row i, filled into h (Rows.Fill); rows are decided in
// order, each once. A kept hotspot is added to its event (figures and
// members); a new event has no id yet (the caller gives it one).
func (dc *Decider) Decide(i int, h *skygrid.Hotspot) Decision {
	if i == dc.ahead {
		m := dc.rows.minute(i)
		for dc.ahead < dc.rows.Len() && dc.rows.minute(dc.ahead) == m {
			dc.hist.Add(dc.rows.Point(dc.ahead), dc.rows.Acq(dc.ahead))
			dc.ahead++
		}
	}
	if reason := dc.det.ConfidenceReason(h); reason != "" {
		return Decision{Status: skygrid.StatusLowConfidence, Reason: reason, Event: -1}
	}
	dec := Decision{Status: skygrid.StatusFire}
	if reason := dc.det.StaticReason(h, dc.hist); reason != "" {
		dec.Status, dec.Reason = skygrid.StatusStatic, reason
	}
	static := dec.Status == skygrid.StatusStatic
	dec.Event = dc.cl.Match(h, static)
	if dec.Event < 0 {
		e := &skygrid.Event{State: skygrid.EventOpen, Class: skygrid.ClassIndustrialHeat}
		if !static {
			e.Class, _ = dc.det.Classify(h.Point, h.AcqTime)
		}
		dec.Event, dec.Opens, dec.Class = dc.cl.AddEvent(e), true, e.Class
	}
	Join(dc.cl.Event(dec.Event), h)
	dc.cl.AddMember(dec.Event, h.Point)
	return dec
}

// Done lets go of what deciding needed (the rows, the persistence
// history, the events' members) once the last row is decided; the events
// stay (Event). A batch of a million rows frees a few hundred MB before
// its events and tasks are saved.
func (dc *Decider) Done() {
	dc.rows, dc.hist = nil, nil
	dc.cl.hash, dc.cl.memberPt, dc.cl.memberEvent = nil, nil, nil
}

// Event returns the event at index ei (of a Decision).
func (dc *Decider) Event(ei int) *skygrid.Event { return dc.cl.Event(ei) }
