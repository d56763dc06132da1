package perfgen

import (
	"fmt"
	"math"
	"sort"
)

// Box is the area the grids tile and the points fall in (degrees, WGS84).
type Box struct{ MinLon, MinLat, MaxLon, MaxLat float64 }

// Datong is the original generator's box over Datong (grid ids DT…).
var Datong = Box{MinLon: 112.55, MinLat: 39.05, MaxLon: 114.55, MaxLat: 40.75}

// Grid is one generated grid polygon.
type Grid struct {
	ID, Township, Supervisor string
	Ring                     [][2]float64 // closed, counter-clockwise
	MinX, MinY, MaxX, MaxY   float64
}

// GridStats describes generated grids (the manifest's grid_stats).
type GridStats struct {
	Rows             int     `json:"rows"`
	CellsPerRowMin   int     `json:"cells_per_row_min"`
	CellsPerRowMax   int     `json:"cells_per_row_max"`
	VerticesMin      int     `json:"vertices_min"`
	VerticesMax      int     `json:"vertices_max"`
	VerticesMean     float64 `json:"vertices_mean"`
	VerticesTotal    int     `json:"vertices_total"`
	AreaSumDeg2      float64 `json:"area_sum_deg2"`
	BoxAreaDeg2      float64 `json:"box_area_deg2"`
	InvalidRings     int     `json:"invalid_rings"`
	Townships        int     `json:"townships"`
	SupervisorsUniq  int     `json:"supervisors_unique"`
	OutOfRangeVCount int     `json:"vertex_count_out_of_30_150"`
	// Invalid lists the invalid rings (not in the manifest).
	Invalid []string `json:"-"`
}

// gridRow is one row of cells: its count, mean cell width, and the
// separators' end points on the row's bottom (xb) and top (xt) lines.
type gridRow struct {
	n      int
	cw     float64
	xb, xt []float64
}

// hLine is a horizontal boundary line between rows, as vertices.
type hLine struct{ xs, ys []float64 }

// Grids makes n non-overlapping polygons of 30-150 vertices tiling box in
// rows of irregular cells, ids prefix + 5 digits from 1.
func Grids(n int, seed uint64, box Box, prefix string) ([]Grid, GridStats) {
	r := newRNG(seed)
	cnt := rowCounts(r, n, box)
	ny := len(cnt)
	rh := (box.MaxLat - box.MinLat) / float64(ny)
	rows := make([]gridRow, ny)
	for rr := range rows {
		rows[rr] = newRow(r, cnt[rr], box)
	}
	lines := make([]hLine, ny+1)
	for L := range lines {
		lines[L] = newLine(r, L, rows, box, rh)
	}
	c := &cellMaker{r: r, box: box, prefix: prefix, tnames: townshipNames(r, townshipsX*townshipsY),
		usedT: map[string]bool{}, supers: map[string]bool{}}
	c.st = GridStats{Rows: ny, CellsPerRowMin: math.MaxInt, VerticesMin: math.MaxInt,
		// rounded: the original computed it from constants, exactly
		BoxAreaDeg2: math.Round((box.MaxLon-box.MinLon)*(box.MaxLat-box.MinLat)*1e9) / 1e9}
	grids := make([]Grid, 0, n)
	for rr := range rows {
		grids = c.row(grids, rr, rows[rr], lines[rr], lines[rr+1])
	}
	c.st.VerticesMean = float64(c.st.VerticesTotal) / float64(len(grids))
	c.st.Townships = len(c.usedT)
	c.st.SupervisorsUniq = len(c.supers)
	return grids, c.st
}

// rowCounts picks the number of rows (cells about square in km) and how
// many of the n cells each row holds.
func rowCounts(r *rng, n int, box Box) []int {
	W, H := box.MaxLon-box.MinLon, box.MaxLat-box.MinLat
	mid := (box.MinLat + box.MaxLat) / 2
	wkm := W * 111.32 * math.Cos(mid*math.Pi/180)
	hkm := H * 110.57
	ny := int(math.Round(math.Sqrt(float64(n) * hkm / wkm)))
	ny = max(1, min(ny, n))
	cnt := make([]int, ny)
	for i := range cnt {
		cnt[i] = n / ny
	}
	perm := make([]int, ny)
	for i := range perm {
		perm[i] = i
	}
	for i := ny - 1; i > 0; i-- {
		j := r.intn(i + 1)
		perm[i], perm[j] = perm[j], perm[i]
	}
	for i := 0; i < n%ny; i++ {
		cnt[perm[i]]++
	}
	return cnt
}

