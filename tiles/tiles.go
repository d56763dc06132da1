// Package tiles draws skygrid's map layers as PNG tiles (golang.org/x/image/vector
// for anti-aliased shapes, disintegration/imaging for basemap resampling)
// and as Mapbox vector tiles (orb/encoding/mvt), with an in-process cache
// keyed by each layer's data version. It knows neither SQL nor HTTP: the
// store is reached through Source and the api package serves the bytes.
package tiles

import (
	"bytes"
	"context"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"skygrid"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// LayerBase is the basemap drawn from the stored boundaries.
const LayerBase = "base"

// Layers lists every tile layer: the data layers and the basemap.
var Layers = []string{skygrid.LayerHotspots, skygrid.LayerEvents, skygrid.LayerRegions, skygrid.LayerConstruction,
	skygrid.LayerStockpiles, skygrid.LayerNoCoal, skygrid.LayerCropland, skygrid.LayerIndustrial, LayerBase}

// LayerNames are the Chinese names of the layers, for legends.
var LayerNames = map[string]string{
	skygrid.LayerHotspots: "火点", skygrid.LayerEvents: "火情事件", skygrid.LayerRegions: "行政区与网格",
	skygrid.LayerConstruction: "工地", skygrid.LayerStockpiles: "堆场", skygrid.LayerNoCoal: "禁煤区",
	skygrid.LayerCropland: "耕地", skygrid.LayerIndustrial: "工业热源", LayerBase: "离线底图",
}

// Timed reports whether a layer takes the since/until window.
func Timed(layer string) bool { return layer == skygrid.LayerHotspots || layer == skygrid.LayerEvents }

// MaxZoom is the deepest zoom served.
const MaxZoom = 20

// Request is one tile.
type Request struct {
	Layer   string
	Z, X, Y int
	Scale   int    // 1 (256 px) or 2 (512 px); PNG only
	Format  string // "png" or "mvt"
	// Since and Until bound the time-based layers; nil is open.
	Since, Until *time.Time
	// Scope limits what a scoped user's tiles show (nil: everything).
	Scope *Scope
}

// Scope is a user's area: data outside it is left out of their tiles
// (the basemap's boundaries are shown to all).
type Scope struct {
	// Key names the scope in the cache (the user's regions).
	Key string
	// Regions are the scope's region ids (a region is shown when it, its
	// parent or its grandparent is one of them).
	Regions []string
	// Contains reports whether a point lies in the area (hotspots,
	// events, sites).
	Contains func(orb.Point) bool
	// Area, when Contains is nil, gives Contains for the regions as they
	// are at the regions' layer version (the one Fetch read), and is
	// asked only when a tile is drawn: a caller keeps the areas by that
	// version, and a tile served from the cache reads no region.
	Area func(ctx context.Context, regionsVersion int64) (func(orb.Point) bool, error)
}

// withArea returns r with its scope's Contains given by Area at the
// regions' version.
func (r Request) withArea(ctx context.Context, regionsVersion int64) (Request, error) {
	if r.Scope == nil || r.Scope.Contains != nil || r.Scope.Area == nil || r.Layer == LayerBase {
		return r, nil
	}
	f, err := r.Scope.Area(ctx, regionsVersion)
	if err != nil {
		return r, err
	}
	sc := *r.Scope
	sc.Contains = f
	r.Scope = &sc
	return r, nil
}

// Tile is an encoded tile. Empty tiles are shared: one blank PNG per size,
// and no bytes for MVT (served as 204).
type Tile struct {
	Data        []byte
	ContentType string
	ETag        string
	Empty       bool
}

// BaseTiles is a prepared basemap, such as an MBTiles file.
type BaseTiles interface {
	// BaseTile returns the image of a tile in XYZ numbering, nil if absent.
	BaseTile(ctx context.Context, z, x, y int) ([]byte, error)
	// MaxZoom is the deepest zoom the basemap holds.
	MaxZoom() int
}

// Options configure a Server.
type Options struct {
	// CacheTiles is how many encoded tiles the cache keeps: 0 means 20,000;
	// negative turns the cache off (for measuring rendering).
	CacheTiles int
	// CacheBytes bounds the bytes the cache keeps: 0 means 256 MiB.
	CacheBytes int64
	// Basemap replaces the drawn basemap where it has tiles.
	Basemap BaseTiles
	// Now is the clock hotspot ages are counted from when no until is
	// given. A PNG tile of the hotspots counts them from the last moment
	// a hotspot's age crossed a colour's boundary (see points.ageEpoch):
	// kept tiles change colour when a dot would, not on a clock. Vector
	// tiles carry acq_time and leave the colour to the client.
	Now func() time.Time
	// StaleWait is how long a request waits, after the data changed, for
	// the layer to load again (else the tile is drawn from the data loaded
	// before) and for its tile to be drawn again (else the tile kept from
	// before is served); 0: 200 ms. See Fetch.
	StaleWait time.Duration
	// Drawers is how many tiles are drawn at once: 0 means one per core
	// (GOMAXPROCS). The others wait their turn, first come first served.
	Drawers int
}

// Server renders and caches tiles.
type Server struct {
	src   Source
	opt   Options
	snaps *snapshots
	cache *lru.Cache[string, cached]
	// cacheBytes is the size of the tiles in the cache.
	cacheBytes atomic.Int64
	// preloads counts the layer versions Changed started loading.
	preloads atomic.Int64
	// mu guards flights (the tiles being drawn) and the cache's bytes;
	// redraws holds a token while a stale tile is drawn again.
	mu      sync.Mutex
	flights map[string]*flight
	redraws chan struct{}
	// gate holds a token per tile being drawn (Options.Drawers); waiting
	// counts the tiles queued for one.
	gate    chan struct{}
	waiting atomic.Int64
	blank   map[int]*Tile
	bufs    sync.Pool
	// dirty is where each layer changed, per step of versions (Invalidate)
	dirty dirtyLog
}

// NewServer returns a tile server over src.
func NewServer(src Source, opt Options) (*Server, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.StaleWait == 0 {
		opt.StaleWait = 200 * time.Millisecond
	}
	if opt.Drawers <= 0 {
		opt.Drawers = runtime.GOMAXPROCS(0)
	}
	s := &Server{src: src, opt: opt, blank: map[int]*Tile{}, flights: map[string]*flight{}, redraws: make(chan struct{}, 1),
		gate: make(chan struct{}, opt.Drawers)}
	s.snaps = &snapshots{src: src, wait: opt.StaleWait, step: s.Invalidate}
	s.bufs.New = func() any { b := make([]int32, 0, 4096); return &b }
	if opt.CacheTiles >= 0 {
		n := opt.CacheTiles
		if n == 0 {
			n = 20000
		}
		if s.opt.CacheBytes <= 0 {
			s.opt.CacheBytes = 256 << 20
		}
		c, err := lru.NewWithEvict[string, cached](n, func(_ string, c cached) { s.cacheBytes.Add(-int64(len(c.tile.Data))) })
		if err != nil {
			return nil, err
		}
		s.cache = c
	}
	for _, scale := range []int{1, 2} {
		var buf bytes.Buffer
		if err := png.Encode(&buf, image.NewNRGBA(image.Rect(0, 0, 256*scale, 256*scale))); err != nil {
			return nil, err
		}
		s.blank[scale] = &Tile{Data: buf.Bytes(), ContentType: "image/png", ETag: fmt.Sprintf(`"blank-%d"`, 256*scale), Empty: true}
	}
	return s, nil
}

// Blank is the shared empty PNG of a size (1 or 2).
func (s *Server) Blank(scale int) *Tile { return s.blank[scale] }

// Check validates a request: known layer and format, z/x/y in range.
func Check(r *Request) error {
	if !slices.Contains(Layers, r.Layer) {
		return skygrid.Errorf(skygrid.ENOTFOUND, "no tile layer %q (layers: %v)", r.Layer, Layers)
	}
	if r.Format != "png" && r.Format != "mvt" {
		return skygrid.Errorf(skygrid.EINVALID, "tile format %q: want png or mvt", r.Format)
	}
	if r.Format == "mvt" && r.Layer == LayerBase {
		return skygrid.Errorf(skygrid.EINVALID, "the basemap is served as PNG only")
	}
	if r.Scale == 0 {
		r.Scale = 1
	}
	if r.Scale != 1 && !(r.Scale == 2 && r.Format == "png") {
		return skygrid.Errorf(skygrid.EINVALID, "tile scale @%dx: want @2x on PNG tiles only", r.Scale)
	}
	if r.Z < 0 || r.Z > MaxZoom {
		return skygrid.Errorf(skygrid.EINVALID, "zoom %d out of range 0..%d", r.Z, MaxZoom)
	}
	if n := 1 << r.Z; r.X < 0 || r.X >= n || r.Y < 0 || r.Y >= n {
		return skygrid.Errorf(skygrid.EINVALID, "tile %d/%d/%d out of range: x and y must be 0..%d at zoom %d", r.Z, r.X, r.Y, n-1, r.Z)
	}
	if r.Since != nil && r.Until != nil && !r.Until.After(*r.Since) {
		return skygrid.Errorf(skygrid.EINVALID, "until must be after since")
	}
	return nil
}

// version is the data version a layer's tiles depend on.
func version(vs map[string]int64, layer string) int64 {
	if layer == LayerBase {
		return vs[skygrid.LayerRegions]
	}
	return vs[layer]
}

func (s *Server) window(r *Request, snap *snapshot) window {
	var w window
	if !Timed(r.Layer) {
		return w
	}
	if r.Since != nil {
		w.since = r.Since.Unix()
	}
	if r.Until != nil {
		w.until = r.Until.Unix()
		w.ref = w.until
	} else if r.Layer == skygrid.LayerHotspots && r.Format == "png" && snap.pts != nil {
		w.ref = snap.pts.ageEpoch(s.opt.Now().Unix())
	}
	return w
}

// Get returns a tile, from the cache (hit true) when the layer's data has
// not changed since it was drawn.
func (s *Server) Get(ctx context.Context, r Request) (t *Tile, hit bool, err error) {
	t, state, err := s.Fetch(ctx, r)
	return t, state == CacheHit, err
}

// How Fetch found a tile.
const (
	CacheHit  = "hit"  // drawn from the data as it is now, kept
	CacheMiss = "miss" // drawn now
	// CacheStale: drawn from the data as it was before the last change
	// (kept from before it, or drawn now while the new data loads)
	CacheStale = "stale"
)

// cached is a kept tile and what it was drawn from.
type cached struct {
	tile    *Tile
	version int64 // the layer's data version
	ref     int64 // the time hotspot ages are counted from (the window's ref)
}

func (c cached) newer(o cached) bool {
	return c.version > o.version || (c.version == o.version && c.ref > o.ref)
}

// flight is a tile being drawn, for every request that wants it.
type flight struct {
	done chan struct{}
	t    *Tile
	err  error
}

// Fetch returns a tile and how it was found (CacheHit, CacheMiss or
// CacheStale). The cache keeps one tile per address (layer, z/x/y,
// format, window, scope), with the version of the data it shows. When
// the data has changed since but not within the tile's area and buffer
// (the steps recorded by Invalidate), the kept tile is a hit at the new
// version. When it changed there, the tile is drawn again while the request
// waits at most Options.StaleWait; past that, or when another tile is
// already being drawn again, the kept tile is served (CacheStale): at most
// one tile at a time is redrawn for stale requests, so an ingest that
// changes the data every few seconds does not take every core redrawing
// a season's tiles. While the layer's new data loads for longer than
// StaleWait, the tile comes from the data before (CacheStale too, kept
// or drawn). A layer named "a,b" is a vector tile of several layers
// (fetchLayers).
func (s *Server) Fetch(ctx context.Context, r Request) (*Tile, string, error) {
	if strings.Contains(r.Layer, ",") {
		return s.fetchLayers(ctx, r)
	}
	vs, err := s.src.LayerVersions(ctx)
	if err != nil {
		return nil, "", err
	}
	return s.fetch(ctx, r, vs)
}

// fetch is Fetch of one layer at the layers' versions vs.
func (s *Server) fetch(ctx context.Context, r Request, vs map[string]int64) (*Tile, string, error) {
	if err := Check(&r); err != nil {
		return nil, "", err
	}
	// The data the tile is drawn from, and the version it is kept under:
	// the layer's (the basemap draws the regions).
	layer := r.Layer
	if layer == LayerBase {
		layer = skygrid.LayerRegions
	}
	v := version(vs, r.Layer)
	snap, err := s.snaps.get(ctx, layer, v)
	if err != nil {
		return nil, "", err
	}
	t, state, err := s.fetchFrom(ctx, r, vs, layer, snap)
	if err == nil && snap.version < v {
		// The layer's new data is still loading (snapshots.get waited
		// its StaleWait): whether kept or drawn now, the tile lacks it.
		state = CacheStale
	}
	return t, state, err
}

// fetchFrom is fetch's tile drawn from, or kept at, the snapshot snap of
// the layer's data.
func (s *Server) fetchFrom(ctx context.Context, r Request, vs map[string]int64, layer string, snap *snapshot) (*Tile, string, error) {
	w := s.window(&r, snap)
	want := cached{version: snap.version, ref: w.ref}
	key := fmt.Sprintf("%s/%d/%d/%d@%d.%s/%d/%d", r.Layer, r.Z, r.X, r.Y, r.Scale, r.Format, w.since, w.until)
	if r.Scope != nil && r.Layer != LayerBase {
		// The scope's area is the regions': an import draws it again.
		key += fmt.Sprintf("/scope:%s@%d", r.Scope.Key, vs[skygrid.LayerRegions])
	}
	var old *cached
	if s.cache != nil {
		if c, ok := s.cache.Get(key); ok {
			if !want.newer(c) {
				return c.tile, CacheHit, nil
			}
			tl := maptile.New(uint32(r.X), uint32(r.Y), maptile.Zoom(r.Z))
			if c.ref == want.ref && s.clean(layer, c.version, want.version, tl) {
				// The data changed elsewhere: the tile holds at the new version.
				c.version = want.version
				s.remember(key, c)
				return c.tile, CacheHit, nil
			}
			old = &c
		}
	}
	f := s.draw(fmt.Sprintf("%s@%d/%d", key, want.version, want.ref), old != nil, func() (*Tile, error) {
		// Not stopped when the requests go away (a map cancels them as
		// the user pans), only after renderTimeout.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), renderTimeout)
		defer cancel()
		rq, err := r.withArea(rctx, vs[skygrid.LayerRegions])
		if err != nil {
			return nil, err
		}
		t, err := s.gated(func() (*Tile, error) { return s.render(rctx, rq, snap, w) })
		if err == nil {
			want.tile = t
			s.remember(key, want)
		}
		return t, err
	})
	if f == nil {
		return old.tile, CacheStale, nil
	}
	var stale <-chan time.Time
	if old != nil {
		tm := time.NewTimer(s.opt.StaleWait)
		defer tm.Stop()
		stale = tm.C
	}
	select {
	case <-f.done:
		if f.err != nil {
			return nil, "", f.err
		}
		return f.t, CacheMiss, nil
	case <-stale:
		return old.tile, CacheStale, nil
	case <-ctx.Done():
		return nil, "", ctx.Err()
	}
}

// fetchLayers serves a vector tile of several data layers, named with
// commas ("regions,hotspots", as Mapbox names composite sources): each
// layer's tile is fetched (and kept) on its own and the tile is their
// concatenation, which is a valid tile of all of them (a tile is a list
// of layers). It is a hit when every layer's is, stale when one is.
func (s *Server) fetchLayers(ctx context.Context, r Request) (*Tile, string, error) {
	names := strings.Split(r.Layer, ",")
	if r.Format != "mvt" {
		return nil, "", skygrid.Errorf(skygrid.EINVALID, "layers %q: several layers are served as vector tiles (.mvt) only", r.Layer)
	}
	vs, err := s.src.LayerVersions(ctx) // once for all the layers
	if err != nil {
		return nil, "", err
	}
	for i, name := range names {
		if name == LayerBase || slices.Contains(names[:i], name) {
			return nil, "", skygrid.Errorf(skygrid.EINVALID, "layers %q: want distinct data layers (not %q twice, not the basemap)", r.Layer, name)
		}
	}
	// The layers at once: each waits for its turn to be drawn (gated)
	// beside the others, not one turn after another.
	type part struct {
		t     *Tile
		state string
		err   error
	}
	got := make([]part, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			one := r
			one.Layer = name
			got[i].t, got[i].state, got[i].err = s.fetch(ctx, one, vs)
		}()
	}
	wg.Wait()
	state := CacheHit
	parts := make([]*Tile, 0, len(names))
	size := 0
	for _, g := range got {
		if g.err != nil {
			return nil, "", g.err
		}
		if g.state == CacheStale || (g.state == CacheMiss && state == CacheHit) {
			state = g.state
		}
		parts, size = append(parts, g.t), size+len(g.t.Data)
	}
	if size == 0 {
		return &Tile{ContentType: "application/vnd.mapbox-vector-tile", Empty: true}, state, nil
	}
	// The bytes in one allocation; the ETag from the parts' (each names
	// its bytes), not from hashing the bytes again.
	data, tags := make([]byte, 0, size), make([]byte, 0, 20*len(parts))
	for _, t := range parts {
		data, tags = append(data, t.Data...), append(tags, t.ETag...)
	}
	return &Tile{Data: data, ContentType: "application/vnd.mapbox-vector-tile", ETag: etag(tags)}, state, nil
}

