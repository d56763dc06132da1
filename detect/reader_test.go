package detect_test

import (
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"skygrid"
	"skygrid/detect"
)

// readAll reads every hotspot and row error of a file.
func readAll(t testing.TB, r io.Reader, name string) (*detect.Reader, []*skygrid.Hotspot, []*skygrid.RowError, error) {
	t.Helper()
	rd, err := detect.Open(r, name)
	if err != nil {
		return nil, nil, nil, err
	}
	var hs []*skygrid.Hotspot
	var errs []*skygrid.RowError
	for {
		h, err := rd.Next()
		if err == io.EOF {
			return rd, hs, errs, nil
		}
		var re *skygrid.RowError
		if errors.As(err, &re) {
			errs = append(errs, re)
			continue
		} else if err != nil {
			return rd, hs, errs, err
		}
		hs = append(hs, h)
	}
}

func TestReaderLayouts(t *testing.T) {
	for _, tt := range []struct {
		name     string
		file     string
		format   string
		ok       int
		rejected int
		// the first hotspot
		source, satellite, confidence string
		acq                           time.Time
		lat, lon                      float64
	}{
		{name: "MODIS 24h standard header", file: "firms/airborne-surge_nasa-firms-data__MODIS_C6_1_Global_24h.csv", format: detect.FormatFIRMSMODIS, ok: 24,
			source: "MODIS", satellite: "Terra", confidence: "70", acq: time.Date(2022, 2, 26, 0, 20, 0, 0, time.UTC), lat: -4.99722, lon: -37.427},
		{name: "MODIS 24h Russia and Asia", file: "firms/akarazeev_FirefighterBot__MODIS_C6_Russia_and_Asia_24h.csv", format: detect.FormatFIRMSMODIS, ok: 24,
			source: "MODIS", satellite: "Aqua", confidence: "61", acq: time.Date(2018, 10, 20, 0, 5, 0, 0, time.UTC), lat: 30.535, lon: 26.077},
		{name: "MODIS 7d", file: "firms/zixunn_test__MODIS_C6_1_Global_7d.csv", format: detect.FormatFIRMSMODIS, ok: 24,
			source: "MODIS", satellite: "Terra", confidence: "61", acq: time.Date(2022, 5, 28, 0, 43, 0, 0, time.UTC), lat: 18.1563, lon: 145.78052},
		{name: "lat,lng header", file: "firms/antweer_emberalert__MODIS_C6_Global_24h__58af355.csv", format: detect.FormatFIRMSMODIS, ok: 24,
			source: "MODIS", satellite: "Terra", confidence: "52", acq: time.Date(2017, 5, 11, 0, 40, 0, 0, time.UTC), lat: -41.448, lon: 146.128},
		{name: "spreadsheet re-save: M/D/YYYY, time without zeros", file: "firms/zixunn_test__0518MODIS_C6_1_Global_24h__b3e6cec.csv", format: detect.FormatFIRMSMODIS, ok: 24,
			source: "MODIS", satellite: "Aqua", confidence: "65", acq: time.Date(2022, 5, 17, 0, 7, 0, 0, time.UTC), lat: -20.48615, lon: 22.77016},
		{name: "download tool MODIS with instrument", file: "firms/chicodias_hackaton_nasa__fire_nrt_M6_157509.csv", format: detect.FormatFIRMSMODIS, ok: 24,
			source: "MODIS", satellite: "Terra", confidence: "76", acq: time.Date(2020, 10, 2, 0, 25, 0, 0, time.UTC), lat: -9.774, lon: -35.884},
		{name: "download tool VIIRS with instrument, satellite 1", file: "firms/chicodias_hackaton_nasa__fire_nrt_J1V-C2_157510.csv", format: detect.FormatFIRMSVIIRS, ok: 24,
			source: "VIIRS", satellite: "N20", confidence: "n", acq: time.Date(2020, 10, 2, 4, 6, 0, 0, time.UTC), lat: 0.22305, lon: -50.98979},
		{name: "R write.csv: index column, quotes, nominal", file: "firms/R_write_csv__J1_VIIRS_C2_Russia_Asia_24h__2023-10-01.csv", format: detect.FormatFIRMSVIIRS, ok: 24,
			source: "VIIRS", satellite: "N20", confidence: "n", acq: time.Date(2023, 10, 1, 8, 18, 0, 0, time.UTC), lat: 20.79481, lon: 85.25469},
		{name: "area API", file: "firms/api_area_VIIRS_NOAA20_NRT.csv", format: detect.FormatFIRMSVIIRS, ok: 12,
			source: "VIIRS", satellite: "N20", confidence: "n", acq: time.Date(2023, 10, 23, 4, 46, 0, 0, time.UTC), lat: 39.12502, lon: 113.10764},
		{name: "country API with country_id", file: "firms/api_country_VIIRS_NOAA20_NRT_CHN.csv", format: detect.FormatFIRMSVIIRS, ok: 12,
			source: "VIIRS", satellite: "N20", confidence: "n", acq: time.Date(2023, 10, 23, 4, 46, 0, 0, time.UTC), lat: 39.12502, lon: 113.10764},
		{name: "cut off last line", file: "firms/ZaharAmbrozyak_mapping-global-data-sets__world_fires_1_day.csv", format: detect.FormatFIRMSMODIS, ok: 24, rejected: 1,
			source: "MODIS", satellite: "Aqua", confidence: "0", acq: time.Date(2018, 9, 22, 0, 35, 0, 0, time.UTC), lat: -13.505, lon: -172.586},
		{name: "Himawari WLF", file: "himawari/odin-rs__H09_20251209_1900_L2WLF010_FLDK.06001_06001.csv", format: detect.FormatHimawariWLF, ok: 212,
			source: "HIMAWARI", satellite: "H09", confidence: "1", acq: time.Date(2025, 12, 9, 19, 2, 0, 0, time.UTC), lat: 41.14, lon: 122.98},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rd, hs, errs, err := readAll(t, f, filepath.Base(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if rd.Format() != tt.format {
				t.Errorf("format %s, want %s", rd.Format(), tt.format)
			}
			if len(hs) != tt.ok || len(errs) != tt.rejected {
				t.Fatalf("read %d, rejected %d (%v); want %d and %d", len(hs), len(errs), errs, tt.ok, tt.rejected)
			}
			h := hs[0]
			if h.Source != tt.source || h.Satellite != tt.satellite || h.Confidence != tt.confidence || !h.AcqTime.Equal(tt.acq) ||
				h.Point.Lat() != tt.lat || h.Point.Lon() != tt.lon {
				t.Errorf("first hotspot %s %s conf=%s %s %v; want %s %s conf=%s %s [%v %v]", h.Source, h.Satellite, h.Confidence, h.AcqTime, h.Point,
					tt.source, tt.satellite, tt.confidence, tt.acq, tt.lon, tt.lat)
			}
		})
	}
}

