package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"skygrid"
)

// Copied is what CopyFiles did.
type Copied struct {
	Photos  int      // photos whose original and thumbnail are now in the target
	Files   int      // files written (originals, thumbnails, stamped copies)
	Kept    int      // files already in the target at the same size, left as they were
	Bytes   int64    // the bytes written
	Missing []string // photos whose original or thumbnail is not in the source folder
	Damaged []string // originals whose content does not match their SHA-256 (copied as found)
}

// Add adds what another copy did.
func (c *Copied) Add(o Copied) {
	c.Photos, c.Files, c.Kept, c.Bytes = c.Photos+o.Photos, c.Files+o.Files, c.Kept+o.Kept, c.Bytes+o.Bytes
	c.Missing, c.Damaged = append(c.Missing, o.Missing...), append(c.Damaged, o.Damaged...)
}

// CopyFiles copies the stored files of the photos shas from s into dst:
// each original (its SHA-256 checked as it is read), its thumbnail and
// the stamped copies made for its tasks. Every file is written atomically
// (a temp file, flushed, then renamed), so an interrupted copy leaves whole
// files only and running it again goes on where it stopped: a file already
// in dst at the same size is kept. A photo whose original or thumbnail is
// missing from s is listed in Missing, and what there is of it is copied.
func (s Files) CopyFiles(dst Files, shas []string) (Copied, error) {
	var c Copied
	sorted := append([]string(nil), shas...)
	sort.Strings(sorted)
	for _, sha := range sorted {
		if !validSHA(sha) {
			return c, fmt.Errorf("photo copy: invalid sha256 %q", sha)
		}
		if err := s.copyPhoto(dst, sha, &c); err != nil {
			return c, err
		}
	}
	return c, nil
}

// copyPhoto copies one photo's original, thumbnail and stamped copies.
func (s Files) copyPhoto(dst Files, sha string, c *Copied) error {
	orig, _, err := s.Path(sha, false)
	if err != nil && skygrid.ErrorCode(err) != skygrid.ENOTFOUND {
		return fmt.Errorf("photo copy: %w", err)
	}
	if err == nil {
		ok, err := s.copyOne(dst, orig, sha, c)
		if err != nil {
			return err
		}
		if !ok {
			c.Damaged = append(c.Damaged, sha)
		}
	}
	rest, err := filepath.Glob(filepath.Join(s.Dir, sha[:2], sha+".task-*.jpg"))
	if err != nil {
		return fmt.Errorf("photo copy: %w", err)
	}
	thumb, _, err := s.Path(sha, true)
	if err != nil && skygrid.ErrorCode(err) != skygrid.ENOTFOUND {
		return fmt.Errorf("photo copy: %w", err)
	}
	hasThumb := err == nil
	if hasThumb {
		rest = append(rest, thumb)
	}
	for _, p := range rest {
		if _, err := s.copyOne(dst, p, "", c); err != nil {
			return err
		}
	}
	if orig != "" && hasThumb {
		c.Photos++
	} else {
		c.Missing = append(c.Missing, sha)
	}
	return nil
}

// copyOne copies the file src (under s.Dir) to the same place under
// dst.Dir, unless a file of its size is already there. With sha set it
// reports whether the content matches it (a kept file is not read again).
func (s Files) copyOne(dst Files, src, sha string, c *Copied) (bool, error) {
	rel, err := filepath.Rel(s.Dir, src)
	if err != nil {
		return false, fmt.Errorf("photo copy: %w", err)
	}
	target := filepath.Join(dst.Dir, rel)
	in, err := os.Open(src)
	if err != nil {
		return false, fmt.Errorf("photo copy: %w", err)
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return false, fmt.Errorf("photo copy: %w", err)
	}
	if ti, err := os.Stat(target); err == nil && ti.Mode().IsRegular() && ti.Size() == fi.Size() {
		c.Kept++
		return true, nil
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return false, fmt.Errorf("photo copy: %w", err)
	}
	h := sha256.New()
	if err := copyAtomic(target, io.TeeReader(in, h), !dst.NoSync); err != nil {
		return false, err
	}
	c.Files++
	c.Bytes += fi.Size()
	return sha == "" || hex.EncodeToString(h.Sum(nil)) == sha, nil
}

// copyAtomic writes r to name whole: a temp file in the same folder,
// flushed when sync, then renamed in place (writeAtomic's too).
func copyAtomic(name string, r io.Reader, sync bool) (err error) {
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
	if _, err = io.Copy(f, r); err != nil {
		return fmt.Errorf("photo files %s: %w", name, err)
	}
	if err = syncFile(f, sync); err != nil {
		return fmt.Errorf("photo files %s: %w", name, err)
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("photo files %s: %w", name, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("photo files %s: %w", name, err)
	}
	if err = os.Rename(f.Name(), name); err != nil {
		return fmt.Errorf("photo files %s: %w", name, err)
	}
	return nil
}
