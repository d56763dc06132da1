package api_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// The registries carry the county each site is in, and export as a CSV
// for Excel (a BOM, Chinese headers and values) with the list's filter,
// kept to the user's area.
func TestSitesCountyAndExport(t *testing.T) {
	w := newWorld(t)
	var list struct {
		Features []struct {
			Props map[string]any `json:"properties"`
		} `json:"features"`
	}
	if st := w.do(t, "admin", "GET", "/api/sites?kind=construction", nil, &list); st != 200 || len(list.Features) != 2 {
		t.Fatalf("sites: %d, %d", st, len(list.Features))
	}
	rA, _ := w.db.FindRegionByID(t.Context(), w.countyA)
	rB, _ := w.db.FindRegionByID(t.Context(), w.countyB)
	for i, want := range []string{rA.Name, rB.Name} {
		if p := list.Features[i].Props; p["county_name"] != want || p["county_id"] != []string{w.countyA, w.countyB}[i] {
			t.Errorf("site %v: county %v %v, want %s", p["name"], p["county_id"], p["county_name"], want)
		}
	}
	for _, tc := range []struct {
		name, user, query string
		want              []string // the sites' counties, in order
	}{
		{"admin, all", "admin", "", []string{rA.Name, rB.Name}},
		{"admin, construction violations", "admin", "?kind=construction&violation=true", []string{rA.Name, rB.Name}},
		{"admin, compliant only", "admin", "?violation=false", nil},
		{"admin, stockpiles", "admin", "?kind=stockpile", nil},
		{"official A: own county", "officialA", "?kind=construction", []string{rA.Name}},
		{"supervisor B: own grid", "supervisorB", "", []string{rB.Name}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, rows := w.sitesCSV(t, tc.user, "/api/exports/sites.csv"+tc.query)
			checkSitesCSV(t, resp, rows, tc.want)
		})
	}
	if resp, _ := w.sitesCSV(t, "admin", "/api/exports/sites.csv?kind=shop"); resp.StatusCode != 400 {
		t.Errorf("unknown kind: %d", resp.StatusCode)
	}
}

// sitesCSV gets a sites export as a user and reads it as CSV (for a 200).
func (w *world) sitesCSV(t *testing.T, user, u string) (*http.Response, [][]string) {
	t.Helper()
	rq, _ := http.NewRequest("GET", w.srv.URL+u, nil)
	rq.Header.Set("Authorization", "Bearer "+w.tokens[user])
	resp, err := http.DefaultClient.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return resp, nil
	}
	if !bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		t.Errorf("%s: no BOM: %.20q", u, b)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", u, err)
	}
	return resp, rows
}

// checkSitesCSV: a CSV with Chinese headers and values, the sites of the
// counties wanted, in order.
func checkSitesCSV(t *testing.T, resp *http.Response, rows [][]string, want []string) {
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if ct, cd := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(cd, ".csv") {
		t.Errorf("Content-Type %q, Content-Disposition %q", ct, cd)
	}
	head := rows[0]
	for _, h := range []string{"名称", "类型", "所在区县", "面积（m²）", "违规情况"} {
		if !slices.Contains(head, h) {
			t.Errorf("header %v lacks %s", head, h)
		}
	}
	if len(want) > 0 && !slices.Contains(head, "视频监控") {
		t.Errorf("construction sites without the video column: %v", head)
	}
	county, video := slices.Index(head, "所在区县"), slices.Index(head, "视频监控")
	var got []string
	for _, r := range rows[1:] {
		got = append(got, r[county])
		if r[video] != "未安装" || r[slices.Index(head, "类型")] != "工地" || !strings.Contains(r[slices.Index(head, "违规情况")], "视频") {
			t.Errorf("row %v: want values in Chinese", r)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("sites' counties %v, want %v", got, want)
	}
}
