package notifytest

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"time"
)

// Aliyun is a stand-in for Aliyun SMS (dysmsapi.aliyuncs.com, SendSms,
// version 2017-05-25) with one AccessKey, one approved signature and one
// template.
type Aliyun struct {
	server
	KeyID, Secret, SignName, TemplateCode string

	nonces map[string]bool
	msgs   []SMS
}

// NewAliyun starts the stand-in; it stops at the test's end.
func NewAliyun(t interface{ Cleanup(func()) }, keyID, secret, signName, templateCode string) *Aliyun {
	a := &Aliyun{KeyID: keyID, Secret: secret, SignName: signName, TemplateCode: templateCode, nonces: map[string]bool{}}
	a.Server = httptest.NewServer(http.HandlerFunc(a.handle))
	t.Cleanup(a.Close)
	return a
}

// Messages are the messages accepted, in order.
func (a *Aliyun) Messages() []SMS {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]SMS(nil), a.msgs...)
}

func (a *Aliyun) answer(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"RequestId": "8906582E-6722-4C5A-B2A2-STANDIN", "Code": code, "Message": msg})
}

func (a *Aliyun) handle(w http.ResponseWriter, r *http.Request) {
	a.count()
	if err := r.ParseForm(); err != nil {
		a.answer(w, 400, "InvalidParameter", "the request does not parse")
		return
	}
	p := r.Form
	for k, want := range map[string]string{"Action": "SendSms", "Version": "2017-05-25", "Format": "JSON", "SignatureMethod": "HMAC-SHA1",
		"SignatureVersion": "1.0"} {
		if p.Get(k) != want {
			a.answer(w, 400, "InvalidParameter", fmt.Sprintf("%s must be %s", k, want))
			return
		}
	}
	if p.Get("AccessKeyId") != a.KeyID {
		a.answer(w, 404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
		return
	}
	stamp, err := time.Parse("2006-01-02T15:04:05Z", p.Get("Timestamp"))
	if d := a.now().Sub(stamp); err != nil || d > 15*time.Minute || d < -15*time.Minute {
		a.answer(w, 400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
		return
	}
	// The string to sign, built the way Aliyun's documentation says.
	keys := make([]string, 0, len(p))
	for k := range p {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, encode(k)+"="+encode(p.Get(k)))
	}
	toSign := r.Method + "&" + encode("/") + "&" + encode(strings.Join(parts, "&"))
	mac := hmac.New(sha1.New, []byte(a.Secret+"&"))
	mac.Write([]byte(toSign))
	if !hmac.Equal([]byte(p.Get("Signature")), []byte(base64.StdEncoding.EncodeToString(mac.Sum(nil)))) {
		a.answer(w, 400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation. server string to sign is:"+toSign)
		return
	}
	a.mu.Lock()
	used := a.nonces[p.Get("SignatureNonce")] || p.Get("SignatureNonce") == ""
	a.nonces[p.Get("SignatureNonce")] = true
	a.mu.Unlock()
	if used {
		a.answer(w, 400, "SignatureNonceUsed", "Specified signature nonce was used already.")
		return
	}
	a.send(w, p.Get("PhoneNumbers"), p.Get("SignName"), p.Get("TemplateCode"), p.Get("TemplateParam"), p.Get("OutId"))
}

// send checks the message itself and takes it.
func (a *Aliyun) send(w http.ResponseWriter, phone, sign, template, param, outID string) {
	named := map[string]string{}
	switch {
	case len(phone) != 11 || strings.Trim(phone, "0123456789") != "" || phone[0] != '1':
		a.answer(w, 200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
		return
	case sign != a.SignName:
		a.answer(w, 200, "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
		return
	case template != a.TemplateCode:
		a.answer(w, 200, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
		return
	case json.Unmarshal([]byte(param), &named) != nil || len(named) == 0:
		a.answer(w, 200, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
		return
	}
	if f, ok := a.failure(); ok {
		writeRaw(w, f)
		return
	}
	a.mu.Lock()
	a.msgs = append(a.msgs, SMS{Phone: phone, SignName: sign, Template: template, Named: named, Key: outID})
	a.mu.Unlock()
	writeJSON(w, 200, map[string]string{"Message": "OK", "RequestId": "F655A8D5-B967-440B-8683-STANDIN", "Code": "OK", "BizId": "900619746936498440^0"})
}

// encode is Aliyun's percent-encoding: A-Z a-z 0-9 - _ . ~ kept, every
// other byte of the UTF-8 as %XY in upper-case hex.
func encode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
