package detect_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/detect"

	"github.com/paulmach/orb"
)

// base is a place in open country south of Datong (no site of any layer
// near it but those a case adds).
var base = orb.Point{113.5, 39.8}

// at is the point east and north metres from base.
func at(east, north float64) orb.Point {
	return orb.Point{base[0] + east/(111320*math.Cos(base[1]*math.Pi/180)), base[1] + north/110574}
}

var t0 = time.Date(2023, 9, 20, 5, 36, 0, 0, time.UTC) // outside the heating season

// fire is a VIIRS detection of nominal confidence at p, t.
func fire(p orb.Point, t time.Time) *skygrid.Hotspot {
	return &skygrid.Hotspot{Source: skygrid.SourceVIIRS, Satellite: "N20", Confidence: "n", Point: p, AcqTime: t, FRP: 3, Type: -1}
}

// decideBatch runs a decider over batch (in acquisition order) against the
// stored state, and says what it made of each hotspot: "<status> dropped",
// "<status> opens <class>" or "<status> joins <event>", an event named by
// its id when stored, else by the batch's hotspot that opened it (#n).
func decideBatch(t *testing.T, d *detect.Detector, st *skygrid.IngestState, batch []*skygrid.Hotspot) []string {
	t.Helper()
	rows := detect.NewRows(0)
	for _, h := range batch {
		rows.Add(h)
	}
	var dups int
	rows.SortDedupe(&dups)
	q := d.Reach(rows)
	dc := d.NewDecider(rows, q, st)
	opener := map[int]int{}
	var out []string
	for i := 0; i < rows.Len(); i++ {
		var h skygrid.Hotspot
		rows.Fill(i, &h, 1)
		dec := dc.Decide(i, &h)
		if (dec.Status == skygrid.StatusFire) != (dec.Reason == "") {
			t.Errorf("hotspot %d: status %s with reason %q", i, dec.Status, dec.Reason)
		}
		switch {
		case dec.Dropped():
			out = append(out, dec.Status+" dropped")
		case dec.Opens:
			opener[dec.Event] = i
			if got := dc.Event(dec.Event).Class; got != dec.Class {
				t.Errorf("hotspot %d: decision class %s, event class %s", i, dec.Class, got)
			}
			out = append(out, dec.Status+" opens "+dec.Class)
		default:
			name := fmt.Sprint(dc.Event(dec.Event).ID)
			if n, ok := opener[dec.Event]; ok {
				name = fmt.Sprintf("#%d", n)
			}
			out = append(out, dec.Status+" joins "+name)
		}
	}
	return out
}

// persistent is n stored detections at p, one a day before t0.
func persistent(p orb.Point, n int) []*skygrid.Hotspot {
	var hs []*skygrid.Hotspot
	for i := 1; i <= n; i++ {
		hs = append(hs, fire(p, t0.Add(-time.Duration(i)*24*time.Hour)))
	}
	return hs
}

