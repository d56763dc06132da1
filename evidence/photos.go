package evidence

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"skygrid"
)

// Photos reads, checks and stores report photos. Photos are read in a
// Stage and reach the store only when their report is stored.
type Photos struct {
	Files     Files
	MaxBytes  int64 // 0: DefaultMaxBytes
	MaxPixels int64 // 0: DefaultMaxPixels
	// Pool bounds the memory of the decodes that run at once; nil: a
	// pool of DefaultDecodeBudget shared by the process.
	Pool *DecodePool
	// Uploads limits each user's photos a minute; nil: no limit.
	Uploads *UploadRate
}

func (ev Photos) limits() Limits {
	return Limits{MaxBytes: ev.MaxBytes, MaxPixels: ev.MaxPixels}
}

func (ev Photos) pool() *DecodePool {
	if ev.Pool != nil {
		return ev.Pool
	}
	defaultPoolOnce.Do(func() { defaultPool = NewDecodePool(DefaultDecodeBudget) })
	return defaultPool
}

var (
	defaultPoolOnce sync.Once
	defaultPool     *DecodePool
)

// DefaultDecodeBudget is the memory photo decodes may take at once by
// default: room for the costliest photo accepted (52 megapixels of 8-bit
// RGBA, about 290 MiB with its file and work) or two 50-megapixel phone
// JPEGs, so that the server stays well under 1 GiB whatever is uploaded.
const DefaultDecodeBudget = 384 << 20

// DecodePool bounds the memory that photo decodes take together: each
// holds its DecodeCost of the budget while it runs, and waits, as long as
// its request does, for room. A client that goes away frees its place.
type DecodePool struct {
	budget int64
	sem    *semaphore.Weighted
}

// NewDecodePool returns a pool of budget bytes.
func NewDecodePool(budget int64) *DecodePool {
	return &DecodePool{budget: budget, sem: semaphore.NewWeighted(budget)}
}

// Budget is the pool's size in bytes.
func (p *DecodePool) Budget() int64 { return p.budget }

// acquire waits for n bytes of the budget (all of it when n is larger)
// and returns what gives them back. A nil pool bounds nothing.
func (p *DecodePool) acquire(ctx context.Context, n int64) (func(), error) {
	if p == nil {
		return func() {}, nil
	}
	n = min(max(n, 1), p.budget)
	if err := p.sem.Acquire(ctx, n); err != nil {
		return nil, err
	}
	return func() { p.sem.Release(n) }, nil
}

// UploadRate allows each user PerMinute photos a minute: a bucket of
// PerMinute photos, refilled evenly over a minute, so that a burst of
// queued reports goes through and a flood does not.
type UploadRate struct {
	PerMinute int
	mu        sync.Mutex
	users     map[int64]*uploadBucket
}

type uploadBucket struct {
	photos float64
	at     time.Time
}

// bucket is the user's bucket refilled up to now (u.mu held).
func (u *UploadRate) bucket(user int64, now time.Time) *uploadBucket {
	if u.users == nil {
		u.users = map[int64]*uploadBucket{}
	}
	full := float64(u.PerMinute)
	b := u.users[user]
	if b == nil {
		if len(u.users) >= 10000 { // forget the users whose bucket is full
			for id, ob := range u.users {
				if ob.photos+now.Sub(ob.at).Minutes()*full >= full {
					delete(u.users, id)
				}
			}
		}
		b = &uploadBucket{photos: full, at: now}
		u.users[user] = b
	}
	if d := now.Sub(b.at); d > 0 {
		b.photos = math.Min(full, b.photos+d.Minutes()*full)
		b.at = now
	}
	return b
}

// Wait is how long the user must wait before n more photos are allowed
// (0: now). A nil UploadRate, or PerMinute 0, allows everything.
func (u *UploadRate) Wait(user int64, n int, now time.Time) time.Duration {
	return u.take(user, n, now, false)
}

