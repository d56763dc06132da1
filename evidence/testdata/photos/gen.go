//go:build ignore

// gen writes the plain images that make.sh then tags with exiftool. The
// pictures are synthetic: gradients and flat colours, no real photos.
//
//	go run gen.go
package main

import (
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"log"
	"os"
)

func main() {
	for _, name := range []string{"at_event.jpg", "far_5km.jpg", "early.jpg", "no_gps.jpg", "no_offset.jpg"} {
		writeJPEG(name, gradient(64, 48))
	}
	// rotated.jpg is stored landscape, left half red and right half blue;
	// with Orientation 6 (Rotate 90 CW) it shows portrait, red on top.
	img := image.NewRGBA(image.Rect(0, 0, 64, 32))
	for y := 0; y < 32; y++ {
		for x := 0; x < 64; x++ {
			c := color.RGBA{220, 30, 30, 255}
			if x >= 32 {
				c = color.RGBA{30, 30, 220, 255}
			}
			img.Set(x, y, c)
		}
	}
	writeJPEG("rotated.jpg", img)
	f, err := os.Create("photo.png")
	if err != nil {
		log.Fatal(err)
	}
	if err := png.Encode(f, gradient(40, 30)); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

func gradient(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 96, 255})
		}
	}
	return img
}

func writeJPEG(name string, img image.Image) {
	f, err := os.Create(name)
	if err != nil {
		log.Fatal(err)
	}
	if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 85}); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
