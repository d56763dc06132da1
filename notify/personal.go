package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"skygrid"
)

// Sender delivers the messages of one personal channel kind (SMS through
// Aliyun or Tencent Cloud, DingTalk work notices). The worker picks the
// sender by the message's kind; group channels need none (see Send).
type Sender interface {
	Send(ctx context.Context, m *skygrid.OutboxMessage) error
}

// Config is the [notify] section of the configuration file: who delivers
// personal messages. Provider secrets live here (or in the environment),
// never in the database.
type Config struct {
	SMS         SMSConfig         `toml:"sms"`
	DingTalkApp DingTalkAppConfig `toml:"dingtalk_app"`
}

// SMSConfig configures text messages through one provider.
type SMSConfig struct {
	// Provider is "" (no SMS), "aliyun" (dysmsapi SendSms, signature
	// version 1.0, HMAC-SHA1) or "tencent" (SendSms 2021-01-11,
	// TC3-HMAC-SHA256).
	Provider string `toml:"provider"`
	// Aliyun's AccessKey.
	AccessKeyID     string `toml:"access_key_id"`
	AccessKeySecret string `toml:"access_key_secret"`
	// Tencent Cloud's API key.
	SecretID  string `toml:"secret_id"`
	SecretKey string `toml:"secret_key"`
	// SignName is the approved signature (短信签名); TemplateCode (Aliyun,
	// SMS_...) or TemplateID (Tencent) the approved template; SdkAppID the
	// Tencent SMS application (1400...).
	SignName     string `toml:"sign_name"`
	TemplateCode string `toml:"template_code"`
	TemplateID   string `toml:"template_id"`
	SdkAppID     string `toml:"sdk_app_id"`
	// Region: Aliyun's RegionId (default cn-hangzhou), Tencent's
	// X-TC-Region (default ap-guangzhou).
	Region string `toml:"region"`
	// TemplateParams are the template's parameters in order, each a
	// notice field (skygrid.SMSFields). Aliyun names its variables:
	// "name=field" fills ${name}; a bare field fills the variable of the
	// same name.
	TemplateParams []string `toml:"template_params"`
	// MaxParamChars cuts each parameter to this many characters (0: no cut).
	MaxParamChars int `toml:"max_param_chars"`
	// BaseURL is the provider's endpoint (default
	// https://dysmsapi.aliyuncs.com or https://sms.tencentcloudapi.com).
	BaseURL string `toml:"base_url"`
}

// DingTalkAppConfig configures DingTalk work notices (工作通知) through an
// internal application (企业内部应用).
type DingTalkAppConfig struct {
	AppKey    string `toml:"app_key"`
	AppSecret string `toml:"app_secret"`
	AgentID   int64  `toml:"agent_id"`
	// BaseURL of the DingTalk open API (default https://oapi.dingtalk.com).
	BaseURL string `toml:"base_url"`
	// MsgType: action_card (a button opens the task) or markdown.
	MsgType string `toml:"msg_type"`
}

// SMS providers.
const (
	ProviderAliyun  = "aliyun"
	ProviderTencent = "tencent"
)

// Provider endpoints.
const (
	AliyunSMSURL   = "https://dysmsapi.aliyuncs.com"
	TencentSMSURL  = "https://sms.tencentcloudapi.com"
	DingTalkAPIURL = "https://oapi.dingtalk.com"
)

// DefaultConfig: no provider; the template parameters task, class,
// place and deadline.
func DefaultConfig() Config {
	return Config{
		SMS:         SMSConfig{TemplateParams: []string{"task_id", "class", "place", "deadline"}, MaxParamChars: 20},
		DingTalkApp: DingTalkAppConfig{BaseURL: DingTalkAPIURL, MsgType: "action_card"},
	}
}

// Kinds returns the personal channel kinds this configuration can send.
func (c Config) Kinds() []string {
	var out []string
	switch c.SMS.Provider {
	case ProviderAliyun:
		out = append(out, skygrid.ChannelAliyunSMS)
	case ProviderTencent:
		out = append(out, skygrid.ChannelTencentSMS)
	}
	if c.DingTalkApp.AppKey != "" {
		out = append(out, skygrid.ChannelDingTalkWork)
	}
	return out
}

