package skygrid_test

import (
	"slices"
	"strings"
	"testing"

	"skygrid"
)

// Webhook shapes of the kind skygrid is given (the tokens are made up, in
// the form each service issues).
const (
	slackToken   = "Kq3vX9zTbN2pR7wLmC4hYd8s"
	discordToken = "mF8k2Jq-Lz0vXw9_RtYb3NcP6sHd1GeUa7oKiB4lQn5TjWy-MpVrZ2xCe8gAu0DfS"
	feishuHook   = "8c9d1f2e-3b4a-4c5d-9e6f-7a8b9c0d1e2f"
	firmsKey     = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
)

func TestMaskURL(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"dingtalk query", "https://oapi.dingtalk.com/robot/send?access_token=d1n9a0b1c2d3e4f5", "https://oapi.dingtalk.com/robot/send?access_token=d1n9…"},
		{"short query values hidden", "https://example.org/hook?a=1&b=abcdefghijk", "https://example.org/hook?a=…&b=abcd…"},
		{"password dropped", "https://user:pass@example.org/hook", "https://user@example.org/hook"},
		{"token as user name", "https://" + slackToken + ":x@example.org/", "https://Kq3v…@example.org/"},
		{"slack", "https://hooks.slack.com/services/T0A1B2C3D/B0E4F5G6H/" + slackToken, "https://hooks.slack.com/services/T0A1B2C3D/B0E4F5G6H/Kq3v…"},
		{"discord", "https://discord.com/api/webhooks/1234567890123456789/" + discordToken, "https://discord.com/api/webhooks/1234567890123456789/mF8k…"},
		{"feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/" + feishuHook, "https://open.feishu.cn/open-apis/bot/v2/hook/8c9d…"},
		{"firms map key", "https://firms.modaps.eosdis.nasa.gov/api/area/csv/" + firmsKey + "/VIIRS_SNPP_NRT/112,39,115,41/2", "https://firms.modaps.eosdis.nasa.gov/api/area/csv/0a1b…/VIIRS_SNPP_NRT/112,39,115,41/2"},
		{"path and query", "https://example.org/hooks/" + slackToken + "?sig=abcdefghijklmnop#" + slackToken, "https://example.org/hooks/Kq3v…?sig=abcd…#Kq3v…"},
		{"escaped token", "https://example.org/h/Kq3v%2BX9zTbN2pR7wLmC4hYd8s", "https://example.org/h/Kq3v…"},
		{"words kept", "https://example.org/incoming-webhooks-endpoint/notifications/v2", "https://example.org/incoming-webhooks-endpoint/notifications/v2"},
		{"no secrets", "https://example.org/hook", "https://example.org/hook"},
		{"unparseable", "http://[::1/x", "(unparseable URL)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := skygrid.MaskURL(tt.in); got != tt.want {
				t.Errorf("MaskURL(%s) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestTokenLike(t *testing.T) {
	for _, tt := range []struct {
		seg  string
		want bool
	}{
		{slackToken, true}, {discordToken, true}, {feishuHook, true}, {firmsKey, true},
		{"T0A1B2C3D", false}, {"1234567890123456789", false}, {"open-apis", false}, {"incoming-webhook-endpoint", false},
		{"VIIRS_SNPP_NRT", false}, {"abcdefghijklmnopqrstuvwxyzabcdefgh", true}, {"a/b", false}, {"", false},
	} {
		t.Run(tt.seg, func(t *testing.T) {
			if got := skygrid.TokenLike(tt.seg); got != tt.want {
				t.Errorf("TokenLike(%q) = %v, want %v", tt.seg, got, tt.want)
			}
		})
	}
}

func TestURLSecrets(t *testing.T) {
	got := skygrid.URLSecrets("https://u:pw0rd@hooks.slack.com/services/T0A1B2C3D/B0E4F5G6H/" + slackToken + "?sig=abcdefghijk")
	for _, want := range []string{"pw0rd", slackToken, "abcdefghijk"} {
		if !slices.Contains(got, want) {
			t.Errorf("URLSecrets: %v lacks %s", got, want)
		}
	}
	for _, s := range got {
		if strings.Contains(s, "T0A1B2C3D") || s == "services" {
			t.Errorf("URLSecrets: %v holds a word or id", got)
		}
	}
}
