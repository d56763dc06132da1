package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"skygrid/data"
	"skygrid/internal/storetest"
)

// import stations and ingest air: both layouts, the summaries, and the
// refusals naming file, line and field (exit status 1, nothing stored).
func TestAirCommands(t *testing.T) {
	dir := t.TempDir()
	db := storetest.DSN(t, "air.db")
	files := writeEmbedded(t, dir, data.Districts)
	if out, err := run(t, db, "import", "regions", files[0], "--level", "county", "--crs", "cgcs2000"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("date,hour,type,1721A\n20180220,7,PM10,abc\n"), 0o644)
	td := "../../airdata/testdata/"
	tests := []struct {
		name    string
		args    []string
		want    string
		failing bool
	}{
		{"a station list", []string{"import", "stations", td + "stations_datong.csv"}, "6 air-quality stations (6 in a county of the regions)", false},
		{"the per-day layout", []string{"ingest", "air", td + "china_sites_20180220_example.csv"}, "12 station hours (12 new, 0 updated); 1 stations not imported skipped", false},
		{"the per-station layout", []string{"ingest", "air", td + "datong_stations_2018-02-20T07.csv"}, "6 station hours (0 new, 6 updated)", false},
		{"a list to ingest air", []string{"ingest", "air", td + "stations_datong.csv"}, "REFUSED: a station list", true},
		{"a per-day file to import stations", []string{"import", "stations", td + "china_sites_20180220_example.csv"}, "not stations: use skygrid ingest air", true},
		{"a bad value", []string{"ingest", "air", bad}, "bad.csv:2: field 1721A: want a concentration", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := run(t, db, tt.args...)
			if (err != nil) != tt.failing || !strings.Contains(out+errText(err), tt.want) {
				t.Errorf("err %v\n%s\nwant %q", err, out, tt.want)
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
