package api

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"

	"skygrid"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Search results: at most maxSearch, searchLimit unless asked.
const (
	searchLimit = 10
	maxSearch   = 50
)

// SearchResult is a place found by GET /api/search.
type SearchResult struct {
	// Kind is city, county, township, grid or site.
	Kind string `json:"kind"`
	// ID is the region id, or the site's id (as a string).
	ID   string `json:"id"`
	Name string `json:"name"`
	// ParentName is the region's parent, or the county a site lies in.
	ParentName string     `json:"parent_name,omitempty"`
	BBox       [4]float64 `json:"bbox"`
	// SiteKind and its Chinese name, for sites.
	SiteKind     string `json:"site_kind,omitempty"`
	SiteKindName string `json:"site_kind_name,omitempty"`
	// Match is how the text matched (skygrid.MatchExact, MatchPrefix, MatchContains).
	Match int `json:"match"`
}

// SearchResults is the body of GET /api/search.
type SearchResults struct {
	Query   string          `json:"query"`
	Results []*SearchResult `json:"results"`
}

func boundBox(b orb.Bound) [4]float64 { return [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} }

// kindOrder puts larger places first: city, county, township, grid, site.
func kindOrder(kind string) int {
	if r := skygrid.LevelRank(kind); r >= 0 {
		return r
	}
	return 4
}

// GET /api/search?q=&limit=: the places in the user's area whose name or
// id holds q (regions of every level and registered sites), best match
// first (exact, prefix, contains), then larger places first.
func (s *Server) handleSearch(c echo.Context) error {
	p := &params{c: c}
	q := p.str("q")
	limit := p.intv("limit", searchLimit, maxSearch)
	if p.err != nil {
		return p.err
	}
	switch {
	case q == nil:
		return skygrid.Errorf(skygrid.EINVALID, "query parameter q: the text to search for is required (a county, township, grid id or site name)")
	case skygrid.LimitSearch.Check(*q) != "":
		return skygrid.Errorf(skygrid.EINVALID, "query parameter q: %s", skygrid.LimitSearch.Check(*q))
	case limit == 0:
		return skygrid.Errorf(skygrid.EINVALID, "query parameter limit: want 1 to %d", maxSearch)
	}
	ctx := c.Request().Context()
	// Each list comes best match first, so the best of both are within
	// the first limit of each.
	rs, _, err := s.Regions.FindRegions(ctx, skygrid.RegionFilter{Search: q, Scope: scopeOf(c), Limit: limit})
	if err != nil {
		return err
	}
	ss, _, err := s.Sites.FindSites(ctx, skygrid.SiteFilter{Search: q, Scope: scopeOf(c), Limit: limit})
	if err != nil {
		return err
	}
	out := make([]*SearchResult, 0, len(rs)+len(ss))
	for _, r := range rs {
		out = append(out, &SearchResult{Kind: r.Level, ID: r.ID, Name: r.Name, ParentName: r.ParentName, BBox: boundBox(r.Bound),
			Match: skygrid.MatchRank(*q, r.Name, r.ID)})
	}
	var counties []*skygrid.Region
	if len(ss) > 0 {
		county := skygrid.LevelCounty
		if counties, _, err = s.Regions.FindRegions(ctx, skygrid.RegionFilter{Level: &county, WithGeometry: true}); err != nil {
			return err
		}
	}
	for _, st := range ss {
		r := &SearchResult{Kind: "site", ID: strconv.FormatInt(st.ID, 10), Name: st.Name, BBox: boundBox(st.Geometry.Bound()),
			SiteKind: st.Kind, SiteKindName: skygrid.SiteKindNames[st.Kind], Match: skygrid.MatchRank(*q, st.Name, st.ExternalID)}
		at := st.Geometry.Bound().Center()
		for _, cty := range counties {
			if cty.Bound.Contains(at) && planar.MultiPolygonContains(cty.Geometry, at) {
				r.ParentName = cty.Name
				break
			}
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b *SearchResult) int {
		return cmp.Or(cmp.Compare(a.Match, b.Match), cmp.Compare(kindOrder(a.Kind), kindOrder(b.Kind)))
	})
	return c.JSON(http.StatusOK, SearchResults{Query: *q, Results: out[:min(limit, len(out))]})
}
