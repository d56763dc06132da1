package api_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"skygrid"
	"skygrid/geo"
)

type searchResults struct {
	Query   string `json:"query"`
	Results []struct {
		Kind, ID, Name string
		ParentName     string     `json:"parent_name"`
		BBox           [4]float64 `json:"bbox"`
		SiteKind       string     `json:"site_kind"`
		Match          int        `json:"match"`
	} `json:"results"`
}

// addTownships imports a township in each of the world's two counties.
// No real township boundaries are embedded (Tianditu's files stop at the
// county; the demo's townships have real names and codes but invented
// boundaries, groups of its grid cells), and this world has none: these
// are test fixtures, squares of 4 km at the county centres, named 测试甲镇
// (county A) and 测试乙乡 (county B), and a grid in the first.
func (w *world) addTownships(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	var regions []*skygrid.Region
	for _, tc := range []struct{ county, id, name string }{{w.countyA, w.countyA + "100", "测试甲镇"}, {w.countyB, w.countyB + "100", "测试乙乡"}} {
		cty, err := w.db.FindRegionByID(ctx, tc.county)
		if err != nil {
			t.Fatal(err)
		}
		regions = append(regions, &skygrid.Region{ID: tc.id, Name: tc.name, Level: skygrid.LevelTownship, ParentID: tc.county,
			Geometry: geo.Rect(geo.Centroid(cty.Geometry), 4000, 4000)})
	}
	regions = append(regions, &skygrid.Region{ID: w.countyA + "100-001", Name: "测试甲镇 1号网格", Level: skygrid.LevelGrid,
		ParentID: w.countyA + "100", Geometry: geo.Rect(geo.Centroid(regions[0].Geometry), 1000, 1000)})
	if err := w.db.ImportRegions(ctx, regions); err != nil {
		t.Fatal(err)
	}
	if err := w.db.ImportSupervisors(ctx, []*skygrid.Supervisor{{GridID: w.countyA + "100-001", Name: "测试网格员"}}); err != nil {
		t.Fatal(err)
	}
}

func (w *world) search(t *testing.T, user, q string, extra ...string) searchResults {
	t.Helper()
	var r searchResults
	u := "/api/search?q=" + url.QueryEscape(q) + strings.Join(extra, "")
	if st := w.do(t, user, "GET", u, nil, &r); st != 200 {
		t.Fatalf("%s GET %s: %d", user, u, st)
	}
	// Best match first, then larger places first.
	for i := 1; i < len(r.Results); i++ {
		a, b := r.Results[i-1], r.Results[i]
		order := map[string]int{"city": 0, "county": 1, "township": 2, "grid": 3, "site": 4}
		if a.Match > b.Match || (a.Match == b.Match && order[a.Kind] > order[b.Kind]) {
			t.Errorf("%s %q: result %d (%s %s, match %d) before %d (%s %s, match %d)", user, q, i-1, a.Kind, a.Name, a.Match, i, b.Kind, b.Name, b.Match)
		}
	}
	return r
}

// GET /api/search finds counties, townships, grids (by id or name) and
// sites, best match first, within the user's area; bad input is a 400.
func TestSearch(t *testing.T) {
	w := newWorld(t)
	w.addTownships(t)
	countyB, err := w.db.FindRegionByID(context.Background(), w.countyB)
	if err != nil {
		t.Fatal(err)
	}
	q := searchPlaces{countyB: countyB.Name, siteA: "工地 " + w.gridA, siteB: "工地 " + w.gridB}
	t.Run("admin", func(t *testing.T) { w.searchAsAdmin(t, q) })
	t.Run("official keeps to the county", func(t *testing.T) { w.searchAsOfficial(t, q) })
	t.Run("supervisor keeps to the grid", func(t *testing.T) {
		r := w.search(t, "supervisorA", "浑源县")
		if len(r.Results) != 1 || r.Results[0].ID != w.gridA {
			t.Errorf("supervisorA 浑源县: %+v, want only grid %s", r.Results, w.gridA)
		}
	})
	t.Run("bad input", w.searchBadInput)
}

