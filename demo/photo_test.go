package demo_test

import (
	"bytes"
	"math"
	"testing"
	"time"

	"skygrid"
	"skygrid/demo"
	"skygrid/evidence"
	"skygrid/geo"

	"github.com/paulmach/orb"
)

// The demo's invented photos read back as a phone's would: a JPEG with
// the position and the Beijing time in its EXIF, so the report checks
// (distance, time) work on them as on real ones.
func TestDemoPhotoCarriesItsEXIF(t *testing.T) {
	at := time.Date(2023, 10, 24, 14, 5, 0, 0, skygrid.Beijing)
	for _, f := range skygrid.Findings {
		t.Run(f, func(t *testing.T) {
			p := orb.Point{113.6897, 39.7003}
			b, err := demo.Photo(f, at, p, 1)
			if err != nil {
				t.Fatal(err)
			}
			ph, _, err := evidence.ReadPhoto(bytes.NewReader(b), "demo.jpg", 15<<20)
			if err != nil {
				t.Fatal(err)
			}
			if ph.Mime != "image/jpeg" || ph.Width != 240 || ph.Height != 180 || ph.Point == nil || !ph.TakenAt.Equal(at) {
				t.Fatalf("read %+v (point %v)", ph, ph.Point)
			}
			if d := geo.DistanceMeters(*ph.Point, p); d > 0.5 || math.IsNaN(d) {
				t.Errorf("position %v, %.2f m off", *ph.Point, d)
			}
			evidence.CheckPhoto(ph, &skygrid.Event{Point: orb.Point{113.69, 39.70}, FirstSeen: at.Add(-time.Hour)})
			if len(ph.Flags) != 0 {
				t.Errorf("flags %v", ph.Flags)
			}
		})
	}
}
