package tiles_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"skygrid"
	"skygrid/tiles"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
)

var update = flag.Bool("update", false, "rewrite the PNG goldens in testdata/golden")

// octoberEnd is the end of the demo season: ages count from it.
var octoberEnd = time.Date(2023, 11, 1, 0, 0, 0, 0, time.UTC)

func newServer(tb testing.TB, src tiles.Source, opt tiles.Options) *tiles.Server {
	tb.Helper()
	if opt.Now == nil {
		opt.Now = func() time.Time { return octoberEnd }
	}
	s, err := tiles.NewServer(src, opt)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func get(tb testing.TB, s *tiles.Server, r tiles.Request) *tiles.Tile {
	tb.Helper()
	t, _, err := s.Get(context.Background(), r)
	if err != nil {
		tb.Fatalf("%+v: %v", r, err)
	}
	return t
}

func req(layer string, t maptile.Tile, format string) tiles.Request {
	return tiles.Request{Layer: layer, Z: int(t.Z), X: int(t.X), Y: int(t.Y), Format: format}
}

// Places of the goldens: 平城区 and the city (the no-coal zone, grids,
// events), a demo construction site close up, and the whole city.
var (
	cityCentre = orb.Point{113.30, 40.08}
	hunyuan    = orb.Point{113.69, 39.70}
)

// comparePNG compares two images pixel by pixel: a channel may differ by 3
// (encoders and float rounding), and at most 0.2% of pixels by more.
func comparePNG(got, want image.Image) (bad int, total int, err error) {
	if got.Bounds() != want.Bounds() {
		return 0, 0, fmt.Errorf("size %v, want %v", got.Bounds(), want.Bounds())
	}
	b := got.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			g := color.NRGBAModel.Convert(got.At(x, y)).(color.NRGBA)
			w := color.NRGBAModel.Convert(want.At(x, y)).(color.NRGBA)
			d := max(absDiff(g.R, w.R), absDiff(g.G, w.G), absDiff(g.B, w.B), absDiff(g.A, w.A))
			if g.A == 0 && w.A == 0 {
				d = 0
			}
			if d > 3 {
				bad++
			}
		}
	}
	return bad, b.Dx() * b.Dy(), nil
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

func TestGoldens(t *testing.T) {
	src := sharedDatong(t)
	s := newServer(t, src, tiles.Options{})
	for _, tc := range goldenCases(t, src) {
		t.Run(tc.name, func(t *testing.T) { checkGolden(t, s, tc) })
	}
}

// goldenCase is a tile drawn and compared with its golden PNG.
type goldenCase struct {
	name  string
	layer string
	tile  maptile.Tile
	scale int
	until *time.Time
}

// goldenCases are the tiles compared, over the demo's places: the city,
// 浑源县, the first construction site, a stockpile, and a construction
// site and a stockpile breaking a rule.
func goldenCases(t *testing.T, src *memSource) []goldenCase {
	until := octoberEnd
	site := src.sites[0].Geometry.Bound().Center() // the first demo construction site
	var pile orb.Point
	for _, st := range src.sites {
		if st.Kind == skygrid.SiteStockpile {
			if _, ok := st.Geometry.(orb.MultiPolygon); ok {
				pile = st.Geometry.Bound().Center()
				break
			}
		}
	}
	// A construction site and a stockpile breaking a rule: hatched
	// magenta close up, magenta markers from afar.
	var badSite, badPile orb.Point
	for _, st := range src.sites {
		if st.Violation == "" {
			continue
		}
		if st.Kind == skygrid.SiteConstruction && badSite == (orb.Point{}) {
			badSite = st.Geometry.Bound().Center()
		}
		if st.Kind == skygrid.SiteStockpile && badPile == (orb.Point{}) {
			badPile = st.Geometry.Bound().Center()
		}
	}
	if badSite == (orb.Point{}) || badPile == (orb.Point{}) {
		t.Fatal("the demo sites have no construction site or stockpile breaking a rule")
	}
	return []goldenCase{
		{"hotspots_z10_city", skygrid.LayerHotspots, tileAt(cityCentre, 10), 1, &until},
		{"hotspots_z11_hunyuan", skygrid.LayerHotspots, tileAt(hunyuan, 11), 1, &until},
		{"hotspots_z12_hunyuan@2x", skygrid.LayerHotspots, tileAt(hunyuan, 12), 2, &until},
		{"events_z9_city", skygrid.LayerEvents, tileAt(cityCentre, 9), 1, &until},
		{"regions_z8", skygrid.LayerRegions, tileAt(cityCentre, 8), 1, nil},
		{"regions_z11_city", skygrid.LayerRegions, tileAt(cityCentre, 11), 1, nil},
		{"construction_z10_city", skygrid.LayerConstruction, tileAt(site, 10), 1, nil},
		{"construction_z15_site", skygrid.LayerConstruction, tileAt(site, 15), 1, nil},
		{"stockpiles_z16_pile", skygrid.LayerStockpiles, tileAt(pile, 16), 1, nil},
		{"construction_z16_violation", skygrid.LayerConstruction, tileAt(badSite, 16), 1, nil},
		{"construction_z12_violation", skygrid.LayerConstruction, tileAt(badSite, 12), 1, nil},
		{"stockpiles_z12_violation@2x", skygrid.LayerStockpiles, tileAt(badPile, 12), 2, nil},
		{"nocoal_z10_city", skygrid.LayerNoCoal, tileAt(cityCentre, 10), 1, nil},
		{"cropland_z12_field", skygrid.LayerCropland, tileAt(orb.Point{113.42, 40.02}, 12), 1, nil},
		{"industrial_z9_city", skygrid.LayerIndustrial, tileAt(cityCentre, 9), 1, nil},
		{"base_z8", tiles.LayerBase, tileAt(cityCentre, 8), 1, nil},
		{"base_z12_city", tiles.LayerBase, tileAt(cityCentre, 12), 1, nil},
	}
}

