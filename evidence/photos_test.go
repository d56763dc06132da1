package evidence_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/evidence"
)

// issuePNG is the PNG of issue 13: 10,950 x 10,950 pixels at 16 bits, RGBA
// (a 959 MB NRGBA64 to decode): its header and the start of its data.
func issuePNG(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewNRGBA64(image.Rect(0, 0, 64, 64))); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	binary.BigEndian.PutUint32(b[16:], 10950)
	binary.BigEndian.PutUint32(b[20:], 10950)
	binary.BigEndian.PutUint32(b[29:33], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// allocated is the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// withFrame is a small Go JPEG whose frame header says otherwise: its
// marker (0xc0 baseline, 0xc2 progressive), precision, size.
func withFrame(t *testing.T, marker, precision byte, w, h uint16, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	i := bytes.Index(b, []byte{0xff, 0xc0})
	b[i+1], b[i+4] = marker, precision
	binary.BigEndian.PutUint16(b[i+5:], h)
	binary.BigEndian.PutUint16(b[i+7:], w)
	return b
}

// What no phone sends is refused from its header, before anything is
// decoded: at once and in a few kilobytes of memory (the PNG of the issue
// took 14 s and about 1 GB before).
func TestPhotoRefusedFromHeader(t *testing.T) {
	rgb := image.NewRGBA(image.Rect(0, 0, 64, 48))
	gray := image.NewGray(image.Rect(0, 0, 64, 48))
	deep := func(w, h uint32) []byte {
		b := issuePNG(t)
		binary.BigEndian.PutUint32(b[16:], w)
		binary.BigEndian.PutUint32(b[20:], h)
		binary.BigEndian.PutUint32(b[29:33], crc32.ChecksumIEEE(b[12:29]))
		return b
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"the issue's 16-bit PNG of 10,950 x 10,950", issuePNG(t),
			"photo x: 10950x10950 pixels (119.9 megapixels) is too large: at most 52 megapixels"},
		{"a 16-bit PNG under the pixel cap: 8 bytes a pixel to decode", deep(6000, 6000),
			"photo x: a 16-bit PNG of 6000x6000 pixels would take 359 MiB of memory to read, more than the 289 MiB"},
		{"a progressive JPEG of 48 MP: every coefficient kept", withFrame(t, 0xc2, 8, 8000, 6000, rgb),
			"photo x: a progressive JPEG of 8000x6000 pixels would take"},
		{"a 200 MP phone mode", withFrame(t, 0xc0, 8, 16320, 12240, rgb), "16320x12240 pixels (199.8 megapixels) is too large"},
		{"a 12-bit JPEG", withFrame(t, 0xc1, 12, 64, 48, gray), "a 12-bit JPEG of kind SOF1"},
		{"a lossless JPEG", withFrame(t, 0xc3, 8, 64, 48, gray), "JPEG of kind SOF3 (lossless, arithmetic or 12-bit) cannot be read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			start := time.Now()
			n := allocated(func() { _, _, err = evidence.ReadPhoto(bytes.NewReader(tc.data), "x", photoMax) })
			if n > 1<<20 {
				t.Errorf("refusing took %d KiB of memory", n>>10)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("refusing took %s", d) // not a speed target: the whole file took 14 s before
			}
			wantPhotoErr(t, err, tc.want)
		})
	}
}

// What a phone sends passes the header's checks: a 50.3 MP JPEG (8192 x
// 6144), a 16-bit PNG of 20 MP, a 4:2:0 progressive JPEG of 24 MP. These
// files are only headers: their decode fails, after the checks.
func TestPhotoHeaderAccepted(t *testing.T) {
	rgb := image.NewRGBA(image.Rect(0, 0, 64, 48))
	deep := issuePNG(t)
	binary.BigEndian.PutUint32(deep[16:], 5000)
	binary.BigEndian.PutUint32(deep[20:], 4000)
	binary.BigEndian.PutUint32(deep[29:33], crc32.ChecksumIEEE(deep[12:29]))
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"50 MP phone JPEG", withFrame(t, 0xc0, 8, 8192, 6144, rgb)},
		{"16-bit PNG of 20 MP", deep},
		{"progressive 24 MP", withFrame(t, 0xc2, 8, 6000, 4000, rgb)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := evidence.ReadPhoto(bytes.NewReader(tc.data), "x", photoMax)
			wantPhotoErr(t, err, "photo x: truncated or corrupt")
		})
	}
}

