package tiles

import (
	"cmp"
	"image/color"
	"math"
	"slices"

	"skygrid"

	"github.com/paulmach/orb"
)

// window is the time window of the time-based layers; ref is the time
// ages are counted from (until, else now).
type window struct {
	since, until int64 // unix seconds; 0: open
	ref          int64
}

func (w window) holds(first, last int64) bool {
	return (w.since == 0 || last >= w.since) && (w.until == 0 || first < w.until)
}

// Colours (hex RGB).
var (
	// Hotspot age: under 6 h, 24 h, 3 days, 7 days, older.
	ageColours = []struct {
		hours float64
		col   uint32
	}{{6, 0xd7191c}, {24, 0xf46d43}, {72, 0xfdae61}, {168, 0xc08a3e}, {math.Inf(1), 0x8c7b6b}}
	staticColour = uint32(0x5b6770)
	classColours = map[string]uint32{
		skygrid.ClassStrawBurning:   0xe6b800,
		skygrid.ClassLooseCoal:      0x7b3f00,
		skygrid.ClassConstruction:   0xff7f0e,
		skygrid.ClassStockpile:      0x9467bd,
		skygrid.ClassOpenBurning:    0xd62728,
		skygrid.ClassIndustrialHeat: 0x6b7280,
	}
	// Task state: the ring around an event.
	stateColours = map[string]uint32{
		skygrid.TaskDispatched:   0x111827,
		skygrid.TaskAcknowledged: 0xf59e0b,
		skygrid.TaskReported:     0x2563eb,
		skygrid.TaskClosed:       0x16a34a,
		"none":                   0xffffff,
	}
)

func ageColour(ageHours float64) uint32 {
	for _, a := range ageColours {
		if ageHours < a.hours {
			return a.col
		}
	}
	return ageColours[len(ageColours)-1].col
}

// frpRadius sizes a dot by fire radiative power: 2.5 px at 0 MW, 4.5 at
// 10, 6.5 at 100, at most 8.
func frpRadius(frp float32) float64 {
	return min(2.5+2*math.Log10(1+float64(max(frp, 0))), 8)
}

func (c *canvas) drawHotspots(p *points, w window, buf []int32) []int32 {
	idx := p.grid.search(c.bound, buf[:0])
	// Exact bound and window; ids are in time order, so sorting the
	// indices by id draws the newest on top.
	n := 0
	for _, i := range idx {
		if lon, lat := p.lon[i], p.lat[i]; lon < c.bound.Min[0] || lon > c.bound.Max[0] || lat < c.bound.Min[1] || lat > c.bound.Max[1] {
			continue
		}
		if t := p.t[i]; !w.holds(t, t) {
			continue
		}
		if c.scope != nil && !c.keepPoint(orb.Point{p.lon[i], p.lat[i]}) {
			continue
		}
		idx[n] = i
		n++
	}
	idx = idx[:n]
	slices.SortFunc(idx, func(a, b int32) int { return cmp.Compare(p.id[a], p.id[b]) })
	if len(idx) > denseDots {
		idx = c.newestPerPixel(p, idx)
	}
	small := c.z < 9
	white := rgba(0xffffff, 230)
	for _, i := range idx {
		x, y := c.project(orb.Point{p.lon[i], p.lat[i]})
		r := frpRadius(p.frp[i])
		if small {
			r = min(r, 3.5)
		}
		var s *sprite
		switch p.status[i] {
		case stStatic:
			s = marker(r*c.scale, rgba(staticColour, 200), white, 0.75*c.scale, true)
		case stLow:
			s = marker(2*c.scale, rgba(0xffffff, 160), rgba(ageColour(float64(w.ref-p.t[i])/3600), 220), 0.9*c.scale, false)
		default:
			s = marker(r*c.scale, rgba(ageColour(float64(w.ref-p.t[i])/3600), 255), white, 0.9*c.scale, false)
		}
		c.stamp(s, x, y)
	}
	return idx
}