// checkGolden draws one tile and compares it with its golden PNG (or
// writes the golden with -update).
func checkGolden(t *testing.T, s *tiles.Server, tc goldenCase) {
	r := req(tc.layer, tc.tile, "png")
	r.Scale, r.Until = tc.scale, tc.until
	tile := get(t, s, r)
	if tile.Empty {
		t.Fatalf("%s: empty tile", tc.name)
	}
	got, err := png.Decode(bytes.NewReader(tile.Data))
	if err != nil {
		t.Fatal(err)
	}
	if n := 256 * tc.scale; got.Bounds().Dx() != n || got.Bounds().Dy() != n {
		t.Fatalf("size %v, want %d px", got.Bounds(), n)
	}
	path := filepath.Join("testdata", "golden", tc.name+".png")
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, tile.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tiles -run Goldens -update)", err)
	}
	want, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	bad, total, err := comparePNG(got, want)
	if err != nil {
		t.Fatal(err)
	}
	if bad*500 > total {
		out := filepath.Join(t.TempDir(), tc.name+".png")
		os.WriteFile(out, tile.Data, 0o644)
		t.Errorf("%d of %d pixels differ from %s (got: %s)", bad, total, path, out)
	}
}

// A tile with something of the layer in it is not blank, and a tile far
// away is the one shared blank PNG.
func TestEmptyTileIsTheSharedBlank(t *testing.T) {
	s := newServer(t, sharedDatong(t), tiles.Options{})
	far := tileAt(orb.Point{-70, -30}, 10)
	for _, layer := range tiles.Layers {
		if layer == tiles.LayerBase {
			continue
		}
		tile := get(t, s, req(layer, far, "png"))
		if !tile.Empty || !bytes.Equal(tile.Data, s.Blank(1).Data) || tile.ETag != s.Blank(1).ETag {
			t.Errorf("%s far away: empty %v, %d bytes, etag %s", layer, tile.Empty, len(tile.Data), tile.ETag)
		}
		m := get(t, s, req(layer, far, "mvt"))
		if !m.Empty || len(m.Data) != 0 {
			t.Errorf("%s mvt far away: empty %v, %d bytes", layer, m.Empty, len(m.Data))
		}
	}
	img, err := png.Decode(bytes.NewReader(s.Blank(2).Data))
	if err != nil || img.Bounds().Dx() != 512 {
		t.Errorf("@2x blank: %v %v", img.Bounds(), err)
	}
	// Outside the counties the basemap is its background, not blank.
	if b := get(t, s, req(tiles.LayerBase, far, "png")); b.Empty {
		t.Error("base tile far away is blank")
	}
}

