package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/disintegration/imaging"
	"github.com/paulmach/orb"
	"github.com/rwcarlsen/goexif/exif"
	"github.com/rwcarlsen/goexif/tiff"

	"skygrid"
	"skygrid/geo"
)

// Thumbnails fit in thumbSize x thumbSize pixels.
const (
	thumbSize    = 320
	thumbQuality = 80
)

// DefaultMaxPixels is the largest photo taken: a phone's 50-megapixel
// camera writes 8160 x 6120 (49.9 MP) or 8192 x 6144 (50.3 MP) pixels; 52
// MP takes both and nothing larger that a phone writes by default (200 MP
// modes are chosen by hand, and 108 MP sensors bin to 12 MP).
const DefaultMaxPixels = 52_000_000

// DefaultMaxBytes is the largest photo file.
const DefaultMaxBytes = 15 << 20

// Limits bound what a photo may be.
type Limits struct {
	MaxBytes  int64 // the file; 0: DefaultMaxBytes
	MaxPixels int64 // 0: DefaultMaxPixels
}

func (l Limits) maxBytes() int64 {
	if l.MaxBytes > 0 {
		return l.MaxBytes
	}
	return DefaultMaxBytes
}

func (l Limits) maxPixels() int64 {
	if l.MaxPixels > 0 {
		return l.MaxPixels
	}
	return DefaultMaxPixels
}

// MaxCost is the most memory one photo may take to read (DecodeCost): a
// file of MaxBytes that decodes to MaxPixels of 8-bit RGBA, the largest
// honest input. A photo that would take more (16 bits a channel, or a
// progressive JPEG whose decoder keeps every coefficient) is refused.
func (l Limits) MaxCost() int64 {
	px := l.maxPixels()
	side := int(math.Sqrt(float64(px)))
	return DecodeCost(Header{Format: "png", Width: side, Height: int(px) / side, BitDepth: 8, ColorType: 6}, l.maxBytes())
}

// DecodeCost is about the most memory reading a photo of size bytes with
// header h takes at once: the file, its decoded pixels (Go's decoders
// allocate them whole), and the work on the shrunk copy (turned upright,
// fitted for display, stamped, thumbnailed).
func DecodeCost(h Header, size int64) int64 {
	k := int64(ShrinkFactor(h.Width, h.Height, DisplaySize))
	shrunk := int64(4 * ((int64(h.Width) + k - 1) / k) * ((int64(h.Height) + k - 1) / k))
	return size + h.DecodedBytes() + 3*shrunk + displayWork
}

// displayWork is the memory of the display copy, its stamp and the
// thumbnail: a few 1600 x 1600 RGBA images and their JPEG buffers (the
// tests measure it).
const displayWork = 4 * 4 * DisplaySize * DisplaySize

// PhotoData is the content of a photo: the file as uploaded, its JPEG
// thumbnail, and the upright picture fitted for display (stamped by
// Photos.Accept into Stamped, the copy reviewers see).
type PhotoData struct {
	Original, Thumb []byte
	Display         *image.NRGBA
	Stamped         []byte
}

// ReadPhoto reads an uploaded photo of at most maxBytes bytes. It accepts
// JPEG and PNG content whatever the file name says, checks its header
// (Limits: DefaultMaxPixels), decodes the image once, reads the EXIF
// GPS position and DateTimeOriginal when present and makes a thumbnail
// and the display copy, upright from the EXIF orientation. Width and
// Height are those of the stored pixels (before orientation). Errors are
// EINVALID and name the file. ID, TaskID, Report, flags and times other
// than TakenAt are left to the caller (see CheckPhoto).
func ReadPhoto(r io.Reader, name string, maxBytes int64) (*skygrid.Photo, *PhotoData, error) {
	return readPhoto(context.Background(), r, name, Limits{MaxBytes: maxBytes}, nil)
}