func (c *canvas) drawEvents(f *features, w window) {
	white := rgba(0xffffff, 255)
	f.search(c.bound, func(ft *feature) {
		if !w.holds(ft.first, ft.last) || !c.keepFeature(ft) {
			return
		}
		x, y := c.project(ft.geom.(orb.Point))
		r := min(4.5+math.Log2(max(ft.value, 1)), 9) * c.scale
		ring := stateColours[ft.state]
		if ft.class == skygrid.ClassIndustrialHeat {
			c.stamp(marker(r, rgba(classColours[ft.class], 220), white, 1.2*c.scale, true), x, y)
			return
		}
		// A white halo, the task state ring, the class fill.
		c.stamp(marker(r+1.2*c.scale, white, white, 0, false), x, y)
		c.stamp(marker(r, rgba(classColours[ft.class], 255), rgba(ring, 255), 2*c.scale, false), x, y)
	})
}

// regionStyle is the outline of each level.
var regionStyle = map[string]struct {
	width   float64
	col     uint32
	alpha   uint8
	minZoom int
}{
	skygrid.LevelGrid:     {0.6, 0x64748b, 150, 9},
	skygrid.LevelTownship: {1.0, 0x475569, 200, 7},
	skygrid.LevelCounty:   {1.8, 0x1f2937, 220, 0},
	skygrid.LevelCity:     {2.6, 0x111827, 230, 0},
}

// drawRegions strokes the outlines, grids (at zoom 9 and above) first,
// one pass per level.
func (c *canvas) drawRegions(f *features, base bool) {
	byLevel := map[string][]path{}
	var land []path
	f.search(c.bound, func(ft *feature) {
		st := regionStyle[ft.class]
		if int(c.z) < st.minZoom || (base && ft.class == skygrid.LevelGrid && c.z < 11) || !c.keepFeature(ft) {
			return
		}
		paths := c.polygonPaths(ft.geom)
		byLevel[ft.class] = append(byLevel[ft.class], paths...)
		if base && ft.class == skygrid.LevelCounty {
			land = append(land, paths...)
		}
	})
	if base {
		// Land inside the counties, lighter than the tile's background.
		c.fill(land, rgba(0xf7f4ec, 255))
	}
	for _, level := range []string{skygrid.LevelGrid, skygrid.LevelTownship, skygrid.LevelCounty, skygrid.LevelCity} {
		st := regionStyle[level]
		if base {
			st.alpha /= 2
		}
		c.stroke(byLevel[level], st.width, rgba(st.col, st.alpha), true)
	}
}

// siteStyle is a site layer's look: compliant and violating.
type siteStyle struct {
	fill, line     uint32
	fillA, lineA   uint8
	width          float64
	squareMarker   bool
	markerRadius   float64
	markerWhenTiny bool // a polygon smaller than a marker draws as a marker
}

// violationColour marks a site breaking a dust rule: magenta, hatched,
// apart from the reds and oranges of fires and the colours of the layers.
const violationColour = 0xc026d3

// siteMarkerRadius is half the width of a site's marker in pixels at 1x:
// 13 px across, a dot a thumb finds on a phone (the map's tap box is
// wider). A polygon narrower and lower than a marker draws as one.
const siteMarkerRadius = 6.5

var siteStyles = map[string]siteStyle{
	skygrid.SiteConstruction: {fill: 0x16a34a, line: 0x166534, fillA: 110, lineA: 230, width: 1.2, squareMarker: true, markerRadius: siteMarkerRadius, markerWhenTiny: true},
	skygrid.SiteStockpile:    {fill: 0x2563eb, line: 0x1e40af, fillA: 110, lineA: 230, width: 1.2, markerRadius: siteMarkerRadius, markerWhenTiny: true},
	skygrid.SiteNoCoal:       {fill: 0x7c3aed, line: 0x6d28d9, fillA: 45, lineA: 200, width: 1.6},
	skygrid.SiteCropland:     {fill: 0x9bbb59, line: 0x6b8e23, fillA: 70, lineA: 160, width: 0.8},
	skygrid.SiteIndustrial:   {fill: 0x4b5563, line: 0x1f2937, fillA: 120, lineA: 230, width: 1, squareMarker: true, markerRadius: siteMarkerRadius, markerWhenTiny: true},
}

