package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"skygrid"
	"skygrid/internal/steps"
	"skygrid/internal/storetest"
	"skygrid/notify"
	"skygrid/store"

	"github.com/paulmach/orb"
)

const (
	dingToken  = "d1n9t4lk70k3n0123456789abcdef0123456789abcdef"
	dingSecret = "SECb0a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1"
	wecomKey   = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// receiver is a test endpoint that counts deliveries by message key.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	got      map[string]int // accepted deliveries by key
	requests int
	// fail, when set, answers request n (1-based) instead of accepting it.
	fail func(w http.ResponseWriter, n int) bool
	// onAccept runs after each accepted delivery with the total accepted.
	onAccept func(total int)
	total    int
}

func newReceiver(t *testing.T, check func(r *http.Request, body []byte) (key string, errcode int, errmsg string)) *receiver {
	rc := &receiver{got: map[string]int{}}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.requests++
		n := rc.requests
		fail := rc.fail
		rc.mu.Unlock()
		if fail != nil && fail(w, n) {
			return
		}
		key, code, errmsg := check(r, body)
		if code != 0 {
			if code >= 400 && code < 600 {
				http.Error(w, errmsg, code)
				return
			}
			writeJSON(w, map[string]any{"errcode": code, "errmsg": errmsg})
			return
		}
		rc.mu.Lock()
		rc.got[key]++
		rc.total++
		total, onAccept := rc.total, rc.onAccept
		rc.mu.Unlock()
		writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok"})
		if onAccept != nil {
			onAccept(total)
		}
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) counts() (map[string]int, int, int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := map[string]int{}
	for k, v := range rc.got {
		out[k] = v
	}
	return out, rc.total, rc.requests
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// keyOf finds the key in the last line of a robot message ("编号 KEY").
func keyOf(text string) string {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	key, ok := strings.CutPrefix(lines[len(lines)-1], "编号 ")
	if !ok {
		return ""
	}
	return key
}

// newDingTalk is a DingTalk robot with the token and secret: it checks the
// signature exactly as DingTalk does and the markdown body.
func newDingTalk(t *testing.T, secret string) *receiver {
	return newReceiver(t, func(r *http.Request, body []byte) (string, int, string) {
		q := r.URL.Query()
		if r.Method != http.MethodPost || r.URL.Path != "/robot/send" || q.Get("access_token") != dingToken {
			return "", 300001, "token is not exist"
		}
		if r.Header.Get("Content-Type") != "application/json" {
			return "", 40035, "content type"
		}
		stamp, sign := q.Get("timestamp"), q.Get("sign")
		ms, err := strconv.ParseInt(stamp, 10, 64)
		if err != nil || time.Since(time.UnixMilli(ms)).Abs() > time.Hour {
			return "", 310000, "timestamp invalid"
		}
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(stamp + "\n" + secret))
		if want := base64.StdEncoding.EncodeToString(mac.Sum(nil)); sign != want {
			return "", 310000, "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"
		}
		var m struct {
			MsgType  string `json:"msgtype"`
			Markdown struct {
				Title string `json:"title"`
				Text  string `json:"text"`
			} `json:"markdown"`
		}
		if err := json.Unmarshal(body, &m); err != nil || m.MsgType != "markdown" || m.Markdown.Title == "" || m.Markdown.Text == "" {
			return "", 40035, "bad body: " + string(body)
		}
		key := keyOf(m.Markdown.Text)
		if key == "" || !strings.Contains(m.Markdown.Title, key) {
			return "", 40035, "no key in " + string(body)
		}
		return key, 0, ""
	})
}

// newWeCom is a WeCom robot with the key.
func newWeCom(t *testing.T) *receiver {
	return newReceiver(t, func(r *http.Request, body []byte) (string, int, string) {
		if r.Method != http.MethodPost || r.URL.Path != "/cgi-bin/webhook/send" || r.URL.Query().Get("key") != wecomKey {
			return "", 93000, "invalid webhook url"
		}
		var m struct {
			MsgType  string `json:"msgtype"`
			Markdown struct {
				Content string `json:"content"`
			} `json:"markdown"`
		}
		if err := json.Unmarshal(body, &m); err != nil || m.MsgType != "markdown" || !strings.HasPrefix(m.Markdown.Content, "### ") {
			return "", 40008, "invalid message type: " + string(body)
		}
		key := keyOf(m.Markdown.Content)
		if key == "" {
			return "", 40008, "no key"
		}
		return key, 0, ""
	})
}