// draw starts drawing a tile (fresh names the tile and the data drawn),
// or joins the drawing under way. For a redraw (a stale tile is kept) it
// draws only when no other redraw runs, else returns nil.
func (s *Server) draw(fresh string, redraw bool, fn func() (*Tile, error)) *flight {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.flights[fresh]; f != nil {
		return f
	}
	if redraw {
		select {
		case s.redraws <- struct{}{}:
		default:
			return nil
		}
	}
	f := &flight{done: make(chan struct{})}
	s.flights[fresh] = f
	go func() {
		f.t, f.err = fn()
		if redraw {
			<-s.redraws
		}
		s.mu.Lock()
		delete(s.flights, fresh)
		s.mu.Unlock()
		close(f.done)
	}()
	return f
}

// gated draws a tile when a drawer is free. Drawing is all CPU: with one
// drawer per core, a tile is drawn at full speed once its turn comes,
// instead of every tile asked at once sharing the cores and each taking
// as many times longer as there are requests (a z10 tile of 27,000 points
// behind 32 connections on 2 cores took 16 times its drawing time). The
// turns are taken in order: a channel serves its waiting senders first
// come first served.
func (s *Server) gated(draw func() (*Tile, error)) (*Tile, error) {
	s.waiting.Add(1)
	s.gate <- struct{}{}
	s.waiting.Add(-1)
	defer func() { <-s.gate }()
	return draw()
}

