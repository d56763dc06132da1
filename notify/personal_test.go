package notify_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"skygrid"
	"skygrid/internal/steps"
	"skygrid/internal/storetest"
	"skygrid/notify"
	"skygrid/notify/notifytest"
	"skygrid/store"
)

// Credentials of the stand-ins: long and unlike anything else, so that a
// leak is found by substring.
const (
	aliKeyID     = "LTAI5tStandInKeyId0001"
	aliSecret    = "AliyunAccessKeySecret-0f1e2d3c4b5a69788796a5b4"
	tcSecretID   = "AKIDStandInSecretId0000000000000001"
	tcSecretKey  = "TencentSecretKey-9a8b7c6d5e4f3a2b1c0d9e8f"
	tcAppID      = "1400987654"
	dtAppKey     = "dingstandinappkey0001"
	dtAppSecret  = "DingTalkAppSecret-7e6d5c4b3a29180f7e6d5c4b3a2918"
	dtAgentID    = 2233445566
	signName     = "大同生态环境"
	aliTemplate  = "SMS_468290012"
	tcTemplate   = "2199001"
	phone        = "13852345678"
	phoneMasked  = "138****5678"
	dingUserID   = "zhangsan0420"
	dingMobile   = "13952340001"
	beijingStart = "2023-10-24T14:00:00+08:00"
)

// secrets are every secret a test may see leak (tokens are checked apart).
var secrets = []string{aliSecret, tcSecretKey, dtAppSecret}

func noLeak(t *testing.T, where, s string, more ...string) {
	t.Helper()
	for _, v := range append(append([]string{}, secrets...), more...) {
		if v != "" && strings.Contains(s, v) {
			t.Errorf("%s shows the secret %q: %s", where, v, s)
		}
	}
	if strings.Contains(s, "standin-token-") {
		t.Errorf("%s shows an access token: %s", where, s)
	}
}

func startClock() *clock {
	t0, _ := time.Parse(time.RFC3339, beijingStart)
	return &clock{t: t0.UTC()}
}

// notice is the payload of a personal message about task 42.
func notice(t0 time.Time) skygrid.Notice {
	return skygrid.Notice{Event: skygrid.NotifyTaskCreated, TaskID: 42, EventID: 7, Class: skygrid.ClassStrawBurning, GridID: "140225-012",
		Place: "浑源县 王庄堡镇 第12网格", Lon: 113.70123, Lat: 39.70123, FirstSeen: t0.Add(-30 * time.Minute), ReportDue: t0.Add(time.Hour),
		Version: 1, Link: "https://skygrid.example.org/#/tasks/42"}
}

// personal returns the message PersonalMessages makes for one person and kind.
func personal(t *testing.T, n skygrid.Notice, kind string, p skygrid.Person) *skygrid.OutboxMessage {
	t.Helper()
	payload, _ := json.Marshal(n)
	ms := skygrid.PersonalMessages(n, []skygrid.Person{p}, []string{kind}, string(payload))
	if len(ms) != 1 {
		t.Fatalf("%d messages for %s", len(ms), kind)
	}
	return ms[0]
}

var zhang = skygrid.Person{Ref: "user-3", Name: "张三", Phone: phone}

func aliyunConfig(base string) notify.Config {
	c := notify.DefaultConfig()
	c.SMS = notify.SMSConfig{Provider: "aliyun", AccessKeyID: aliKeyID, AccessKeySecret: aliSecret, SignName: signName,
		TemplateCode: aliTemplate, TemplateParams: []string{"task=task_id", "class", "place", "deadline"}, MaxParamChars: 20, BaseURL: base}
	return c
}

func tencentConfig(base string) notify.Config {
	c := notify.DefaultConfig()
	c.SMS = notify.SMSConfig{Provider: "tencent", SecretID: tcSecretID, SecretKey: tcSecretKey, SdkAppID: tcAppID, SignName: signName,
		TemplateID: tcTemplate, Region: "ap-beijing", TemplateParams: []string{"task_id", "class", "place", "deadline"}, MaxParamChars: 6, BaseURL: base}
	return c
}

