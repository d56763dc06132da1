package intake

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"skygrid/detect"
	"skygrid/dispatch"
	"sort"
	"strings"
	"sync"
	"time"

	"skygrid"
)

// Watcher ingests the fire files dropped into a folder (an inbox fed by a
// download script or a receiving station). A file is taken once it has
// kept the same size and modification time for Settle, so a file still
// being written is never read half-way; it is ingested once, in one
// transaction, then moved to Dir/done/ or, when refused, to Dir/failed/
// with a NAME.reason.txt next to it.
//
// Files whose name starts with "." or ends with .part, .tmp, .crdownload
// or ~ are left alone (a writer that renames a finished file into place is
// picked up at the rename), and so are subfolders.
//
// The zero values of Poll, Settle, Logger and Now are replaced by their
// defaults. A Watcher keeps what it has seen between scans, so reuse the
// same Watcher; Scan and Run may be called from several goroutines (scans
// are serialised).
type Watcher struct {
	Dir      string
	Pipeline *dispatch.Pipeline
	// Poll is the time between scans of Run (default 1s).
	Poll time.Duration
	// Settle is how long a file must keep the same size and modification
	// time before it is taken (default 2s).
	Settle time.Duration
	Logger *slog.Logger
	// Now is the clock of arrivals and Settle; tests replace it.
	Now func() time.Time
	// OnBatch, when set, is called after a file was ingested and moved,
	// with the path it was taken from, its batch and its arrival time (when
	// the watcher first saw it). It runs inside Scan, so must not call it.
	OnBatch func(path string, b *skygrid.IngestBatch, arrived time.Time)

	mu    sync.Mutex
	files map[string]*watchedFile
}

// watchedFile is what a Watcher remembers of a file in Dir between scans.
type watchedFile struct {
	size    int64
	modTime time.Time
	// arrived is when the file was first seen; changed when its size or
	// modification time last changed (as seen by a scan).
	arrived, changed time.Time
	// taken: ingested (or refused) already, but still in Dir because the
	// move failed. Never taken again unless its size or mtime change.
	taken bool
}

// Folders of a watched Dir.
const (
	WatchDoneDir   = "done"
	WatchFailedDir = "failed"
)

func (w *Watcher) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Watcher) logger() *slog.Logger {
	if w.Logger != nil {
		return w.Logger
	}
	return slog.Default()
}

func (w *Watcher) settle() time.Duration {
	if w.Settle > 0 {
		return w.Settle
	}
	return 2 * time.Second
}

func (w *Watcher) poll() time.Duration {
	if w.Poll > 0 {
		return w.Poll
	}
	return time.Second
}

