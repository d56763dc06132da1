package dispatch

import (
	"errors"
	"io"
	"os"

	"skygrid"
)

// Evidence reads, checks and stores report photos.
type Evidence struct {
	Files    PhotoFiles
	MaxBytes int64 // 0: 15 MiB
}

// Accept reads one uploaded photo, flags it against the event and stores
// the file and its thumbnail by SHA-256.
func (ev Evidence) Accept(r io.Reader, name string, e *skygrid.Event) (*skygrid.Photo, error) {
	max := ev.MaxBytes
	if max <= 0 {
		max = 15 << 20
	}
	p, data, err := ReadPhoto(r, name, max)
	if err != nil {
		return nil, err
	}
	CheckPhoto(p, e)
	if err := ev.Files.Save(p, data); err != nil {
		return nil, err
	}
	return p, nil
}

// Path is where a stored photo (or its thumbnail) is, and its type.
func (ev Evidence) Path(sha string, thumb bool) (string, string, error) {
	return ev.Files.Path(sha, thumb)
}

// Remove deletes a stored photo and its thumbnail (when a report that
// brought it failed and no other report holds it).
func (ev Evidence) Remove(sha string) error {
	for _, thumb := range []bool{false, true} {
		p, _, err := ev.Files.Path(sha, thumb)
		if skygrid.ErrorCode(err) == skygrid.ENOTFOUND {
			continue
		}
		if err != nil {
			return err
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}