func dingConfig(base string) notify.Config {
	c := notify.DefaultConfig()
	c.DingTalkApp = notify.DingTalkAppConfig{AppKey: dtAppKey, AppSecret: dtAppSecret, AgentID: dtAgentID, BaseURL: base, MsgType: "action_card"}
	return c
}

func sender(t *testing.T, c notify.Config, kind string, clk *clock) notify.Sender {
	t.Helper()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	s := c.Senders(nil, clk.Now)[kind]
	if s == nil {
		t.Fatalf("no %s sender", kind)
	}
	return s
}

// Aliyun's documented example (the RPC signature of DescribeRegions with
// the secret "testsecret", GET): a fixed vector from outside this project.
func TestAliyunSignatureDocumentedExample(t *testing.T) {
	q := url.Values{"Timestamp": {"2016-02-23T12:46:24Z"}, "Format": {"XML"}, "AccessKeyId": {"testid"}, "Action": {"DescribeRegions"},
		"SignatureMethod": {"HMAC-SHA1"}, "SignatureNonce": {"3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"}, "Version": {"2014-05-26"},
		"SignatureVersion": {"1.0"}, "Signature": {"left out"}}
	if got := notify.AliyunSignature("testsecret", "GET", q); got != "OLeaidS1JvxuMvnyHOwuJ+uX5qY=" {
		t.Errorf("signature %s, want OLeaidS1JvxuMvnyHOwuJ+uX5qY=", got)
	}
}

// Tencent Cloud's documented example (CVM DescribeInstances, timestamp
// 1551113065, signed headers content-type;host).
func TestTC3SignatureDocumentedExample(t *testing.T) {
	payload := []byte(`{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`)
	canonical, signed := notify.TC3CanonicalRequest("POST", "/", "", [][2]string{{"Content-Type", "application/json; charset=utf-8"},
		{"Host", "cvm.tencentcloudapi.com"}}, payload)
	sum := sha256.Sum256([]byte(canonical))
	if signed != "content-type;host" || !strings.HasSuffix(canonical, "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064") ||
		hex.EncodeToString(sum[:]) != "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031" {
		t.Errorf("canonical request %q (signed %s)", canonical, signed)
	}
	if got := notify.TC3Signature("Gu5t9xGARNpq86cd98joQYCN3*******", "cvm", 1551113065, canonical); got !=
		"2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c" {
		t.Errorf("signature %s", got)
	}
}

// Aliyun SMS against its stand-in: the signature recomputed there from
// the secret, the phone, signature name, template and named parameters;
// error answers fail (to be tried again) without showing a secret or the
// phone.
func TestAliyunSMS(t *testing.T) {
	ctx := context.Background()
	clk := startClock()
	ali := notifytest.NewAliyun(t, aliKeyID, aliSecret, signName, aliTemplate)
	ali.Now = clk.Now
	n := notice(clk.Now())
	m := personal(t, n, skygrid.ChannelAliyunSMS, zhang)
	s := sender(t, aliyunConfig(ali.URL), skygrid.ChannelAliyunSMS, clk)
	if err := s.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	got := ali.Messages()
	want := map[string]string{"task": "42", "class": "疑似秸秆焚烧", "place": "浑源县 王庄堡镇 第12网格", "deadline": "10月24日15:00"}
	if len(got) != 1 || got[0].Phone != phone || got[0].SignName != signName || got[0].Template != aliTemplate || got[0].Key != m.Key ||
		fmt.Sprint(got[0].Named) != fmt.Sprint(want) {
		t.Fatalf("received %+v, want the parameters %v", got, want)
	}

	for _, tt := range []struct {
		name string
		s    notify.Sender
		fail func()
		want string
	}{
		{"flow control", s, func() {
			ali.FailNext(200, `{"RequestId":"x","Code":"isv.BUSINESS_LIMIT_CONTROL","Message":"触发小时级流控Permits:5"}`)
		}, "Code isv.BUSINESS_LIMIT_CONTROL: 触发小时级流控"},
		{"HTTP 500", s, func() {
			ali.FailNext(500, `{"Code":"ServiceUnavailable","Message":"The request has failed due to a temporary failure"}`)
		},
			"HTTP 500, Code ServiceUnavailable"},
		{"not an answer", s, func() { ali.FailNext(502, `<html>bad gateway</html>`) }, "not an Aliyun answer"},
		{"wrong secret", sender(t, func() notify.Config {
			c := aliyunConfig(ali.URL)
			c.SMS.AccessKeySecret = "WrongAliyunSecret-000000000000"
			return c
		}(), skygrid.ChannelAliyunSMS, clk), func() {}, "Code SignatureDoesNotMatch"},
		{"clock off", sender(t, aliyunConfig(ali.URL), skygrid.ChannelAliyunSMS, &clock{t: clk.Now().Add(-time.Hour)}), func() {},
			"InvalidTimeStamp.Expired"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.fail()
			err := tt.s.Send(ctx, m)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "aliyun_sms to "+phoneMasked+": ") {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
			noLeak(t, "the error", err.Error(), "WrongAliyunSecret-000000000000", phone)
		})
	}
	if n := len(ali.Messages()); n != 1 {
		t.Errorf("%d messages taken after the failures", n)
	}
}

