//go:build ignore

// loadtiles is the tile load script (docs/PERFORMANCE.md). Two modes:
//
//	go run scripts/loadtiles.go -url http://127.0.0.1:8080 -token TOKEN -c 32 -d 20s -zooms 8-14
//	    requests a fixed list of tiles over Datong (every layer, PNG and
//	    MVT) from 32 connections for 20 s and prints requests/s, latency
//	    percentiles, errors and the cache hit share.
//	go run scripts/loadtiles.go -gen 100000 -out points.csv
//	    writes a SYNTHETIC FIRMS VIIRS CSV (made up for the load test) of n
//	    detections inside Datong's counties, in clusters, for `skygrid
//	    ingest`: the point counts of tegola's published figures.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"skygrid"
	"skygrid/data"
	"skygrid/geo"
	"skygrid/internal/loadgen"
	"skygrid/registry"

	"github.com/paulmach/orb"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080", "skygrid server")
	token := flag.String("token", "", "API token of a user who may see the tiles (skygrid token create --user NAME)")
	conns := flag.Int("c", 32, "connections (concurrent clients)")
	dur := flag.Duration("d", 20*time.Second, "duration")
	zooms := flag.String("zooms", "8-14", "zoom range of the tile list")
	layers := flag.String("layers", "hotspots,events,regions,construction,stockpiles,nocoal,industrial,base", "layers")
	formats := flag.String("formats", "png,mvt", "formats (mvt is skipped for base)")
	perZoom := flag.Int("per-zoom", 400, "at most this many tiles per zoom and layer (an even sample of the tiles over Datong)")
	until := flag.String("until", "2023-11-01", "until= on the timed layers (empty: none)")
	gen := flag.Int("gen", 0, "write this many synthetic detections to -out instead of loading")
	out := flag.String("out", "SYNTHETIC_points.csv", "file for -gen")
	flag.Parse()

	counties := readCounties()
	if *gen > 0 {
		if err := generate(counties, *gen, *out); err != nil {
			log.Fatal(err)
		}
		return
	}
	z0, z1 := parseRange(*zooms)
	urls := tileList(counties, *url, z0, z1, strings.Split(*layers, ","), strings.Split(*formats, ","), *perZoom, *until)
	run(urls, *token, *conns, *dur)
}

func readCounties() []*skygrid.Region {
	f, err := data.FS.Open(data.Districts)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	rs, err := registry.ReadRegions(f, data.Districts, registry.RegionImport{Level: skygrid.LevelCounty,
		IDProp: "district_adcode", NameProp: "district_name", CRS: "cgcs2000"})
	if err != nil {
		log.Fatal(err)
	}
	return rs
}

func parseRange(s string) (int, int) {
	a, b, _ := strings.Cut(s, "-")
	lo, err1 := strconv.Atoi(a)
	hi, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || lo > hi {
		log.Fatalf("-zooms %q: want like 8-14", s)
	}
	return lo, hi
}

// tileList is the fixed list: for each zoom, the tiles over the counties'
// bound that touch a county (an even sample of at most perZoom), for each
// layer and format, in a fixed shuffled order.
func tileList(counties []*skygrid.Region, base string, z0, z1 int, layers, formats []string, perZoom int, until string) []string {
	areas := make([]orb.MultiPolygon, len(counties))
	for i, c := range counties {
		areas[i] = c.Geometry
	}
	var urls []string
	for z := z0; z <= z1; z++ {
		ts := loadgen.TilesOver(areas, z, perZoom)
		for _, l := range layers {
			for _, f := range formats {
				if f == "mvt" && l == "base" {
					continue
				}
				for _, t := range ts {
					u := fmt.Sprintf("%s/tiles/%s/%d/%d/%d.%s", base, l, t.Z, t.X, t.Y, f)
					if until != "" && (l == "hotspots" || l == "events") {
						u += "?until=" + until
					}
					urls = append(urls, u)
				}
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(urls), func(i, j int) { urls[i], urls[j] = urls[j], urls[i] })
	return urls
}

func run(urls []string, token string, conns int, dur time.Duration) {
	reqs := make([]loadgen.Request, len(urls))
	for i, u := range urls {
		reqs[i] = loadgen.Request{Kind: "tiles", URL: u, Token: token}
	}
	start := time.Now()
	s := loadgen.Run(loadgen.Client(conns, 30*time.Second), reqs, conns, start.Add(dur))["tiles"]
	elapsed := time.Since(start)
	fmt.Printf("tiles in list: %d; connections: %d; duration: %.1f s\n", len(urls), conns, elapsed.Seconds())
	fmt.Println(loadgen.Line(s, elapsed))
	if s.FirstErr != "" {
		fmt.Printf("first error: %s\n", s.FirstErr)
	}
	if s.Errs > 0 {
		os.Exit(1)
	}
}

// generate writes n synthetic detections inside the counties: clusters of
// 20 within about 1 km, over October 2023, in acquisition order.
func generate(counties []*skygrid.Region, n int, path string) error {
	ix := geo.NewIndex()
	b := counties[0].Geometry.Bound()
	for _, c := range counties {
		ix.Add(c.ID, c.Geometry)
		b = b.Union(c.Geometry.Bound())
	}
	rng := rand.New(rand.NewPCG(3, uint64(n)))
	type det struct {
		p  orb.Point
		at time.Time
	}
	t0 := time.Date(2023, 10, 1, 0, 0, 0, 0, time.UTC)
	dets := make([]det, 0, n)
	for len(dets) < n {
		c := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		if _, ok := ix.Locate(c); !ok {
			continue
		}
		at := t0.Add(time.Duration(rng.IntN(31*24*60)) * time.Minute)
		for k := 0; k < 20 && len(dets) < n; k++ {
			p := orb.Point{c[0] + (rng.Float64()-0.5)*0.01, c[1] + (rng.Float64()-0.5)*0.01}
			if _, ok := ix.Locate(p); ok {
				dets = append(dets, det{p, at.Add(time.Duration(k) * time.Minute)})
			}
		}
	}
	slices.SortFunc(dets, func(a, b det) int { return a.at.Compare(b.at) })
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,confidence,version,bright_ti5,frp,daynight")
	for _, d := range dets {
		fmt.Fprintf(w, "%.5f,%.5f,%.2f,0.39,0.36,%s,%s,N20,n,2.0NRT,%.2f,%.2f,D\n", d.p[1], d.p[0], 300+rng.Float64()*60,
			d.at.Format("2006-01-02"), d.at.Format("1504"), 270+rng.Float64()*30, rng.Float64()*30)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Printf("%s: %d SYNTHETIC detections inside Datong's counties\n", path, len(dets))
	return f.Close()
}
