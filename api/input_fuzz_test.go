package api

import (
	"bytes"
	"mime/multipart"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"skygrid"
	"skygrid/evidence"
	"skygrid/username"

	"github.com/labstack/echo/v4"
)

// The parsers of what clients send: a task action (the report's multipart
// form and JSON bodies) and a log-in. Each either refuses with an input
// error of bounded size, or yields values within their limits: text
// within skygrid.Limits, numbers finite and in range. Seeds run in `make
// test`; `make fuzz` runs each for a while.

// checkAction fails unless a bound action is a short input error or a
// change within its limits.
func checkAction(t *testing.T, req ActionRequest, change skygrid.TaskChange, err error) {
	t.Helper()
	if err != nil {
		msg := skygrid.ErrorMessage(err)
		if skygrid.ErrorCode(err) != skygrid.EINVALID || len(msg) > 1000 || !utf8.ValidString(msg) {
			t.Fatalf("refused with %s, %d bytes: %.300s", skygrid.ErrorCode(err), len(msg), msg)
		}
		return
	}
	for _, f := range []struct {
		lim  skygrid.Limit
		text string
	}{{skygrid.LimitNotes, change.Notes}, {skygrid.LimitReason, change.Reason}, {skygrid.LimitID, change.GridID}, {skygrid.LimitID, change.Finding}} {
		if reason := f.lim.Check(f.text); reason != "" {
			t.Fatalf("%s %.100q accepted: %s", f.lim.Key, f.text, reason)
		}
	}
	if reason := skygrid.RangeAccuracy.Check(change.Accuracy); reason != "" {
		t.Fatalf("accuracy %v accepted: %s", change.Accuracy, reason)
	}
	if (req.Lon == nil) != (req.Lat == nil) || (req.Lon != nil) != (change.Point != nil) {
		t.Fatalf("half a position: %v %v -> %v", req.Lon, req.Lat, change.Point)
	}
	if p := change.Point; p != nil && (skygrid.RangeLon.Check(p[0]) != "" || skygrid.RangeLat.Check(p[1]) != "") {
		t.Fatalf("position %v accepted", *p)
	}
}

func FuzzActionForm(f *testing.F) {
	f.Add("straw_burning", "现场核查", "", "", "113.69", "39.70", "12", "3")
	f.Add("false_alarm", "a\u202eb", "", "", "NaN", "39.7", "NaN", "1")
	f.Add("", "", "照片不清", "140225-006-009", "+Inf", "", "-1", "x")
	f.Add("not_found", "line\nbreak\ttab\x00", "\xff", strings.Repeat("1", 65), "1e400", "-90", "1e5", "9223372036854775807")
	f.Add("open_burning", "", "", "", "0x1p4", "4_0", "1_0", "-1")
	f.Fuzz(func(t *testing.T, finding, notes, reason, grid, lon, lat, accuracy, version string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for _, kv := range [][2]string{{"finding", finding}, {"notes", notes}, {"reason", reason}, {"grid_id", grid}, {"lon", lon}, {"lat", lat},
			{"accuracy", accuracy}, {"version", version}} {
			if kv[1] != "" {
				mw.WriteField(kv[0], kv[1])
			}
		}
		mw.Close()
		r := httptest.NewRequest("POST", "/api/tasks/1/report", &buf)
		r.Header.Set("Content-Type", mw.FormDataContentType())
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			t.Fatalf("the form as written: %v", err)
		}
		c := echo.New().NewContext(r, httptest.NewRecorder())
		req, change, err := bindAction(c, true)
		checkAction(t, req, change, err)
	})
}

func FuzzActionJSON(f *testing.F) {
	f.Add([]byte(`{"version":3,"notes":"核查","lon":113.69,"lat":39.7,"accuracy":12}`))
	f.Add([]byte(`{"version":3,"reason":"a\u202eb\u0000","grid_id":"140225-006-009"}`))
	f.Add([]byte(`{"lon":1e400,"lat":null,"accuracy":-1}`))
	f.Add([]byte(`{"lon":"NaN","finding":["x"]}`))
	f.Add([]byte(`{"notes":"` + strings.Repeat("长", 1400) + `"}`))
	f.Add([]byte("{\"notes\":\"\xff\"}"))
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/api/tasks/1/note", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		c := echo.New().NewContext(r, httptest.NewRecorder())
		req, change, err := bindAction(c, false)
		checkAction(t, req, change, err)
	})
}

