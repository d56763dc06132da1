package perfgen

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Options are the generator's flags.
type Options struct {
	Grids    int    // grid polygons (5000)
	Points   int    // points (1000000)
	Subset   int    // points (a prefix) checked by brute force (20000)
	Seed     uint64 // 20240601
	NoAssign bool   // skip expected_assign.csv
}

// Defaults are the original generator's defaults.
var Defaults = Options{Grids: 5000, Points: 1000000, Subset: 20000, Seed: 20240601}

// ErrValidation: the files are written but the reference found invalid
// rings, points in no or several grids, or points on a boundary.
var ErrValidation = fmt.Errorf("perfgen: validation failed (see manifest.json)")

// Generate writes into dir, over Datong's box:
//
//	grids.geojson        N non-overlapping polygons tiling the box
//	points.csv           M points in NASA FIRMS VIIRS CSV layout
//	expected_subset.csv  per-grid counts of the first S points, brute force (no index)
//	expected_counts.csv  per-grid counts of all M points (bucketed reference, cross-checked)
//	expected_assign.csv  id,grid_id for every point (id = 1-based data row of points.csv)
//	manifest.json        parameters, statistics and sha256 of every file
//
// Progress goes to log, as the original printed it to stderr.
func Generate(dir string, o Options, log io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	t := time.Now()
	grids, gst := Grids(o.Grids, o.Seed, Datong, "DT")
	for _, s := range gst.Invalid {
		fmt.Fprintln(log, s)
	}
	fmt.Fprintf(log, "grids: %d polygons, %d rows, vertices %d..%d (mean %.1f), invalid %d, area sum %.12f vs box %.12f (%.1fs)\n",
		len(grids), gst.Rows, gst.VerticesMin, gst.VerticesMax, gst.VerticesMean, gst.InvalidRings, gst.AreaSumDeg2, gst.BoxAreaDeg2, time.Since(t).Seconds())
	files := map[string]string{"grids": filepath.Join(dir, "grids.geojson"), "points": filepath.Join(dir, "points.csv"),
		"expected_subset": filepath.Join(dir, "expected_subset.csv"), "expected_counts": filepath.Join(dir, "expected_counts.csv")}
	if err := writeFile(files["grids"], func(w io.Writer) error { return WriteGeoJSON(w, "datong_grids", grids) }); err != nil {
		return err
	}
	t = time.Now()
	var pts []Point
	var nclust int
	err := writeFile(files["points"], func(w io.Writer) (err error) {
		pts, nclust, err = WritePoints(w, o.Points, o.Seed, Datong, 250)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "points: %d (%d clustered) (%.1fs)\n", len(pts), nclust, time.Since(t).Seconds())
	return check(dir, o, log, grids, gst, pts, nclust, files)
}

// check works out the expected assignment two ways, writes the expected
// files and the manifest, and says whether everything is valid.
func check(dir string, o Options, log io.Writer, grids []Grid, gst GridStats, pts []Point, nclust int, files map[string]string) error {
	sub := min(o.Subset, len(pts))
	t := time.Now()
	bres, bst := AssignBrute(grids, pts[:sub])
	fmt.Fprintf(log, "brute force on %d points: zero=%d multi=%d boundary=%d (%.1fs)\n", sub, bst.ZeroHits, bst.MultiHits, bst.BoundaryHits, time.Since(t).Seconds())
	t = time.Now()
	fres, fst := AssignBucketed(grids, pts, Datong)
	fmt.Fprintf(log, "bucketed on %d points: zero=%d multi=%d boundary=%d (%.1fs)\n", len(pts), fst.ZeroHits, fst.MultiHits, fst.BoundaryHits, time.Since(t).Seconds())
	mismatch := 0
	for i := range bres {
		if bres[i] != fres[i] {
			mismatch++
		}
	}
	if mismatch > 0 {
		fmt.Fprintf(log, "ERROR: brute force and bucketed reference disagree on %d of %d points\n", mismatch, sub)
	}
	if err := writeCounts(files["expected_subset"], grids, bres); err != nil {
		return err
	}
	if err := writeCounts(files["expected_counts"], grids, fres); err != nil {
		return err
	}
	if !o.NoAssign {
		files["expected_assign"] = filepath.Join(dir, "expected_assign.csv")
		if err := writeAssign(files["expected_assign"], grids, fres); err != nil {
			return err
		}
	}
	sums := map[string]string{}
	for k, p := range files {
		sums[k] = filepath.Base(p) + " sha256:" + sha(p)
	}
	man := map[string]any{
		"params":              map[string]any{"grids": o.Grids, "points": o.Points, "subset": sub, "seed": o.Seed, "bbox": []float64{Datong.MinLon, Datong.MinLat, Datong.MaxLon, Datong.MaxLat}},
		"grid_stats":          gst,
		"clustered_points":    nclust,
		"subset_brute_force":  bst,
		"full_bucketed":       fst,
		"subset_mismatches":   mismatch,
		"files":               sums,
		"point_id_convention": "id = 1-based data row number in points.csv (header excluded)",
	}
	b, _ := json.MarshalIndent(man, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	if gst.InvalidRings > 0 || gst.OutOfRangeVCount > 0 || mismatch > 0 || fst.ZeroHits > 0 || fst.MultiHits > 0 || fst.BoundaryHits > 0 {
		fmt.Fprintln(log, "VALIDATION FAILED (see manifest.json)")
		return ErrValidation
	}
	fmt.Fprintln(log, "validation OK")
	return nil
}
