package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"skygrid"
	"skygrid/data"
	"skygrid/internal/steps"
	"skygrid/internal/storetest"
	"skygrid/store"
)

// notifyCmd runs skygrid notify ARGS --db db.
func notifyCmd(t *testing.T, db string, args ...string) (string, error) {
	t.Helper()
	m, out, errb := testMain()
	err := m.Run(context.Background(), append(append([]string{"notify"}, args...), "--db", db))
	return out.String() + errb.String(), err
}

func TestNotifyCommands(t *testing.T) {
	n := &notifyRun{}
	// A DingTalk robot that checks the signature.
	robot := httptest.NewServer(http.HandlerFunc(n.robot))
	defer robot.Close()
	dir := t.TempDir()
	n.db = storetest.DSN(t, "skygrid.db")
	files := writeEmbedded(t, dir, data.Districts)
	if out, err := run(t, n.db, "import", "regions", files[0], "--level", "county", "--crs", "cgcs2000"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	n.robotURL = robot.URL + "/robot/send?access_token=" + notifyToken
	steps.Run(t,
		steps.Step{Name: "add", Run: n.add},
		steps.Step{Name: "refused", Run: n.refused},
		steps.Step{Name: "list", Run: n.list},
		steps.Step{Name: "a message sent once", Run: n.sendOnce},
	)
}

const (
	notifyToken  = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
	notifySecret = "SEC5ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4e75ec4e7"
)

// notifyRun is a database, a DingTalk robot and the texts it received.
type notifyRun struct {
	db, robotURL string
	mu           sync.Mutex
	texts        []string
}

// robot is a DingTalk robot that checks the signature.
func (n *notifyRun) robot(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	mac := hmac.New(sha256.New, []byte(notifySecret))
	mac.Write([]byte(q.Get("timestamp") + "\n" + notifySecret))
	var body struct {
		Markdown struct{ Text string } `json:"markdown"`
	}
	b, _ := io.ReadAll(r.Body)
	json.Unmarshal(b, &body)
	if q.Get("access_token") != notifyToken || q.Get("sign") != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
		io.WriteString(w, `{"errcode":310000,"errmsg":"sign not match"}`)
		return
	}
	n.mu.Lock()
	n.texts = append(n.texts, body.Markdown.Text)
	n.mu.Unlock()
	io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
}

func (n *notifyRun) add(t *testing.T) {
	out, err := notifyCmd(t, n.db, "add", "--region", "140225", "--kind", "dingtalk", "--url", n.robotURL, "--secret", notifySecret)
	if err != nil || !strings.Contains(out, "channel 1: dingtalk for region 140225 (all)") || !strings.Contains(out, "access_token=c0ff…") ||
		!strings.Contains(out, "signed") {
		t.Fatalf("add: %v\n%s", err, out)
	}
	out, err = notifyCmd(t, n.db, "add", "--region", "140226", "--kind", "webhook", "--url", "https://example.org/skygrid", "--audience", "officials")
	if err != nil || !strings.Contains(out, "channel 2: webhook for region 140226 (officials) https://example.org/skygrid") {
		t.Fatalf("add webhook: %v\n%s", err, out)
	}
}

func (n *notifyRun) refused(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"add", "--region", "140225", "--kind", "sms", "--url", n.robotURL}, `unknown kind "sms"`},
		{[]string{"add", "--region", "999999", "--kind", "webhook", "--url", "https://example.org/x"}, `region "999999" not found`},
		{[]string{"add", "--region", "140225", "--kind", "webhook", "--url", "ftp://example.org/x"}, "want http or https"},
		{[]string{"add", "--region", "140225", "--kind", "webhook", "--url", "https://example.org/x", "--audience", "public"}, `unknown audience "public"`},
		{[]string{"add", "--region", "140225", "--kind", "wecom"}, "--url are required"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
	} {
		out, err := notifyCmd(t, n.db, tt.args...)
		if err == nil || !strings.Contains(errorText(err), tt.want) {
			t.Errorf("%v: %v, want %q\n%s", tt.args, err, tt.want, out)
		}
	}

}

