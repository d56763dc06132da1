package detect_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"skygrid"
	"skygrid/detect"
)

const viirsHeader = "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight\n"

// bigFile writes a FIRMS file over detect.ParallelMin with bad rows at the
// given lines (1 is the header) and returns its path and line count.
func bigFile(t *testing.T, bad map[int]bool) (string, int) {
	t.Helper()
	var b strings.Builder
	b.WriteString(viirsHeader)
	line := 1
	for b.Len() < detect.ParallelMin+1<<20 {
		line++
		if bad[line] {
			b.WriteString("40.1,113.1,330,0.4,0.4,2023-10-24,0536,N20,VIIRS,maybe,2.0NRT,290,3.1,D\n")
			continue
		}
		// The satellite changes every 50,000 lines, so each part meets
		// the satellites in another order and numbers them otherwise (the
		// join must recode them).
		fmt.Fprintf(&b, "%.4f,%.4f,330.1,0.39,0.36,2023-10-24,%02d%02d,%s,VIIRS,n,2.0NRT,290.1,3.2,D\n",
			30+float64(line%2000)*0.01, 100+float64(line/2000)*0.01, (line/60)%24, line%60, []string{"N20", "N", "N21"}[line/50000%3])
	}
	path := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, line
}

// ReadFile with any number of workers reads what one reader reads: the
// same rows in file order, counts, and row errors with their file lines
// (bad rows lie in the first, middle and last parts), whether Keep leaves
// rows out or every row is kept (the parts then joined into the first's
// room for them all).
func TestReadFileWorkers(t *testing.T) {
	bad := map[int]bool{5: true, 100000: true, 150001: true, 190000: true}
	path, lines := bigFile(t, bad)
	fi, _ := os.Stat(path)
	read := func(t *testing.T, workers int, keep func(h *skygrid.Hotspot) bool) (*detect.Rows, *detect.ReadSummary, int64) {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var last int64
		rows, sum, err := detect.ReadFile(context.Background(), f, "big.csv",
			detect.ReadOptions{Workers: workers, Keep: keep, Progress: func(n int64) { last = n }})
		if err != nil {
			t.Fatal(err)
		}
		return rows, sum, last
	}
	for _, tt := range []struct {
		name string
		keep func(h *skygrid.Hotspot) bool
	}{
		{"a quarter left out", func(h *skygrid.Hotspot) bool { return h.Point[1] < 45 }},
		{"every row kept", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want, wantSum, _ := read(t, 1, tt.keep)
			if wantSum.Rows != lines-1 || wantSum.Rejected != len(bad) || (wantSum.Left == 0) != (tt.keep == nil) ||
				want.Len() != wantSum.Rows-wantSum.Rejected-wantSum.Left {
				t.Fatalf("one reader: %d rows of %d lines, %d rejected, %d left, %d kept", wantSum.Rows, lines, wantSum.Rejected, wantSum.Left, want.Len())
			}
			for i, e := range wantSum.Errors {
				if !bad[e.Line] || e.Field != "confidence" {
					t.Errorf("one reader: error %d at line %d field %s", i, e.Line, e.Field)
				}
			}
			for _, workers := range []int{2, 3, 5} {
				t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
					got, sum, last := read(t, workers, tt.keep)
					if !reflect.DeepEqual(sum, wantSum) {
						t.Errorf("summary %+v, want %+v", sum, wantSum)
					}
					sameRows(t, got, want)
					// Every part but the first reads the header again.
					if extra := last - fi.Size(); extra != int64(workers-1)*int64(len(viirsHeader)) {
						t.Errorf("progress ended at %d of %d bytes", last, fi.Size())
					}
				})
			}
		})
	}
}

// sameRows fails t unless got holds want's rows, whole, in the same order.
func sameRows(t *testing.T, got, want *detect.Rows) {
	t.Helper()
	if got.Len() != want.Len() {
		t.Fatalf("%d rows, want %d", got.Len(), want.Len())
	}
	var g, w skygrid.Hotspot
	for i := 0; i < got.Len(); i++ {
		got.Fill(i, &g, 1)
		want.Fill(i, &w, 1)
		if g != w {
			t.Fatalf("row %d: %+v, want %+v", i, g, w)
		}
	}
}

// Scan refuses a file that is no fire file as an input error naming it.
func TestScanNotAFireFile(t *testing.T) {
	_, err := detect.Scan(context.Background(), strings.NewReader("name,kind\na,b\n"), "sites.csv", detect.ReadOptions{},
		func(*skygrid.Hotspot) error { return nil })
	if skygrid.ErrorCode(err) != skygrid.EINVALID || !strings.Contains(err.Error(), "sites.csv") {
		t.Errorf("error %v", err)
	}
}