// readPhoto is ReadPhoto within limits, the decode holding its cost of
// the pool's budget (nil: no pool) while it runs.
func readPhoto(ctx context.Context, r io.Reader, name string, lim Limits, pool *DecodePool) (*skygrid.Photo, *PhotoData, error) {
	rs, size, err := seekable(r, name, lim.maxBytes())
	if err != nil {
		return nil, nil, err
	}
	var sniff [512]byte
	n, _ := io.ReadFull(rs, sniff[:])
	mime := http.DetectContentType(sniff[:n])
	if mime != "image/jpeg" && mime != "image/png" {
		return nil, nil, skygrid.Errorf(skygrid.EINVALID, "photo %s: not a JPEG or PNG image (the content is %s)", name, mime)
	}
	h, err := readHeader(rs)
	if err != nil {
		return nil, nil, skygrid.Errorf(skygrid.EINVALID, "photo %s: truncated or corrupt %s image: %v", name, mime, err)
	}
	if err := lim.check(name, h, size); err != nil {
		return nil, nil, err
	}
	cost := DecodeCost(h, size)
	release, err := pool.acquire(ctx, cost)
	if err != nil {
		return nil, nil, err
	}
	defer release()
	data := make([]byte, size)
	if _, err := rs.Seek(0, io.SeekStart); err != nil {
		return nil, nil, fmt.Errorf("photo %s: read: %w", name, err)
	}
	if _, err := io.ReadFull(rs, data); err != nil {
		return nil, nil, fmt.Errorf("photo %s: read: %w", name, err)
	}
	p, d, err := decodePhoto(data, name, mime, h)
	if cost >= collectAfter {
		// The full-size pixels are garbage now: collected before this
		// decode's room in the pool is given back, the next decode reuses
		// their memory instead of growing the heap to twice what the
		// decodes hold (the garbage collector's default pace).
		runtime.GC()
	}
	return p, d, err
}

// collectAfter is the cost of a decode after which the garbage is
// collected at once: a 10-megapixel photo's.
const collectAfter = 64 << 20

// seekable returns r as a ReadSeeker and its size, reading it into memory
// when it cannot seek. Errors name the file: empty, larger than max.
func seekable(r io.Reader, name string, max int64) (io.ReadSeeker, int64, error) {
	rs, ok := r.(io.ReadSeeker)
	var size int64
	var err error
	if ok {
		if size, err = rs.Seek(0, io.SeekEnd); err == nil {
			_, err = rs.Seek(0, io.SeekStart)
		}
	} else {
		var data []byte
		data, err = io.ReadAll(io.LimitReader(r, max+1))
		rs, size = bytes.NewReader(data), int64(len(data))
	}
	switch {
	case err != nil:
		return nil, 0, fmt.Errorf("photo %s: read: %w", name, err)
	case size > max:
		return nil, 0, skygrid.Errorf(skygrid.EINVALID, "photo %s: larger than %s", name, mib(max))
	case size == 0:
		return nil, 0, skygrid.Errorf(skygrid.EINVALID, "photo %s: empty file", name)
	}
	return rs, size, nil
}

// readHeader reads the image header from the start of rs.
func readHeader(rs io.ReadSeeker) (Header, error) {
	if _, err := rs.Seek(0, io.SeekStart); err != nil {
		return Header{}, err
	}
	return ReadHeader(rs)
}

// check refuses, from its header, a photo that no phone sends: too many
// pixels, a bit depth or kind Go does not decode, or one that would take
// more memory to decode than the largest honest photo (MaxCost).
func (l Limits) check(name string, h Header, size int64) error {
	mp := float64(h.Pixels()) / 1e6
	if h.Pixels() > l.maxPixels() {
		return skygrid.Errorf(skygrid.EINVALID, "photo %s: %dx%d pixels (%.1f megapixels) is too large: at most %s megapixels (a phone's 50-megapixel camera); take or export it at the camera's usual size",
			name, h.Width, h.Height, mp, megapixels(l.maxPixels()))
	}
	if h.Format == "jpeg" && (h.BitDepth != 8 || h.SOF > 0xc2) {
		return skygrid.Errorf(skygrid.EINVALID, "photo %s: a %d-bit JPEG of kind SOF%d (lossless, arithmetic or 12-bit) cannot be read: send an ordinary 8-bit JPEG, as a phone takes",
			name, h.BitDepth, h.SOF-0xc0)
	}
	cost, most := DecodeCost(h, size), l.MaxCost()
	if cost <= most {
		return nil
	}
	kind := "image"
	switch {
	case h.Format == "png" && h.BitDepth == 16:
		kind = "16-bit PNG"
	case h.Progressive():
		kind = "progressive JPEG"
	}
	return skygrid.Errorf(skygrid.EINVALID, "photo %s: a %s of %dx%d pixels would take %s of memory to read, more than the %s of the largest photo accepted (%s megapixels at 8 bits a channel): save it as an ordinary 8-bit JPEG or PNG",
		name, kind, h.Width, h.Height, mib(cost&^(1<<20-1)), mib(most&^(1<<20-1)), megapixels(l.maxPixels()))
}

