package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"math"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"skygrid/api"
	"skygrid/detect"
	"skygrid/dispatch"
	"skygrid/evidence"
	"skygrid/frontend"
	"skygrid/intake"
	"skygrid/netlimit"
	"skygrid/notify"
	"skygrid/registry"
	"skygrid/store"
	"skygrid/tiles"
)

// mapFlags are the map, data and public-URL options of serve and demo.
type mapFlags struct {
	basemap     string
	tiandituKey string
	tileCache   int
	dataDir     string
	publicURL   string
	watch       string
	firmsURL    string
	configPath  string
	sets        []string
	// secureCookies marks the session cookie Secure (behind a TLS proxy).
	secureCookies bool
	demo          bool   // reports say the data is demo data
	login         string // whom to log in as, for the ready line (the demo's users)
	// clock is the server's clock (the demo's); nil: the real one.
	clock func() time.Time
}

// openURL is the address to open in a browser: the public URL when set,
// else the listen address (a wildcard address as 127.0.0.1).
func openURL(addr, public string) string {
	if public != "" {
		return public
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func (mf *mapFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&mf.basemap, "basemap", "", "an MBTiles file (raster PNG/JPEG) served as the basemap instead of the one drawn from the boundaries")
	fs.StringVar(&mf.tiandituKey, "tianditu-key", getenv("SKYGRID_TIANDITU_KEY"), "Tianditu browser key (tk): offers Tianditu's vector map (vec_w/cva_w) and imagery (img_w/cia_w) to the browser (or $SKYGRID_TIANDITU_KEY)")
	fs.IntVar(&mf.tileCache, "tile-cache", 20000, "how many encoded tiles the in-process cache keeps (-1: no cache)")
	fs.StringVar(&mf.dataDir, "data", "", "directory for report photos (default: DB.data beside the database)")
	fs.StringVar(&mf.publicURL, "public-url", "", "where users reach skygrid, for links in notifications (default: the listen address) and TileJSON's tile URLs (default: relative ones)")
	fs.StringVar(&mf.watch, "watch", "", "a drop folder: fire files placed there are ingested once each, then moved to done/ or failed/")
	fs.BoolVar(&mf.secureCookies, "secure-cookies", false, "mark the session cookie Secure (sent over HTTPS only): for a deployment behind a TLS proxy, where skygrid itself sees plain HTTP (or [server] secure_cookies = true)")
	fs.StringVar(&mf.firmsURL, "firms-url", "", "FIRMS API base URL (default: the config's [feed] base_url); pulls run when a MAP_KEY is set ($FIRMS_MAP_KEY or [feed] map_key)")
}

// runServe: skygrid serve [--addr 127.0.0.1:8080]
func (m *Main) runServe(ctx context.Context, args []string) error {
	var c common
	var mf mapFlags
	fs := m.newFlags("serve", "Usage: skygrid serve [--addr 127.0.0.1:8080] [flags]\n\nServes the JSON API and the map tiles on the database.", &c)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (port 0 picks a free port)")
	mf.register(fs, m.Getenv)
	if _, err := m.parse(fs, args); err != nil {
		return err
	}
	db, err := m.openDB(c.db)
	if err != nil {
		return err
	}
	defer db.Close()
	mf.configPath, mf.sets = c.config, c.sets
	return m.serve(ctx, db, *addr, mf)
}

// notifyWorker is the outbox worker with a sender per configured personal
// channel kind; it logs once what personal messages go out, or that none do.
func (m *Main) notifyWorker(db *store.DB, configPath string, sets []string) (*notify.Worker, error) {
	cfg, err := m.settings(configPath, sets)
	if err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: 15 * time.Second}
	if d := cfg.Notify.Describe(); len(d) > 0 {
		m.Logger.Info("personal notifications to grid supervisors", "channels", strings.Join(d, "; "))
	} else {
		m.Logger.Info("personal notifications off: no [notify.sms] provider or [notify.dingtalk_app] configured, so supervisors are told through the group channels only and no personal message is queued")
	}
	// The senders sign with the real clock: providers check the time of
	// each request against theirs, whatever clock the server runs on.
	return &notify.Worker{Outbox: db, Client: client, Now: m.Now, Logger: m.Logger, Senders: cfg.Notify.Senders(client, m.Now)}, nil
}

