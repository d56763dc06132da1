package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"skygrid"
	"skygrid/internal/steps"
	"skygrid/store"
)

const (
	testToken  = "0123456789abcdef0123456789abcdef"
	testSecret = "SEC0123456789abcdef0123456789abcdef"
)

// outboxDB opens a database with the county 140225 and a DingTalk and a
// webhook channel on it.
func outboxDB(t *testing.T) (*store.DB, *skygrid.Channel, *skygrid.Channel) {
	t.Helper()
	db := MustOpenDB(t)
	ctx := context.Background()
	if err := db.ImportRegions(ctx, []*skygrid.Region{{ID: "140225", Name: "浑源县", Level: skygrid.LevelCounty,
		Geometry: square(113.7, 39.7, 0.3), AreaKm2: 1}}); err != nil {
		t.Fatal(err)
	}
	ding := &skygrid.Channel{RegionID: "140225", Kind: skygrid.ChannelDingTalk,
		URL: "https://oapi.dingtalk.com/robot/send?access_token=" + testToken, Secret: testSecret}
	hook := &skygrid.Channel{RegionID: "140225", Kind: skygrid.ChannelWebhook, URL: "https://example.org/hook", Audience: "officials"}
	for _, c := range []*skygrid.Channel{ding, hook} {
		if err := db.AddChannel(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	return db, ding, hook
}

func TestAddChannel(t *testing.T) {
	db, ding, hook := outboxDB(t)
	ctx := context.Background()
	if ding.ID == 0 || ding.Audience != "all" || !ding.CreatedAt.Equal(now) || hook.Audience != "officials" {
		t.Errorf("added %+v %+v", ding, hook)
	}
	cs, err := db.FindChannels(ctx)
	if err != nil || len(cs) != 2 {
		t.Fatalf("%d channels, %v", len(cs), err)
	}
	if cs[0].ID != ding.ID || cs[0].Secret != testSecret || cs[0].URL != ding.URL || cs[1].Kind != skygrid.ChannelWebhook {
		t.Errorf("found %+v %+v", cs[0], cs[1])
	}
	// The audit log names the channel but not its token or secret.
	audit, err := db.FindAudit(ctx, "notify_channel", fmt.Sprint(ding.ID), 0)
	if err != nil || len(audit) != 1 {
		t.Fatalf("audit %v %v", audit, err)
	}
	a := audit[0]
	if a.Action != "notify.channel.add" || a.Actor != "cli" || !strings.Contains(a.After, "access_token=0123…") ||
		!strings.Contains(a.After, "kind=dingtalk") || !strings.Contains(a.After, "signed=yes") {
		t.Errorf("audit %+v", a)
	}
	if strings.Contains(a.After, testToken) || strings.Contains(a.After, testSecret) || strings.Contains(a.After, "SEC") {
		t.Errorf("audit shows a secret: %s", a.After)
	}

	for _, tt := range []struct {
		name string
		c    skygrid.Channel
		want string
	}{
		{"kind", skygrid.Channel{RegionID: "140225", Kind: "sms", URL: "https://example.org/x"}, `unknown kind "sms"`},
		{"scheme", skygrid.Channel{RegionID: "140225", Kind: "webhook", URL: "ftp://example.org/x"}, "want http or https"},
		{"no host", skygrid.Channel{RegionID: "140225", Kind: "webhook", URL: "http:///x"}, "has no host"},
		{"unparseable", skygrid.Channel{RegionID: "140225", Kind: "webhook", URL: "http://exa mple.org/%zz"}, "does not parse"},
		{"no url", skygrid.Channel{RegionID: "140225", Kind: "webhook"}, "URL required"},
		{"audience", skygrid.Channel{RegionID: "140225", Kind: "webhook", URL: "https://example.org/x", Audience: "everyone"}, `unknown audience "everyone"`},
		{"region", skygrid.Channel{RegionID: "999999", Kind: "webhook", URL: "https://example.org/x"}, `region "999999" not found`},
		{"no token", skygrid.Channel{RegionID: "140225", Kind: "dingtalk", URL: "https://oapi.dingtalk.com/robot/send"}, "?access_token="},
		{"wecom no key", skygrid.Channel{RegionID: "140225", Kind: "wecom", URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"}, "?key="},
		{"secret on wecom", skygrid.Channel{RegionID: "140225", Kind: "wecom", URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + testToken,
			Secret: testSecret}, "DingTalk robots only"},
	} {
		c := tt.c
		err := db.AddChannel(ctx, &c)
		if skygrid.ErrorCode(err) != skygrid.EINVALID || !strings.Contains(skygrid.ErrorMessage(err), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
		if err != nil && (strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), testSecret)) {
			t.Errorf("%s: error shows a secret: %v", tt.name, err)
		}
	}
	dup := *ding
	dup.ID = 0
	if err := db.AddChannel(ctx, &dup); skygrid.ErrorCode(err) != skygrid.ECONFLICT {
		t.Errorf("same URL twice: %v", err)
	}
	if cs, _ := db.FindChannels(ctx); len(cs) != 2 {
		t.Errorf("%d channels after refused ones", len(cs))
	}
}

func msg(key string, ch *skygrid.Channel) *skygrid.OutboxMessage {
	return &skygrid.OutboxMessage{Key: key, ChannelID: ch.ID, Event: skygrid.NotifyTaskCreated, TaskID: 7,
		Title: "火情 " + key, Text: "### 火情\n编号 " + key}
}

func TestQueueOutboxOnce(t *testing.T) {
	db, ding, _ := outboxDB(t)
	ctx := context.Background()
	first := msg("task.created:7:1", ding)
	if err := db.QueueOutbox(ctx, []*skygrid.OutboxMessage{first}); err != nil {
		t.Fatal(err)
	}
	// The same change again, in a later and in the same transaction.
	again, twice := msg("task.created:7:1", ding), msg("task.created:7:1", ding)
	again.Title = "changed"
	if err := db.QueueOutbox(ctx, []*skygrid.OutboxMessage{again, twice}); err != nil {
		t.Fatal(err)
	}
	ms, err := db.FindOutbox(ctx, 0)
	if err != nil || len(ms) != 1 {
		t.Fatalf("%d messages, %v", len(ms), err)
	}
	m := ms[0]
	if first.ID == 0 || again.ID != first.ID || twice.ID != first.ID || m.ID != first.ID {
		t.Errorf("ids %d %d %d %d", first.ID, again.ID, twice.ID, m.ID)
	}
	if m.Title != "火情 task.created:7:1" || m.Kind != skygrid.ChannelDingTalk || m.TaskID != 7 || m.Payload != "{}" ||
		!m.NextAt.Equal(now) || !m.CreatedAt.Equal(now) || !m.SentAt.IsZero() || m.URL != "" || m.Secret != "" {
		t.Errorf("stored %+v", m)
	}

	for _, bad := range []*skygrid.OutboxMessage{
		{ChannelID: ding.ID, Event: "task.created"},
		{Key: "k", Event: "task.created"},
		{Key: "k", ChannelID: ding.ID},
		{Key: "k", ChannelID: ding.ID, Event: "task.created", Payload: "{not json"},
		{Key: "k", ChannelID: 999, Event: "task.created"},
	} {
		if err := db.QueueOutbox(ctx, []*skygrid.OutboxMessage{bad}); skygrid.ErrorCode(err) != skygrid.EINVALID {
			t.Errorf("queue %+v: %v", bad, err)
		}
	}
}

func ids(ms []*skygrid.OutboxMessage) []int64 {
	var out []int64
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func TestClaimMarkOutbox(t *testing.T) {
	db, ding, hook := outboxDB(t)
	c := &claimRun{db: db, ding: ding, hook: hook, a: msg("a", ding), b: msg("b", hook), later: msg("later", ding)}
	c.later.NextAt = now.Add(time.Hour)
	if err := db.QueueOutbox(context.Background(), []*skygrid.OutboxMessage{c.a, c.b, c.later}); err != nil {
		t.Fatal(err)
	}
	steps.Run(t,
		steps.Step{Name: "claim what is due", Run: c.claimDue},
		steps.Step{Name: "a fails, b is sent", Run: c.failAndSend},
		steps.Step{Name: "release", Run: c.release},
		steps.Step{Name: "sent never claimed again", Run: c.sentNeverAgain},
		steps.Step{Name: "late and unknown marks", Run: c.lateMarks},
	)
}

// claimNext is when the failed message a is due again.
var claimNext = now.Add(2*time.Minute + 10*time.Second)

// claimRun is an outbox with a and b due now, later due in an hour.
type claimRun struct {
	db          *store.DB
	ding, hook  *skygrid.Channel
	a, b, later *skygrid.OutboxMessage
}

func (c *claimRun) claimDue(t *testing.T) {
	db, a, b, ding, hook := c.db, c.a, c.b, c.ding, c.hook
	ctx := context.Background()
	// Due messages only, by id, with the channel's kind, URL and secret.
	got, err := db.ClaimOutbox(ctx, now, 10, time.Minute)
	if err != nil || len(got) != 2 || got[0].ID != a.ID || got[1].ID != b.ID {
		t.Fatalf("claimed %v, %v", ids(got), err)
	}
	if got[0].Kind != skygrid.ChannelDingTalk || got[0].URL != ding.URL || got[0].Secret != testSecret ||
		got[1].Kind != skygrid.ChannelWebhook || got[1].URL != hook.URL || got[0].Text != a.Text || got[0].Key != "a" {
		t.Errorf("claimed %+v %+v", got[0], got[1])
	}
	// Claimed: no other claim takes them until the lease ends.
	if got, err := db.ClaimOutbox(ctx, now.Add(30*time.Second), 10, time.Minute); err != nil || len(got) != 0 {
		t.Errorf("claimed again %v, %v", ids(got), err)
	}
	// The worker died: after the lease they return, one at a time with n=1.
	if got, err := db.ClaimOutbox(ctx, now.Add(time.Minute), 1, time.Minute); err != nil || len(got) != 1 || got[0].ID != a.ID {
		t.Errorf("after the lease %v, %v", ids(got), err)
	}
}

func (c *claimRun) failAndSend(t *testing.T) {
	db, a, b := c.db, c.a, c.b
	ctx := context.Background()
	next := claimNext
	// a fails: one attempt, the reason, not due before next.
	if err := db.MarkFailed(ctx, a.ID, "errcode 310000: sign not match", next); err != nil {
		t.Fatal(err)
	}
	// b is sent.
	if err := db.MarkSent(ctx, b.ID, now.Add(time.Minute+5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if got, err := db.ClaimOutbox(ctx, now.Add(2*time.Minute), 10, time.Minute); err != nil || len(got) != 0 {
		t.Errorf("claimed before next_at %v, %v", ids(got), err)
	}
	got, err := db.ClaimOutbox(ctx, next, 10, time.Minute)
	if err != nil || len(got) != 1 || got[0].ID != a.ID || got[0].Attempts != 1 || got[0].LastError != "errcode 310000: sign not match" {
		t.Fatalf("claimed at next_at %+v, %v", got, err)
	}
}

func (c *claimRun) release(t *testing.T) {
	db, a := c.db, c.a
	ctx := context.Background()
	next := claimNext
	// Released messages can be claimed at once.
	if err := db.ReleaseOutbox(ctx, []int64{a.ID}); err != nil {
		t.Fatal(err)
	}
	if got, err := db.ClaimOutbox(ctx, next, 10, time.Minute); err != nil || len(got) != 1 || got[0].ID != a.ID {
		t.Errorf("claimed after release %v, %v", ids(got), err)
	}
	if err := db.MarkSent(ctx, a.ID, next.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
}

func (c *claimRun) sentNeverAgain(t *testing.T) {
	db, a, b, later := c.db, c.a, c.b, c.later
	ctx := context.Background()
	next := claimNext
	// Sent messages are never claimed again, even long after.
	got, err := db.ClaimOutbox(ctx, now.Add(2*time.Hour), 10, time.Minute)
	if err != nil || len(got) != 1 || got[0].ID != later.ID {
		t.Errorf("claimed at +2h %v, %v", ids(got), err)
	}
	ms, err := db.FindOutbox(ctx, 0)
	if err != nil || len(ms) != 3 || ms[0].ID != later.ID {
		t.Fatalf("outbox %v, %v", ids(ms), err)
	}
	byID := map[int64]*skygrid.OutboxMessage{}
	for _, m := range ms {
		byID[m.ID] = m
	}
	if m := byID[a.ID]; !m.SentAt.Equal(next.Add(time.Second)) || m.Attempts != 1 {
		t.Errorf("a: %+v", m)
	}
	if m := byID[b.ID]; !m.SentAt.Equal(now.Add(time.Minute+5*time.Second)) || m.Attempts != 0 || m.LastError != "" {
		t.Errorf("b: %+v", m)
	}
}

func (c *claimRun) lateMarks(t *testing.T) {
	db, b := c.db, c.b
	ctx := context.Background()
	// Failing a sent message changes nothing; marking it sent again keeps the first time.
	if err := db.MarkFailed(ctx, b.ID, "late", now.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSent(ctx, b.ID, now.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ms, _ := db.FindOutbox(ctx, 0); ms[1].ID != b.ID || !ms[1].SentAt.Equal(now.Add(time.Minute+5*time.Second)) || ms[1].Attempts != 0 {
		t.Errorf("b after late marks: %+v", ms[1])
	}
	if err := db.MarkSent(ctx, 999, now); skygrid.ErrorCode(err) != skygrid.ENOTFOUND {
		t.Errorf("mark unknown sent: %v", err)
	}
	if err := db.MarkFailed(ctx, 999, "x", now); skygrid.ErrorCode(err) != skygrid.ENOTFOUND {
		t.Errorf("mark unknown failed: %v", err)
	}
	if ms, _ := db.FindOutbox(ctx, 2); len(ms) != 2 {
		t.Errorf("limit 2: %d", len(ms))
	}
}

// Two workers with their own connections claim from one file: no message
// is claimed twice and none is left.
func TestClaimOutboxTwoWorkers(t *testing.T) {
	db, ding, _ := outboxDB(t)
	ctx := context.Background()
	var msgs []*skygrid.OutboxMessage
	for i := range 200 {
		msgs = append(msgs, msg(fmt.Sprintf("m%d", i), ding))
	}
	if err := db.QueueOutbox(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	claims := map[int64]int{}
	var wg sync.WaitGroup
	for w := range 2 {
		other := store.NewDB(db.DSN)
		other.Now = func() time.Time { return now }
		if err := other.Open(); err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				got, err := other.ClaimOutbox(ctx, now, 3, time.Minute)
				if err != nil {
					t.Errorf("worker %d: %v", w, err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, m := range got {
					claims[m.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(claims) != 200 {
		t.Errorf("%d messages claimed", len(claims))
	}
	for id, n := range claims {
		if n != 1 {
			t.Errorf("message %d claimed %d times", id, n)
		}
	}
}