// Every basemap tile paints its background and its land in exactly the
// same colours, whatever else it holds: a tile with many anti-aliased
// edges once had its every colour rounded to 5 bits a channel, and the map
// showed a patchwork of two greys with seams along the tile edges.
func TestBasemapColoursAreTheSameInEveryTile(t *testing.T) {
	s := newServer(t, sharedDatong(t), tiles.Options{})
	sea, land := color.NRGBA{0xdd, 0xe3, 0xe8, 255}, color.NRGBA{0xf7, 0xf4, 0xec, 255}
	for _, tc := range []struct {
		name string
		tile maptile.Tile
	}{
		{"far away (background only)", tileAt(orb.Point{-70, -30}, 10)},
		{"the city at zoom 8 (outlines)", tileAt(cityCentre, 8)},
		{"浑源县's edge at zoom 11 (grid lines)", tileAt(orb.Point{113.95, 39.50}, 11)},
		{"the city at zoom 12 (many grid lines)", tileAt(cityCentre, 12)},
		{"the city at zoom 10", tileAt(cityCentre, 10)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tile := get(t, s, req(tiles.LayerBase, tc.tile, "png"))
			img, err := png.Decode(bytes.NewReader(tile.Data))
			if err != nil {
				t.Fatal(err)
			}
			// The colours covering more than 5% of the tile are the sea or the land.
			counts := map[color.NRGBA]int{}
			b := img.Bounds()
			for y := b.Min.Y; y < b.Max.Y; y++ {
				for x := b.Min.X; x < b.Max.X; x++ {
					counts[color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)]++
				}
			}
			big := 0
			for c, n := range counts {
				if n*20 > b.Dx()*b.Dy() {
					big++
					if c != sea && c != land {
						t.Errorf("%v covers %d pixels: neither the background %v nor the land %v", c, n, sea, land)
					}
				}
			}
			if big == 0 {
				t.Errorf("no colour covers 5%% of the tile (%d colours)", len(counts))
			}
		})
	}
}

func TestRequestsOutOfRange(t *testing.T) {
	s := newServer(t, sharedDatong(t), tiles.Options{})
	for _, r := range []tiles.Request{
		{Layer: "hotspots", Z: 21, Format: "png"},
		{Layer: "hotspots", Z: -1, Format: "png"},
		{Layer: "hotspots", Z: 3, X: 8, Format: "png"},
		{Layer: "hotspots", Z: 3, Y: -1, Format: "png"},
		{Layer: "hotspots", Z: 3, Format: "jpg"},
		{Layer: "hotspots", Z: 3, Format: "mvt", Scale: 2},
		{Layer: "hotspots", Z: 3, Format: "png", Scale: 3},
		{Layer: "base", Z: 3, Format: "mvt"},
	} {
		if _, _, err := s.Get(context.Background(), r); skygrid.ErrorCode(err) != skygrid.EINVALID {
			t.Errorf("%+v: %v, want EINVALID", r, err)
		}
	}
	if _, _, err := s.Get(context.Background(), tiles.Request{Layer: "roads", Format: "png"}); skygrid.ErrorCode(err) != skygrid.ENOTFOUND {
		t.Errorf("unknown layer: %v", err)
	}
	since, until := octoberEnd, octoberEnd.Add(-time.Hour)
	if _, _, err := s.Get(context.Background(), tiles.Request{Layer: "hotspots", Format: "png", Since: &since, Until: &until}); skygrid.ErrorCode(err) != skygrid.EINVALID {
		t.Errorf("until before since: %v", err)
	}
}

// The time window keeps what it should: the hotspots tile of one day
// differs from the whole month's, and a window before the data is blank.
func TestTimeWindow(t *testing.T) {
	src := sharedDatong(t)
	s := newServer(t, src, tiles.Options{})
	tl := tileAt(hunyuan, 11)
	all := get(t, s, req(skygrid.LayerHotspots, tl, "png"))
	r := req(skygrid.LayerHotspots, tl, "png")
	since, until := time.Date(2023, 10, 24, 0, 0, 0, 0, time.UTC), time.Date(2023, 10, 25, 0, 0, 0, 0, time.UTC)
	r.Since, r.Until = &since, &until
	day := get(t, s, r)
	if all.Empty || day.ETag == all.ETag {
		t.Errorf("one day's tile equals the month's (%v)", day.Empty)
	}
	before := time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC)
	r.Since, r.Until = nil, &before
	if b := get(t, s, r); !b.Empty {
		t.Error("a window before the data is not blank")
	}
	// The vector tile holds exactly the day's detections in that tile.
	r = req(skygrid.LayerHotspots, tl, "mvt")
	r.Since, r.Until = &since, &until
	m := get(t, s, r)
	layers, err := mvt.Unmarshal(m.Data)
	if err != nil {
		t.Fatal(err)
	}
	want := inTile(src.hotspots, tl, since, until)
	if got := insideExtent(layers[0]); got != want || want == 0 {
		t.Errorf("vector tile of 24 Oct: %d features, want %d", got, want)
	}
}

