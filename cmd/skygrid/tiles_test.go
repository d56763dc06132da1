package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"skygrid/data"
	"skygrid/internal/storetest"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// startServe runs `skygrid serve` on port 0 over db until the test ends.
func startServe(t *testing.T, db string, args ...string) string {
	t.Helper()
	m, out, _ := testMain()
	ready := make(chan string, 1)
	m.Ready = func(url string) { ready <- url }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- m.Run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--data", dataDir(t, db)}, args...))
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	select {
	case url := <-ready:
		return url
	case err := <-done:
		t.Fatalf("serve ended: %v\n%s", err, out)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	return ""
}

type tileResp struct {
	status      int
	etag, cache string
}

// token is the API token the requests of a test carry.
var token string

// authGet is GET with the test's API token.
func authGet(url string) (*http.Response, error) {
	rq, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return nil, err
	}
	rq.Header.Set("Authorization", "Bearer "+token)
	return http.DefaultClient.Do(rq)
}

// addAdmin adds an admin through the CLI and returns an API token.
func addAdmin(t *testing.T, db string) string {
	t.Helper()
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte("admin password\n"), 0o600)
	if out, err := run(t, db, "user", "add", "--name", "root", "--role", "admin", "--password-file", pw); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	out, err := run(t, db, "token", "create", "--user", "root", "--name", "test")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return strings.TrimSpace(out)
}

func fetchTile(t *testing.T, url string) tileResp {
	t.Helper()
	r, err := authGet(url)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	return tileOf(r)
}

// tileOf is a tile answer's status, ETag and X-Tile-Cache.
func tileOf(r *http.Response) tileResp {
	return tileResp{r.StatusCode, r.Header.Get("ETag"), r.Header.Get("X-Tile-Cache")}
}