func (n *notifyRun) list(t *testing.T) {
	out, err := notifyCmd(t, n.db, "list")
	if err != nil || !strings.Contains(out, "access_token=c0ff…") || !strings.Contains(out, "2 channels") ||
		!strings.Contains(out, "140226") || strings.Contains(out, notifyToken) || strings.Contains(out, notifySecret) {
		t.Fatalf("list: %v\n%s", err, out)
	}
	if out, err := notifyCmd(t, n.db, "list", "--format", "csv"); err != nil || !strings.HasPrefix(out, "id,region,kind,audience,signed,url,created\n1,140225,dingtalk,all,yes,") {
		t.Errorf("list csv: %v\n%s", err, out)
	}
}

// sendOnce: a message due for the robot: sent once.
func (n *notifyRun) sendOnce(t *testing.T) {
	s := store.NewDB(n.db)
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	err := s.QueueOutbox(context.Background(), []*skygrid.OutboxMessage{{Key: "task.created:1:1", ChannelID: 1, Event: skygrid.NotifyTaskCreated,
		TaskID: 1, Title: "浑源县火情", Text: "### 浑源县发现火点\n编号 task.created:1:1"}})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	if out, err := notifyCmd(t, n.db, "send"); err != nil || !strings.Contains(out, "sent 1, failed 0") {
		t.Fatalf("send: %v\n%s", err, out)
	}
	if out, err := notifyCmd(t, n.db, "send"); err != nil || !strings.Contains(out, "sent 0, failed 0") {
		t.Fatalf("send again: %v\n%s", err, out)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.texts) != 1 || !strings.Contains(n.texts[0], "编号 task.created:1:1") {
		t.Errorf("the robot received %q", n.texts)
	}
}

// A webhook that holds its token in the path (Slack's shape) is shown
// masked everywhere skygrid prints it: notify add and list, the server's
// log, /api/outbox (the error of a refused delivery, whose answer echoes
// the URL) and the audit log.
func TestWebhookPathTokenMasked(t *testing.T) {
	const token = "Kq3vX9zTbN2pR7wLmC4hYd8s"
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"ok":false,"error":"invalid_token","path":"`+r.URL.Path+`"}`)
	}))
	defer hook.Close()
	dir := t.TempDir()
	db := storetest.DSN(t, "skygrid.db")
	files := writeEmbedded(t, dir, data.Districts)
	if out, err := run(t, db, "import", "regions", files[0], "--level", "county", "--crs", "cgcs2000"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	hookURL := hook.URL + "/services/T0A1B2C3D/B0E4F5G6H/" + token
	masked := "/services/T0A1B2C3D/B0E4F5G6H/Kq3v…"
	var outputs strings.Builder
	out, err := notifyCmd(t, db, "add", "--region", "140225", "--kind", "webhook", "--url", hookURL)
	outputs.WriteString(out)
	if err != nil || !strings.Contains(out, masked) {
		t.Errorf("add: %v\n%s", err, out)
	}
	out, err = notifyCmd(t, db, "list")
	outputs.WriteString(out)
	if err != nil || !strings.Contains(out, masked) {
		t.Errorf("list: %v\n%s", err, out)
	}
	s := store.NewDB(db)
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	err = s.QueueOutbox(context.Background(), []*skygrid.OutboxMessage{{Key: "task.created:1:1", ChannelID: 1, Event: skygrid.NotifyTaskCreated,
		TaskID: 1, Title: "浑源县火情", Text: "### 浑源县发现火点"}})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	clk := &e2eClock{t: time.Now()}
	// (serveAt's environment holds a DingTalk app secret: its key goes with it.)
	cfg := filepath.Join(dir, "skygrid.toml")
	os.WriteFile(cfg, []byte("[notify.dingtalk_app]\napp_key = \"dingmaskkey\"\nagent_id = 1\n"), 0o600)
	url, stop := serveAt(t, db, cfg, clk, &logs)
	admin := addAdmin(t, db)
	waitOutbox(t, db, func(ms []*skygrid.OutboxMessage) bool { return len(ms) == 1 && ms[0].Attempts > 0 })
	apiOutbox := apiGet(t, url+"/api/outbox", admin)
	audit := apiGet(t, url+"/api/audit?entity=notify_channel", admin)
	stop()
	for where, s := range map[string]string{"the outputs": outputs.String(), "the log": logs.String(), "/api/outbox": apiOutbox, "the audit log": audit} {
		if strings.Contains(s, token) || !strings.Contains(s, "Kq3v…") {
			t.Errorf("%s shows the token, or not its masked form:\n%.2000s", where, s)
		}
	}
	if !strings.Contains(apiOutbox, "invalid_token") {
		t.Errorf("/api/outbox lost the receiver's answer: %s", apiOutbox)
	}
}
