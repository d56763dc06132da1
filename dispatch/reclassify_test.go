package dispatch_test

import (
	"context"
	"testing"

	"skygrid"
	"skygrid/dispatch/dispatchtest"
	"skygrid/geo"
	"skygrid/store"

	"github.com/paulmach/orb"
)

// Importing a cropland layer over an open-burning event makes it straw
// burning, in the same transaction, audited; the events layer version and
// the cropland one rise, the others do not.
func TestSiteImportReclassifiesOpenEvents(t *testing.T) {
	p, _ := withGrids(t)
	db := p.Store.(*store.DB)
	ctx := context.Background()
	ingestOctober(t, p)
	loads := dispatchtest.CountLoads(p, db)
	cls := skygrid.ClassOpenBurning
	events, _, err := p.Store.FindEvents(ctx, skygrid.EventFilter{Class: &cls})
	if err != nil || len(events) < 3 {
		t.Fatalf("%d open-burning events (%v)", len(events), err)
	}
	before, err := db.LayerVersions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Cropland squares of 600 m around two events.
	var sites []*skygrid.Site
	for i, e := range events[:2] {
		sites = append(sites, &skygrid.Site{Kind: skygrid.SiteCropland, ExternalID: "F" + string(rune('1'+i)), Name: "测试耕地",
			Geometry: geo.Rect(e.Point, 600, 600)})
	}
	created, changes, err := p.ImportSites(ctx, sites)
	if err != nil {
		t.Fatal(err)
	}
	if created != 2 || len(changes) < 2 {
		t.Fatalf("created %d, changes %v", created, changes)
	}
	if loads.N() != 0 {
		t.Errorf("a site import read every region with its outline %d times; the classes need only the layers", loads.N())
	}
	for _, e := range events[:2] {
		got, err := p.Store.FindEventByID(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Class != skygrid.ClassStrawBurning {
			t.Errorf("event %d is %s after the cropland import", e.ID, got.Class)
		}
	}
	for _, e := range events[2:] {
		if got, _ := p.Store.FindEventByID(ctx, e.ID); got.Class != cls && geo.DistanceMeters(got.Point, events[0].Point) > 1000 && geo.DistanceMeters(got.Point, events[1].Point) > 1000 {
			t.Errorf("event %d far from the fields changed to %s", e.ID, got.Class)
		}
	}
	after, _ := db.LayerVersions(ctx)
	for layer, v := range after {
		changed := layer == skygrid.LayerCropland || layer == skygrid.LayerEvents
		if (v != before[layer]) != changed {
			t.Errorf("layer %s version %d -> %d", layer, before[layer], v)
		}
	}
	audit, err := db.FindAudit(ctx, "event", "", 0)
	n := 0
	for _, a := range audit {
		if a.Action == "event.reclassify" {
			n++
		}
	}
	if err != nil || n != len(changes) {
		t.Errorf("%d reclassify audit lines for %d changes (%v)", n, len(changes), err)
	}
	// Importing the same again changes nothing more.
	if _, changes, err = p.ImportSites(ctx, sites); err != nil || len(changes) != 0 {
		t.Errorf("second import: %v changes, %v", changes, err)
	}
}

func TestSiteImportFailureStoresNothing(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	good := &skygrid.Site{Kind: skygrid.SiteStockpile, ExternalID: "A", Name: "a", Geometry: orb.Point{113, 40}}
	bad := &skygrid.Site{Kind: skygrid.SiteStockpile, ExternalID: "", Name: "b", Geometry: orb.Point{113, 40}}
	_, err := db.ImportSites(ctx, []*skygrid.Site{good, bad}, nil)
	if skygrid.ErrorCode(err) != skygrid.EINVALID {
		t.Fatalf("want EINVALID, got %v", err)
	}
	if ss, n, _ := db.FindSites(ctx, skygrid.SiteFilter{}); n != 0 || len(ss) != 0 {
		t.Errorf("%d sites stored after a failed import", n)
	}
}