var loginKey = regexp.MustCompile(`^(user|ip):[0-9a-f]{32}$`)

func FuzzLogin(f *testing.F) {
	f.Add([]byte(`{"name":"admin","password":"skygrid-demo"}`), "application/json")
	f.Add([]byte(`{"name":"ＡＤＭＩＮ","password":"x"}`), "application/json; charset=utf-8")
	f.Add([]byte(`{"name":"ad\u202emin\u0000","password":1}`), "application/json")
	f.Add([]byte(`{"name":"`+strings.Repeat("网", 65)+`"}`), "application/json")
	f.Add([]byte("{\"name\":\"\xff\",\"password\":\"\"}"), "application/json")
	f.Add([]byte("name=admin&password=x"), "application/x-www-form-urlencoded")
	f.Add([]byte(`{"name":"  li\u00a0wei\u3000"}`), "APPLICATION/JSON")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		r := httptest.NewRequest("POST", "/api/login", bytes.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		c := echo.New().NewContext(r, httptest.NewRecorder())
		req, keys, err := readLogin(c)
		if err != nil {
			msg := skygrid.ErrorMessage(err)
			if skygrid.ErrorCode(err) != skygrid.EINVALID || len(msg) > 500 || !utf8.ValidString(msg) {
				t.Fatalf("refused with %s, %d bytes: %.300s", skygrid.ErrorCode(err), len(msg), msg)
			}
			return
		}
		if len(keys) != 2 || !loginKey.MatchString(keys[0]) || !loginKey.MatchString(keys[1]) {
			t.Fatalf("throttle keys %q", keys)
		}
		n, err := username.Normalise(req.Name)
		if err != nil || n != req.Name || skygrid.LimitUserName.Check(n) != "" {
			t.Fatalf("name %q accepted: normalised again %q, %v", req.Name, n, err)
		}
	})
}

// FuzzReportForm sends any body as a report's multipart form: the
// streaming reader that stages photos either refuses it with a short
// input error, leaving nothing staged, or gives fields that bind within
// their limits, with at most skygrid.MaxPhotos files staged.
func FuzzReportForm(f *testing.F) {
	form := func(parts ...[3]string) []byte {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.SetBoundary("B0UNDARY")
		for _, p := range parts {
			if p[1] == "" {
				mw.WriteField(p[0], p[2])
			} else if w, err := mw.CreateFormFile(p[0], p[1]); err == nil {
				w.Write([]byte(p[2]))
			}
		}
		mw.Close()
		return buf.Bytes()
	}
	f.Add(form([3]string{"finding", "", "straw_burning"}, [3]string{"lon", "", "113.69"}, [3]string{"lat", "", "39.7"}, [3]string{"photos", "a.jpg", "\xff\xd8\xff\xe0"}))
	f.Add(form([3]string{"notes", "", "a\u202eb"}, [3]string{"lon", "", "NaN"}, [3]string{"other", "x.bin", "zzz"}))
	f.Add(form([3]string{"photos", "1.png", "\x89PNG"}, [3]string{"photos", "2.png", ""}, [3]string{"photos", "3.png", ""}, [3]string{"photos", "4.png", ""},
		[3]string{"photos", "5.png", ""}, [3]string{"photos", "6.png", ""}))
	f.Add([]byte("--B0UNDARY\r\nContent-Disposition: form-data; name=\"notes\"\r\n\r\nno end"))
	f.Add([]byte("garbage"))
	dir := f.TempDir()
	s := &Server{}
	s.Evidence = evidence.Photos{Files: evidence.Files{Dir: filepath.Join(dir, "photos"), NoSync: true}}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/api/tasks/1/report", bytes.NewReader(body))
		r.Header.Set("Content-Type", "multipart/form-data; boundary=B0UNDARY")
		c := echo.New().NewContext(r, httptest.NewRecorder())
		stage, err := s.receiveReport(c)
		if err != nil {
			checkAction(t, ActionRequest{}, skygrid.TaskChange{}, err)
			if stage != nil {
				t.Fatalf("refused (%v) with a stage left", err)
			}
			return
		}
		if stage != nil {
			defer stage.Discard()
			if stage.Received() > skygrid.MaxPhotos {
				t.Fatalf("%d photos staged", stage.Received())
			}
		}
		req, change, err := bindAction(c, true)
		checkAction(t, req, change, err)
	})
}
