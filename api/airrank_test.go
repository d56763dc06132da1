package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/airdata"
	"skygrid/airindex"
	"skygrid/api"

	"github.com/paulmach/orb"
)

// newRankServer serves Datong's counties and six stations with invented
// hours (示例) for November 2026, the clock at 5 December 2026 (December
// ranks nobody yet), and the ranking when rank is set.
func newRankServer(t *testing.T, rank bool) (*lightServer, *airindex.Ranking) {
	t.Helper()
	now := time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC)
	ls := newLightServer(t, api.Services{AirNearestKm: 30, Now: func() time.Time { return now }})
	file, err := airdata.ReadFile("../airdata/testdata/datong_stations_2018-02-20T07.csv")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := ls.db.ImportAirStations(ctx, file.Stations); err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, skygrid.Beijing)
	var hs []*skygrid.AirHour
	for i, s := range file.Stations {
		for h := 1; h <= 30*24; h++ {
			f := float64(i + h%24)
			hs = append(hs, &skygrid.AirHour{Station: s.Code, Hour: from.Add(time.Duration(h) * time.Hour).UTC(),
				Values: map[string]float64{"pm25": 30 + f, "pm10": 60 + f, "so2": 15, "no2": 30, "co": 0.8, "o3": 60 + f}})
		}
	}
	if _, _, err := ls.db.IngestAirHours(ctx, hs); err != nil {
		t.Fatal(err)
	}
	r := &airindex.Ranking{Source: ls.db, NearestKm: 30}
	if rank {
		ls.srv.AirRanking = r
	}
	grid := &skygrid.Region{ID: "140225-001-001", Name: "示例网格", Level: skygrid.LevelGrid, ParentID: "140225",
		Geometry: orb.MultiPolygon{{{{113.7, 39.7}, {113.72, 39.7}, {113.72, 39.72}, {113.7, 39.72}, {113.7, 39.7}}}}, AreaKm2: 4}
	if err := ls.db.ImportRegions(ctx, []*skygrid.Region{grid}); err != nil {
		t.Fatal(err)
	}
	ls.tokens["supervisor"] = newToken(t, ls.db, "wg", skygrid.RoleSupervisor, grid.ID)
	return ls, r
}

func TestAirRankingAPI(t *testing.T) {
	ls, r := newRankServer(t, true)
	want, err := r.CountyAirRanking(context.Background(), time.Date(2026, 11, 1, 0, 0, 0, 0, skygrid.Beijing))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, token string
		status            int
	}{
		{"admin, a month", "/api/air/ranking?month=2026-11", "admin", 200},
		{"an official", "/api/air/ranking?month=2026-11", "official", 200},
		{"no month: December ranks nobody, November", "/api/air/ranking", "admin", 200},
		{"the public, no login", "/public/api/ranking", "", 200},
		{"a supervisor", "/api/air/ranking?month=2026-11", "supervisor", 403},
		{"no login", "/api/air/ranking?month=2026-11", "", 401},
		{"not a month", "/api/air/ranking?month=2026-13", "admin", 400},
		{"public, not a month", "/public/api/ranking?month=11", "", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := getCode(t, ls.srv.URL()+tt.path, ls.tokens[tt.token])
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, body)
			}
			if status != 200 {
				return
			}
			var got api.AirRankingAnswer
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if got.Month != "2026-11" || !reflect.DeepEqual(got.Counties, rankJSON(t, want)) {
				t.Fatalf("month %s, counties differ from the service's:\n%s", got.Month, body)
			}
		})
	}
	// Datong's six stations all stand in 平城区 (by the Tianditu
	// boundaries): ranked on its own; 新荣区, 云冈区 and 云州区 from the
	// stations within 30 km; the six far counties from the city's.
	kinds := map[string]int{}
	for _, c := range want {
		if c.Rank == 0 || c.Index == nil {
			t.Errorf("%s not ranked: %s", c.CountyName, c.Note)
		}
		switch {
		case !c.Estimated && c.Note == "" && len(c.Stations) == 6:
			kinds["own"]++
		case strings.Contains(c.Note, "按30公里内的站点"):
			kinds["nearest"]++
		case strings.Contains(c.Note, "按全市站点") && len(c.Stations) == 6:
			kinds["city"]++
		default:
			t.Errorf("%s: estimated %v from %v: %q", c.CountyName, c.Estimated, c.Stations, c.Note)
		}
	}
	if len(want) != 10 || kinds["own"] != 1 || kinds["nearest"] != 3 || kinds["city"] != 6 {
		t.Fatalf("%d counties: %v", len(want), kinds)
	}
}

// The monthly report has the air ranking beside the straw-burning one,
// with the service's figures.
func TestMonthlyReportAirSection(t *testing.T) {
	ls, r := newRankServer(t, true)
	want, err := r.CountyAirRanking(context.Background(), time.Date(2026, 11, 1, 0, 0, 0, 0, skygrid.Beijing))
	if err != nil {
		t.Fatal(err)
	}
	status, page := getCode(t, ls.srv.URL()+"/api/reports/monthly?month=2026-11", ls.tokens["admin"])
	if status != 200 {
		t.Fatalf("status %d: %s", status, page)
	}
	row := fmt.Sprintf(`<td class="center">1</td><td class="center">平城区</td><td class="num">%.2f</td><td class="num">%.0f</td>`, *want[1].Index, *want[1].PM25)
	if want[1].CountyName != "平城区" || !strings.Contains(string(page), "环境空气质量排名") || !strings.Contains(string(page), row) {
		t.Fatalf("the report lacks %s", row)
	}
}

// Without a ranking service both routes answer 404.
func TestAirRankingNotServed(t *testing.T) {
	ls, _ := newRankServer(t, false)
	for _, path := range []string{"/api/air/ranking?month=2026-11", "/public/api/ranking"} {
		if status, body := getCode(t, ls.srv.URL()+path, ls.tokens["admin"]); status != 404 {
			t.Errorf("%s: %d %s", path, status, body)
		}
	}
}

// getCode GETs url with token ("" none) and returns the status and body.
func getCode(t *testing.T, url, token string) (int, []byte) {
	t.Helper()
	auth := ""
	if token != "" {
		auth = "Bearer " + token
	}
	resp := fetch(t, url, "Authorization", auth)
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// rankJSON is cs through JSON (times and pointers as the answer has them).
func rankJSON(t *testing.T, cs []*skygrid.CountyAir) []*skygrid.CountyAir {
	b, err := json.Marshal(cs)
	if err != nil {
		t.Fatal(err)
	}
	var out []*skygrid.CountyAir
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAirRankingNotesTheProvince: on a province's server a county far
// from every station is estimated from the province's stations, and its
// note says 全省, not 全市.
func TestAirRankingNotesTheProvince(t *testing.T) {
	ls, _ := newRankServer(t, false)
	r := &airindex.Ranking{Source: ls.db, NearestKm: 30, Area: "山西省"}
	cs, err := r.CountyAirRanking(context.Background(), time.Date(2026, 11, 1, 0, 0, 0, 0, skygrid.Beijing))
	if err != nil {
		t.Fatal(err)
	}
	whole := 0
	for _, c := range cs {
		if strings.Contains(c.Note, "全市") {
			t.Errorf("%s: %q", c.CountyName, c.Note)
		}
		if strings.Contains(c.Note, "按全省站点") {
			whole++
		}
	}
	if whole != 6 {
		t.Errorf("%d counties estimated from the province's stations, want 6", whole)
	}
}