// siteMark is a site drawn as a marker.
type siteMark struct {
	x, y float64
	bad  bool
}

func (c *canvas) drawSites(f *features, kind string) {
	st := siteStyles[kind]
	var good, bad []path
	var marks []siteMark
	tiny := 2 * st.markerRadius * c.scale
	f.search(c.bound, func(ft *feature) {
		if !c.keepFeature(ft) {
			return
		}
		isBad := ft.state != ""
		if p, ok := ft.geom.(orb.Point); ok {
			x, y := c.project(p)
			marks = append(marks, siteMark{x, y, isBad})
			return
		}
		if st.markerWhenTiny {
			x0, y0 := c.project(ft.bound.Min)
			x1, y1 := c.project(ft.bound.Max)
			if math.Abs(x1-x0) < tiny && math.Abs(y1-y0) < tiny {
				marks = append(marks, siteMark{(x0 + x1) / 2, (y0 + y1) / 2, isBad})
				return
			}
		}
		paths := c.polygonPaths(ft.geom)
		if isBad {
			bad = append(bad, paths...)
		} else {
			good = append(good, paths...)
		}
	})
	c.fill(good, rgba(st.fill, st.fillA))
	c.stroke(good, st.width, rgba(st.line, st.lineA), true)
	// Breaking a rule: magenta stripes over a pale magenta, a thick outline.
	c.fillSrc(bad, hatch{line: rgba(violationColour, 200), gap: rgba(violationColour, 60), period: 6 * c.scale, width: 2 * c.scale})
	c.stroke(bad, max(st.width*1.6, 2), rgba(violationColour, 255), true)
	white := rgba(0xffffff, 255)
	for _, m := range marks {
		if m.bad {
			// A magenta marker with a dark edge in a white halo (the halo
			// one pixel wider, so both sprites have the same centre).
			r := st.markerRadius * c.scale
			c.stamp(marker(r+c.scale, white, white, 0, st.squareMarker), m.x, m.y)
			c.stamp(marker(r, rgba(violationColour, 255), rgba(0x701a75, 255), 1.5*c.scale, st.squareMarker), m.x, m.y)
			continue
		}
		c.stamp(marker(st.markerRadius*c.scale, rgba(st.fill, 240), white, 1.2*c.scale, st.squareMarker), m.x, m.y)
	}
}

// background fills the whole tile (the basemap's sea of "outside").
func (c *canvas) background(col color.RGBA) {
	for i := 0; i < len(c.img.Pix); i += 4 {
		c.img.Pix[i], c.img.Pix[i+1], c.img.Pix[i+2], c.img.Pix[i+3] = col.R, col.G, col.B, col.A
	}
	c.drew = true
}

// denseDots is how many dots a tile draws one by one; above it only the
// newest detection of each pixel is drawn (a city-wide tile of a million
// detections would otherwise stamp them all, most hidden under others).
var denseDots = 8192

// newestPerPixel keeps, of indices in time order, the last one in each
// pixel, still in time order.
func (c *canvas) newestPerPixel(p *points, idx []int32) []int32 {
	slot := make([]int32, c.size*c.size)
	for i := range slot {
		slot[i] = -1
	}
	for k, i := range idx {
		x, y := c.project(orb.Point{p.lon[i], p.lat[i]})
		px, py := int(x), int(y)
		if px < 0 || py < 0 || px >= c.size || py >= c.size {
			continue // in the margin: drawn as is
		}
		if prev := slot[py*c.size+px]; prev >= 0 {
			idx[prev] = -1 // an older one under it
		}
		slot[py*c.size+px] = int32(k)
	}
	n := 0
	for _, i := range idx {
		if i >= 0 {
			idx[n] = i
			n++
		}
	}
	return idx[:n]
}
