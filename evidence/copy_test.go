package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// putFile writes name under dir/ab/, the store's layout for sha.
func putFile(t *testing.T, dir, sha, name, content string) {
	t.Helper()
	sub := filepath.Join(dir, sha[:2])
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sub, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func shaOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestCopyFiles: a photo goes with its thumbnail and stamped copies, byte
// for byte; a PNG keeps its name; a photo whose original or thumbnail
// the source lacks is named in Missing and what there is goes; an
// original that does not match its SHA-256 is named in Damaged and goes
// as found; a photo not asked for stays; a second run writes nothing;
// a file cut short in the target is written again.
func TestCopyFiles(t *testing.T) {
	src, dst := Files{Dir: t.TempDir()}, Files{Dir: filepath.Join(t.TempDir(), "photos")}
	whole, png, noThumb, damaged, other := shaOf("whole"), shaOf("png"), shaOf("no thumb"), shaOf("damaged"), shaOf("other")
	absent := shaOf("absent")
	putFile(t, src.Dir, whole, whole+".jpg", "whole")
	putFile(t, src.Dir, whole, whole+".thumb.jpg", "whole thumb")
	putFile(t, src.Dir, whole, whole+".task-7.jpg", "stamped 7")
	putFile(t, src.Dir, whole, whole+".task-12.jpg", "stamped 12")
	putFile(t, src.Dir, png, png+".png", "png")
	putFile(t, src.Dir, png, png+".thumb.jpg", "png thumb")
	putFile(t, src.Dir, noThumb, noThumb+".jpg", "no thumb")
	putFile(t, src.Dir, damaged, damaged+".jpg", "damaged, not as it was")
	putFile(t, src.Dir, damaged, damaged+".thumb.jpg", "damaged thumb")
	putFile(t, src.Dir, other, other+".jpg", "other")
	putFile(t, src.Dir, other, other+".thumb.jpg", "other thumb")

	c, err := src.CopyFiles(dst, []string{whole, png, noThumb, damaged, absent})
	if err != nil {
		t.Fatal(err)
	}
	if c.Photos != 3 || c.Files != 9 || c.Kept != 0 {
		t.Errorf("copied %d photos, %d files, %d kept; want 3, 9, 0", c.Photos, c.Files, c.Kept)
	}
	wantMissing := []string{absent, noThumb}
	slices.Sort(wantMissing)
	if !slices.Equal(c.Missing, wantMissing) {
		t.Errorf("Missing = %v, want the absent photo and the one without its thumbnail", c.Missing)
	}
	if len(c.Damaged) != 1 || c.Damaged[0] != damaged {
		t.Errorf("Damaged = %v, want %s", c.Damaged, damaged)
	}
	for _, f := range []struct{ sha, name, want string }{
		{whole, whole + ".jpg", "whole"}, {whole, whole + ".thumb.jpg", "whole thumb"},
		{whole, whole + ".task-7.jpg", "stamped 7"}, {whole, whole + ".task-12.jpg", "stamped 12"},
		{png, png + ".png", "png"}, {noThumb, noThumb + ".jpg", "no thumb"},
		{damaged, damaged + ".jpg", "damaged, not as it was"},
	} {
		b, err := os.ReadFile(filepath.Join(dst.Dir, f.sha[:2], f.name))
		if err != nil || string(b) != f.want {
			t.Errorf("%s in the target: %q %v, want %q", f.name, b, err, f.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dst.Dir, other[:2])); err == nil {
		t.Errorf("a photo not asked for was copied")
	}
	if p, mime, err := dst.Path(png, false); err != nil || mime != "image/png" || !strings.HasSuffix(p, ".png") {
		t.Errorf("the PNG in the target: %s %s %v", p, mime, err)
	}

	// Again, with one file cut short by an interrupted copy elsewhere.
	if err := os.WriteFile(filepath.Join(dst.Dir, whole[:2], whole+".thumb.jpg"), []byte("whole"), 0o644); err != nil {
		t.Fatal(err)
	}
	again, err := src.CopyFiles(dst, []string{whole, png, noThumb, damaged, absent})
	if err != nil {
		t.Fatal(err)
	}
	if again.Files != 1 || again.Kept != 8 || again.Photos != 3 {
		t.Errorf("second run: %d files written, %d kept, %d photos; want 1, 8, 3", again.Files, again.Kept, again.Photos)
	}
	if b, _ := os.ReadFile(filepath.Join(dst.Dir, whole[:2], whole+".thumb.jpg")); string(b) != "whole thumb" {
		t.Errorf("the cut thumbnail after the second run: %q", b)
	}
	left, _ := filepath.Glob(filepath.Join(dst.Dir, "*", ".tmp-*"))
	if len(left) > 0 {
		t.Errorf("temp files left in the target: %v", left)
	}
}

// TestCopyFilesRefusesABadName: a name that is not a SHA-256 stops the
// copy before any file is read by it (no path outside the folder).
func TestCopyFilesRefusesABadName(t *testing.T) {
	src, dst := Files{Dir: t.TempDir()}, Files{Dir: t.TempDir()}
	if _, err := src.CopyFiles(dst, []string{"../../etc/passwd"}); err == nil || !strings.Contains(err.Error(), "invalid sha256") {
		t.Errorf("CopyFiles of a bad name: %v, want invalid sha256", err)
	}
}
