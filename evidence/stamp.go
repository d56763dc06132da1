package evidence

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"os"
	"sync"

	"github.com/disintegration/imaging"
	"github.com/golang/freetype/truetype"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/math/fixed"

	"skygrid"
)

// DisplaySize is the longest side of the stamped copy, in pixels: enough
// for a reviewer's screen, a fraction of a phone photo's bytes.
const DisplaySize = 1600

// displayQuality is the stamped copy's JPEG quality.
const displayQuality = 85

// FontPaths are where a font with Chinese characters is looked for, in
// order (Debian's fonts-wqy-microhei, fonts-wqy-zenhei, fonts-noto-cjk).
// $SKYGRID_STAMP_FONT names another.
var FontPaths = []string{
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
	"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
}

// Font is the typeface of the stamp. golang.org/x/image/font/sfnt cannot
// read WenQuanYi's collection (golang/go#46384: its tables are not on
// 4-byte boundaries); golang/freetype's truetype reads it.
type Font struct {
	f *truetype.Font
	// CJK: the font has Chinese characters; without it the stamp is
	// written in Latin letters and digits only.
	CJK  bool
	Path string
}

var (
	fontOnce sync.Once
	theFont  *Font
)

// DefaultFont finds the stamp's font once: the first of
// $SKYGRID_STAMP_FONT and FontPaths that reads and has Chinese characters,
// else Go's own font (Latin only).
func DefaultFont() *Font {
	fontOnce.Do(func() {
		paths := FontPaths
		if p := os.Getenv("SKYGRID_STAMP_FONT"); p != "" {
			paths = append([]string{p}, paths...)
		}
		for _, p := range paths {
			if f, err := LoadFont(p); err == nil && f.CJK {
				theFont = f
				return
			}
		}
		f, _ := truetype.Parse(goregular.TTF)
		theFont = &Font{f: f, Path: "gofont/goregular"}
	})
	return theFont
}

// LoadFont reads a TrueType font, or the first font of a collection (.ttc).
func LoadFont(path string) (*Font, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := truetype.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", path, err)
	}
	return &Font{f: f, CJK: f.Index('网') != 0, Path: path}, nil
}

// Lines is what the stamp says, in Chinese when the font has Chinese
// characters, else in Latin letters.
func Lines(s skygrid.PhotoStamp, cjk bool) []string {
	at := s.TakenAt
	atWord, atWordEN := "拍摄", "taken"
	if at.IsZero() {
		at, atWord, atWordEN = s.UploadedAt, "上传", "uploaded"
	}
	when := at.In(skygrid.Beijing).Format("2006-01-02 15:04")
	if !cjk {
		place := s.GridID
		if place == "" {
			place = "no grid"
		}
		lines := []string{fmt.Sprintf("skygrid task #%d  %s", s.TaskID, place), fmt.Sprintf("%s %s (UTC+8)", atWordEN, when)}
		if s.Point != nil {
			lines = append(lines, fmt.Sprintf("N%.5f E%.5f", s.Point[1], s.Point[0]))
		}
		return lines
	}
	lines := []string{fmt.Sprintf("天网格 任务 #%d  %s", s.TaskID, s.Place), fmt.Sprintf("%s %s（北京时间）", atWord, when)}
	switch {
	case s.Point != nil && s.DistanceM != nil:
		lines = append(lines, fmt.Sprintf("北纬%.5f° 东经%.5f° · 距%s%s", s.Point[1], s.Point[0], skygrid.PhotoTarget(s.Class), metres(*s.DistanceM)))
	case s.Point != nil:
		lines = append(lines, fmt.Sprintf("北纬%.5f° 东经%.5f°", s.Point[1], s.Point[0]))
	default:
		lines = append(lines, "照片无GPS位置")
	}
	return lines
}

// metres says a distance as a person would: "230米", "1.4公里".
func metres(m float64) string {
	if m < 1000 {
		return fmt.Sprintf("%.0f米", m)
	}
	return fmt.Sprintf("%.1f公里", m/1000)
}

// MinDisplaySize is the longest side a small photo is enlarged to, so that
// its stamp can be read.
const MinDisplaySize = 800

// Display is the copy reviewers see: img (already turned upright) fitted
// in DisplaySize (a small one enlarged to MinDisplaySize), on white where
// it was transparent.
func Display(img image.Image) *image.NRGBA {
	b := img.Bounds()
	fit := imaging.Fit(img, DisplaySize, DisplaySize, imaging.Lanczos)
	if long := max(b.Dx(), b.Dy()); long < MinDisplaySize {
		w, h := b.Dx()*MinDisplaySize/long, b.Dy()*MinDisplaySize/long
		fit = imaging.Resize(img, max(w, 1), max(h, 1), imaging.Lanczos)
	}
	return imaging.Overlay(imaging.New(fit.Bounds().Dx(), fit.Bounds().Dy(), color.White), fit, image.Point{}, 1)
}

// Stamp draws the lines on a dark band at the foot of img and returns the
// result as a JPEG. The type is sized to the picture, each line shrunk to
// fit its width.
func Stamp(img *image.NRGBA, lines []string, f *Font) ([]byte, error) {
	if f == nil {
		f = DefaultFont()
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	size := max(12, float64(min(w, h))/28)
	lineH := int(size * 1.45)
	band := lineH*len(lines) + int(size*0.6)
	out := image.NewRGBA(b)
	draw.Draw(out, b, img, b.Min, draw.Src)
	draw.Draw(out, image.Rect(b.Min.X, b.Max.Y-band, b.Max.X, b.Max.Y), image.NewUniform(color.RGBA{0, 0, 0, 150}), image.Point{}, draw.Over)
	pad := int(size * 0.6)
	for i, line := range lines {
		face := fitFace(f.f, line, size, w-2*pad)
		d := font.Drawer{Dst: out, Src: image.White, Face: face}
		d.Dot = fixed.P(b.Min.X+pad, b.Max.Y-band+int(size*0.3)+lineH*i+int(size*1.1))
		d.DrawString(line)
		face.Close()
	}
	var buf bytes.Buffer
	if err := imaging.Encode(&buf, out, imaging.JPEG, imaging.JPEGQuality(displayQuality)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// fitFace is the face of the given size, made smaller until line fits in
// width pixels.
func fitFace(f *truetype.Font, line string, size float64, width int) font.Face {
	for {
		face := truetype.NewFace(f, &truetype.Options{Size: size, DPI: 72, Hinting: font.HintingFull})
		if font.MeasureString(face, line).Ceil() <= width || size <= 6 {
			return face
		}
		face.Close()
		size *= 0.9
	}
}
