package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
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
	"skygrid/notify/notifytest"
	"skygrid/store"
)

// Provider credentials of the end-to-end test (found by substring if
// they leak).
const (
	e2eAliSecret = "AliyunSecret-e2e-5d4c3b2a19080f1e2d3c"
	e2eTcKey     = "TencentKey-e2e-a1b2c3d4e5f60718293a"
	e2eDingSec   = "DingTalkSecret-e2e-0a9b8c7d6e5f4a3b2c1d"
	e2eSign      = "大同生态环境"
)

// syncBuffer is a log buffer the server writes from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// e2eMain is a Main at the clock with the DingTalk secret in its
// environment and its log in logs.
func e2eMain(now func() time.Time, logs io.Writer) (*Main, *bytes.Buffer) {
	m, out, _ := testMain()
	m.Stderr = out
	m.Now = now
	m.Getenv = func(k string) string {
		if k == "SKYGRID_DINGTALK_APP_SECRET" {
			return e2eDingSec
		}
		return ""
	}
	if logs != nil {
		m.Logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	return m, out
}

// Supervisors are told personally, end to end through the real commands
// and the server, for each SMS provider: a new task by SMS and DingTalk
// work notice to the grid's registered supervisor (looked up by mobile),
// the overdue reminder to the supervisor user who covers the grid by then
// (by DingTalk id); provider errors are tried again; each stand-in gets
// each message once; no secret or access token shows in the log, the
// outputs, /api/outbox or the audit log.
func TestSupervisorsAreToldPersonally(t *testing.T) {
	for _, provider := range []string{"aliyun", "tencent"} {
		t.Run(provider, func(t *testing.T) { testToldPersonally(t, provider) })
	}
}

func testToldPersonally(t *testing.T, provider string) {
	dir := t.TempDir()
	r := &toldRun{dir: dir, db: storetest.DSN(t, "p.db"), provider: provider, logs: &syncBuffer{}}
	files := writeEmbedded(t, dir, data.Districts)
	r.day = writeEmbedded(t, dir, data.FIRMSOctober+"/2023-10-24.csv")[0]
	r.providers = startProviders(t, dir, provider)
	r.cli(t, "import", "regions", files[0], "--level", "county", "--crs", "cgcs2000")
	r.cli(t, "grid", "generate", "--cell", "3km")
	r.phones = registerSupervisors(t, r.db, dir, r.dt, func(args ...string) string { return r.cli(t, args...) })
	// Each step goes on from the one before (steps.Run).
	steps.Run(t,
		steps.Step{Name: "new tasks to the registered supervisors", Run: r.newTasksSent},
		steps.Step{Name: "a supervisor user covers a grid", Run: r.supervisorUser},
		steps.Step{Name: "serve past every deadline", Run: r.servePastDeadlines},
		steps.Step{Name: "overdue reminders to the user", Run: r.overdueToTheUser},
		steps.Step{Name: "no secret shows", Run: r.noSecretShows},
	)
}

// toldRun is one end-to-end run for one SMS provider: the database, the
// stand-ins, what the commands printed and what the steps found.
type toldRun struct {
	*providers
	dir, db, day, provider string
	logs                   *syncBuffer
	outputs                strings.Builder
	phones                 map[string]string
	tasks                  []*skygrid.Task
	grid                   string // the grid the supervisor user covers
	wantOverdue            int
	apiOutbox, audit       string
}

// cli runs a command on the run's database and configuration.
func (r *toldRun) cli(t *testing.T, args ...string) string {
	t.Helper()
	m, out := e2eMain(r.clk.Now, r.logs)
	if err := m.Run(context.Background(), append(args, "--db", r.db, "--config", r.cfg)); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
	return out.String()
}

// newTasksSent: the day's fires, each task queued for its grid's
// registered supervisor.
func (r *toldRun) newTasksSent(t *testing.T) {
	r.cli(t, "ingest", r.day)
	r.tasks = openTasks(t, r.db)
	if len(r.tasks) == 0 {
		t.Fatal("no tasks")
	}
	list := r.cli(t, "notify", "list", "--outbox", "--limit", "0")
	r.outputs.WriteString(list)
	if !strings.Contains(list, fmt.Sprintf("%d messages", 2*len(r.tasks))) || !strings.Contains(list, r.kind) ||
		!strings.Contains(list, "dingtalk_work  mobile:139****") {
		t.Fatalf("notify list --outbox:\n%s", list)
	}
	send := r.cli(t, "notify", "send")
	r.outputs.WriteString(send)
	if !strings.Contains(send, fmt.Sprintf("sent %d, failed 0", 2*len(r.tasks))) {
		t.Fatalf("send: %s", send)
	}
	for _, s := range r.received() {
		if r.phones[s.Phone] == "" || !strings.HasPrefix(s.Key, "task.created/") || s.SignName != e2eSign {
			t.Errorf("SMS %+v", s)
		}
	}
}

// supervisorUser: a supervisor user now covers the first task's grid.
func (r *toldRun) supervisorUser(t *testing.T) {
	r.grid = r.tasks[0].GridID
	pw := filepath.Join(r.dir, "pw")
	os.WriteFile(pw, []byte("a good password\n"), 0o600)
	add := r.cli(t, "user", "add", "--name", "wangge", "--role", "supervisor", "--region", r.grid, "--phone", "+86 139 5234 0001",
		"--dingtalk-id", "wangge000001", "--password-file", pw)
	users := r.cli(t, "user", "list")
	r.outputs.WriteString(add + users)
	if !strings.Contains(add, "phone 139****0001 dingtalk wan****0001") || !strings.Contains(users, "139****0001\tdingtalk:wan****0001") ||
		strings.Contains(users, "13952340001") || strings.Contains(users, "wangge000001") {
		t.Errorf("user add/list:\n%s%s", add, users)
	}
	r.dt.AddUser("wangge000001", "")
}

// servePastDeadlines: the server, past every deadline: the overdue
// reminders, the first attempt of three refused with answers that quote
// secrets.
func (r *toldRun) servePastDeadlines(t *testing.T) {
	clk := r.clk
	r.ali.FailNext(200, `{"Code":"isv.BUSINESS_LIMIT_CONTROL","Message":"流控 `+e2eAliSecret+`"}`)
	r.tc.FailNext(200, `{"Response":{"Error":{"Code":"InternalError.Timeout","Message":"超时 `+e2eTcKey+`"},"RequestId":"r"}}`)
	r.dt.FailNext(200, `{"errcode":-1,"errmsg":"系统繁忙 {access_token} `+e2eDingSec+`"}`)
	clk.Set(r.tasks[0].ReportDue.Add(time.Minute))
	url, stop := serveAt(t, r.db, r.cfg, clk, r.logs)
	admin := addAdmin(t, r.db)
	for _, tk := range r.tasks {
		if tk.EscalationDue(clk.Now()) >= 1 {
			r.wantOverdue++
		}
	}
	total := 2*len(r.tasks) + 2*r.wantOverdue
	// Every message tried once (the worker idle: none in flight while the
	// clock moves), then the failed ones due again.
	waitOutbox(t, r.db, func(ms []*skygrid.OutboxMessage) bool { return len(ms) >= total && unsent(ms) == failedOnce(ms, true) })
	if n := failedOnce(openOutbox(t, r.db), false); n != 2 {
		t.Errorf("%d messages failed, want 2 (the refused SMS and work notice)", n)
	}
	clk.Set(clk.Now().Add(time.Hour))
	waitOutbox(t, r.db, func(ms []*skygrid.OutboxMessage) bool { return len(ms) >= total && unsent(ms) == 0 })
	r.apiOutbox = apiGet(t, url+"/api/outbox?limit=5000", admin)
	r.audit = apiGet(t, url+"/api/audit?limit=10000", admin)
	stop()
}

// overdueToTheUser: the overdue reminders went to the supervisor user of
// the grid, and each stand-in got each message once.
func (r *toldRun) overdueToTheUser(t *testing.T) {
	overdueToUser := 0
	for _, s := range r.received() {
		if strings.HasPrefix(s.Key, "task.overdue/") && s.Phone == "13952340001" {
			overdueToUser++
		}
	}
	for _, w := range r.dt.Messages() {
		if strings.HasPrefix(w.Key, "task.overdue/") && w.UserID == "wangge000001" && !strings.Contains(w.Link, "/#/tasks/") {
			t.Errorf("work notice without the task's link: %+v", w)
		}
	}
	inGrid := 0
	for _, tk := range r.tasks {
		if tk.GridID == r.grid {
			inGrid++
		}
	}
	if overdueToUser != inGrid {
		t.Errorf("%d overdue SMS to the grid's supervisor user, want %d (the tasks in %s)", overdueToUser, inGrid, r.grid)
	}
	checkOnce(t, r.received(), r.dt.Messages(), 2*len(r.tasks)+2*r.wantOverdue)
}

// noSecretShows: no secret or access token in the log, the outputs,
// /api/outbox or the audit log; the outbox shows masked recipients and
// errors.
func (r *toldRun) noSecretShows(t *testing.T) {
	for where, s := range map[string]string{"the log": r.logs.String(), "the outputs": r.outputs.String(), "/api/outbox": r.apiOutbox, "the audit log": r.audit} {
		for _, secret := range []string{e2eAliSecret, e2eTcKey, e2eDingSec, "standin-token-", "13952340001", "wangge000001"} {
			if strings.Contains(s, secret) {
				t.Errorf("%s shows %q", where, secret)
			}
		}
	}
	for _, want := range []string{`"recipient":"139****0001"`, `"kind":"` + r.kind + `"`, `"recipient":"userid:wan****0001"`,
		map[string]string{"aliyun": "流控 …", "tencent": "超时 …"}[r.provider], "系统繁忙 … …"} {
		if !strings.Contains(r.apiOutbox, want) {
			t.Errorf("/api/outbox lacks %s: %.1000s", want, r.apiOutbox)
		}
	}
	if !strings.Contains(r.logs.String(), "personal notifications to grid supervisors") {
		t.Errorf("the serve log does not say what goes out:\n%.3000s", r.logs.String())
	}
}

// providers are the stand-ins of one end-to-end run and the config file
// that points at them: the SMS provider's and DingTalk's.
type providers struct {
	clk      *e2eClock
	ali      *notifytest.Aliyun
	tc       *notifytest.Tencent
	dt       *notifytest.DingTalk
	cfg      string
	kind     string
	received func() []notifytest.SMS
}

func startProviders(t *testing.T, dir, provider string) *providers {
	clk := &e2eClock{t: time.Date(2023, 10, 24, 6, 0, 0, 0, time.UTC)}
	pv := &providers{clk: clk, cfg: filepath.Join(dir, "skygrid.toml"), kind: skygrid.ChannelAliyunSMS,
		ali: notifytest.NewAliyun(t, "LTAI5tE2eKeyId", e2eAliSecret, e2eSign, "SMS_468290012"),
		tc:  notifytest.NewTencent(t, "AKIDe2eSecretId000000000000", e2eTcKey, "1400987654", e2eSign, "2199001"),
		dt:  notifytest.NewDingTalk(t, "dinge2eappkey", e2eDingSec, 2233445566)}
	pv.ali.Now, pv.tc.Now, pv.dt.Now = clk.Now, clk.Now, clk.Now
	pv.received = pv.ali.Messages
	sms := fmt.Sprintf("provider = \"aliyun\"\naccess_key_id = \"LTAI5tE2eKeyId\"\naccess_key_secret = %q\nsign_name = %q\n"+
		"template_code = \"SMS_468290012\"\ntemplate_params = [\"task=task_id\", \"class\", \"place\", \"deadline\"]\nbase_url = %q\n",
		e2eAliSecret, e2eSign, pv.ali.URL)
	if provider == "tencent" {
		pv.kind, pv.received = skygrid.ChannelTencentSMS, pv.tc.Messages
		sms = fmt.Sprintf("provider = \"tencent\"\nsecret_id = \"AKIDe2eSecretId000000000000\"\nsecret_key = %q\nsign_name = %q\n"+
			"template_id = \"2199001\"\nsdk_app_id = \"1400987654\"\nbase_url = %q\n", e2eTcKey, e2eSign, pv.tc.URL)
	}
	// The DingTalk secret is in the environment only (e2eMain).
	ding := fmt.Sprintf("[notify.dingtalk_app]\napp_key = \"dinge2eappkey\"\nagent_id = 2233445566\nbase_url = %q\n", pv.dt.URL)
	if err := os.WriteFile(pv.cfg, []byte("[notify.sms]\n"+sms+ding), 0o600); err != nil {
		t.Fatal(err)
	}
	return pv
}

// e2eClock is a settable clock shared by the commands, the server and the
// stand-ins.
type e2eClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *e2eClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *e2eClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// registerSupervisors imports a registered supervisor for every grid
// (phones written with hyphens) and registers their mobiles with the
// DingTalk stand-in; it returns the mobiles.
func registerSupervisors(t *testing.T, db, dir string, dt *notifytest.DingTalk, cli func(...string) string) map[string]string {
	t.Helper()
	d := store.NewDB(db)
	if err := d.Open(); err != nil {
		t.Fatal(err)
	}
	level := skygrid.LevelGrid
	grids, _, err := d.FindRegions(context.Background(), skygrid.RegionFilter{Level: &level})
	d.Close()
	if err != nil || len(grids) == 0 {
		t.Fatalf("%d grids, %v", len(grids), err)
	}
	csv := "grid_id,name,phone\n"
	phones := map[string]string{}
	for i, g := range grids {
		mobile := fmt.Sprintf("1390%07d", i)
		csv += fmt.Sprintf("%s,示例网格员 %04d,%s-%s-%s\n", g.ID, i, mobile[:3], mobile[3:7], mobile[7:])
		phones[mobile] = g.ID
		dt.AddUser(fmt.Sprintf("reg%05d", i), mobile)
	}
	p := filepath.Join(dir, "supervisors.csv")
	os.WriteFile(p, []byte(csv), 0o644)
	cli("import", "supervisors", p)
	return phones
}

func openTasks(t *testing.T, db string) []*skygrid.Task {
	t.Helper()
	d := store.NewDB(db)
	if err := d.Open(); err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ts, _, err := d.FindTasks(context.Background(), skygrid.TaskFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []*skygrid.Task
	for _, tk := range ts {
		if tk.GridID != "" {
			out = append(out, tk)
		}
	}
	return out
}

// serveAt runs skygrid serve on port 0 with the configuration and clock.
func serveAt(t *testing.T, db, cfg string, clk *e2eClock, logs io.Writer) (string, func()) {
	t.Helper()
	m, out := e2eMain(clk.Now, logs)
	ready := make(chan string, 1)
	m.Ready = func(url string) { ready <- url }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- m.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--data", dataDir(t, db), "--config", cfg})
	}()
	select {
	case url := <-ready:
		return url, func() {
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		}
	case err := <-done:
		t.Fatalf("serve ended: %v\n%s", err, out)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	return "", nil
}

// waitOutbox polls the outbox until ok or 60 s.
func waitOutbox(t *testing.T, db string, ok func([]*skygrid.OutboxMessage) bool) {
	t.Helper()
	d := store.NewDB(db)
	if err := d.Open(); err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var ms []*skygrid.OutboxMessage
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var err error
		if ms, err = d.FindOutbox(context.Background(), 0); err != nil {
			t.Fatal(err)
		}
		if ok(ms) {
			return
		}
	}
	t.Fatalf("the outbox did not get there: %d messages, %d unsent, %d failed once", len(ms), unsent(ms), failedOnce(ms, false))
}

func unsent(ms []*skygrid.OutboxMessage) int {
	n := 0
	for _, m := range ms {
		if m.SentAt.IsZero() {
			n++
		}
	}
	return n
}

// failedOnce counts the messages that failed at least once (unsent only:
// those waiting to be tried again).
func failedOnce(ms []*skygrid.OutboxMessage, unsentOnly bool) int {
	n := 0
	for _, m := range ms {
		if m.Attempts > 0 && (!unsentOnly || m.SentAt.IsZero()) {
			n++
		}
	}
	return n
}

func openOutbox(t *testing.T, db string) []*skygrid.OutboxMessage {
	t.Helper()
	d := store.NewDB(db)
	if err := d.Open(); err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ms, err := d.FindOutbox(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func apiGet(t *testing.T, url, token string) string {
	t.Helper()
	rq, _ := http.NewRequest("GET", url, nil)
	rq.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}

// checkOnce checks that every message arrived once (by recipient and key)
// and that there are want in all.
func checkOnce(t *testing.T, sms []notifytest.SMS, works []notifytest.Work, want int) {
	t.Helper()
	seen := map[string]int{}
	for _, s := range sms {
		seen["sms "+s.Phone+" "+s.Key]++
	}
	for _, w := range works {
		seen["dingtalk "+w.UserID+" "+w.Key]++
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s arrived %d times", k, n)
		}
	}
	if len(seen) != want || len(sms)+len(works) != want {
		t.Errorf("%d distinct messages of %d received, want %d", len(seen), len(sms)+len(works), want)
	}
}

// user add checks the phone and the DingTalk id.
func TestUserAddChecksContacts(t *testing.T) {
	db := storetest.DSN(t, "u.db")
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte("a good password\n"), 0o600)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--phone", "139"}, "11-digit mainland mobile"},
		{[]string{"--phone", "139\x1b[0m52340001"}, "control characters"},
		{[]string{"--dingtalk-id", "a,b"}, "no spaces, commas"},
	} {
		out, err := run(t, db, append([]string{"user", "add", "--name", "x", "--role", "auditor", "--password-file", pw}, tt.args...)...)
		if err == nil || !strings.Contains(errorText(err), tt.want) {
			t.Errorf("%v: %v, want %q\n%s", tt.args, err, tt.want, out)
		}
	}
	out, err := run(t, db, "user", "add", "--name", "y", "--role", "auditor", "--password-file", pw, "--phone", "0352-1234567", "--dingtalk-id", "manager4220")
	if err != nil || !strings.Contains(out, "phone 035****4567 dingtalk man****4220") {
		t.Errorf("add: %v\n%s", err, out)
	}
}

// Without a provider, serve says once that no personal message goes out,
// and the store is told to queue none.
func TestServeSaysPersonalNoticesAreOff(t *testing.T) {
	var logs syncBuffer
	m, _, _ := testMain()
	m.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	db, cfg, err := m.open(&common{db: storetest.DSN(t, "s.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := m.pipeline(db, cfg); err != nil {
		t.Fatal(err)
	}
	w := m.notifyWorker(db, cfg)
	if len(w.Senders) != 0 || len(db.PersonalKinds) != 0 || strings.Count(logs.String(), "personal notifications off") != 1 {
		t.Errorf("senders %v, kinds %v, log:\n%s", w.Senders, db.PersonalKinds, logs.String())
	}
}
