//go:build ignore

// loadlists is the season load script (docs/PERFORMANCE.md, "A season's
// data under load"; scripts/seasonload.sh runs it all). Three modes:
//
//	go run scripts/loadlists.go -build season.db
//	    imports into a new database the demo's city and counties, 1.5 km
//	    grid cells (about 6,400) grouped into the demo's townships (示例:
//	    invented boundaries), a made-up supervisor per grid (示例网格员),
//	    the real heat sources and the demo's invented sites and cropland.
//	go run scripts/loadlists.go -gen 1000000 -out season.csv -end 2026-12-04T12:00:00Z -days 60 -seed 1
//	    writes a SYNTHETIC FIRMS VIIRS CSV (made up for the load test) of n
//	    detections inside Datong's counties over the days before -end: 70%
//	    spread evenly, 30% in clusters (fires seen a few times within a few
//	    hours), as the shared benchmark generator makes them, so that most
//	    points open an event of their own. In acquisition order.
//	go run scripts/loadlists.go -url http://127.0.0.1:8080 -admin TOKEN -official TOKEN -c 32 -d 60s
//	    requests a fixed shuffled mix of tiles (hotspots, events and
//	    regions, z8-z14, PNG and MVT) and lists (/api/tasks, /api/events
//	    and /api/hotspots, limit=100, with filters and sorts), half as the
//	    admin and half as the official, from 32 connections, and prints
//	    requests/s, latency percentiles and errors, for all and by kind.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"skygrid"
	"skygrid/data"
	"skygrid/demo"
	"skygrid/detect"
	"skygrid/dispatch"
	"skygrid/internal/loadgen"
	"skygrid/registry"
	"skygrid/store"

	"github.com/paulmach/orb"
)

func main() {
	build := flag.String("build", "", "build the season's regions, grids and layers into this new database file, then ingest -points")
	cell := flag.Float64("cell", 1500, "-build: grid cell size in metres")
	points := flag.String("points", "", "-build: the fire file to ingest (made with -gen)")
	maxAge := flag.Duration("max-age", 9000*time.Hour, "-build: the pipeline's dispatch.max_age (detections older are history: no task)")
	ago := flag.Duration("ago", 3*time.Hour, "-build: ingest on a clock this long ago, then escalate the tasks overdue now")
	gen := flag.Int("gen", 0, "write this many synthetic detections to -out")
	out := flag.String("out", "SYNTHETIC_season.csv", "file for -gen")
	end := flag.String("end", "", "-gen: the newest acquisition time (RFC 3339; default now)")
	days := flag.Float64("days", 60, "-gen: the span of acquisition times, in days before -end")
	seed := flag.Uint64("seed", 1, "-gen: random seed (another seed, other points)")
	base := flag.String("url", "http://127.0.0.1:8080", "skygrid server")
	admin := flag.String("admin", "", "an admin's API token")
	official := flag.String("official", "", "an official's API token")
	conns := flag.Int("c", 32, "connections (concurrent clients)")
	dur := flag.Duration("d", 60*time.Second, "duration")
	perZoom := flag.Int("per-zoom", 60, "tiles per zoom and layer (an even sample of the tiles over Datong)")
	listShare := flag.Float64("lists", 0.5, "the share of list requests in the mix")
	login := flag.String("login", "", "NAME:PASSWORD: besides the mix, log in as this user every -login-every (the writes a log-in makes)")
	loginEvery := flag.Duration("login-every", 5*time.Second, "how often -login logs in")
	warm := flag.Bool("warm", false, "first request every distinct request of the mix once (not measured), as a server that has been in use has them cached")
	flag.Parse()

	counties := readCounties()
	switch {
	case *build != "":
		if err := buildSeason(*build, counties, *cell, *points, *maxAge, *ago); err != nil {
			log.Fatal(err)
		}
	case *gen > 0:
		t1 := time.Now().UTC()
		if *end != "" {
			var err error
			if t1, err = time.Parse(time.RFC3339, *end); err != nil {
				log.Fatalf("-end: %v", err)
			}
		}
		if err := generate(counties, *gen, *out, t1, time.Duration(*days*24*float64(time.Hour)), *seed); err != nil {
			log.Fatal(err)
		}
	default:
		if *admin == "" || *official == "" {
			log.Fatal("want -admin TOKEN and -official TOKEN")
		}
		reqs := mix(counties, *base, *admin, *official, *perZoom, *listShare)
		if *warm {
			warmUp(reqs, *conns)
		}
		run(reqs, *conns, *dur, *base, *login, *loginEvery)
	}
}

