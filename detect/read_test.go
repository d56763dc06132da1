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
		fmt.Fprintf(&b, "%.4f,%.4f,330.1,0.39,0.36,2023-10-24,%02d%02d,N20,VIIRS,n,2.0NRT,290.1,3.2,D\n",
			30+float64(line%2000)*0.01, 100+float64(line/2000)*0.01, (line/60)%24, line%60)
	}
	path := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, line
}

// ReadFile with any number of workers reads what one reader reads: the
// same rows in file order, counts, and row errors with their file lines
// (bad rows lie in the first, middle and last parts).
func TestReadFileWorkers(t *testing.T) {
	bad := map[int]bool{5: true, 100000: true, 150001: true, 190000: true}
	path, lines := bigFile(t, bad)
	keep := func(h *skygrid.Hotspot) bool { return h.Point[1] < 45 } // leaves a quarter out
	read := func(workers int) (*detect.Rows, *detect.ReadSummary, int64) {
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
	want, wantSum, _ := read(1)
	if wantSum.Rows != lines-1 || wantSum.Rejected != len(bad) || wantSum.Left == 0 || want.Len() != wantSum.Rows-wantSum.Rejected-wantSum.Left {
		t.Fatalf("one reader: %d rows of %d lines, %d rejected, %d left, %d kept", wantSum.Rows, lines, wantSum.Rejected, wantSum.Left, want.Len())
	}
	for i, e := range wantSum.Errors {
		if !bad[e.Line] || e.Field != "confidence" {
			t.Errorf("one reader: error %d at line %d field %s", i, e.Line, e.Field)
		}
	}
	fi, _ := os.Stat(path)
	for _, workers := range []int{2, 3, 5} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			got, sum, last := read(workers)
			if !reflect.DeepEqual(sum, wantSum) {
				t.Errorf("summary %+v, want %+v", sum, wantSum)
			}
			if got.Len() != want.Len() {
				t.Fatalf("%d rows, want %d", got.Len(), want.Len())
			}
			for i := 0; i < got.Len(); i++ {
				if got.Key(i) != want.Key(i) {
					t.Fatalf("row %d: %v, want %v", i, got.Key(i), want.Key(i))
				}
			}
			// Every part but the first reads the header again.
			if extra := last - fi.Size(); extra != int64(workers-1)*int64(len(viirsHeader)) {
				t.Errorf("progress ended at %d of %d bytes", last, fi.Size())
			}
		})
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