// newRow draws a row's cell widths and separator end points.
func newRow(r *rng, nr int, box Box) gridRow {
	W := box.MaxLon - box.MinLon
	cw := W / float64(nr)
	w := make([]float64, nr)
	sum := 0.0
	for i := range w {
		w[i] = r.uniform(0.65, 1.35)
		sum += w[i]
	}
	xb := make([]float64, nr+1)
	xt := make([]float64, nr+1)
	xb[0], xt[0], xb[nr], xt[nr] = box.MinLon, box.MinLon, box.MaxLon, box.MaxLon
	acc := 0.0
	for i := 1; i < nr; i++ {
		acc += w[i-1]
		base := box.MinLon + W*acc/sum
		xb[i] = rnd7(base + r.uniform(-0.12, 0.12)*cw)
		xt[i] = rnd7(base + r.uniform(-0.12, 0.12)*cw)
	}
	return gridRow{nr, cw, xb, xt}
}

// breakpoints are the separators' ends on line L (0 and ny are the box's
// straight edges), sorted without repeats, and the mean cell width there.
func breakpoints(L int, rows []gridRow, box Box) ([]float64, float64) {
	ny := len(rows)
	bp := []float64{box.MinLon, box.MaxLon}
	cw := 0.0
	k := 0
	if L < ny {
		bp = append(bp, rows[L].xb[1:rows[L].n]...)
		cw += rows[L].cw
		k++
	}
	if L > 0 {
		bp = append(bp, rows[L-1].xt[1:rows[L-1].n]...)
		cw += rows[L-1].cw
		k++
	}
	cw /= float64(k)
	sort.Float64s(bp)
	u := bp[:1]
	for _, v := range bp[1:] {
		if v != u[len(u)-1] {
			u = append(u, v)
		}
	}
	return u, cw
}

// newLine draws horizontal line L: a wave through every breakpoint with
// jittered vertices between them.
func newLine(r *rng, L int, rows []gridRow, box Box, rh float64) hLine {
	ny := len(rows)
	bp, cw := breakpoints(L, rows, box)
	interior := L > 0 && L < ny
	base := box.MinLat + float64(L)*rh
	if L == ny {
		base = box.MaxLat
	}
	a1, a2 := r.uniform(0.06, 0.12), r.uniform(0.02, 0.05)
	l1, l2 := r.uniform(3, 8)*cw, r.uniform(0.9, 2)*cw
	p1, p2 := r.uniform(0, 2*math.Pi), r.uniform(0, 2*math.Pi)
	f := func(x float64) float64 {
		if !interior {
			return base
		}
		return base + rh*(a1*math.Sin(2*math.Pi*(x-box.MinLon)/l1+p1)+a2*math.Sin(2*math.Pi*(x-box.MinLon)/l2+p2))
	}
	density := r.uniform(8, 20) // vertices per cell width
	var ln hLine
	for j := range bp {
		ln.xs = append(ln.xs, bp[j])
		ln.ys = append(ln.ys, rnd7(f(bp[j])))
		if j == len(bp)-1 {
			break
		}
		a, b := bp[j], bp[j+1]
		kk := max(1, int(math.Round((b-a)/cw*density*r.uniform(0.7, 1.3))))
		prev := a
		for q := 1; q <= kk; q++ {
			t := (float64(q) + r.uniform(-0.35, 0.35)) / float64(kk+1)
			x := rnd7(a + (b-a)*t)
			y := f(x)
			if interior {
				// perturbation bounded by the local vertex spacing so that short
				// segments next to breakpoints never get steep spikes
				sig := math.Min(0.004*rh, 0.05*(b-a)/float64(kk+1))
				y += clamp(sig*r.norm(), -2*sig, 2*sig)
			}
			if x <= prev || x >= b {
				continue
			}
			ln.xs = append(ln.xs, x)
			ln.ys = append(ln.ys, rnd7(y))
			prev = x
		}
	}
	return ln
}

