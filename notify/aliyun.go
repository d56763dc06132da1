package notify

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"skygrid"
)

// AliyunSMS sends text messages through Aliyun SMS (阿里云短信服务, the
// dysmsapi SendSms action, API version 2017-05-25). Requests are signed
// the RPC way (signature version 1.0): the parameters, sorted by name and
// percent-encoded (RFC 3986: space %20, * %2A, ~ kept), joined into the
// canonical query; StringToSign = METHOD&%2F&encode(canonical query);
// Signature = base64(HMAC-SHA1(AccessKeySecret+"&", StringToSign)). All
// parameters go in an application/x-www-form-urlencoded POST body.
type AliyunSMS struct {
	AccessKeyID     string
	AccessKeySecret string
	SignName        string
	TemplateCode    string
	// RegionID defaults to cn-hangzhou.
	RegionID      string
	Params        []param
	MaxParamChars int
	// BaseURL defaults to AliyunSMSURL.
	BaseURL string
	Client  *http.Client
	// Now stamps the request (Timestamp); Nonce makes SignatureNonce
	// (default 16 random bytes in hex).
	Now   func() time.Time
	Nonce func() string
}

// Send sends one message: Code "OK" in Aliyun's answer is success, any
// other answer an error (tried again by the worker).
func (a *AliyunSMS) Send(ctx context.Context, m *skygrid.OutboxMessage) error {
	if err := a.send(ctx, m); err != nil {
		return personalError(skygrid.ChannelAliyunSMS, m, err, append(skygrid.URLSecrets(a.BaseURL), a.AccessKeySecret)...)
	}
	return nil
}

func (a *AliyunSMS) send(ctx context.Context, m *skygrid.OutboxMessage) error {
	values, err := smsValues(m, a.Params, a.MaxParamChars)
	if err != nil {
		return err
	}
	tp := map[string]string{}
	for i, p := range a.Params {
		tp[p.name] = values[i]
	}
	templateParam, err := json.Marshal(tp)
	if err != nil {
		return err
	}
	region := a.RegionID
	if region == "" {
		region = "cn-hangzhou"
	}
	q := url.Values{}
	for k, v := range map[string]string{
		"AccessKeyId": a.AccessKeyID, "Action": "SendSms", "Format": "JSON", "RegionId": region, "SignatureMethod": "HMAC-SHA1",
		"SignatureNonce": a.nonce(), "SignatureVersion": "1.0", "Timestamp": clock(a.Now).UTC().Format("2006-01-02T15:04:05Z"),
		"Version": "2017-05-25", "PhoneNumbers": m.Recipient, "SignName": a.SignName, "TemplateCode": a.TemplateCode,
		"TemplateParam": string(templateParam), "OutId": m.Key,
	} {
		q.Set(k, v)
	}
	body := "Signature=" + percentEncode(AliyunSignature(a.AccessKeySecret, http.MethodPost, q)) + "&" + aliyunCanonical(q)
	status, answer, err := post(ctx, client(a.Client), endpoint(a.BaseURL, AliyunSMSURL)+"/", []byte(body),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if err != nil {
		return err
	}
	var r struct{ Code, Message, RequestId, BizId string }
	if err := json.Unmarshal(answer, &r); err != nil || r.Code == "" {
		return fmt.Errorf("HTTP %d but not an Aliyun answer: %s", status, snippet(answer))
	}
	if r.Code != "OK" || status < 200 || status > 299 {
		return fmt.Errorf("HTTP %d, Code %s: %s", status, r.Code, snippet([]byte(r.Message)))
	}
	return nil
}

func (a *AliyunSMS) nonce() string {
	if a.Nonce != nil {
		return a.Nonce()
	}
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// AliyunSignature signs RPC parameters (signature version 1.0, HMAC-SHA1)
// for the HTTP method: the value of the Signature parameter, not yet
// percent-encoded. A Signature in params is left out.
func AliyunSignature(secret, method string, params url.Values) string {
	toSign := method + "&" + percentEncode("/") + "&" + percentEncode(aliyunCanonical(params))
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(toSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// aliyunCanonical is the canonicalised query: the parameters but
// Signature, sorted by name, names and values percent-encoded.
func aliyunCanonical(params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, percentEncode(k)+"="+percentEncode(params.Get(k)))
	}
	return strings.Join(parts, "&")
}

// percentEncode is Aliyun's encoding: UTF-8, everything but A-Z a-z 0-9
// - _ . ~ as %XY (upper-case hex), so space is %20, not +.
func percentEncode(s string) string {
	return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(url.QueryEscape(s))
}
