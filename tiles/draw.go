package tiles

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"slices"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/maptile"
	"golang.org/x/image/vector"
)

// canvas is one tile being drawn: a premultiplied RGBA image and the Web
// Mercator transform from lon/lat to its pixels.
type canvas struct {
	img   *image.RGBA
	size  int     // pixels per side
	scale float64 // 1, or 2 for @2x
	z     maptile.Zoom
	// world pixel of the tile's top-left corner, and world size in pixels
	ox, oy, world float64
	// bound is the tile's lon/lat bound grown by a margin of pixels, for
	// searches and clipping.
	bound orb.Bound
	// mvtBound is the tile's bound grown by the vector tiles' buffer.
	mvtBound orb.Bound
	ras      *vector.Rasterizer
	drew     bool // something was drawn
	// scope leaves out what a scoped user may not see (nil: nothing).
	scope  *Scope
	parent map[string]string // region parents, for the scope test
}

// keepPoint reports whether a point is in the user's scope.
func (c *canvas) keepPoint(p orb.Point) bool {
	return c.scope == nil || c.scope.Contains(p)
}

// keepFeature reports whether a feature is in the user's scope: regions
// by their ids (the region, its parent or grandparent in scope), the
// others by where they are.
func (c *canvas) keepFeature(ft *feature) bool {
	if c.scope == nil {
		return true
	}
	if id, ok := ft.id.(string); ok && ft.class != "" && regionStyle[ft.class].width > 0 {
		p := ft.props["parent_id"].(string)
		return slices.Contains(c.scope.Regions, id) || slices.Contains(c.scope.Regions, p) ||
			(p != "" && slices.Contains(c.scope.Regions, c.parent[p]))
	}
	if g, ok := ft.props["task_grid_id"].(string); ok && g != "" {
		p := c.parent[g]
		return slices.Contains(c.scope.Regions, g) || (p != "" && slices.Contains(c.scope.Regions, p)) ||
			(c.parent[p] != "" && slices.Contains(c.scope.Regions, c.parent[p]))
	}
	return c.scope.Contains(ft.bound.Center())
}

// margin is how far outside the tile features are searched and clipped,
// in pixels: a dot or a line centred just outside still shows its edge.
const margin = 12

var rasPool = sync.Pool{New: func() any { return vector.NewRasterizer(0, 0) }}

func newCanvas(t maptile.Tile, scale int) *canvas {
	size := 256 * scale
	c := &canvas{size: size, scale: float64(scale), z: t.Z, world: float64(size) * math.Exp2(float64(t.Z))}
	c.ox, c.oy = float64(t.X)*float64(size), float64(t.Y)*float64(size)
	c.img = image.NewRGBA(image.Rect(0, 0, size, size))
	c.bound = c.unproject(-margin*c.scale, float64(size)+margin*c.scale, float64(size)+margin*c.scale, -margin*c.scale)
	b := float64(mvtBuffer) / mvtExtent * float64(size)
	c.mvtBound = c.unproject(-b, float64(size)+b, float64(size)+b, -b).Pad(1e-9)
	c.ras = rasPool.Get().(*vector.Rasterizer)
	return c
}

func (c *canvas) release() {
	if c.ras != nil {
		rasPool.Put(c.ras)
		c.ras = nil
	}
}

// project returns the tile pixel of a lon/lat point.
func (c *canvas) project(p orb.Point) (float64, float64) {
	x := (p[0] + 180) / 360 * c.world
	s := math.Sin(p[1] * math.Pi / 180)
	s = min(max(s, -0.9999), 0.9999)
	y := (0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)) * c.world
	return x - c.ox, y - c.oy
}

// unproject returns the lon/lat bound of a pixel rectangle (x0,y0 bottom
// left; x1,y1 top right).
func (c *canvas) unproject(x0, y0, x1, y1 float64) orb.Bound {
	lon := func(x float64) float64 { return (x+c.ox)/c.world*360 - 180 }
	lat := func(y float64) float64 {
		n := math.Pi - 2*math.Pi*(y+c.oy)/c.world
		return 180 / math.Pi * math.Atan(math.Sinh(n))
	}
	return orb.Bound{Min: orb.Point{lon(x0), lat(y0)}, Max: orb.Point{lon(x1), lat(y1)}}
}

// path is a ring or line in tile pixels.
type path []vec

type vec struct{ x, y float32 }

// projectRing projects a ring, dropping points closer than 0.7 pixel to
// the previous one: a county outline at a low zoom has many vertices per
// pixel.
func (c *canvas) projectRing(r []orb.Point) path {
	out := make(path, 0, len(r))
	for _, p := range r {
		x, y := c.project(p)
		v := vec{float32(x), float32(y)}
		if n := len(out); n > 0 {
			d := out[n-1]
			if math.Abs(float64(d.x-v.x)) < 0.7 && math.Abs(float64(d.y-v.y)) < 0.7 {
				continue
			}
		}
		out = append(out, v)
	}
	return out
}

