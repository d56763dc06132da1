package notifytest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"
)

// DingTalk is a stand-in for DingTalk's open API (oapi.dingtalk.com) with
// one internal application: GET /gettoken, POST /topapi/v2/user/getbymobile
// and POST /topapi/message/corpconversation/asyncsend_v2. Tokens last
// 7200 s by the stand-in's clock.
type DingTalk struct {
	server
	AppKey, AppSecret string
	AgentID           int64
	// Users maps mobiles to user ids (for getbymobile); UserIDs lists the
	// organisation's user ids (work notices to others fail).
	Users   map[string]string
	UserIDs map[string]bool

	tokens  map[string]time.Time // token -> issued
	issued  int
	lookups int
	msgs    []Work
}

// TokenLife is how long a stand-in token is good.
const TokenLife = 7200 * time.Second

// NewDingTalk starts the stand-in; it stops at the test's end.
func NewDingTalk(t interface{ Cleanup(func()) }, appKey, appSecret string, agentID int64) *DingTalk {
	d := &DingTalk{AppKey: appKey, AppSecret: appSecret, AgentID: agentID, Users: map[string]string{}, UserIDs: map[string]bool{},
		tokens: map[string]time.Time{}}
	d.Server = httptest.NewServer(http.HandlerFunc(d.handle))
	t.Cleanup(d.Close)
	return d
}

// AddUser adds a user of the organisation with their mobile.
func (d *DingTalk) AddUser(userID, mobile string) {
	d.mu.Lock()
	d.UserIDs[userID] = true
	if mobile != "" {
		d.Users[mobile] = userID
	}
	d.mu.Unlock()
}

// Messages are the work notices accepted, in order.
func (d *DingTalk) Messages() []Work {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Work(nil), d.msgs...)
}

// Tokens is how many access tokens were issued; Lookups how many
// getbymobile calls came.
func (d *DingTalk) Tokens() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.issued
}

func (d *DingTalk) Lookups() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.lookups
}

// Revoke makes every issued token invalid (errcode 40014).
func (d *DingTalk) Revoke() {
	d.mu.Lock()
	d.tokens = map[string]time.Time{}
	d.mu.Unlock()
}

func errcode(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, 200, map[string]any{"errcode": code, "errmsg": msg, "request_id": "standin"})
}

func (d *DingTalk) handle(w http.ResponseWriter, r *http.Request) {
	d.count()
	switch r.URL.Path {
	case "/gettoken":
		d.getToken(w, r)
		return
	case "/topapi/v2/user/getbymobile", "/topapi/message/corpconversation/asyncsend_v2":
	default:
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		errcode(w, 43002, "需要POST请求")
		return
	}
	if code, msg := d.checkToken(r.URL.Query().Get("access_token")); code != 0 {
		errcode(w, code, msg)
		return
	}
	body, _ := io.ReadAll(r.Body)
	if r.URL.Path == "/topapi/v2/user/getbymobile" {
		d.getByMobile(w, body)
		return
	}
	d.asyncSend(w, body, r.URL.Query().Get("access_token"))
}

func (d *DingTalk) getToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.Method != http.MethodGet || q.Get("appkey") != d.AppKey || q.Get("appsecret") != d.AppSecret {
		errcode(w, 40089, "不合法的corpid或corpsecret")
		return
	}
	d.mu.Lock()
	d.issued++
	token := fmt.Sprintf("standin-token-%04d-%s", d.issued, strings.Repeat("x", 24))
	d.tokens[token] = d.now()
	d.mu.Unlock()
	writeJSON(w, 200, map[string]any{"errcode": 0, "access_token": token, "errmsg": "ok", "expires_in": int(TokenLife / time.Second)})
}

// checkToken answers 40014 for an unknown token, 42001 for an expired one.
func (d *DingTalk) checkToken(token string) (int, string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	issued, ok := d.tokens[token]
	switch {
	case token == "":
		return 41001, "缺少access_token参数"
	case !ok:
		return 40014, "不合法的access_token"
	case d.now().Sub(issued) >= TokenLife:
		return 42001, "access_token超时"
	}
	return 0, ""
}

func (d *DingTalk) getByMobile(w http.ResponseWriter, body []byte) {
	var req struct {
		Mobile string `json:"mobile"`
	}
	json.Unmarshal(body, &req)
	d.mu.Lock()
	d.lookups++
	id := d.Users[req.Mobile]
	d.mu.Unlock()
	if id == "" {
		errcode(w, 60121, "找不到该用户")
		return
	}
	writeJSON(w, 200, map[string]any{"errcode": 0, "errmsg": "ok", "result": map[string]any{"userid": id}, "request_id": "standin"})
}

// asyncSend takes a work notice. A canned failure's "{access_token}" is
// replaced by the request's token (an answer that quotes it).
func (d *DingTalk) asyncSend(w http.ResponseWriter, body []byte, token string) {
	var req struct {
		AgentID    int64  `json:"agent_id"`
		UserIDList string `json:"userid_list"`
		Msg        struct {
			MsgType  string `json:"msgtype"`
			Markdown struct {
				Title, Text string
			} `json:"markdown"`
			ActionCard struct {
				Title       string `json:"title"`
				Markdown    string `json:"markdown"`
				SingleTitle string `json:"single_title"`
				SingleURL   string `json:"single_url"`
			} `json:"action_card"`
		} `json:"msg"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		errcode(w, 40035, "缺少参数 json")
		return
	}
	work := Work{AgentID: req.AgentID, UserID: req.UserIDList, MsgType: req.Msg.MsgType}
	switch req.Msg.MsgType {
	case "markdown":
		work.Title, work.Markdown = req.Msg.Markdown.Title, req.Msg.Markdown.Text
	case "action_card":
		c := req.Msg.ActionCard
		work.Title, work.Markdown, work.Link = c.Title, c.Markdown, c.SingleURL
		if c.SingleTitle == "" || c.SingleURL == "" {
			errcode(w, 40035, "action_card 缺少 single_title 或 single_url")
			return
		}
	default:
		errcode(w, 40035, "不合法的消息类型")
		return
	}
	d.mu.Lock()
	known := d.UserIDs[req.UserIDList]
	d.mu.Unlock()
	switch {
	case req.AgentID != d.AgentID:
		errcode(w, 400002, "不合法的agent_id")
		return
	case !known || strings.Contains(req.UserIDList, ","):
		errcode(w, 33012, "无效的USERID")
		return
	case work.Title == "" || work.Markdown == "":
		errcode(w, 40035, "缺少标题或内容")
		return
	}
	if f, ok := d.failure(); ok {
		f.body = strings.ReplaceAll(f.body, "{access_token}", token)
		writeRaw(w, f)
		return
	}
	work.Key = keyOf(work.Markdown)
	d.mu.Lock()
	d.msgs = append(d.msgs, work)
	d.mu.Unlock()
	writeJSON(w, 200, map[string]any{"errcode": 0, "task_id": 256271667526 + len(body), "request_id": "standin"})
}