// renderTimeout bounds drawing one tile, and loading a layer.
const renderTimeout = 2 * time.Minute

// remember keeps a tile (unless a newer one is kept) and evicts the
// oldest while the cache holds more bytes than its budget.
func (s *Server) remember(key string, c cached) {
	if s.cache == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.cache.Peek(key); ok {
		if old.newer(c) {
			return
		}
		s.cacheBytes.Add(-int64(len(old.tile.Data)))
	}
	s.cacheBytes.Add(int64(len(c.tile.Data)))
	s.cache.Add(key, c)
	for s.cacheBytes.Load() > s.opt.CacheBytes && s.cache.Len() > 0 {
		s.cache.RemoveOldest()
	}
}

func (s *Server) render(ctx context.Context, r Request, snap *snapshot, w window) (*Tile, error) {
	t := maptile.New(uint32(r.X), uint32(r.Y), maptile.Zoom(r.Z))
	c := newCanvas(t, r.Scale)
	defer c.release()
	if r.Scope != nil && r.Layer != LayerBase {
		c.scope = r.Scope
	}
	bp := s.bufs.Get().(*[]int32)
	defer s.bufs.Put(bp)
	if r.Format == "mvt" {
		return s.renderMVT(r, c, t, snap, w, bp)
	}
	switch r.Layer {
	case skygrid.LayerHotspots:
		*bp = c.drawHotspots(snap.pts, w, *bp)
	case LayerBase:
		if s.opt.Basemap != nil {
			if t, err := s.prepared(ctx, r); err != nil || t != nil {
				return t, err
			}
		}
		c.background(rgba(0xdde3e8, 255))
		c.drawRegions(snap.fs, true)
	default:
		f := snap.fs
		c.parent = f.parent
		switch r.Layer {
		case skygrid.LayerEvents:
			c.drawEvents(f, w)
		case skygrid.LayerRegions:
			c.drawRegions(f, false)
		default:
			c.drawSites(f, siteKindOf[r.Layer])
		}
	}
	if !c.drew {
		return s.blank[r.Scale], nil
	}
	return encodePNG(c.img)
}

