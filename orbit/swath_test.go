package orbit

import (
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// The swath of a pass over Datong covers Datong and the sub-satellite
// track, is as wide as the instrument's swath, and a place 100 km beyond
// its edge is outside; PassAt finds that pass from a time within minutes.
func TestSwathAndPassAt(t *testing.T) {
	p, _, err := NewPredictor(Fallback())
	if err != nil {
		t.Fatal(err)
	}
	s, _ := p.Satellite("N20")
	at := time.Date(2026, 12, 5, 5, 17, 0, 0, time.UTC)
	pass, ok, err := s.PassAt(40.08, 113.3, at, 10*time.Minute)
	if err != nil || !ok {
		t.Fatalf("no pass near %s: %v", at, err)
	}
	if d := pass.Peak.Sub(at).Abs(); d > 5*time.Minute || pass.Satellite != "NOAA-20" {
		t.Fatalf("pass %+v", pass)
	}
	poly, err := s.Swath(pass.Peak, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	lat, lon, _, _ := s.SubPoint(pass.Peak)
	if !planar.PolygonContains(poly, orb.Point{113.3, 40.08}) || !planar.PolygonContains(poly, orb.Point{lon, lat}) {
		t.Errorf("swath misses Datong or the track: %v", poly.Bound())
	}
	// across the track at the peak: half the swath to the edge
	brg := bearing(orb.Point{lon, lat}, func() orb.Point { la, lo, _, _ := s.SubPoint(pass.Peak.Add(Step)); return orb.Point{lo, la} }())
	for _, side := range []float64{-90, 90} {
		in := destination(orb.Point{lon, lat}, brg+side, s.SwathKm/2-100)
		out := destination(orb.Point{lon, lat}, brg+side, s.SwathKm/2+100)
		if !planar.PolygonContains(poly, in) || planar.PolygonContains(poly, out) {
			t.Errorf("side %v: %v inside %v, %v outside %v", side, in, planar.PolygonContains(poly, in), out, !planar.PolygonContains(poly, out))
		}
	}
	if _, ok, _ := s.PassAt(40.08, 113.3, at.Add(3*time.Hour), 10*time.Minute); ok {
		t.Errorf("a pass found 3 h after the daytime pass")
	}
}