// Validate checks the configuration; errors name the key, never a value
// of a secret.
func (c Config) Validate() error {
	s := c.SMS
	var need map[string]string
	switch s.Provider {
	case "":
	case ProviderAliyun:
		need = map[string]string{"access_key_id": s.AccessKeyID, "access_key_secret": s.AccessKeySecret, "sign_name": s.SignName,
			"template_code": s.TemplateCode}
	case ProviderTencent:
		need = map[string]string{"secret_id": s.SecretID, "secret_key": s.SecretKey, "sign_name": s.SignName, "template_id": s.TemplateID,
			"sdk_app_id": s.SdkAppID}
	default:
		return fmt.Errorf("notify.sms.provider %q: want aliyun, tencent or empty (no SMS)", s.Provider)
	}
	for _, k := range []string{"access_key_id", "access_key_secret", "secret_id", "secret_key", "sign_name", "template_code", "template_id", "sdk_app_id"} {
		if v, ok := need[k]; ok && strings.TrimSpace(v) == "" {
			return fmt.Errorf("notify.sms.%s: required for provider %s", k, s.Provider)
		}
	}
	if s.Provider != "" {
		if _, err := parseParams(s.TemplateParams); err != nil {
			return fmt.Errorf("notify.sms.template_params: %s", skygrid.ErrorMessage(err))
		}
	}
	if s.MaxParamChars < 0 {
		return fmt.Errorf("notify.sms.max_param_chars %d: want 0 (no cut) or more", s.MaxParamChars)
	}
	if err := checkBaseURL(s.BaseURL); err != nil {
		return fmt.Errorf("notify.sms.base_url: %w", err)
	}
	d := c.DingTalkApp
	if d.AppKey != "" || d.AppSecret != "" {
		switch {
		case d.AppKey == "" || d.AppSecret == "":
			return fmt.Errorf("notify.dingtalk_app: app_key and app_secret go together")
		case d.AgentID <= 0:
			return fmt.Errorf("notify.dingtalk_app.agent_id: required (the application's AgentId)")
		}
	}
	if d.MsgType != "action_card" && d.MsgType != "markdown" {
		return fmt.Errorf("notify.dingtalk_app.msg_type %q: want action_card or markdown", d.MsgType)
	}
	if err := checkBaseURL(d.BaseURL); err != nil {
		return fmt.Errorf("notify.dingtalk_app.base_url: %w", err)
	}
	return nil
}

func checkBaseURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("want an http or https URL")
	}
	return nil
}

// Senders returns a sender per configured personal channel kind, with the
// HTTP client and the clock (for signature timestamps and token expiry).
func (c Config) Senders(client *http.Client, now func() time.Time) map[string]Sender {
	out := map[string]Sender{}
	params, _ := parseParams(c.SMS.TemplateParams)
	s := c.SMS
	switch s.Provider {
	case ProviderAliyun:
		out[skygrid.ChannelAliyunSMS] = &AliyunSMS{AccessKeyID: s.AccessKeyID, AccessKeySecret: s.AccessKeySecret, SignName: s.SignName,
			TemplateCode: s.TemplateCode, RegionID: s.Region, Params: params, MaxParamChars: s.MaxParamChars, BaseURL: s.BaseURL,
			Client: client, Now: now}
	case ProviderTencent:
		out[skygrid.ChannelTencentSMS] = &TencentSMS{SecretID: s.SecretID, SecretKey: s.SecretKey, SdkAppID: s.SdkAppID, SignName: s.SignName,
			TemplateID: s.TemplateID, Region: s.Region, Params: params, MaxParamChars: s.MaxParamChars, BaseURL: s.BaseURL, Client: client, Now: now}
	}
	if d := c.DingTalkApp; d.AppKey != "" {
		out[skygrid.ChannelDingTalkWork] = &DingTalkWork{AppKey: d.AppKey, AppSecret: d.AppSecret, AgentID: d.AgentID, BaseURL: d.BaseURL,
			MsgType: d.MsgType, Client: client, Now: now}
	}
	return out
}