func (s *Server) renderMVT(r Request, c *canvas, t maptile.Tile, snap *snapshot, w window, bp *[]int32) (*Tile, error) {
	var data []byte
	if r.Layer == skygrid.LayerHotspots {
		data, *bp = encodeHotspots(c, t, snap.pts, w, *bp)
	} else {
		f := snap.fs
		c.parent = f.parent
		data = encodeFeatures(c, t, r.Layer, f, w, Timed(r.Layer))
	}
	if len(data) == 0 {
		return &Tile{ContentType: "application/vnd.mapbox-vector-tile", Empty: true}, nil
	}
	return &Tile{Data: data, ContentType: "application/vnd.mapbox-vector-tile", ETag: etag(data)}, nil
}

var pngEncoder = &png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &pngPool{}}

type pngPool struct{ p sync.Pool }

func (p *pngPool) Get() *png.EncoderBuffer {
	b, _ := p.p.Get().(*png.EncoderBuffer)
	return b
}
func (p *pngPool) Put(b *png.EncoderBuffer) { p.p.Put(b) }

// encodePNG writes a tile. A tile of at most 256 colours (most are: a few
// styles and their anti-aliased edges) is written paletted, which image/png
// writes without its per-row filter search: a third of the time and of the
// bytes.
func encodePNG(img image.Image) (*Tile, error) {
	if rgba, ok := img.(*image.RGBA); ok {
		if p := paletted(rgba); p != nil {
			img = p
		}
	}
	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, img); err != nil {
		return nil, err
	}
	return &Tile{Data: buf.Bytes(), ContentType: "image/png", ETag: etag(buf.Bytes())}, nil
}