// Take takes n photos from the user's allowance and returns 0, or, when
// there are not n left, takes none and returns how long to wait.
func (u *UploadRate) Take(user int64, n int, now time.Time) time.Duration {
	return u.take(user, n, now, true)
}

func (u *UploadRate) take(user int64, n int, now time.Time, take bool) time.Duration {
	if u == nil || u.PerMinute <= 0 || n <= 0 {
		return 0
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	b := u.bucket(user, now)
	need := float64(min(n, u.PerMinute))
	if b.photos >= need {
		if take {
			b.photos -= need
		}
		return 0
	}
	wait := time.Duration((need - b.photos) / float64(u.PerMinute) * float64(time.Minute))
	return max(wait, time.Second)
}

// UploadWait is how long a user must wait before n more photos (0: now).
func (ev Photos) UploadWait(user int64, n int, now time.Time) time.Duration {
	return ev.Uploads.Wait(user, n, now)
}

// TakeUploads takes n photos of the user's allowance, or says how long
// to wait for them.
func (ev Photos) TakeUploads(user int64, n int, now time.Time) time.Duration {
	return ev.Uploads.Take(user, n, now)
}

// stagingDir is where reports' photos wait for their report: in the
// photo folder, so that moving them into the store is a rename.
func (ev Photos) stagingDir() string { return filepath.Join(ev.Files.Dir, "staging") }

// Stage opens a staging folder for one report's photos.
func (ev Photos) Stage() (skygrid.PhotoStage, error) {
	return ev.newStage()
}

func (ev Photos) newStage() (*Stage, error) {
	var rnd [6]byte
	rand.Read(rnd[:])
	dir := filepath.Join(ev.stagingDir(), fmt.Sprintf("%d-%s", time.Now().UnixNano(), hex.EncodeToString(rnd[:])))
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("photo staging: %w", err)
	}
	return &Stage{ev: ev, dir: dir}, nil
}

// Stage is one report's photos in their staging folder (skygrid.PhotoStage).
type Stage struct {
	ev       Photos
	dir      string
	received []string // the uploads' file names
	ready    []string // the files to move into the store, by base name
}

// Receive writes an uploaded file into the staging folder.
func (st *Stage) Receive(name string, r io.Reader) (err error) {
	max := st.ev.limits().maxBytes()
	f, err := os.Create(filepath.Join(st.dir, fmt.Sprintf("upload-%d", len(st.received))))
	if err != nil {
		return fmt.Errorf("photo staging: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("photo staging: %w", cerr)
		}
	}()
	n, err := io.Copy(f, io.LimitReader(r, max+1))
	if err != nil {
		return fmt.Errorf("photo %s: receive: %w", name, err)
	}
	if n > max {
		return skygrid.Errorf(skygrid.EINVALID, "photo %s: larger than %s", name, mib(max))
	}
	st.received = append(st.received, name)
	return nil
}

// Received is how many files were received.
func (st *Stage) Received() int { return len(st.received) }