func TestReaderCutOffLine(t *testing.T) {
	f, err := os.Open("testdata/firms/ZaharAmbrozyak_mapping-global-data-sets__world_fires_1_day.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, _, errs, err := readAll(t, f, "world_fires_1_day.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 1 {
		t.Fatalf("want one row error, got %v", errs)
	}
	e := errs[0]
	if e.File != "world_fires_1_day.csv" || e.Line != 26 || e.Field != "acq_time" || !strings.Contains(e.Reason, "last line is cut off (6 of 13 fields") {
		t.Errorf("got %q (line %d field %s)", e.Error(), e.Line, e.Field)
	}
}

// Row-level problems in inline files (made up for the test, in real layouts).
func TestReaderRowErrors(t *testing.T) {
	const viirs = "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight,type\n"
	for _, tt := range []struct {
		name  string
		row   string
		field string
		why   string
	}{
		{"bad latitude", "abc,113.1,330,0.4,0.4,2023-10-24,0536,N21,VIIRS,n,2.0NRT,290,3.1,D,0", "latitude", `not a number: "abc"`},
		{"latitude out of range", "95.1,113.1,330,0.4,0.4,2023-10-24,0536,N21,VIIRS,n,2.0NRT,290,3.1,D,0", "latitude", "out of range"},
		{"bad date", "40.1,113.1,330,0.4,0.4,2023-13-45,0536,N21,VIIRS,n,2.0NRT,290,3.1,D,0", "acq_date", "not a date"},
		{"bad time", "40.1,113.1,330,0.4,0.4,2023-10-24,2575,N21,VIIRS,n,2.0NRT,290,3.1,D,0", "acq_time", "not a time of day"},
		{"bad confidence", "40.1,113.1,330,0.4,0.4,2023-10-24,0536,N21,VIIRS,maybe,2.0NRT,290,3.1,D,0", "confidence", "unknown confidence"},
		{"bad satellite", "40.1,113.1,330,0.4,0.4,2023-10-24,0536,X9,VIIRS,n,2.0NRT,290,3.1,D,0", "satellite", "unknown satellite"},
		{"bad type", "40.1,113.1,330,0.4,0.4,2023-10-24,0536,N21,VIIRS,n,2.0NRT,290,3.1,D,7", "type", "want 0, 1, 2 or 3"},
		{"bad frp", "40.1,113.1,330,0.4,0.4,2023-10-24,0536,N21,VIIRS,n,2.0NRT,290,x,D,0", "frp", "not a number"},
		{"short row", "40.1,113.1,330", "acq_date", "missing"},
		{"NaN latitude", "NaN,113.1,330,0.4,0.4,2023-10-24,0536,N21,VIIRS,n,2.0NRT,290,3.1,D,0", "latitude", "not a finite number: NaN"},
		{"-Inf longitude", "40.1,-Inf,330,0.4,0.4,2023-10-24,0536,N21,VIIRS,n,2.0NRT,290,3.1,D,0", "longitude", "not a finite number: -Inf"},
		{"infinite frp", "40.1,113.1,330,0.4,0.4,2023-10-24,0536,N21,VIIRS,n,2.0NRT,290,infinity,D,0", "frp", "not a finite number: +Inf"},
		{"negative frp", "40.1,113.1,330,0.4,0.4,2023-10-24,0536,N21,VIIRS,n,2.0NRT,290,-3,D,0", "frp", "out of range: -3 (want 0 to 1e+06 MW)"},
		{"NaN brightness", "40.1,113.1,nan,0.4,0.4,2023-10-24,0536,N21,VIIRS,n,2.0NRT,290,3.1,D,0", "brightness", "not a finite number"},
		{"scan 1e300", "40.1,113.1,330,1e300,0.4,2023-10-24,0536,N21,VIIRS,n,2.0NRT,290,3.1,D,0", "scan", "out of range"},
		{"long version", "40.1,113.1,330,0.4,0.4,2023-10-24,0536,N21,VIIRS,n," + strings.Repeat("v", 17) + ",290,3.1,D,0", "version", "at most 16 characters"},
		{"daynight with a bell", "40.1,113.1,330,0.4,0.4,2023-10-24,0536,N21,VIIRS,n,2.0NRT,290,3.1,D\x07,0", "daynight", "control characters are not allowed"},
		{"invalid UTF-8 in version", "40.1,113.1,330,0.4,0.4,2023-10-24,0536,N21,VIIRS,n,2.0\xffNRT,290,3.1,D,0", "version", "invalid UTF-8 at byte 4"},
		{"a long bad number", strings.Repeat("9", 1<<20) + "x,113.1,330,0.4,0.4,2023-10-24,0536,N21,VIIRS,n,2.0NRT,290,3.1,D,0", "latitude", "… (1048577 bytes)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := viirs + "40.2,113.2,330,0.4,0.4,2023-10-24,0536,N21,VIIRS,h,2.0NRT,290,3.1,D,2\n" + tt.row + "\n40.3,113.3,330,0.4,0.4,2023-10-24,536,N21,VIIRS,l,2.0NRT,290,3.1,N,0\n"
			_, hs, errs, err := readAll(t, strings.NewReader(in), "inline.csv")
			if err != nil {
				t.Fatal(err)
			}
			if len(hs) != 2 || len(errs) != 1 {
				t.Fatalf("want 2 read and 1 rejected, got %d and %v", len(hs), errs)
			}
			e := errs[0]
			if e.Line != 3 || e.Field != tt.field || !strings.Contains(e.Reason, tt.why) || len(e.Reason) > 200 {
				t.Errorf("got %q, want line 3 field %s: %s", e.Error(), tt.field, tt.why)
			}
			if hs[0].Type != 2 || hs[0].Satellite != "N21" || hs[1].AcqTime.Hour() != 5 || hs[1].AcqTime.Minute() != 36 {
				t.Errorf("good rows read wrong: %+v %+v", hs[0], hs[1])
			}
		})
	}
}

