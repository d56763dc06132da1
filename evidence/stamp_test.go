package evidence_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/evidence"

	"github.com/disintegration/imaging"
	"github.com/paulmach/orb"
)

func TestLines(t *testing.T) {
	d := 230.0
	taken := time.Date(2023, 10, 31, 6, 5, 0, 0, time.UTC)
	up := time.Date(2023, 10, 31, 7, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		s    skygrid.PhotoStamp
		cjk  bool
		want []string
	}{
		{"taken, located", skygrid.PhotoStamp{TaskID: 12, Place: "浑源县 6行10列", TakenAt: taken, UploadedAt: up, Point: &orb.Point{113.69, 39.7}, DistanceM: &d}, true,
			[]string{"天网格 任务 #12  浑源县 6行10列", "拍摄 2023-10-31 14:05（北京时间）", "北纬39.70000° 东经113.69000° · 距火点230米"}},
		{"a site's task: the distance from the site", skygrid.PhotoStamp{TaskID: 13, Place: "云冈区", Class: skygrid.ClassDustExceedance, TakenAt: taken, Point: &orb.Point{113.69, 39.7}, DistanceM: &d}, true,
			[]string{"天网格 任务 #13  云冈区", "拍摄 2023-10-31 14:05（北京时间）", "北纬39.70000° 东经113.69000° · 距工地230米"}},
		{"no EXIF: the upload time, no position", skygrid.PhotoStamp{TaskID: 12, Place: "浑源县", UploadedAt: up}, true,
			[]string{"天网格 任务 #12  浑源县", "上传 2023-10-31 15:00（北京时间）", "照片无GPS位置"}},
		{"no Chinese font", skygrid.PhotoStamp{TaskID: 12, GridID: "140225-005-009", TakenAt: taken, Point: &orb.Point{113.69, 39.7}}, false,
			[]string{"skygrid task #12  140225-005-009", "taken 2023-10-31 14:05 (UTC+8)", "N39.70000 E113.69000"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := evidence.Lines(tc.s, tc.cjk)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// The stamp writes light text on a dark band at the foot of the picture
// and leaves the rest as it was.
func TestStamp(t *testing.T) {
	f := evidence.DefaultFont()
	if _, err := os.Stat(evidence.FontPaths[0]); err == nil && !f.CJK {
		t.Fatalf("%s is installed but the stamp font %s has no Chinese", evidence.FontPaths[0], f.Path)
	}
	green := color.NRGBA{40, 160, 60, 255}
	img := evidence.Display(imaging.New(2000, 1500, green))
	if b := img.Bounds(); b.Dx() != 1600 || b.Dy() != 1200 {
		t.Fatalf("display copy %v, want 1600x1200", b)
	}
	lines := evidence.Lines(skygrid.PhotoStamp{TaskID: 7, Place: "浑源县 永安镇 6行10列", UploadedAt: time.Now()}, f.CJK)
	out, err := evidence.Stamp(img, lines, f)
	if err != nil {
		t.Fatal(err)
	}
	got, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	count := func(r image.Rectangle, light bool) (n int) {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				c := color.NRGBAModel.Convert(got.At(x, y)).(color.NRGBA)
				if light && c.R > 200 && c.G > 200 && c.B > 200 {
					n++
				} else if !light && absd(c.G, green.G) > 12 {
					n++
				}
			}
		}
		return n
	}
	band := image.Rect(0, 1050, 1600, 1200)
	if n := count(band, true); n < 2000 {
		t.Errorf("the band has %d light (text) pixels, want text", n)
	}
	if n := count(image.Rect(0, 0, 1600, 900), false); n > 0 {
		t.Errorf("%d pixels above the band changed", n)
	}
}

func absd(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

// A small photo is enlarged so that its stamp can be read.
func TestDisplaySmall(t *testing.T) {
	img := evidence.Display(imaging.New(64, 48, color.White))
	if b := img.Bounds(); b.Dx() != 800 || b.Dy() != 600 {
		t.Errorf("display copy of 64x48: %v, want 800x600", b)
	}
}

func TestLoadFontMissing(t *testing.T) {
	if _, err := evidence.LoadFont("/nonexistent/font.ttc"); err == nil {
		t.Error("a missing font loaded")
	}
}
