package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/api"
)

// warningReportWorld serves the Datong counties with an orange warning
// for two of them, lifted, and users of each role (an official of one of
// the two, one of a third county); services.Warnings nil when bare.
func warningReportWorld(t *testing.T, bare bool) (url string, id int64, tokens map[string]string, counties, names []string) {
	t.Helper()
	db := datongDB(t)
	ctx := context.Background()
	level := skygrid.LevelCounty
	regions, _, err := db.FindRegions(ctx, skygrid.RegionFilter{Level: &level})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range regions[:3] {
		counties, names = append(counties, r.ID), append(names, r.Name)
	}
	start := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	w, err := db.IssueWarning(ctx, &skygrid.Warning{Level: skygrid.WarningOrange, CountyIDs: counties[:2], Start: start,
		ExpectedEnd: start.Add(72 * time.Hour), Reason: "测试"}, 0, start)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExtendWarning(ctx, w.ID, start.Add(96*time.Hour), 0, start.Add(70*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.LiftWarning(ctx, w.ID, 0, start.Add(80*time.Hour)); err != nil {
		t.Fatal(err)
	}
	tokens = map[string]string{
		"admin": newToken(t, db, "admin", skygrid.RoleAdmin), "auditor": newToken(t, db, "auditor", skygrid.RoleAuditor),
		"official": newToken(t, db, "official", skygrid.RoleOfficial, counties[0]),
		"other":    newToken(t, db, "other", skygrid.RoleOfficial, counties[2]),
	}
	// No audit service: the figures' extensions come from the store's
	// WarningFigures itself (the route once filled them from the audit log).
	sv := api.Services{Regions: db, Tasks: db, Users: db, Stats: db}
	if !bare {
		sv.Warnings = db
	}
	ts := httptest.NewServer(api.NewServer(sv, nil).Handler())
	t.Cleanup(ts.Close)
	return ts.URL, w.ID, tokens, counties, names
}

func getAs(t *testing.T, url, token string) (*http.Response, string) {
	t.Helper()
	resp := fetch(t, url, "Authorization", "Bearer "+token)
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// GET /api/reports/warning/:id: the page for reviewers (an official's
// with the counties of the area in their own only), the figures as JSON,
// refused to an official outside the area.
func TestWarningReportRoute(t *testing.T) {
	url, id, tok, counties, names := warningReportWorld(t, false)
	base := url + "/api/reports/warning/"
	idp := func(n int64) string { return base + strconv.FormatInt(n, 10) }
	for _, tc := range []struct {
		name, user, url string
		status          int
		want, lacks     []string
	}{
		{"admin html", "admin", idp(id) + "?format=html", 200, []string{"<title>大同市重污染天气橙色预警总结报告</title>", "--level: #ff7e00", "<tr><th>解除时间</th><td>2026-12-08 16:00</td></tr>"}, nil},
		{"auditor default html", "auditor", idp(id), 200, []string{"二、分区县情况", `<tr class="total"><td class="center">合计</td>`}, nil},
		{"the extension, from the store's figures", "admin", idp(id), 200, []string{"<tr><th>延长</th><td>", "延长：预计结束由 2026-12-08 08:00 改为 2026-12-09 08:00"}, nil},
		{"official: own county only", "official", idp(id), 200, []string{`<td class="center">` + names[0] + "</td>"}, []string{`<td class="center">` + names[1] + "</td>"}},
		{"admin: both counties", "admin", idp(id), 200, []string{`<td class="center">` + names[0] + "</td>", `<td class="center">` + names[1] + "</td>"}, nil},
		{"official outside the area", "other", idp(id), 403, nil, nil},
		{"unknown warning", "admin", idp(id + 100), 404, nil, nil},
		{"bad format", "admin", idp(id) + "?format=pdf", 400, nil, nil},
		{"bad id", "admin", base + "x", 400, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := getAs(t, tc.url, tok[tc.user])
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if tc.status == 200 && (!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'")) {
				t.Errorf("content type %q, CSP %q: want the report's own page", resp.Header.Get("Content-Type"), resp.Header.Get("Content-Security-Policy"))
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("the page lacks %q", w)
				}
			}
			for _, l := range tc.lacks {
				if strings.Contains(body, l) {
					t.Errorf("the page has %q", l)
				}
			}
		})
	}
	resp, body := getAs(t, idp(id)+"?format=json", tok["official"])
	var f skygrid.WarningFigures
	if err := json.Unmarshal([]byte(body), &f); resp.StatusCode != 200 || err != nil {
		t.Fatalf("json: %d %v: %s", resp.StatusCode, err, body)
	}
	if len(f.Counties) != 1 || f.Counties[0].CountyID != counties[0] || f.Warning.Level != skygrid.WarningOrange {
		t.Errorf("the official's figures: %+v, want only %s", f.Counties, counties[0])
	}
	_, all := getAs(t, idp(id)+"?format=json", tok["admin"])
	if err := json.Unmarshal([]byte(all), &f); err != nil || len(f.Counties) != 2 {
		t.Errorf("the admin's figures: %d counties (%v), want the two of the area", len(f.Counties), err)
	}
}

// Without a warning service the route answers 404, as the others do.
func TestWarningReportRouteWithoutService(t *testing.T) {
	url, id, tok, _, _ := warningReportWorld(t, true)
	if resp, body := getAs(t, url+"/api/reports/warning/"+strconv.FormatInt(id, 10), tok["admin"]); resp.StatusCode != 404 {
		t.Errorf("status %d, want 404: %s", resp.StatusCode, body)
	}
}

// The warning report prints on one A4 page with Chromium (the browser's
// print to PDF) when its area has no listed site.
func TestWarningReportPrints(t *testing.T) {
	url, id, tok, _, _ := warningReportWorld(t, false)
	resp, body := getAs(t, url+"/api/reports/warning/"+strconv.FormatInt(id, 10), tok["admin"])
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if n := printPDF(t, []byte(body)); n != 1 {
		t.Errorf("%d pages, want 1", n)
	}
}
