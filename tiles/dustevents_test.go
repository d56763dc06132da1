package tiles_test

import (
	"testing"
	"time"

	"skygrid"
	"skygrid/tiles"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
)

// The events layer draws fires, not dust events (a site's alarm or
// inspection, at the site) nor reports from the public: a tile holding a
// fire, a dust alarm and a public report has the fire only.
func TestEventsLayerLeavesDustOut(t *testing.T) {
	at := time.Date(2023, 10, 20, 5, 0, 0, 0, time.UTC)
	ev := func(id int64, class string, p orb.Point) *skygrid.Event {
		return &skygrid.Event{ID: id, Class: class, State: skygrid.EventOpen, FirstSeen: at, LastSeen: at, Point: p, HotspotCount: 1}
	}
	p := orb.Point{113.3, 40.08}
	src := &memSource{versions: map[string]int64{}, loads: map[string]int{},
		events: []*skygrid.Event{ev(1, skygrid.ClassStrawBurning, p), ev(2, skygrid.ClassDustExceedance, orb.Point{113.301, 40.081}),
			ev(3, skygrid.ClassSiteInspection, orb.Point{113.299, 40.079}), ev(4, skygrid.ClassPublicReport, orb.Point{113.302, 40.08})}}
	s := newServer(t, src, tiles.Options{})
	m := get(t, s, req(skygrid.LayerEvents, tileAt(p, 12), "mvt"))
	layers, err := mvt.Unmarshal(m.Data)
	if err != nil || len(layers) != 1 {
		t.Fatalf("%v %v", layers, err)
	}
	var classes []any
	for _, f := range layers[0].Features {
		classes = append(classes, f.Properties["class"])
	}
	if len(classes) != 1 || classes[0] != skygrid.ClassStrawBurning {
		t.Errorf("classes in the tile %v, want the fire only", classes)
	}
}
