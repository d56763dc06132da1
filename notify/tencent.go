package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"skygrid"
)

// Tencent Cloud SMS API.
const (
	tencentService     = "sms"
	tencentAction      = "SendSms"
	tencentVersion     = "2021-01-11"
	tencentContentType = "application/json; charset=utf-8"
)

// TencentSMS sends text messages through Tencent Cloud SMS (腾讯云短信,
// SendSms, API version 2021-01-11), signed with TC3-HMAC-SHA256: the
// canonical request (POST, /, no query, the signed headers content-type,
// host and x-tc-action, the payload's SHA-256) is hashed into the string
// to sign under the credential scope date/sms/tc3_request, and signed with
// a key derived from "TC3"+SecretKey through the date, the service and
// "tc3_request".
type TencentSMS struct {
	SecretID   string
	SecretKey  string
	SdkAppID   string
	SignName   string
	TemplateID string
	// Region (X-TC-Region) defaults to ap-guangzhou.
	Region        string
	Params        []param
	MaxParamChars int
	// BaseURL defaults to TencentSMSURL.
	BaseURL string
	Client  *http.Client
	// Now stamps the request (X-TC-Timestamp and the credential date).
	Now func() time.Time
}

// Send sends one message: success when the answer has no Error and every
// SendStatusSet entry has Code "Ok".
func (s *TencentSMS) Send(ctx context.Context, m *skygrid.OutboxMessage) error {
	if err := s.send(ctx, m); err != nil {
		return personalError(skygrid.ChannelTencentSMS, m, err, append(skygrid.URLSecrets(s.BaseURL), s.SecretKey)...)
	}
	return nil
}

func (s *TencentSMS) send(ctx context.Context, m *skygrid.OutboxMessage) error {
	values, err := smsValues(m, s.Params, s.MaxParamChars)
	if err != nil {
		return err
	}
	payload, err := json.Marshal(map[string]any{"PhoneNumberSet": []string{"+86" + m.Recipient}, "SmsSdkAppId": s.SdkAppID,
		"SignName": s.SignName, "TemplateId": s.TemplateID, "TemplateParamSet": values, "SessionContext": m.Key})
	if err != nil {
		return err
	}
	target := endpoint(s.BaseURL, TencentSMSURL) + "/"
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("base URL %s does not parse", skygrid.MaskURL(target)) // the parse error quotes it whole
	}
	region := s.Region
	if region == "" {
		region = "ap-guangzhou"
	}
	now := clock(s.Now).Unix()
	headers := [][2]string{{"content-type", tencentContentType}, {"host", u.Host}, {"x-tc-action", tencentAction}}
	canonical, signed := TC3CanonicalRequest(http.MethodPost, "/", "", headers, payload)
	auth := fmt.Sprintf("TC3-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s", s.SecretID, tc3Scope(now, tencentService),
		signed, TC3Signature(s.SecretKey, tencentService, now, canonical))
	status, answer, err := post(ctx, client(s.Client), target, payload, map[string]string{"Content-Type": tencentContentType,
		"X-TC-Action": tencentAction, "X-TC-Version": tencentVersion, "X-TC-Timestamp": strconv.FormatInt(now, 10),
		"X-TC-Region": region, "Authorization": auth})
	if err != nil {
		return err
	}
	var r struct {
		Response *struct {
			Error *struct{ Code, Message string }
			// SendStatusSet: one per phone number.
			SendStatusSet []struct{ Code, Message, PhoneNumber string }
		}
	}
	if err := json.Unmarshal(answer, &r); err != nil || r.Response == nil {
		return fmt.Errorf("HTTP %d but not a Tencent Cloud answer: %s", status, snippet(answer))
	}
	if e := r.Response.Error; e != nil {
		return fmt.Errorf("HTTP %d, Error %s: %s", status, e.Code, snippet([]byte(e.Message)))
	}
	if status < 200 || status > 299 || len(r.Response.SendStatusSet) == 0 {
		return fmt.Errorf("HTTP %d without a send status: %s", status, snippet(answer))
	}
	for _, st := range r.Response.SendStatusSet {
		if st.Code != "Ok" {
			return fmt.Errorf("SendStatus %s: %s", st.Code, snippet([]byte(st.Message)))
		}
	}
	return nil
}

// TC3CanonicalRequest builds the TC3-HMAC-SHA256 canonical request:
// method, URI, query, the headers (names lower-case, values trimmed and
// lower-case, in the order given, which must be sorted by name), the
// signed header names, and the hex SHA-256 of the payload. It returns the
// request and the signed headers ("content-type;host").
func TC3CanonicalRequest(method, uri, query string, headers [][2]string, payload []byte) (canonical, signed string) {
	var b strings.Builder
	names := make([]string, len(headers))
	for i, h := range headers {
		names[i] = strings.ToLower(h[0])
		b.WriteString(names[i] + ":" + strings.ToLower(strings.TrimSpace(h[1])) + "\n")
	}
	signed = strings.Join(names, ";")
	sum := sha256.Sum256(payload)
	return strings.Join([]string{method, uri, query, b.String(), signed, hex.EncodeToString(sum[:])}, "\n"), signed
}

// TC3Signature signs a canonical request made at timestamp (Unix seconds)
// for the service: hex HMAC-SHA256, with the key derived from
// "TC3"+secretKey through the UTC date, the service and "tc3_request",
// over "TC3-HMAC-SHA256\n" + timestamp + "\n" + scope + "\n" +
// hex(SHA-256(canonical request)).
func TC3Signature(secretKey, service string, timestamp int64, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	toSign := "TC3-HMAC-SHA256\n" + strconv.FormatInt(timestamp, 10) + "\n" + tc3Scope(timestamp, service) + "\n" + hex.EncodeToString(sum[:])
	date := time.Unix(timestamp, 0).UTC().Format("2006-01-02")
	key := hmacSHA256([]byte("TC3"+secretKey), date)
	key = hmacSHA256(key, service)
	key = hmacSHA256(key, "tc3_request")
	return hex.EncodeToString(hmacSHA256(key, toSign))
}

// tc3Scope is the credential scope: date/service/tc3_request.
func tc3Scope(timestamp int64, service string) string {
	return time.Unix(timestamp, 0).UTC().Format("2006-01-02") + "/" + service + "/tc3_request"
}

func hmacSHA256(key []byte, s string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(s))
	return mac.Sum(nil)
}
