package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"skygrid"
	"skygrid/store"

	"github.com/paulmach/orb"
)

// sitesDB holds two counties side by side, X (113.0-113.2) and Y
// (113.2-113.4), a township in the west half of X, and sites in and
// between them; it returns the sites' ids by external id.
func sitesDB(t *testing.T) (*store.DB, map[string]int64) {
	t.Helper()
	db := MustOpenDB(t)
	ctx := context.Background()
	if err := db.ImportRegions(ctx, []*skygrid.Region{
		{ID: "140201", Name: "X县", Level: skygrid.LevelCounty, Geometry: square(113.1, 40, 0.1), AreaKm2: 1},
		{ID: "140202", Name: "Y县", Level: skygrid.LevelCounty, Geometry: square(113.3, 40, 0.1), AreaKm2: 1},
		{ID: "140201001", Name: "X镇", Level: skygrid.LevelTownship, ParentID: "140201",
			Geometry: orb.MultiPolygon{{{{113.0, 39.9}, {113.1, 39.9}, {113.1, 40.1}, {113.0, 40.1}, {113.0, 39.9}}}}, AreaKm2: 1},
	}); err != nil {
		t.Fatal(err)
	}
	big := map[string]string{skygrid.AttrVideo: "no"} // a construction site of 5000 m² without video: a violation
	var sites []*skygrid.Site
	for _, s := range []struct {
		id, kind  string
		lon, half float64
		violation bool
	}{
		{"x-west-1", skygrid.SiteConstruction, 113.05, 0.001, true},
		{"x-west-2", skygrid.SiteStockpile, 113.06, 0.001, false},
		{"x-east-1", skygrid.SiteConstruction, 113.15, 0.001, false},
		{"x-east-2", skygrid.SiteConstruction, 113.16, 0.001, true},
		// Its bounds reach into X, its centre is in Y.
		{"y-across", skygrid.SiteConstruction, 113.22, 0.05, false},
		{"y-1", skygrid.SiteStockpile, 113.3, 0.001, false},
		{"outside", skygrid.SiteConstruction, 113.6, 0.001, true},
	} {
		st := &skygrid.Site{Kind: s.kind, ExternalID: s.id, Name: s.id + "（示例）", Geometry: square(s.lon, 40, s.half), AreaM2: 100}
		if s.violation {
			st.AreaM2, st.Attrs = 6000, big
		}
		sites = append(sites, st)
	}
	if _, err := db.ImportSites(ctx, sites, nil); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, s := range sites {
		ids[s.ExternalID] = s.ID
	}
	return db, ids
}

// The store keeps a scoped user's sites (by the centre of their bounds)
// and pages them: the total counts the user's sites only.
func TestFindSitesInScope(t *testing.T) {
	db, ids := sitesDB(t)
	official := skygrid.ScopeOf(&skygrid.User{Role: skygrid.RoleOfficial, Regions: []string{"140201"}})
	township := skygrid.ScopeOf(&skygrid.User{Role: skygrid.RoleOfficial, Regions: []string{"140201001"}})
	both := skygrid.Scope{Regions: []string{"140202", "140201001"}}
	construction, yes, no := skygrid.SiteConstruction, true, false
	for _, tc := range []struct {
		name  string
		f     skygrid.SiteFilter
		want  []string
		total int
	}{
		{"no scope: every site", skygrid.SiteFilter{}, []string{"x-west-1", "x-west-2", "x-east-1", "x-east-2", "y-across", "y-1", "outside"}, 7},
		{"city-wide", skygrid.SiteFilter{Scope: &skygrid.Scope{All: true}}, []string{"x-west-1", "x-west-2", "x-east-1", "x-east-2", "y-across", "y-1", "outside"}, 7},
		{"a county's official", skygrid.SiteFilter{Scope: &official}, []string{"x-west-1", "x-west-2", "x-east-1", "x-east-2"}, 4},
		{"a township's official", skygrid.SiteFilter{Scope: &township}, []string{"x-west-1", "x-west-2"}, 2},
		{"a county and another's township", skygrid.SiteFilter{Scope: &both}, []string{"x-west-1", "x-west-2", "y-across", "y-1"}, 4},
		{"kind", skygrid.SiteFilter{Scope: &official, Kind: &construction}, []string{"x-west-1", "x-east-1", "x-east-2"}, 3},
		{"violations", skygrid.SiteFilter{Scope: &official, Violation: &yes}, []string{"x-west-1", "x-east-2"}, 2},
		{"no violation", skygrid.SiteFilter{Scope: &official, Violation: &no}, []string{"x-west-2", "x-east-1"}, 2},
		{"first page", skygrid.SiteFilter{Scope: &official, Limit: 3}, []string{"x-west-1", "x-west-2", "x-east-1"}, 4},
		{"second page", skygrid.SiteFilter{Scope: &official, Limit: 3, Offset: 3}, []string{"x-east-2"}, 4},
		{"past the end", skygrid.SiteFilter{Scope: &official, Limit: 3, Offset: 9}, nil, 4},
		{"a search in scope, best match first", skygrid.SiteFilter{Scope: &both, Search: ptr("y-1")}, []string{"y-1"}, 1},
		{"a search in scope", skygrid.SiteFilter{Scope: &official, Search: ptr("east")}, []string{"x-east-1", "x-east-2"}, 2},
		{"one site in scope", skygrid.SiteFilter{Scope: &official, ID: ptr(ids["x-east-1"])}, []string{"x-east-1"}, 1},
		{"one site out of scope", skygrid.SiteFilter{Scope: &official, ID: ptr(ids["y-1"])}, nil, 0},
		{"a scoped user without regions", skygrid.SiteFilter{Scope: &skygrid.Scope{}}, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ss, n, err := db.FindSites(context.Background(), tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range ss {
				got = append(got, s.ExternalID)
			}
			if !slices.Equal(got, tc.want) || n != tc.total {
				t.Errorf("got %v of %d, want %v of %d", got, n, tc.want, tc.total)
			}
		})
	}
	gone := skygrid.Scope{Regions: []string{"149999"}}
	if _, _, err := db.FindSites(context.Background(), skygrid.SiteFilter{Scope: &gone}); skygrid.ErrorCode(err) != skygrid.ENOTFOUND {
		t.Errorf("a scope whose region is gone: %v, want not found", err)
	}
}

