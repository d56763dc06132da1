package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/api"
	"skygrid/data"
	"skygrid/demo"
	"skygrid/dispatch"
	"skygrid/geo"
	"skygrid/internal/storetest"
	"skygrid/orbit"
	"skygrid/password"
	"skygrid/registry"
	"skygrid/store"
	"skygrid/tiles"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// newTestServer serves a real SQLite store holding the Datong counties
// and the last week of October 2023.
func newTestServer(t testing.TB) *httptest.Server {
	t.Helper()
	db := datongDB(t)
	ctx := context.Background()
	p, err := dispatch.New(db, dispatch.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	names, _ := fs.Glob(data.FS, data.FIRMSOctober+"/2023-10-2*.csv")
	// Each file as it arrived (3 h after its newest detection): live fires.
	for _, name := range names {
		b, _ := fs.ReadFile(data.FS, name)
		at, err := demo.ArrivalOf(bytes.NewReader(b), name, 3*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		p.Now = func() time.Time { return at }
		if _, err := p.Ingest(ctx, bytes.NewReader(b), path.Base(name), dispatch.IngestOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	sites := []*skygrid.Site{
		{Kind: skygrid.SiteConstruction, ExternalID: "C1", Name: "测试工地", Geometry: geo.Rect(orb.Point{113.3, 40.08}, 100, 80), Attrs: map[string]string{"video": "no"}},
		{Kind: skygrid.SiteStockpile, ExternalID: "S1", Name: "测试堆场", Geometry: orb.Point{113.4, 40.1}, Attrs: map[string]string{"material": "sand", "suppression": "none"}},
	}
	sites[0].AreaM2 = geo.AreaM2(sites[0].Geometry)
	if _, err := db.ImportSites(ctx, sites, nil); err != nil {
		t.Fatal(err)
	}
	tileServer, err := tiles.NewServer(db, tiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := api.NewServer(api.Services{Hotspots: db, Events: db, Regions: db, Tasks: db, Ingest: db, Sites: db, Layers: db,
		Tiles: tileServer, Basemaps: tiles.TiandituBasemaps("test-key"), Users: db, Audit: db, Outbox: db, Photos: db, Stats: db,
		Passes: &orbit.Service{Store: db}}, nil)
	adminToken = newToken(t, db, "admin", skygrid.RoleAdmin)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

// datongDB is a store in a temp file holding the ten Datong counties
// (and the extra regions given).
func datongDB(t testing.TB, extra ...*skygrid.Region) *store.DB {
	t.Helper()
	db := storetest.NewDB(t, "api.db")
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f, _ := data.FS.Open(data.Districts)
	regions, err := registry.ReadRegions(f, data.Districts, registry.RegionImport{Level: skygrid.LevelCounty, IDProp: "district_adcode", NameProp: "district_name"})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ImportRegions(context.Background(), append(regions, extra...)); err != nil {
		t.Fatal(err)
	}
	return db
}

// adminToken authenticates the helpers' requests (an admin's API token).
var adminToken string

// newToken adds a user of a role (city-wide) and returns an API token.
func newToken(t testing.TB, db *store.DB, name, role string, regions ...string) string {
	t.Helper()
	u := &skygrid.User{Name: name, Role: role, Regions: regions}
	if err := db.CreateUser(context.Background(), u, "$2a$04$notarealhashnotarealhashnotarealhashnotarealhashnota"); err != nil {
		t.Fatal(err)
	}
	tok := password.NewSecret()
	if err := db.CreateToken(context.Background(), password.HashSecret(tok), u.ID, "test"); err != nil {
		t.Fatal(err)
	}
	return tok
}

func get(t *testing.T, url string, wantStatus int, v any) {
	t.Helper()
	rq, _ := http.NewRequest("GET", url, nil)
	rq.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != wantStatus {
		t.Fatalf("GET %s: status %d, want %d", url, resp.StatusCode, wantStatus)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" && ct != "application/json; charset=UTF-8" {
		t.Errorf("GET %s: content type %q", url, ct)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

type fc struct {
	Type     string `json:"type"`
	Total    int    `json:"total"`
	Features []struct {
		Type     string         `json:"type"`
		ID       any            `json:"id"`
		Geometry map[string]any `json:"geometry"`
		Props    map[string]any `json:"properties"`
	} `json:"features"`
}

func TestAPI(t *testing.T) {
	ts := newTestServer(t)
	var events fc
	get(t, ts.URL+"/api/events?since=2023-10-20&until=2023-11-01", 200, &events)
	if events.Type != "FeatureCollection" || events.Total == 0 || len(events.Features) != events.Total {
		t.Fatalf("events: %s total %d, %d features", events.Type, events.Total, len(events.Features))
	}
	e := events.Features[0]
	if e.Geometry["type"] != "Point" || e.Props["class"] == "" || e.Props["task"] == nil && e.Props["class"] != skygrid.ClassIndustrialHeat {
		t.Errorf("event feature: %v %v", e.Geometry, e.Props)
	}

	var hunyuan fc
	get(t, ts.URL+"/api/events?region=140225&limit=5", 200, &hunyuan)
	if hunyuan.Total == 0 || len(hunyuan.Features) > 5 || hunyuan.Total >= events.Total {
		t.Errorf("region filter: total %d, %d features (all: %d)", hunyuan.Total, len(hunyuan.Features), events.Total)
	}
	for _, f := range hunyuan.Features {
		if f.Props["county_id"] != "140225" {
			t.Errorf("event of county %v in 140225's list", f.Props["county_id"])
		}
	}

	var bboxed fc
	get(t, ts.URL+"/api/events?bbox=113.5,39.5,114.0,40.0", 200, &bboxed)
	for _, f := range bboxed.Features {
		c := f.Geometry["coordinates"].([]any)
		if lon, lat := c[0].(float64), c[1].(float64); lon < 113.5 || lon > 114 || lat < 39.5 || lat > 40 {
			t.Errorf("event at %v outside the bbox", c)
		}
	}

	var one struct {
		Type     string         `json:"type"`
		Geometry map[string]any `json:"geometry"`
		Props    map[string]any `json:"properties"`
	}
	get(t, fmt.Sprintf("%s/api/events/%v", ts.URL, e.ID), 200, &one)
	hs := one.Props["hotspots"].(map[string]any)
	if one.Type != "Feature" || hs["type"] != "FeatureCollection" || len(hs["features"].([]any)) != int(one.Props["hotspot_count"].(float64)) {
		t.Errorf("event detail: %v", one.Props)
	}

	var hot fc
	get(t, ts.URL+"/api/hotspots?limit=10&status=fire", 200, &hot)
	if len(hot.Features) != 10 || hot.Features[0].Props["status"] != "fire" || hot.Features[0].Props["satellite"] != "N20" {
		t.Errorf("hotspots: %d, %v", len(hot.Features), hot.Features[0].Props)
	}

	var regions fc
	get(t, ts.URL+"/api/regions?level=county", 200, &regions)
	if regions.Total != 10 || regions.Features[0].Geometry["type"] != "MultiPolygon" {
		t.Errorf("regions: %d", regions.Total)
	}
	var region struct {
		Props map[string]any `json:"properties"`
	}
	get(t, ts.URL+"/api/regions/140225", 200, &region)
	if region.Props["name"] != "浑源县" {
		t.Errorf("region: %v", region.Props)
	}

	var tasks api.TaskList
	get(t, ts.URL+"/api/tasks?county=140225", 200, &tasks)
	if tasks.Total == 0 || tasks.Tasks[0].CountyID != "140225" {
		t.Errorf("tasks: %+v", tasks)
	}

	var health map[string]string
	get(t, ts.URL+"/healthz", 200, &health)
	if health["status"] != "ok" {
		t.Errorf("healthz: %v", health)
	}
}

func TestAPIErrors(t *testing.T) {
	ts := newTestServer(t)
	for _, tt := range []struct {
		url    string
		status int
		code   string
		msg    string
	}{
		{"/api/events?bbox=1,2,3", 400, "invalid", "query parameter bbox: want west,south,east,north"},
		{"/api/events?since=yesterday", 400, "invalid", "query parameter since"},
		{"/api/events?class=fire", 400, "invalid", "query parameter class: want one of"},
		{"/api/events?limit=-1", 400, "invalid", "query parameter limit"},
		{"/api/events/abc", 400, "invalid", "event id must be a positive whole number"},
		{"/api/events/999999", 404, "not_found", "event 999999 not found"},
		{"/api/regions/nope", 404, "not_found", `region "nope" not found`},
		{"/api/nothing", 404, "not_found", "Not Found"},
	} {
		t.Run(tt.url, func(t *testing.T) {
			var body api.ErrorResponse
			get(t, ts.URL+tt.url, tt.status, &body)
			if body.Error.Code != tt.code || body.Error.Message == "" || !strings.Contains(body.Error.Message, tt.msg) {
				t.Errorf("got %+v, want %s: %s", body.Error, tt.code, tt.msg)
			}
		})
	}
}

func TestSitesAPI(t *testing.T) {
	ts := newTestServer(t)
	var all, bad, piles fc
	get(t, ts.URL+"/api/sites", 200, &all)
	get(t, ts.URL+"/api/sites?violation=true", 200, &bad)
	get(t, ts.URL+"/api/sites?kind=stockpile&bbox=113,39,114,41", 200, &piles)
	if all.Total != 2 || bad.Total != 1 || piles.Total != 1 {
		t.Fatalf("totals: all %d, violating %d, stockpiles %d", all.Total, bad.Total, piles.Total)
	}
	c := bad.Features[0]
	if c.Props["kind"] != "construction" || c.Props["violation"] != skygrid.ViolationNoVideo || c.Props["violation_name"] == nil ||
		c.Props["area_m2"].(float64) < 7900 || c.Geometry["type"] != "MultiPolygon" {
		t.Errorf("violating site: %v %v", c.Geometry["type"], c.Props)
	}
	var one struct {
		ID    any            `json:"id"`
		Props map[string]any `json:"properties"`
	}
	get(t, ts.URL+"/api/sites/"+fmt.Sprint(piles.Features[0].ID), 200, &one)
	if one.Props["name"] != "测试堆场" || one.Props["attrs"].(map[string]any)["material"] != "sand" {
		t.Errorf("site: %v", one.Props)
	}
	var e api.ErrorResponse
	get(t, ts.URL+"/api/sites/999", 404, &e)
	get(t, ts.URL+"/api/sites/x", 400, &e)
	get(t, ts.URL+"/api/sites?kind=shop", 400, &e)
	if !strings.Contains(e.Error.Message, "kind") {
		t.Errorf("bad kind: %v", e.Error.Message)
	}
}

func fetch(t *testing.T, url string, header ...string) *http.Response {
	t.Helper()
	rq, _ := http.NewRequest("GET", url, nil)
	rq.Header.Set("Authorization", "Bearer "+adminToken)
	for i := 0; i+1 < len(header); i += 2 {
		rq.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestTilesAPI(t *testing.T) {
	ts := newTestServer(t)
	for _, c := range []struct {
		name  string
		check func(*testing.T, *httptest.Server)
	}{
		{"a fire's tile", checkFireTile},
		{"bad requests", checkBadTileRequests},
		{"tilejson", checkTileJSON},
		{"layers", checkLayers},
		{"basemaps", checkBasemaps},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t, ts) })
	}
}

// checkFireTile: a fire's tile, cached, conditional, @2x and MVT; empty
// and blank tiles.
func checkFireTile(t *testing.T, ts *httptest.Server) {
	var hs fc
	get(t, ts.URL+"/api/hotspots?status=fire&limit=1", 200, &hs)
	c := hs.Features[0].Geometry["coordinates"].([]any)
	tl := maptile.At(orb.Point{c[0].(float64), c[1].(float64)}, 12)
	url := fmt.Sprintf("%s/tiles/hotspots/12/%d/%d.png", ts.URL, tl.X, tl.Y)

	r := fetch(t, url)
	body, _ := io.ReadAll(r.Body)
	img, err := png.Decode(bytes.NewReader(body))
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" || err != nil || img.Bounds().Dx() != 256 {
		t.Fatalf("%s: %d %s %v", url, r.StatusCode, r.Header.Get("Content-Type"), err)
	}
	etag := r.Header.Get("ETag")
	if etag == "" || r.Header.Get("Cache-Control") != "private, no-cache" || r.Header.Get("X-Tile-Cache") != "miss" {
		t.Errorf("headers: %v", r.Header)
	}
	if r2 := fetch(t, url); r2.Header.Get("X-Tile-Cache") != "hit" || r2.Header.Get("ETag") != etag {
		t.Errorf("second request: %v", r2.Header)
	}
	if r3 := fetch(t, url, "If-None-Match", etag); r3.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", r3.StatusCode)
	}
	r4 := fetch(t, strings.Replace(url, ".png", "@2x.png", 1))
	if img, err := png.Decode(r4.Body); err != nil || img.Bounds().Dx() != 512 {
		t.Errorf("@2x: %v", err)
	}
	r5 := fetch(t, strings.Replace(url, ".png", ".mvt", 1))
	if b, _ := io.ReadAll(r5.Body); r5.StatusCode != 200 || r5.Header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" || len(b) == 0 {
		t.Errorf("mvt: %d %s", r5.StatusCode, r5.Header.Get("Content-Type"))
	}
	if r := fetch(t, ts.URL+"/tiles/hotspots/12/0/0.mvt"); r.StatusCode != http.StatusNoContent {
		t.Errorf("empty mvt: %d", r.StatusCode)
	}
	blank1 := fetch(t, ts.URL+"/tiles/hotspots/12/0/0.png")
	blank2 := fetch(t, ts.URL+"/tiles/construction/9/1/1.png")
	if blank1.StatusCode != 200 || blank1.Header.Get("ETag") != `"blank-256"` || blank2.Header.Get("ETag") != `"blank-256"` {
		t.Errorf("blank tiles: %d %s %s", blank1.StatusCode, blank1.Header.Get("ETag"), blank2.Header.Get("ETag"))
	}
}

func checkBadTileRequests(t *testing.T, ts *httptest.Server) {
	for path, status := range map[string]int{
		"/tiles/hotspots/21/0/0.png":                400,
		"/tiles/hotspots/3/8/0.png":                 400,
		"/tiles/hotspots/3/0/-1.png":                400,
		"/tiles/hotspots/x/0/0.png":                 400,
		"/tiles/hotspots/3/0/0.gif":                 400,
		"/tiles/hotspots/3/0/0@3x.png":              400,
		"/tiles/base/3/0/0.mvt":                     400,
		"/tiles/roads/3/0/0.png":                    404,
		"/tiles/hotspots/3/0/0.png?since=yesterday": 400,
		"/tiles/roads.json":                         404,
		"/tiles/hotspots.xml":                       404,
	} {
		var e api.ErrorResponse
		get(t, ts.URL+path, status, &e)
		if e.Error.Message == "" {
			t.Errorf("%s: no message", path)
		}
	}
}

func checkTileJSON(t *testing.T, ts *httptest.Server) {
	var tj tiles.TileJSON
	get(t, ts.URL+"/tiles/hotspots.json", 200, &tj)
	// The counties' extent (112.58-114.55 E, 39.06-40.73 N) and 5 km more.
	// No --public-url: the tile URLs are relative (never the Host header's).
	if tj.TileJSON != "3.0.0" || tj.Tiles[0] != "/tiles/hotspots/{z}/{x}/{y}.png" || len(tj.Bounds) != 4 ||
		tj.Bounds[0] > 112.55 || tj.Bounds[0] < 112.4 || tj.Bounds[3] < 40.75 || tj.Bounds[3] > 40.85 || len(tj.TimeParams) != 2 {
		t.Errorf("tilejson: %+v", tj)
	}
	get(t, ts.URL+"/tiles/construction.json?format=mvt", 200, &tj)
	if tj.Tiles[0] != "/tiles/construction/{z}/{x}/{y}.mvt" || len(tj.VectorLayers) != 1 || tj.VectorLayers[0].ID != "construction" {
		t.Errorf("mvt tilejson: %+v", tj)
	}
}

func checkLayers(t *testing.T, ts *httptest.Server) {
	var layers struct {
		Layers []api.LayerInfo `json:"layers"`
	}
	get(t, ts.URL+"/api/layers", 200, &layers)
	if len(layers.Layers) != len(tiles.Layers) || layers.Layers[0].ID != "hotspots" || layers.Layers[0].Version == 0 {
		t.Errorf("layers: %+v", layers)
	}
}

func checkBasemaps(t *testing.T, ts *httptest.Server) {
	var bm struct {
		Basemaps []tiles.Basemap `json:"basemaps"`
		Tianditu bool            `json:"tianditu"`
		KeyHint  bool            `json:"key_hint"`
	}
	get(t, ts.URL+"/api/basemaps", 200, &bm)
	if len(bm.Basemaps) != 3 || !bm.Basemaps[0].Offline || !bm.Tianditu || bm.KeyHint {
		t.Fatalf("basemaps: %+v", bm)
	}
	// The vector map and the imagery, each with its label layer.
	for i, want := range [][2]string{{"vec_w", "cva_w"}, {"img_w", "cia_w"}} {
		b := bm.Basemaps[i+1]
		if !strings.Contains(b.Tiles[0], want[0]) || !strings.Contains(b.Labels[0], want[1]) || !strings.Contains(b.Tiles[0], "tk=test-key") ||
			!strings.Contains(b.Labels[0], "tk=test-key") || b.Subdomains == "" || b.CRS != "CGCS2000" {
			t.Errorf("basemap %d: %+v", i+1, b)
		}
	}
	if bm.Basemaps[1].Name != "天地图矢量" || bm.Basemaps[2].Name != "天地图影像" {
		t.Errorf("basemap names %q, %q", bm.Basemaps[1].Name, bm.Basemaps[2].Name)
	}
}

// A request the client gave up on (a tile panned past) is not logged as
// an internal error.
func TestCanceledRequestIsNotAnError(t *testing.T) {
	db := storetest.NewDB(t, "c.db")
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var logs bytes.Buffer
	srv := api.NewServer(api.Services{Hotspots: db, Events: db, Regions: db, Tasks: db, Ingest: db, Sites: db, Layers: db, Users: db, Audit: db, Stats: db},
		slog.New(slog.NewTextHandler(&logs, nil)))
	tok := newToken(t, db, "admin", skygrid.RoleAdmin)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rq := httptest.NewRequest("GET", "/api/events", nil).WithContext(ctx)
	rq.Header.Set("Authorization", "Bearer "+tok)
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, rq)
	if strings.Contains(logs.String(), "internal error") || rec.Code == http.StatusInternalServerError {
		t.Errorf("a canceled request: %d, logged %q", rec.Code, logs.String())
	}
	// A live request still works.
	rq = httptest.NewRequest("GET", "/api/events", nil)
	rq.Header.Set("Authorization", "Bearer "+tok)
	rec = httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, rq)
	if rec.Code != http.StatusOK {
		t.Errorf("a live request: %d %s", rec.Code, rec.Body)
	}
	// API answers are one user's data: no browser keeps them.
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("an API answer's Cache-Control: %q, want no-store", cc)
	}
}