// serve runs the API and tiles on db until ctx is done.
func (m *Main) serve(ctx context.Context, db *store.DB, addr string, mf mapFlags) error {
	if mf.watch != "" {
		if fi, err := os.Stat(mf.watch); err != nil || !fi.IsDir() {
			return fmt.Errorf("serve: --watch %s: not a folder", mf.watch)
		}
	}
	now := m.Now
	if mf.clock != nil {
		now = mf.clock
	}
	db.Now = now
	opt := tiles.Options{CacheTiles: mf.tileCache, Now: now}
	if mf.tileCache == 0 {
		opt.CacheTiles = -1
	}
	if mf.basemap != "" {
		mb, err := store.OpenMBTiles(mf.basemap)
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		defer mb.Close()
		opt.Basemap = mb
	}
	ts, err := tiles.NewServer(db, opt)
	if err != nil {
		return err
	}
	dataDir := mf.dataDir
	if dataDir == "" {
		dataDir = db.DSN + ".data"
	}
	if err := os.MkdirAll(filepath.Join(dataDir, "photos"), 0o750); err != nil {
		return fmt.Errorf("serve: data directory: %w", err)
	}
	p, err := m.pipeline(db, mf.configPath, mf.sets)
	if err != nil {
		return err
	}
	worker, err := m.notifyWorker(db, mf.configPath, mf.sets)
	if err != nil {
		return err
	}
	p.Now, worker.Now = now, now
	cfg, err := m.settings(mf.configPath, mf.sets)
	if err != nil {
		return err
	}
	limits := cfg.Server.limits()
	metrics := api.NewMetrics(db)
	web, err := fs.Sub(frontend.Dist, "dist")
	if err != nil {
		return err
	}
	photos := p.Config.Photos.Photos(filepath.Join(dataDir, "photos"))
	svc := api.Services{Web: web, Hotspots: db, Events: db, Regions: db, Tasks: db, Ingest: db, Sites: db, Layers: db, Tiles: ts,
		Users: db, Photos: db, Audit: db, Outbox: db, Now: now, Feeds: db, Metrics: metrics, Stats: db, Demo: mf.demo,
		Evidence: photos, Imports: registry.Importer{Pipeline: p},
		Limits: limits, PublicURL: mf.publicURL, SecureCookies: mf.secureCookies || cfg.Server.SecureCookies}
	m.logLimits(limits, svc.SecureCookies, mf.publicURL)
	if mf.tiandituKey != "" {
		svc.Basemaps = append(svc.Basemaps, tiles.TiandituBasemaps(mf.tiandituKey)...)
	}
	if f := evidence.DefaultFont(); !f.CJK {
		m.Logger.Warn("photo stamps in Latin letters only: no font with Chinese characters found (install fonts-wqy-microhei or set SKYGRID_STAMP_FONT)",
			"tried", strings.Join(evidence.FontPaths, ", "))
	}
	srv := api.NewServer(svc, m.Logger)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	// Links in notifications: the public URL, else the address listened on
	// (set before anything is served).
	db.PublicURL = mf.publicURL
	if db.PublicURL == "" {
		db.PublicURL = "http://" + ln.Addr().String()
	}
	srv.Serve(ln)
	// The notification worker and the escalation clock run with the server.
	bg, stop := context.WithCancel(ctx)
	wg := m.runJobs(bg, db, p, worker, photos, mf, now)
	defer func() { stop(); wg.Wait() }()
	// The ready line: where to open the web app (and, for the demo, whom
	// to log in as); the browser tests wait for "listening on URL".
	fmt.Fprintf(m.Stdout, "skygrid listening on %s: open %s in a browser%s\n", srv.URL(), openURL(srv.Addr(), mf.publicURL), mf.login)
	if m.Ready != nil {
		m.Ready(srv.URL())
	}
	<-ctx.Done()
	return srv.Close()
}

// runJobs starts what runs beside the server until bg ends: the FIRMS
// pull (when configured), the drop-folder watcher (--watch), the photo
// sweep, the notification worker and the escalation clock; the group
// waits for them.
func (m *Main) runJobs(bg context.Context, db *store.DB, p *dispatch.Pipeline, worker *notify.Worker, photos evidence.Photos, mf mapFlags, now func() time.Time) *sync.WaitGroup {
	var wg sync.WaitGroup
	if client, err := m.firmsClient(p.Config.Feed, mf.firmsURL); err == nil {
		feed := &intake.Feed{Pipeline: p, Client: client, Status: db, Sources: p.Config.Feed.Sources, Days: p.Config.Feed.Days,
			Every: p.Config.Feed.Every.Duration, Logger: m.Logger}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := feed.Run(bg); err != nil && bg.Err() == nil {
				m.Logger.Error("feed stopped", "err", err)
			}
		}()
		fmt.Fprintf(m.Stdout, "pulling FIRMS every %s: %s\n", feed.Every, strings.Join(feed.Sources, ", "))
	}
	if mf.watch != "" {
		w := &intake.Watcher{Dir: mf.watch, Pipeline: p, Logger: m.Logger, Poll: 100 * time.Millisecond, Settle: 500 * time.Millisecond}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.Run(bg); err != nil && bg.Err() == nil {
				m.Logger.Error("watch stopped", "dir", mf.watch, "err", err)
			}
		}()
		fmt.Fprintf(m.Stdout, "watching %s for fire files\n", mf.watch)
	}
	wg.Add(3)
	go func() {
		defer wg.Done()
		m.sweepPhotos(bg, photos, db, now)
	}()
	go func() {
		defer wg.Done()
		if err := worker.Run(bg); err != nil && bg.Err() == nil {
			m.Logger.Error("notify worker", "err", err)
		}
	}()
	go func() {
		defer wg.Done()
		(&dispatch.Clock{Tasks: db, Feeds: db, Now: now, Logger: m.Logger}).Run(bg)
	}()
	return &wg
}

