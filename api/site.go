package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"skygrid"
	"skygrid/report"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb/geojson"
)

func siteFeature(st *skygrid.Site) *geojson.Feature {
	f := geojson.NewFeature(st.Geometry)
	f.ID = st.ID
	b := st.Geometry.Bound()
	f.BBox = geojson.BBox{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	f.Properties = geojson.Properties{"id": st.ID, "kind": st.Kind, "kind_name": skygrid.SiteKindNames[st.Kind],
		"external_id": st.ExternalID, "name": st.Name, "violation": st.Violation, "source": st.Source}
	if st.AreaM2 > 0 {
		f.Properties["area_m2"] = st.AreaM2
	}
	if st.Violation != "" {
		f.Properties["violation_name"] = skygrid.ViolationNames[st.Violation]
	}
	if len(st.Attrs) > 0 {
		f.Properties["attrs"] = st.Attrs
	}
	if len(st.Props) > 0 {
		f.Properties["props"] = st.Props
	}
	if st.CountyID != "" {
		f.Properties["county_id"], f.Properties["county_name"] = st.CountyID, st.CountyName
	}
	return f
}

// siteFilter reads ?kind=&bbox=&violation=true|false&limit=&offset=; the
// sites come with their county, kept to the user's area (the store pages
// them).
func siteFilter(c echo.Context, defLimit int) (skygrid.SiteFilter, error) {
	p := &params{c: c}
	f := skygrid.SiteFilter{
		Kind: p.oneOf("kind", skygrid.SiteKinds), Bbox: p.bbox("bbox"), WithCounty: true, Scope: scopeOf(c),
		Limit: p.intv("limit", defLimit, maxLimit), Offset: p.intv("offset", 0, 0),
	}
	if p.str("violation") != nil {
		v := p.boolv("violation", false)
		f.Violation = &v
	}
	return f, p.err
}

// GET /api/sites?kind=&bbox=&violation=true|false&limit=&offset=
func (s *Server) handleSites(c echo.Context) error {
	f, err := siteFilter(c, defaultLimit)
	if err != nil {
		return err
	}
	ss, n, err := s.Sites.FindSites(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newCollection(ss, n, siteFeature))
}

// GET /api/exports/sites.csv?kind=&violation=true|false&bbox=: the
// registries as listed (every role, kept to the user's area), for Excel:
// Chinese headers and values, UTF-8 with a BOM.
func (s *Server) handleSitesExport(c echo.Context) error {
	f, err := siteFilter(c, 0)
	if err != nil {
		return err
	}
	ss, _, err := s.Sites.FindSites(c.Request().Context(), f)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.WriteSitesCSV(&buf, ss); err != nil {
		return err
	}
	kind := "all"
	if f.Kind != nil {
		kind = *f.Kind
	}
	return attachment(c, fmt.Sprintf("skygrid-sites-%s-%s.csv", kind, s.now().In(skygrid.Beijing).Format("20060102")), "text/csv; charset=utf-8", buf.Bytes())
}

// GET /api/sites/:id: a scoped user gets 403 for sites outside their
// area and for ids that do not exist alike.
func (s *Server) handleSite(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return skygrid.Errorf(skygrid.EINVALID, "site id must be a positive whole number, got %q", c.Param("id"))
	}
	sc := scopeOf(c)
	if sc.All {
		st, err := s.Sites.FindSiteByID(c.Request().Context(), id)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, siteFeature(st))
	}
	ss, _, err := s.Sites.FindSites(c.Request().Context(), skygrid.SiteFilter{ID: &id, Scope: sc})
	if err != nil {
		return err
	}
	if len(ss) == 0 {
		return forbidden(fmt.Sprintf("site %d", id))
	}
	return c.JSON(http.StatusOK, siteFeature(ss[0]))
}
