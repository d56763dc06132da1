package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rwcarlsen/goexif/exif"

	"skygrid"
	"skygrid/geo"
)

// filePublic posts a report from the public (no login): the status, the
// receipt and the error message.
func (w *world) filePublic(t *testing.T, fields map[string]string, photos ...string) (int, string, string) {
	t.Helper()
	ct, body := reportBody(t, fields, photos...)
	rq, _ := http.NewRequest("POST", w.srv.URL+"/public/api/reports", bytes.NewReader(body))
	rq.Header.Set("Content-Type", ct)
	resp, err := http.DefaultClient.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v struct {
		Receipt   string    `json:"receipt"`
		CreatedAt time.Time `json:"created_at"`
		errorBody
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("file a public report: %d %s", resp.StatusCode, b)
	}
	// The phone keeps the code with the server's time of filing (its
	// own clock may be wrong, and the demo's is years ahead of it).
	if resp.StatusCode == http.StatusCreated && !v.CreatedAt.Equal(*w.clock) {
		t.Errorf("the receipt's created_at %v, want the server's clock %v", v.CreatedAt, *w.clock)
	}
	return resp.StatusCode, v.Receipt, v.Error.Message
}

// inGridA is a report's fields at grid A's centre.
func (w *world) inGridA(t *testing.T, kind string) map[string]string {
	t.Helper()
	r, err := w.db.FindRegionByID(context.Background(), w.gridA)
	if err != nil {
		t.Fatal(err)
	}
	c := geo.Centroid(r.Geometry)
	return map[string]string{"kind": kind, "lon": fmt.Sprint(c[0]), "lat": fmt.Sprint(c[1]), "note": "路边焚烧秸秆（示例）", "phone": "138 1234 5678"}
}

// hasEXIF reports whether a JPEG holds EXIF (an APP1 Exif segment that
// goexif reads).
func hasEXIF(b []byte) bool {
	_, err := exif.Decode(bytes.NewReader(b))
	return err == nil || bytes.Contains(b, []byte("Exif\x00\x00"))
}

// A report from the public with a photo carrying GPS EXIF: every copy
// stored or served has none; the county's official sees it in the queue
// (the other county's does not), accepts it; the grid's supervisor sees
// the report (no phone) and its photo, the other grid's does not; the
// receipt shows the outcome with nothing personal.
func TestPublicReportFlow(t *testing.T) {
	w := newWorld(t)
	orig, err := os.ReadFile(filepath.Join("..", "evidence", "testdata", "photos", "at_event.jpg"))
	if err != nil || !hasEXIF(orig) {
		t.Fatalf("the test photo has no EXIF: %v", err)
	}
	st, receipt, msg := w.filePublic(t, w.inGridA(t, skygrid.ReportStraw), "at_event.jpg")
	if st != http.StatusCreated || len(receipt) != skygrid.ReceiptLen+1 {
		t.Fatalf("file: %d %q %s", st, receipt, msg)
	}
	var queue struct{ Reports []*skygrid.PublicReport }
	if w.do(t, "officialB", "GET", "/api/public-reports?state=pending", nil, &queue); len(queue.Reports) != 0 {
		t.Errorf("the other county's official sees %d reports", len(queue.Reports))
	}
	w.do(t, "officialA", "GET", "/api/public-reports?state=pending", nil, &queue)
	if len(queue.Reports) != 1 || len(queue.Reports[0].Photos) != 1 || queue.Reports[0].PhoneMasked != "138****5678" {
		t.Fatalf("officialA's queue: %+v", queue.Reports)
	}
	r := queue.Reports[0]
	for _, f := range w.photoFiles(t) {
		b, _ := os.ReadFile(filepath.Join(w.photoDir, f))
		if hasEXIF(b) || bytes.Equal(b, orig) {
			t.Errorf("stored %s keeps EXIF or is the upload", f)
		}
	}
	for _, tc := range []struct {
		name, user, query string
		want              int
	}{
		{"official", "officialA", "", 200},
		{"official thumbnail", "officialA", "?thumb=1", 200},
		{"other county", "officialB", "", 403},
		{"supervisor before accepting", "supervisorA", "", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, b := w.get(t, tc.user, fmt.Sprintf("/api/public-reports/%d/photos/%s%s", r.ID, r.Photos[0], tc.query))
			if st != tc.want || (st == 200 && hasEXIF(b)) {
				t.Errorf("photo: %d (EXIF %t), want %d without EXIF", st, st == 200 && hasEXIF(b), tc.want)
			}
		})
	}
	var acc skygrid.PublicReport
	if st := w.do(t, "officialB", "POST", fmt.Sprintf("/api/public-reports/%d/accept", r.ID), map[string]any{}, &acc); st != 403 {
		t.Errorf("accepted by the other county: %d", st)
	}
	if st := w.do(t, "officialA", "POST", fmt.Sprintf("/api/public-reports/%d/accept", r.ID), map[string]any{"note": "属实"}, &acc); st != 200 || acc.TaskID == 0 {
		t.Fatalf("accept: %d %+v", st, acc)
	}
	var task taskView
	if w.do(t, "supervisorA", "GET", fmt.Sprintf("/api/tasks/%d", acc.TaskID), nil, &task); task.GridID != w.gridA || task.EventClass != skygrid.ClassPublicReport {
		t.Errorf("supervisorA's task: %+v", task.Task)
	}
	// The map apps' marker names the report, not a fire.
	if want := url.QueryEscape(fmt.Sprintf("群众举报任务%d", acc.TaskID)); !strings.Contains(fmt.Sprint(task.Navigation["amap"]), "name="+want) {
		t.Errorf("the marker of a citizen's report's task: %v, want name %s", task.Navigation["amap"], want)
	}
	var list taskList
	if st := w.do(t, "supervisorA", "GET", "/api/tasks?class=public_report", nil, &list); st != 200 || list.Total != 1 || list.Tasks[0].ID != acc.TaskID {
		t.Errorf("supervisorA's public report tasks: %d %+v", st, list)
	}
	var seen skygrid.PublicReport
	if st := w.do(t, "supervisorA", "GET", fmt.Sprintf("/api/tasks/%d/public-report", acc.TaskID), nil, &seen); st != 200 || seen.Phone != "" || seen.PhoneMasked != "" || len(seen.Photos) != 1 {
		t.Errorf("supervisorA's report: %d %+v", st, seen)
	}
	if st, b := w.get(t, "supervisorA", fmt.Sprintf("/api/public-reports/%d/photos/%s", r.ID, r.Photos[0])); st != 200 || hasEXIF(b) {
		t.Errorf("supervisorA's photo: %d", st)
	}
	if st, _ := w.get(t, "supervisorB", fmt.Sprintf("/api/public-reports/%d/photos/%s", r.ID, r.Photos[0])); st != 403 {
		t.Errorf("supervisorB's photo: %d, want 403", st)
	}
	st, b := w.get(t, "", "/public/api/reports/"+strings.ToLower(receipt))
	if st != 200 || !strings.Contains(string(b), `"state":"accepted"`) || strings.Contains(string(b), "5678") ||
		strings.Contains(string(b), "网格员") || strings.Contains(string(b), "lon") {
		t.Errorf("outcome: %d %s", st, b)
	}
}

