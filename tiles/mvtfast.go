package tiles

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"
	"github.com/paulmach/orb/project"
	"github.com/paulmach/orb/simplify"
)

// mvtExtent is the vector tiles' extent and mvtBuffer the buffer kept
// around them in the same units (1/16 of a tile: a dot drawn just outside
// still shows its edge). mvtClip is that box.
const (
	mvtExtent = 4096
	mvtBuffer = 256
)

var mvtClip = orb.Bound{Min: orb.Point{-mvtBuffer, -mvtBuffer}, Max: orb.Point{mvtExtent + mvtBuffer, mvtExtent + mvtBuffer}}

// worldXY is a point's Web Mercator position at zoom 20 in tile units
// (2^32 across the world): at zoom z its tile coordinate is the value
// shifted right by 20-z, less the tile's corner. The formula is orb's
// (mercator.ToPlanar), so the tiles say what orb's encoder said.
func worldXY(p orb.Point) (uint32, uint32) {
	const world = 1 << 32
	x := (p[0]/360.0 + 0.5) * world
	s := math.Sin(p[1] * math.Pi / 180.0)
	var y float64
	switch {
	case s > 0.9999:
		y = 0
	case s < -0.9999:
		y = world - 1
	default:
		y = (0.5 + 0.5*math.Log((1.0+s)/(1.0-s))/(-2*math.Pi)) * world
	}
	return uint32(min(max(x, 0), world-1)), uint32(min(max(y, 0), world-1))
}

// tileFrame turns world positions into one tile's coordinates.
type tileFrame struct {
	shift  uint32
	x0, y0 int64 // the tile's corner in zoom-z tile units
}

func frameOf(t maptile.Tile) tileFrame {
	return tileFrame{shift: 20 - uint32(t.Z), x0: int64(t.X) << 12, y0: int64(t.Y) << 12}
}

func (f tileFrame) at(wx, wy uint32) (int64, int64) {
	return int64(wx>>f.shift) - f.x0, int64(wy>>f.shift) - f.y0
}

// inBuffer reports whether tile coordinates (floored) lie in the tile or
// its buffer: a floored coordinate of extent+buffer is past the edge.
func inBuffer(x, y int64) bool {
	return x >= -mvtBuffer && x < mvtExtent+mvtBuffer && y >= -mvtBuffer && y < mvtExtent+mvtBuffer
}

// detailZoom is the zoom from which vector hotspots carry every
// attribute; below it only what styling needs (the feature id finds the
// rest through the API): a city-wide tile of thousands of detections
// encodes in half the time.
const detailZoom = 13

// hotspot property keys, in the order written.
var hotspotKeys = []string{"acq_time", "frp", "status", "satellite", "confidence", "event_id", "count"}

// encodeHotspots writes the hotspots layer of a tile (see mvtHotspots in
// mvtref_test.go for the same features through orb's encoder): every
// detection in the tile and its buffer within the window and the scope;
// below zoom 10 the detections of one 1/256 of the tile merged into one
// feature with a count (the newest one's attributes, the largest FRP).
func encodeHotspots(c *canvas, t maptile.Tile, p *points, w window, buf []int32) ([]byte, []int32) {
	idx := p.grid.search(c.mvtBound, buf[:0])
	f := frameOf(t)
	n := 0
	for _, i := range idx {
		x, y := f.at(p.wx[i], p.wy[i])
		if !inBuffer(x, y) {
			continue
		}
		if tm := p.t[i]; !w.holds(tm, tm) {
			continue
		}
		if c.scope != nil && !c.keepPoint(orb.Point{p.lon[i], p.lat[i]}) {
			continue
		}
		idx[n] = i
		n++
	}
	idx = idx[:n]
	if len(idx) == 0 {
		return nil, idx
	}
	e := getEnc()
	defer e.release()
	for _, k := range hotspotKeys {
		e.key(k)
	}
	if c.z < 10 {
		writeMerged(e, p, f, idx)
	} else {
		detail := c.z >= detailZoom
		for _, i := range idx {
			writeHotspot(e, p, f, i, detail, 1, float64(p.frp[i]))
		}
	}
	return e.layer(nil, "hotspots"), idx
}

// writeHotspot writes one detection (with its merged count and FRP).
func writeHotspot(e *mvtEnc, p *points, f tileFrame, i int32, detail bool, count int, frp float64) {
	x, y := f.at(p.wx[i], p.wy[i])
	e.tags = append(e.tags, 0, e.intVal(p.t[i]), 1, e.floatVal(frp), 2, e.strVal(statusName[p.status[i]]))
	if detail {
		e.tags = append(e.tags, 3, e.strVal(p.str(p.sat[i])), 4, e.strVal(p.str(p.conf[i])))
		if p.event[i] != 0 {
			e.tags = append(e.tags, 5, e.intVal(p.event[i]))
		}
	}
	if count > 1 {
		e.tags = append(e.tags, 6, e.intVal(int64(count)))
	}
	e.point(int32(x), int32(y))
	e.feature(uint64(p.id[i]), p.id[i] >= 0, geomPoint)
}