// polygonPaths clips a (multi)polygon to the tile and projects it: the
// exterior rings wind one way, the holes the other, as the rasterizer's
// non-zero fill needs.
func (c *canvas) polygonPaths(g orb.Geometry) []path {
	var mp orb.MultiPolygon
	switch g := g.(type) {
	case orb.MultiPolygon:
		mp = g
	case orb.Polygon:
		mp = orb.MultiPolygon{g}
	default:
		return nil
	}
	if !c.bound.Contains(mp.Bound().Min) || !c.bound.Contains(mp.Bound().Max) {
		mp = clip.MultiPolygon(c.bound, mp.Clone())
	}
	var out []path
	for _, poly := range mp {
		for i, ring := range poly {
			p := c.projectRing(ring)
			if len(p) < 3 {
				continue
			}
			// Screen y points down: a positive shoelace sum is clockwise
			// on screen. Exteriors positive, holes negative.
			if a := p.area2(); (a < 0) == (i == 0) {
				p.reverse()
			}
			out = append(out, p)
		}
	}
	return out
}

func (p path) area2() float64 {
	var a float64
	for i := range p {
		j := (i + 1) % len(p)
		a += float64(p[i].x)*float64(p[j].y) - float64(p[j].x)*float64(p[i].y)
	}
	return a
}

func (p path) reverse() {
	for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
		p[i], p[j] = p[j], p[i]
	}
}

// pixelBounds returns the integer pixel rectangle the paths cover, grown by
// pad and cut to the canvas.
func (c *canvas) pixelBounds(paths []path, pad float32) image.Rectangle {
	x0, y0, x1, y1 := float32(math.MaxFloat32), float32(math.MaxFloat32), float32(-math.MaxFloat32), float32(-math.MaxFloat32)
	for _, p := range paths {
		for _, v := range p {
			x0, y0, x1, y1 = min(x0, v.x), min(y0, v.y), max(x1, v.x), max(y1, v.y)
		}
	}
	if x0 > x1 {
		return image.Rectangle{} // no points (image.Rect would swap the corners)
	}
	r := image.Rect(int(math.Floor(float64(x0-pad))), int(math.Floor(float64(y0-pad))), int(math.Ceil(float64(x1+pad))), int(math.Ceil(float64(y1+pad))))
	return r.Intersect(c.img.Rect)
}

// fill paints the paths in one colour with anti-aliased edges. One
// rasterizer pass over only the pixels the paths cover: callers group
// features of one style into one call.
func (c *canvas) fill(paths []path, col color.Color) {
	c.fillSrc(paths, image.NewUniform(col))
}

// fillSrc paints the paths with src, read in world pixels (so a pattern
// runs on from one tile into the next).
func (c *canvas) fillSrc(paths []path, src image.Image) {
	r := c.pixelBounds(paths, 1)
	if r.Empty() {
		return
	}
	ras := c.ras
	ras.Reset(r.Dx(), r.Dy())
	ox, oy := float32(r.Min.X), float32(r.Min.Y)
	for _, p := range paths {
		ras.MoveTo(p[0].x-ox, p[0].y-oy)
		for _, v := range p[1:] {
			ras.LineTo(v.x-ox, v.y-oy)
		}
		ras.ClosePath()
	}
	ras.Draw(c.img, r, src, r.Min.Add(image.Point{int(c.ox), int(c.oy)}))
	c.drew = true
}

// hatch is a pattern of diagonal stripes (lower left to upper right),
// width pixels of line every period pixels, in world pixels.
type hatch struct {
	line, gap     color.RGBA
	period, width float64
}

func (h hatch) ColorModel() color.Model { return color.RGBAModel }
func (h hatch) Bounds() image.Rectangle {
	return image.Rect(math.MinInt32, math.MinInt32, math.MaxInt32, math.MaxInt32)
}
func (h hatch) At(x, y int) color.Color {
	if math.Mod(float64(x+y), h.period) < h.width {
		return h.line
	}
	return h.gap
}

