package evidence_test

import (
	"image"
	"image/color"
	"testing"

	"skygrid/evidence"
)

func TestShrinkFactor(t *testing.T) {
	for _, tc := range []struct{ w, h, side, want int }{
		{8160, 6120, 1600, 5}, // a 50 MP phone photo: 1632 x 1224
		{6120, 8160, 1600, 5},
		{4000, 3000, 1600, 2},
		{3199, 100, 1600, 1},
		{800, 600, 1600, 1},
	} {
		if got := evidence.ShrinkFactor(tc.w, tc.h, tc.side); got != tc.want {
			t.Errorf("ShrinkFactor(%d, %d, %d) = %d, want %d", tc.w, tc.h, tc.side, got, tc.want)
		}
	}
}

// Each pixel of the shrunk image is the mean of its box; the edges' boxes
// are smaller; transparent pixels do not darken their neighbours.
func TestShrinkMeans(t *testing.T) {
	src := image.NewNRGBA(image.Rect(10, 20, 15, 23)) // 5 x 3, not at the origin
	for y := 20; y < 23; y++ {
		for x := 10; x < 15; x++ {
			src.SetNRGBA(x, y, color.NRGBA{uint8(10 * (x - 10)), uint8(50 * (y - 20)), 200, 255})
		}
	}
	src.SetNRGBA(11, 21, color.NRGBA{0, 0, 0, 0}) // transparent
	out := evidence.Shrink(src, 2).(*image.NRGBA) // factor 2: 3 x 2
	if b := out.Bounds(); b.Dx() != 3 || b.Dy() != 2 {
		t.Fatalf("bounds %v, want 3 x 2", b)
	}
	tests := []struct {
		x, y int
		want color.NRGBA
	}{
		// (10..11, 20..21), one pixel transparent: the mean of the three
		// opaque pixels, at three quarters alpha.
		{0, 0, color.NRGBA{(0 + 10 + 0) / 3, (0 + 0 + 50) / 3, 200, 191}},
		{1, 0, color.NRGBA{25, 25, 200, 255}},
		{2, 0, color.NRGBA{40, 25, 200, 255}}, // a 1 x 2 box
		{0, 1, color.NRGBA{5, 100, 200, 255}}, // a 2 x 1 box
		{2, 1, color.NRGBA{40, 100, 200, 255}},
	}
	for _, tc := range tests {
		if got := out.NRGBAAt(tc.x, tc.y); !near(got, tc.want, 1) {
			t.Errorf("(%d, %d) = %v, want %v", tc.x, tc.y, got, tc.want)
		}
	}
	if evidence.Shrink(src, 5) != image.Image(src) {
		t.Error("an image no larger than twice the side is not shrunk")
	}
}

// The JPEG planes' own path gives the colours of the generic one, for
// every subsampling Go's decoder returns.
func TestShrinkYCbCr(t *testing.T) {
	for _, ratio := range []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
		image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410} {
		t.Run(ratio.String(), func(t *testing.T) {
			full := image.NewYCbCr(image.Rect(0, 0, 103, 61), ratio)
			// Colours a photo has: no channel clips, where the mean of
			// the colours and the colour of the means are the same.
			for i := range full.Y {
				full.Y[i] = uint8(60 + i*13%130)
			}
			for i := range full.Cb {
				full.Cb[i], full.Cr[i] = uint8(110+i%30), uint8(145-i%30)
			}
			img := full.SubImage(image.Rect(3, 5, 100, 60)).(*image.YCbCr) // odd origin
			fast := evidence.Shrink(img, 20).(*image.NRGBA)
			slow := evidence.Shrink(ycbcrOnly{img}, 20).(*image.NRGBA)
			if fast.Bounds() != slow.Bounds() || fast.Bounds().Dx() != 25 {
				t.Fatalf("bounds %v and %v, want 25 wide", fast.Bounds(), slow.Bounds())
			}
			for y := range fast.Bounds().Dy() {
				for x := range fast.Bounds().Dx() {
					if a, b := fast.NRGBAAt(x, y), slow.NRGBAAt(x, y); !near(a, b, 2) {
						t.Fatalf("(%d, %d): %v from the planes, %v from the colours", x, y, a, b)
					}
				}
			}
		})
	}
}

// ycbcrOnly hides the *image.YCbCr type: Shrink takes its generic path.
type ycbcrOnly struct{ *image.YCbCr }

func near(a, b color.NRGBA, d int) bool {
	diff := func(x, y uint8) bool { return int(x)-int(y) <= d && int(y)-int(x) <= d }
	return diff(a.R, b.R) && diff(a.G, b.G) && diff(a.B, b.B) && diff(a.A, b.A)
}

// Orient turns as the EXIF orientation says: 6 is a quarter turn
// clockwise, 8 anticlockwise, 3 a half turn, 2 a mirror.
func TestOrient(t *testing.T) {
	red, blue := color.NRGBA{255, 0, 0, 255}, color.NRGBA{0, 0, 255, 255}
	src := image.NewNRGBA(image.Rect(0, 0, 2, 1)) // red left, blue right
	src.SetNRGBA(0, 0, red)
	src.SetNRGBA(1, 0, blue)
	for _, tc := range []struct {
		o             int
		w, h          int
		first, second color.NRGBA // top-left, then bottom-right
	}{
		{1, 2, 1, red, blue}, {0, 2, 1, red, blue}, {2, 2, 1, blue, red}, {3, 2, 1, blue, red},
		{6, 1, 2, red, blue}, {8, 1, 2, blue, red}, {5, 1, 2, red, blue}, {7, 1, 2, blue, red},
	} {
		m := evidence.Orient(src, tc.o)
		b := m.Bounds()
		got1 := color.NRGBAModel.Convert(m.At(b.Min.X, b.Min.Y)).(color.NRGBA)
		got2 := color.NRGBAModel.Convert(m.At(b.Max.X-1, b.Max.Y-1)).(color.NRGBA)
		if b.Dx() != tc.w || b.Dy() != tc.h || got1 != tc.first || got2 != tc.second {
			t.Errorf("orientation %d: %v %v %v, want %dx%d %v %v", tc.o, b, got1, got2, tc.w, tc.h, tc.first, tc.second)
		}
	}
}
