package api

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sync"

	"skygrid"
	"skygrid/geo"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

func regionFeature(r *skygrid.Region) *geojson.Feature {
	var f *geojson.Feature
	if len(r.Geometry) > 0 {
		f = geojson.NewFeature(r.Geometry)
	} else {
		f = &geojson.Feature{Type: "Feature", Properties: geojson.Properties{}}
	}
	f.ID = r.ID
	f.BBox = geojson.BBox{r.Bound.Min[0], r.Bound.Min[1], r.Bound.Max[0], r.Bound.Max[1]}
	f.Properties = geojson.Properties{"id": r.ID, "name": r.Name, "level": r.Level, "parent_id": r.ParentID, "area_km2": r.AreaKm2}
	if r.ParentName != "" {
		f.Properties["parent_name"] = r.ParentName
	}
	if r.Supervisor != nil {
		f.Properties["supervisor"] = r.Supervisor
	}
	if r.Demo {
		f.Properties["demo"] = true
	}
	return f
}

// GET /api/regions?level=&parent=&bbox=&geometry=true|false&labels=true|false&limit=&offset=
// labels=true adds each region's label_point [lon, lat]: where its name
// goes on the map, a point inside it (geo.LabelPoint), kept per regions'
// version (labelCache).
func (s *Server) handleRegions(c echo.Context) error {
	p := &params{c: c}
	withGeom, labels := p.boolv("geometry", true), p.boolv("labels", false)
	f := skygrid.RegionFilter{
		Level:    p.oneOf("level", []string{skygrid.LevelCity, skygrid.LevelCounty, skygrid.LevelTownship, skygrid.LevelGrid}),
		ParentID: p.str("parent"), Bbox: p.bbox("bbox"), WithGeometry: withGeom, Scope: scopeOf(c),
		Limit: p.intv("limit", 0, maxLimit), Offset: p.intv("offset", 0, 0),
	}
	if p.err != nil {
		return p.err
	}
	ctx := c.Request().Context()
	rs, n, err := s.Regions.FindRegions(ctx, f)
	if err != nil {
		return err
	}
	if !labels {
		return c.JSON(http.StatusOK, newCollection(rs, n, regionFeature))
	}
	pts, err := s.labelPoints(ctx, f, rs)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newCollection(rs, n, func(r *skygrid.Region) *geojson.Feature {
		f := regionFeature(r)
		lp := pts[r.ID]
		f.Properties["label_point"] = []float64{round6(lp[0]), round6(lp[1])}
		return f
	}))
}

// labelPoints are the label points of the regions rs that the filter f
// found: from the cache at the regions' version, the ones missing from
// their outlines (read again when f left them out).
func (s *Server) labelPoints(ctx context.Context, f skygrid.RegionFilter, rs []*skygrid.Region) (map[string]orb.Point, error) {
	version := int64(-1) // no layer versions: nothing kept
	if s.Layers != nil {
		vs, err := s.Layers.LayerVersions(ctx)
		if err != nil {
			return nil, err
		}
		version = vs[skygrid.LayerRegions]
	}
	pts, missing := s.labels.get(version, rs)
	if len(missing) == 0 {
		return pts, nil
	}
	withGeom := rs
	if !f.WithGeometry {
		var err error
		if withGeom, _, err = s.Regions.FindRegions(ctx, skygrid.RegionFilter{IDs: missing, WithGeometry: true}); err != nil {
			return nil, err
		}
	}
	for _, r := range withGeom {
		if _, ok := pts[r.ID]; !ok {
			pts[r.ID] = geo.LabelPoint(r.Geometry)
		}
	}
	s.labels.put(version, pts)
	return pts, nil
}

// WarmLabels computes the label points of the cities, counties and
// townships (the names the map asks for as it opens) into the cache, as
// the server starts: a province's first map after a start waited 1.5-2.7
// s for them. The grids' are computed when a map comes close.
func (s *Server) WarmLabels(ctx context.Context) error {
	if s.Regions == nil {
		return nil
	}
	for _, level := range []string{skygrid.LevelCity, skygrid.LevelCounty, skygrid.LevelTownship} {
		f := skygrid.RegionFilter{Level: &level, WithGeometry: true}
		rs, _, err := s.Regions.FindRegions(ctx, f)
		if err != nil {
			return fmt.Errorf("label points of the %s regions: %w", level, err)
		}
		if _, err := s.labelPoints(ctx, f, rs); err != nil {
			return fmt.Errorf("label points of the %s regions: %w", level, err)
		}
	}
	return nil
}

// labelCache keeps the regions' label points at the regions' layer
// version: computed at every map opened, a province's 1,200 townships
// took 0.9 s of a core.
type labelCache struct {
	mu      sync.Mutex
	version int64
	pts     map[string]orb.Point
}

// get is the kept points of rs at version, and the ids of those missing.
func (l *labelCache) get(version int64, rs []*skygrid.Region) (map[string]orb.Point, []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	pts, missing := make(map[string]orb.Point, len(rs)), []string{}
	for _, r := range rs {
		if p, ok := l.pts[r.ID]; ok && l.version == version && version >= 0 {
			pts[r.ID] = p
		} else {
			missing = append(missing, r.ID)
		}
	}
	return pts, missing
}

// put keeps pts at version (the points of another version are dropped).
func (l *labelCache) put(version int64, pts map[string]orb.Point) {
	if version < 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pts == nil || l.version != version {
		l.pts, l.version = map[string]orb.Point{}, version
	}
	for id, p := range pts {
		l.pts[id] = p
	}
}

// round6 rounds a coordinate to 6 decimals (0.1 m).
func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

// GET /api/regions/:id
func (s *Server) handleRegion(c echo.Context) error {
	id := c.Param("id")
	if sc := scopeOf(c); !sc.All {
		_, n, err := s.Regions.FindRegions(c.Request().Context(), skygrid.RegionFilter{ID: &id, Scope: sc})
		if err != nil {
			return err
		}
		if n == 0 {
			return forbidden("region " + id)
		}
	}
	r, err := s.Regions.FindRegionByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, regionFeature(r))
}
