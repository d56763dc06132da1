package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
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

// robot is a local DingTalk or WeCom group robot: it checks what a real
// one checks and keeps the markdown it got.
type robot struct {
	mu     sync.Mutex
	texts  []string
	srv    *httptest.Server
	secret string
}

func newRobot(t *testing.T, kind, secret string) *robot {
	r := &robot{secret: secret}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
		b, _ := io.ReadAll(q.Body)
		var body struct {
			MsgType  string `json:"msgtype"`
			Markdown struct {
				Title, Text, Content string
			} `json:"markdown"`
		}
		if json.Unmarshal(b, &body) != nil || body.MsgType != "markdown" {
			io.WriteString(w, `{"errcode":40008,"errmsg":"invalid message type"}`)
			return
		}
		text := body.Markdown.Text
		if kind == "dingtalk" {
			qs := q.URL.Query()
			mac := hmac.New(sha256.New, []byte(secret))
			mac.Write([]byte(qs.Get("timestamp") + "\n" + secret))
			if qs.Get("sign") != base64.StdEncoding.EncodeToString(mac.Sum(nil)) || body.Markdown.Title == "" {
				io.WriteString(w, `{"errcode":310000,"errmsg":"sign not match"}`)
				return
			}
		} else {
			text = body.Markdown.Content
		}
		r.mu.Lock()
		r.texts = append(r.texts, text)
		r.mu.Unlock()
		io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *robot) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.texts...)
}

// runAt runs a command with the clock at now.
func runAt(t *testing.T, now time.Time, db string, args ...string) (string, error) {
	t.Helper()
	return runClock(now, db, args...)
}

// runClock is runAt without a test (a storetest.Built fill has none).
func runClock(now time.Time, db string, args ...string) (string, error) {
	m, out, errb := testMain()
	m.Now = func() time.Time { return now }
	err := m.Run(context.Background(), append(args, "--db", db))
	return out.String() + errb.String(), err
}

// From ingest to the group chats: a new task is queued in the ingest's
// transaction and reaches the county's DingTalk and WeCom groups; an
// overdue task goes to the county's officials, twice overdue to the
// auditors' group; each message once, linking to the task.
func TestTasksReachTheGroupChats(t *testing.T) {
	g := newGroupChats(t)
	steps.Run(t,
		steps.Step{Name: "new tasks to the county's groups", Run: g.newTasks},
		steps.Step{Name: "overdue to the officials", Run: g.overdue},
		steps.Step{Name: "twice overdue to the auditors", Run: g.twiceOverdue},
	)
}

// groupChats is a database with the counties, 3 km grids, 24 October
// ingested and three group chats of 浑源县: the officials' DingTalk and
// WeCom groups and the auditors' DingTalk group.
type groupChats struct {
	db                    string
	d                     *store.DB
	ding, wecom, auditors *robot
	now                   time.Time
	tasks                 []*skygrid.Task // of 浑源县
}

func newGroupChats(t *testing.T) *groupChats {
	t.Helper()
	dir := t.TempDir()
	g := &groupChats{db: storetest.DSN(t, "n.db"), now: time.Date(2023, 10, 24, 6, 0, 0, 0, time.UTC),
		ding: newRobot(t, "dingtalk", "SECtest"), wecom: newRobot(t, "wecom", ""), auditors: newRobot(t, "dingtalk", "SECaudit")}
	files := writeEmbedded(t, dir, data.Districts)
	day := writeEmbedded(t, dir, data.FIRMSOctober+"/2023-10-24.csv")[0]
	for _, args := range [][]string{
		{"import", "regions", files[0], "--level", "county", "--crs", "cgcs2000"},
		{"grid", "generate", "--cell", "3km"},
		{"notify", "add", "--region", "140225", "--kind", "dingtalk", "--url", g.ding.srv.URL + "/robot/send?access_token=tok1", "--secret", "SECtest", "--audience", "officials"},
		{"notify", "add", "--region", "140225", "--kind", "wecom", "--url", g.wecom.srv.URL + "/cgi-bin/webhook/send?key=k1"},
		{"notify", "add", "--region", "140225", "--kind", "dingtalk", "--url", g.auditors.srv.URL + "/robot/send?access_token=tok2", "--secret", "SECaudit", "--audience", "auditors"},
		{"ingest", day},
	} {
		if out, err := runAt(t, g.now, g.db, args...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	g.d = store.NewDB(g.db)
	if err := g.d.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.d.Close() })
	county := "140225"
	tasks, _, err := g.d.FindTasks(context.Background(), skygrid.TaskFilter{CountyID: &county})
	if err != nil || len(tasks) == 0 {
		t.Fatalf("no tasks in 140225: %v", err)
	}
	g.tasks = tasks
	return g
}

