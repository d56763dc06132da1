package skygrid_test

import (
	"os"
	"regexp"
	"testing"
	"time"

	"skygrid"
)

func TestYearBefore(t *testing.T) {
	bj := skygrid.Beijing
	for _, c := range []struct{ in, want time.Time }{
		{time.Date(2024, 2, 29, 0, 0, 0, 0, bj), time.Date(2023, 2, 28, 0, 0, 0, 0, bj)},
		{time.Date(2024, 3, 1, 0, 0, 0, 0, bj), time.Date(2023, 3, 1, 0, 0, 0, 0, bj)},
		{time.Date(2023, 10, 24, 8, 30, 0, 0, bj), time.Date(2022, 10, 24, 8, 30, 0, 0, bj)},
		{time.Date(2025, 2, 28, 0, 0, 0, 0, bj), time.Date(2024, 2, 28, 0, 0, 0, 0, bj)},
	} {
		if got := skygrid.YearBefore(c.in); !got.Equal(c.want) {
			t.Errorf("YearBefore(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

// The audit page (the web app's i18n table, keys st.*) names each figure
// as the exports and the monthly report do (skygrid.FigureNames).
func TestFigureNamesMatchTheWebApp(t *testing.T) {
	zh := webAppWords(t, "st")
	for key, figure := range map[string]string{
		"st.hotspots": "hotspots", "st.events": "events", "st.straw": "straw_burning", "st.tasks": "tasks",
		"st.confirmed": "confirmed_straw_burning", "st.false": "false_alarms", "st.unverified": "unverified",
		"st.overdue": "overdue", "st.overdue.share": "overdue_share", "st.per1000": "straw_per_1000ha",
	} {
		t.Run(key, func(t *testing.T) {
			if want := skygrid.FigureNames[figure]; zh[key] != want || want == "" {
				t.Errorf("the audit page says %q, the exports %q", zh[key], want)
			}
		})
	}
	if want := skygrid.FigureNames["cropland_ha"] + "(公顷)"; zh["st.cropland"] != want {
		t.Errorf("cropland: the audit page says %q, the exports %q", zh["st.cropland"], want)
	}
}

// The audit page's dust section (keys dust.*) names each dust figure as
// the exports and the monthly report do (skygrid.DustFigureNames).
func TestDustFigureNamesMatchTheWebApp(t *testing.T) {
	zh := webAppWords(t, "dust")
	for key, figure := range map[string]string{
		"dust.alarms": "alarms", "dust.hours": "exceedance_hours", "dust.sitehours": "exceedance_site_hours", "dust.days": "exceedance_days",
		"dust.monitors": "monitors", "dust.capture": "capture_rate", "dust.offline": "offline_now", "dust.offlinehours": "offline_hours",
		"dust.ontime": "on_time_rate",
	} {
		t.Run(key, func(t *testing.T) {
			if want := skygrid.DustFigureNames[figure]; zh[key] != want || want == "" {
				t.Errorf("the audit page says %q, the exports %q", zh[key], want)
			}
		})
	}
}

// webAppWords reads the Chinese words of the web app's i18n table whose
// keys start with prefix and a dot.
func webAppWords(t *testing.T, prefix string) map[string]string {
	t.Helper()
	b, err := os.ReadFile("frontend/src/i18n.ts")
	if err != nil {
		t.Fatal(err)
	}
	zh := map[string]string{}
	for _, m := range regexp.MustCompile(`'(`+prefix+`\.[\w.]+)': \['([^']*)'`).FindAllStringSubmatch(string(b), -1) {
		zh[m[1]] = m[2]
	}
	return zh
}
