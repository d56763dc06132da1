package main

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"skygrid/api"
	"skygrid/config"
	"skygrid/netlimit"
)

// loadSettings reads the whole configuration.
func loadSettings(path string, getenv func(string) string, sets ...string) (config.Config, error) {
	return config.Load(path, getenv, sets...)
}

// The [server] defaults are api.DefaultLimits (config cannot import api).
func TestServerDefaultsAreTheAPIs(t *testing.T) {
	got, want := serverLimits(config.DefaultServer()), api.DefaultLimits()
	if len(got.TrustedProxies) != 0 {
		t.Errorf("trusted proxies by default: %v", got.TrustedProxies)
	}
	got.TrustedProxies = want.TrustedProxies // [] and nil: none either way
	if !reflect.DeepEqual(got, want) {
		t.Errorf("[server] defaults\n%+v\nare not api.DefaultLimits\n%+v", got, want)
	}
}

// The [server] section: its keys checked with their names, the caps sized
// when left at 0 and lifted at -1.
func TestServerConfig(t *testing.T) {
	for _, tt := range []struct{ name, set, want string }{
		{"negative timeout", "server.body_timeout=-1s", "server.body_timeout: -1s is negative"},
		{"NaN rate", "server.login_rate=nan", "server.login_rate: NaN (want requests a second"},
		{"negative burst", "server.public_burst=-5", "server.public_burst: -5 is negative"},
		{"cap below -1", "server.max_conns=-2", "server.max_conns: -2 (want a number"},
		{"bad proxy", `server.trusted_proxies=["10.0.0.0/33"]`, `server.trusted_proxies: "10.0.0.0/33" is neither`},
		{"video origin with a path", `server.video_origins=["https://video.example.cn/live"]`, `server.video_origins: "https://video.example.cn/live" is not an origin`},
		{"video origin without a scheme", `server.video_origins=["video.example.cn"]`, `server.video_origins: "video.example.cn" is not an origin`},
		{"video origin breaking the CSP", `server.video_origins=["https://a.cn; script-src *"]`, `server.video_origins: "https://a.cn; script-src *" is not an origin`},
		{"unknown key", "server.read_timeout=1s", "unknown keys: server.read_timeout"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := loadSettings("", nil, tt.set); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("--set %s: %v, want an error naming %s", tt.set, err, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		name             string
		sets             []string
		max, perAddress  int
		body, uploadBody time.Duration
	}{
		{"sized", nil, netlimit.DefaultMax(netlimit.FileLimit()), max(netlimit.DefaultMax(netlimit.FileLimit())/8, 64), 30 * time.Second, 10 * time.Minute},
		{"set", []string{"server.max_conns=1000", "server.max_conns_per_address=10", "server.body_timeout=5s"}, 1000, 10, 5 * time.Second, 10 * time.Minute},
		{"small cap", []string{"server.max_conns=50"}, 50, 50, 30 * time.Second, 10 * time.Minute},
		{"no caps", []string{"server.max_conns=-1"}, 0, 0, 30 * time.Second, 10 * time.Minute},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := loadSettings("", nil, tt.sets...)
			if err != nil {
				t.Fatal(err)
			}
			l := serverLimits(cfg.Server)
			if l.MaxConns != tt.max || l.MaxConnsPerAddress != tt.perAddress || l.BodyTimeout != tt.body || l.UploadBodyTimeout != tt.uploadBody {
				t.Errorf("limits %+v", l)
			}
		})
	}
}
