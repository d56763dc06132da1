package api_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"skygrid"
	"skygrid/report"
)

// printPDF prints a page with Debian's Chromium as `chromium --headless
// --print-to-pdf` does and returns its number of pages (pdfinfo).
func printPDF(t *testing.T, html []byte) int {
	t.Helper()
	for _, tool := range []string{"/usr/bin/chromium", "/usr/bin/pdfinfo"} {
		if _, err := os.Stat(tool); err != nil {
			t.Fatalf("%s not found: install chromium and poppler-utils (make deps)", tool)
		}
	}
	dir := t.TempDir()
	page, pdf := filepath.Join(dir, "monthly.html"), filepath.Join(dir, "monthly.pdf")
	if err := os.WriteFile(page, html, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--no-pdf-header-footer", "--user-data-dir="+filepath.Join(dir, "profile"), "--print-to-pdf="+pdf, "file://"+page)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	info, err := exec.CommandContext(ctx, "/usr/bin/pdfinfo", pdf).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo: no page count:\n%s", info)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// The October 2023 report (the Datong counties, 3 km grids, the real
// NOAA-20 detections) prints on as few A4 pages as its content needs, and
// no two labels of its charts overlap: the city's report (summary and
// the ranking of ten counties on the first page, the three charts and the
// confirmed list on the second) and one county's (an official's).
func TestMonthlyReportOctober2023Prints(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		name     string
		scope    *skygrid.Scope
		maxPages int
	}{
		{"city", nil, 2},
		{"浑源县", &skygrid.Scope{Regions: []string{w.countyA}}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := report.BuildMonthly(context.Background(), w.db, tc.scope, "2023-10", *w.clock, true)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := report.RenderMonthly(&buf, m); err != nil {
				t.Fatal(err)
			}
			problems, labels, err := report.LabelProblems(buf.String())
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range problems {
				t.Error(p)
			}
			if labels < 10 {
				t.Errorf("only %d chart labels", labels)
			}
			if n := printPDF(t, buf.Bytes()); n > tc.maxPages {
				t.Errorf("%d pages, want at most %d", n, tc.maxPages)
			} else {
				t.Logf("%d pages, %d chart labels", n, labels)
			}
		})
	}
}

// The statistics say when no detection at all is stored for a period, so
// that a year-ago of zeros reads 去年无数据, not a change from 0.
func TestStatsSayWhenNoDataIsStored(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		period            string
		noData, agoNoData bool
	}{
		{"2023-10", false, true},
		{"2024-10", true, false},
		{"2023-W43", false, true},
		{"2022-10", true, true},
	} {
		t.Run(tc.period, func(t *testing.T) {
			var body struct{ Stats *skygrid.Stats }
			for _, user := range []string{"auditor", "officialA"} {
				if st := w.do(t, user, "GET", "/api/stats?period="+tc.period, nil, &body); st != 200 {
					t.Fatalf("%s: %d", user, st)
				}
				if body.Stats.NoData != tc.noData || body.Stats.YearAgo.NoData != tc.agoNoData {
					t.Errorf("%s: no_data %v, year ago %v; want %v, %v", user, body.Stats.NoData, body.Stats.YearAgo.NoData, tc.noData, tc.agoNoData)
				}
			}
		})
	}
}