// etag names a tile's bytes: two CRC-32s (Castagnoli and IEEE, both in
// hardware), the same on every server. FNV-1a, a byte at a time, took a
// seventh of a vector tile's time at a million points (issue 17).
func etag(b []byte) string {
	return fmt.Sprintf(`"%08x%08x"`, crc32.Checksum(b, castagnoli), crc32.ChecksumIEEE(b))
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// paletted returns img as a paletted image, or nil when that would need
// more than 256 colours. A tile of at most 256 colours keeps them exactly.
// A busier one keeps its commonest colours exactly (the background, the
// fills, the lines) and rounds the rare ones (anti-aliased edges, overlaps
// of dots) to 5 bits a channel. Rounding every colour, as this once did,
// turned the basemap's background #dde3e8 into #d8e0e8 in tiles with many
// edges, and the map showed a patchwork of two greys along tile seams.
func paletted(img *image.RGBA) *image.Paletted {
	counts := map[uint32]int{}
	last, n := uint32(0), 0
	pix := img.Pix
	for i := 0; i < len(pix); i += 4 {
		c := uint32(pix[i])<<24 | uint32(pix[i+1])<<16 | uint32(pix[i+2])<<8 | uint32(pix[i+3])
		if c != last {
			counts[last] += n
			last, n = c, 0
		}
		n++
	}
	counts[last] += n
	delete(counts, 0) // transparent is index 0
	colours := make([]uint32, 0, len(counts))
	for c := range counts {
		colours = append(colours, c)
	}
	slices.SortFunc(colours, func(a, b uint32) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return int(int64(a) - int64(b))
	})
	for _, keep := range []int{255, 192, 128, 64} {
		if p := palettedKeeping(img, colours[:min(keep, len(colours))]); p != nil {
			return p
		}
	}
	return nil
}