// megapixels says 52000000 as "52", 50300000 as "50.3".
func megapixels(px int64) string {
	return strconv.FormatFloat(float64(px)/1e6, 'f', -1, 64)
}

// decodePhoto decodes data once: the display copy and the thumbnail are
// made from a box-shrunk copy turned upright, and the full-size pixels
// are dropped as soon as that copy is made.
func decodePhoto(data []byte, name, mime string, h Header) (*skygrid.Photo, *PhotoData, error) {
	var img image.Image
	var err error
	if h.Format == "png" {
		img, err = png.Decode(bytes.NewReader(data))
	} else {
		img, err = jpeg.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return nil, nil, skygrid.Errorf(skygrid.EINVALID, "photo %s: truncated or corrupt %s image: %v", name, mime, err)
	}
	sum := sha256.Sum256(data)
	p := &skygrid.Photo{
		SHA256: hex.EncodeToString(sum[:]),
		Mime:   mime,
		Size:   int64(len(data)),
		Width:  img.Bounds().Dx(),
		Height: img.Bounds().Dy(),
	}
	orientation := 1
	if mime == "image/jpeg" {
		orientation = readEXIF(p, data)
	}
	// Nothing holds the full-size pixels after Shrink: they are garbage
	// while the rest is made.
	upright := Orient(Shrink(img, DisplaySize), orientation)
	thumb, err := thumbnail(upright)
	if err != nil {
		return nil, nil, fmt.Errorf("photo %s: thumbnail: %w", name, err)
	}
	return p, &PhotoData{Original: data, Thumb: thumb, Display: Display(upright)}, nil
}