// Describe says what the configuration sends, secrets left out, for the
// serve log and `notify list`.
func (c Config) Describe() []string {
	var out []string
	switch s := c.SMS; s.Provider {
	case ProviderAliyun:
		out = append(out, fmt.Sprintf("%s: sign %s, template %s, parameters %s, key %s", skygrid.ChannelAliyunSMS, s.SignName, s.TemplateCode,
			strings.Join(s.TemplateParams, ","), skygrid.MaskSecret(s.AccessKeyID)))
	case ProviderTencent:
		out = append(out, fmt.Sprintf("%s: app %s, sign %s, template %s, parameters %s, key %s", skygrid.ChannelTencentSMS, s.SdkAppID, s.SignName,
			s.TemplateID, strings.Join(s.TemplateParams, ","), skygrid.MaskSecret(s.SecretID)))
	}
	if d := c.DingTalkApp; d.AppKey != "" {
		out = append(out, fmt.Sprintf("%s: agent %d, app %s, %s", skygrid.ChannelDingTalkWork, d.AgentID, skygrid.MaskSecret(d.AppKey), d.MsgType))
	}
	return out
}

// param is one SMS template parameter: the provider's name for it and the
// notice field it takes.
type param struct{ name, field string }

func parseParams(specs []string) ([]param, error) {
	if len(specs) == 0 {
		return nil, skygrid.Errorf(skygrid.EINVALID, "at least one parameter")
	}
	var out []param
	for _, s := range specs {
		name, field, ok := strings.Cut(strings.TrimSpace(s), "=")
		if !ok {
			field = name
		}
		name, field = strings.TrimSpace(name), strings.TrimSpace(field)
		if name == "" {
			return nil, skygrid.Errorf(skygrid.EINVALID, "parameter %q has no name", s)
		}
		if _, ok := skygrid.SMSFields[field]; !ok {
			return nil, skygrid.Errorf(skygrid.EINVALID, "parameter %q: unknown field %q (task_id, event, class, place, deadline, found, lonlat)", s, field)
		}
		out = append(out, param{name, field})
	}
	return out, nil
}

// noticeOf reads the notice a task message carries in its payload.
func noticeOf(m *skygrid.OutboxMessage) (skygrid.Notice, error) {
	var n skygrid.Notice
	if err := json.Unmarshal([]byte(m.Payload), &n); err != nil || n.TaskID == 0 {
		return n, errors.New("the message carries no task notice")
	}
	return n, nil
}

// smsValues renders the template parameters of a message in order.
func smsValues(m *skygrid.OutboxMessage, params []param, max int) ([]string, error) {
	n, err := noticeOf(m)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(params))
	for i, p := range params {
		if out[i], err = skygrid.SMSParam(n, p.field, max); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// personalError wraps a personal sender's error with the kind and the
// recipient masked, and removes the secrets and the raw recipient.
func personalError(kind string, m *skygrid.OutboxMessage, err error, secrets ...string) error {
	s := fmt.Sprintf("%s to %s: %v", kind, skygrid.MaskRecipient(m.Recipient), err)
	for _, v := range secrets {
		if len(v) < 4 {
			continue
		}
		for _, form := range []string{v, url.QueryEscape(v), url.PathEscape(v), percentEncode(v)} {
			s = strings.ReplaceAll(s, form, "…")
		}
	}
	addr := m.Recipient
	for _, p := range []string{skygrid.RecipientUserID, skygrid.RecipientMobile} {
		addr = strings.TrimPrefix(addr, p)
	}
	if len(addr) >= 4 {
		s = strings.ReplaceAll(s, addr, skygrid.MaskPhone(addr))
	}
	return errors.New(s)
}

func clock(now func() time.Time) time.Time {
	if now != nil {
		return now()
	}
	return time.Now()
}

func client(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return http.DefaultClient
}

func endpoint(base, def string) string {
	if base == "" {
		base = def
	}
	return strings.TrimRight(base, "/")
}
