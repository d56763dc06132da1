package evidence

import (
	"encoding/binary"
	"math"
	"skygrid"
	"time"

	"github.com/paulmach/orb"
)

// WithEXIF returns the JPEG b with the EXIF of a photo taken at at, at p,
// inserted after its SOI: what a phone writes (the demo's invented photos
// and the tests use it).
func WithEXIF(b []byte, at time.Time, p orb.Point) []byte {
	app1 := exifSegment(at.In(skygrid.Beijing), p)
	out := make([]byte, 0, len(b)+len(app1))
	out = append(out, b[:2]...) // SOI
	out = append(out, app1...)
	return append(out, b[2:]...)
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