// writeMerged writes one feature per 1/256 of the tile (16 tile units),
// in the order the cells are first met, at the newest detection (by time,
// then id: the same feature whatever order the rows are in).
func writeMerged(e *mvtEnc, p *points, f tileFrame, idx []int32) {
	type acc struct {
		newest int32
		count  int
		frp    float32
	}
	cells := map[int64]int{}
	var list []acc
	for _, i := range idx {
		x, y := f.at(p.wx[i], p.wy[i])
		k := (y>>4)<<32 | (x>>4)&0xffffffff
		j, ok := cells[k]
		if !ok {
			cells[k] = len(list)
			list = append(list, acc{newest: i, count: 1, frp: p.frp[i]})
			continue
		}
		a := &list[j]
		a.count++
		a.frp = max(a.frp, p.frp[i])
		if n := a.newest; p.t[i] > p.t[n] || (p.t[i] == p.t[n] && p.id[i] > p.id[n]) {
			a.newest = i
		}
	}
	for _, a := range list {
		writeHotspot(e, p, f, a.newest, false, a.count, float64(a.frp))
	}
}

// worldGeom is a geometry in world units (see worldXY), as float64.
func worldGeom(g orb.Geometry) orb.Geometry {
	return project.Geometry(orb.Clone(g), func(p orb.Point) orb.Point {
		x, y := worldXY(p)
		return orb.Point{float64(x), float64(y)}
	})
}

// encodeFeatures writes another layer's features in a tile, as orb's
// pipeline did (project, clip to the buffer, simplify by one unit, leave
// out what became empty), from the world positions kept with the layer.
func encodeFeatures(c *canvas, t maptile.Tile, name string, f *features, w window, timed bool) []byte {
	e := getEnc()
	defer e.release()
	fr := frameOf(t)
	scale := 1 / float64(uint64(1)<<fr.shift)
	f.search(c.mvtBound, func(ft *feature) {
		if (timed && !w.holds(ft.first, ft.last)) || !c.keepFeature(ft) {
			return
		}
		g := project.Geometry(orb.Clone(ft.world), func(p orb.Point) orb.Point {
			return orb.Point{math.Floor(p[0]*scale) - float64(fr.x0), math.Floor(p[1]*scale) - float64(fr.y0)}
		})
		if g = clip.Geometry(mvtClip, g); g == nil {
			return
		}
		if g.Dimensions() > 0 {
			if g = simplify.DouglasPeucker(1.0).Simplify(g); g == nil {
				return
			}
			if (g.Dimensions() == 1 && planar.Length(g) < 1) || (g.Dimensions() == 2 && planar.Area(g) < 1) {
				return
			}
		}
		typ, ok := e.geometry(g)
		if !ok {
			return
		}
		for k, v := range ft.props {
			e.tag(k, v)
		}
		id, hasID := idOf(ft.id)
		e.feature(id, hasID, typ)
	})
	return e.layer(nil, name)
}

// geometry writes g's commands in tile coordinates; false when g has no
// point to write.
func (e *mvtEnc) geometry(g orb.Geometry) (uint32, bool) {
	var cx, cy int32
	put := func(ps []orb.Point) {
		for _, p := range ps {
			x, y := int32(p[0]), int32(p[1])
			e.geom = append(e.geom, zigzag(x-cx), zigzag(y-cy))
			cx, cy = x, y
		}
	}
	line := func(ps []orb.Point, ring bool) {
		if ring && len(ps) > 1 && ps[0] == ps[len(ps)-1] {
			ps = ps[:len(ps)-1]
		}
		if len(ps) == 0 {
			return
		}
		e.geom = append(e.geom, cmd(cmdMoveTo, 1))
		put(ps[:1])
		if len(ps) > 1 {
			e.geom = append(e.geom, cmd(cmdLineTo, uint32(len(ps)-1)))
			put(ps[1:])
		}
		if ring {
			e.geom = append(e.geom, cmd(cmdClose, 1))
		}
	}
	typ := uint32(geomPolygon)
	switch g := g.(type) {
	case orb.Point:
		e.geom = append(e.geom, cmd(cmdMoveTo, 1))
		put([]orb.Point{g})
		typ = geomPoint
	case orb.MultiPoint:
		e.geom = append(e.geom, cmd(cmdMoveTo, uint32(len(g))))
		put(g)
		typ = geomPoint
	case orb.LineString:
		line(g, false)
		typ = geomLine
	case orb.MultiLineString:
		for _, l := range g {
			line(l, false)
		}
		typ = geomLine
	case orb.Polygon:
		for _, r := range g {
			line(r, true)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			for _, r := range p {
				line(r, true)
			}
		}
	default:
		return 0, false
	}
	if len(e.geom) == 0 {
		return 0, false
	}
	return typ, true
}
