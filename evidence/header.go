package evidence

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Header is what a photo's header says about the pixels it would decode
// to, read before anything is decoded.
type Header struct {
	Format        string // "jpeg" or "png"
	Width, Height int
	// BitDepth is bits per sample: JPEG's SOF precision, PNG's IHDR bit depth.
	BitDepth int
	// Components: JPEG's (1 grey, 3 YCbCr, 4 CMYK/YCCK); PNG's channels
	// (1 grey or palette, 2 grey and alpha, 3 RGB, 4 RGBA).
	Components int
	// ColorType is PNG's IHDR colour type (0, 2, 3, 4, 6); Interlaced its
	// Adam7 flag.
	ColorType  int
	Interlaced bool
	// SOF is the JPEG frame marker (0xC0 baseline, 0xC1 extended, 0xC2
	// progressive); Sampling each component's horizontal and vertical
	// sampling factors.
	SOF      byte
	Sampling [][2]int
	// RGB: a JPEG of red, green and blue rather than YCbCr (Adobe's
	// transform 0, or components named R, G, B), which Go converts to RGBA.
	RGB bool
}

// Pixels is Width × Height.
func (h Header) Pixels() int64 { return int64(h.Width) * int64(h.Height) }

// Progressive: a progressive JPEG, whose decoder keeps every DCT
// coefficient of the image until the last scan.
func (h Header) Progressive() bool { return h.Format == "jpeg" && h.SOF == 0xc2 }

// ErrHeader is a header that cannot be read: not a JPEG or PNG, cut short,
// or corrupt.
var ErrHeader = errors.New("corrupt image header")

// ReadHeader reads the JPEG frame header (SOF) or the PNG IHDR from r,
// skipping the segments before it (EXIF, ICC profiles, thumbnails)
// without keeping them. It reads no further than the header.
func ReadHeader(r io.Reader) (Header, error) {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 4096)
	}
	sig, err := br.Peek(8)
	if err != nil && len(sig) < 2 {
		return Header{}, fmt.Errorf("%w: %d bytes", ErrHeader, len(sig))
	}
	switch {
	case bytes.HasPrefix(sig, []byte("\x89PNG\r\n\x1a\n")):
		return readPNGHeader(br)
	case bytes.HasPrefix(sig, []byte{0xff, 0xd8}):
		return readJPEGHeader(br)
	}
	return Header{}, fmt.Errorf("%w: not a JPEG or PNG", ErrHeader)
}

// readPNGHeader reads the signature and the IHDR chunk, which PNG puts first.
func readPNGHeader(r *bufio.Reader) (Header, error) {
	var b [8 + 8 + 13]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return Header{}, fmt.Errorf("%w: PNG cut short before its IHDR", ErrHeader)
	}
	if binary.BigEndian.Uint32(b[8:12]) != 13 || string(b[12:16]) != "IHDR" {
		return Header{}, fmt.Errorf("%w: PNG does not start with an IHDR chunk", ErrHeader)
	}
	d := b[16:]
	h := Header{Format: "png", Width: int(binary.BigEndian.Uint32(d[0:4])), Height: int(binary.BigEndian.Uint32(d[4:8])),
		BitDepth: int(d[8]), ColorType: int(d[9]), Interlaced: d[12] == 1}
	channels := map[int]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
	n, ok := channels[h.ColorType]
	if !ok || h.Width <= 0 || h.Height <= 0 || int32(h.Width) < 0 || int32(h.Height) < 0 {
		return Header{}, fmt.Errorf("%w: PNG IHDR colour type %d, %dx%d", ErrHeader, h.ColorType, h.Width, h.Height)
	}
	switch h.BitDepth {
	case 1, 2, 4, 8, 16:
	default:
		return Header{}, fmt.Errorf("%w: PNG bit depth %d", ErrHeader, h.BitDepth)
	}
	h.Components = n
	return h, nil
}

