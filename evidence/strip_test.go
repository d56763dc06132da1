package evidence_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rwcarlsen/goexif/exif"

	"skygrid"
	"skygrid/evidence"
)

// A report from the public keeps only copies re-encoded from the pixels:
// no EXIF (the uploads carry GPS), upright, the upload's SHA-256 recorded
// and its file gone; a bad file refuses the stage.
func TestAcceptStripped(t *testing.T) {
	for _, tc := range []struct {
		name       string
		file       string
		portrait   bool
		wantRefuse bool
	}{
		{"GPS EXIF", "at_event.jpg", false, false},
		{"turned by EXIF", "rotated.jpg", true, false},
		{"PNG", "photo.png", false, false},
		{"not an image", "not_image.jpg", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := evidence.Photos{Files: evidence.Files{Dir: t.TempDir()}}
			up, err := os.ReadFile(filepath.Join("testdata", "photos", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			st, _ := ev.Stage()
			defer st.Discard()
			if err := st.Receive(tc.file, bytes.NewReader(up)); err != nil {
				t.Fatal(err)
			}
			ps, err := st.(*evidence.Stage).AcceptStripped(context.Background())
			if tc.wantRefuse {
				if skygrid.ErrorCode(err) != skygrid.EINVALID {
					t.Errorf("refused: %v, want EINVALID", err)
				}
				return
			}
			if err != nil || len(ps) != 1 {
				t.Fatalf("%v %v", ps, err)
			}
			sum := sha256.Sum256(up)
			if ps[0].SHA256 != hex.EncodeToString(sum[:]) || ps[0].Stripped == ps[0].SHA256 {
				t.Errorf("shas %+v: want the upload's and the copy's", ps[0])
			}
			if err := st.Commit(); err != nil {
				t.Fatal(err)
			}
			want := []string{ps[0].Stripped[:2] + "/" + ps[0].Stripped + ".jpg", ps[0].Stripped[:2] + "/" + ps[0].Stripped + ".thumb.jpg"}
			if got := walkFiles(t, ev.Files.Dir); !slices.Equal(got, want) {
				t.Fatalf("stored %v, want %v (no upload kept)", got, want)
			}
			for _, f := range want {
				b, _ := os.ReadFile(filepath.Join(ev.Files.Dir, f))
				if _, err := exif.Decode(bytes.NewReader(b)); err == nil || bytes.Contains(b, []byte("Exif\x00\x00")) {
					t.Errorf("%s keeps EXIF", f)
				}
				cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
				if err != nil || (cfg.Height > cfg.Width) != tc.portrait {
					t.Errorf("%s: %dx%d %v, portrait want %t", f, cfg.Width, cfg.Height, err, tc.portrait)
				}
			}
		})
	}
}