// searchPlaces are names searched for: county B's, and the sites of grids
// A and B.
type searchPlaces struct{ countyB, siteA, siteB string }

func (w *world) searchAsAdmin(t *testing.T, q searchPlaces) {
	siteA := q.siteA
	r := w.search(t, "admin", "浑源县")
	if len(r.Results) == 0 || r.Results[0].Kind != "county" || r.Results[0].ID != "140225" || r.Results[0].Match != skygrid.MatchExact ||
		r.Results[0].ParentName != "大同市" && r.Results[0].ParentName != "" {
		t.Fatalf("浑源县: %+v", r.Results)
	}
	if b := r.Results[0].BBox; !(b[0] > 113 && b[0] < b[2] && b[2] < 115 && b[1] > 39 && b[1] < b[3] && b[3] < 40.5) {
		t.Errorf("浑源县 bbox %v", b)
	}
	// A prefix: the county first, then its grids (named 浑源县 R行C列).
	r = w.search(t, "admin", "浑源", "&limit=5")
	if len(r.Results) != 5 || r.Results[0].ID != "140225" || r.Results[1].Kind != "grid" || r.Results[1].ParentName != "浑源县" {
		t.Errorf("浑源: %+v", r.Results)
	}
	r = w.search(t, "admin", "测试甲")
	if len(r.Results) != 2 || r.Results[0].Kind != "township" || r.Results[0].Name != "测试甲镇" || r.Results[0].ParentName != "浑源县" ||
		r.Results[1].Kind != "grid" || r.Results[1].ParentName != "测试甲镇" {
		t.Errorf("测试甲 (a township and its grid): %+v", r.Results)
	}
	r = w.search(t, "admin", w.gridA)
	if len(r.Results) == 0 || r.Results[0].Kind != "grid" || r.Results[0].ID != w.gridA || r.Results[0].Match != skygrid.MatchExact ||
		r.Results[0].ParentName != "浑源县" {
		t.Errorf("grid %s: %+v", w.gridA, r.Results)
	}
	r = w.search(t, "admin", siteA)
	if len(r.Results) != 1 || r.Results[0].Kind != "site" || r.Results[0].Name != siteA || r.Results[0].SiteKind != skygrid.SiteConstruction ||
		r.Results[0].ParentName != "浑源县" || r.Results[0].BBox[0] == 0 {
		t.Errorf("site %s: %+v", siteA, r.Results)
	}
	r = w.search(t, "admin", q.countyB)
	if len(r.Results) == 0 || r.Results[0].ID != w.countyB {
		t.Errorf("%s: %+v", q.countyB, r.Results)
	}
	// LIKE's wildcards are text.
	for _, q := range []string{"%", "_", `\`} {
		if r := w.search(t, "admin", q); len(r.Results) != 0 {
			t.Errorf("%q finds %d places", q, len(r.Results))
		}
	}
}

func (w *world) searchAsOfficial(t *testing.T, q searchPlaces) {
	siteA, siteB := q.siteA, q.siteB
	if r := w.search(t, "officialA", "测试乙"); len(r.Results) != 0 {
		t.Errorf("officialA finds another county's township: %+v", r.Results)
	}
	if r := w.search(t, "officialA", q.countyB); len(r.Results) != 0 {
		t.Errorf("officialA finds %s: %+v", q.countyB, r.Results)
	}
	r := w.search(t, "officialA", "测试")
	if len(r.Results) != 2 || r.Results[0].Name != "测试甲镇" {
		t.Errorf("officialA 测试: %+v", r.Results)
	}
	r = w.search(t, "officialA", "工地")
	if len(r.Results) != 1 || r.Results[0].Name != siteA {
		t.Errorf("officialA 工地: %+v, want only %s", r.Results, siteA)
	}
	if r := w.search(t, "officialA", siteB); len(r.Results) != 0 {
		t.Errorf("officialA finds another county's site: %+v", r.Results)
	}
	if r := w.search(t, "officialB", "测试乙"); len(r.Results) != 1 || r.Results[0].Kind != "township" {
		t.Errorf("officialB 测试乙: %+v", r.Results)
	}
}

func (w *world) searchBadInput(t *testing.T) {
	for _, tc := range []struct{ query, want string }{
		{"", "q: the text to search for is required"},
		{"?q=%20%20", "q: the text to search for is required"},
		{"?q=" + url.QueryEscape(strings.Repeat("浑", 51)), "q: at most 50 characters"},
		{"?q=x&limit=0", "limit: want 1 to 50"},
		{"?q=x&limit=51", "limit: at most 50"},
		{"?q=x&limit=ten", "limit: want a whole number"},
	} {
		var eb errorBody
		if st := w.do(t, "admin", "GET", "/api/search"+tc.query, nil, &eb); st != 400 || eb.Error.Code != "invalid" || !strings.Contains(eb.Error.Message, tc.want) {
			t.Errorf("GET /api/search%s: %d %q, want 400 %q", tc.query, st, eb.Error.Message, tc.want)
		}
	}
	if st := w.do(t, "", "GET", "/api/search?q=浑源县", nil, nil); st != 401 {
		t.Errorf("without a session: %d", st)
	}
}

// Tasks and events carry their place's names, also for a task whose
// grid lies in a township.
func TestPlaceNames(t *testing.T) {
	w := newWorld(t)
	w.addTownships(t)
	task := w.taskIn(t, w.gridA)
	var v taskView
	if st := w.do(t, "supervisorA", "GET", fmt.Sprintf("/api/tasks/%d", task.ID), nil, &v); st != 200 ||
		v.CountyID != "140225" || v.CountyName != "浑源县" || v.GridName == "" || !strings.HasPrefix(v.GridName, "浑源县 ") || v.TownshipName != "" {
		t.Errorf("task %d: %d county %q %q, grid %q, township %q", task.ID, st, v.CountyID, v.CountyName, v.GridName, v.TownshipName)
	}
	var tl taskList
	w.do(t, "officialA", "GET", "/api/tasks?limit=50000", nil, &tl)
	for _, tk := range tl.Tasks {
		if tk.CountyName != "浑源县" {
			t.Fatalf("listed task %d: county %s %q", tk.ID, tk.CountyID, tk.CountyName)
		}
	}
	var fcol struct {
		Features []struct {
			Props map[string]any `json:"properties"`
		} `json:"features"`
	}
	w.do(t, "officialA", "GET", "/api/events?county=140225&limit=5", nil, &fcol)
	if len(fcol.Features) == 0 {
		t.Fatal("no events in 浑源县")
	}
	for _, f := range fcol.Features {
		if f.Props["county_name"] != "浑源县" || (f.Props["grid_id"] != "" && f.Props["grid_name"] == "") {
			t.Errorf("event %v: county_name %v, grid %v %v", f.Props["id"], f.Props["county_name"], f.Props["grid_id"], f.Props["grid_name"])
		}
	}
	// Reassigned to a grid of a township: the township's and its county's names.
	grid := w.countyA + "100-001"
	if st := w.do(t, "officialA", "POST", fmt.Sprintf("/api/tasks/%d/reassign", task.ID), map[string]any{"grid_id": grid}, &v); st != 200 {
		t.Fatalf("reassign to %s: %d", grid, st)
	}
	if v.GridName != "测试甲镇 1号网格" || v.TownshipName != "测试甲镇" || v.CountyName != "浑源县" || v.TownshipID != w.countyA+"100" {
		t.Errorf("after reassign: grid %q, township %s %q, county %q", v.GridName, v.TownshipID, v.TownshipName, v.CountyName)
	}
}