func TestReaderSatelliteSpellings(t *testing.T) {
	in := "latitude,longitude,brightness,acq_date,acq_time,satellite,confidence\n" +
		"1,1,300,2023-10-24,0100,N,n\n1,1,300,2023-10-24,0100,1,n\n1,1,300,2023-10-24,0100,N20,n\n1,1,300,2023-10-24,0100,N21,n\n" +
		"1,1,300,2023-10-24,0100,Terra,50\n1,1,300,2023-10-24,0100,Aqua,50\n1,1,300,2023-10-24,0100,T,50\n1,1,300,2023-10-24,0100,A,50\n"
	_, hs, errs, err := readAll(t, strings.NewReader(in), "sats.csv")
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	want := []string{"VIIRS SNPP", "VIIRS N20", "VIIRS N20", "VIIRS N21", "MODIS Terra", "MODIS Aqua", "MODIS Terra", "MODIS Aqua"}
	for i, h := range hs {
		if got := h.Source + " " + h.Satellite; got != want[i] {
			t.Errorf("row %d: %s, want %s", i, got, want[i])
		}
	}
}

func TestReaderNotAFireFile(t *testing.T) {
	for _, tt := range []struct {
		name, in, why string
	}{
		{"empty", "", "the file is empty"},
		{"geojson", `{"type":"FeatureCollection","features":[]}`, "it is JSON"},
		{"power plants", "country,name,latitude,longitude,primary_fuel\nCHN,x,40,113,Coal\n", "no acq_date, acq_time column"},
		{"binary", "PK\x03\x04\x00\x00zip", "binary"},
		{"comment without WLF header", "# hello\n# a,b,c\n1,2,3\n", "not a Himawari WLF header"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := detect.Open(strings.NewReader(tt.in), "x.csv")
			if !errors.Is(err, detect.ErrNotFireFile) || !strings.Contains(err.Error(), tt.why) || !strings.HasPrefix(err.Error(), "x.csv: ") {
				t.Errorf("got %v, want ErrNotFireFile naming x.csv: %s", err, tt.why)
			}
		})
	}
}

