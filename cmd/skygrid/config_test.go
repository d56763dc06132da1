package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"skygrid"
	"strings"
	"testing"
	"time"

	"skygrid/api"
	"skygrid/config"
	"skygrid/data"
	"skygrid/internal/storetest"
	"skygrid/netlimit"
	"skygrid/store"
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
		{"empty area name", `server.area_name=" "`, `server.area_name: the area's name is empty`},
		{"area name with markup", `server.area_name="<b>山西</b>"`, `server.area_name: the area's name "<b>山西</b>" holds markup`},
		{"long area name", `server.area_name="山西省山西省山西省山西省山西省山西省山西省"`, `is longer than 20 characters`},
		{"English area name with markup", `server.area_name_en="<i>Shanxi</i>"`, `server.area_name_en: the area's name "<i>Shanxi</i>" holds markup`},
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

// The database a command opens: --db, else $SKYGRID_DB, else the
// configuration's [store] dsn (a SQLite file or a PostgreSQL URL, by the
// run's store), else skygrid.db.
func TestStoreDSNFromConfig(t *testing.T) {
	dir := t.TempDir()
	files := writeEmbedded(t, dir, data.Districts)
	for _, tc := range []struct {
		name             string
		flag, env, store bool
		want             string
	}{
		{"[store] dsn", false, false, true, "store"},
		{"$SKYGRID_DB over [store] dsn", false, true, true, "env"},
		{"--db over both", true, true, true, "flag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dsns := map[string]string{"flag": storetest.DSN(t, "flag.db"), "env": storetest.DSN(t, "env.db"), "store": storetest.DSN(t, "store.db")}
			cfg := filepath.Join(t.TempDir(), "skygrid.toml")
			if err := os.WriteFile(cfg, []byte(fmt.Sprintf("[store]\ndsn = %q\n", dsns["store"])), 0o600); err != nil {
				t.Fatal(err)
			}
			m, _, _ := testMain()
			m.Getenv = func(k string) string {
				if k == "SKYGRID_DB" && tc.env {
					return dsns["env"]
				}
				return ""
			}
			args := []string{"import", "regions", files[0], "--level", "county", "--config", cfg}
			if tc.flag {
				args = append(args, "--db", dsns["flag"])
			}
			if err := m.Run(context.Background(), args); err != nil {
				t.Fatal(err)
			}
			for name, dsn := range dsns {
				if n := countRegions(t, dsn); (n > 0) != (name == tc.want) {
					t.Errorf("%s database holds %d regions, want the regions in the %s one only", name, n, tc.want)
				}
			}
		})
	}
}

// countRegions opens dsn (creating it when missing) and counts its regions.
func countRegions(t *testing.T, dsn string) int {
	t.Helper()
	db := store.NewDB(dsn)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, n, err := db.FindRegions(context.Background(), skygrid.RegionFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Where a database's photos go without --data, and how it is shown.
func TestDataDirAndShownDSN(t *testing.T) {
	for _, tc := range []struct{ name, dsn, data, shown string }{
		{"SQLite file", "/var/lib/skygrid/city.db", "/var/lib/skygrid/city.db.data", "/var/lib/skygrid/city.db"},
		{"PostgreSQL with a password", "postgres://skygrid:s3cret@db.example:5432/shanxi?sslmode=disable", "shanxi.data",
			"postgres://skygrid:xxxxx@db.example:5432/shanxi?sslmode=disable"},
		{"PostgreSQL without a database name", "postgresql://skygrid@db.example", "skygrid.data", "postgresql://skygrid@db.example"},
		{"PostgreSQL with a path in the name", "postgres://h/a%2F..%2Fb", "skygrid.data", "postgres://h/a%2F..%2Fb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := defaultDataDir(tc.dsn); got != tc.data {
				t.Errorf("data dir %q, want %q", got, tc.data)
			}
			if got := store.RedactDSN(tc.dsn); got != tc.shown {
				t.Errorf("shown %q, want %q", got, tc.shown)
			}
		})
	}
}