// mib formats a size limit: "15 MiB", "2.5 MiB", "1000 bytes".
func mib(n int64) string {
	switch {
	case n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// thumbnail fits img in thumbSize x thumbSize (never enlarging it) on a
// white background, as a JPEG.
func thumbnail(img image.Image) ([]byte, error) {
	t := imaging.Fit(img, thumbSize, thumbSize, imaging.Lanczos)
	// JPEG has no alpha: transparent PNG pixels would come out black.
	t = imaging.Overlay(imaging.New(t.Bounds().Dx(), t.Bounds().Dy(), color.White), t, image.Point{}, 1)
	var buf bytes.Buffer
	if err := imaging.Encode(&buf, t, imaging.JPEG, imaging.JPEGQuality(thumbQuality)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// EXIF tags that goexif does not know: the UTC offset of DateTimeOriginal
// and of DateTime (EXIF 2.31).
const (
	tagOffsetTime         = 0x9010
	tagOffsetTimeOriginal = 0x9011
)

// readEXIF fills p.Point and p.TakenAt from the EXIF of a JPEG and
// returns its orientation (1 when absent). Missing or unreadable EXIF
// leaves them unset: the photo is then flagged, not refused.
func readEXIF(p *skygrid.Photo, data []byte) (orientation int) {
	x, err := exif.Decode(bytes.NewReader(data))
	if x == nil || (err != nil && exif.IsCriticalError(err)) {
		return 1
	}
	orientation = 1
	if tag, err := x.Get(exif.Orientation); err == nil {
		if o, err := tag.Int(0); err == nil {
			orientation = o
		}
	}
	if lat, lon, err := x.LatLong(); err == nil && validLatLon(lat, lon) {
		p.Point = &orb.Point{lon, lat}
	}
	if t, ok := takenAt(x); ok {
		p.TakenAt = t
	}
	return orientation
}

// validLatLon refuses impossible positions and 0,0, which some phones write
// when they have no fix.
func validLatLon(lat, lon float64) bool {
	if math.IsNaN(lat) || math.IsNaN(lon) || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
		return false
	}
	return lat != 0 || lon != 0
}

// takenAt is what x.DateTime() reads (DateTimeOriginal, else DateTime),
// parsed in the zone of the matching EXIF offset tag, or of a Canon maker
// note, or else in Asia/Shanghai. (goexif's DateTime takes offset-less times
// in the server's local zone, so the tag is parsed here.)
func takenAt(x *exif.Exif) (time.Time, bool) {
	tag, err := x.Get(exif.DateTimeOriginal)
	offsetTag := uint16(tagOffsetTimeOriginal)
	if err != nil {
		tag, err = x.Get(exif.DateTime)
		offsetTag = tagOffsetTime
	}
	if err != nil {
		return time.Time{}, false
	}
	s, err := tag.StringVal()
	if err != nil {
		return time.Time{}, false
	}
	loc := skygrid.Beijing
	if tz, _ := x.TimeZone(); tz != nil {
		loc = tz
	} else if off, ok := exifOffset(x, offsetTag); ok {
		loc = off
	}
	t, err := time.ParseInLocation("2006:01:02 15:04:05", strings.TrimRight(s, "\x00 "), loc)
	if err != nil || t.Year() < 1990 {
		return time.Time{}, false // "0000:00:00 00:00:00", unset clocks
	}
	return t, true
}

// exifOffset reads an OffsetTime* tag ("+08:00") of the EXIF sub-IFD.
func exifOffset(x *exif.Exif, id uint16) (*time.Location, bool) {
	ptr, err := x.Get(exif.ExifIFDPointer)
	if err != nil {
		return nil, false
	}
	off, err := ptr.Int64(0)
	if err != nil || off < 0 || off >= int64(len(x.Raw)) {
		return nil, false
	}
	r := bytes.NewReader(x.Raw)
	if _, err := r.Seek(off, io.SeekStart); err != nil {
		return nil, false
	}
	dir, _, err := tiff.DecodeDir(r, x.Tiff.Order)
	if err != nil {
		return nil, false
	}
	for _, tag := range dir.Tags {
		if tag.Id != id {
			continue
		}
		s, err := tag.StringVal()
		if err != nil {
			return nil, false
		}
		return parseOffset(strings.TrimRight(s, "\x00 "))
	}
	return nil, false
}

// parseOffset parses "+08:00" or "-05:30".
func parseOffset(s string) (*time.Location, bool) {
	if len(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' {
		return nil, false
	}
	h, err1 := strconv.Atoi(s[1:3])
	m, err2 := strconv.Atoi(s[4:6])
	if err1 != nil || err2 != nil || h > 14 || m > 59 {
		return nil, false
	}
	secs := (h*60 + m) * 60
	if s[0] == '-' {
		secs = -secs
	}
	return time.FixedZone(s, secs), true
}

// CheckPhoto compares a photo with its event: it sets p.DistanceM when the
// photo is located and p.Flags to PhotoUnlocated (no GPS), PhotoFar (more
// than skygrid.PhotoMaxMetres from the event) and PhotoEarly (taken before
// the event was first seen). A photo without an EXIF time gets no time flag.
func CheckPhoto(p *skygrid.Photo, e *skygrid.Event) {
	p.DistanceM, p.Flags = nil, nil
	if p.Point == nil {
		p.Flags = append(p.Flags, skygrid.PhotoUnlocated)
	} else if e != nil {
		d := geo.DistanceMeters(*p.Point, e.Point)
		p.DistanceM = &d
		if d > skygrid.PhotoMaxMetres {
			p.Flags = append(p.Flags, skygrid.PhotoFar)
		}
	}
	if e != nil && !p.TakenAt.IsZero() && p.TakenAt.Before(e.FirstSeen) {
		p.Flags = append(p.Flags, skygrid.PhotoEarly)
	}
}

// Files stores photo files by SHA-256 under Dir:
// Dir/ab/<sha>.jpg (or .png) and Dir/ab/<sha>.thumb.jpg, where ab are the
// first two hex digits.
type Files struct {
	Dir string
	// NoSync skips flushing each file to the disk before it is renamed
	// in place: for throwaway folders (the demo's), never for evidence.
	NoSync bool
}

// Save writes the original and the thumbnail of p, each atomically (a temp
// file in the same directory, then a rename). Saving the same photo again
// is harmless.
func (s Files) Save(p *skygrid.Photo, d *PhotoData) error {
	if !validSHA(p.SHA256) {
		return skygrid.Errorf(skygrid.EINVALID, "photo: invalid sha256 %q", p.SHA256)
	}
	ext, ok := photoExt[p.Mime]
	if !ok {
		return skygrid.Errorf(skygrid.EINVALID, "photo %s: unsupported type %q", p.SHA256, p.Mime)
	}
	if d == nil || len(d.Original) == 0 || len(d.Thumb) == 0 {
		return skygrid.Errorf(skygrid.EINVALID, "photo %s: no data", p.SHA256)
	}
	if sum := sha256.Sum256(d.Original); hex.EncodeToString(sum[:]) != p.SHA256 {
		return skygrid.Errorf(skygrid.EINVALID, "photo %s: content does not match its sha256", p.SHA256)
	}
	dir := filepath.Join(s.Dir, p.SHA256[:2])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("photo files: %w", err)
	}
	if err := writeAtomic(filepath.Join(dir, p.SHA256+ext), d.Original, !s.NoSync); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, p.SHA256+".thumb.jpg"), d.Thumb, !s.NoSync)
}