func readCounties() []*skygrid.Region {
	f, err := data.FS.Open(data.Districts)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	rs, err := registry.ReadRegions(f, data.Districts, registry.RegionImport{Level: skygrid.LevelCounty,
		IDProp: "district_adcode", NameProp: "district_name", ParentID: "140200", CRS: "cgcs2000"})
	if err != nil {
		log.Fatal(err)
	}
	return rs
}

// buildSeason imports what `skygrid demo` imports before its fire files,
// with smaller grid cells (more grids than the demo's 1,978), then ingests
// the points through the pipeline on a clock `ago` in the past and
// escalates the tasks overdue now, as `skygrid serve` would in its first
// minute: the season's tasks are then all late and escalated, and no
// escalation runs during the load.
func buildSeason(file string, counties []*skygrid.Region, cell float64, points string, maxAge, ago time.Duration) error {
	ctx := context.Background()
	db := store.NewDB(file)
	if err := db.Open(); err != nil {
		return err
	}
	defer db.Close()
	if err := importLayers(ctx, db, counties, cell); err != nil {
		return err
	}
	if points == "" {
		return nil
	}
	cfg := dispatch.DefaultConfig()
	cfg.Dispatch.MaxAge.Duration = maxAge
	p, err := dispatch.New(db, cfg)
	if err != nil {
		return err
	}
	then := time.Now().Add(-ago)
	p.Now, db.Now = func() time.Time { return then }, func() time.Time { return then }
	pctx, err := p.LoadContext(ctx)
	if err != nil {
		return err
	}
	t0 := time.Now()
	b, err := p.IngestFile(ctx, points, dispatch.IngestOptions{Context: pctx})
	if err != nil {
		return err
	}
	fmt.Printf("%s: ingested in %.1f s on a clock %s ago: ", points, time.Since(t0).Seconds(), ago)
	registry.WriteBatchText(os.Stdout, points, b, 3)
	db.Now = time.Now
	t0 = time.Now()
	n, err := db.Escalate(ctx, time.Now())
	if err != nil {
		return err
	}
	fmt.Printf("escalated %d overdue tasks in %.1f s\n", n, time.Since(t0).Seconds())
	return nil
}

// importLayers imports the regions, grids, supervisors and layers.
func importLayers(ctx context.Context, db *store.DB, counties []*skygrid.Region, cell float64) error {
	f, err := data.FS.Open(data.Outline)
	if err != nil {
		return err
	}
	city, err := registry.ReadRegions(f, data.Outline, registry.RegionImport{Level: skygrid.LevelCity, IDProp: "city_adcode",
		NameProp: "city_name", CRS: "cgcs2000"})
	f.Close()
	if err != nil {
		return err
	}
	if err := db.ImportRegions(ctx, append(city, counties...)); err != nil {
		return err
	}
	grids, err := registry.GenerateGrids(ctx, db, cell, nil)
	if err != nil {
		return err
	}
	if f, err = data.FS.Open(data.Townships); err != nil {
		return err
	}
	towns, _, err := demo.ReadTownships(f, data.Townships)
	f.Close()
	if err != nil {
		return err
	}
	townships := demo.Townships(counties, grids, towns)
	for _, g := range grids {
		g.Demo = true
	}
	if err := db.ImportRegions(ctx, append(townships, grids...)); err != nil {
		return err
	}
	sups := make([]*skygrid.Supervisor, len(grids))
	for i, g := range grids {
		sups[i] = &skygrid.Supervisor{GridID: g.ID, Name: fmt.Sprintf("示例网格员 %04d", i+1), Phone: fmt.Sprintf("100-0000-%04d", i+1), Demo: true}
	}
	if err := db.ImportSupervisors(ctx, sups); err != nil {
		return err
	}
	for _, name := range []string{data.PowerPlantsWRI, data.PowerPlantsGEO, data.SteelPlants} {
		f, err := data.FS.Open(name)
		if err != nil {
			return err
		}
		res, err := detect.ReadHeatSources(f, path.Base(name))
		f.Close()
		if err != nil {
			return err
		}
		if _, err := db.ImportSites(ctx, res.Sites, nil); err != nil {
			return err
		}
	}
	if _, err := db.ImportSites(ctx, demo.Sites(counties), nil); err != nil {
		return err
	}
	if _, err := db.ImportSites(ctx, demo.Cropland(counties), nil); err != nil {
		return err
	}
	fmt.Printf("%s: %d counties, %d townships (示例 boundaries), %d grids of %.0f m with made-up supervisors (示例网格员), heat sources, demo sites and cropland (示例)\n",
		db.DSN, len(counties), len(townships), len(grids), cell)
	return nil
}

