package config

import (
	"fmt"
	"math"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"skygrid"
	"skygrid/detect"
)

// Server is the [server] section: the HTTP server's timeouts, connection
// caps and per-address rates (api.Limits, which the commands make of it)
// and its cookies.
type Server struct {
	HeaderTimeout        detect.Duration `toml:"header_timeout"`
	BodyTimeout          detect.Duration `toml:"body_timeout"`
	WriteTimeout         detect.Duration `toml:"write_timeout"`
	UploadBodyTimeout    detect.Duration `toml:"upload_body_timeout"`
	UploadWriteTimeout   detect.Duration `toml:"upload_write_timeout"`
	DownloadWriteTimeout detect.Duration `toml:"download_write_timeout"`
	IdleTimeout          detect.Duration `toml:"idle_timeout"`
	// MaxConns: 0 sizes the cap to the open-file limit, -1 sets none.
	// MaxConnsPerAddress: 0 is an eighth of the cap (at least 64), -1 none.
	MaxConns           int      `toml:"max_conns"`
	MaxConnsPerAddress int      `toml:"max_conns_per_address"`
	ReserveConns       int      `toml:"reserve_conns"`
	PublicRate         float64  `toml:"public_rate"`
	PublicBurst        int      `toml:"public_burst"`
	LoginRate          float64  `toml:"login_rate"`
	LoginBurst         int      `toml:"login_burst"`
	TrustedProxies     []string `toml:"trusted_proxies"`
	SecureCookies      bool     `toml:"secure_cookies"`
	// VideoOrigins: the camera platforms (scheme://host[:port]) whose
	// streams and snapshots the site page shows (the CSP allows them).
	VideoOrigins []string `toml:"video_origins"`
	// AreaName is the area the deployment serves, in the web app's and the
	// public page's titles, the reports' titles and the public's refusals:
	// 大同市 by default, 山西省 for a province.
	AreaName string `toml:"area_name"`
	// AreaNameEn is the area's name in the English web app: Datong for
	// the default 大同市; empty for another area: its area_name.
	AreaNameEn string `toml:"area_name_en"`
}

// DefaultServer is api.DefaultLimits (a test in cmd/skygrid holds them
// equal) with the caps left to size themselves (0) when the server starts.
func DefaultServer() Server {
	d := func(v time.Duration) detect.Duration { return detect.Duration{Duration: v} }
	return Server{HeaderTimeout: d(10 * time.Second), BodyTimeout: d(30 * time.Second), WriteTimeout: d(time.Minute),
		UploadBodyTimeout: d(10 * time.Minute), UploadWriteTimeout: d(10 * time.Minute), DownloadWriteTimeout: d(10 * time.Minute),
		IdleTimeout: d(2 * time.Minute), ReserveConns: 8, PublicRate: 20, PublicBurst: 200,
		LoginRate: 1, LoginBurst: 60, TrustedProxies: []string{}, VideoOrigins: []string{}, AreaName: skygrid.DefaultAreaName}
}

// Validate refuses negative times, counts and rates, and proxies that are
// neither addresses nor CIDR blocks, naming the key.
func (c Server) Validate() error {
	for key, d := range map[string]detect.Duration{"header_timeout": c.HeaderTimeout, "body_timeout": c.BodyTimeout,
		"write_timeout": c.WriteTimeout, "upload_body_timeout": c.UploadBodyTimeout, "upload_write_timeout": c.UploadWriteTimeout,
		"download_write_timeout": c.DownloadWriteTimeout, "idle_timeout": c.IdleTimeout} {
		if d.Duration < 0 {
			return fmt.Errorf("server.%s: %s is negative (0: no timeout)", key, d.Duration)
		}
	}
	for key, n := range map[string]int{"reserve_conns": c.ReserveConns, "public_burst": c.PublicBurst, "login_burst": c.LoginBurst} {
		if n < 0 {
			return fmt.Errorf("server.%s: %d is negative", key, n)
		}
	}
	for key, n := range map[string]int{"max_conns": c.MaxConns, "max_conns_per_address": c.MaxConnsPerAddress} {
		if n < -1 {
			return fmt.Errorf("server.%s: %d (want a number, 0 for the default or -1 for no cap)", key, n)
		}
	}
	for key, r := range map[string]float64{"public_rate": c.PublicRate, "login_rate": c.LoginRate} {
		if r < 0 || math.IsNaN(r) || math.IsInf(r, 0) {
			return fmt.Errorf("server.%s: %v (want requests a second, 0 for no limit)", key, r)
		}
	}
	for _, p := range c.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				return fmt.Errorf("server.trusted_proxies: %q is neither an address nor a CIDR block (10.0.0.0/8)", p)
			}
		}
	}
	if err := skygrid.CheckAreaName(c.AreaName); err != nil {
		return fmt.Errorf("server.area_name: %w", err)
	}
	if c.AreaNameEn != "" {
		if err := skygrid.CheckAreaName(c.AreaNameEn); err != nil {
			return fmt.Errorf("server.area_name_en: %w", err)
		}
	}
	return validOrigins(c.VideoOrigins)
}

// validOrigins refuses a video origin that is not http(s)://host[:port].
func validOrigins(origins []string) error {
	for _, o := range origins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") ||
			u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.ContainsAny(o, " ;'\"") {
			return fmt.Errorf("server.video_origins: %q is not an origin (https://video.example.cn or http://10.0.0.5:8080)", o)
		}
	}
	return nil
}