// checkRobot checks the messages a robot got that start with head: want
// of them, each once, each linking to its task.
func checkRobot(t *testing.T, r *robot, want int, head string) {
	t.Helper()
	got := r.got()
	seen := map[string]bool{}
	n := 0
	for _, text := range got {
		if !strings.Contains(text, head) {
			continue
		}
		n++
		key := text[strings.LastIndex(text, "编号 "):]
		if seen[key] {
			t.Errorf("message %s arrived twice", key)
		}
		seen[key] = true
		if !strings.Contains(text, "/#/tasks/") {
			t.Errorf("no link to the task: %s", text)
		}
	}
	if n != want {
		t.Errorf("%d %q messages, want %d", n, head, want)
	}
}

func (g *groupChats) newTasks(t *testing.T) {
	if out, err := runAt(t, g.now, g.db, "notify", "send"); err != nil || !strings.Contains(out, fmt.Sprintf("sent %d", 2*len(g.tasks))) {
		t.Fatalf("send: %v %s (want %d sent: one per task to each of two groups)", err, out, 2*len(g.tasks))
	}
	checkRobot(t, g.ding, len(g.tasks), "新火点任务")
	checkRobot(t, g.wecom, len(g.tasks), "新火点任务")
	checkRobot(t, g.auditors, 0, "新火点任务")
	// Sending again sends nothing.
	if out, _ := runAt(t, g.now, g.db, "notify", "send"); !strings.Contains(out, "sent 0") {
		t.Errorf("second send: %s", out)
	}
}

// overdue: past the report deadline, to the officials' groups.
func (g *groupChats) overdue(t *testing.T) {
	late := g.tasks[0].ReportDue.Add(time.Minute)
	every, _, _ := g.d.FindTasks(context.Background(), skygrid.TaskFilter{})
	if out, err := runAt(t, late, g.db, "escalate"); err != nil || !strings.Contains(out, fmt.Sprintf("%d tasks escalated", len(every))) {
		t.Fatalf("escalate: %v %s", err, out)
	}
	runAt(t, late, g.db, "notify", "send")
	checkRobot(t, g.ding, len(g.tasks), "任务超时")
	checkRobot(t, g.auditors, 0, "任务超时")
	// Running it again at the same time changes nothing.
	if out, _ := runAt(t, late, g.db, "escalate"); !strings.Contains(out, "0 tasks escalated") {
		t.Errorf("escalate twice: %s", out)
	}
}

// twiceOverdue: late by as long again, to the auditors.
func (g *groupChats) twiceOverdue(t *testing.T) {
	ctx, tk := context.Background(), g.tasks[0]
	later := tk.ReportDue.Add(tk.ReportDue.Sub(tk.CreatedAt) + time.Minute)
	runAt(t, later, g.db, "escalate")
	runAt(t, later, g.db, "notify", "send")
	checkRobot(t, g.auditors, len(g.tasks), "严重超时")
	got, _ := g.d.FindTaskByID(ctx, tk.ID)
	if got.Escalation != 2 {
		t.Errorf("escalation %d, want 2", got.Escalation)
	}
	entries, _ := g.d.FindAudit(ctx, "task", fmt.Sprint(tk.ID), 0)
	levels := 0
	for _, e := range entries {
		if e.Action == "task.escalate" {
			levels++
		}
	}
	if levels != 2 {
		t.Errorf("%d escalation audit lines, want 2", levels)
	}
}