func TestVectorTilesDecodeWithOrb(t *testing.T) {
	src := sharedDatong(t)
	s := newServer(t, src, tiles.Options{})
	tl := tileAt(hunyuan, 12)
	m := get(t, s, req(skygrid.LayerHotspots, tl, "mvt"))
	if m.Empty || m.ContentType != "application/vnd.mapbox-vector-tile" {
		t.Fatalf("hotspots mvt: empty %v, %s", m.Empty, m.ContentType)
	}
	layers, err := mvt.Unmarshal(m.Data)
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 1 || layers[0].Name != "hotspots" {
		t.Fatalf("layers %v", layers)
	}
	want := inTile(src.hotspots, tl, time.Time{}, octoberEnd)
	if got := insideExtent(layers[0]); got != want || want < 10 {
		t.Errorf("%d features inside the tile, want %d (the hotspots inside its bound)", got, want)
	}
	if n := len(layers[0].Features); n > want*2 {
		t.Errorf("%d features with the buffer, for %d inside", n, want)
	}
	layers.ProjectToWGS84(tl)
	f := layers[0].Features[0]
	if !tl.Bound().Pad(0.01).Contains(f.Geometry.(orb.Point)) {
		t.Errorf("feature at %v outside the tile %v", f.Geometry, tl.Bound())
	}
	for _, k := range []string{"acq_time", "frp", "status"} {
		if _, ok := f.Properties[k]; !ok {
			t.Errorf("hotspot feature lacks %s: %v", k, f.Properties)
		}
	}
	if _, ok := f.Properties["satellite"]; ok {
		t.Errorf("z12 hotspot carries the detail attributes: %v", f.Properties)
	}
	// From zoom 13, every attribute.
	m = get(t, s, req(skygrid.LayerHotspots, maptile.At(f.Geometry.(orb.Point), 13), "mvt"))
	layers, err = mvt.Unmarshal(m.Data)
	if err != nil || len(layers[0].Features) == 0 {
		t.Fatalf("z13: %v", err)
	}
	for _, k := range []string{"acq_time", "frp", "satellite", "confidence", "status"} {
		if _, ok := layers[0].Features[0].Properties[k]; !ok {
			t.Errorf("z13 hotspot feature lacks %s: %v", k, layers[0].Features[0].Properties)
		}
	}
	// Every other layer: features with their attributes.
	site := src.sites[0].Geometry.Bound().Center()
	for _, tc := range []struct {
		layer string
		tile  maptile.Tile
		attr  string
	}{
		{skygrid.LayerEvents, tileAt(cityCentre, 8), "class"},
		{skygrid.LayerRegions, tileAt(cityCentre, 10), "level"},
		{skygrid.LayerConstruction, tileAt(site, 14), "violation"},
		{skygrid.LayerNoCoal, tileAt(cityCentre, 10), "name"},
		{skygrid.LayerIndustrial, tileAt(cityCentre, 8), "kind"},
	} {
		m := get(t, s, req(tc.layer, tc.tile, "mvt"))
		layers, err := mvt.Unmarshal(m.Data)
		if err != nil || len(layers) != 1 || len(layers[0].Features) == 0 {
			t.Errorf("%s: %v, %v", tc.layer, layers, err)
			continue
		}
		if _, ok := layers[0].Features[0].Properties[tc.attr]; !ok {
			t.Errorf("%s feature lacks %s: %v", tc.layer, tc.attr, layers[0].Features[0].Properties)
		}
	}
}