// SaveStamped stores the stamped copy of a photo for one task (the same
// file reported for two tasks has two stamps).
func (s Files) SaveStamped(sha string, taskID int64, jpeg []byte) error {
	if !validSHA(sha) {
		return skygrid.Errorf(skygrid.EINVALID, "photo: invalid sha256 %q", sha)
	}
	dir := filepath.Join(s.Dir, sha[:2])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("photo files: %w", err)
	}
	return writeAtomic(s.stampedPath(sha, taskID), jpeg, !s.NoSync)
}

func (s Files) stampedPath(sha string, taskID int64) string {
	return filepath.Join(s.Dir, sha[:2], fmt.Sprintf("%s.task-%d.jpg", sha, taskID))
}

// StampedPath is where the stamped copy of a photo for a task is
// (ENOTFOUND for photos stored before stamps were made).
func (s Files) StampedPath(sha string, taskID int64) (string, error) {
	if !validSHA(sha) {
		return "", skygrid.Errorf(skygrid.EINVALID, "photo: invalid sha256 %q", sha)
	}
	p := s.stampedPath(sha, taskID)
	fi, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && !fi.Mode().IsRegular()) {
		return "", skygrid.Errorf(skygrid.ENOTFOUND, "photo %s has no stamped copy for task %d", sha, taskID)
	} else if err != nil {
		return "", fmt.Errorf("photo files: %w", err)
	}
	return p, nil
}

// Path returns the file of a photo (or of its thumbnail) and its MIME type:
// EINVALID when sha is not 64 lowercase hex digits, ENOTFOUND when no such
// file is stored.
func (s Files) Path(sha string, thumb bool) (path string, mime string, err error) {
	if !validSHA(sha) {
		return "", "", skygrid.Errorf(skygrid.EINVALID, "photo: invalid sha256 %q", sha)
	}
	dir := filepath.Join(s.Dir, sha[:2])
	candidates := [][2]string{{sha + ".thumb.jpg", "image/jpeg"}}
	if !thumb {
		candidates = [][2]string{{sha + ".jpg", "image/jpeg"}, {sha + ".png", "image/png"}}
	}
	for _, c := range candidates {
		p := filepath.Join(dir, c[0])
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return "", "", fmt.Errorf("photo files: %w", err)
		} else if !fi.Mode().IsRegular() {
			continue
		}
		return p, c[1], nil
	}
	return "", "", skygrid.Errorf(skygrid.ENOTFOUND, "photo %s not found", sha)
}

var photoExt = map[string]string{"image/jpeg": ".jpg", "image/png": ".png"}

// validSHA reports whether s is 64 lowercase hex digits.
func validSHA(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// writeAtomic writes data to name through a temp file in the same directory
// and a rename, so readers never see a partial file.
func writeAtomic(name string, data []byte, sync bool) error {
	return copyAtomic(name, bytes.NewReader(data), sync)
}

func syncFile(f *os.File, sync bool) error {
	if !sync {
		return nil
	}
	return f.Sync()
}
