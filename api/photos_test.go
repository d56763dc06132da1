package api_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"skygrid"
)

// reportBody is a multipart report: the fields, then the photos (from
// evidence/testdata/photos).
func reportBody(t *testing.T, fields map[string]string, photos ...string) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range fields {
			if !yield(k) {
				return
			}
		}
	}) {
		mw.WriteField(k, fields[k])
	}
	for _, p := range photos {
		b, err := os.ReadFile(filepath.Join("..", "evidence", "testdata", "photos", p))
		if err != nil {
			t.Fatal(err)
		}
		fw, _ := mw.CreateFormFile("photos", p)
		fw.Write(b)
	}
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

// post sends a body as a user; it returns the status, the Retry-After
// header and the error message.
func (w *world) post(t *testing.T, user, url, ctype string, body io.Reader) (int, string, string) {
	t.Helper()
	rq, _ := http.NewRequest("POST", w.srv.URL+url, body)
	rq.Header.Set("Content-Type", ctype)
	rq.Header.Set("Authorization", "Bearer "+w.tokens[user])
	resp, err := sendEarly(rq) // a refusal can come before the body is all sent
	if err != nil {
		t.Error(err) // called from a test's goroutine too: no Fatal
		return -1, "", err.Error()
	}
	defer resp.Body.Close()
	var eb errorBody
	b, _ := io.ReadAll(resp.Body)
	json.Unmarshal(b, &eb)
	return resp.StatusCode, resp.Header.Get("Retry-After"), eb.Error.Message
}

// photoFiles lists the files under the photo folder.
func (w *world) photoFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(w.photoDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(w.photoDir, p)
			out = append(out, rel)
		}
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

// acknowledged returns an open task of grid A, acknowledged by supervisorA.
func (w *world) acknowledged(t *testing.T) *skygrid.Task {
	t.Helper()
	task := w.taskIn(t, w.gridA)
	var v taskView
	if st := w.do(t, "supervisorA", "POST", fmt.Sprintf("/api/tasks/%d/acknowledge", task.ID), map[string]any{"version": task.Version}, &v); st != 200 {
		t.Fatalf("acknowledge: %d", st)
	}
	return &v.Task
}

// A report refused after its photos were read leaves nothing on disk
// (before, the stamped copy and the files stayed: up to 75 MiB a request).
func TestRefusedReportLeavesNoFiles(t *testing.T) {
	w := newWorld(t)
	task := w.acknowledged(t)
	fields := func(kv ...string) map[string]string {
		f := map[string]string{"finding": "straw_burning", "notes": "现场核查", "version": fmt.Sprint(task.Version), "lon": "113.69", "lat": "39.70"}
		for i := 0; i < len(kv); i += 2 {
			f[kv[i]] = kv[i+1]
		}
		return f
	}
	tests := []struct {
		name   string
		action string
		fields map[string]string
		photos []string
		status int
		want   string
	}{
		{"a position of 999", "report", fields("lon", "999"), []string{"at_event.jpg", "photo.png"}, 400, "out of range"},
		{"a photo that is not one, after two that are", "report", fields(), []string{"at_event.jpg", "early.jpg", "not_image.jpg"}, 400, "not_image.jpg: not a JPEG or PNG"},
		{"photos with an acknowledgement", "acknowledge", fields(), []string{"at_event.jpg"}, 400, "photos come with a report"},
		{"a version that is not the task's", "report", fields("version", fmt.Sprint(task.Version+1)), []string{"at_event.jpg"}, 409, "changed since you loaded it"},
		{"six photos", "report", fields(), []string{"at_event.jpg", "early.jpg", "no_gps.jpg", "far_5km.jpg", "photo.png", "rotated.jpg"}, 400, "at most 5 photos"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctype, body := reportBody(t, tc.fields, tc.photos...)
			st, _, msg := w.post(t, "supervisorA", fmt.Sprintf("/api/tasks/%d/%s", task.ID, tc.action), ctype, bytes.NewReader(body))
			if st != tc.status || !strings.Contains(msg, tc.want) {
				t.Errorf("%d %s, want %d %q", st, msg, tc.status, tc.want)
			}
			if files := w.photoFiles(t); len(files) != 0 {
				t.Errorf("left on disk: %v", files)
			}
		})
	}
}

// A report whose task changed while its photos came in (another report
// of the same task, stored meanwhile) is refused when it is stored: its
// photos, read and stamped by then, are not kept, and the other's are.
// While it is on its way, its photo is only in the staging folder, which
// is all that a kill -9 would leave (and the sweep removes).
func TestReportRefusedAtCommitLeavesOnlyTheOther(t *testing.T) {
	w := newWorld(t)
	task := w.acknowledged(t)
	url := fmt.Sprintf("/api/tasks/%d/report", task.ID)
	f := map[string]string{"finding": "straw_burning", "version": fmt.Sprint(task.Version), "lon": "113.69", "lat": "39.70"}
	ctype, body := reportBody(t, f, "at_event.jpg")
	pr, pw := io.Pipe()
	defer pw.CloseWithError(errors.New("test over")) // a failed test does not hang
	done := make(chan [2]string)
	go func() {
		st, _, msg := w.post(t, "supervisorA", url, ctype, pr)
		done <- [2]string{fmt.Sprint(st), msg}
	}()
	// All but the closing boundary: the photo is received, the form is not done.
	if _, err := pw.Write(body[:len(body)-50]); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(w.photoFiles(t)) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	mid := w.photoFiles(t)
	if len(mid) == 0 {
		t.Fatal("nothing received")
	}
	for _, p := range mid {
		if !strings.HasPrefix(p, "staging"+string(filepath.Separator)) {
			t.Errorf("mid-upload, %s is outside the staging folder", p)
		}
	}
	ctype2, body2 := reportBody(t, f, "far_5km.jpg")
	if st, _, msg := w.post(t, "supervisorA", url, ctype2, bytes.NewReader(body2)); st != 200 {
		t.Fatalf("the other report: %d %s", st, msg)
	}
	pw.Write(body[len(body)-50:])
	pw.Close()
	if got := <-done; got[0] != "409" {
		t.Errorf("the report on a changed task: %s %s, want 409", got[0], got[1])
	}
	files := w.photoFiles(t)
	got, _ := w.db.FindTaskByID(t.Context(), task.ID)
	if len(got.Photos) != 1 || len(files) != 3 {
		t.Fatalf("photos %d, files %v: want the other report's one photo, thumbnail and stamped copy", len(got.Photos), files)
	}
	for _, f := range files {
		if !strings.Contains(f, got.Photos[0].SHA256) {
			t.Errorf("%s is not the stored report's", f)
		}
	}
}

