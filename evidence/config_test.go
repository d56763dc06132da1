package evidence_test

import (
	"bytes"
	"os"
	"testing"

	"skygrid/evidence"
)

// [photos] max_photo_mib bounds a photo file: a 2 MiB JPEG (a phone photo
// with 2 MiB of trailing bytes) passes the default 15 MiB and is refused
// at 1 MiB, by the photo store the configuration makes.
func TestMaxPhotoMiB(t *testing.T) {
	b, err := os.ReadFile("testdata/photos/at_event.jpg")
	if err != nil {
		t.Fatal(err)
	}
	padded := append(append([]byte{}, b...), make([]byte, 2<<20)...)
	for _, tc := range []struct {
		name string
		mib  int64
		want string
	}{
		{"default 15 MiB", evidence.DefaultConfig().MaxPhotoMiB, ""},
		{"1 MiB", 1, "photo big.jpg: larger than 1 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := evidence.DefaultConfig()
			c.MaxPhotoMiB = tc.mib
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			ph := c.Photos(t.TempDir())
			_, _, err := evidence.ReadPhoto(bytes.NewReader(padded), "big.jpg", ph.MaxBytes)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			wantPhotoErr(t, err, tc.want)
		})
	}
}
