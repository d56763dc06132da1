package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"skygrid"
	"skygrid/internal/storetest"
	"skygrid/store"
)

// skygrid import monitors then skygrid ingest readings, on the registry's
// invented test files: a site by id, counts, refusals naming file, line
// and field, and a second ingest of the same file all duplicates.
func TestImportMonitorsAndIngestReadings(t *testing.T) {
	db := storetest.DSN(t, "monitors.db")
	importTestSites(t, db)
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr bool
		want    []string
	}{
		{"monitors", []string{"import", "monitors", "../../registry/testdata/monitors.csv"}, false,
			[]string{"imported 3 monitors (3 new, 0 updated), 1 on a site"}},
		{"monitors again", []string{"import", "monitors", "../../registry/testdata/monitors.geojson"}, false,
			[]string{"imported 2 monitors (2 new, 0 updated), 1 on a site"}},
		{"bad monitors", []string{"import", "monitors", "../../registry/testdata/monitors_bad.csv"}, true,
			[]string{"7 rows refused, nothing stored", "monitors_bad.csv: line 4: field lon"}},
		{"readings", []string{"ingest", "readings", "../../registry/testdata/readings.csv"}, true,
			[]string{"readings.csv: 3 new, 1 duplicates, 4 refused", "readings.csv: line 5: field mn: unknown monitor",
				"line 6: field time:", "line 7: field kind:", "line 8: field a34002: \"abc\": not a number"}},
		{"readings again", []string{"ingest", "readings", "../../registry/testdata/readings.csv"}, true,
			[]string{"readings.csv: 0 new, 4 duplicates, 4 refused"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := run(t, db, tc.args...)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v, want error %v\n%s", err, tc.wantErr, out)
			}
			text := out
			if err != nil {
				text += err.Error()
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("output lacks %q:\n%s", w, text)
				}
			}
		})
	}
}

// skygrid ingest readings checks the dust rules after storing: two
// 15-minute TSP means over 2 mg/m³ in a day (shanghai_15min allows one)
// open one dust task; the same file again opens none. The site import
// opens the inspection of the large site without video.
func TestIngestReadingsOpensDustTask(t *testing.T) {
	dir := t.TempDir()
	db := storetest.DSN(t, "dust.db")
	importTestSites(t, db)
	if out, err := run(t, db, "import", "monitors", "../../registry/testdata/monitors.csv"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var b strings.Builder
	b.WriteString("mn,time,kind,tsp\n")
	for i := 0; i < 31; i++ {
		fmt.Fprintf(&b, "DT0001SG000002,2026-11-05 14:%02d,minute,3000\n", i)
	}
	file := filepath.Join(dir, "dusty.csv")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{1, 1} {
		if out, err := run(t, db, "ingest", "readings", file, "--set", `dust.active=["shanghai_15min"]`); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		s := store.NewDB(db)
		if err := s.Open(); err != nil {
			t.Fatal(err)
		}
		tasks, _, err := s.FindTasks(context.Background(), skygrid.TaskFilter{})
		s.Close()
		by := map[string]int{}
		for _, k := range tasks {
			by[k.EventClass]++
		}
		// The site import opened the inspection of the large site without video.
		if err != nil || by[skygrid.ClassDustExceedance] != want || by[skygrid.ClassSiteInspection] != 1 || len(by) != 2 {
			t.Fatalf("round %d: tasks by class %v, %v; want %d dust_exceedance and 1 site_inspection", i, by, err, want)
		}
	}
}

// importTestSites imports the registry's invented construction sites.
func importTestSites(t *testing.T, db string) {
	t.Helper()
	sites := filepath.Join("..", "..", "registry", "testdata", "sites_construction.geojson")
	if out, err := run(t, db, "import", "sites", sites, "--kind", "construction"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}