// newWebhook is a generic receiver: headers name the event and the key,
// and the body is the payload (or the default object).
func newWebhook(t *testing.T) *receiver {
	return newReceiver(t, func(r *http.Request, body []byte) (string, int, string) {
		key := r.Header.Get("X-Skygrid-Idempotency-Key")
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || key == "" ||
			r.Header.Get("X-Skygrid-Event") != skygrid.NotifyTaskCreated {
			return "", http.StatusBadRequest, "headers"
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			return "", http.StatusBadRequest, "body"
		}
		if m["key"] != key || m["event"] != skygrid.NotifyTaskCreated {
			return "", http.StatusBadRequest, "body " + string(body)
		}
		return key, 0, ""
	})
}

func message(key, kind, url string) *skygrid.OutboxMessage {
	return &skygrid.OutboxMessage{Key: key, Kind: kind, URL: url, Event: skygrid.NotifyTaskCreated, TaskID: 42,
		Title: "火情 " + key, Text: "### 浑源县发现火点\n请网格员前往核查\n\n编号 " + key}
}

func TestSendDingTalkSigned(t *testing.T) {
	rc := newDingTalk(t, dingSecret)
	m := message("task.created:42:1", skygrid.ChannelDingTalk, rc.URL+"/robot/send?access_token="+dingToken)
	m.Secret = dingSecret
	if err := notify.Send(context.Background(), rc.Client(), m); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := rc.counts(); got["task.created:42:1"] != 1 || len(got) != 1 {
		t.Errorf("received %v", got)
	}
	// A wrong secret: DingTalk answers HTTP 200 with errcode 310000.
	m.Secret = "SECwrongwrongwrongwrongwrong"
	err := notify.Send(context.Background(), rc.Client(), m)
	if err == nil || !strings.Contains(err.Error(), "errcode 310000") || !strings.Contains(err.Error(), "sign not match") {
		t.Fatalf("wrong secret: %v", err)
	}
	checkNoSecrets(t, err.Error(), m.Secret)
	if !strings.Contains(err.Error(), "access_token=d1n9…") {
		t.Errorf("error does not name the robot: %v", err)
	}
}

func checkNoSecrets(t *testing.T, s string, more ...string) {
	t.Helper()
	for _, secret := range append([]string{dingToken, dingSecret, wecomKey}, more...) {
		if strings.Contains(s, secret) {
			t.Errorf("%q shows the secret %q", s, secret)
		}
	}
}

func TestSendWeComAndWebhook(t *testing.T) {
	ctx := context.Background()
	wc := newWeCom(t)
	m := message("k1", skygrid.ChannelWeCom, wc.URL+"/cgi-bin/webhook/send?key="+wecomKey)
	if err := notify.Send(ctx, nil, m); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := wc.counts(); got["k1"] != 1 {
		t.Errorf("wecom received %v", got)
	}
	// A wrong key: errcode 93000, and the error hides both keys.
	m.URL = wc.URL + "/cgi-bin/webhook/send?key=0000aaaa-1111-2222-3333-444455556666"
	err := notify.Send(ctx, nil, m)
	if err == nil || !strings.Contains(err.Error(), "errcode 93000") {
		t.Fatalf("wrong key: %v", err)
	}
	checkNoSecrets(t, err.Error(), "0000aaaa-1111-2222-3333-444455556666")

	wh := newWebhook(t)
	// The default payload.
	h := message("k2", skygrid.ChannelWebhook, wh.URL+"/hook")
	if err := notify.Send(ctx, nil, h); err != nil {
		t.Fatal(err)
	}
	// A payload of the caller's is sent as it is.
	h = message("k3", skygrid.ChannelWebhook, wh.URL+"/hook")
	h.Payload = `{"key":"k3","event":"task.created","task_id":42,"grid":"140225-006-009"}`
	if err := notify.Send(ctx, nil, h); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := wh.counts(); got["k2"] != 1 || got["k3"] != 1 {
		t.Errorf("webhook received %v", got)
	}
	// Non-2xx is an error.
	h = message("k4", skygrid.ChannelWebhook, wh.URL+"/hook?token=abcdefghijklmnop")
	h.Event = "other"
	if err := notify.Send(ctx, nil, h); err == nil || !strings.Contains(err.Error(), "HTTP 400") || !strings.Contains(err.Error(), "token=abcd…") {
		t.Errorf("webhook 400: %v", err)
	} else {
		checkNoSecrets(t, err.Error(), "abcdefghijklmnop")
	}
	// A receiver that is down: the transport error hides the token too.
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	m = message("k5", skygrid.ChannelDingTalk, down.URL+"/robot/send?access_token="+dingToken)
	m.Secret = dingSecret
	if err := notify.Send(ctx, nil, m); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("down: %v", err)
	} else {
		checkNoSecrets(t, err.Error())
	}
}

