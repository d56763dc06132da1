package evidence_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"skygrid/evidence"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"skygrid"
)

// The event of the fixtures in testdata/photos (see its README.md).
var photoEvent = &skygrid.Event{
	Point:     orb.Point{113.69, 39.70},
	FirstSeen: time.Date(2023, 10, 24, 5, 30, 0, 0, time.UTC),
}

const photoMax = 15 << 20

func readPhotoFile(t *testing.T, name string) ([]byte, *skygrid.Photo, *evidence.PhotoData, error) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "photos", name))
	if err != nil {
		t.Fatal(err)
	}
	p, d, err := evidence.ReadPhoto(bytes.NewReader(b), name, photoMax)
	return b, p, d, err
}

func mustReadPhoto(t *testing.T, name string) ([]byte, *skygrid.Photo, *evidence.PhotoData) {
	t.Helper()
	b, p, d, err := readPhotoFile(t, name)
	if err != nil {
		t.Fatalf("ReadPhoto(%s): %v", name, err)
	}
	evidence.CheckPhoto(p, photoEvent)
	return b, p, d
}

func TestPhotoCheck(t *testing.T) {
	beijing := time.FixedZone("", 8*3600)
	for _, tc := range []struct {
		name         string
		mime         string
		flags        []string
		minM, maxM   float64 // distance range; both 0: unlocated
		taken        time.Time
		width, heigh int
	}{
		{"at_event.jpg", "image/jpeg", nil, 0, 100, time.Date(2023, 10, 24, 14, 5, 0, 0, beijing), 64, 48},
		{"far_5km.jpg", "image/jpeg", []string{skygrid.PhotoFar}, 4500, 5500, time.Date(2023, 10, 24, 14, 20, 0, 0, beijing), 64, 48},
		{"early.jpg", "image/jpeg", []string{skygrid.PhotoEarly}, 0, 100, time.Date(2023, 10, 24, 8, 0, 0, 0, beijing), 64, 48},
		{"no_gps.jpg", "image/jpeg", []string{skygrid.PhotoUnlocated}, 0, 0, time.Date(2023, 10, 24, 14, 5, 0, 0, beijing), 64, 48},
		// No OffsetTimeOriginal: Beijing time is assumed, so 14:05 is after
		// 05:30Z (on a UTC server it would not be taken as 14:05Z either).
		{"no_offset.jpg", "image/jpeg", nil, 0, 100, time.Date(2023, 10, 24, 6, 5, 0, 0, time.UTC), 64, 48},
		{"rotated.jpg", "image/jpeg", nil, 0, 100, time.Date(2023, 10, 24, 14, 10, 0, 0, beijing), 64, 32},
		{"photo.png", "image/png", []string{skygrid.PhotoUnlocated}, 0, 0, time.Time{}, 40, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, p, d := mustReadPhoto(t, tc.name)
			sum := sha256.Sum256(b)
			if p.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("SHA256 = %s, want %x", p.SHA256, sum)
			}
			if p.Mime != tc.mime || p.Size != int64(len(b)) || p.Width != tc.width || p.Height != tc.heigh {
				t.Errorf("mime, size, width, height = %s %d %d %d, want %s %d %d %d",
					p.Mime, p.Size, p.Width, p.Height, tc.mime, len(b), tc.width, tc.heigh)
			}
			if !bytes.Equal(d.Original, b) {
				t.Error("PhotoData.Original differs from the file")
			}
			if !slices.Equal(p.Flags, tc.flags) {
				t.Errorf("flags = %q, want %q", p.Flags, tc.flags)
			}
			if tc.maxM == 0 {
				if p.Point != nil || p.DistanceM != nil {
					t.Errorf("point %v, distance %v: want unlocated", p.Point, p.DistanceM)
				}
			} else if p.DistanceM == nil || *p.DistanceM < tc.minM || *p.DistanceM > tc.maxM {
				t.Errorf("distance %v, want %.0f-%.0f m", p.DistanceM, tc.minM, tc.maxM)
			}
			if !p.TakenAt.Equal(tc.taken) {
				t.Errorf("TakenAt = %v, want %v", p.TakenAt, tc.taken)
			}
			if _, err := jpeg.Decode(bytes.NewReader(d.Thumb)); err != nil {
				t.Errorf("thumbnail is not a JPEG: %v", err)
			}
		})
	}
}