func FuzzReader(f *testing.F) {
	files, _ := filepath.Glob("testdata/firms/*.csv")
	files = append(files, "testdata/himawari/odin-rs__H09_20251209_1900_L2WLF010_FLDK.06001_06001.csv")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) > 2000 {
			b = b[:2000]
		}
		f.Add(b)
	}
	// Rows that must be refused: NaN, ±Inf, out of range, long or broken text.
	const viirs = "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight,type\n"
	for _, row := range []string{
		"NaN,113.1,330,0.4,0.4,2023-10-24,0536,N21,VIIRS,n,2.0NRT,290,3.1,D,0",
		"40.1,-Inf,330,0.4,0.4,2023-10-24,0536,N21,VIIRS,n,2.0NRT,290,3.1,D,0",
		"40.1,113.1,330,0.4,0.4,2023-10-24,0536,N21,VIIRS,n,2.0NRT,290,infinity,D,0",
		"40.1,113.1,1e999,0.4,0.4,2023-10-24,0536,N21,VIIRS,n,2.0NRT,290,3.1,D,0",
		"40.1,113.1,0x1p8,0.4,0.4,2023-10-24,0536,N21,VIIRS,n,2.0NRT,290,3.1,D,0",
		"40.1,113.1,330,0.4,0.4,2023-10-24,0536,N21,VIIRS,n,2.0NRT\u202e,290,3.1,D\x07,0",
		"40.1,113.1,330,0.4,0.4,2023-10-24,0536,N21,VIIRS,n,2.0\xffNRT,290,3.1,D,0",
		"\"40.1\",\"113.1\",330,0.4,0.4,\"2023-10-24\",\"0536\",N21,VIIRS,n,2.0NRT,290,3.1,D,0",
	} {
		f.Add([]byte(viirs + row + "\n"))
	}
	f.Add([]byte("# Himawari\n#ID,Year,Month,Day,Time(UTC),Lat,Lon,Area(km2),Volcano,Level,Reliability,FRP(MW),QF,Hot\n1,2023,10,24,0500,NaN,113.1,4,0,1,5,Inf,0,1\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		rd, err := detect.Open(strings.NewReader(string(in)), "fuzz.csv")
		if err != nil {
			if !errors.Is(err, detect.ErrNotFireFile) {
				t.Fatalf("Open: unexpected error kind: %v", err)
			}
			return
		}
		for i := 0; i < 100000; i++ {
			h, err := rd.Next()
			if err == io.EOF {
				return
			}
			var re *skygrid.RowError
			if errors.As(err, &re) {
				if re.File != "fuzz.csv" || re.Line < 1 || re.Reason == "" || len(re.Reason) > 300 || !utf8.ValidString(re.Reason) {
					t.Fatalf("row error without place or reason, or with a long one: %+v", re)
				}
				continue
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if h.Point.Lat() < -90 || h.Point.Lat() > 90 || h.Point.Lon() < -180 || h.Point.Lon() > 180 || h.Source == "" || h.Satellite == "" {
				t.Fatalf("invalid hotspot accepted: %+v", h)
			}
			for _, v := range []float64{h.Point[0], h.Point[1], h.Brightness, h.BrightT31, h.Scan, h.Track, h.FRP} {
				if math.IsNaN(v) || math.IsInf(v, 0) || v < -180 {
					t.Fatalf("a number that is not finite or in range accepted: %+v", h)
				}
			}
			for _, s := range []string{h.Version, h.DayNight, h.Confidence, h.Satellite} {
				if reason := skygrid.LimitFireCode.Check(s); reason != "" {
					t.Fatalf("text %q accepted: %s", s, reason)
				}
			}
		}
		t.Fatal("reader did not end")
	})
}