// Webhooks that hold their token in the path (Slack's, Discord's,
// Feishu's shapes): a refused delivery's error shows the URL masked, and
// a receiver that echoes the path it was called on has it removed, raw or
// escaped.
func TestSendHidesPathTokens(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"error":"no such hook %s (escaped %s)"}`, r.URL.Path, url.PathEscape(r.URL.Path))
	}))
	defer echo.Close()
	for _, tt := range []struct{ name, path, token, masked string }{
		{"slack", "/services/T0A1B2C3D/B0E4F5G6H/", "Kq3vX9zTbN2pR7wLmC4hYd8s", "/services/T0A1B2C3D/B0E4F5G6H/Kq3v…"},
		{"discord", "/api/webhooks/1234567890123456789/", "mF8k2Jq-Lz0vXw9_RtYb3NcP6sHd1GeUa7oKiB4lQn5TjWy", "/api/webhooks/1234567890123456789/mF8k…"},
		{"feishu", "/open-apis/bot/v2/hook/", "8c9d1f2e-3b4a-4c5d-9e6f-7a8b9c0d1e2f", "/open-apis/bot/v2/hook/8c9d…"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := notify.Send(context.Background(), nil, message("k", skygrid.ChannelWebhook, echo.URL+tt.path+tt.token))
			if err == nil || !strings.Contains(err.Error(), "HTTP 404") || !strings.Contains(err.Error(), tt.masked) {
				t.Fatalf("got %v, want HTTP 404 naming %s", err, tt.masked)
			}
			checkNoSecrets(t, err.Error(), tt.token)
		})
	}
}

func TestMaskURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://oapi.dingtalk.com/robot/send?access_token=" + dingToken:   "https://oapi.dingtalk.com/robot/send?access_token=d1n9…",
		"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + wecomKey: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a…",
		"https://user:pass@example.org/hook?a=1&b=abcdefghijk":             "https://user@example.org/hook?a=…&b=abcd…",
		"https://example.org/hook":                                         "https://example.org/hook",
	} {
		if got := notify.MaskURL(in); got != want {
			t.Errorf("MaskURL(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestDelay(t *testing.T) {
	w := &notify.Worker{}
	for _, tt := range []struct {
		attempts int
		base     time.Duration
	}{{1, 10 * time.Second}, {2, 20 * time.Second}, {3, 40 * time.Second}, {6, 320 * time.Second}} {
		for range 20 {
			if d := w.Delay(tt.attempts); d < tt.base*8/10 || d > tt.base*12/10 {
				t.Errorf("delay after %d attempts: %s", tt.attempts, d)
			}
		}
	}
	if d := w.Delay(30); d > time.Hour || d < 48*time.Minute {
		t.Errorf("delay after 30 attempts: %s", d)
	}
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// openOutbox opens the SQLite outbox in path with the county 140225.
func openOutbox(t *testing.T, path string, now func() time.Time) *store.DB {
	t.Helper()
	db := store.NewDB(path)
	if now != nil {
		db.Now = now
	}
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func addRegion(t *testing.T, db *store.DB) {
	t.Helper()
	square := orb.MultiPolygon{{{{113.4, 39.4}, {114.0, 39.4}, {114.0, 40.0}, {113.4, 40.0}, {113.4, 39.4}}}}
	if err := db.ImportRegions(context.Background(), []*skygrid.Region{{ID: "140225", Name: "浑源县", Level: skygrid.LevelCounty,
		Geometry: square, AreaKm2: 1}}); err != nil {
		t.Fatal(err)
	}
}

func addChannel(t *testing.T, db *store.DB, kind, url, secret string) *skygrid.Channel {
	t.Helper()
	c := &skygrid.Channel{RegionID: "140225", Kind: kind, URL: url, Secret: secret}
	if err := db.AddChannel(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

func queue(t *testing.T, db *store.DB, key string, c *skygrid.Channel) *skygrid.OutboxMessage {
	t.Helper()
	m := message(key, "", "")
	m.ChannelID = c.ID
	if err := db.QueueOutbox(context.Background(), []*skygrid.OutboxMessage{m}); err != nil {
		t.Fatal(err)
	}
	return m
}

func outbox(t *testing.T, db *store.DB, id int64) *skygrid.OutboxMessage {
	t.Helper()
	ms, err := db.FindOutbox(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("message %d not in the outbox", id)
	return nil
}

// A robot that fails twice (HTTP 500, then errcode 1) then takes the
// message: it is tried again later each time and delivered once.
func TestWorkerRetriesWithBackoff(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2023, 10, 15, 2, 0, 0, 0, time.UTC)}
	db := openOutbox(t, storetest.DSN(t, "skygrid.db"), clk.Now)
	addRegion(t, db)
	rc := newDingTalk(t, dingSecret)
	rc.fail = func(w http.ResponseWriter, n int) bool {
		switch n {
		case 1:
			http.Error(w, "busy", http.StatusInternalServerError)
			return true
		case 2:
			writeJSON(w, map[string]any{"errcode": 1, "errmsg": "系统繁忙"})
			return true
		}
		return false
	}
	ch := addChannel(t, db, skygrid.ChannelDingTalk, rc.URL+"/robot/send?access_token="+dingToken, dingSecret)
	m := queue(t, db, "task.created:42:"+fmt.Sprint(1), ch)
	w := &notify.Worker{Outbox: db, Now: clk.Now, Logger: quiet}

	start := clk.Now()
	if sent, failed, err := w.RunOnce(ctx); err != nil || sent != 0 || failed != 1 {
		t.Fatalf("first run: %d sent, %d failed, %v", sent, failed, err)
	}
	o := outbox(t, db, m.ID)
	first := o.NextAt.Sub(start)
	if o.Attempts != 1 || !strings.Contains(o.LastError, "HTTP 500") || !o.SentAt.IsZero() || first < 7*time.Second || first > 12*time.Second {
		t.Fatalf("after the first failure: %+v (retry in %s)", o, first)
	}
	// Not due yet: nothing is claimed.
	clk.Set(start.Add(5 * time.Second))
	if sent, failed, err := w.RunOnce(ctx); err != nil || sent+failed != 0 {
		t.Fatalf("early run: %d sent, %d failed, %v", sent, failed, err)
	}
	second := o.NextAt
	clk.Set(second)
	if sent, failed, err := w.RunOnce(ctx); err != nil || sent != 0 || failed != 1 {
		t.Fatalf("second run: %d sent, %d failed, %v", sent, failed, err)
	}
	o = outbox(t, db, m.ID)
	wait := o.NextAt.Sub(second)
	if o.Attempts != 2 || !strings.Contains(o.LastError, "errcode 1: 系统繁忙") || wait < 15*time.Second || wait > 24*time.Second || wait <= first {
		t.Fatalf("after the second failure: %+v (retry in %s, first %s)", o, wait, first)
	}
	clk.Set(o.NextAt)
	if sent, failed, err := w.RunOnce(ctx); err != nil || sent != 1 || failed != 0 {
		t.Fatalf("third run: %d sent, %d failed, %v", sent, failed, err)
	}
	o = outbox(t, db, m.ID)
	if !o.SentAt.Equal(clk.Now()) || o.Attempts != 2 {
		t.Errorf("after delivery: %+v", o)
	}
	clk.Set(clk.Now().Add(2 * time.Hour))
	if sent, failed, err := w.RunOnce(ctx); err != nil || sent+failed != 0 {
		t.Errorf("run after delivery: %d sent, %d failed, %v", sent, failed, err)
	}
	if got, _, requests := rc.counts(); got[m.Key] != 1 || requests != 3 {
		t.Errorf("received %v in %d requests", got, requests)
	}
}

// A wrong secret: the error is recorded without the secret or the token,
// and the message is not marked sent.
func TestWorkerWrongSecret(t *testing.T) {
	ctx := context.Background()
	db := openOutbox(t, storetest.DSN(t, "skygrid.db"), nil)
	addRegion(t, db)
	rc := newDingTalk(t, dingSecret)
	wrong := "SEC0000000000000000000000000000000000000000000000000000000000000000"
	ch := addChannel(t, db, skygrid.ChannelDingTalk, rc.URL+"/robot/send?access_token="+dingToken, wrong)
	m := queue(t, db, "task.created:42:1", ch)
	var logs strings.Builder
	w := &notify.Worker{Outbox: db, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	if sent, failed, err := w.RunOnce(ctx); err != nil || sent != 0 || failed != 1 {
		t.Fatalf("%d sent, %d failed, %v", sent, failed, err)
	}
	o := outbox(t, db, m.ID)
	if o.Attempts != 1 || !o.SentAt.IsZero() || !strings.Contains(o.LastError, "errcode 310000") {
		t.Errorf("recorded %+v", o)
	}
	checkNoSecrets(t, o.LastError, wrong)
	checkNoSecrets(t, logs.String(), wrong)
	if got, _, _ := rc.counts(); len(got) != 0 {
		t.Errorf("received %v", got)
	}
}

// The restart test: a worker stopped mid-way leaves every delivered
// message marked, and a new worker on the reopened file sends the rest:
// each message arrives exactly once.
func TestWorkerRestart(t *testing.T) {
	r := newGroupRestart(t)
	// Each step goes on from the one before (steps.Run).
	steps.Run(t,
		steps.Step{Name: "stopped mid-way", Run: r.stopMidWay},
		steps.Step{Name: "a new worker on the reopened file", Run: r.restart},
		steps.Step{Name: "each message once", Run: r.eachOnce},
	)
}

// groupRestart is an outbox file with 60 messages to three group
// channels, their receivers and the deliveries counted across them.
type groupRestart struct {
	top       *testing.T // the test: the file opened again lives as long
	path      string
	db        *store.DB
	receivers []*receiver
	want      map[*receiver][]string
	mu        sync.Mutex
	total     int
	stop      func() // cancels the running worker on the 15th delivery
}

func newGroupRestart(t *testing.T) *groupRestart {
	t.Helper()
	r := &groupRestart{top: t, path: storetest.DSN(t, "skygrid.db"), want: map[*receiver][]string{}}
	r.db = openOutbox(t, r.path, nil)
	addRegion(t, r.db)
	ding, wecom, hook := newDingTalk(t, dingSecret), newWeCom(t), newWebhook(t)
	channels := []*skygrid.Channel{
		addChannel(t, r.db, skygrid.ChannelDingTalk, ding.URL+"/robot/send?access_token="+dingToken, dingSecret),
		addChannel(t, r.db, skygrid.ChannelWeCom, wecom.URL+"/cgi-bin/webhook/send?key="+wecomKey, ""),
		addChannel(t, r.db, skygrid.ChannelWebhook, hook.URL+"/hook", ""),
	}
	r.receivers = []*receiver{ding, wecom, hook}
	var msgs []*skygrid.OutboxMessage
	for i := range 60 {
		c := channels[i%3]
		m := message(fmt.Sprintf("task.created:%d:%d", 100+i/3, c.ID), "", "")
		m.ChannelID = c.ID
		msgs = append(msgs, m)
		r.want[r.receivers[i%3]] = append(r.want[r.receivers[i%3]], m.Key)
	}
	if err := r.db.QueueOutbox(context.Background(), msgs); err != nil {
		t.Fatal(err)
	}
	for _, rc := range r.receivers {
		rc.onAccept = func(int) {
			r.mu.Lock()
			r.total++
			if r.total == 15 {
				r.stop() // stop the worker while this delivery is under way
			}
			r.mu.Unlock()
		}
	}
	return r
}

// stopMidWay: a worker stopped mid-way leaves every delivered message
// marked.
func (r *groupRestart) stopMidWay(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.stop = cancel
	w := &notify.Worker{Outbox: r.db, Poll: 10 * time.Millisecond, Logger: quiet}
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the worker did not stop")
	}
	delivered := 0
	for _, rc := range r.receivers {
		_, n, _ := rc.counts()
		delivered += n
	}
	ms, err := r.db.FindOutbox(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	marked := 0
	for _, m := range ms {
		if !m.SentAt.IsZero() {
			marked++
		}
	}
	if delivered != 15 || marked != 15 {
		t.Fatalf("before the restart: %d delivered, %d marked sent, want 15 of 60", delivered, marked)
	}
	if err := r.db.Close(); err != nil {
		t.Fatal(err)
	}
}

// restart: a new handle on the same file and a new worker send the rest.
func (r *groupRestart) restart(t *testing.T) {
	r.db = openOutbox(r.top, r.path, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &notify.Worker{Outbox: r.db, Poll: 10 * time.Millisecond, Logger: quiet}
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r.mu.Lock()
		n := r.total
		r.mu.Unlock()
		if n >= 60 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restart: %d of 60 delivered", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// eachOnce: each message arrived exactly once and is marked sent.
func (r *groupRestart) eachOnce(t *testing.T) {
	for _, rc := range r.receivers {
		got, n, requests := rc.counts()
		if n != 20 || len(got) != 20 || requests != 20 {
			t.Errorf("%s: %d deliveries of %d messages in %d requests", rc.URL, n, len(got), requests)
		}
		for _, key := range r.want[rc] {
			if got[key] != 1 {
				t.Errorf("%s received %s %d times", rc.URL, key, got[key])
			}
		}
	}
	ms, err := r.db.FindOutbox(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.SentAt.IsZero() || m.Attempts != 0 {
			t.Errorf("message %s: %+v", m.Key, m)
		}
	}
}
