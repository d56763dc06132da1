package api

import (
	"math"
	"net/http"

	"skygrid"
	"skygrid/geo"

	"github.com/labstack/echo/v4"
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
// goes on the map, a point inside it (geo.LabelPoint).
func (s *Server) handleRegions(c echo.Context) error {
	p := &params{c: c}
	withGeom, labels := p.boolv("geometry", true), p.boolv("labels", false)
	f := skygrid.RegionFilter{
		Level:    p.oneOf("level", []string{skygrid.LevelCity, skygrid.LevelCounty, skygrid.LevelTownship, skygrid.LevelGrid}),
		ParentID: p.str("parent"), Bbox: p.bbox("bbox"), WithGeometry: withGeom || labels, Scope: scopeOf(c),
		Limit: p.intv("limit", 0, maxLimit), Offset: p.intv("offset", 0, 0),
	}
	if p.err != nil {
		return p.err
	}
	rs, n, err := s.Regions.FindRegions(c.Request().Context(), f)
	if err != nil {
		return err
	}
	feature := regionFeature
	if labels {
		feature = func(r *skygrid.Region) *geojson.Feature {
			lp := geo.LabelPoint(r.Geometry)
			if !withGeom {
				r.Geometry = nil
			}
			f := regionFeature(r)
			f.Properties["label_point"] = []float64{round6(lp[0]), round6(lp[1])}
			return f
		}
	}
	return c.JSON(http.StatusOK, newCollection(rs, n, feature))
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
