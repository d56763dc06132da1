package demo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math/rand/v2"
	"skygrid/evidence"
	"time"

	"skygrid"

	"github.com/paulmach/orb"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Photo draws an invented report photo for the demo's invented
// findings: a small synthetic scene for the finding (a burnt field with
// smoke, a burning heap, a solar farm, a bare field, a works), labelled
// "DEMO - invented", as a JPEG whose EXIF holds the position and the
// local (Beijing) time it was "taken", as a phone writes them. Not a
// photo of anything real.
func Photo(finding string, at time.Time, p orb.Point, seed uint64) ([]byte, error) {
	b, err := demoSceneJPEG(finding, seed)
	if err != nil {
		return nil, err
	}
	return evidence.WithEXIF(b, at, p), nil
}

// demoSceneJPEG encodes a scene (no EXIF).
func demoSceneJPEG(finding string, seed uint64) ([]byte, error) {
	img := demoScene(finding, rand.New(rand.NewPCG(seed, 7)))
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// demoPhotoVariants is how many scenes each finding has.
const demoPhotoVariants = 3

// demoPhotos makes the demo's photos: each finding's scenes are encoded
// and thumbnailed once; a photo is a scene with its own EXIF.
type demoPhotos struct {
	scenes map[string]*demoSceneFile
}

type demoSceneFile struct {
	jpeg  []byte
	photo skygrid.Photo
	thumb []byte
}

// photo stores an invented photo of the finding taken at at, at p, and
// returns it checked against the event (as evidence.Photos.Accept does).
func (d *demoPhotos) photo(files evidence.Files, finding string, variant uint64, at time.Time, p orb.Point, e *skygrid.Event) (*skygrid.Photo, error) {
	key := fmt.Sprintf("%s/%d", finding, variant%demoPhotoVariants)
	sc := d.scenes[key]
	if sc == nil {
		b, err := demoSceneJPEG(finding, variant%demoPhotoVariants)
		if err != nil {
			return nil, err
		}
		ph, pd, err := evidence.ReadPhoto(bytes.NewReader(b), key, 15<<20)
		if err != nil {
			return nil, err
		}
		sc = &demoSceneFile{jpeg: b, photo: *ph, thumb: pd.Thumb}
		if d.scenes == nil {
			d.scenes = map[string]*demoSceneFile{}
		}
		d.scenes[key] = sc
	}
	data := evidence.WithEXIF(sc.jpeg, at, p)
	sum := sha256.Sum256(data)
	ph := sc.photo
	ph.SHA256, ph.Size, ph.TakenAt = hex.EncodeToString(sum[:]), int64(len(data)), at.Truncate(time.Second)
	ph.Point = &p
	evidence.CheckPhoto(&ph, e)
	if err := files.Save(&ph, &evidence.PhotoData{Original: data, Thumb: sc.thumb}); err != nil {
		return nil, err
	}
	return &ph, nil
}

// demoScene paints 240x180 pixels for a finding.
func demoScene(finding string, rng *rand.Rand) *image.RGBA {
	const w, h = 240, 180
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fill := func(r image.Rectangle, c color.RGBA) { draw.Draw(img, r, &image.Uniform{c}, image.Point{}, draw.Src) }
	sky := color.RGBA{170, 196, 222, 255}
	fill(img.Rect, sky)
	ground := color.RGBA{176, 150, 96, 255} // autumn stubble
	horizon := 60 + rng.IntN(20)
	fill(image.Rect(0, horizon, w, h), ground)
	// Furrows.
	for y := horizon + 6; y < h; y += 9 {
		fill(image.Rect(0, y, w, y+2), color.RGBA{150, 124, 78, 255})
	}
	blob := func(cx, cy, rx, ry int, c color.RGBA) {
		for y := cy - ry; y <= cy+ry; y++ {
			for x := cx - rx; x <= cx+rx; x++ {
				dx, dy := float64(x-cx)/float64(rx), float64(y-cy)/float64(ry)
				if dx*dx+dy*dy <= 1 && image.Pt(x, y).In(img.Rect) {
					img.SetRGBA(x, y, c)
				}
			}
		}
	}
	cx := 60 + rng.IntN(120)
	switch finding {
	case skygrid.FindingStrawBurning:
		blob(cx, 140, 70, 22, color.RGBA{40, 36, 32, 255}) // the burnt patch
		blob(cx+10, 90, 40, 30, color.RGBA{150, 150, 150, 255})
		blob(cx+25, 60, 30, 22, color.RGBA{185, 185, 185, 255})
	case skygrid.FindingOpenBurning:
		blob(cx, 140, 26, 14, color.RGBA{70, 60, 50, 255})
		blob(cx, 128, 12, 10, color.RGBA{230, 120, 30, 255})
		blob(cx+6, 100, 22, 18, color.RGBA{140, 140, 140, 255})
	case skygrid.FindingFalseAlarm:
		for i := 0; i < 5; i++ { // panels or greenhouse roofs
			x := 20 + i*44
			fill(image.Rect(x, 110, x+36, 150), color.RGBA{40, 60, 110, 255})
		}
	case skygrid.FindingIndustrialHeat:
		fill(image.Rect(cx-40, horizon-10, cx+40, horizon+40), color.RGBA{120, 120, 126, 255})
		fill(image.Rect(cx+20, horizon-50, cx+30, horizon), color.RGBA{100, 90, 90, 255})
		blob(cx+30, horizon-60, 16, 10, color.RGBA{210, 210, 210, 255})
	}
	label := "DEMO - invented"
	fill(image.Rect(4, 4, 8+7*len(label), 20), color.RGBA{255, 255, 255, 220})
	d := font.Drawer{Dst: img, Src: image.NewUniform(color.RGBA{180, 0, 0, 255}), Face: basicfont.Face7x13, Dot: fixed.P(6, 16)}
	d.DrawString(label)
	return img
}
