package notifytest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Tencent is a stand-in for Tencent Cloud SMS (sms.tencentcloudapi.com,
// SendSms, version 2021-01-11) with one API key and one SMS application,
// signature and template.
type Tencent struct {
	server
	SecretID, SecretKey, SdkAppID, SignName, TemplateID string

	msgs []SMS
}

// NewTencent starts the stand-in; it stops at the test's end.
func NewTencent(t interface{ Cleanup(func()) }, secretID, secretKey, sdkAppID, signName, templateID string) *Tencent {
	s := &Tencent{SecretID: secretID, SecretKey: secretKey, SdkAppID: sdkAppID, SignName: signName, TemplateID: templateID}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	t.Cleanup(s.Close)
	return s
}

// Messages are the messages accepted, in order.
func (s *Tencent) Messages() []SMS {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SMS(nil), s.msgs...)
}

func (s *Tencent) fail(w http.ResponseWriter, code, msg string) {
	writeJSON(w, 200, map[string]any{"Response": map[string]any{"Error": map[string]string{"Code": code, "Message": msg},
		"RequestId": "6e3a4b9f-STANDIN"}})
}

var tc3Auth = regexp.MustCompile(`^TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/([a-z]+)/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$`)

func (s *Tencent) handle(w http.ResponseWriter, r *http.Request) {
	s.count()
	payload, _ := io.ReadAll(r.Body)
	switch {
	case r.Header.Get("X-TC-Action") != "SendSms":
		s.fail(w, "InvalidAction", "The action does not exist.")
		return
	case r.Header.Get("X-TC-Version") != "2021-01-11":
		s.fail(w, "NoSuchVersion", "The API version does not exist.")
		return
	case r.Header.Get("X-TC-Region") == "":
		s.fail(w, "MissingParameter", "The request is missing a required parameter `Region`.")
		return
	}
	stamp, err := strconv.ParseInt(r.Header.Get("X-TC-Timestamp"), 10, 64)
	if d := s.now().Sub(time.Unix(stamp, 0)); err != nil || d > 5*time.Minute || d < -5*time.Minute {
		s.fail(w, "AuthFailure.SignatureExpire", "Signature expired. Timestamp and server time cannot differ by more than 5 minutes.")
		return
	}
	a := tc3Auth.FindStringSubmatch(r.Header.Get("Authorization"))
	if a == nil {
		s.fail(w, "AuthFailure.InvalidAuthorization", "Authorization header format error.")
		return
	}
	if a[1] != s.SecretID {
		s.fail(w, "AuthFailure.SecretIdNotFound", "The SecretId is not found.")
		return
	}
	date := time.Unix(stamp, 0).UTC().Format("2006-01-02")
	if a[2] != date || a[3] != "sms" || !strings.Contains(";"+a[4]+";", ";content-type;") || !strings.Contains(";"+a[4]+";", ";host;") {
		s.fail(w, "AuthFailure.SignatureFailure", "The provided credentials could not be validated (credential scope or signed headers).")
		return
	}
	if a[5] != s.signature(r, a[4], payload, stamp, date) {
		s.fail(w, "AuthFailure.SignatureFailure", "The provided credentials could not be validated. Please check your signature is correct.")
		return
	}
	s.send(w, payload)
}

// signature recomputes TC3-HMAC-SHA256 from the request as received.
func (s *Tencent) signature(r *http.Request, signed string, payload []byte, stamp int64, date string) string {
	var headers strings.Builder
	for _, name := range strings.Split(signed, ";") {
		v := r.Header.Get(name)
		if name == "host" {
			v = r.Host
		}
		headers.WriteString(name + ":" + strings.ToLower(strings.TrimSpace(v)) + "\n")
	}
	ph := sha256.Sum256(payload)
	canonical := r.Method + "\n" + r.URL.Path + "\n" + r.URL.RawQuery + "\n" + headers.String() + "\n" + signed + "\n" + hex.EncodeToString(ph[:])
	ch := sha256.Sum256([]byte(canonical))
	toSign := "TC3-HMAC-SHA256\n" + strconv.FormatInt(stamp, 10) + "\n" + date + "/sms/tc3_request\n" + hex.EncodeToString(ch[:])
	mac := func(key []byte, msg string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	key := mac(mac(mac([]byte("TC3"+s.SecretKey), date), "sms"), "tc3_request")
	return hex.EncodeToString(mac(key, toSign))
}

// send checks the message itself and takes it.
func (s *Tencent) send(w http.ResponseWriter, payload []byte) {
	var req struct {
		PhoneNumberSet   []string
		SmsSdkAppId      string
		SignName         string
		TemplateId       string
		TemplateParamSet []string
		SessionContext   string
	}
	if err := json.Unmarshal(payload, &req); err != nil {
		s.fail(w, "InvalidParameter", "The request body is not JSON.")
		return
	}
	switch {
	case req.SmsSdkAppId != s.SdkAppID:
		s.fail(w, "FailedOperation.MissingSmsSdkAppId", "SmsSdkAppId does not exist.")
		return
	case req.SignName != s.SignName:
		s.fail(w, "FailedOperation.SignatureIncorrectOrUnapproved", "The signature is incorrect or unapproved.")
		return
	case req.TemplateId != s.TemplateID:
		s.fail(w, "FailedOperation.TemplateIncorrectOrUnapproved", "The template is incorrect or unapproved.")
		return
	case len(req.PhoneNumberSet) != 1 || !regexp.MustCompile(`^\+861[3-9]\d{9}$`).MatchString(req.PhoneNumberSet[0]):
		s.fail(w, "InvalidParameterValue.IncorrectPhoneNumber", "The phone number is incorrect.")
		return
	}
	if f, ok := s.failure(); ok {
		writeRaw(w, f)
		return
	}
	phone := req.PhoneNumberSet[0]
	s.mu.Lock()
	s.msgs = append(s.msgs, SMS{Phone: strings.TrimPrefix(phone, "+86"), SignName: req.SignName, Template: req.TemplateId,
		Params: req.TemplateParamSet, Key: req.SessionContext})
	s.mu.Unlock()
	writeJSON(w, 200, map[string]any{"Response": map[string]any{"SendStatusSet": []map[string]any{{"SerialNo": "5000:1045710669157053657849499619",
		"PhoneNumber": phone, "Fee": 1, "SessionContext": req.SessionContext, "Code": "Ok", "Message": "send success", "IsoCode": "CN"}},
		"RequestId": "a0aabda6-STANDIN"}})
}