// readJPEGHeader walks the JPEG markers up to the first frame header.
func readJPEGHeader(r *bufio.Reader) (Header, error) {
	if _, err := r.Discard(2); err != nil { // SOI
		return Header{}, fmt.Errorf("%w: JPEG cut short", ErrHeader)
	}
	adobeRGB := false
	for {
		marker, err := nextMarker(r)
		if err != nil {
			return Header{}, err
		}
		switch {
		case marker == 0x01 || (marker >= 0xd0 && marker <= 0xd8): // TEM, RSTn, SOI: no length
			continue
		case marker == 0xd9 || marker == 0xda: // EOI or SOS before any frame
			return Header{}, fmt.Errorf("%w: JPEG without a frame header", ErrHeader)
		}
		var lb [2]byte
		if _, err := io.ReadFull(r, lb[:]); err != nil {
			return Header{}, fmt.Errorf("%w: JPEG cut short", ErrHeader)
		}
		n := int(binary.BigEndian.Uint16(lb[:])) - 2
		if n < 0 {
			return Header{}, fmt.Errorf("%w: JPEG segment length %d", ErrHeader, n+2)
		}
		if marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc {
			h, err := readSOF(r, marker, n)
			h.RGB = h.RGB || (adobeRGB && h.Components == 3)
			return h, err
		}
		if marker == 0xee && n >= 12 { // APP14 "Adobe": its colour transform
			if b, err := r.Peek(12); err == nil && string(b[:5]) == "Adobe" {
				adobeRGB = b[11] == 0
			}
		}
		if _, err := r.Discard(n); err != nil {
			return Header{}, fmt.Errorf("%w: JPEG cut short", ErrHeader)
		}
	}
}

// nextMarker reads 0xFF (and any fill bytes) and the marker after it.
func nextMarker(r *bufio.Reader) (byte, error) {
	c, err := r.ReadByte()
	if err != nil || c != 0xff {
		return 0, fmt.Errorf("%w: JPEG marker expected", ErrHeader)
	}
	for {
		if c, err = r.ReadByte(); err != nil {
			return 0, fmt.Errorf("%w: JPEG cut short", ErrHeader)
		}
		if c != 0xff {
			return c, nil
		}
	}
}

// readSOF reads a frame header of n bytes: precision, height, width and
// the components with their sampling factors.
func readSOF(r *bufio.Reader, marker byte, n int) (Header, error) {
	if n < 6 {
		return Header{}, fmt.Errorf("%w: JPEG frame header of %d bytes", ErrHeader, n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return Header{}, fmt.Errorf("%w: JPEG cut short", ErrHeader)
	}
	h := Header{Format: "jpeg", SOF: marker, BitDepth: int(b[0]), Height: int(binary.BigEndian.Uint16(b[1:3])),
		Width: int(binary.BigEndian.Uint16(b[3:5])), Components: int(b[5])}
	if h.Components < 1 || h.Components > 4 || n < 6+3*h.Components {
		return Header{}, fmt.Errorf("%w: JPEG frame with %d components", ErrHeader, h.Components)
	}
	if h.Components == 3 && b[6] == 'R' && b[9] == 'G' && b[12] == 'B' {
		h.RGB = true
	}
	for i := range h.Components {
		hv := b[6+3*i+1]
		hs, vs := int(hv>>4), int(hv&0x0f)
		if hs < 1 || hs > 4 || vs < 1 || vs > 4 {
			return Header{}, fmt.Errorf("%w: JPEG sampling factors %dx%d", ErrHeader, hs, vs)
		}
		h.Sampling = append(h.Sampling, [2]int{hs, vs})
	}
	if h.Width == 0 || h.Height == 0 {
		return Header{}, fmt.Errorf("%w: JPEG of %dx%d pixels", ErrHeader, h.Width, h.Height)
	}
	return h, nil
}

// DecodedBytes is about what Go's image/jpeg or image/png allocate to
// decode the image: the planes or pixels of the result and, for a
// progressive JPEG, the coefficients it keeps (an int32 for each of 64
// per 8 × 8 block of each component), for an interlaced PNG the passes.
func (h Header) DecodedBytes() int64 {
	px := h.Pixels()
	if h.Format == "png" {
		per := int64(4) // RGBA, NRGBA; grey with a transparent colour too
		switch {
		case h.BitDepth == 16:
			per = 8
		case h.ColorType == 3:
			per = 1
		}
		if h.Interlaced {
			return px*per + px*per/2
		}
		return px * per
	}
	var hmax, vmax int
	for _, s := range h.Sampling {
		hmax, vmax = max(hmax, s[0]), max(vmax, s[1])
	}
	// The planes are whole MCUs.
	mw, mh := int64((h.Width+8*hmax-1)/(8*hmax)), int64((h.Height+8*vmax-1)/(8*vmax))
	var planes, blocks int64
	for _, s := range h.Sampling {
		b := mw * int64(s[0]) * mh * int64(s[1])
		blocks += b
		planes += b * 64
	}
	n := planes
	if h.Components == 4 || h.RGB { // CMYK or RGBA after the planes
		n += 4 * px
	}
	if h.Progressive() {
		n += blocks * 64 * 4
	}
	return n
}