// GDAL's MVT driver reads the tiles too (gdal-bin; make test installs it).
func TestVectorTilesDecodeWithGDAL(t *testing.T) {
	ogr, err := exec.LookPath("ogrinfo")
	if err != nil {
		t.Fatal("ogrinfo not found: install gdal-bin (apt-get install -y gdal-bin); make test and .ci/run do")
	}
	src := sharedDatong(t)
	s := newServer(t, src, tiles.Options{})
	for _, tc := range []struct {
		layer string
		tile  maptile.Tile
	}{
		{skygrid.LayerHotspots, tileAt(hunyuan, 12)},
		{skygrid.LayerRegions, tileAt(cityCentre, 10)},
		{skygrid.LayerNoCoal, tileAt(cityCentre, 10)},
	} {
		m := get(t, s, req(tc.layer, tc.tile, "mvt"))
		layers, err := mvt.Unmarshal(m.Data)
		if err != nil {
			t.Fatal(err)
		}
		// GDAL takes z/x/y from the path.
		path := filepath.Join(t.TempDir(), strconv.Itoa(int(tc.tile.Z)), strconv.Itoa(int(tc.tile.X)), strconv.Itoa(int(tc.tile.Y))+".pbf")
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, m.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(ogr, "-ro", "-al", "-so", path).CombinedOutput()
		if err != nil {
			t.Fatalf("ogrinfo %s: %v\n%s", path, err, out)
		}
		match := regexp.MustCompile(`Layer name: (\w+)[\s\S]*?Feature Count: (\d+)`).FindSubmatch(out)
		if match == nil {
			t.Fatalf("ogrinfo output:\n%s", out)
		}
		n, _ := strconv.Atoi(string(match[2]))
		// GDAL splits a layer by geometry type; count them all.
		total := 0
		for _, m := range regexp.MustCompile(`Feature Count: (\d+)`).FindAllSubmatch(out, -1) {
			k, _ := strconv.Atoi(string(m[1]))
			total += k
		}
		if string(match[1]) != tc.layer || n == 0 || total != len(layers[0].Features) {
			t.Errorf("%s: GDAL sees layer %s with %d features (all parts %d), orb %d\n%s", tc.layer, match[1], n, total, len(layers[0].Features), out)
		}
	}
}

// insideExtent counts point features inside the tile proper (a vector tile
// also carries those in its buffer).
func insideExtent(l *mvt.Layer) int {
	n := 0
	for _, f := range l.Features {
		p := f.Geometry.(orb.Point)
		if p[0] >= 0 && p[0] < float64(l.Extent) && p[1] >= 0 && p[1] < float64(l.Extent) {
			n++
		}
	}
	return n
}

// The cache serves a tile again until its layer's version moves: new
// hotspots redraw the hotspots tile and leave the construction tile cached.
func TestCacheFollowsLayerVersions(t *testing.T) {
	src := datong(t)
	// A load never slower than the wait: no tile is stale here.
	s := newServer(t, src, tiles.Options{StaleWait: time.Minute})
	ctx := context.Background()
	tl := tileAt(hunyuan, 12)
	site := src.sites[0].Geometry.Bound().Center()
	hot := req(skygrid.LayerHotspots, tl, "png")
	con := req(skygrid.LayerConstruction, tileAt(site, 12), "png")
	h1, hit, _ := s.Get(ctx, hot)
	c1, hit2, _ := s.Get(ctx, con)
	if hit || hit2 || h1.Empty || c1.Empty {
		t.Fatalf("first draw: hits %v %v, empty %v %v", hit, hit2, h1.Empty, c1.Empty)
	}
	loads := src.loads[skygrid.LayerHotspots]
	if h, hit, _ := s.Get(ctx, hot); !hit || h != h1 {
		t.Error("the same tile again is not a cache hit")
	}
	// A new detection in the tile, as an ingest would add, and its version.
	src.mu.Lock()
	src.hotspots = append(src.hotspots, &skygrid.Hotspot{Satellite: "N20", AcqTime: time.Date(2023, 10, 31, 5, 0, 0, 0, time.UTC),
		Point: tl.Center(), FRP: 40, Confidence: "h", Status: skygrid.StatusFire})
	src.mu.Unlock()
	src.bump(skygrid.LayerHotspots)
	h2, hit, _ := s.Get(ctx, hot)
	if hit || h2.ETag == h1.ETag {
		t.Errorf("after new hotspots: hit %v, same etag %v", hit, h2.ETag == h1.ETag)
	}
	if src.loads[skygrid.LayerHotspots] != loads+1 {
		t.Errorf("hotspots read %d times, want %d", src.loads[skygrid.LayerHotspots], loads+1)
	}
	if c, hit, _ := s.Get(ctx, con); !hit || c != c1 {
		t.Error("an unrelated layer's tile left the cache")
	}
	src.bump(skygrid.LayerConstruction)
	if _, hit, _ := s.Get(ctx, con); hit {
		t.Error("the construction tile is served from cache after its layer changed")
	}
	// With the cache off every request draws.
	off := newServer(t, src, tiles.Options{CacheTiles: -1})
	off.Get(ctx, hot)
	if _, hit, _ := off.Get(ctx, hot); hit {
		t.Error("cache off, still a hit")
	}
}