// Tencent Cloud SMS against its stand-in: TC3-HMAC-SHA256 recomputed there,
// the body's phone (+86), application, signature name, template and
// ordered parameters (cut to max_param_chars); Response.Error and a send
// status other than Ok are failures.
func TestTencentSMS(t *testing.T) {
	ctx := context.Background()
	clk := startClock()
	tc := notifytest.NewTencent(t, tcSecretID, tcSecretKey, tcAppID, signName, tcTemplate)
	tc.Now = clk.Now
	m := personal(t, notice(clk.Now()), skygrid.ChannelTencentSMS, zhang)
	s := sender(t, tencentConfig(tc.URL), skygrid.ChannelTencentSMS, clk)
	if err := s.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	got := tc.Messages()
	want := []string{"42", "疑似秸秆焚烧", "浑源县 王庄", "10月24日"}
	if len(got) != 1 || got[0].Phone != phone || got[0].SignName != signName || got[0].Template != tcTemplate || got[0].Key != m.Key ||
		strings.Join(got[0].Params, "|") != strings.Join(want, "|") {
		t.Fatalf("received %+v, want the parameters %q", got, want)
	}
	for _, tt := range []struct {
		name string
		s    notify.Sender
		fail func()
		want string
	}{
		{"error", s, func() {
			tc.FailNext(200, `{"Response":{"Error":{"Code":"LimitExceeded.PhoneNumberDailyLimit","Message":"单个手机号日下发短信条数超过设定的上限"},"RequestId":"r"}}`)
		}, "Error LimitExceeded.PhoneNumberDailyLimit"},
		{"send status", s, func() {
			tc.FailNext(200, `{"Response":{"SendStatusSet":[{"PhoneNumber":"+86`+phone+`","Code":"FailedOperation.InsufficientBalanceInSmsPackage","Message":"套餐包余量不足"}],"RequestId":"r"}}`)
		}, "SendStatus FailedOperation.InsufficientBalanceInSmsPackage"},
		{"no status", s, func() { tc.FailNext(200, `{"Response":{"SendStatusSet":[],"RequestId":"r"}}`) }, "without a send status"},
		{"wrong key", sender(t, func() notify.Config {
			c := tencentConfig(tc.URL)
			c.SMS.SecretKey = "WrongTencentKey-0000000000000"
			return c
		}(), skygrid.ChannelTencentSMS, clk), func() {}, "Error AuthFailure.SignatureFailure"},
		{"clock off", sender(t, tencentConfig(tc.URL), skygrid.ChannelTencentSMS, &clock{t: clk.Now().Add(10 * time.Minute)}), func() {},
			"AuthFailure.SignatureExpire"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.fail()
			err := tt.s.Send(ctx, m)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "tencent_sms to "+phoneMasked+": ") {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
			noLeak(t, "the error", err.Error(), "WrongTencentKey-0000000000000", phone)
		})
	}
	if n := len(tc.Messages()); n != 1 {
		t.Errorf("%d messages taken after the failures", n)
	}
}