// stroke draws the paths as lines of the given width in pixels: each
// segment a quad and each vertex a small octagon, all wound the same way,
// so overlaps add up (and clamp) instead of cancelling.
func (c *canvas) stroke(paths []path, width float64, col color.Color, closed bool) {
	w := float32(width * c.scale / 2)
	r := c.pixelBounds(paths, w+1)
	if r.Empty() {
		return
	}
	ras := c.ras
	ras.Reset(r.Dx(), r.Dy())
	ox, oy := float32(r.Min.X), float32(r.Min.Y)
	quad := func(a, b vec) {
		dx, dy := b.x-a.x, b.y-a.y
		l := float32(math.Hypot(float64(dx), float64(dy)))
		if l == 0 {
			return
		}
		nx, ny := -dy/l*w, dx/l*w
		ras.MoveTo(a.x+nx-ox, a.y+ny-oy)
		ras.LineTo(b.x+nx-ox, b.y+ny-oy)
		ras.LineTo(b.x-nx-ox, b.y-ny-oy)
		ras.LineTo(a.x-nx-ox, a.y-ny-oy)
		ras.ClosePath()
	}
	// The quads wind with a negative shoelace sum; the joints must too, or
	// where they overlap the coverage cancels and the line looks dashed.
	joint := func(a vec) {
		if w < 1.2 {
			return
		}
		for k := 0; k <= 8; k++ {
			ang := -float64(k) * math.Pi / 4
			x, y := a.x+w*float32(math.Cos(ang))-ox, a.y+w*float32(math.Sin(ang))-oy
			if k == 0 {
				ras.MoveTo(x, y)
			} else {
				ras.LineTo(x, y)
			}
		}
		ras.ClosePath()
	}
	for _, p := range paths {
		for i := 0; i+1 < len(p); i++ {
			quad(p[i], p[i+1])
			joint(p[i])
		}
		if closed && len(p) > 2 {
			quad(p[len(p)-1], p[0])
		}
		joint(p[len(p)-1])
	}
	ras.Draw(c.img, r, image.NewUniform(col), image.Point{})
	c.drew = true
}

// sprite is a pre-drawn anti-aliased marker, stamped with draw.Draw: a
// tile of thousands of dots costs thousands of small copies, not thousands
// of rasterizer passes.
type sprite struct {
	img *image.RGBA
	r   float64 // centre offset
}

type spriteKey struct {
	radius      int // quarter pixels
	fill, ring  color.RGBA
	ringQuarter int // ring width, quarter pixels
	square      bool
}

var sprites sync.Map // spriteKey -> *sprite

// marker returns the sprite for a dot (or a square) of radius r pixels
// filled with fill and edged with ring of width rw.
func marker(r float64, fill, ring color.RGBA, rw float64, square bool) *sprite {
	k := spriteKey{radius: int(math.Round(r * 4)), fill: fill, ring: ring, ringQuarter: int(math.Round(rw * 4)), square: square}
	if s, ok := sprites.Load(k); ok {
		return s.(*sprite)
	}
	r = float64(k.radius) / 4
	rw = float64(k.ringQuarter) / 4
	n := int(math.Ceil(2*r)) + 2
	img := image.NewRGBA(image.Rect(0, 0, n, n))
	ctr := float32(n) / 2
	shape := func(ras *vector.Rasterizer, rad float32) {
		if square {
			ras.MoveTo(ctr-rad, ctr-rad)
			ras.LineTo(ctr+rad, ctr-rad)
			ras.LineTo(ctr+rad, ctr+rad)
			ras.LineTo(ctr-rad, ctr+rad)
			ras.ClosePath()
			return
		}
		const steps = 32
		for i := 0; i <= steps; i++ {
			a := float64(i) * 2 * math.Pi / steps
			x, y := ctr+rad*float32(math.Cos(a)), ctr+rad*float32(math.Sin(a))
			if i == 0 {
				ras.MoveTo(x, y)
			} else {
				ras.LineTo(x, y)
			}
		}
		ras.ClosePath()
	}
	ras := vector.NewRasterizer(n, n)
	if rw > 0 {
		shape(ras, float32(r))
		ras.Draw(img, img.Rect, image.NewUniform(ring), image.Point{})
		ras.Reset(n, n)
		shape(ras, float32(math.Max(r-rw, 0.5)))
	} else {
		shape(ras, float32(r))
	}
	ras.Draw(img, img.Rect, image.NewUniform(fill), image.Point{})
	s := &sprite{img: img, r: float64(n) / 2}
	actual, _ := sprites.LoadOrStore(k, s)
	return actual.(*sprite)
}

// stamp draws a sprite centred on tile pixel (x, y).
func (c *canvas) stamp(s *sprite, x, y float64) {
	x0, y0 := int(math.Round(x-s.r)), int(math.Round(y-s.r))
	r := s.img.Rect.Add(image.Point{x0, y0})
	if !r.Overlaps(c.img.Rect) {
		return
	}
	draw.Draw(c.img, r, s.img, image.Point{}, draw.Over)
	c.drew = true
}

func rgba(hex uint32, alpha uint8) color.RGBA {
	r, g, b := uint8(hex>>16), uint8(hex>>8), uint8(hex)
	// premultiplied
	return color.RGBA{uint8(uint32(r) * uint32(alpha) / 255), uint8(uint32(g) * uint32(alpha) / 255), uint8(uint32(b) * uint32(alpha) / 255), alpha}
}