// palettedKeeping maps img to a palette of the exact colours given and,
// for every other colour, its value rounded to 5 bits a channel; nil when
// more than 256 entries are needed.
func palettedKeeping(img *image.RGBA, exact []uint32) *image.Paletted {
	idx := make(map[uint32]uint8, 2*len(exact))
	pal := color.Palette{color.NRGBA{}} // index 0: transparent
	add := func(c uint32) (uint8, bool) {
		if len(pal) == 256 {
			return 0, false
		}
		k := uint8(len(pal))
		idx[c] = k
		r, g, b, a := uint8(c>>24), uint8(c>>16), uint8(c>>8), uint8(c)
		pal = append(pal, color.NRGBAModel.Convert(color.RGBA{min(r, a), min(g, a), min(b, a), a}))
		return k, true
	}
	for _, c := range exact {
		add(c)
	}
	out := image.NewPaletted(img.Rect, nil)
	last, lastI := uint32(0), uint8(0)
	pix := img.Pix
	for i, j := 0, 0; i < len(pix); i, j = i+4, j+1 {
		c := uint32(pix[i])<<24 | uint32(pix[i+1])<<16 | uint32(pix[i+2])<<8 | uint32(pix[i+3])
		if c == 0 {
			continue // out.Pix is zero already
		}
		if c != last {
			k, ok := idx[c]
			if !ok {
				// Not kept exactly: its rounded value.
				rc := roundColour(c)
				if k, ok = idx[rc]; !ok {
					if k, ok = add(rc); !ok {
						return nil
					}
				}
			}
			last, lastI = c, k
		}
		out.Pix[j] = lastI
	}
	out.Palette = pal
	return out
}

// roundColour rounds a premultiplied colour's channels down to 5 bits
// (opaque alpha stays 255).
func roundColour(c uint32) uint32 {
	r, g, b, a := uint8(c>>24)&0xf8, uint8(c>>16)&0xf8, uint8(c>>8)&0xf8, uint8(c)
	if a != 255 {
		a &= 0xf8
	}
	return uint32(r)<<24 | uint32(g)<<16 | uint32(b)<<8 | uint32(a)
}