// serverConfig is the [server] section: the HTTP server's timeouts,
// connection caps and per-address rates (api.Limits) and its cookies.
type serverConfig struct {
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
}

// defaultServerConfig is api.DefaultLimits with the caps left to size
// themselves (0) when the server starts.
func defaultServerConfig() serverConfig {
	l := api.DefaultLimits()
	d := func(v time.Duration) detect.Duration { return detect.Duration{Duration: v} }
	return serverConfig{HeaderTimeout: d(l.HeaderTimeout), BodyTimeout: d(l.BodyTimeout), WriteTimeout: d(l.WriteTimeout),
		UploadBodyTimeout: d(l.UploadBodyTimeout), UploadWriteTimeout: d(l.UploadWriteTimeout), DownloadWriteTimeout: d(l.DownloadWriteTimeout),
		IdleTimeout: d(l.IdleTimeout), ReserveConns: l.ReserveConns, PublicRate: l.PublicRate, PublicBurst: l.PublicBurst,
		LoginRate: l.LoginRate, LoginBurst: l.LoginBurst, TrustedProxies: []string{}}
}

// validate refuses negative times, counts and rates, and proxies that are
// neither addresses nor CIDR blocks, naming the key.
func (c serverConfig) validate() error {
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
	return nil
}

// limits are the api.Limits of the section, the caps sized now.
func (c serverConfig) limits() api.Limits {
	l := api.Limits{HeaderTimeout: c.HeaderTimeout.Duration, BodyTimeout: c.BodyTimeout.Duration, WriteTimeout: c.WriteTimeout.Duration,
		UploadBodyTimeout: c.UploadBodyTimeout.Duration, UploadWriteTimeout: c.UploadWriteTimeout.Duration,
		DownloadWriteTimeout: c.DownloadWriteTimeout.Duration, IdleTimeout: c.IdleTimeout.Duration, ReserveConns: c.ReserveConns,
		PublicRate: c.PublicRate, PublicBurst: c.PublicBurst, LoginRate: c.LoginRate, LoginBurst: c.LoginBurst, TrustedProxies: c.TrustedProxies}
	switch {
	case c.MaxConns == 0:
		l.MaxConns = netlimit.DefaultMax(netlimit.FileLimit())
	case c.MaxConns > 0:
		l.MaxConns = c.MaxConns
	}
	switch {
	case c.MaxConnsPerAddress == 0 && l.MaxConns > 0:
		l.MaxConnsPerAddress = min(max(l.MaxConns/8, 64), l.MaxConns)
	case c.MaxConnsPerAddress > 0:
		l.MaxConnsPerAddress = c.MaxConnsPerAddress
	}
	return l
}

// logLimits says once what the server holds to, and warns of a public
// HTTPS address served with cookies that are not Secure.
func (m *Main) logLimits(l api.Limits, secure bool, publicURL string) {
	m.Logger.Info("server limits", "max_conns", l.MaxConns, "max_conns_per_address", l.MaxConnsPerAddress, "reserve_conns", l.ReserveConns,
		"open_files", netlimit.FileLimit(), "body_timeout", l.BodyTimeout, "upload_body_timeout", l.UploadBodyTimeout,
		"public_rate", l.PublicRate, "login_rate", l.LoginRate, "secure_cookies", secure)
	if strings.HasPrefix(strings.ToLower(publicURL), "https://") && !secure {
		m.Logger.Warn("--public-url is https but the session cookie is not Secure: behind a TLS proxy, add --secure-cookies")
	}
}

// sweepPhotos sweeps the photo folder at start-up and then daily, at the
// server's clock: staged files and stored files no report holds, older
// than a day, are removed (evidence.Photos.Sweep).
func (m *Main) sweepPhotos(ctx context.Context, ev evidence.Photos, refs evidence.PhotoRefs, now func() time.Time) {
	tick := time.NewTicker(24 * time.Hour)
	defer tick.Stop()
	for {
		sw, err := ev.Sweep(ctx, refs, now())
		switch {
		case err != nil && ctx.Err() == nil:
			m.Logger.Error("photo sweep", "err", err)
		case sw.Staged+sw.Stored+sw.Adopted > 0:
			m.Logger.Info("photo sweep", "staged_removed", sw.Staged, "unreferenced_removed", sw.Stored, "adopted", sw.Adopted, "bytes", sw.Bytes)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