// Files without quotes take a fast path; a quoted header sends the same
// rows through encoding/csv. Both must read the same hotspots and errors.
func TestFastPathMatchesCSV(t *testing.T) {
	files, _ := filepath.Glob("testdata/firms/*.csv")
	extra := "latitude,longitude,bright_ti4,acq_date,acq_time,satellite,confidence,frp,daynight\r\n" +
		"40.1,113.1,330,2023-10-24,0536,N20,n,3.1,D\r\n\r\n" +
		"40.2, 113.2 ,330,2023-10-24,536,N21,h,3.1,N\r\n" +
		"x,113.2,330,2023-10-24,536,N21,h,3.1,N\r\n" +
		"40.3,113.3,330,2023-10-24"
	inputs := map[string]string{"inline-crlf.csv": extra}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `"`) {
			inputs[filepath.Base(f)] = string(b)
		}
	}
	if len(inputs) < 8 {
		t.Fatalf("only %d unquoted inputs", len(inputs))
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			nl := strings.IndexByte(in, '\n')
			header := strings.TrimRight(in[:nl], "\r")
			quoted := `"` + strings.ReplaceAll(header, ",", `","`) + `"` + in[nl:]
			_, fast, fastErrs, err1 := readAll(t, strings.NewReader(in), name)
			_, slow, slowErrs, err2 := readAll(t, strings.NewReader(quoted), name)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if len(fast) != len(slow) || len(fastErrs) != len(slowErrs) || len(fast) == 0 {
				t.Fatalf("fast %d rows %d errors, csv %d rows %d errors", len(fast), len(fastErrs), len(slow), len(slowErrs))
			}
			for i := range fast {
				if *fast[i] != *slow[i] {
					t.Fatalf("row %d: fast %+v, csv %+v", i, fast[i], slow[i])
				}
			}
			for i := range fastErrs {
				if fastErrs[i].Error() != slowErrs[i].Error() {
					t.Errorf("error %d: fast %q, csv %q", i, fastErrs[i].Error(), slowErrs[i].Error())
				}
			}
		})
	}
}