// heldSource holds every hotspots scan while a hold is set, and tells
// started (when not nil) that a scan is held.
type heldSource struct {
	*memSource
	hold    atomic.Pointer[chan struct{}]
	started chan struct{}
}

func (h *heldSource) ScanHotspots(ctx context.Context, fn func(*skygrid.Hotspot) error) error {
	if c := h.hold.Load(); c != nil {
		if h.started != nil {
			select {
			case h.started <- struct{}{}:
			default:
			}
		}
		select {
		case <-*c:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return h.memSource.ScanHotspots(ctx, fn)
}

// While the hotspots' new version loads for longer than StaleWait, a tile
// is served from the version before and said to be stale (X-Tile-Cache:
// stale), kept or drawn now, not a hit: it lacks the new detections.
// Once loaded, the tile of a new detection is drawn again.
func TestSlowLoadServesStale(t *testing.T) {
	src := &heldSource{memSource: datong(t)}
	s := newServer(t, src, tiles.Options{StaleWait: 20 * time.Millisecond})
	ctx := context.Background()
	tl := tileAt(hunyuan, 12)
	hot, other := req(skygrid.LayerHotspots, tl, "png"), req(skygrid.LayerHotspots, tileAt(cityCentre, 9), "png")
	h1, state, err := s.Fetch(ctx, hot)
	if err != nil || state != tiles.CacheMiss {
		t.Fatalf("first draw: %q %v", state, err)
	}
	hold := make(chan struct{})
	src.hold.Store(&hold)
	src.mu.Lock()
	src.hotspots = append(src.hotspots, &skygrid.Hotspot{Satellite: "N20", AcqTime: time.Date(2023, 10, 31, 5, 0, 0, 0, time.UTC),
		Point: tl.Center(), FRP: 40, Confidence: "h", Status: skygrid.StatusFire})
	src.mu.Unlock()
	src.bump(skygrid.LayerHotspots)
	if h, state, err := s.Fetch(ctx, hot); err != nil || state != tiles.CacheStale || h != h1 {
		t.Errorf("kept tile while the new version loads: %q %v, same tile %v; want the kept tile, stale", state, err, h == h1)
	}
	if h, state, err := s.Fetch(ctx, other); err != nil || state != tiles.CacheStale || h.Empty {
		t.Errorf("a tile never drawn, while the new version loads: %q %v; want drawn from the version before, stale", state, err)
	}
	src.hold.Store(nil)
	close(hold)
	deadline := time.Now().Add(10 * time.Second)
	for state = ""; state == tiles.CacheStale || state == ""; {
		if time.Now().After(deadline) {
			t.Fatal("still stale 10 s after the load was let go")
		}
		var h *tiles.Tile
		if h, state, err = s.Fetch(ctx, hot); err != nil {
			t.Fatal(err)
		}
		if state != tiles.CacheStale && h.ETag == h1.ETag {
			t.Errorf("after the load: %q with the old tile", state)
		}
	}
	if state != tiles.CacheMiss {
		t.Errorf("after the load: %q, want the tile drawn again (miss)", state)
	}
}

// The first request for a tile goes away (the user panned) while another
// waits for the same tile: the drawing goes on and the other gets it.
func TestCancelledRequestDoesNotFailOthers(t *testing.T) {
	src := &heldSource{memSource: datong(t), started: make(chan struct{}, 1)}
	release := make(chan struct{})
	src.hold.Store(&release)
	s := newServer(t, src, tiles.Options{})
	r := req(skygrid.LayerHotspots, tileAt(hunyuan, 12), "png")
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		_, _, err := s.Get(ctx, r)
		first <- err
	}()
	<-src.started
	second := make(chan *tiles.Tile, 1)
	go func() {
		t2, _, err := s.Get(context.Background(), r)
		if err != nil {
			t.Error(err)
		}
		second <- t2
	}()
	cancel()
	if err := <-first; err != context.Canceled {
		t.Errorf("cancelled request: %v", err)
	}
	close(release)
	select {
	case t2 := <-second:
		if t2 == nil || t2.Empty {
			t.Error("the waiting request got no tile")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting request never got its tile")
	}
}

// The cache keeps within its byte budget, dropping the oldest tiles.
func TestCacheByteBudget(t *testing.T) {
	src := sharedDatong(t)
	s := newServer(t, src, tiles.Options{CacheBytes: 20 << 10})
	ctx := context.Background()
	var reqs []tiles.Request
	for _, tl := range datongTiles(src, 10) {
		reqs = append(reqs, req(tiles.LayerBase, tl, "png"))
	}
	total := 0
	for _, r := range reqs {
		tile, _, _ := s.Get(ctx, r)
		total += len(tile.Data)
	}
	if total < 40<<10 {
		t.Fatalf("the tiles make only %d bytes; the test needs more than twice the budget", total)
	}
	if _, hit, _ := s.Get(ctx, reqs[0]); hit {
		t.Error("the first tile is still cached past the byte budget")
	}
	if _, hit, _ := s.Get(ctx, reqs[len(reqs)-1]); !hit {
		t.Error("the last tile is not cached")
	}
}

func TestTileJSON(t *testing.T) {
	s := newServer(t, sharedDatong(t), tiles.Options{})
	ctx := context.Background()
	tj, err := s.TileJSON(ctx, "hotspots", "mvt", "http://127.0.0.1:8080/", orb.Bound{})
	if err != nil {
		t.Fatal(err)
	}
	if tj.Bounds != nil || tj.Center != nil || tj.Tiles[0] != "http://127.0.0.1:8080/tiles/hotspots/{z}/{x}/{y}.mvt" ||
		tj.VectorLayers[0].ID != "hotspots" || tj.Version != "1.0.1" {
		t.Errorf("no regions: %+v", tj)
	}
	b := orb.Bound{Min: orb.Point{113, 40}, Max: orb.Point{114, 41}}
	tj, _ = s.TileJSON(ctx, "construction", "png", "http://h", b)
	if tj.Bounds[0] >= 113 || tj.Bounds[0] < 112.9 || tj.Bounds[3] <= 41 || tj.TimeParams != nil || tj.VectorLayers != nil {
		t.Errorf("bounds %v (want the regions and 5 km more)", tj.Bounds)
	}
	if _, err := s.TileJSON(ctx, "base", "mvt", "http://h", b); skygrid.ErrorCode(err) != skygrid.EINVALID {
		t.Errorf("base as mvt: %v", err)
	}
}

// A city-wide tile of 100,000 detections draws only the newest in each
// pixel: it looks as drawing them all does.
func TestDenseTileDrawsNewestPerPixel(t *testing.T) {
	src := manyPoints(t, 100_000)
	ctx := context.Background()
	r := req(skygrid.LayerHotspots, tileAt(cityCentre, 8), "png")
	draw := func() image.Image {
		s := newServer(t, src, tiles.Options{CacheTiles: -1})
		tile, _, err := s.Get(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(tile.Data))
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	dense := draw()
	old := tiles.SetDenseDots(1 << 30)
	all := draw()
	tiles.SetDenseDots(old)
	// Pixel by pixel they differ where an older, larger dot peeks out
	// from under a newer one; what a user sees is the same: the same
	// pixels covered, the same colours on average.
	covered := func(img image.Image) (n int, sum [3]float64) {
		b := img.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
				if c.A > 128 {
					n++
					sum[0], sum[1], sum[2] = sum[0]+float64(c.R), sum[1]+float64(c.G), sum[2]+float64(c.B)
				}
			}
		}
		return n, sum
	}
	nd, sd := covered(dense)
	na, sa := covered(all)
	if nd < na*97/100 || nd > na*103/100 || na < 10000 {
		t.Errorf("covered pixels: %d newest-per-pixel, %d every dot", nd, na)
	}
	for i := range sd {
		md, ma := sd[i]/float64(nd), sa[i]/float64(na)
		if math.Abs(md-ma) > 6 {
			t.Errorf("channel %d: mean %.1f newest-per-pixel, %.1f every dot", i, md, ma)
		}
	}
	t.Logf("covered %d vs %d pixels", nd, na)
	if dir := os.Getenv("SKYGRID_TILE_OUT"); dir != "" {
		for name, img := range map[string]image.Image{"dense.png": dense, "all.png": all} {
			f, _ := os.Create(filepath.Join(dir, name))
			png.Encode(f, img)
			f.Close()
		}
	}
}