func hotspotIDs(t *testing.T, url string) map[int64]orb.Point {
	t.Helper()
	r, err := authGet(url + "/api/hotspots?limit=50000")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var body struct {
		Features []struct {
			ID       int64 `json:"id"`
			Geometry struct {
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	out := map[int64]orb.Point{}
	for _, f := range body.Features {
		out[f.ID] = orb.Point{f.Geometry.Coordinates[0], f.Geometry.Coordinates[1]}
	}
	return out
}

// While serve runs, `skygrid ingest` of one more day (another process's
// write, through the database file) redraws the hotspots tile of a new
// detection on the next request; tiles of unrelated layers stay cached.
func TestIngestRedrawsOnlyTheChangedLayer(t *testing.T) {
	db, lastDay := redrawDB(t)
	token = addAdmin(t, db)
	url := startServe(t, db)
	before := hotspotIDs(t, url)
	conTile := url + "/tiles/construction/10/834/387.png"
	regTile := url + "/tiles/regions/10/834/387.png"
	// Draw the hotspots tile under every detection of 24 October and an
	// unrelated layer's tile; the second request of each is a cache hit.
	first := drawTheDay(t, url, lastDay)
	for _, u := range []string{conTile, regTile} {
		if r := fetchTile(t, u); r.status != 200 || r.cache != "miss" {
			t.Fatalf("%s: %+v", u, r)
		}
		first[u] = fetchTile(t, u)
		if first[u].cache != "hit" {
			t.Fatalf("%s second request: %+v", u, first[u])
		}
	}

	out, err := run(t, db, "ingest", lastDay)
	if err != nil || strings.Contains(out, "rows read, 0 new,") {
		t.Fatalf("ingest of 24 October: %v\n%s", err, out)
	}
	var added []orb.Point
	for id, p := range hotspotIDs(t, url) {
		if _, ok := before[id]; !ok {
			added = append(added, p)
		}
	}
	if len(added) == 0 {
		t.Fatal("the ingest added no hotspot")
	}
	checked := map[string]bool{}
	for _, p := range added {
		u := hotTile(url, p)
		if checked[u] {
			continue
		}
		checked[u] = true
		was, ok := first[u]
		if !ok {
			t.Fatalf("new detection %v is not in the file's rows", p)
		}
		now := fetchFresh(t, u)
		if now.cache == "hit" && now.etag != was.etag {
			continue // drawn again behind a stale answer, then kept
		}
		if now.cache != "miss" || now.etag == was.etag {
			t.Errorf("hotspots tile of new detection %v: was %+v, now %+v", p, was, now)
		}
	}
	for _, u := range []string{conTile, regTile} {
		if now := fetchTile(t, u); now.cache != "hit" || now.etag != first[u].etag {
			t.Errorf("%s after the ingest: %+v, was %+v", u, now, first[u])
		}
	}
}

// fetchFresh fetches a tile until it is not stale (untilFresh); stale
// for 30 s fails.
func fetchFresh(t *testing.T, url string) tileResp {
	t.Helper()
	return untilFresh(t, url, time.Now().Add(30*time.Second), func() tileResp { return fetchTile(t, url) })
}

// untilFresh calls fetch until its tile is not stale: served from the
// data before the last change while the server still loads the new data
// or draws the tile again (on a busy machine, longer than its StaleWait;
// the tile drawn meanwhile is then a hit). Stale at deadline fails.
func untilFresh(t *testing.T, what string, deadline time.Time, fetch func() tileResp) tileResp {
	t.Helper()
	for {
		r := fetch()
		if r.cache != "stale" {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still stale after the ingest: %+v", what, r)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// redrawDB is a database with the counties, a construction site and
// October but its last day, whose file it returns.
func redrawDB(t *testing.T) (db, lastDay string) {
	t.Helper()
	dir := t.TempDir()
	db = storetest.DSN(t, "tiles.db")
	files := writeEmbedded(t, dir, data.Districts)
	firmsDir := filepath.Join(dir, "firms")
	os.Mkdir(firmsDir, 0o755)
	names, _ := fs.Glob(data.FS, data.FIRMSOctober+"/*.csv")
	for _, n := range names {
		if strings.HasSuffix(n, "2023-10-24.csv") {
			lastDay = writeEmbedded(t, dir, n)[0]
		} else {
			writeEmbedded(t, firmsDir, n)
		}
	}
	sites := filepath.Join(dir, "sites.csv")
	os.WriteFile(sites, []byte("id,name,video,area_m2,lon,lat\nC1,测试工地,no,9000,113.30,40.08\n"), 0o644)
	for _, args := range [][]string{
		{"import", "regions", files[0], "--level", "county", "--crs", "cgcs2000"},
		{"import", "sites", sites, "--kind", "construction"},
		{"ingest", firmsDir},
	} {
		if out, err := run(t, db, args...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	return db, lastDay
}

// hotTile is the URL of the zoom-10 hotspots tile under a point.
func hotTile(url string, p orb.Point) string {
	tl := maptile.At(p, 10)
	return fmt.Sprintf("%s/tiles/hotspots/10/%d/%d.png?until=2023-11-01", url, tl.X, tl.Y)
}

// drawTheDay draws the hotspots tile under every detection of the day
// (as read from the file) and returns each tile's answer by URL.
func drawTheDay(t *testing.T, url, day string) map[string]tileResp {
	t.Helper()
	first := map[string]tileResp{}
	b, _ := os.ReadFile(day)
	for _, line := range strings.Split(string(b), "\n")[1:] {
		// "",latitude,longitude,...: an R write.csv extract
		f := strings.Split(line, ",")
		if len(f) < 3 {
			continue
		}
		lat, err1 := strconv.ParseFloat(f[1], 64)
		lon, err2 := strconv.ParseFloat(f[2], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("row %q", line)
		}
		u := hotTile(url, orb.Point{lon, lat})
		if _, ok := first[u]; !ok {
			first[u] = fetchTile(t, u)
		}
	}
	return first
}

// An ingest redraws only the hotspot tiles it touched (issue 17): while
// serve runs, `skygrid ingest` of one more day; the tiles of the new
// detections (PNG and vector) are drawn again, every other hotspots
// tile drawn before stays the kept one (a hit, the same ETag), and the
// layer is not read whole again. Before, every hotspots tile was drawn
// again after any ingest.
func TestIngestRedrawsOnlyTheTouchedTiles(t *testing.T) {
	db, lastDay := redrawDB(t)
	token = addAdmin(t, db)
	url := startServe(t, db)
	before := hotspotIDs(t, url)
	kept := map[string]tileResp{}
	for _, p := range before {
		for _, u := range []string{hotTile(url, p), strings.Replace(hotTile(url, p), ".png", ".mvt", 1)} {
			if _, ok := kept[u]; !ok {
				fetchTile(t, u)
				kept[u] = fetchTile(t, u)
			}
		}
	}
	if out, err := run(t, db, "ingest", lastDay); err != nil || strings.Contains(out, "rows read, 0 new,") {
		t.Fatalf("ingest of 24 October: %v\n%s", err, out)
	}
	touched := map[string]bool{}
	for id, p := range hotspotIDs(t, url) {
		if _, ok := before[id]; ok {
			continue
		}
		// The tile of the detection and those whose buffer holds it.
		for _, d := range [][2]float64{{0, 0}, {-0.03, 0}, {0.03, 0}, {0, -0.03}, {0, 0.03}} {
			q := orb.Point{p[0] + d[0], p[1] + d[1]}
			touched[hotTile(url, q)] = true
			touched[strings.Replace(hotTile(url, q), ".png", ".mvt", 1)] = true
		}
	}
	var same, redrawn int
	for u, was := range kept {
		now := fetchFresh(t, u)
		if touched[u] {
			continue // drawn again or not, by where in the buffer it fell
		}
		if now.cache != "hit" || now.etag != was.etag {
			t.Errorf("%s untouched by the ingest: was %+v, now %+v", u, was, now)
		}
		same++
	}
	for u := range touched {
		if was, ok := kept[u]; ok && fetchFresh(t, u).etag != was.etag {
			redrawn++
		}
	}
	if same < 5 || redrawn == 0 {
		t.Errorf("%d tiles kept, %d drawn again: want both", same, redrawn)
	}
	// The grids and the hotspots in one vector tile, through HTTP.
	for u := range touched {
		if !strings.HasSuffix(u, ".mvt?until=2023-11-01") {
			continue
		}
		r, err := authGet(strings.Replace(u, "/tiles/hotspots/", "/tiles/regions,hotspots/", 1))
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" || r.Header.Get("ETag") == "" {
			t.Errorf("regions,hotspots: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
		}
		break
	}
}

// TestServeLoadsTheMapLayersAtStart: serve loads the map's default layers
// (fires, events, regions) as it starts, before any tile is asked for
// (/metrics: skygrid_tile_layers_loaded), and the first tile is then
// drawn from them.
func TestServeLoadsTheMapLayersAtStart(t *testing.T) {
	db, _ := redrawDB(t)
	token = addAdmin(t, db)
	url := startServe(t, db)
	loaded := func() string {
		r, err := authGet(url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		m := regexp.MustCompile(`(?m)^skygrid_tile_layers_loaded (\S+)$`).FindSubmatch(b)
		if m == nil {
			t.Fatalf("/metrics (%d) has no skygrid_tile_layers_loaded", r.StatusCode)
		}
		return string(m[1])
	}
	deadline := time.Now().Add(30 * time.Second)
	for loaded() != "3" {
		if time.Now().After(deadline) {
			t.Fatalf("30 s after the start %s layers loaded, want 3 (hotspots, events, regions)", loaded())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if r := fetchTile(t, url+"/tiles/hotspots/10/834/387.png"); r.status != 200 || loaded() != "3" {
		t.Errorf("the first tile: %+v, %s layers loaded after it", r, loaded())
	}
}
