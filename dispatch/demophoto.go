package dispatch

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"time"

	"skygrid"

	"github.com/paulmach/orb"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// DemoPhoto draws an invented report photo for the demo's invented
// findings: a small synthetic scene for the finding (a burnt field with
// smoke, a burning heap, a solar farm, a bare field, a works), labelled
// "DEMO - invented", as a JPEG whose EXIF holds the position and the
// local (Beijing) time it was "taken", as a phone writes them. Not a
// photo of anything real.
func DemoPhoto(finding string, at time.Time, p orb.Point, seed uint64) ([]byte, error) {
	b, err := demoSceneJPEG(finding, seed)
	if err != nil {
		return nil, err
	}
	return withEXIF(b, at, p), nil
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

// withEXIF inserts the EXIF of a photo taken at at, at p, after the SOI.
func withEXIF(b []byte, at time.Time, p orb.Point) []byte {
	app1 := exifSegment(at.In(skygrid.Beijing), p)
	out := make([]byte, 0, len(b)+len(app1))
	out = append(out, b[:2]...) // SOI
	out = append(out, app1...)
	return append(out, b[2:]...)
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
// returns it checked against the event (as Evidence.Accept does).
func (d *demoPhotos) photo(files PhotoFiles, finding string, variant uint64, at time.Time, p orb.Point, e *skygrid.Event) (*skygrid.Photo, error) {
	key := fmt.Sprintf("%s/%d", finding, variant%demoPhotoVariants)
	sc := d.scenes[key]
	if sc == nil {
		b, err := demoSceneJPEG(finding, variant%demoPhotoVariants)
		if err != nil {
			return nil, err
		}
		ph, pd, err := ReadPhoto(bytes.NewReader(b), key, 15<<20)
		if err != nil {
			return nil, err
		}
		sc = &demoSceneFile{jpeg: b, photo: *ph, thumb: pd.Thumb}
		if d.scenes == nil {
			d.scenes = map[string]*demoSceneFile{}
		}
		d.scenes[key] = sc
	}
	data := withEXIF(sc.jpeg, at, p)
	sum := sha256.Sum256(data)
	ph := sc.photo
	ph.SHA256, ph.Size, ph.TakenAt = hex.EncodeToString(sum[:]), int64(len(data)), at.Truncate(time.Second)
	ph.Point = &p
	CheckPhoto(&ph, e)
	if err := files.Save(&ph, &PhotoData{Original: data, Thumb: sc.thumb}); err != nil {
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

// exifSegment is a JPEG APP1 segment with the EXIF a phone writes:
// DateTimeOriginal and OffsetTimeOriginal of t, and the GPS position p.
func exifSegment(t time.Time, p orb.Point) []byte {
	le := binary.LittleEndian
	type entry struct {
		tag, typ uint16
		count    uint32
		data     []byte // inline when 4 bytes or fewer
	}
	ascii := func(s string) []byte { return append([]byte(s), 0) }
	rational := func(v float64) []byte {
		d, m := math.Modf(math.Abs(v))
		m, s := math.Modf(m * 60)
		b := make([]byte, 24)
		for i, x := range []uint32{uint32(d), 1, uint32(m), 1, uint32(math.Round(s * 60 * 1000)), 1000} {
			le.PutUint32(b[4*i:], x)
		}
		return b
	}
	// Layout: header (8), IFD0 (2 entries), Exif IFD (2), GPS IFD (5), then the data.
	ifdLen := func(n int) uint32 { return uint32(2 + 12*n + 4) }
	ifd0, exifIFD := uint32(8), uint32(8)+ifdLen(2)
	gpsIFD := exifIFD + ifdLen(2)
	dataAt := gpsIFD + ifdLen(5)
	var data []byte
	write := func(es []entry) []byte {
		var b []byte
		b = le.AppendUint16(b, uint16(len(es)))
		for _, e := range es {
			b = le.AppendUint16(b, e.tag)
			b = le.AppendUint16(b, e.typ)
			b = le.AppendUint32(b, e.count)
			if len(e.data) <= 4 {
				v := make([]byte, 4)
				copy(v, e.data)
				b = append(b, v...)
				continue
			}
			b = le.AppendUint32(b, dataAt+uint32(len(data)))
			data = append(data, e.data...)
		}
		return le.AppendUint32(b, 0)
	}
	ptr := func(v uint32) []byte { return le.AppendUint32(nil, v) }
	const typeByte, typeASCII, typeLong, typeRational = 1, 2, 4, 5
	dt, off := ascii(t.Format("2006:01:02 15:04:05")), ascii(t.Format("-07:00"))
	latRef, lonRef := "N", "E"
	if p[1] < 0 {
		latRef = "S"
	}
	if p[0] < 0 {
		lonRef = "W"
	}
	tiff := []byte{'I', 'I', 42, 0}
	tiff = le.AppendUint32(tiff, ifd0)
	tiff = append(tiff, write([]entry{{0x8769, typeLong, 1, ptr(exifIFD)}, {0x8825, typeLong, 1, ptr(gpsIFD)}})...)
	tiff = append(tiff, write([]entry{{0x9003, typeASCII, uint32(len(dt)), dt}, {0x9011, typeASCII, uint32(len(off)), off}})...)
	tiff = append(tiff, write([]entry{{0x0000, typeByte, 4, []byte{2, 3, 0, 0}}, {0x0001, typeASCII, 2, ascii(latRef)},
		{0x0002, typeRational, 3, rational(p[1])}, {0x0003, typeASCII, 2, ascii(lonRef)}, {0x0004, typeRational, 3, rational(p[0])}})...)
	tiff = append(tiff, data...)
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(payload)+2))
	return append(seg, payload...)
}