// generate writes n synthetic detections over the counties' bounding box
// (a little more than half of them fall outside the city and are counted,
// not stored, by the ingest) over the span before end: 70% spread evenly,
// 30% in clusters of 2-12 seen within about 300 m and 3 hours; in
// acquisition order.
func generate(counties []*skygrid.Region, n int, path string, end time.Time, span time.Duration, seed uint64) error {
	b := counties[0].Geometry.Bound()
	for _, c := range counties {
		b = b.Union(c.Geometry.Bound())
	}
	rng := rand.New(rand.NewPCG(seed, uint64(n)))
	type det struct {
		p  orb.Point
		at time.Time
	}
	inBox := func() orb.Point {
		return orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
	}
	t0 := end.Add(-span)
	when := func() time.Time { return t0.Add(time.Duration(rng.Int64N(int64(span/time.Minute)+1)) * time.Minute) }
	dets := make([]det, 0, n)
	for len(dets) < n*7/10 {
		dets = append(dets, det{inBox(), when()})
	}
	for len(dets) < n {
		c, at := inBox(), when()
		for k := 2 + rng.IntN(11); k > 0 && len(dets) < n; k-- {
			p := orb.Point{c[0] + rng.NormFloat64()*0.003, c[1] + rng.NormFloat64()*0.0025}
			t := at.Add(time.Duration(rng.IntN(180)) * time.Minute)
			if b.Contains(p) && !t.After(end) {
				dets = append(dets, det{p, t})
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
	sats := []string{"N20", "N21", "N"}
	confs := []string{"n", "n", "n", "n", "n", "h", "h", "l"}
	for _, d := range dets {
		fmt.Fprintf(w, "%.5f,%.5f,%.2f,0.39,0.36,%s,%s,%s,%s,2.0NRT,%.2f,%.2f,%s\n", d.p[1], d.p[0], 300+rng.Float64()*60,
			d.at.Format("2006-01-02"), d.at.Format("1504"), sats[rng.IntN(len(sats))], confs[rng.IntN(len(confs))],
			270+rng.Float64()*30, rng.Float64()*30, map[bool]string{true: "D", false: "N"}[d.at.Hour() < 12])
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Printf("%s: %d SYNTHETIC detections over Datong's bounding box, %s to %s\n", path, len(dets),
		t0.Format(time.RFC3339), end.Format(time.RFC3339))
	return f.Close()
}

// request is one request of the mix.
// mix is the fixed shuffled list: tiles over Datong at z8-z14 (an even
// sample of perZoom a zoom) of the hotspots, events and regions layers
// in PNG and MVT, the timed layers over all time and over the last 7
// days; and list pages of 100. Each request goes once as the admin and
// once as the official (whose tiles and lists are their county's). The
// lists make listShare of the whole.
func mix(counties []*skygrid.Region, base, admin, official string, perZoom int, listShare float64) []loadgen.Request {
	areas := make([]orb.MultiPolygon, len(counties))
	for i, c := range counties {
		areas[i] = c.Geometry
	}
	week := time.Now().UTC().Add(-7 * 24 * time.Hour).Truncate(time.Hour).Format(time.RFC3339)
	var tiles []string
	for z := 8; z <= 14; z++ {
		for i, t := range loadgen.TilesOver(areas, z, perZoom) {
			for _, l := range []string{"hotspots", "events", "regions"} {
				for _, f := range []string{"png", "mvt"} {
					u := fmt.Sprintf("%s/tiles/%s/%d/%d/%d.%s", base, l, t.Z, t.X, t.Y, f)
					if l != "regions" && i%2 == 1 {
						u += "?since=" + url.QueryEscape(week)
					}
					tiles = append(tiles, u)
				}
			}
		}
	}
	lists := []string{
		"/api/tasks?limit=100",
		"/api/tasks?limit=100&offset=100",
		"/api/tasks?limit=100&state=open&sort=deadline",
		"/api/tasks?limit=100&state=open&sort=deadline&offset=500",
		"/api/tasks?limit=100&state=open&sort=first_seen&order=desc",
		"/api/tasks?limit=100&sort=created&order=desc",
		"/api/tasks?limit=100&state=dispatched&sort=state",
		"/api/tasks?limit=100&sort=place",
		"/api/tasks?limit=100&county=140225&state=open&sort=deadline",
		"/api/tasks?limit=100&class=straw_burning&sort=first_seen&order=desc",
		"/api/tasks?limit=100&overdue=true&sort=deadline",
		"/api/tasks?limit=100&date=first_seen&since=" + url.QueryEscape(week) + "&sort=first_seen&order=desc",
		"/api/tasks?limit=100&q=" + url.QueryEscape("乡"),
		"/api/events?limit=100",
		"/api/events?limit=100&offset=200",
		"/api/events?limit=100&class=straw_burning",
		"/api/events?limit=100&since=" + url.QueryEscape(week),
		"/api/events?limit=100&county=140225",
		"/api/hotspots?limit=100",
		"/api/hotspots?limit=100&offset=300",
		"/api/hotspots?limit=100&status=fire",
		"/api/hotspots?limit=100&since=" + url.QueryEscape(week),
	}
	var reqs []loadgen.Request
	for _, tok := range []string{admin, official} {
		for _, u := range tiles {
			reqs = append(reqs, loadgen.Request{Kind: "tiles", URL: u, Token: tok})
		}
	}
	// As many list requests as make listShare of the mix.
	nLists := int(float64(len(reqs)) * listShare / (1 - listShare))
	for i := 0; i < nLists; i++ {
		tok := admin
		if i%2 == 1 {
			tok = official
		}
		reqs = append(reqs, loadgen.Request{Kind: "lists", URL: base + lists[(i/2)%len(lists)], Token: tok})
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(reqs), func(i, j int) { reqs[i], reqs[j] = reqs[j], reqs[i] })
	return reqs
}

// warmUp requests each distinct request of the mix once, from conns
// connections.
func warmUp(reqs []loadgen.Request, conns int) {
	seen := map[loadgen.Request]bool{}
	var todo []loadgen.Request
	for _, r := range reqs {
		if !seen[r] {
			seen[r] = true
			todo = append(todo, r)
		}
	}
	client := &http.Client{Timeout: 5 * time.Minute}
	t0 := time.Now()
	var mu sync.Mutex
	all := &loadgen.Stats{Status: map[int]int{}}
	var wg sync.WaitGroup
	next := make(chan loadgen.Request)
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range next {
				s := &loadgen.Stats{Status: map[int]int{}}
				loadgen.Do(client, r, s)
				mu.Lock()
				all.Add(s)
				mu.Unlock()
			}
		}()
	}
	for _, r := range todo {
		next <- r
	}
	close(next)
	wg.Wait()
	fmt.Printf("warm-up (not measured): %d distinct requests in %.1f s, %d errors\n", len(todo), time.Since(t0).Seconds(), all.Errs)
}

func run(reqs []loadgen.Request, conns int, dur time.Duration, base, login string, every time.Duration) {
	start := time.Now()
	deadline := start.Add(dur)
	logins := &loadgen.Stats{Status: map[int]int{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if login != "" {
			logIn(base, login, every, deadline, logins)
		}
	}()
	kinds := loadgen.Run(loadgen.Client(conns, 60*time.Second), reqs, conns, deadline)
	<-done
	elapsed := time.Since(start)
	all := &loadgen.Stats{Status: map[int]int{}}
	for _, s := range kinds {
		all.Add(s)
	}
	fmt.Printf("requests in the mix: %d; connections: %d; duration: %.1f s\n", len(reqs), conns, elapsed.Seconds())
	for _, k := range []string{"all", "tiles", "lists"} {
		s := all
		if k != "all" {
			if s = kinds[k]; s == nil {
				s = &loadgen.Stats{}
			}
		}
		fmt.Printf("%-5s %s\n", k, loadgen.Line(s, elapsed))
		if s.FirstErr != "" && k == "all" {
			fmt.Printf("first error: %s\n", s.FirstErr)
		}
	}
	if login != "" {
		slices.Sort(logins.Lat)
		fmt.Printf("log-ins beside the mix: %d, errors: %d, statuses: %v; latency p50 %s, max %s\n", len(logins.Lat), logins.Errs, logins.Status,
			logins.Pct(0.5), logins.Pct(1))
		if logins.FirstErr != "" {
			fmt.Printf("first log-in error: %s\n", logins.FirstErr)
		}
	}
	if all.Errs > 0 || logins.Errs > 0 {
		os.Exit(1)
	}
}

// logIn logs in as NAME:PASSWORD every so often until the deadline: a
// log-in writes (the throttle's attempt, then the session).
func logIn(base, login string, every time.Duration, deadline time.Time, s *loadgen.Stats) {
	name, password, _ := strings.Cut(login, ":")
	body, _ := json.Marshal(map[string]string{"name": name, "password": password})
	client := &http.Client{Timeout: 60 * time.Second}
	for time.Now().Add(every).Before(deadline) {
		time.Sleep(every)
		t0 := time.Now()
		resp, err := client.Post(base+"/api/login", "application/json", bytes.NewReader(body))
		s.Lat = append(s.Lat, time.Since(t0))
		if err != nil {
			s.Fail(err.Error())
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		s.Status[resp.StatusCode]++
		if resp.StatusCode != 200 {
			s.Fail(fmt.Sprintf("%s: %s", resp.Status, b))
		}
	}
}