// Accept reads every received file in turn (each decode within the
// pool's budget, waiting with ctx), checks it against the event and
// writes its original, thumbnail and stamped copy in the staging folder.
func (st *Stage) Accept(ctx context.Context, e *skygrid.Event, s skygrid.PhotoStamp) ([]*skygrid.Photo, error) {
	var out []*skygrid.Photo
	for i, name := range st.received {
		p, err := st.accept(ctx, filepath.Join(st.dir, fmt.Sprintf("upload-%d", i)), name, e, s)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (st *Stage) accept(ctx context.Context, upload, name string, e *skygrid.Event, s skygrid.PhotoStamp) (*skygrid.Photo, error) {
	f, err := os.Open(upload)
	if err != nil {
		return nil, fmt.Errorf("photo staging: %w", err)
	}
	p, data, err := readPhoto(ctx, f, name, st.ev.limits(), st.ev.pool())
	f.Close()
	if err != nil {
		return nil, err
	}
	CheckPhoto(p, e)
	s.TakenAt, s.Point, s.DistanceM = p.TakenAt, p.Point, p.DistanceM
	font := DefaultFont()
	if data.Stamped, err = Stamp(data.Display, Lines(s, font.CJK), font); err != nil {
		return nil, fmt.Errorf("photo %s: stamp: %w", name, err)
	}
	orig, thumb, stamped := photoNames(p, s.TaskID)
	for _, w := range []struct {
		name string
		data []byte
	}{{orig, data.Original}, {thumb, data.Thumb}, {stamped, data.Stamped}} {
		if err := writeAtomic(filepath.Join(st.dir, w.name), w.data, !st.ev.Files.NoSync); err != nil {
			return nil, err
		}
	}
	os.Remove(upload)
	st.ready = append(st.ready, orig, thumb, stamped)
	return p, nil
}

// photoNames are the base names of a photo's original, thumbnail and copy
// stamped for a task, as the store keeps them.
func photoNames(p *skygrid.Photo, taskID int64) (orig, thumb, stamped string) {
	return p.SHA256 + photoExt[p.Mime], p.SHA256 + ".thumb.jpg", fmt.Sprintf("%s.task-%d.jpg", p.SHA256, taskID)
}

// storeMu orders the moves into the store (Commit) and the sweep's
// removals, so that the sweep never removes a file a report just brought.
var storeMu sync.Mutex

// Commit moves the accepted files into the store (a rename each: a file
// already there is replaced by the same content) and removes the staging
// folder. A failure leaves the rest staged, where the next sweep moves
// in what a report holds.
func (st *Stage) Commit() error {
	storeMu.Lock()
	defer storeMu.Unlock()
	for _, name := range st.ready {
		dir := filepath.Join(st.ev.Files.Dir, name[:2])
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("photo files: %w", err)
		}
		if err := os.Rename(filepath.Join(st.dir, name), filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("photo files: %w", err)
		}
	}
	st.ready = nil
	return st.Discard()
}

// Discard removes the staging folder and what is left in it.
func (st *Stage) Discard() error {
	if err := os.RemoveAll(st.dir); err != nil {
		return fmt.Errorf("photo staging: %w", err)
	}
	return nil
}

// Accept reads one uploaded photo, flags it against the event, and stores
// the file and its thumbnail by SHA-256, and the copy reviewers see
// stamped with the task number, time and place (a Stage of one photo,
// committed at once).
func (ev Photos) Accept(ctx context.Context, r io.Reader, name string, e *skygrid.Event, s skygrid.PhotoStamp) (*skygrid.Photo, error) {
	st, err := ev.newStage()
	if err != nil {
		return nil, err
	}
	defer st.Discard()
	if err := st.Receive(name, r); err != nil {
		return nil, err
	}
	ps, err := st.Accept(ctx, e, s)
	if err != nil {
		return nil, err
	}
	return ps[0], st.Commit()
}

// StampedPath is where the stamped copy of a photo for a task is; a photo
// stored without one (before stamps were made, or by the demo) is stamped
// from its original now, with s, its decode within the pool's budget.
func (ev Photos) StampedPath(ctx context.Context, sha string, s skygrid.PhotoStamp) (string, error) {
	p, err := ev.Files.StampedPath(sha, s.TaskID)
	if skygrid.ErrorCode(err) != skygrid.ENOTFOUND {
		return p, err
	}
	orig, _, err := ev.Files.Path(sha, false)
	if err != nil {
		return "", err
	}
	f, err := os.Open(orig)
	if err != nil {
		return "", fmt.Errorf("photo %s: %w", sha, err)
	}
	_, data, err := readPhoto(ctx, f, sha, ev.limits(), ev.pool())
	f.Close()
	if err != nil {
		return "", err
	}
	font := DefaultFont()
	out, err := Stamp(data.Display, Lines(s, font.CJK), font)
	if err != nil {
		return "", fmt.Errorf("photo %s: stamp: %w", sha, err)
	}
	if err := ev.Files.SaveStamped(sha, s.TaskID, out); err != nil {
		return "", err
	}
	return ev.Files.StampedPath(sha, s.TaskID)
}

// RemoveStamped deletes the stamped copy of a photo for a task.
func (ev Photos) RemoveStamped(sha string, taskID int64) error {
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
func (ev Photos) Path(sha string, thumb bool) (string, string, error) {
	return ev.Files.Path(sha, thumb)
}

// Remove deletes a stored photo and its thumbnail.
func (ev Photos) Remove(sha string) error {
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

// SweepAge is how old a staged file, or a stored file that no report
// holds, must be for the sweep to remove it: older than any upload.
const SweepAge = 24 * time.Hour

// PhotoRefs lists the tasks that hold each stored photo, by SHA-256.
type PhotoRefs interface {
	PhotoRefs(ctx context.Context) (map[string][]int64, error)
}

// Swept is what a sweep did.
type Swept struct {
	Staged  int   // staged files removed (refused reports, uploads cut off)
	Stored  int   // stored files that no report holds, removed
	Adopted int   // staged files a stored report holds, moved into the store
	Bytes   int64 // the bytes removed
}

// Sweep cleans the photo folder at now (the server's clock): staging
// folders older than SweepAge are removed, except for files that a photos
// row holds and the store lacks (a server stopped between a report's
// commit and its move), which are moved in; stored originals, thumbnails,
// stamped copies and temp files older than SweepAge that no photos row
// holds are removed. A file a row holds is never removed.
func (ev Photos) Sweep(ctx context.Context, refs PhotoRefs, now time.Time) (Swept, error) {
	var sw Swept
	stages, err := ev.oldStages(now)
	if err != nil {
		return sw, err
	}
	stored, err := ev.oldStoredFiles(now)
	if err != nil {
		return sw, err
	}
	if len(stages) == 0 && len(stored) == 0 {
		return sw, nil
	}
	// The rows are read after the files are listed: a report stored
	// meanwhile moves its files in after its row, under storeMu.
	held, err := refs.PhotoRefs(ctx)
	if err != nil {
		return sw, err
	}
	for _, dir := range stages {
		if err := ev.sweepStage(dir, held, &sw); err != nil {
			return sw, err
		}
	}
	for _, f := range stored {
		if err := ev.sweepStored(f, held, now, &sw); err != nil {
			return sw, err
		}
	}
	return sw, nil
}

// oldStages are the staging folders in which nothing changed for SweepAge.
func (ev Photos) oldStages(now time.Time) ([]string, error) {
	entries, err := os.ReadDir(ev.stagingDir())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("photo sweep: %w", err)
	}
	var out []string
	for _, e := range entries {
		dir := filepath.Join(ev.stagingDir(), e.Name())
		if newest, err := newestIn(dir); err == nil && now.Sub(newest) > SweepAge {
			out = append(out, dir)
		}
	}
	return out, nil
}

// newestIn is the latest modification time of path and, for a folder, of
// the files in it.
func newestIn(path string) (time.Time, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return time.Time{}, err
	}
	newest := fi.ModTime()
	if !fi.IsDir() {
		return newest, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return time.Time{}, err
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.ModTime().After(newest) {
			newest = info.ModTime()
		}
	}
	return newest, nil
}

// storedFile is a file of the store: the photo and, for a stamped copy,
// the task it was stamped for; temp files have no sha.
type storedFile struct {
	path, sha string
	task      int64
}

// oldStoredFiles are the store's files older than SweepAge, in the
// folders named by two hex digits; names it does not know are left alone.
func (ev Photos) oldStoredFiles(now time.Time) ([]storedFile, error) {
	dirs, err := os.ReadDir(ev.Files.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("photo sweep: %w", err)
	}
	var out []storedFile
	for _, d := range dirs {
		if !d.IsDir() || len(d.Name()) != 2 || !validSHA(d.Name()+strings.Repeat("0", 62)) {
			continue
		}
		entries, err := os.ReadDir(filepath.Join(ev.Files.Dir, d.Name()))
		if err != nil {
			return nil, fmt.Errorf("photo sweep: %w", err)
		}
		for _, e := range entries {
			info, err := e.Info()
			if err != nil || !info.Mode().IsRegular() || now.Sub(info.ModTime()) <= SweepAge {
				continue
			}
			f, ok := parsePhotoName(e.Name())
			if ok && (f.sha == "" || f.sha[:2] == d.Name()) {
				f.path = filepath.Join(ev.Files.Dir, d.Name(), e.Name())
				out = append(out, f)
			}
		}
	}
	return out, nil
}

// parsePhotoName reads a store file's name: <sha>.jpg, <sha>.png,
// <sha>.thumb.jpg, <sha>.task-<id>.jpg, or a temp file .tmp-*.
func parsePhotoName(name string) (storedFile, bool) {
	if strings.HasPrefix(name, ".tmp-") {
		return storedFile{}, true
	}
	if len(name) < 65 || !validSHA(name[:64]) || name[64] != '.' {
		return storedFile{}, false
	}
	f := storedFile{sha: name[:64]}
	switch rest := name[65:]; {
	case rest == "jpg" || rest == "png" || rest == "thumb.jpg":
		return f, true
	case strings.HasPrefix(rest, "task-") && strings.HasSuffix(rest, ".jpg"):
		id, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(rest, "task-"), ".jpg"), 10, 64)
		f.task = id
		return f, err == nil && id > 0
	}
	return storedFile{}, false
}

