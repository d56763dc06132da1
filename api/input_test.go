package api_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"skygrid"
	"skygrid/api"
	"skygrid/dispatch"
	"skygrid/internal/storetest"
	"skygrid/registry"
)

// reportWith sends a report of one photo with the usual fields, some
// replaced (an empty value leaves the field out).
func (w *world) reportWith(t *testing.T, user string, taskID, version int64, fields map[string]string) (int, string) {
	t.Helper()
	all := map[string]string{"finding": "straw_burning", "notes": "现场核查", "version": fmt.Sprint(version), "lon": "113.69", "lat": "39.70", "accuracy": "12"}
	for k, v := range fields {
		all[k] = v
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range all {
		if v != "" {
			mw.WriteField(k, v)
		}
	}
	b, err := os.ReadFile(filepath.Join("..", "evidence", "testdata", "photos", "at_event.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	fw, _ := mw.CreateFormFile("photos", "at_event.jpg")
	fw.Write(b)
	mw.Close()
	rq, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/tasks/%d/report", w.srv.URL, taskID), &buf)
	rq.Header.Set("Content-Type", mw.FormDataContentType())
	rq.Header.Set("Authorization", "Bearer "+w.tokens[user])
	resp, err := sendEarly(rq) // a large body can be refused before it is all sent
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// A report's numbers are finite and in range and its text within its
// limits, or it is refused (400 naming the field) and the task is left as
// it was. The old code stored lon=NaN as half a position (NaN is NULL in
// SQLite) and took accuracy=NaN.
func TestReportRefusesNaNAndLongText(t *testing.T) {
	w := newWorld(t)
	task := w.taskIn(t, w.gridA)
	url := fmt.Sprintf("/api/tasks/%d", task.ID)
	var v taskView
	if st := w.do(t, "supervisorA", "POST", url+"/acknowledge", map[string]any{"version": task.Version}, &v); st != 200 {
		t.Fatalf("acknowledge: %d", st)
	}
	for _, tc := range []struct {
		name   string
		fields map[string]string
		want   string
	}{
		{"lon NaN", map[string]string{"lon": "NaN"}, "lon: not a finite number: NaN"},
		{"lat +Inf", map[string]string{"lat": "+Inf"}, "lat: not a finite number: +Inf"},
		{"lat 1e308", map[string]string{"lat": "1e308"}, "lat: out of range: 1e+308 (want -90 to 90 °)"},
		{"lon 999", map[string]string{"lon": "999"}, "lon: out of range: 999"},
		{"accuracy NaN", map[string]string{"accuracy": "NaN"}, "accuracy: not a finite number: NaN"},
		{"accuracy negative", map[string]string{"accuracy": "-5"}, "accuracy: out of range: -5"},
		{"lon without lat", map[string]string{"lat": ""}, "lon and lat: give both or neither"},
		{"notes of 4001 bytes", map[string]string{"notes": strings.Repeat("a", 4001)}, "notes: at most 4000 bytes, got 4001"},
		{"notes with a right-to-left override", map[string]string{"notes": "烧\u202e了"}, "notes: bidirectional overrides and isolates are not allowed"},
		{"notes with a NUL", map[string]string{"notes": "a\x00b"}, "notes: control characters are not allowed: NUL"},
		{"notes of invalid UTF-8", map[string]string{"notes": "a\xffb"}, "notes: invalid UTF-8 at byte 2"},
		{"a 512 KiB finding", map[string]string{"finding": strings.Repeat("f", 1<<19)}, "(524288 bytes): want one of straw_burning"},
		{"a 1 MiB finding", map[string]string{"finding": strings.Repeat("f", 1<<20)}, "the fields are larger than 1024 KiB together"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, body := w.reportWith(t, "supervisorA", task.ID, v.Version, tc.fields)
			if st != 400 || !strings.Contains(body, tc.want) || len(body) > 1000 {
				t.Errorf("%d %.300s, want 400 %q", st, body, tc.want)
			}
		})
	}
	var now struct {
		taskView
		Report *struct{ Lon, Lat, AccuracyM float64 } `json:"report"`
	}
	if w.do(t, "supervisorA", "GET", url, nil, &now); now.State != skygrid.TaskAcknowledged || now.Version != v.Version || now.Report != nil {
		t.Fatalf("after refused reports: %s v%d report %v", now.State, now.Version, now.Report)
	}
	if st, body := w.reportWith(t, "supervisorA", task.ID, v.Version, nil); st != 200 {
		t.Fatalf("a good report: %d %.300s", st, body)
	}
	w.do(t, "officialA", "GET", url, nil, &now)
	if now.Report == nil || now.Report.Lon != 113.69 || now.Report.Lat != 39.70 || now.ReportAccuracy != 12 {
		t.Errorf("report %+v accuracy %v", now.Report, now.ReportAccuracy)
	}
	// JSON bodies: the reason of a return, the notes of a bulk close.
	var eb errorBody
	if st := w.do(t, "officialA", "POST", url+"/return", map[string]any{"version": now.Version, "reason": strings.Repeat("理", 1500)}, &eb); st != 400 ||
		!strings.Contains(eb.Error.Message, "reason: at most 4000 bytes, got 4500") {
		t.Errorf("long reason: %d %s", st, eb.Error.Message)
	}
	if st := w.do(t, "officialA", "POST", "/api/tasks/close", map[string]any{"tasks": []map[string]any{{"id": task.ID, "version": now.Version}},
		"notes": "a\u2066b"}, &eb); st != 400 || !strings.Contains(eb.Error.Message, "notes: bidirectional overrides and isolates") {
		t.Errorf("bulk close notes: %d %s", st, eb.Error.Message)
	}
	if st := w.do(t, "officialA", "POST", url+"/return", map[string]any{"version": now.Version, "reason": strings.Repeat("x", 2<<20)}, &eb); st != 400 ||
		!strings.Contains(eb.Error.Message, "the body is larger than 1024 KiB") {
		t.Errorf("a 2 MiB body: %d %s", st, eb.Error.Message)
	}
	if st := w.do(t, "officialA", "POST", url+"/return", map[string]any{"version": now.Version, "reason": "照片不清楚"}, &now); st != 200 {
		t.Errorf("a good return: %d", st)
	}
	task2 := w.taskIn(t, w.gridA)
	if st := w.do(t, "officialA", "POST", fmt.Sprintf("/api/tasks/%d/reassign", task2.ID), map[string]any{"version": task2.Version,
		"grid_id": strings.Repeat("1", 65)}, &eb); st != 400 || !strings.Contains(eb.Error.Message, "grid_id: at most 64 characters") {
		t.Errorf("long grid id: %d %s", st, eb.Error.Message)
	}
}

// The admin's writes: users and uploads are checked at the handler.
func TestAdminInputLimits(t *testing.T) {
	w := newWorld(t)
	var eb errorBody
	for _, tc := range []struct {
		name string
		user map[string]any
		code int
		want string
	}{
		{"ADMIN beside admin", map[string]any{"name": "ADMIN", "role": "auditor", "password": testPassword}, 409, `user "admin" exists: "ADMIN" is the same name`},
		{"Admin in full width", map[string]any{"name": "Ａｄｍｉｎ", "role": "auditor", "password": testPassword}, 409, `user "admin" exists`},
		{"a right-to-left override", map[string]any{"name": "li\u202ewang", "role": "auditor", "password": testPassword}, 400, "user name: bidirectional overrides and isolates are not allowed"},
		{"a NUL", map[string]any{"name": "li\x00wang", "role": "auditor", "password": testPassword}, 400, "user name: control characters are not allowed: NUL"},
		{"a name of 65 characters", map[string]any{"name": strings.Repeat("网", 65), "role": "auditor", "password": testPassword}, 400, "user name: at most 64 characters"},
		{"a long phone", map[string]any{"name": "li", "role": "auditor", "password": testPassword, "phone": strings.Repeat("1", 33)}, 400, "phone: at most 32 characters"},
		{"a long region", map[string]any{"name": "li", "role": "official", "password": testPassword, "regions": []string{strings.Repeat("1", 65)}}, 400, "region: at most 64 characters"},
		{"too many regions", map[string]any{"name": "li", "role": "supervisor", "password": testPassword, "regions": make([]string, 2001)}, 400, "regions: at most 2000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if st := w.do(t, "admin", "POST", "/api/users", tc.user, &eb); st != tc.code || !strings.Contains(eb.Error.Message, tc.want) {
				t.Errorf("%d %s, want %d %q", st, eb.Error.Message, tc.code, tc.want)
			}
		})
	}
	// The new user logs in by any case.
	if st := w.do(t, "admin", "POST", "/api/users", map[string]any{"name": "Li Wang", "role": "auditor", "password": testPassword}, nil); st != 201 {
		t.Fatalf("add Li Wang: %d", st)
	}
	for _, name := range []string{"Li Wang", "li wang", "LI WANG"} {
		b := fmt.Sprintf(`{"name":%q,"password":%q}`, name, testPassword)
		resp, err := http.Post(w.srv.URL+"/api/login", "application/json", strings.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("log in as %q: %d", name, resp.StatusCode)
		}
	}
}

// An upload's file name and option fields are checked before the file is
// read.
func TestImportFormLimits(t *testing.T) {
	db := storetest.NewDB(t, "imports.db")
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p, err := dispatch.New(db, dispatch.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	admin := newToken(t, db, "admin", skygrid.RoleAdmin)
	srv := httptest.NewServer(api.NewServer(api.Services{Users: db, Imports: registry.Importer{Pipeline: p}}, nil).Handler())
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		name, file string
		fields     map[string]string
		want       string
	}{
		{"a long file name", strings.Repeat("f", 201) + ".csv", nil, "file name: at most 200 characters"},
		{"a long parent", "r.geojson", map[string]string{"parent": strings.Repeat("1", 65)}, "parent: at most 64 characters"},
		{"a long id property", "r.geojson", map[string]string{"id_prop": strings.Repeat("p", 201)}, "id_prop: at most 200 characters"},
		{"control characters are not allowed", "s.csv", map[string]string{"lon_col": "经\x1b度"}, "lon_col: control characters are not allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			for k, v := range tc.fields {
				mw.WriteField(k, v)
			}
			fw, _ := mw.CreateFormFile("file", tc.file)
			fw.Write([]byte("grid_id,name,phone\n"))
			mw.Close()
			rq, _ := http.NewRequest("POST", srv.URL+"/api/imports/supervisors", &buf)
			rq.Header.Set("Content-Type", mw.FormDataContentType())
			rq.Header.Set("Authorization", "Bearer "+admin)
			resp, err := http.DefaultClient.Do(rq)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 400 || !strings.Contains(string(body), tc.want) {
				t.Errorf("%d %.300s, want 400 %q", resp.StatusCode, body, tc.want)
			}
		})
	}
}