func TestDeciderFirstMatchWins(t *testing.T) {
	site := &skygrid.Site{Kind: skygrid.SiteIndustrial, ExternalID: "p1", Name: "示例 plant", Geometry: at(5000, 0)}
	works := &skygrid.Site{Kind: skygrid.SiteConstruction, ExternalID: "c1", Name: "示例 works", Geometry: at(-5000, 0)}
	d := mustDetector(t, []*skygrid.Site{site, works})
	stored := &skygrid.Event{ID: 41, State: skygrid.EventOpen, Class: skygrid.ClassOpenBurning, FirstSeen: t0.Add(-2 * time.Hour),
		LastSeen: t0.Add(-time.Hour), Point: at(0, 3000), HotspotCount: 1}
	member := fire(at(0, 3000), t0.Add(-time.Hour))
	member.EventID = 41
	low := fire(base, t0)
	low.Confidence = "l"
	lowNearPlant := fire(at(5100, 0), t0)
	lowNearPlant.Confidence = "l"
	type2 := fire(at(0, -6000), t0)
	type2.Type = 2
	for _, tt := range []struct {
		name   string
		stored *skygrid.IngestState
		batch  []*skygrid.Hotspot
		want   []string
	}{
		{"low confidence is dropped", nil, []*skygrid.Hotspot{low}, []string{"low_confidence dropped"}},
		{"low confidence wins over a heat source", nil, []*skygrid.Hotspot{lowNearPlant}, []string{"low_confidence dropped"}},
		{"a fire in open country opens open burning", nil, []*skygrid.Hotspot{fire(base, t0)}, []string{"fire opens open_burning"}},
		{"a fire at a construction site", nil, []*skygrid.Hotspot{fire(at(-5100, 0), t0)}, []string{"fire opens construction_site"}},
		{"near a heat source is static: industrial heat", nil, []*skygrid.Hotspot{fire(at(5300, 0), t0)}, []string{"static opens industrial_heat"}},
		{"FIRMS type 2 is static", nil, []*skygrid.Hotspot{type2}, []string{"static opens industrial_heat"}},
		{"a second fire 600 m on joins the first", nil,
			[]*skygrid.Hotspot{fire(base, t0), fire(at(600, 0), t0.Add(time.Minute))}, []string{"fire opens open_burning", "fire joins #0"}},
		{"2 km apart: two events", nil,
			[]*skygrid.Hotspot{fire(base, t0), fire(at(2000, 0), t0.Add(time.Minute))}, []string{"fire opens open_burning", "fire opens open_burning"}},
		{"fire and static heat never share an event", nil,
			[]*skygrid.Hotspot{fire(at(3900, 0), t0), fire(at(4300, 0), t0.Add(time.Minute))}, []string{"fire opens open_burning", "static opens industrial_heat"}},
		{"a stored open event is joined", &skygrid.IngestState{Hotspots: []*skygrid.Hotspot{member}, Events: []*skygrid.Event{stored}},
			[]*skygrid.Hotspot{fire(at(0, 3500), t0)}, []string{"fire joins 41"}},
		{"four stored days and this one: persistent heat", &skygrid.IngestState{Hotspots: persistent(at(0, -3000), 4)},
			[]*skygrid.Hotspot{fire(at(100, -3000), t0)}, []string{"static opens industrial_heat"}},
		{"three stored days and this one: a fire", &skygrid.IngestState{Hotspots: persistent(at(0, -3000), 3)},
			[]*skygrid.Hotspot{fire(at(100, -3000), t0)}, []string{"fire opens open_burning"}},
		{"the batch's own minute counts for persistence", &skygrid.IngestState{Hotspots: persistent(at(0, -3000), 3)},
			[]*skygrid.Hotspot{fire(at(100, -3000), t0), fire(at(-100, -3000), t0)},
			[]string{"static opens industrial_heat", "static joins #0"}},
		{"a later minute does not count for an earlier one", &skygrid.IngestState{Hotspots: persistent(at(0, -3000), 3)},
			[]*skygrid.Hotspot{fire(at(100, -3000), t0), fire(at(-100, -3000), t0.Add(time.Minute))},
			[]string{"fire opens open_burning", "static opens industrial_heat"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := tt.stored
			if st == nil {
				st = &skygrid.IngestState{}
			}
			got := decideBatch(t, d, st, tt.batch)
			if strings.Join(got, "; ") != strings.Join(tt.want, "; ") {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// A stored event seen more than the clustering gap ago is not joined; a
// joined event's figures take the hotspot in.
func TestDeciderJoinsWithinGap(t *testing.T) {
	d := mustDetector(t, nil)
	for _, tt := range []struct {
		name  string
		ago   time.Duration
		joins bool
	}{
		{"seen 11 h ago", 11 * time.Hour, true},
		{"seen 13 h ago", 13 * time.Hour, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := &skygrid.Event{ID: 7, State: skygrid.EventOpen, Class: skygrid.ClassOpenBurning, FirstSeen: t0.Add(-tt.ago),
				LastSeen: t0.Add(-tt.ago), Point: base, Bound: base.Bound(), HotspotCount: 1, MaxFRP: 3}
			m := fire(base, t0.Add(-tt.ago))
			m.EventID = 7
			rows := detect.NewRows(1)
			h := fire(at(300, 0), t0)
			h.FRP = 9
			rows.Add(h)
			q := d.Reach(rows)
			if !q.EventsSince.Equal(t0.Add(-12*time.Hour)) || !q.Until.Equal(t0) || !q.HotspotsSince.Equal(t0.Add(-30*24*time.Hour)) {
				t.Fatalf("reach %+v", q)
			}
			dc := d.NewDecider(rows, q, &skygrid.IngestState{Hotspots: []*skygrid.Hotspot{m}, Events: []*skygrid.Event{e}})
			var got skygrid.Hotspot
			rows.Fill(0, &got, 1)
			dec := dc.Decide(0, &got)
			if joined := !dec.Opens && dc.Event(dec.Event) == e; joined != tt.joins {
				t.Fatalf("joined %v, want %v (%+v)", joined, tt.joins, dec)
			}
			if tt.joins && (e.HotspotCount != 2 || e.MaxFRP != 9 || !e.LastSeen.Equal(t0)) {
				t.Errorf("event figures: %d hotspots, max FRP %v, last seen %s", e.HotspotCount, e.MaxFRP, e.LastSeen)
			}
		})
	}
}