// DecodeCost, which the pool holds while a photo is read, is at least
// what reading it allocates, the file included.
func TestDecodeCostBoundsMemory(t *testing.T) {
	scene := func(w, h int) *image.NRGBA {
		img := image.NewNRGBA(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				img.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), uint8(x ^ y), 255})
			}
		}
		return img
	}
	enc := func(f func(*bytes.Buffer) error) []byte {
		var buf bytes.Buffer
		if err := f(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	big := scene(3400, 2500)
	tests := []struct {
		name string
		data []byte
	}{
		{"JPEG 8.5 MP", enc(func(b *bytes.Buffer) error { return jpeg.Encode(b, big, &jpeg.Options{Quality: 90}) })},
		{"PNG RGBA 8.5 MP", enc(func(b *bytes.Buffer) error { return png.Encode(b, big) })},
		{"PNG 16-bit grey 3 MP", enc(func(b *bytes.Buffer) error { return png.Encode(b, image.NewGray16(image.Rect(0, 0, 2000, 1500))) })},
		{"small JPEG, enlarged for display", enc(func(b *bytes.Buffer) error { return jpeg.Encode(b, scene(300, 200), nil) })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := evidence.ReadHeader(bytes.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			cost := evidence.DecodeCost(h, int64(len(tc.data)))
			runtime.GC()
			n := allocated(func() {
				_, _, err = evidence.ReadPhoto(bytes.NewReader(tc.data), "x.img", photoMax)
			})
			if err != nil {
				t.Fatal(err)
			}
			if n > uint64(cost) {
				t.Errorf("reading allocated %d MiB, DecodeCost says %d MiB", n>>20, cost>>20)
			}
			t.Logf("allocated %d MiB of a cost of %d MiB", n>>20, cost>>20)
		})
	}
}

// A decode waits for room in the pool as long as its request does: a
// request that goes away frees its place, and nothing is read for it.
func TestDecodePoolWaitsWithTheRequest(t *testing.T) {
	b, err := os.ReadFile("testdata/photos/at_event.jpg")
	if err != nil {
		t.Fatal(err)
	}
	pool := evidence.NewDecodePool(64 << 20)
	ev := evidence.Photos{Files: evidence.Files{Dir: t.TempDir()}, Pool: pool}
	release, err := pool.Acquire(context.Background(), 1<<40) // the whole budget
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := ev.Accept(ctx, bytes.NewReader(b), "at_event.jpg", nil, skygrid.PhotoStamp{TaskID: 1}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a decode with the pool full: %v, want the request's deadline", err)
	}
	done := make(chan error)
	go func() {
		_, err := ev.Accept(context.Background(), bytes.NewReader(b), "at_event.jpg", nil, skygrid.PhotoStamp{TaskID: 1})
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("decoded with the pool full: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Nothing of the refused one was left.
	if files := walkFiles(t, ev.Files.Dir); len(files) != 3 {
		t.Errorf("files %v, want the one photo's original, thumbnail and stamped copy", files)
	}
}

func TestUploadRate(t *testing.T) {
	t0 := time.Date(2023, 10, 24, 6, 0, 0, 0, time.UTC)
	u := &evidence.UploadRate{PerMinute: 10}
	steps := []struct {
		name     string
		user     int64
		n        int
		at       time.Duration
		wantWait time.Duration
	}{
		{"a burst of two reports", 1, 5, 0, 0},
		{"", 1, 5, 0, 0},
		{"then none: one photo in 6 s", 1, 1, 0, 6 * time.Second},
		{"another user has their own", 2, 5, 0, 0},
		{"three seconds later: half a photo", 1, 1, 3 * time.Second, 3 * time.Second},
		{"six seconds: one", 1, 1, 6 * time.Second, 0},
		{"five need 30 s more", 1, 5, 6 * time.Second, 30 * time.Second},
		{"a minute later: full again", 1, 10, 66 * time.Second, 0},
	}
	for _, s := range steps {
		if got := u.Take(s.user, s.n, t0.Add(s.at)); got != s.wantWait {
			t.Errorf("%s: Take(%d, %d) at +%s waits %s, want %s", s.name, s.user, s.n, s.at, got, s.wantWait)
		}
	}
	if w := u.Wait(3, 1, t0); w != 0 {
		t.Errorf("a new user waits %s", w)
	}
	var none *evidence.UploadRate
	if none.Take(1, 100, t0) != 0 || (&evidence.UploadRate{}).Take(1, 100, t0) != 0 {
		t.Error("no rate set limits uploads")
	}
}

// walkFiles lists the regular files under dir, relative to it.
func walkFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// A report's photos are read and stamped in its staging folder and reach
// the store only on Commit; a discarded stage leaves nothing.
func TestStage(t *testing.T) {
	ev := evidence.Photos{Files: evidence.Files{Dir: t.TempDir()}}
	receive := func(st skygrid.PhotoStage, names ...string) {
		for _, n := range names {
			b, err := os.ReadFile(filepath.Join("testdata", "photos", n))
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Receive(n, bytes.NewReader(b)); err != nil {
				t.Fatal(err)
			}
		}
	}
	st, err := ev.Stage()
	if err != nil {
		t.Fatal(err)
	}
	receive(st, "at_event.jpg", "photo.png")
	ps, err := st.Accept(context.Background(), photoEvent, skygrid.PhotoStamp{TaskID: 7})
	if err != nil || len(ps) != 2 || st.Received() != 2 {
		t.Fatalf("accept: %v %d", err, len(ps))
	}
	for _, f := range walkFiles(t, ev.Files.Dir) {
		if !strings.HasPrefix(f, "staging/") {
			t.Errorf("%s in the store before the report is stored", f)
		}
	}
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, p := range ps {
		ext := map[string]string{"image/jpeg": ".jpg", "image/png": ".png"}[p.Mime]
		want = append(want, p.SHA256[:2]+"/"+p.SHA256+ext, p.SHA256[:2]+"/"+p.SHA256+".thumb.jpg", p.SHA256[:2]+"/"+p.SHA256+".task-7.jpg")
	}
	slices.Sort(want)
	if got := walkFiles(t, ev.Files.Dir); !slices.Equal(got, want) {
		t.Errorf("after commit\n%v, want\n%v", got, want)
	}

	// Refused: read, then discarded (the report was not stored).
	dir := t.TempDir()
	ev.Files.Dir = dir
	st, _ = ev.Stage()
	receive(st, "early.jpg", "not_image.jpg")
	if _, err := st.Accept(context.Background(), photoEvent, skygrid.PhotoStamp{TaskID: 7}); skygrid.ErrorCode(err) != skygrid.EINVALID {
		t.Fatalf("a text named .jpg: %v", err)
	}
	if err := st.Discard(); err != nil {
		t.Fatal(err)
	}
	if got := walkFiles(t, dir); len(got) != 0 {
		t.Errorf("after discard: %v", got)
	}
	// Too large: refused as it arrives.
	st, _ = ev.Stage()
	defer st.Discard()
	if err := st.Receive("big.jpg", bytes.NewReader(make([]byte, photoMax+1))); skygrid.ErrorCode(err) != skygrid.EINVALID ||
		!strings.Contains(err.Error(), "photo big.jpg: larger than 15 MiB") {
		t.Errorf("16 MiB: %v", err)
	}
}

// refs is a fixed answer of the photos table.
type refs map[string][]int64

func (r refs) PhotoRefs(context.Context) (map[string][]int64, error) { return r, nil }

// The sweep removes staged files and stored files no report holds once
// they are older than a day, never a file a report holds; a staged file
// that a stored report holds and the store lacks is moved in.
func TestSweep(t *testing.T) {
	now := time.Date(2023, 11, 3, 4, 0, 0, 0, time.UTC)
	held, loose, late := sweepSHA("a"), sweepSHA("b"), sweepSHA("c")
	files := sweepFiles(held, loose, late)
	dir := t.TempDir()
	writeSweepFiles(t, dir, files, now)
	ev := evidence.Photos{Files: evidence.Files{Dir: dir}}
	sw, err := ev.Sweep(context.Background(), refs{held: {1, 2}, sweepSHA("d"): {4}}, now)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range files {
		if f.kept {
			want = append(want, f.path)
		}
	}
	want = append(want, "dd/"+sweepSHA("d")+".jpg", "dd/"+sweepSHA("d")+".task-4.jpg")
	slices.Sort(want)
	if got := walkFiles(t, dir); !slices.Equal(got, want) {
		t.Errorf("after the sweep\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if sw.Stored != 5 || sw.Staged != 4 || sw.Adopted != 2 {
		t.Errorf("swept %+v, want 5 stored, 4 staged removed, 2 moved in", sw)
	}
	for _, d := range []string{"1-old", "2-cut", "3-stored"} {
		if _, err := os.Stat(filepath.Join(dir, "staging", d)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("staging folder %s left: %v", d, err)
		}
	}
	// Again a day later: what is left is held, or not a photo's.
	if _, err := ev.Sweep(context.Background(), refs{held: {1, 2}, sweepSHA("d"): {4}}, now.Add(25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"aa/" + held + ".jpg", "aa/" + held + ".task-2.jpg", "dd/" + sweepSHA("d") + ".task-4.jpg", "bb/README"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	for _, f := range []string{"cc/" + late + ".jpg", "staging/4-now/upload-0"} {
		if _, err := os.Stat(filepath.Join(dir, f)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s not removed a day later: %v", f, err)
		}
	}
}

func sweepSHA(c string) string { return strings.Repeat(c, 64) }

// sweepFile is a file in the photo folder, how old it is, and whether
// the sweep keeps it.
type sweepFile struct {
	path string
	age  time.Duration
	kept bool
}

func sweepFiles(held, loose, late string) []sweepFile {
	sha := sweepSHA
	return []sweepFile{
		// A report holds sha a, for tasks 1 and 2.
		{"aa/" + held + ".jpg", 72 * time.Hour, true},
		{"aa/" + held + ".thumb.jpg", 72 * time.Hour, true},
		{"aa/" + held + ".task-1.jpg", 72 * time.Hour, true},
		{"aa/" + held + ".task-2.jpg", 72 * time.Hour, true},
		{"aa/" + held + ".task-3.jpg", 72 * time.Hour, false}, // stamped for a task that does not hold it
		// No report holds sha b: left by a refused report of old.
		{"bb/" + loose + ".png", 25 * time.Hour, false},
		{"bb/" + loose + ".thumb.jpg", 25 * time.Hour, false},
		{"bb/" + loose + ".task-9.jpg", 25 * time.Hour, false},
		{"bb/.tmp-" + loose + ".jpg-123", 25 * time.Hour, false}, // a write cut off
		{"bb/.tmp-" + loose + ".jpg-456", time.Hour, true},       // a write under way
		// Nor sha c, but younger than a day: a report may be committing.
		{"cc/" + late + ".jpg", 23 * time.Hour, true},
		// Names the sweep does not know are left alone.
		{"bb/README", 72 * time.Hour, true},
		{"zz/" + loose + ".jpg", 72 * time.Hour, true},
		{"other.db", 72 * time.Hour, true},
		// Staged: a refused report's, an upload cut off by kill -9.
		{"staging/1-old/" + loose + ".jpg", 30 * time.Hour, false},
		{"staging/1-old/upload-1", 30 * time.Hour, false},
		{"staging/2-cut/upload-0", 26 * time.Hour, false},
		// A report stored just before the server stopped: its row holds
		// the photo, the move did not happen.
		{"staging/3-stored/" + held + ".task-2.jpg", 30 * time.Hour, false}, // the store has it: removed
		{"staging/3-stored/" + sha("d") + ".jpg", 30 * time.Hour, false},    // moved in
		{"staging/3-stored/" + sha("d") + ".task-4.jpg", 30 * time.Hour, false},
		// A report being received now.
		{"staging/4-now/upload-0", time.Minute, true},
	}
}

// writeSweepFiles writes the files with their ages; a staging folder
// changed when its last file was made.
func writeSweepFiles(t *testing.T, dir string, files []sweepFile, now time.Time) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, f.path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f.path), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, now.Add(-f.age), now.Add(-f.age)); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		if d := filepath.Dir(f.path); filepath.Dir(d) == "staging" {
			at := now.Add(-f.age)
			if fi, err := os.Stat(filepath.Join(dir, d)); err == nil && fi.ModTime().Before(now) && fi.ModTime().After(at) {
				at = fi.ModTime()
			}
			os.Chtimes(filepath.Join(dir, d), at, at)
		}
	}
}

func TestPhotoConfig(t *testing.T) {
	def := evidence.DefaultConfig()
	if err := def.Validate(); err != nil {
		t.Fatalf("the defaults: %v", err)
	}
	if most := def.Limits().MaxCost(); most > def.DecodeBudgetMiB<<20 || def.DecodeBudgetMiB<<20 > 2*most {
		t.Errorf("the budget %d MiB holds one to two of the costliest photos (%d MiB)", def.DecodeBudgetMiB, most>>20)
	}
	for _, tc := range []struct {
		name string
		set  func(*evidence.Config)
		want string
	}{
		{"no pixels", func(c *evidence.Config) { c.MaxMegapixels = 0 }, "photos.max_megapixels 0: between 1 and 200"},
		{"a budget below one photo", func(c *evidence.Config) { c.DecodeBudgetMiB = 100 }, "photos.decode_budget_mib 100: the largest photo of 52 megapixels takes up to 290 MiB"},
		{"a smaller cap, a smaller budget", func(c *evidence.Config) { c.MaxMegapixels, c.DecodeBudgetMiB = 12, 160 }, ""},
		{"fewer than a report's photos", func(c *evidence.Config) { c.UploadsPerMinute = 3 }, "photos.uploads_per_minute 3: 0 (no limit) or at least 5"},
		{"no limit", func(c *evidence.Config) { c.UploadsPerMinute = 0 }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := def
			tc.set(&c)
			err := c.Validate()
			if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