// DingTalk work notices against the stand-in: one token for many messages
// until it expires (7200 s), a new one when DingTalk says it is invalid; a
// person without a DingTalk id is looked up by mobile once; the action
// card links the task; errcodes are failures.
func TestDingTalkWork(t *testing.T) {
	ctx := context.Background()
	clk := startClock()
	dt := notifytest.NewDingTalk(t, dtAppKey, dtAppSecret, dtAgentID)
	dt.Now = clk.Now
	dt.AddUser(dingUserID, "")
	dt.AddUser("lisi0511", dingMobile)
	n := notice(clk.Now())
	byID := personal(t, n, skygrid.ChannelDingTalkWork, skygrid.Person{Ref: "user-3", Name: "张三", Phone: phone, DingTalkID: dingUserID})
	byMobile := personal(t, n, skygrid.ChannelDingTalkWork, skygrid.Person{Ref: "supervisor-9", Name: "李四", Phone: dingMobile})
	if byID.Recipient != "userid:"+dingUserID || byMobile.Recipient != "mobile:"+dingMobile {
		t.Fatalf("recipients %q %q", byID.Recipient, byMobile.Recipient)
	}
	s := sender(t, dingConfig(dt.URL), skygrid.ChannelDingTalkWork, clk)
	for _, m := range []*skygrid.OutboxMessage{byID, byMobile, byMobile} {
		if err := s.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	got := dt.Messages()
	if len(got) != 3 || dt.Tokens() != 1 || dt.Lookups() != 1 {
		t.Fatalf("%d notices with %d tokens and %d lookups", len(got), dt.Tokens(), dt.Lookups())
	}
	w := got[0]
	if w.AgentID != dtAgentID || w.UserID != dingUserID || w.MsgType != "action_card" || w.Link != n.Link || w.Key != byID.Key ||
		!strings.Contains(w.Title, "您有新的核查任务 #42") || !strings.Contains(w.Markdown, "浑源县 王庄堡镇 第12网格") || got[1].UserID != "lisi0511" {
		t.Errorf("received %+v", got)
	}
	// The token expires after 7200 s: a new one.
	clk.Set(clk.Now().Add(notifytest.TokenLife))
	if err := s.Send(ctx, byID); err != nil || dt.Tokens() != 2 {
		t.Fatalf("after expiry: %v, %d tokens", err, dt.Tokens())
	}
	// DingTalk drops the token (errcode 40014): fetched again at once.
	dt.Revoke()
	if err := s.Send(ctx, byID); err != nil || dt.Tokens() != 3 {
		t.Fatalf("after revocation: %v, %d tokens", err, dt.Tokens())
	}
	for _, tt := range []struct {
		name string
		s    notify.Sender
		m    *skygrid.OutboxMessage
		fail func()
		want string
	}{
		{"errcode", s, byID, func() { dt.FailNext(200, `{"errcode":43009,"errmsg":"发送频率过快 {access_token}"}`) }, "errcode 43009: 发送频率过快"},
		{"HTTP 502", s, byID, func() { dt.FailNext(502, `bad gateway`) }, "HTTP 502 but not a DingTalk answer"},
		{"unknown mobile", s, personal(t, n, skygrid.ChannelDingTalkWork, skygrid.Person{Ref: "user-8", Phone: "13700001111"}), func() {},
			"getbymobile: errcode 60121"},
		{"wrong app secret", sender(t, func() notify.Config {
			c := dingConfig(dt.URL)
			c.DingTalkApp.AppSecret = "WrongDingTalkSecret-00000000"
			return c
		}(), skygrid.ChannelDingTalkWork, clk), byID, func() {}, "gettoken: errcode 40089"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.fail()
			err := tt.s.Send(ctx, tt.m)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "dingtalk_work to ") {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
			noLeak(t, "the error", err.Error(), "WrongDingTalkSecret-00000000", dingUserID, "13700001111")
		})
	}
}