func find(xs []float64, x float64) int {
	i := sort.SearchFloat64s(xs, x)
	if i >= len(xs) || xs[i] != x {
		panic("breakpoint not found")
	}
	return i
}

// townships: 12 x 10 blocks over the box, named at random.
const townshipsX, townshipsY = 12, 10

// cellMaker cuts rows into cells.
type cellMaker struct {
	r             *rng
	box           Box
	prefix        string
	tnames        []string
	usedT, supers map[string]bool
	st            GridStats
}

// row appends the cells of one row between its bottom and top lines.
func (c *cellMaker) row(grids []Grid, rr int, row gridRow, bot, top hLine) []Grid {
	nr := row.n
	c.st.CellsPerRowMin = min(c.st.CellsPerRowMin, nr)
	c.st.CellsPerRowMax = max(c.st.CellsPerRowMax, nr)
	ib := make([]int, nr+1)
	it := make([]int, nr+1)
	for i := 0; i <= nr; i++ {
		ib[i] = find(bot.xs, row.xb[i])
		it[i] = find(top.xs, row.xt[i])
	}
	// choose separator interior vertex counts so every cell has 30..150 vertices.
	kc := make([]int, nr+1)
	kc[0] = 8 + c.r.intn(23)
	for k := 0; k < nr; k++ {
		s := 4 + (ib[k+1] - ib[k] - 1) + (it[k+1] - it[k] - 1) + kc[k]
		lo, hi := max(1, 30-s), 150-s
		if hi < lo {
			panic(fmt.Sprintf("cannot satisfy vertex bounds in row %d cell %d (s=%d)", rr, k, s))
		}
		kc[k+1] = int(clamp(float64(8+c.r.intn(23)), float64(lo), float64(hi)))
	}
	seps := make([][][2]float64, nr+1)
	for i := 0; i <= nr; i++ {
		seps[i] = c.separator(row, i, kc[i], bot.ys[ib[i]], top.ys[it[i]])
	}
	for k := 0; k < nr; k++ {
		var ring [][2]float64
		for j := ib[k]; j <= ib[k+1]; j++ {
			ring = append(ring, [2]float64{bot.xs[j], bot.ys[j]})
		}
		ring = append(ring, seps[k+1]...)
		for j := it[k+1]; j >= it[k]; j-- {
			ring = append(ring, [2]float64{top.xs[j], top.ys[j]})
		}
		for j := len(seps[k]) - 1; j >= 0; j-- {
			ring = append(ring, seps[k][j])
		}
		ring = append(ring, ring[0])
		grids = append(grids, c.cell(len(grids), rr, k, ring))
	}
	return grids
}

// separator draws the interior points of separator i, bottom to top.
func (c *cellMaker) separator(row gridRow, i, k int, yb, yt float64) [][2]float64 {
	r := c.r
	xb, xt := row.xb[i], row.xt[i]
	edge := i == 0 || i == row.n
	B := 0.08 * row.cw
	c1, ph := r.uniform(0.5, 1.5), r.uniform(0, 2*math.Pi)
	pts := make([][2]float64, 0, k)
	prevY := yb
	for j := 1; j <= k; j++ {
		t := float64(j) / float64(k+1)
		x := xb
		if !edge {
			t = (float64(j) + r.uniform(-0.3, 0.3)) / float64(k+1)
			s2 := math.Sin(math.Pi * t)
			x = xb + (xt-xb)*t + B*math.Sin(2*math.Pi*c1*t+ph)*s2*s2 +
				row.cw*clamp(0.003*r.norm(), -0.008, 0.008)*s2
		}
		y := rnd7(yb + (yt-yb)*t)
		if y <= prevY || y >= yt {
			continue
		}
		pts = append(pts, [2]float64{rnd7(x), y})
		prevY = y
	}
	return pts
}

