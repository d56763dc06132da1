package perfgen_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"skygrid/internal/perfgen"
)

// The digests of the files the original generator (the issue-17 perf
// tools' gen/main.go) wrote with -grids 700 -points 30000 -seed 7.
var originalSHA256 = map[string]string{
	"expected_assign.csv": "cc51b1e241c85d386fa74fc5bef2dcc61dbf02954b10f6b3fc818cfb042dbe07",
	"expected_counts.csv": "63a062b8bcdc6287e0e18b3a7b2b1dc61d7d4fb93b736c51d4744e022a9976f0",
	"expected_subset.csv": "aa50d3d4511453f1c22f8a0ca09e035536041d237c7a4e0ac3ccd9b7fc7a6718",
	"grids.geojson":       "9d5cb59737fe5c7470cbc8c047c5981d84fa814fde366e25c2bd287c7c0fcfa6",
	"manifest.json":       "9d66dd157e7248947310f2be7919f5b09fcd45d98556e85fbf7a29c623a4d77a",
	"points.csv":          "445f50c027a4bfecb1014eb4a9c430b8a846e2b6e3c7251d5c0b14b9041791dc",
}

func TestSameAsOriginal(t *testing.T) {
	dir := t.TempDir()
	var log bytes.Buffer
	if err := perfgen.Generate(dir, perfgen.Options{Grids: 700, Points: 30000, Subset: 20000, Seed: 7}, &log); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	for name, want := range originalSHA256 {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(b)
			if got := hex.EncodeToString(sum[:]); got != want {
				t.Errorf("sha256 %s, the original wrote %s", got, want)
			}
		})
	}
}

// The grids tile the box: every point is in exactly one grid, by brute
// force and by buckets alike, and a smaller points file is a prefix.
func TestGridsTileTheBox(t *testing.T) {
	for _, tt := range []struct {
		name  string
		grids int
		box   perfgen.Box
	}{
		{"Datong, 300 grids", 300, perfgen.Datong},
		{"a tall box, 1,000 grids", 1000, perfgen.Box{MinLon: 110.2, MinLat: 34.6, MaxLon: 114.6, MaxLat: 40.7}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			grids, st := perfgen.Grids(tt.grids, 3, tt.box, "T")
			if len(grids) != tt.grids || st.InvalidRings != 0 || st.OutOfRangeVCount != 0 {
				t.Fatalf("%d grids, %d invalid, %d out of 30-150 vertices", len(grids), st.InvalidRings, st.OutOfRangeVCount)
			}
			var big, small bytes.Buffer
			pts, _, err := perfgen.WritePoints(&big, 5000, 3, tt.box, 50)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := perfgen.WritePoints(&small, 1000, 3, tt.box, 50); err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(big.Bytes(), small.Bytes()) {
				t.Error("1,000 points are not a prefix of 5,000 with the same seed")
			}
			brute, bst := perfgen.AssignBrute(grids, pts)
			buck, fst := perfgen.AssignBucketed(grids, pts, tt.box)
			if bst.ZeroHits+bst.MultiHits+fst.ZeroHits+fst.MultiHits != 0 {
				t.Fatalf("brute %+v, bucketed %+v", bst, fst)
			}
			for i := range brute {
				if brute[i] != buck[i] {
					t.Fatalf("point %d: brute force grid %d, buckets %d", i, brute[i], buck[i])
				}
			}
		})
	}
}
