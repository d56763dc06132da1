package evidence

import (
	"image"
	"image/color"

	"github.com/disintegration/imaging"
)

// ShrinkFactor is the whole factor Shrink reduces an image of w × h
// pixels by: the largest that keeps its longer side at least side pixels
// (1: not reduced).
func ShrinkFactor(w, h, side int) int {
	return max(1, max(w, h)/side)
}

// Shrink returns img reduced by ShrinkFactor, each pixel the mean of a
// k × k box of img (the boxes of the right and bottom edges may be
// smaller), or img itself when the factor is 1. A box at a whole factor
// is a sound downscale and one pass over the pixels: a 50-megapixel photo
// shrinks to its display size's neighbourhood in a fraction of the time
// a Lanczos resize of every pixel takes (and of its memory), and the
// Lanczos fit to the exact size then works on few pixels.
func Shrink(img image.Image, side int) image.Image {
	b := img.Bounds()
	k := ShrinkFactor(b.Dx(), b.Dy(), side)
	if k == 1 {
		return img
	}
	if y, ok := img.(*image.YCbCr); ok {
		return shrinkYCbCr(y, k)
	}
	src, ok := img.(image.RGBA64Image)
	if !ok {
		return img
	}
	w, h := (b.Dx()+k-1)/k, (b.Dy()+k-1)/k
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	sums := make([]uint64, 4*w)
	for oy := range h {
		clear(sums)
		y0, y1 := b.Min.Y+oy*k, min(b.Min.Y+(oy+1)*k, b.Max.Y)
		for y := y0; y < y1; y++ {
			for ox := range w {
				s := sums[4*ox : 4*ox+4 : 4*ox+4]
				x0, x1 := b.Min.X+ox*k, min(b.Min.X+(ox+1)*k, b.Max.X)
				for x := x0; x < x1; x++ {
					c := src.RGBA64At(x, y) // premultiplied by alpha
					s[0] += uint64(c.R)
					s[1] += uint64(c.G)
					s[2] += uint64(c.B)
					s[3] += uint64(c.A)
				}
			}
		}
		row := out.Pix[oy*out.Stride : oy*out.Stride+4*w]
		for ox := range w {
			s := sums[4*ox : 4*ox+4]
			if s[3] == 0 {
				continue // transparent
			}
			// Un-premultiply: colour / alpha, in 8 bits.
			for i := range 3 {
				row[4*ox+i] = uint8(min(255, (s[i]*255+s[3]/2)/s[3]))
			}
			n := uint64(min(k, b.Max.X-b.Min.X-ox*k) * (y1 - y0))
			row[4*ox+3] = uint8((s[3]/n + 128) / 257)
		}
	}
	return out
}

// shrinkYCbCr is Shrink for a JPEG's planes: the means of Y, Cb and Cr,
// read straight from the planes, then turned into RGB (the conversion is
// linear, so the mean's colour is the colours' mean).
func shrinkYCbCr(img *image.YCbCr, k int) *image.NRGBA {
	b := img.Bounds()
	var hs, vs uint // chroma subsampling, as shifts
	switch img.SubsampleRatio {
	case image.YCbCrSubsampleRatio422:
		hs = 1
	case image.YCbCrSubsampleRatio420:
		hs, vs = 1, 1
	case image.YCbCrSubsampleRatio440:
		vs = 1
	case image.YCbCrSubsampleRatio411:
		hs = 2
	case image.YCbCrSubsampleRatio410:
		hs, vs = 2, 1
	}
	w, h := (b.Dx()+k-1)/k, (b.Dy()+k-1)/k
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	sums := make([]uint32, 3*w)
	for oy := range h {
		clear(sums)
		y0, y1 := b.Min.Y+oy*k, min(b.Min.Y+(oy+1)*k, b.Max.Y)
		for y := y0; y < y1; y++ {
			yRow := img.Y[(y-img.Rect.Min.Y)*img.YStride:]
			cRow := (y>>vs - img.Rect.Min.Y>>vs) * img.CStride
			cb, cr := img.Cb[cRow:], img.Cr[cRow:]
			mx, cmx := img.Rect.Min.X, img.Rect.Min.X>>hs
			for ox := range w {
				x0, x1 := b.Min.X+ox*k, min(b.Min.X+(ox+1)*k, b.Max.X)
				var sy, sb, sr uint32
				for _, v := range yRow[x0-mx : x1-mx] {
					sy += uint32(v)
				}
				for x := x0; x < x1; x++ {
					cx := x>>hs - cmx
					sb += uint32(cb[cx])
					sr += uint32(cr[cx])
				}
				sums[3*ox] += sy
				sums[3*ox+1] += sb
				sums[3*ox+2] += sr
			}
		}
		row := out.Pix[oy*out.Stride:]
		for ox := range w {
			n := uint32(min(k, b.Max.X-b.Min.X-ox*k) * (y1 - y0))
			r, g, bl := color.YCbCrToRGB(uint8((sums[3*ox]+n/2)/n), uint8((sums[3*ox+1]+n/2)/n), uint8((sums[3*ox+2]+n/2)/n))
			row[4*ox], row[4*ox+1], row[4*ox+2], row[4*ox+3] = r, g, bl, 255
		}
	}
	return out
}

// Orient turns img upright from its EXIF orientation (1-8; anything else
// leaves it as it is), as imaging's AutoOrientation does.
func Orient(img image.Image, orientation int) image.Image {
	switch orientation {
	case 2:
		return imaging.FlipH(img)
	case 3:
		return imaging.Rotate180(img)
	case 4:
		return imaging.FlipV(img)
	case 5:
		return imaging.Transpose(img)
	case 6:
		return imaging.Rotate270(img)
	case 7:
		return imaging.Transverse(img)
	case 8:
		return imaging.Rotate90(img)
	}
	return img
}
