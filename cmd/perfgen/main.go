// Command perfgen writes the synthetic benchmark data of internal/perfgen
// (irregular grids over Datong, FIRMS points, the expected assignment):
//
//	go run ./cmd/perfgen -grids 5000 -points 1000000 -out DIR
//	go run ./cmd/perfgen -shanxi -out DIR   # the synthetic Shanxi province
//
// Copied from the issue-17 perf tools' gen command (same flags, same files
// for the same flags); everything it writes is SYNTHETIC.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"skygrid/internal/perfgen"
	"skygrid/internal/shanxi"
)

func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// writeShanxi writes the synthetic province into dir.
func writeShanxi(dir string, seed uint64, points int, pointsSet bool) {
	if !pointsSet {
		points = perfgen.ShanxiPoints
	}
	p, err := shanxi.Write(dir, seed, points)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "SYNTHETIC Shanxi: %d cities, %d counties, %d townships, %d grids, %d monitors, %d detections in %s\n",
		len(p.Cities), len(p.Counties), len(p.Townships), len(p.Grids), shanxi.Monitors, points, dir)
}

func main() {
	d := perfgen.Defaults
	n := flag.Int("grids", d.Grids, "number of grid polygons")
	m := flag.Int("points", d.Points, "number of points")
	s := flag.Int("subset", d.Subset, "points (prefix) checked by the brute-force reference")
	seed := flag.Uint64("seed", d.Seed, "PRNG seed")
	out := flag.String("out", ".", "output directory")
	noAssign := flag.Bool("no-assign", false, "skip expected_assign.csv")
	province := flag.Bool("shanxi", false, "write the synthetic Shanxi province instead (regions GeoJSON per level, supervisors.csv, monitors.csv, points.csv; -points defaults to 2000000, -seed applies)")
	flag.Parse()
	if *province {
		writeShanxi(*out, *seed, *m, flagSet("points"))
		return
	}
	err := perfgen.Generate(*out, perfgen.Options{Grids: *n, Points: *m, Subset: *s, Seed: *seed, NoAssign: *noAssign}, os.Stderr)
	if errors.Is(err, perfgen.ErrValidation) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
