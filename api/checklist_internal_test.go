package api

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// A report's checklist binds from a JSON body (an array) and from a
// multipart report (the array's text in a form field); a malformed one is
// a 400 naming checklist.
func TestBindChecklist(t *testing.T) {
	const items = `[{"measure":{"code":"stop_earthworks","text":"停止土石方作业"},"in_place":true,"photo_index":[0]},{"measure":{"text":"夜间禁止施工"},"in_place":false,"note":"示例"}]`
	multi := func(field string) (string, *bytes.Buffer) {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		w.WriteField("finding", "rectified")
		w.WriteField("checklist", field)
		w.Close()
		return w.FormDataContentType(), &b
	}
	for _, tt := range []struct {
		name, ctype, body string
		multipart         bool
		n                 int
		bad               bool
	}{
		{"JSON array", "application/json", `{"finding":"rectified","checklist":` + items + `}`, false, 2, false},
		{"JSON string", "application/json", `{"finding":"rectified","checklist":` + strconvQuote(items) + `}`, false, 2, false},
		{"multipart field", "", items, true, 2, false},
		{"none", "application/json", `{"finding":"rectified"}`, false, 0, false},
		{"malformed", "", `[{"in_place":"maybe"}]`, true, 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctype, body := tt.ctype, bytes.NewBufferString(tt.body)
			if tt.multipart {
				ctype, body = multi(tt.body)
			}
			req := httptest.NewRequest(http.MethodPost, "/api/tasks/1/report", body)
			req.Header.Set("Content-Type", ctype)
			c := echo.New().NewContext(req, httptest.NewRecorder())
			if tt.multipart {
				if err := req.ParseMultipartForm(1 << 20); err != nil {
					t.Fatal(err)
				}
			}
			_, change, err := bindAction(c, tt.multipart)
			if tt.bad {
				if err == nil || !strings.Contains(err.Error(), "checklist") {
					t.Errorf("err %v, want one naming checklist", err)
				}
				return
			}
			if err != nil || len(change.Checklist) != tt.n {
				t.Fatalf("%d items, %v; want %d", len(change.Checklist), err, tt.n)
			}
			if tt.n > 0 && (!*change.Checklist[0].InPlace || change.Checklist[0].PhotoIndex[0] != 0 || change.Checklist[1].Measure.Text != "夜间禁止施工") {
				t.Errorf("checklist %+v", change.Checklist)
			}
		})
	}
}

func strconvQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	b.WriteString(strings.ReplaceAll(s, `"`, `\"`))
	b.WriteByte('"')
	return b.String()
}
