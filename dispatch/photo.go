package dispatch

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // image.DecodeConfig of uploads
	_ "image/png"
	"io"
	"io/fs"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/disintegration/imaging"
	"github.com/paulmach/orb"
	"github.com/rwcarlsen/goexif/exif"
	"github.com/rwcarlsen/goexif/tiff"

	"skygrid"
	"skygrid/evidence"
	"skygrid/geo"
)

// Thumbnails fit in thumbSize x thumbSize pixels.
const (
	thumbSize    = 320
	thumbQuality = 80
)

// maxPixels refuses images whose decoded size would take too much memory
// (a 15 MiB PNG can claim 50,000 x 50,000 pixels). Phones write up to about
// 50 megapixels; 108 MP sensors bin to 12 MP by default.
const maxPixels = 120_000_000

// PhotoData is the content of a photo: the file as uploaded, its JPEG
// thumbnail, and the upright picture fitted for display (stamped by
// Evidence.Accept into Stamped, the copy reviewers see).
type PhotoData struct {
	Original, Thumb []byte
	Display         *image.NRGBA
	Stamped         []byte
}

// ReadPhoto reads an uploaded photo of at most maxBytes bytes. It accepts
// JPEG and PNG content whatever the file name says, decodes the image fully,
// reads the EXIF GPS position and DateTimeOriginal when present and makes a
// thumbnail that respects the EXIF orientation. Width and Height are those
// of the stored pixels (before orientation). Errors are EINVALID and name
// the file. ID, TaskID, Report, flags and times other than TakenAt are left
// to the caller (see CheckPhoto).
func ReadPhoto(r io.Reader, name string, maxBytes int64) (*skygrid.Photo, *PhotoData, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("photo %s: read: %w", name, err)
	}
	if int64(len(data)) > maxBytes {
		return nil, nil, skygrid.Errorf(skygrid.EINVALID, "photo %s: larger than %s", name, mib(maxBytes))
	}
	if len(data) == 0 {
		return nil, nil, skygrid.Errorf(skygrid.EINVALID, "photo %s: empty file", name)
	}

	mime := http.DetectContentType(data)
	if mime != "image/jpeg" && mime != "image/png" {
		return nil, nil, skygrid.Errorf(skygrid.EINVALID, "photo %s: not a JPEG or PNG image (the content is %s)", name, mime)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, nil, skygrid.Errorf(skygrid.EINVALID, "photo %s: truncated or corrupt %s image: %v", name, mime, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return nil, nil, skygrid.Errorf(skygrid.EINVALID, "photo %s: %dx%d pixels is too large (at most %d megapixels)",
			name, cfg.Width, cfg.Height, maxPixels/1_000_000)
	}
	// The full decode refuses truncated and corrupt files; the thumbnail is
	// made from the same decode.
	img, err := imaging.Decode(bytes.NewReader(data), imaging.AutoOrientation(true))
	if err != nil {
		return nil, nil, skygrid.Errorf(skygrid.EINVALID, "photo %s: truncated or corrupt %s image: %v", name, mime, err)
	}
	thumb, err := thumbnail(img)
	if err != nil {
		return nil, nil, fmt.Errorf("photo %s: thumbnail: %w", name, err)
	}

	sum := sha256.Sum256(data)
	p := &skygrid.Photo{
		SHA256: hex.EncodeToString(sum[:]),
		Mime:   mime,
		Size:   int64(len(data)),
		Width:  cfg.Width,
		Height: cfg.Height,
	}
	if mime == "image/jpeg" {
		readEXIF(p, data)
	}
	return p, &PhotoData{Original: data, Thumb: thumb, Display: evidence.Display(img)}, nil
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

// readEXIF fills p.Point and p.TakenAt from the EXIF of a JPEG. Missing or
// unreadable EXIF leaves them unset: the photo is then flagged, not refused.
func readEXIF(p *skygrid.Photo, data []byte) {
	x, err := exif.Decode(bytes.NewReader(data))
	if x == nil || (err != nil && exif.IsCriticalError(err)) {
		return
	}
	if lat, lon, err := x.LatLong(); err == nil && validLatLon(lat, lon) {
		p.Point = &orb.Point{lon, lat}
	}
	if t, ok := takenAt(x); ok {
		p.TakenAt = t
	}
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

// PhotoFiles stores photo files by SHA-256 under Dir:
// Dir/ab/<sha>.jpg (or .png) and Dir/ab/<sha>.thumb.jpg, where ab are the
// first two hex digits.
type PhotoFiles struct {
	Dir string
	// NoSync skips flushing each file to the disk before it is renamed
	// in place: for throwaway folders (the demo's), never for evidence.
	NoSync bool
}

// Save writes the original and the thumbnail of p, each atomically (a temp
// file in the same directory, then a rename). Saving the same photo again
// is harmless.
func (s PhotoFiles) Save(p *skygrid.Photo, d *PhotoData) error {
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
func (s PhotoFiles) SaveStamped(sha string, taskID int64, jpeg []byte) error {
	if !validSHA(sha) {
		return skygrid.Errorf(skygrid.EINVALID, "photo: invalid sha256 %q", sha)
	}
	dir := filepath.Join(s.Dir, sha[:2])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("photo files: %w", err)
	}
	return writeAtomic(s.stampedPath(sha, taskID), jpeg, !s.NoSync)
}

func (s PhotoFiles) stampedPath(sha string, taskID int64) string {
	return filepath.Join(s.Dir, sha[:2], fmt.Sprintf("%s.task-%d.jpg", sha, taskID))
}

// StampedPath is where the stamped copy of a photo for a task is
// (ENOTFOUND for photos stored before stamps were made).
func (s PhotoFiles) StampedPath(sha string, taskID int64) (string, error) {
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
func (s PhotoFiles) Path(sha string, thumb bool) (path string, mime string, err error) {
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
func writeAtomic(name string, data []byte, sync bool) (err error) {
	f, err := os.CreateTemp(filepath.Dir(name), ".tmp-"+filepath.Base(name)+"-*")
	if err != nil {
		return fmt.Errorf("photo files: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("photo files: %w", err)
	}
	if err = syncFile(f, sync); err != nil {
		return fmt.Errorf("photo files: %w", err)
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("photo files: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("photo files: %w", err)
	}
	if err = os.Rename(f.Name(), name); err != nil {
		return fmt.Errorf("photo files: %w", err)
	}
	return nil
}

func syncFile(f *os.File, sync bool) error {
	if !sync {
		return nil
	}
	return f.Sync()
}