// Run scans Dir every Poll until ctx ends, and then returns ctx's error. It
// returns at once when Dir is not a readable folder; later scan errors (a
// store briefly unavailable, say) are logged and the next scan tries again.
func (w *Watcher) Run(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if w.Pipeline == nil {
		return errors.New("watch: no pipeline")
	}
	fi, err := os.Stat(w.Dir)
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	} else if !fi.IsDir() {
		return fmt.Errorf("watch: %s is not a folder", w.Dir)
	}
	t := time.NewTicker(w.poll())
	defer t.Stop()
	for {
		if _, err := w.Scan(ctx); err != nil && ctx.Err() == nil {
			w.logger().Error("watch: scan", "dir", w.Dir, "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// watchIgnored tells whether a file name is left alone: hidden files and
// files still being downloaded or edited.
func watchIgnored(name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") {
		return true
	}
	lower := strings.ToLower(name)
	for _, s := range []string{".part", ".tmp", ".crdownload"} {
		if strings.HasSuffix(lower, s) {
			return true
		}
	}
	return false
}

// Scan makes one pass over Dir: it notes new and changed files and ingests
// those that have settled, in order of arrival (then name). It returns how
// many files it took (ingested or refused). An error reading Dir or loading
// the pipeline context, or ctx ending, stops the pass; the files not yet
// taken stay for the next one.
func (w *Watcher) Scan(ctx context.Context) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.Pipeline == nil {
		return 0, errors.New("watch: no pipeline")
	}
	if w.files == nil {
		w.files = map[string]*watchedFile{}
	}
	ents, err := os.ReadDir(w.Dir)
	if err != nil {
		return 0, fmt.Errorf("watch: %w", err)
	}
	now := w.now()
	present := make(map[string]bool, len(ents))
	var ready []string
	for _, e := range ents {
		name := e.Name()
		if !e.Type().IsRegular() || watchIgnored(name) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue // gone since ReadDir: forgotten below
		}
		present[name] = true
		f := w.files[name]
		switch {
		case f == nil:
			w.files[name] = &watchedFile{size: fi.Size(), modTime: fi.ModTime(), arrived: now, changed: now}
			continue
		case f.size != fi.Size() || !f.modTime.Equal(fi.ModTime()):
			if f.taken {
				// Replaced by a new file of the same name.
				*f = watchedFile{arrived: now}
			}
			f.size, f.modTime, f.changed = fi.Size(), fi.ModTime(), now
			continue
		case f.taken || now.Sub(f.changed) < w.settle():
			continue
		}
		ready = append(ready, name)
	}
	for name := range w.files {
		if !present[name] {
			delete(w.files, name)
		}
	}
	sort.Slice(ready, func(i, j int) bool {
		a, b := w.files[ready[i]], w.files[ready[j]]
		if !a.arrived.Equal(b.arrived) {
			return a.arrived.Before(b.arrived)
		}
		return ready[i] < ready[j]
	})
	n := 0
	for _, name := range ready {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		took, err := w.take(ctx, name, w.files[name])
		if took {
			n++
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// take ingests one settled file and moves it. It reports whether the file
// was taken; an error means it was not (and the scan stops).
func (w *Watcher) take(ctx context.Context, name string, f *watchedFile) (bool, error) {
	log := w.logger()
	path := filepath.Join(w.Dir, name)
	// The file may have changed or gone since the scan listed it.
	fi, err := os.Lstat(path)
	if err != nil {
		delete(w.files, name)
		return false, nil
	}
	if !fi.Mode().IsRegular() || fi.Size() != f.size || !fi.ModTime().Equal(f.modTime) {
		f.size, f.modTime, f.changed = fi.Size(), fi.ModTime(), w.now()
		return false, nil
	}
	// A text file (FIRMS CSV, Himawari WLF) is complete when it ends with a
	// line end: a writer that paused mid-line is not read half-way.
	// (A text file that stays without one for ten settle times is taken
	// anyway: the ingest reports its cut last line.)
	if !endsWithNewline(path) && w.now().Sub(f.changed) < 10*w.settle() {
		return false, nil
	}
	pctx, err := w.context(ctx)
	if err != nil {
		return false, err
	}
	b, err := w.Pipeline.IngestFile(ctx, path, dispatch.IngestOptions{Context: pctx, ArrivedAt: f.arrived, Origin: "watch"})
	if err != nil && ctx.Err() != nil {
		// Cut short: the transaction was rolled back; take it next time.
		return false, ctx.Err()
	}
	if err != nil && skygrid.ErrorCode(err) != skygrid.EINVALID && !errors.Is(err, detect.ErrNotFireFile) {
		// Not the file's fault (a locked or full database): nothing was
		// stored; it stays and is tried again at a later scan.
		log.Error("watch: ingest failed; the file stays and is tried again", "file", path, "err", err)
		f.changed = w.now()
		return false, nil
	}
	if fi2, serr := os.Stat(path); err == nil && serr == nil && (fi2.Size() != f.size || !fi2.ModTime().Equal(f.modTime)) {
		// Written to while it was read: what was read is stored (deduped);
		// the file stays and is read again, whole, once it settles.
		log.Warn("watch: the file changed while it was read; it is read again once it settles", "file", path)
		f.size, f.modTime, f.changed = fi2.Size(), fi2.ModTime(), w.now()
		return true, nil
	}
	f.taken = true
	if err != nil {
		log.Warn("watch: refused", "file", path, "arrived", f.arrived, "err", watchErrorText(err))
		dst, merr := w.move(path, WatchFailedDir)
		if merr != nil {
			log.Error("watch: cannot move the refused file; it stays and is not taken again", "file", path, "err", merr)
			return true, nil
		}
		delete(w.files, name)
		if rerr := watchWriteReason(dst+".reason.txt", path, f.arrived, err, b); rerr != nil {
			log.Error("watch: cannot write the reason", "file", dst, "err", rerr)
		}
		return true, nil
	}
	log.Info("watch: ingested", "file", path, "arrived", f.arrived, "batch", b.ID, "rows", b.Rows, "new", b.New,
		"duplicates", b.Duplicates, "rejected", b.Rejected, "outside", b.Outside, "events_new", b.EventsNew, "tasks_new", b.TasksNew)
	if _, merr := w.move(path, WatchDoneDir); merr != nil {
		log.Error("watch: cannot move the ingested file; it stays and is not taken again", "file", path, "err", merr)
	} else {
		delete(w.files, name)
	}
	if w.OnBatch != nil {
		w.OnBatch(path, b, f.arrived)
	}
	return true, nil
}

// context returns the pipeline context, loaded again when the regions or
// a site layer changed since the last load.
func (w *Watcher) context(ctx context.Context) (*dispatch.Context, error) {
	c, err := w.Pipeline.Places(ctx)
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	if c.Area == nil {
		w.logger().Warn("watch: no regions imported, so every detection is kept; import regions first to keep only your area")
	}
	return c, nil
}

// move renames path into Dir/sub/, under its name or, when that is taken,
// NAME.1.EXT, NAME.2.EXT, ... It returns the new path.
func (w *Watcher) move(path, sub string) (string, error) {
	dir := filepath.Join(w.Dir, sub)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	name := filepath.Base(path)
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for i := 0; i < 10000; i++ {
		cand := name
		if i > 0 {
			cand = fmt.Sprintf("%s.%d%s", stem, i, ext)
		}
		dst := filepath.Join(dir, cand)
		if watchExists(dst) || watchExists(dst+".reason.txt") {
			continue
		}
		if err := os.Rename(path, dst); err != nil {
			return "", err
		}
		return dst, nil
	}
	return "", fmt.Errorf("%s: no free name in %s", name, dir)
}

func watchExists(path string) bool {
	_, err := os.Lstat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

// watchWriteReason writes why a file was refused, and the row errors of its
// batch if any.
func watchWriteReason(path, from string, arrived time.Time, ingestErr error, b *skygrid.IngestBatch) error {
	var sb strings.Builder
	fmt.Fprintf(&sb, "file: %s\narrived: %s\nrefused: %s\n", from, arrived.Format(time.RFC3339), watchErrorText(ingestErr))
	if b != nil {
		for _, e := range b.Errors {
			fmt.Fprintf(&sb, "rejected: %s\n", e.Error())
		}
		if more := b.Rejected - len(b.Errors); more > 0 {
			fmt.Fprintf(&sb, "... %d more rejected rows\n", more)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(sb.String()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// watchErrorText is an error's text with a *skygrid.Error shown by its message.
func watchErrorText(err error) string {
	var e *skygrid.Error
	if errors.As(err, &e) {
		return strings.Replace(err.Error(), e.Error(), e.Message, 1)
	}
	return err.Error()
}

// endsWithNewline reports whether a text file's last byte is a line end
// (true too for an empty, unreadable or binary file: the ingest says why).
func endsWithNewline(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return true
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return true
	}
	head := make([]byte, min(fi.Size(), 512))
	if _, err := f.ReadAt(head, 0); err != nil || !strings.HasPrefix(http.DetectContentType(head), "text/") {
		return true // not text: the ingest refuses it whole
	}
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, fi.Size()-1); err != nil {
		return true
	}
	return b[0] == '\n' || b[0] == '\r'
}