// Error answers go through the worker as failures: tried again after the
// backoff, then delivered once; the outbox and the log keep no secret and
// no raw phone.
func TestWorkerRetriesPersonal(t *testing.T) {
	ctx := context.Background()
	clk := startClock()
	db := openOutbox(t, storetest.DSN(t, "skygrid.db"), clk.Now)
	ali := notifytest.NewAliyun(t, aliKeyID, aliSecret, signName, aliTemplate)
	tc := notifytest.NewTencent(t, tcSecretID, tcSecretKey, tcAppID, signName, tcTemplate)
	dt := notifytest.NewDingTalk(t, dtAppKey, dtAppSecret, dtAgentID)
	ali.Now, tc.Now, dt.Now = clk.Now, clk.Now, clk.Now
	dt.AddUser(dingUserID, phone)
	n := notice(clk.Now())
	msgs := []*skygrid.OutboxMessage{personal(t, n, skygrid.ChannelAliyunSMS, zhang), personal(t, n, skygrid.ChannelTencentSMS, zhang),
		personal(t, n, skygrid.ChannelDingTalkWork, zhang)}
	if err := db.QueueOutbox(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	ali.FailNext(200, `{"Code":"isv.BUSINESS_LIMIT_CONTROL","Message":"触发分钟级流控Permits:1"}`)
	tc.FailNext(200, `{"Response":{"Error":{"Code":"InternalError.Timeout","Message":"请求下发短信超时"},"RequestId":"r"}}`)
	dt.FailNext(200, `{"errcode":-1,"errmsg":"系统繁忙 `+dtAppSecret+` {access_token}"}`)
	var logs strings.Builder
	senders := map[string]notify.Sender{}
	for _, c := range []notify.Config{aliyunConfig(ali.URL), tencentConfig(tc.URL), dingConfig(dt.URL)} {
		for k, s := range c.Senders(nil, clk.Now) {
			senders[k] = s
		}
	}
	w := &notify.Worker{Outbox: db, Now: clk.Now, Senders: senders, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	if sent, failed, err := w.RunOnce(ctx); err != nil || sent != 0 || failed != 3 {
		t.Fatalf("first run: %d sent, %d failed, %v", sent, failed, err)
	}
	for _, m := range msgs {
		o := outbox(t, db, m.ID)
		if o.Attempts != 1 || !o.SentAt.IsZero() || o.LastError == "" || o.RecipientMasked == "" || o.Recipient != "" {
			t.Errorf("%s after a failure: %+v", m.Kind, o)
		}
		noLeak(t, "last_error", o.LastError, phone)
		if !strings.Contains(o.LastError, o.RecipientMasked) {
			t.Errorf("%s: %q does not name %s", m.Kind, o.LastError, o.RecipientMasked)
		}
	}
	clk.Set(clk.Now().Add(15 * time.Second))
	if sent, failed, err := w.RunOnce(ctx); err != nil || sent != 3 || failed != 0 {
		t.Fatalf("second run: %d sent, %d failed, %v", sent, failed, err)
	}
	clk.Set(clk.Now().Add(time.Hour))
	if sent, failed, err := w.RunOnce(ctx); err != nil || sent+failed != 0 {
		t.Fatalf("third run: %d sent, %d failed, %v", sent, failed, err)
	}
	if len(ali.Messages()) != 1 || len(tc.Messages()) != 1 || len(dt.Messages()) != 1 {
		t.Errorf("delivered %d, %d, %d", len(ali.Messages()), len(tc.Messages()), len(dt.Messages()))
	}
	noLeak(t, "the log", logs.String(), phone, dingUserID)
	if !strings.Contains(logs.String(), "to="+phoneMasked) {
		t.Errorf("the log does not name the recipient masked:\n%s", logs.String())
	}
	// A personal kind without a provider fails (and is kept for later).
	other := personal(t, notice(clk.Now()), skygrid.ChannelAliyunSMS, skygrid.Person{Ref: "user-5", Phone: "13600000000"})
	db.QueueOutbox(ctx, []*skygrid.OutboxMessage{other})
	w.Senders = nil
	if sent, failed, err := w.RunOnce(ctx); err != nil || sent != 0 || failed != 1 {
		t.Fatalf("without a provider: %d sent, %d failed, %v", sent, failed, err)
	}
	if o := outbox(t, db, other.ID); !strings.Contains(o.LastError, "no provider configured for aliyun_sms") {
		t.Errorf("without a provider: %+v", o)
	}
}

// stopAfter is a sender that stops the worker (cancels its context) while
// its n-th delivery is under way.
type stopAfter struct {
	notify.Sender
	mu     *sync.Mutex
	count  *int
	n      int
	cancel context.CancelFunc
}

func (s stopAfter) Send(ctx context.Context, m *skygrid.OutboxMessage) error {
	s.mu.Lock()
	*s.count++
	if *s.count == s.n {
		s.cancel()
	}
	s.mu.Unlock()
	return s.Sender.Send(ctx, m)
}

// The restart test for personal messages: queued in a SQLite file, a
// worker stopped while sending, another that dies holding a claim, the
// file closed and opened again by a new worker: each stand-in receives
// each message exactly once (by recipient and key).
func TestWorkerRestartPersonal(t *testing.T) {
	r := newPersonalRestart(t)
	// Each step goes on from the one before (steps.Run).
	steps.Run(t,
		steps.Step{Name: "stopped while sending", Run: r.stopWhileSending},
		steps.Step{Name: "a worker dies holding a claim", Run: r.dieHoldingAClaim},
		steps.Step{Name: "a new process", Run: r.newProcess},
		steps.Step{Name: "each received once", Run: r.eachReceivedOnce},
	)
}

// personalRestart is an outbox in a SQLite file with 36 personal
// messages (12 people, three kinds), and a stand-in for each service.
type personalRestart struct {
	clk     *clock
	path    string
	db      *store.DB
	ali     *notifytest.Aliyun
	tc      *notifytest.Tencent
	dt      *notifytest.DingTalk
	dingIDs map[string]string // a work notice's recipient -> the user id it reaches
	msgs    []*skygrid.OutboxMessage
	top     *testing.T // the test: the file opened again lives as long
}

func newPersonalRestart(t *testing.T) *personalRestart {
	t.Helper()
	clk := startClock()
	r := &personalRestart{top: t, clk: clk, path: storetest.DSN(t, "skygrid.db"), dingIDs: map[string]string{},
		ali: notifytest.NewAliyun(t, aliKeyID, aliSecret, signName, aliTemplate),
		tc:  notifytest.NewTencent(t, tcSecretID, tcSecretKey, tcAppID, signName, tcTemplate),
		dt:  notifytest.NewDingTalk(t, dtAppKey, dtAppSecret, dtAgentID)}
	r.db = openOutbox(t, r.path, clk.Now)
	r.ali.Now, r.tc.Now, r.dt.Now = clk.Now, clk.Now, clk.Now
	var people []skygrid.Person
	for i := range 12 {
		p := skygrid.Person{Ref: fmt.Sprintf("user-%d", i+1), Name: fmt.Sprintf("网格员%d", i+1), Phone: fmt.Sprintf("1385000%04d", i)}
		if i%2 == 0 {
			p.DingTalkID = fmt.Sprintf("wg%04d", i)
			r.dt.AddUser(p.DingTalkID, "")
			r.dingIDs["userid:"+p.DingTalkID] = p.DingTalkID
		} else {
			r.dt.AddUser(fmt.Sprintf("m%04d", i), p.Phone)
			r.dingIDs["mobile:"+p.Phone] = fmt.Sprintf("m%04d", i)
		}
		people = append(people, p)
	}
	n := notice(clk.Now())
	payload, _ := json.Marshal(n)
	kinds := []string{skygrid.ChannelAliyunSMS, skygrid.ChannelTencentSMS, skygrid.ChannelDingTalkWork}
	r.msgs = skygrid.PersonalMessages(n, people, kinds, string(payload))
	if len(r.msgs) != 36 {
		t.Fatalf("%d messages", len(r.msgs))
	}
	if err := r.db.QueueOutbox(context.Background(), r.msgs); err != nil {
		t.Fatal(err)
	}
	return r
}

// senders are the three services' senders, each wrapped.
func (r *personalRestart) senders(wrap func(notify.Sender) notify.Sender) map[string]notify.Sender {
	out := map[string]notify.Sender{}
	for _, c := range []notify.Config{aliyunConfig(r.ali.URL), tencentConfig(r.tc.URL), dingConfig(r.dt.URL)} {
		for k, s := range c.Senders(nil, r.clk.Now) {
			out[k] = wrap(s)
		}
	}
	return out
}

func (r *personalRestart) received() int {
	return len(r.ali.Messages()) + len(r.tc.Messages()) + len(r.dt.Messages())
}

func (r *personalRestart) sentInStore(t *testing.T) int {
	t.Helper()
	ms, err := r.db.FindOutbox(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	k := 0
	for _, m := range ms {
		if !m.SentAt.IsZero() {
			k++
		}
	}
	return k
}

// stopWhileSending: the first worker is stopped while its tenth delivery
// is under way.
func (r *personalRestart) stopWhileSending(t *testing.T) {
	run, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	count := 0
	w := &notify.Worker{Outbox: r.db, Now: r.clk.Now, Batch: 4, Poll: 10 * time.Millisecond, Logger: quiet,
		Senders: r.senders(func(s notify.Sender) notify.Sender { return stopAfter{s, &mu, &count, 10, cancel} })}
	done := make(chan error, 1)
	go func() { done <- w.Run(run) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the worker did not stop")
	}
	if r.received() != 10 || r.sentInStore(t) != 10 {
		t.Fatalf("after the stop: %d received, %d marked sent, want 10", r.received(), r.sentInStore(t))
	}
}

// dieHoldingAClaim: a second worker claims five and dies without sending
// or releasing.
func (r *personalRestart) dieHoldingAClaim(t *testing.T) {
	if claimed, err := r.db.ClaimOutbox(context.Background(), r.clk.Now(), 5, time.Minute); err != nil || len(claimed) != 5 {
		t.Fatalf("claimed %d, %v", len(claimed), err)
	}
	if err := r.db.Close(); err != nil {
		t.Fatal(err)
	}
}

// newProcess: the file opened again, new senders (no cached token).
func (r *personalRestart) newProcess(t *testing.T) {
	ctx := context.Background()
	r.db = openOutbox(r.top, r.path, r.clk.Now)
	w := &notify.Worker{Outbox: r.db, Now: r.clk.Now, Logger: quiet, Senders: r.senders(func(s notify.Sender) notify.Sender { return s })}
	if sent, failed, err := w.RunOnce(ctx); err != nil || sent != 20 || failed != 0 {
		t.Fatalf("after the restart: %d sent, %d failed, %v", sent, failed, err)
	}
	if sent, failed, err := w.RunOnce(ctx); err != nil || sent != 1 || failed != 0 {
		t.Fatalf("the rest but the dead worker's claim: %d sent, %d failed, %v", sent, failed, err)
	}
	// The dead worker's claim runs out after its lease.
	r.clk.Set(r.clk.Now().Add(time.Minute + time.Second))
	if sent, failed, err := w.RunOnce(ctx); err != nil || sent != 5 || failed != 0 {
		t.Fatalf("after the lease: %d sent, %d failed, %v", sent, failed, err)
	}
	if sent, failed, err := w.RunOnce(ctx); err != nil || sent+failed != 0 {
		t.Fatalf("nothing left: %d sent, %d failed, %v", sent, failed, err)
	}
}

// eachReceivedOnce: each stand-in received each message exactly once.
func (r *personalRestart) eachReceivedOnce(t *testing.T) {
	seen := map[string]int{}
	for _, m := range r.ali.Messages() {
		seen["aliyun "+m.Phone+" "+m.Key]++
	}
	for _, m := range r.tc.Messages() {
		seen["tencent "+m.Phone+" "+m.Key]++
	}
	for _, m := range r.dt.Messages() {
		seen["dingtalk "+m.UserID+" "+m.Key]++
	}
	if len(seen) != 36 || r.received() != 36 || r.sentInStore(t) != 36 {
		t.Errorf("%d distinct of %d received, %d marked sent, want 36", len(seen), r.received(), r.sentInStore(t))
	}
	for k, c := range seen {
		if c != 1 {
			t.Errorf("%s received %d times", k, c)
		}
	}
	for _, m := range r.msgs {
		want := map[string]string{skygrid.ChannelAliyunSMS: "aliyun " + m.Recipient, skygrid.ChannelTencentSMS: "tencent " + m.Recipient,
			skygrid.ChannelDingTalkWork: "dingtalk " + r.dingIDs[m.Recipient]}[m.Kind] + " " + m.Key
		if seen[want] != 1 {
			t.Errorf("%s not received once", want)
		}
	}
}
