package perfgen

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"time"
)

// Point is a generated detection's position as a CSV reader parses it.
type Point struct{ Lat, Lon float64 }

// FIRMSHeader is the FIRMS VIIRS CSV header the points are written with.
const FIRMSHeader = "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight\n"

type cluster struct {
	x, y, sx, sy float64
	doy          int
}

func sampleDOY(r *rng) int {
	u := r.float()
	var d float64
	switch {
	case u < 0.40:
		d = r.uniform(1, 367)
	case u < 0.75:
		d = 95 + 15*r.norm() // spring field burning
	default:
		d = 295 + 15*r.norm() // autumn harvest burning
	}
	return int(clamp(math.Floor(d), 1, 366))
}

func genClusters(seed uint64, k int, box Box) ([]cluster, []float64) {
	r := newRNG(seed)
	cs := make([]cluster, k)
	cum := make([]float64, k)
	tot := 0.0
	for i := range cs {
		sig := math.Pow(10, r.uniform(math.Log10(0.002), math.Log10(0.03)))
		an := r.uniform(0.6, 1.6)
		y := r.uniform(box.MinLat+0.02, box.MaxLat-0.02)
		cs[i] = cluster{
			x:   r.uniform(box.MinLon+0.02, box.MaxLon-0.02),
			y:   y,
			sx:  sig * an / math.Cos(y*math.Pi/180),
			sy:  sig / an,
			doy: sampleDOY(r),
		}
		tot += math.Exp(1.2 * r.norm())
		cum[i] = tot
	}
	for i := range cum {
		cum[i] /= tot
	}
	return cs, cum
}

// pointGen draws points: 30% around weighted clusters (fires), 70%
// uniform over the box, each with a day of 2024.
type pointGen struct {
	r     *rng
	box   Box
	cs    []cluster
	cum   []float64
	dates []string
	nclus int
}

// position draws one point's place (5 decimals, strictly inside the box)
// and day of the year.
func (g *pointGen) position() (lon, lat float64, doy int) {
	r, box := g.r, g.box
	inside := func(lon, lat float64) bool {
		return lon > box.MinLon && lon < box.MaxLon && lat > box.MinLat && lat < box.MaxLat
	}
	if r.float() < 0.30 {
		g.nclus++
		c := g.cs[sort.SearchFloat64s(g.cum, r.float())]
		for {
			lon = math.Round((c.x+c.sx*r.norm())*pScale) / pScale
			lat = math.Round((c.y+c.sy*r.norm())*pScale) / pScale
			if inside(lon, lat) {
				break
			}
		}
		return lon, lat, int(clamp(float64(c.doy)+math.Round(2.5*r.norm()), 1, 366))
	}
	for {
		lon = math.Round(r.uniform(box.MinLon, box.MaxLon)*pScale) / pScale
		lat = math.Round(r.uniform(box.MinLat, box.MaxLat)*pScale) / pScale
		if inside(lon, lat) {
			break
		}
	}
	return lon, lat, sampleDOY(r)
}

// record appends one CSV row: the point's place and day, then its
// satellite, time, brightness, pixel size, FRP and confidence.
func (g *pointGen) record(buf []byte, lon, lat float64, doy int) []byte {
	r := g.r
	day := r.float() < 0.72
	var sat string
	switch u := r.float(); {
	case u < 0.40:
		sat = "N"
	case u < 0.75:
		sat = "N20"
	default:
		sat = "N21"
	}
	var mins int
	var ti4, ti5 float64
	if day {
		mins = 4*60 + r.intn(150)
		ti4 = math.Min(367, 300+28*-math.Log(1-r.float()))
		ti5 = clamp(285+8*r.norm()+0.15*(ti4-300), 260, 340)
	} else {
		mins = 16*60 + 30 + r.intn(150)
		ti4 = math.Min(367, 292+15*-math.Log(1-r.float()))
		ti5 = clamp(272+6*r.norm()+0.1*(ti4-292), 250, 320)
	}
	u := r.float()
	scan := 0.32 + 0.48*u*u + 0.01*r.float()
	track := 0.36 + 0.42*u*u + 0.01*r.float()
	frp := clamp(math.Exp(math.Log(2.8)+1.0*r.norm()), 0.3, 1500)
	conf := "n"
	switch v := r.float(); {
	case ti4 >= 360 && v < 0.8:
		conf = "h"
	case v < 0.15:
		conf = "l"
	}
	for k, v := range []float64{lat, lon, ti4, scan, track} {
		if k > 0 {
			buf = append(buf, ',')
		}
		buf = strconv.AppendFloat(buf, v, 'f', []int{5, 5, 2, 2, 2}[k], 64)
	}
	buf = append(buf, ',')
	buf = append(buf, g.dates[doy]...)
	buf = fmt.Appendf(buf, ",%02d%02d,", mins/60, mins%60)
	buf = append(buf, sat...)
	buf = append(buf, ",VIIRS,"...)
	buf = append(buf, conf...)
	buf = append(buf, ",2.0NRT,"...)
	buf = strconv.AppendFloat(buf, ti5, 'f', 2, 64)
	buf = append(buf, ',')
	buf = strconv.AppendFloat(buf, frp, 'f', 2, 64)
	if day {
		return append(buf, ",D\n"...)
	}
	return append(buf, ",N\n"...)
}

// WritePoints writes m points over box to w in the FIRMS VIIRS layout
// (header first), drawn around clusters fire clusters, and returns them
// as a CSV reader will parse them, with how many were clustered.
func WritePoints(w io.Writer, m int, seed uint64, box Box, clusters int) ([]Point, int, error) {
	g := &pointGen{box: box, dates: make([]string, 367)}
	g.cs, g.cum = genClusters(seed+2, clusters, box)
	g.r = newRNG(seed + 1)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for d := 1; d <= 366; d++ {
		g.dates[d] = t0.AddDate(0, 0, d-1).Format("2006-01-02")
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString(FIRMSHeader)
	pts := make([]Point, m)
	buf := make([]byte, 0, 256)
	for i := range pts {
		lon, lat, doy := g.position()
		buf = g.record(buf[:0], lon, lat, doy)
		bw.Write(buf)
		// the reference uses the values exactly as a CSV reader will parse them
		lat, _ = strconv.ParseFloat(strconv.FormatFloat(lat, 'f', 5, 64), 64)
		lon, _ = strconv.ParseFloat(strconv.FormatFloat(lon, 'f', 5, 64), 64)
		pts[i] = Point{lat, lon}
	}
	return pts, g.nclus, bw.Flush()
}

// Uniform draws n points [lon, lat] uniformly inside box (6 decimals).
func Uniform(n int, seed uint64, box Box) [][2]float64 {
	r := newRNG(seed)
	out := make([][2]float64, n)
	for i := range out {
		out[i] = [2]float64{math.Round(r.uniform(box.MinLon, box.MaxLon)*1e6) / 1e6, math.Round(r.uniform(box.MinLat, box.MaxLat)*1e6) / 1e6}
	}
	return out
}