func TestPhotoGPSIsLonLat(t *testing.T) {
	_, p, _ := mustReadPhoto(t, "at_event.jpg")
	if p.Point == nil || abs(p.Point.Lon()-113.6897) > 1e-4 || abs(p.Point.Lat()-39.7003) > 1e-4 {
		t.Fatalf("point = %v, want lon 113.6897 lat 39.7003", p.Point)
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func TestPhotoNoTimeNoTimeFlag(t *testing.T) {
	p := &skygrid.Photo{Point: &orb.Point{113.69, 39.70}}
	evidence.CheckPhoto(p, photoEvent)
	if len(p.Flags) != 0 || p.DistanceM == nil || *p.DistanceM > 1 {
		t.Fatalf("flags %q distance %v, want none and 0", p.Flags, p.DistanceM)
	}
}

func TestPhotoRotatedThumbnail(t *testing.T) {
	_, p, d := mustReadPhoto(t, "rotated.jpg")
	if p.Width <= p.Height {
		t.Fatalf("original %dx%d, want landscape", p.Width, p.Height)
	}
	img, err := jpeg.Decode(bytes.NewReader(d.Thumb))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if b.Dy() <= b.Dx() {
		t.Fatalf("thumbnail %dx%d, want portrait", b.Dx(), b.Dy())
	}
	// The stored image is red on the left, blue on the right: turned 90°
	// clockwise, red is on top.
	if r, _, bl, _ := img.At(b.Dx()/2, b.Dy()/4).RGBA(); r < bl {
		t.Errorf("top of the thumbnail is not red: rotated the wrong way")
	}
}

func TestPhotoRefused(t *testing.T) {
	t.Run("not an image", func(t *testing.T) {
		_, _, _, err := readPhotoFile(t, "not_image.jpg")
		wantPhotoErr(t, err, "not_image.jpg: not a JPEG or PNG")
	})
	t.Run("too large", func(t *testing.T) {
		b, err := os.ReadFile("testdata/photos/at_event.jpg")
		if err != nil {
			t.Fatal(err)
		}
		r := io.MultiReader(bytes.NewReader(b[:len(b)-2]), io.LimitReader(zeros{}, 16<<20))
		_, _, err = evidence.ReadPhoto(r, "big.jpg", photoMax)
		wantPhotoErr(t, err, "photo big.jpg: larger than 15 MiB")
	})
	t.Run("truncated", func(t *testing.T) {
		b, err := os.ReadFile("testdata/photos/at_event.jpg")
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{len(b) * 2 / 3, len(b) - 10} {
			_, _, err = evidence.ReadPhoto(bytes.NewReader(b[:n]), "cut.jpg", photoMax)
			wantPhotoErr(t, err, "photo cut.jpg: truncated or corrupt")
		}
	})
	t.Run("too many pixels", func(t *testing.T) {
		// A PNG header claiming 20,000 x 20,000 pixels.
		var buf bytes.Buffer
		img := image.NewGray(image.Rect(0, 0, 1, 1))
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		b := buf.Bytes()
		// IHDR: type at 12-15, width and height at 16-23, CRC at 29-32.
		copy(b[16:24], []byte{0, 0, 0x4e, 0x20, 0, 0, 0x4e, 0x20})
		binary.BigEndian.PutUint32(b[29:33], crc32.ChecksumIEEE(b[12:29]))
		_, _, err := evidence.ReadPhoto(bytes.NewReader(b), "bomb.png", photoMax)
		wantPhotoErr(t, err, "photo bomb.png: 20000x20000 pixels (400.0 megapixels) is too large: at most 52 megapixels")
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func wantPhotoErr(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", want)
	}
	if skygrid.ErrorCode(err) != skygrid.EINVALID || !strings.Contains(skygrid.ErrorMessage(err), want) {
		t.Fatalf("err = %v, want EINVALID containing %q", err, want)
	}
}

func TestPhotoFiles(t *testing.T) {
	files := evidence.Files{Dir: t.TempDir()}
	for _, name := range []string{"at_event.jpg", "photo.png"} {
		b, p, d := mustReadPhoto(t, name)
		for range 2 { // saving twice is harmless
			if err := files.Save(p, d); err != nil {
				t.Fatalf("Save(%s): %v", name, err)
			}
		}
		path, mime, err := files.Path(p.SHA256, false)
		if err != nil || mime != p.Mime {
			t.Fatalf("Path(%s) = %s %s %v", name, path, mime, err)
		}
		if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s: stored original differs (%v)", name, err)
		}
		if filepath.Base(filepath.Dir(path)) != p.SHA256[:2] {
			t.Errorf("%s stored in %s, want a folder %s", name, path, p.SHA256[:2])
		}
		path, mime, err = files.Path(p.SHA256, true)
		if err != nil || mime != "image/jpeg" {
			t.Fatalf("Path(%s, thumb) = %s %s %v", name, path, mime, err)
		}
		if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, d.Thumb) {
			t.Errorf("%s: stored thumbnail differs (%v)", name, err)
		}
	}
	entries, err := filepath.Glob(filepath.Join(files.Dir, "*", ".tmp-*"))
	if err != nil || len(entries) != 0 {
		t.Errorf("temp files left: %v %v", entries, err)
	}

	for _, sha := range []string{"../etc/passwd", "", strings.Repeat("A", 64), strings.Repeat("a", 63) + "/", "../" + strings.Repeat("a", 61)} {
		if _, _, err := files.Path(sha, false); skygrid.ErrorCode(err) != skygrid.EINVALID {
			t.Errorf("Path(%q) err = %v, want EINVALID", sha, err)
		}
	}
	absent := strings.Repeat("0", 64)
	for _, thumb := range []bool{false, true} {
		if _, _, err := files.Path(absent, thumb); skygrid.ErrorCode(err) != skygrid.ENOTFOUND {
			t.Errorf("Path(absent, %v) err = %v, want ENOTFOUND", thumb, err)
		}
	}

	// Save refuses data that does not match the sha.
	_, p, d := mustReadPhoto(t, "early.jpg")
	bad := *d
	bad.Original = append([]byte(nil), d.Original...)
	bad.Original[len(bad.Original)-3] ^= 1
	if err := files.Save(p, &bad); skygrid.ErrorCode(err) != skygrid.EINVALID {
		t.Errorf("Save(mismatched) err = %v, want EINVALID", err)
	}
}

// A photo stored without a stamped copy (before stamps were made, or by
// the demo) is stamped from its original when first asked for; a photo
// that came through Accept has its copy at once; each task has its own.
func TestStampedCopies(t *testing.T) {
	ev := evidence.Photos{Files: evidence.Files{Dir: t.TempDir()}}
	b, p, d := mustReadPhoto(t, "at_event.jpg")
	if err := ev.Files.Save(p, d); err != nil {
		t.Fatal(err)
	}
	if _, err := ev.Files.StampedPath(p.SHA256, 7); skygrid.ErrorCode(err) != skygrid.ENOTFOUND {
		t.Fatalf("a stamped copy before any was made: %v", err)
	}
	path, err := ev.StampedPath(context.Background(), p.SHA256, skygrid.PhotoStamp{TaskID: 7, Place: "浑源县 6行10列"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	cfg, format, derr := image.DecodeConfig(bytes.NewReader(got))
	if err != nil || derr != nil || format != "jpeg" || cfg.Width != 800 || bytes.Equal(got, b) {
		t.Fatalf("stamped copy: %v %v %s %dx%d", err, derr, format, cfg.Width, cfg.Height)
	}
	accepted, err := ev.Accept(context.Background(), bytes.NewReader(b), "at_event.jpg", nil, skygrid.PhotoStamp{TaskID: 8})
	if err != nil {
		t.Fatal(err)
	}
	if p8, err := ev.Files.StampedPath(accepted.SHA256, 8); err != nil || p8 == path {
		t.Errorf("task 8's stamped copy: %s %v (task 7's is %s)", p8, err, path)
	}
	if err := ev.RemoveStamped(p.SHA256, 8); err != nil {
		t.Fatal(err)
	}
	if _, err := ev.Files.StampedPath(p.SHA256, 8); skygrid.ErrorCode(err) != skygrid.ENOTFOUND {
		t.Errorf("task 8's copy after RemoveStamped: %v", err)
	}
	if _, err := ev.Files.StampedPath(p.SHA256, 7); err != nil {
		t.Errorf("task 7's copy went too: %v", err)
	}
}
