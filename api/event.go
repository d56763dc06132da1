package api

import (
	"fmt"
	"net/http"
	"strconv"

	"skygrid"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb/geojson"
)

func eventFeature(e *skygrid.Event) *geojson.Feature {
	f := geojson.NewFeature(e.Point)
	f.ID = e.ID
	f.Properties = geojson.Properties{
		"id": e.ID, "class": e.Class, "class_name": skygrid.ClassNames[e.Class], "state": e.State,
		"first_seen": e.FirstSeen, "last_seen": e.LastSeen, "hotspot_count": e.HotspotCount, "max_frp": e.MaxFRP,
		"grid_id": e.GridID, "township_id": e.TownshipID, "county_id": e.CountyID, "assigned_by": e.AssignedBy,
		"grid_name": e.GridName, "township_name": e.TownshipName, "county_name": e.CountyName,
		"bbox":       []float64{e.Bound.Min[0], e.Bound.Min[1], e.Bound.Max[0], e.Bound.Max[1]},
		"created_at": e.CreatedAt, "updated_at": e.UpdatedAt,
		"history": e.History, "cross_border": e.CrossBorder,
	}
	if e.CrossBorder {
		f.Properties["border_note"] = e.BorderNote()
		f.Properties["near_county_id"], f.Properties["near_county_name"] = e.NearCountyID, e.NearCounty
		f.Properties["near_metres"], f.Properties["near_direction"] = e.NearMetres, e.NearDirection
		f.Properties["neighbour_id"], f.Properties["neighbour_name"] = e.NeighbourID, e.Neighbour
	}
	if e.Task != nil {
		f.Properties["task"] = e.Task
	}
	return f
}

// GET /api/events?bbox=&since=&until=&class=&state=&region=&history=&crossborder=&limit=&offset=|cursor=&compact=
//
// history=true|false keeps the events recorded as history (older than
// max_age when they arrived: no task) or the others; crossborder=true
// lists the fires outside the city kept for joint control (admins and
// auditors only), crossborder=false the city's.
func (s *Server) handleEvents(c echo.Context) error {
	p := &params{c: c}
	f := skygrid.EventFilter{
		Bbox: p.bbox("bbox"), Since: p.time("since"), Until: p.time("until"),
		Class: p.oneOf("class", skygrid.Classes), State: p.oneOf("state", []string{skygrid.EventOpen, skygrid.EventClosed}),
		RegionID: p.str("region"), CountyID: p.str("county"), GridID: p.str("grid"), Scope: scopeOf(c),
		History: p.optBool("history"), CrossBorder: p.optBool("crossborder"),
		Limit: p.intv("limit", defaultLimit, maxLimit), Offset: p.intv("offset", 0, 0),
	}
	f.Cursor = p.cursor(f.Offset)
	compact := p.boolv("compact", false)
	if p.err != nil {
		return p.err
	}
	if f.CrossBorder != nil && *f.CrossBorder && !f.Scope.All {
		return skygrid.Errorf(skygrid.EFORBIDDEN, "the cross-border fires (outside the city) are listed for admins and auditors")
	}
	es, page, err := s.Events.FindEventPage(c.Request().Context(), f)
	if err != nil {
		return err
	}
	if compact {
		return c.JSON(http.StatusOK, compactEvents(pageCollection(es, page, eventFeature), es))
	}
	return c.JSON(http.StatusOK, pageCollection(es, page, eventFeature))
}

// GET /api/events/:id: the event with its hotspots (a FeatureCollection in
// properties.hotspots), grid with supervisor, and task.
func (s *Server) handleEvent(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return skygrid.Errorf(skygrid.EINVALID, "event id must be a positive whole number, got %q", c.Param("id"))
	}
	sc := scopeOf(c)
	if !sc.All {
		// Visible when the scoped listing holds it; else 403, existing or not.
		_, n, err := s.Events.FindEvents(c.Request().Context(), skygrid.EventFilter{ID: &id, Scope: sc})
		if err != nil {
			return err
		}
		if n == 0 {
			return forbidden(fmt.Sprintf("event %d", id))
		}
	}
	e, err := s.Events.FindEventByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	f := eventFeature(e)
	f.Properties["hotspots"] = newCollection(e.Hotspots, len(e.Hotspots), hotspotFeature)
	if pass, err := s.firstPass(c.Request().Context(), e.Hotspots); err != nil {
		return err
	} else if pass != nil {
		f.Properties["pass"] = pass
	}
	if e.Grid != nil {
		f.Properties["grid"] = e.Grid
		if e.Grid.Supervisor != nil {
			f.Properties["supervisor"] = e.Grid.Supervisor
		}
	}
	return c.JSON(http.StatusOK, f)
}
