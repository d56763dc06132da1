package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"skygrid"
)

// tokenMargin: a cached access token is renewed this long before it
// expires, so that none runs out on the way.
const tokenMargin = time.Minute

// DingTalkWork sends DingTalk work notices (工作通知) to one user through an
// internal application: POST /topapi/message/corpconversation/asyncsend_v2
// with agent_id, userid_list and msg. The access token (GET /gettoken
// with appkey and appsecret) is cached until it expires (expires_in,
// 7200 s) and fetched again when DingTalk says it is invalid or expired
// (errcode 40001, 40014, 41001, 42001, 88). A recipient "mobile:PHONE" is
// resolved to a user id (POST /topapi/v2/user/getbymobile) and remembered.
type DingTalkWork struct {
	AppKey    string
	AppSecret string
	AgentID   int64
	// BaseURL defaults to DingTalkAPIURL.
	BaseURL string
	// MsgType: action_card (default: a button opens the task) or markdown.
	MsgType string
	Client  *http.Client
	// Now tells when the cached token expires.
	Now func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
	users   map[string]string // mobile -> userid
}

// dingError is DingTalk's answer with a non-zero errcode.
type dingError struct {
	code int
	msg  string
}

func (e *dingError) Error() string {
	return fmt.Sprintf("errcode %d: %s", e.code, snippet([]byte(e.msg)))
}

// tokenErrors are the errcodes of an invalid or expired access token.
var tokenErrors = map[int]bool{40001: true, 40014: true, 41001: true, 42001: true, 88: true}

// Send sends one work notice: errcode 0 in every answer is success.
func (d *DingTalkWork) Send(ctx context.Context, m *skygrid.OutboxMessage) error {
	token, err := d.send(ctx, m, false)
	var de *dingError
	if errors.As(err, &de) && tokenErrors[de.code] {
		token, err = d.send(ctx, m, true)
	}
	if err != nil {
		return personalError(skygrid.ChannelDingTalkWork, m, err, append(skygrid.URLSecrets(d.BaseURL), d.AppSecret, token)...)
	}
	return nil
}

// send sends with the cached token (or a new one when renew); it returns
// the token it used, for scrubbing errors.
func (d *DingTalkWork) send(ctx context.Context, m *skygrid.OutboxMessage, renew bool) (string, error) {
	token, err := d.accessToken(ctx, renew)
	if err != nil {
		return token, err
	}
	userID, err := d.userID(ctx, token, m.Recipient)
	if err != nil {
		return token, err
	}
	msg, err := d.message(m)
	if err != nil {
		return token, err
	}
	body, err := json.Marshal(map[string]any{"agent_id": d.AgentID, "userid_list": userID, "msg": msg})
	if err != nil {
		return token, err
	}
	_, err = d.call(ctx, http.MethodPost, "/topapi/message/corpconversation/asyncsend_v2?access_token="+url.QueryEscape(token), body, nil)
	return token, err
}

// message is the msg of a work notice: an action card whose button opens
// the task, or markdown.
func (d *DingTalkWork) message(m *skygrid.OutboxMessage) (map[string]any, error) {
	n, err := noticeOf(m)
	if err != nil {
		return nil, err
	}
	if d.MsgType == "markdown" || n.Link == "" {
		return map[string]any{"msgtype": "markdown", "markdown": map[string]string{"title": m.Title, "text": m.Text}}, nil
	}
	return map[string]any{"msgtype": "action_card", "action_card": map[string]string{"title": m.Title, "markdown": m.Text,
		"single_title": "查看任务", "single_url": n.Link}}, nil
}

// accessToken returns the cached token or fetches one.
func (d *DingTalkWork) accessToken(ctx context.Context, renew bool) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := clock(d.Now)
	if !renew && d.token != "" && now.Before(d.expires) {
		return d.token, nil
	}
	d.token = ""
	var a struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	q := url.Values{"appkey": {d.AppKey}, "appsecret": {d.AppSecret}}
	if _, err := d.call(ctx, http.MethodGet, "/gettoken?"+q.Encode(), nil, &a); err != nil {
		return "", fmt.Errorf("gettoken: %w", err)
	}
	if a.AccessToken == "" {
		return "", errors.New("gettoken: no access_token in the answer")
	}
	if a.ExpiresIn <= 0 {
		a.ExpiresIn = 7200
	}
	d.token, d.expires = a.AccessToken, now.Add(time.Duration(a.ExpiresIn)*time.Second-tokenMargin)
	return d.token, nil
}

// userID returns the DingTalk user id of a recipient, looking a mobile up.
func (d *DingTalkWork) userID(ctx context.Context, token, recipient string) (string, error) {
	if id, ok := strings.CutPrefix(recipient, skygrid.RecipientUserID); ok {
		return id, nil
	}
	mobile, ok := strings.CutPrefix(recipient, skygrid.RecipientMobile)
	if !ok {
		return "", errors.New("want a userid: or mobile: recipient")
	}
	d.mu.Lock()
	id := d.users[mobile]
	d.mu.Unlock()
	if id != "" {
		return id, nil
	}
	body, _ := json.Marshal(map[string]string{"mobile": mobile})
	var a struct {
		Result struct {
			UserID string `json:"userid"`
		} `json:"result"`
	}
	if _, err := d.call(ctx, http.MethodPost, "/topapi/v2/user/getbymobile?access_token="+url.QueryEscape(token), body, &a); err != nil {
		return "", fmt.Errorf("getbymobile: %w", err)
	}
	if a.Result.UserID == "" {
		return "", errors.New("getbymobile: no userid in the answer")
	}
	d.mu.Lock()
	if d.users == nil {
		d.users = map[string]string{}
	}
	d.users[mobile] = a.Result.UserID
	d.mu.Unlock()
	return a.Result.UserID, nil
}

// call makes one API call and checks errcode; into, when set, receives
// the answer.
func (d *DingTalkWork) call(ctx context.Context, method, path string, body []byte, into any) (int, error) {
	target := endpoint(d.BaseURL, DingTalkAPIURL) + path
	var status int
	var answer []byte
	var err error
	if method == http.MethodGet {
		status, answer, err = get(ctx, client(d.Client), target)
	} else {
		status, answer, err = post(ctx, client(d.Client), target, body, nil)
	}
	if err != nil {
		return status, err
	}
	var a robotAnswer
	if err := json.Unmarshal(answer, &a); err != nil || a.ErrCode == nil {
		return status, fmt.Errorf("HTTP %d but not a DingTalk answer: %s", status, snippet(answer))
	}
	if *a.ErrCode != 0 {
		return status, &dingError{*a.ErrCode, a.ErrMsg}
	}
	if status < 200 || status > 299 {
		return status, fmt.Errorf("HTTP %d: %s", status, snippet(answer))
	}
	if into != nil {
		if err := json.Unmarshal(answer, into); err != nil {
			return status, fmt.Errorf("the answer does not read: %v", err)
		}
	}
	return status, nil
}

// get fetches a URL and returns the status and the start of the answer;
// transport errors lose the URL (its query may hold secrets).
func get(ctx context.Context, client *http.Client, target string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, nil, errors.New("bad URL")
	}
	return do(client, req)
}