// cell makes grid number idx of ring, names its township and supervisor,
// and counts it in the statistics.
func (c *cellMaker) cell(idx, rr, k int, ring [][2]float64) Grid {
	box := c.box
	W, H := box.MaxLon-box.MinLon, box.MaxLat-box.MinLat
	g := Grid{Ring: ring, MinX: math.Inf(1), MinY: math.Inf(1), MaxX: math.Inf(-1), MaxY: math.Inf(-1)}
	cx, cy := 0.0, 0.0
	for _, p := range ring[:len(ring)-1] {
		g.MinX, g.MaxX = math.Min(g.MinX, p[0]), math.Max(g.MaxX, p[0])
		g.MinY, g.MaxY = math.Min(g.MinY, p[1]), math.Max(g.MaxY, p[1])
		cx += p[0]
		cy += p[1]
	}
	nv := len(ring) - 1
	cx /= float64(nv)
	cy /= float64(nv)
	bx := min(townshipsX-1, int((cx-box.MinLon)/W*townshipsX))
	by := min(townshipsY-1, int((cy-box.MinLat)/H*townshipsY))
	g.ID = fmt.Sprintf("%s%05d", c.prefix, idx+1)
	g.Township = c.tnames[by*townshipsX+bx]
	g.Supervisor = personName(c.r)
	c.usedT[g.Township] = true
	c.supers[g.Supervisor] = true
	st := &c.st
	st.VerticesMin = min(st.VerticesMin, nv)
	st.VerticesMax = max(st.VerticesMax, nv)
	st.VerticesTotal += nv
	if nv < 30 || nv > 150 {
		st.OutOfRangeVCount++
	}
	a := ringArea(ring)
	st.AreaSumDeg2 += a
	if ok, why := ringSimple(ring); a <= 0 || !ok {
		st.InvalidRings++
		st.Invalid = append(st.Invalid, fmt.Sprintf("invalid ring %s (row %d cell %d): area=%g %s", g.ID, rr, k, a, why))
	}
	return g
}

var syll = []string{"an", "bai", "chang", "da", "dong", "feng", "gao", "guan", "he", "hong", "hu", "hua",
	"jia", "jin", "kou", "li", "liang", "lin", "long", "ma", "nan", "ning", "ping", "qing", "quan", "sha",
	"shan", "shi", "shui", "tai", "tian", "tong", "wang", "wei", "xi", "xin", "yang", "yong", "yu", "yun",
	"ze", "zhang", "zhao", "zhen", "zhuang"}
var surnames = []string{"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu",
	"Xu", "Sun", "Hu", "Zhu", "Gao", "Lin", "He", "Guo", "Ma", "Luo", "Liang", "Song", "Zheng", "Xie",
	"Han", "Tang", "Feng", "Yu", "Dong", "Xiao", "Cheng", "Cao", "Yuan", "Deng", "Fu", "Shen", "Peng", "Lu"}

func title(s string) string { return string(s[0]-32) + s[1:] }

func townshipNames(r *rng, n int) []string {
	suffix := []string{"Zhen", "Zhen", "Xiang", "Xiang", "Jiedao"}
	seen := map[string]bool{}
	out := make([]string, 0, n)
	for len(out) < n {
		name := title(syll[r.intn(len(syll))]) + syll[r.intn(len(syll))] + " " + suffix[r.intn(len(suffix))]
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

func personName(r *rng) string {
	g := title(syll[r.intn(len(syll))])
	if r.float() < 0.7 {
		g += syll[r.intn(len(syll))]
	}
	return surnames[r.intn(len(surnames))] + " " + g
}

// Shanxi is the box of the synthetic Shanxi province (Shanxi's real
// bounding box, about 110.2-114.6 E, 34.6-40.7 N): ShanxiGrids grids, ids
// SXG00001…, ShanxiPoints detections of a fire season around
// ShanxiClusters fires.
var Shanxi = Box{MinLon: 110.2, MinLat: 34.6, MaxLon: 114.6, MaxLat: 40.7}

const (
	ShanxiGrids    = 50000
	ShanxiPoints   = 2000000
	ShanxiClusters = 2500
	ShanxiPrefix   = "SXG"
)