// ImportSites stores a file of any length (more sites than one statement
// takes) site by site as before: each gets its stored id, its violation
// and bounds; a known kind and id is updated, not counted new (the same
// id under another kind is another site); a kind and id given twice is
// stored once, as the later one.
func TestImportSitesInChunks(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	big := map[string]string{skygrid.AttrVideo: "no"}
	list := func(from, to int, kind string) []*skygrid.Site {
		var out []*skygrid.Site
		for i := from; i < to; i++ {
			s := &skygrid.Site{Kind: kind, ExternalID: fmt.Sprintf("S%04d", i), Name: fmt.Sprintf("工地%d（示例）", i),
				Geometry: square(113+float64(i)/1000, 40, 0.0004), AreaM2: 100}
			if i%3 == 0 {
				s.AreaM2, s.Attrs = 6000, big
			}
			out = append(out, s)
		}
		return out
	}
	check := func(sites []*skygrid.Site) {
		t.Helper()
		for _, s := range sites {
			got, err := db.FindSiteByID(ctx, s.ID)
			if err != nil || got.Kind != s.Kind || got.ExternalID != s.ExternalID || got.Name != s.Name || got.Violation != s.Violation {
				t.Fatalf("%s %s: stored as %d: %+v, %v", s.Kind, s.ExternalID, s.ID, got, err)
			}
			if s.Kind == skygrid.SiteConstruction && s.Violation == "" && s.AreaM2 > 5000 {
				t.Fatalf("%s: a large site without video found no violation", s.ExternalID)
			}
		}
	}
	first := list(0, 1100, skygrid.SiteConstruction)
	if n, err := db.ImportSites(ctx, first, nil); err != nil || n != 1100 {
		t.Fatalf("import: %d new, %v", n, err)
	}
	check(first)
	again := append(list(600, 1300, skygrid.SiteConstruction), list(0, 10, skygrid.SiteStockpile)...)
	if n, err := db.ImportSites(ctx, again, nil); err != nil || n != 210 {
		t.Fatalf("import again: %d new, want 200 construction sites and 10 stockpiles (%v)", n, err)
	}
	check(again)
	if again[0].ID != first[600].ID {
		t.Errorf("S0600 updated under a new id %d (was %d)", again[0].ID, first[600].ID)
	}
	// An import that gives a kind and id twice (as some OpenStreetMap
	// extracts do) stores the later one, counted once, both given its id.
	twice := list(2000, 2003, skygrid.SiteConstruction)
	twice = append(twice, list(2001, 2002, skygrid.SiteConstruction)...)
	twice[3].Name = "后一个（示例）"
	if n, err := db.ImportSites(ctx, twice, nil); err != nil || n != 3 {
		t.Fatalf("a site given twice: %d new, want 3 (%v)", n, err)
	}
	if twice[1].ID != twice[3].ID || twice[1].ID == 0 {
		t.Errorf("S2001 given twice: ids %d and %d", twice[1].ID, twice[3].ID)
	}
	check(twice[2:])
	kind := skygrid.SiteConstruction
	if _, n, err := db.FindSites(ctx, skygrid.SiteFilter{Kind: &kind}); err != nil || n != 1303 {
		t.Errorf("%d construction sites, want 1303 (%v)", n, err)
	}
}
