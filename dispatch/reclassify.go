package dispatch

import (
	"context"

	"skygrid"
	"skygrid/detect"
	"skygrid/geo"

	"github.com/paulmach/orb"
)

// Reclassify returns the class changes that the layers in c cause for the
// given events near the changed sites (near: inside, a nil index takes
// every event): industrial heat stays (it comes from the hotspots), an
// event within reach of a known industrial source becomes industrial heat,
// any other is classified again from its position and first detection.
// Events away from the changed sites are left alone: their class came from
// the layers as they were, and a layer elsewhere cannot change it.
func Reclassify(c *Context, events []*skygrid.Event, near *geo.Index) []skygrid.EventClassChange {
	var out []skygrid.EventClassChange
	det := c.Detector
	for _, e := range events {
		if e.Class == skygrid.ClassIndustrialHeat || e.State == skygrid.EventClosed {
			continue
		}
		if near != nil && !near.Covers(e.Point, 0) {
			continue
		}
		to, site := det.EventClass(e.Point, e.FirstSeen)
		if to != e.Class {
			out = append(out, skygrid.EventClassChange{EventID: e.ID, From: e.Class, To: to, Site: site})
		}
	}
	return out
}

// PlanSiteImport classifies the open events near the changed sites with
// the incoming sites in place of those they replace and returns the
// event class changes.
func (p *Pipeline) PlanSiteImport(ctx context.Context, incoming []*skygrid.Site) ([]skygrid.EventClassChange, error) {
	existing, _, err := p.Store.FindSites(ctx, skygrid.SiteFilter{})
	if err != nil {
		return nil, err
	}
	type key struct{ kind, id string }
	replaced := map[key]bool{}
	for _, s := range incoming {
		replaced[key{s.Kind, s.ExternalID}] = true
	}
	// Where classes can change: around the incoming sites and the old
	// shapes of those they replace, as far as the rules reach.
	reach := max(p.Config.Detect.SiteMetres, p.Config.Detect.HeatSourceMetres) + 100
	near := geo.NewIndex()
	addNear := func(s *skygrid.Site) {
		b := geo.GrowBound(s.Geometry.Bound(), reach)
		near.Add(s.Kind+"/"+s.ExternalID, orb.MultiPolygon{b.ToPolygon()})
	}
	all := append([]*skygrid.Site(nil), incoming...)
	for _, s := range incoming {
		addNear(s)
	}
	for _, s := range existing {
		if !replaced[key{s.Kind, s.ExternalID}] {
			all = append(all, s)
		} else {
			addNear(s)
		}
	}
	// The classes come from the layers alone (Reclassify reads only the
	// detector): no region is read, which on a province's 50,000 grids
	// took 7 s at every site import.
	det, err := detect.New(p.Config.Detect, detect.NewLayers(all))
	if err != nil {
		return nil, err
	}
	c := &Context{Detector: det}
	open := skygrid.EventOpen
	events, _, err := p.Store.FindEvents(ctx, skygrid.EventFilter{State: &open})
	if err != nil {
		return nil, err
	}
	return Reclassify(c, events, near), nil
}

// ImportSites stores sites and reclassifies the open events the new layer
// changes, in one transaction. It returns how many sites were new and the
// class changes made.
func (p *Pipeline) ImportSites(ctx context.Context, sites []*skygrid.Site) (int, []skygrid.EventClassChange, error) {
	changes, err := p.PlanSiteImport(ctx, sites)
	if err != nil {
		return 0, nil, err
	}
	created, err := p.Store.ImportSites(ctx, sites, changes)
	if err != nil {
		return 0, nil, err
	}
	return created, changes, nil
}
