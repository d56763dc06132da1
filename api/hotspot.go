package api

import (
	"net/http"

	"skygrid"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb/geojson"
)

// Page sizes.
const (
	defaultLimit = 1000
	maxLimit     = 50000
)

func hotspotFeature(h *skygrid.Hotspot) *geojson.Feature {
	f := geojson.NewFeature(h.Point)
	f.ID = h.ID
	f.Properties = geojson.Properties{
		"id": h.ID, "source": h.Source, "satellite": h.Satellite, "acq_time": h.AcqTime,
		"brightness": h.Brightness, "bright_t31": h.BrightT31, "scan": h.Scan, "track": h.Track, "frp": h.FRP,
		"confidence": h.Confidence, "daynight": h.DayNight, "version": h.Version, "type": h.Type,
		"status": h.Status, "status_reason": h.StatusReason, "event_id": h.EventID, "batch_id": h.BatchID,
	}
	return f
}

// collection is a FeatureCollection with the total before paging and,
// for the lists that page by cursor (events, hotspots), the cursors of
// the pages after and before it and whether the total is exact (see
// skygrid.Page).
type collection struct {
	Type       string             `json:"type" ts:"'FeatureCollection'"`
	Features   []*geojson.Feature `json:"features"`
	Total      int                `json:"total"`
	TotalExact *bool              `json:"total_exact,omitempty"`
	NextCursor string             `json:"next_cursor,omitempty"`
	PrevCursor string             `json:"prev_cursor,omitempty"`
}

// newCollection makes a FeatureCollection of items, total counted before paging.
func newCollection[T any](items []T, total int, feature func(T) *geojson.Feature) *collection {
	out := &collection{Type: "FeatureCollection", Features: make([]*geojson.Feature, 0, len(items)), Total: total}
	for _, it := range items {
		out.Features = append(out.Features, feature(it))
	}
	return out
}

// pageCollection makes a FeatureCollection of a page of items.
func pageCollection[T any](items []T, page skygrid.Page, feature func(T) *geojson.Feature) *collection {
	out := newCollection(items, page.Total, feature)
	out.TotalExact, out.NextCursor, out.PrevCursor = &page.TotalExact, page.Next, page.Prev
	return out
}

// cursor reads the cursor parameter, which replaces offset.
func (p *params) cursor(offset int) string {
	v := p.str("cursor")
	if v == nil {
		return ""
	}
	if offset > 0 {
		p.fail("cursor", "give a cursor or an offset, not both")
	}
	if len(*v) > 1000 {
		p.fail("cursor", "at most 1000 characters, got %d", len(*v))
	}
	return *v
}

// GET /api/hotspots?bbox=&since=&until=&status=&limit=&offset=|cursor=
func (s *Server) handleHotspots(c echo.Context) error {
	p := &params{c: c}
	f := skygrid.HotspotFilter{
		Bbox: p.bbox("bbox"), Since: p.time("since"), Until: p.time("until"), Scope: scopeOf(c),
		Status: p.oneOf("status", []string{skygrid.StatusFire, skygrid.StatusLowConfidence, skygrid.StatusStatic, skygrid.StatusPending}),
		Limit:  p.intv("limit", defaultLimit, maxLimit), Offset: p.intv("offset", 0, 0),
	}
	f.Cursor = p.cursor(f.Offset)
	if p.err != nil {
		return p.err
	}
	hs, page, err := s.Hotspots.FindHotspotPage(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageCollection(hs, page, hotspotFeature))
}
