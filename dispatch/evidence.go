package dispatch

import (
	"errors"
	"fmt"
	"io"
	"os"

	"skygrid"
	"skygrid/evidence"

	"github.com/disintegration/imaging"
)

// Evidence reads, checks and stores report photos.
type Evidence struct {
	Files    PhotoFiles
	MaxBytes int64 // 0: 15 MiB
}

// Accept reads one uploaded photo, flags it against the event, stores the
// file and its thumbnail by SHA-256, and the copy reviewers see stamped
// with the task number, time and place.
func (ev Evidence) Accept(r io.Reader, name string, e *skygrid.Event, s skygrid.PhotoStamp) (*skygrid.Photo, error) {
	max := ev.MaxBytes
	if max <= 0 {
		max = 15 << 20
	}
	p, data, err := ReadPhoto(r, name, max)
	if err != nil {
		return nil, err
	}
	CheckPhoto(p, e)
	s.TakenAt, s.Point, s.DistanceM = p.TakenAt, p.Point, p.DistanceM
	f := evidence.DefaultFont()
	if data.Stamped, err = evidence.Stamp(data.Display, evidence.Lines(s, f.CJK), f); err != nil {
		return nil, fmt.Errorf("photo %s: stamp: %w", name, err)
	}
	if err := ev.Files.Save(p, data); err != nil {
		return nil, err
	}
	if err := ev.Files.SaveStamped(p.SHA256, s.TaskID, data.Stamped); err != nil {
		return nil, err
	}
	return p, nil
}

// StampedPath is where the stamped copy of a photo for a task is; a photo
// stored without one (before stamps were made, or by the demo) is stamped
// from its original now, with s.
func (ev Evidence) StampedPath(sha string, s skygrid.PhotoStamp) (string, error) {
	p, err := ev.Files.StampedPath(sha, s.TaskID)
	if skygrid.ErrorCode(err) != skygrid.ENOTFOUND {
		return p, err
	}
	orig, _, err := ev.Files.Path(sha, false)
	if err != nil {
		return "", err
	}
	img, err := imaging.Open(orig, imaging.AutoOrientation(true))
	if err != nil {
		return "", fmt.Errorf("photo %s: %w", sha, err)
	}
	f := evidence.DefaultFont()
	out, err := evidence.Stamp(evidence.Display(img), evidence.Lines(s, f.CJK), f)
	if err != nil {
		return "", fmt.Errorf("photo %s: stamp: %w", sha, err)
	}
	if err := ev.Files.SaveStamped(sha, s.TaskID, out); err != nil {
		return "", err
	}
	return ev.Files.StampedPath(sha, s.TaskID)
}

// RemoveStamped deletes the stamped copy of a photo for a task (when the
// report that brought it failed).
func (ev Evidence) RemoveStamped(sha string, taskID int64) error {
	p, err := ev.Files.StampedPath(sha, taskID)
	if skygrid.ErrorCode(err) == skygrid.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
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
