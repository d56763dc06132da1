package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// skygrid import monitors then skygrid ingest readings, on the registry's
// invented test files: a site by id, counts, refusals naming file, line
// and field, and a second ingest of the same file all duplicates.
func TestImportMonitorsAndIngestReadings(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "monitors.db")
	sites := filepath.Join("..", "..", "registry", "testdata", "sites_construction.geojson")
	if out, err := run(t, db, "import", "sites", sites, "--kind", "construction"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
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
