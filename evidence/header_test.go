package evidence_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
	"testing/iotest"

	"skygrid/evidence"
)

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodeJPEG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withSegments puts APPn segments of n bytes each after a JPEG's SOI, as
// EXIF, ICC profiles and embedded thumbnails come before the frame.
func withSegments(b []byte, n, count int) []byte {
	out := append([]byte{}, b[:2]...)
	for i := range count {
		seg := make([]byte, n)
		seg[0] = 0xff
		if i%2 == 1 {
			seg[0] = 0xd9 // bytes that look like markers inside a segment
		}
		out = append(out, 0xff, 0xe1+byte(i%14), byte((n+2)>>8), byte(n+2))
		out = append(out, seg...)
	}
	return append(out, b[2:]...)
}

// setPNG rewrites a PNG's IHDR: size, bit depth, colour type, interlace.
func setPNG(b []byte, w, h uint32, depth, ctype, interlace byte) []byte {
	b = append([]byte{}, b...)
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	b[24], b[25], b[28] = depth, ctype, interlace
	binary.BigEndian.PutUint32(b[29:33], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// setSOF rewrites a Go-encoded JPEG's frame: its marker, precision, size
// and component ids.
func setSOF(b []byte, marker byte, precision byte, w, h uint16, ids string) []byte {
	b = append([]byte{}, b...)
	i := bytes.Index(b, []byte{0xff, 0xc0})
	b[i+1], b[i+4] = marker, precision
	binary.BigEndian.PutUint16(b[i+5:], h)
	binary.BigEndian.PutUint16(b[i+7:], w)
	for k := range ids {
		b[i+10+3*k] = ids[k]
	}
	return b
}

func TestReadHeader(t *testing.T) {
	rgba := image.NewNRGBA(image.Rect(0, 0, 30, 20))
	gray := image.NewGray(image.Rect(0, 0, 30, 20))
	pal := image.NewPaletted(image.Rect(0, 0, 30, 20), color.Palette{color.Black, color.White})
	deep := image.NewNRGBA64(image.Rect(0, 0, 30, 20))
	colorJPEG := encodeJPEG(t, image.NewRGBA(image.Rect(0, 0, 30, 20)))
	grayJPEG := encodeJPEG(t, gray)
	opaque := image.NewRGBA(image.Rect(0, 0, 30, 20))
	for i := 3; i < len(opaque.Pix); i += 4 {
		opaque.Pix[i] = 255
	}
	tests := []struct {
		name  string
		data  []byte
		want  evidence.Header
		bytes int64 // DecodedBytes
	}{
		{"PNG RGBA", encodePNG(t, rgba), evidence.Header{Format: "png", Width: 30, Height: 20, BitDepth: 8, ColorType: 6, Components: 4}, 30 * 20 * 4},
		{"PNG RGB", encodePNG(t, opaque), evidence.Header{Format: "png", Width: 30, Height: 20, BitDepth: 8, ColorType: 2, Components: 3}, 30 * 20 * 4},
		{"PNG grey", encodePNG(t, gray), evidence.Header{Format: "png", Width: 30, Height: 20, BitDepth: 8, ColorType: 0, Components: 1}, 30 * 20 * 4},
		{"PNG palette", encodePNG(t, pal), evidence.Header{Format: "png", Width: 30, Height: 20, BitDepth: 1, ColorType: 3, Components: 1}, 30 * 20},
		{"PNG 16-bit", encodePNG(t, deep), evidence.Header{Format: "png", Width: 30, Height: 20, BitDepth: 16, ColorType: 6, Components: 4}, 30 * 20 * 8},
		{"PNG of the issue: 16-bit, 10,950 x 10,950", setPNG(encodePNG(t, deep), 10950, 10950, 16, 6, 0),
			evidence.Header{Format: "png", Width: 10950, Height: 10950, BitDepth: 16, ColorType: 6, Components: 4}, 10950 * 10950 * 8},
		{"PNG interlaced", setPNG(encodePNG(t, rgba), 30, 20, 8, 6, 1), evidence.Header{Format: "png", Width: 30, Height: 20, BitDepth: 8, ColorType: 6, Components: 4, Interlaced: true}, 30 * 20 * 6},
		// Go writes colour JPEGs 4:2:0: Y in whole 16 x 16 MCUs, Cb and Cr a quarter.
		{"JPEG colour", colorJPEG, evidence.Header{Format: "jpeg", Width: 30, Height: 20, BitDepth: 8, Components: 3, SOF: 0xc0,
			Sampling: [][2]int{{2, 2}, {1, 1}, {1, 1}}}, 32*32 + 2*16*16},
		{"JPEG grey", grayJPEG, evidence.Header{Format: "jpeg", Width: 30, Height: 20, BitDepth: 8, Components: 1, SOF: 0xc0,
			Sampling: [][2]int{{1, 1}}}, 32 * 24},
		{"JPEG after 300 KiB of APP segments", withSegments(colorJPEG, 60000, 5), evidence.Header{Format: "jpeg", Width: 30, Height: 20, BitDepth: 8,
			Components: 3, SOF: 0xc0, Sampling: [][2]int{{2, 2}, {1, 1}, {1, 1}}}, 32*32 + 2*16*16},
		// Progressive: the coefficients (64 int32 a block) besides the planes.
		{"JPEG progressive 8000 x 6000", setSOF(colorJPEG, 0xc2, 8, 8000, 6000, "\x01\x02\x03"), evidence.Header{Format: "jpeg", Width: 8000, Height: 6000,
			BitDepth: 8, Components: 3, SOF: 0xc2, Sampling: [][2]int{{2, 2}, {1, 1}, {1, 1}}}, 8000*6000*3/2 + 8000*6000*3/2/64*256},
		{"JPEG RGB (components R, G, B): RGBA after the planes", setSOF(colorJPEG, 0xc0, 8, 30, 20, "RGB"), evidence.Header{Format: "jpeg", Width: 30, Height: 20,
			BitDepth: 8, Components: 3, SOF: 0xc0, Sampling: [][2]int{{2, 2}, {1, 1}, {1, 1}}, RGB: true}, 32*32 + 2*16*16 + 30*20*4},
		{"JPEG 12-bit", setSOF(grayJPEG, 0xc1, 12, 30, 20, "\x01"), evidence.Header{Format: "jpeg", Width: 30, Height: 20, BitDepth: 12, Components: 1,
			SOF: 0xc1, Sampling: [][2]int{{1, 1}}}, 32 * 24},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Read through a reader that cannot seek, one byte at a time.
			h, err := evidence.ReadHeader(iotest.OneByteReader(bytes.NewReader(tc.data)))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := fmt.Sprintf("%+v", h), fmt.Sprintf("%+v", tc.want); got != want {
				t.Errorf("header\n%s, want\n%s", got, want)
			}
			if got := h.DecodedBytes(); got != tc.bytes {
				t.Errorf("DecodedBytes %d, want %d", got, tc.bytes)
			}
		})
	}
}