// The 21st report from one address within the hour is refused with 429
// and a Chinese message, and nothing of it is stored: no row, no photo
// file. A point outside the city is refused in Chinese too.
func TestPublicReportLimitsHTTP(t *testing.T) {
	w := newWorld(t)
	fields := w.inGridA(t, skygrid.ReportDust)
	delete(fields, "phone")
	for i := range 20 {
		if st, _, msg := w.filePublic(t, fields, "at_event.jpg"); st != http.StatusCreated {
			t.Fatalf("report %d: %d %s", i+1, st, msg)
		}
	}
	count := func() (rows int, files []string) {
		rs, err := w.db.FindPublicReports(context.Background(), nil, "", 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			rows += 1 + len(r.Photos)
		}
		return rows, w.photoFiles(t)
	}
	rows, files := count()
	for _, tc := range []struct {
		name   string
		fields map[string]string
		want   int
		msg    string
	}{
		{"21st from the address", fields, http.StatusTooManyRequests, "举报过于频繁"},
		{"outside the city", map[string]string{"kind": "dust", "lon": "116.4", "lat": "39.9"}, http.StatusBadRequest, "不在大同市"},
		{"no photo", fields, http.StatusBadRequest, "照片"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			photos := []string{"photo.png"}
			if tc.name == "no photo" {
				photos = nil
			}
			if tc.want != http.StatusTooManyRequests {
				*w.clock = w.clock.Add(2 * time.Hour) // the address's hour is over
			}
			st, _, msg := w.filePublic(t, tc.fields, photos...)
			if st != tc.want || !strings.Contains(msg, tc.msg) {
				t.Errorf("%d %q, want %d saying %s", st, msg, tc.want, tc.msg)
			}
			if r2, f2 := count(); r2 != rows || !slices.Equal(f2, files) {
				t.Errorf("stored %d rows and %v, want %d and %v", r2, f2, rows, files)
			}
		})
	}
}

// What the public is told of a refused report is Chinese only, naming
// the form's field by its Chinese label: no API field name (phone, lon,
// lat, photos) and no English reason of the photo check.
func TestPublicReportRefusalsInChinese(t *testing.T) {
	w := newWorld(t)
	english := regexp.MustCompile(`[a-z]{3,}|lon|lat`)
	with := func(k, v string) map[string]string {
		f := w.inGridA(t, skygrid.ReportStraw)
		if v == "" {
			delete(f, k)
		} else {
			f[k] = v
		}
		return f
	}
	for _, tc := range []struct {
		name   string
		fields map[string]string
		photo  string
		label  string
	}{
		{"phone with letters", with("phone", "139abc45678"), "at_event.jpg", "手机号"},
		{"no kind", with("kind", ""), "at_event.jpg", "举报类型"},
		{"no position", with("lon", ""), "at_event.jpg", "位置"},
		{"outside the city", with("lon", "100"), "at_event.jpg", "位置"},
		{"no photo", with("kind", skygrid.ReportStraw), "", "照片"},
		{"a note too long", with("note", strings.Repeat("烧", skygrid.LimitNotes.Max/3+1)), "at_event.jpg", "说明"},
		{"a control character", with("note", "烧\x07"), "at_event.jpg", "说明"},
		{"not an image", with("kind", skygrid.ReportStraw), "not_image.jpg", "照片"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var photos []string
			if tc.photo != "" {
				photos = append(photos, tc.photo)
			}
			st, _, msg := w.filePublic(t, tc.fields, photos...)
			if st != http.StatusBadRequest || english.MatchString(msg) || !strings.Contains(msg, tc.label) {
				t.Errorf("%d %q: want 400, Chinese only, naming %s", st, msg, tc.label)
			}
		})
	}
}