// holds reports whether a photos row holds the file.
func holds(held map[string][]int64, f storedFile) bool {
	tasks, ok := held[f.sha]
	if !ok || f.task == 0 {
		return ok
	}
	return slices.Contains(tasks, f.task)
}

// sweepStage removes an old staging folder, first moving into the store
// what a row holds and the store lacks.
func (ev Photos) sweepStage(dir string, held map[string][]int64, sw *Swept) error {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("photo sweep: %w", err)
	}
	for _, e := range entries {
		f, ok := parsePhotoName(e.Name())
		if ok && f.sha != "" && holds(held, f) {
			if adopted, err := ev.adopt(filepath.Join(dir, e.Name()), e.Name()); err != nil {
				return err
			} else if adopted {
				sw.Adopted++
				continue
			}
		}
		if info, err := e.Info(); err == nil {
			sw.Bytes += info.Size()
		}
		sw.Staged++
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("photo sweep: %w", err)
	}
	return nil
}

// adopt moves a staged file into the store when the store lacks it.
func (ev Photos) adopt(path, name string) (bool, error) {
	storeMu.Lock()
	defer storeMu.Unlock()
	dst := filepath.Join(ev.Files.Dir, name[:2], name)
	if _, err := os.Stat(dst); err == nil {
		return false, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return false, fmt.Errorf("photo sweep: %w", err)
	}
	if err := os.Rename(path, dst); err != nil {
		return false, fmt.Errorf("photo sweep: %w", err)
	}
	return true, nil
}

// sweepStored removes a stored file no row holds, if it is still older
// than SweepAge once storeMu is held (a report may have just brought it).
func (ev Photos) sweepStored(f storedFile, held map[string][]int64, now time.Time, sw *Swept) error {
	if f.sha != "" && holds(held, f) {
		return nil
	}
	storeMu.Lock()
	defer storeMu.Unlock()
	info, err := os.Lstat(f.path)
	if err != nil || now.Sub(info.ModTime()) <= SweepAge {
		return nil
	}
	if err := os.Remove(f.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("photo sweep: %w", err)
	}
	sw.Stored++
	sw.Bytes += info.Size()
	return nil
}