// DecodedBytes is what Go's decoders allocate for the pixels: the same
// sizes as the images they return.
func TestDecodedBytesMatchDecoders(t *testing.T) {
	rgb := image.NewRGBA(image.Rect(0, 0, 333, 251))
	for i := range rgb.Pix {
		rgb.Pix[i] = uint8(i * 7)
	}
	tests := []struct {
		name string
		data []byte
		size func(image.Image) int
	}{
		{"JPEG 4:2:0", encodeJPEG(t, rgb), func(m image.Image) int {
			y := m.(*image.YCbCr)
			return cap(y.Y) + cap(y.Cb) + cap(y.Cr)
		}},
		{"JPEG grey", encodeJPEG(t, image.NewGray(rgb.Rect)), func(m image.Image) int { return cap(m.(*image.Gray).Pix) }},
		{"PNG RGBA", encodePNG(t, rgb), func(m image.Image) int { return len(m.(*image.NRGBA).Pix) }},
		{"PNG 16-bit", encodePNG(t, image.NewGray16(rgb.Rect)), func(m image.Image) int { return len(m.(*image.Gray16).Pix) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := evidence.ReadHeader(bytes.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			m, _, err := image.Decode(bytes.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.size(m); int64(got) > h.DecodedBytes() {
				t.Errorf("decoded %d bytes, DecodedBytes says %d", got, h.DecodedBytes())
			}
		})
	}
}

func TestReadHeaderRefuses(t *testing.T) {
	colorJPEG := encodeJPEG(t, image.NewRGBA(image.Rect(0, 0, 30, 20)))
	pngb := encodePNG(t, image.NewGray(image.Rect(0, 0, 3, 2)))
	tests := []struct{ name, data, want string }{
		{"empty", "", "0 bytes"},
		{"text", "hello, world", "not a JPEG or PNG"},
		{"JPEG cut in its APP segment", string(withSegments(colorJPEG, 1000, 1)[:500]), "cut short"},
		{"JPEG cut before its frame", string(colorJPEG[:20]), "JPEG"},
		{"JPEG with no frame", "\xff\xd8\xff\xd9", "without a frame header"},
		{"JPEG of 0 lines", string(setSOF(colorJPEG, 0xc0, 8, 30, 0, "\x01\x02\x03")), "30x0"},
		{"PNG cut in its IHDR", string(pngb[:20]), "cut short"},
		{"PNG of 0 x 2", string(setPNG(pngb, 0, 2, 8, 0, 0)), "0x2"},
		{"PNG of 2^31 x 2", string(setPNG(pngb, 1<<31, 2, 8, 0, 0)), "IHDR"},
		{"PNG bit depth 3", string(setPNG(pngb, 3, 2, 3, 0, 0)), "bit depth 3"},
		{"PNG colour type 5", string(setPNG(pngb, 3, 2, 8, 5, 0)), "colour type 5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := evidence.ReadHeader(strings.NewReader(tc.data))
			if !errors.Is(err, evidence.ErrHeader) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want ErrHeader saying %q", err, tc.want)
			}
		})
	}
}
