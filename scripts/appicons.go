//go:build ignore

// appicons draws the web app's icons (frontend/public/icons/), the ones a
// phone shows when the app is installed: a red square with a white 3x3
// grid and an orange fire dot in one cell. The maskable icon keeps its
// drawing inside the central 80% that launchers never crop.
//
//	go run scripts/appicons.go
package main

import (
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"

	"golang.org/x/image/vector"
)

var (
	red    = color.NRGBA{0xb3, 0x26, 0x1e, 0xff}
	white  = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	orange = color.NRGBA{0xff, 0x9f, 0x1c, 0xff}
)

func main() {
	dir := filepath.Join("frontend", "public", "icons")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	for _, ic := range []struct {
		name string
		size int
		safe float64 // the share of the side the drawing may use
	}{{"icon-192.png", 192, 0.78}, {"icon-512.png", 512, 0.78}, {"maskable-512.png", 512, 0.62}, {"apple-touch-icon.png", 180, 0.78}} {
		if err := write(filepath.Join(dir, ic.name), draw(ic.size, ic.safe)); err != nil {
			log.Fatal(err)
		}
	}
}

func draw(n int, safe float64) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, n, n))
	s := float32(n)
	fill(img, red, func(r *vector.Rasterizer) {
		r.MoveTo(0, 0)
		r.LineTo(s, 0)
		r.LineTo(s, s)
		r.LineTo(0, s)
		r.ClosePath()
	})
	side := float32(safe) * s
	x0, y0 := (s-side)/2, (s-side)/2
	w := side / 40 // line width
	for i := 0; i <= 3; i++ {
		p := x0 + side*float32(i)/3
		rect(img, white, p-w, y0-w, p+w, y0+side+w)
		rect(img, white, x0-w, y0+side*float32(i)/3-w, x0+side+w, y0+side*float32(i)/3+w)
	}
	// The fire dot in the centre-right cell, with a white ring.
	cx, cy := x0+side*2.5/3, y0+side*1.5/3
	circle(img, white, cx, cy, side/7.5)
	circle(img, orange, cx, cy, side/9.5)
	return img
}

func fill(img *image.RGBA, c color.Color, path func(*vector.Rasterizer)) {
	b := img.Bounds()
	r := vector.NewRasterizer(b.Dx(), b.Dy())
	path(r)
	r.Draw(img, b, image.NewUniform(c), image.Point{})
}

func rect(img *image.RGBA, c color.Color, x0, y0, x1, y1 float32) {
	fill(img, c, func(r *vector.Rasterizer) {
		r.MoveTo(x0, y0)
		r.LineTo(x1, y0)
		r.LineTo(x1, y1)
		r.LineTo(x0, y1)
		r.ClosePath()
	})
}

func circle(img *image.RGBA, c color.Color, cx, cy, rad float32) {
	fill(img, c, func(r *vector.Rasterizer) {
		const k = 48
		for i := 0; i <= k; i++ {
			a := 2 * math.Pi * float64(i) / k
			x, y := cx+rad*float32(math.Cos(a)), cy+rad*float32(math.Sin(a))
			if i == 0 {
				r.MoveTo(x, y)
			} else {
				r.LineTo(x, y)
			}
		}
		r.ClosePath()
	})
}

func write(name string, img image.Image) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer f.Close()
	return png.Encode(f, img)
}
