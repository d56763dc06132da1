// Package notify delivers the outbox: DingTalk (钉钉) and WeCom (企业微信)
// group robots and generic JSON webhooks (Send), and personal messages to
// one person through the providers of the configuration (Config): SMS by
// Aliyun or Tencent Cloud, DingTalk work notices (the Sender of each
// kind). Worker claims due messages from the store, sends them and
// records the outcome.
//
// Robot URLs carry their token in the query (access_token, key) and
// DingTalk robots a signing secret; the providers' AccessKeySecret,
// SecretKey, AppSecret and access tokens come from the configuration:
// no error or log line of this package shows any of them (see MaskURL),
// nor a recipient's phone unmasked.
package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"skygrid"
)

// Webhook headers.
const (
	HeaderEvent          = "X-Skygrid-Event"
	HeaderIdempotencyKey = "X-Skygrid-Idempotency-Key"
)

// maxAnswer bounds how much of a receiver's answer is read.
const maxAnswer = 64 << 10

// Send delivers one message to its channel (m.Kind, m.URL, m.Secret). It
// succeeds only when the receiver took the message: HTTP 2xx and, for the
// robots, errcode 0 in the JSON answer. A webhook receives m.Payload, or
// when it is empty (or the store's default "{}") an object with key,
// event, task_id, title and text. Errors never show the URL's query values
// or the secret.
func Send(ctx context.Context, client *http.Client, m *skygrid.OutboxMessage) error {
	if client == nil {
		client = http.DefaultClient
	}
	var err error
	switch m.Kind {
	case skygrid.ChannelDingTalk:
		err = sendDingTalk(ctx, client, m)
	case skygrid.ChannelWeCom:
		err = sendWeCom(ctx, client, m)
	case skygrid.ChannelWebhook:
		err = sendWebhook(ctx, client, m)
	default:
		err = fmt.Errorf("unknown channel kind %q", m.Kind)
	}
	if err == nil {
		return nil
	}
	return errors.New(scrub(fmt.Sprintf("%s %s: %v", kindName(m.Kind), MaskURL(m.URL), err), m))
}

func kindName(kind string) string {
	if kind == "" {
		return "channel"
	}
	return kind
}

// robotAnswer is what DingTalk and WeCom robots answer (HTTP 200 even on
// errors: 310000 is a bad DingTalk signature).
type robotAnswer struct {
	ErrCode *int   `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

func sendDingTalk(ctx context.Context, client *http.Client, m *skygrid.OutboxMessage) error {
	target := m.URL
	if m.Secret != "" {
		u, err := url.Parse(m.URL)
		if err != nil {
			return errors.New("the URL does not parse")
		}
		stamp, sign := DingTalkSign(m.Secret, time.Now())
		q := u.Query()
		q.Set("timestamp", stamp)
		q.Set("sign", sign)
		u.RawQuery = q.Encode()
		target = u.String()
	}
	body, err := json.Marshal(map[string]any{
		"msgtype":  "markdown",
		"markdown": map[string]string{"title": m.Title, "text": m.Text},
	})
	if err != nil {
		return err
	}
	return postRobot(ctx, client, target, body)
}

// DingTalkSign returns the timestamp (milliseconds) and signature a
// DingTalk robot with the secret expects at t: base64 of HMAC-SHA256
// keyed by the secret over timestamp+"\n"+secret (not yet URL-encoded).
func DingTalkSign(secret string, t time.Time) (timestamp, sign string) {
	timestamp = strconv.FormatInt(t.UnixMilli(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "\n" + secret))
	return timestamp, base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func sendWeCom(ctx context.Context, client *http.Client, m *skygrid.OutboxMessage) error {
	body, err := json.Marshal(map[string]any{
		"msgtype":  "markdown",
		"markdown": map[string]string{"content": m.Text},
	})
	if err != nil {
		return err
	}
	return postRobot(ctx, client, m.URL, body)
}

// postRobot posts to a DingTalk or WeCom robot and checks its answer.
func postRobot(ctx context.Context, client *http.Client, target string, body []byte) error {
	status, answer, err := post(ctx, client, target, body, nil)
	if err != nil {
		return err
	}
	if status < 200 || status > 299 {
		return fmt.Errorf("HTTP %d: %s", status, snippet(answer))
	}
	var a robotAnswer
	if err := json.Unmarshal(answer, &a); err != nil || a.ErrCode == nil {
		return fmt.Errorf("HTTP %d but not a robot answer: %s", status, snippet(answer))
	}
	if *a.ErrCode != 0 {
		return fmt.Errorf("errcode %d: %s", *a.ErrCode, snippet([]byte(a.ErrMsg)))
	}
	return nil
}

func sendWebhook(ctx context.Context, client *http.Client, m *skygrid.OutboxMessage) error {
	body := []byte(strings.TrimSpace(m.Payload))
	if len(body) == 0 || string(body) == "{}" {
		var err error
		body, err = json.Marshal(struct {
			Key    string `json:"key"`
			Event  string `json:"event"`
			TaskID int64  `json:"task_id"`
			Title  string `json:"title"`
			Text   string `json:"text"`
		}{m.Key, m.Event, m.TaskID, m.Title, m.Text})
		if err != nil {
			return err
		}
	}
	status, answer, err := post(ctx, client, m.URL, body, map[string]string{HeaderEvent: m.Event, HeaderIdempotencyKey: m.Key})
	if err != nil {
		return err
	}
	if status < 200 || status > 299 {
		return fmt.Errorf("HTTP %d: %s", status, snippet(answer))
	}
	return nil
}

// post sends a JSON body and returns the status and the start of the
// answer. Transport errors lose the URL (url.Error quotes it in full).
func post(ctx context.Context, client *http.Client, target string, body []byte, headers map[string]string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return 0, nil, fmt.Errorf("bad URL: %v", ue.Err)
		}
		return 0, nil, errors.New("bad URL")
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return do(client, req)
}

// do sends a request and returns the status and the start of the answer.
// Transport errors lose the URL (url.Error quotes it in full, query and all).
func do(client *http.Client, req *http.Request) (int, []byte, error) {
	req.Header.Set("User-Agent", "skygrid-notify")
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("HTTP %d, reading the answer: %v", resp.StatusCode, err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
	return resp.StatusCode, answer, nil
}

// snippet shows the start of an answer on one line.
func snippet(b []byte) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(b), "?")), " ")
	if s == "" {
		return "(empty answer)"
	}
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}

// MaskURL is skygrid.MaskURL: the URL with every query value (access_token,
// key, sign, ...) cut to its first four characters, or hidden when short,
// token-like path segments cut alike (Slack's, Discord's and Feishu's
// webhooks hold their token in the path) and any password dropped:
// https://oapi.dingtalk.com/robot/send?access_token=abcd…
func MaskURL(s string) string { return skygrid.MaskURL(s) }

// scrub replaces anything secret that may still be in s (the secret, the
// URL's query values, password and token-like path segments, raw or
// escaped: skygrid.URLSecrets) by "…". A receiver's answer may echo the
// URL it was called with.
func scrub(s string, m *skygrid.OutboxMessage) string {
	secrets := skygrid.URLSecrets(m.URL)
	if m.Secret != "" {
		secrets = append(secrets, m.Secret)
	}
	for _, v := range secrets {
		if len(v) < 4 {
			continue // too short to find safely; MaskURL already hid it
		}
		for _, form := range []string{v, url.QueryEscape(v), url.PathEscape(v)} {
			s = strings.ReplaceAll(s, form, "…")
		}
	}
	return s
}
