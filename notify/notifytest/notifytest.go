// Package notifytest runs local stand-ins of the providers of personal
// messages on 127.0.0.1: Aliyun SMS (dysmsapi SendSms), Tencent Cloud SMS
// (SendSms 2021-01-11) and DingTalk's open API (gettoken, getbymobile,
// corpconversation asyncsend_v2). Each checks a request the way its
// provider does, the signature recomputed from the secret here (not with
// the notify package's code), and answers in the provider's format; each
// records the messages it accepted. Tests point a sender's base URL at
// one, like net/http/httptest.
package notifytest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// SMS is a text message a stand-in accepted.
type SMS struct {
	Phone    string
	SignName string
	Template string
	// Params are Tencent's TemplateParamSet; Named Aliyun's TemplateParam.
	Params []string
	Named  map[string]string
	// Key is the idempotency key sent along (Aliyun OutId, Tencent
	// SessionContext).
	Key string
}

// Work is a DingTalk work notice a stand-in accepted.
type Work struct {
	AgentID  int64
	UserID   string
	MsgType  string
	Title    string
	Markdown string
	Link     string
	// Key is the message's "编号" line.
	Key string
}

// server is what the stand-ins share: the HTTP server, the clock, the
// canned failures and the request count.
type server struct {
	*httptest.Server
	// Now is the provider's clock (signature timestamps, token expiry).
	Now func() time.Time

	mu       sync.Mutex
	requests int
	failures []failure
}

type failure struct {
	status int
	body   string
}

func (s *server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// FailNext makes the next accepted-looking requests (signed right) fail
// with these answers, in order, instead of taking the message.
func (s *server) FailNext(status int, body string) {
	s.mu.Lock()
	s.failures = append(s.failures, failure{status, body})
	s.mu.Unlock()
}

// Requests is how many requests arrived.
func (s *server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

func (s *server) count() {
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
}

// failure returns the next canned failure, if any.
func (s *server) failure() (failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failures) == 0 {
		return failure{}, false
	}
	f := s.failures[0]
	s.failures = s.failures[1:]
	return f, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeRaw(w http.ResponseWriter, f failure) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(f.status)
	w.Write([]byte(f.body))
}

// keyOf reads the "编号 KEY" line of a text.
func keyOf(text string) string {
	i := strings.LastIndex(text, "编号 ")
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(strings.SplitN(text[i+len("编号 "):], "\n", 2)[0])
}
