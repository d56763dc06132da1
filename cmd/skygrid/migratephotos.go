package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"skygrid/evidence"
	"skygrid/store"
)

// photoMove copies a city's report photos beside its database's move:
// the photos the SQLite database holds before the copy, then those the
// PostgreSQL one holds after it (reports stored meanwhile).
type photoMove struct {
	fromData, toData string
	from, to         evidence.Files
	copied           map[string]bool // photos already copied (or found missing)
	done             evidence.Copied // summed over both rounds
	held             int             // photos the target database holds
	took             time.Duration   // spent copying
}

// newPhotoMove copies the photos src holds from fromData (default beside
// the SQLite file) into toData (default serve's for the PostgreSQL
// database). A database with photos and no photo folder is refused
// before anything is written.
func newPhotoMove(ctx context.Context, src *store.DB, fromDB, fromData, toDB, toData string) (*photoMove, error) {
	if fromData == "" {
		fromData = defaultDataDir(fromDB)
	}
	if toData == "" {
		toData = defaultDataDir(toDB)
	}
	pm := &photoMove{fromData: fromData, toData: toData, copied: map[string]bool{},
		from: evidence.Files{Dir: filepath.Join(fromData, "photos")}, to: evidence.Files{Dir: filepath.Join(toData, "photos")}}
	refs, err := src.PhotoRefs(ctx)
	if err != nil {
		return nil, err
	}
	if len(refs) == 0 {
		return pm, nil
	}
	if fi, err := os.Stat(pm.from.Dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("--from-data %s: no photo folder %s, but the database holds %d photos: give the folder its skygrid serve kept them in (its --data)",
			fromData, pm.from.Dir, len(refs))
	}
	return pm, pm.copy(refs)
}

// copy copies the photos of refs not copied yet, into the photo folder
// made as serve makes it.
func (pm *photoMove) copy(refs map[string][]int64) error {
	var shas []string
	for sha := range refs {
		if !pm.copied[sha] {
			shas = append(shas, sha)
		}
	}
	if err := os.MkdirAll(pm.to.Dir, 0o750); err != nil {
		return fmt.Errorf("--data %s: %w", pm.toData, err)
	}
	start := time.Now()
	c, err := pm.from.CopyFiles(pm.to, shas)
	pm.took += time.Since(start)
	pm.done.Add(c)
	if err != nil {
		return fmt.Errorf("copy photos from %s to %s: %w", pm.from.Dir, pm.to.Dir, err)
	}
	for _, sha := range shas {
		pm.copied[sha] = true
	}
	return nil
}

// finish copies the photos the copied database holds that were stored
// after the first round listed them.
func (pm *photoMove) finish(ctx context.Context, dst *store.DB) error {
	refs, err := dst.PhotoRefs(ctx)
	if err != nil {
		return err
	}
	pm.held = len(refs)
	if len(refs) == 0 {
		return nil
	}
	return pm.copy(refs)
}

// printPhotos says where the photos went, and names those the source
// folder lacked or held damaged.
func (m *MigrateCommand) printPhotos(pm *photoMove) {
	d := pm.done
	fmt.Fprintf(m.Stdout, "photos: %d of the %d the database holds copied whole from %s to %s (%d files, %.1f MiB written, %d already there, in %s), each original written checked against its SHA-256; serve the PostgreSQL database with --data %s\n",
		d.Photos, pm.held, pm.from.Dir, pm.to.Dir, d.Files, float64(d.Bytes)/(1<<20), d.Kept, pm.took.Round(time.Millisecond), pm.toData)
	if len(d.Missing) > 0 {
		fmt.Fprintf(m.Stdout, "photos: %d lack their original or thumbnail in %s (missing before the move; what there is was copied): %s\n",
			len(d.Missing), pm.from.Dir, firstFew(d.Missing))
	}
	if len(d.Damaged) > 0 {
		fmt.Fprintf(m.Stdout, "photos: %d originals in %s do not match their SHA-256 (damaged before the move; copied as found): %s\n",
			len(d.Damaged), pm.from.Dir, firstFew(d.Damaged))
	}
}

// firstFew lists up to five names, and how many more.
func firstFew(names []string) string {
	if len(names) <= 5 {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:5], ", "), len(names)-5)
}
