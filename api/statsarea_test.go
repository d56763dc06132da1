package api_test

import (
	"testing"

	"skygrid"
)

// Figures asked for by county of an area finer than a county (here a
// grid) come by the area's level, and the answers say which: the ranking
// was a county's row named after the county for the grid's fires, and
// the audit page and the monthly report called it the county's.
func TestStatsSayTheirLevel(t *testing.T) {
	w := newWorld(t)
	var st struct {
		Stats struct {
			Query struct {
				By string `json:"by"`
			} `json:"query"`
			Areas []*skygrid.AreaStats `json:"areas"`
		} `json:"stats"`
	}
	var rk struct {
		By      string `json:"by"`
		Ranking []struct {
			RegionID   string `json:"region_id"`
			RegionName string `json:"region_name"`
		} `json:"ranking"`
	}
	for _, c := range []struct{ region, by, row string }{{w.gridA, skygrid.ByGrid, w.gridA}, {w.countyA, skygrid.ByCounty, w.countyA}} {
		if code := w.do(t, "auditor", "GET", "/api/stats?period=2023-10&by=county&region="+c.region, nil, &st); code != 200 ||
			st.Stats.Query.By != c.by || len(st.Stats.Areas) != 1 || st.Stats.Areas[0].RegionID != c.row {
			t.Errorf("stats of %s by county: %d, by %q, %d rows; want by %q, one row %s", c.region, code, st.Stats.Query.By, len(st.Stats.Areas), c.by, c.row)
		}
		if code := w.do(t, "auditor", "GET", "/api/stats/ranking?period=2023-10&by=county&region="+c.region, nil, &rk); code != 200 ||
			rk.By != c.by || len(rk.Ranking) != 1 || rk.Ranking[0].RegionID != c.row || rk.Ranking[0].RegionName == "" {
			t.Errorf("ranking of %s by county: %d, by %q, %+v; want by %q, one row %s", c.region, code, rk.By, rk.Ranking, c.by, c.row)
		}
	}
}