// Each user may send so many photos a minute: over it, 429 with
// Retry-After before the body is read; the allowance comes back with time.
func TestPhotoRate(t *testing.T) {
	w := newWorld(t)
	w.uploads.PerMinute = 5
	task := w.acknowledged(t)
	url := fmt.Sprintf("/api/tasks/%d/report", task.ID)
	f := map[string]string{"finding": "straw_burning", "version": fmt.Sprint(task.Version), "lon": "113.69", "lat": "39.70"}
	ctype, body := reportBody(t, f, "at_event.jpg", "early.jpg", "no_gps.jpg", "far_5km.jpg", "photo.png")
	if st, _, msg := w.post(t, "supervisorA", url, ctype, bytes.NewReader(body)); st != 200 {
		t.Fatalf("five photos: %d %s", st, msg)
	}
	var v taskView
	w.do(t, "officialA", "POST", fmt.Sprintf("/api/tasks/%d/return", task.ID), map[string]any{"reason": "照片不清晰"}, &v)
	f["version"] = fmt.Sprint(v.Version)
	ctype, body = reportBody(t, f, "rotated.jpg")
	// The answer comes before the body is read: a report of 40 MiB is
	// answered once a few MiB of it are sent (what Go's server reads of an
	// unread body, 256 KiB, and the sockets' buffers).
	pr, pw := io.Pipe()
	done := make(chan [3]string)
	go func() {
		st, after, msg := w.post(t, "supervisorA", url, ctype, pr)
		done <- [3]string{fmt.Sprint(st), after, msg}
	}()
	var sent atomic.Int64
	go func() {
		pw.Write(body[:len(body)-50])
		chunk := make([]byte, 32<<10)
		for sent.Load() < 40<<20 {
			if _, err := pw.Write(chunk); err != nil {
				return
			}
			sent.Add(int64(len(chunk)))
		}
	}()
	select {
	case got := <-done:
		if got[0] != "429" || got[1] != "12" || !strings.Contains(got[2], "try again in 12 seconds") {
			t.Errorf("a sixth photo: %s Retry-After %q %s", got[0], got[1], got[2])
		}
		if n := sent.Load(); n > 16<<20 {
			t.Errorf("answered after %d MiB of the body", n>>20)
		}
	case <-time.After(30 * time.Second):
		t.Error("no answer")
	}
	pw.CloseWithError(errors.New("stop"))
	if st, _, _ := w.post(t, "supervisorB", fmt.Sprintf("/api/tasks/%d/report", w.taskIn(t, w.gridB).ID), ctype, bytes.NewReader(body)); st == 429 {
		t.Error("another user is throttled too")
	}
	*w.clock = w.clock.Add(12 * time.Second)
	if st, _, msg := w.post(t, "supervisorA", url, ctype, bytes.NewReader(body)); st != 200 {
		t.Errorf("12 s later: %d %s", st, msg)
	}
}

// A photo a task holds whose file is not in the server's photo folder (a
// folder not shared by the servers, a move without the photos) is 404 to
// the user, and the server logs an error that says why and what to do,
// naming the photo and the task; a photo nobody holds logs nothing.
func TestMissingPhotoFileIsLogged(t *testing.T) {
	w := newWorld(t)
	task := w.acknowledged(t)
	st, b := w.report(t, "supervisorA", task.ID, task.Version, "straw_burning", "at_event.jpg")
	var v taskView
	if err := json.Unmarshal(b, &v); st != 200 || err != nil || len(v.Photos) != 1 {
		t.Fatalf("report: %d %v %s", st, err, b)
	}
	sha, _ := v.Photos[0]["sha256"].(string)
	if err := os.RemoveAll(w.photoDir); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"", "?thumb=1"} {
		if st, _ := w.get(t, "officialA", "/api/photos/"+sha+q); st != 404 {
			t.Errorf("a lost photo file%s: %d, want 404", q, st)
		}
	}
	var missing []map[string]any
	for _, l := range w.logs.lines(t) {
		if strings.HasPrefix(fmt.Sprint(l["msg"]), "photo file missing") {
			missing = append(missing, l)
		}
	}
	if len(missing) != 2 || missing[0]["level"] != "ERROR" || missing[0]["sha256"] != sha || missing[0]["task"] != float64(task.ID) ||
		!strings.Contains(fmt.Sprint(missing[0]["msg"]), "--data") {
		t.Errorf("logged for the lost photo: %v, want two errors naming it, its task and --data", missing)
	}
	nobody := strings.Repeat("ab", 32)
	if st, _ := w.get(t, "admin", "/api/photos/"+nobody); st != 404 {
		t.Errorf("a photo no task holds: %d, want 404", st)
	}
	if n := strings.Count(w.logs.String(), nobody); n != 0 {
		t.Errorf("a photo no task holds was logged %d times", n)
	}
}
