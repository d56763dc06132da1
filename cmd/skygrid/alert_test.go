package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skygrid/data"
	"skygrid/internal/storetest"
)

// skygrid import emergency, then alert issue, list, extend and lift: the
// issued warning in force opens the inspection of the listed row of its
// county (浑源县) and not that of 天镇县; times are read in Beijing time; a
// second lift is refused.
func TestAlertCommands(t *testing.T) {
	dir := t.TempDir()
	db := storetest.DSN(t, "alert.db")
	files := writeEmbedded(t, dir, data.Districts)
	if out, err := run(t, db, "import", "regions", files[0], "--level", "county", "--crs", "cgcs2000"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	list := filepath.Join(dir, "清单.csv")
	os.WriteFile(list, []byte("名称,区县,预警级别,减排措施\n示例砖厂,浑源县,橙色,停产\n示例搅拌站,天镇县,橙色,限产30%\n"), 0o644)
	out, err := run(t, db, "import", "emergency", list)
	if err != nil || !strings.Contains(out, "emergency list of 2 rows, 0 matched to registry sites, 2 unmatched") {
		t.Fatalf("%v\n%s", err, out)
	}
	const f = "2006-01-02 15:04"
	bj, _ := time.LoadLocation("Asia/Shanghai")
	start, end := time.Now().Add(-time.Hour).In(bj).Format(f), time.Now().Add(24*time.Hour).In(bj).Format(f)
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"issue", []string{"alert", "issue", "--level", "橙色", "--counties", "140225", "--start", start, "--end", end, "--reason", "示例"},
			"warning 1: 橙色预警 active, 浑源县, " + start + " – " + end + "; 1 inspection tasks"},
		{"list", []string{"alert", "list"}, "warning 1: 橙色预警 active"},
		{"extend", []string{"alert", "extend", "1", "--end", "2030-01-02T00:00:00Z"}, "2030-01-02 08:00; 1 inspection tasks"},
		{"lift", []string{"alert", "lift", "1"}, "橙色预警 lifted"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := run(t, db, tt.args...)
			if err != nil || !strings.Contains(out, tt.want) {
				t.Errorf("%v\n%s\nwant %q", err, out, tt.want)
			}
		})
	}
	if out, err := run(t, db, "alert", "lift", "1"); err == nil || !strings.Contains(err.Error(), "was lifted at") {
		t.Errorf("lift again: %v %s", err, out)
	}
	if out, err := run(t, db, "alert", "issue", "--level", "purple", "--start", start, "--end", end); err == nil || !strings.Contains(err.Error(), "--level") {
		t.Errorf("bad level: %v %s", err, out)
	}
}
