package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"skygrid"
	"skygrid/airindex"
	"skygrid/api"
	"skygrid/config"
	"skygrid/dispatch"
	"skygrid/evidence"
	"skygrid/frontend"
	"skygrid/intake"
	"skygrid/netlimit"
	"skygrid/notify"
	"skygrid/orbit"
	"skygrid/registry"
	"skygrid/store"
	"skygrid/tiles"

	"github.com/prometheus/client_golang/prometheus"
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
	// secureCookies marks the session cookie Secure (behind a TLS proxy).
	secureCookies bool
	demo          bool   // reports say the data is demo data
	login         string // whom to log in as, for the ready line (the demo's users)
	// clock is the server's clock (the demo's); nil: the real one.
	clock func() time.Time
	// hj212 is the HJ 212 receiver's listen address; "" none.
	hj212 string
	// started, when set, runs once the HTTP server (at its URL) and the
	// receiver (at its address, "" none) listen: the demo's fleet.
	started func(ctx context.Context, url, hj212 string) error
	// The demo's camera snapshots and video stream (nil outside it).
	demoSnapshot func(mn string, at time.Time) ([]byte, error)
	demoHLS      fs.FS
	// accessLog logs a line per request; logFormat is text or json.
	accessLog bool
	logFormat string
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
	fs.StringVar(&mf.dataDir, "data", "", "directory for report photos (default: DB.data beside a SQLite database, NAME.data in the working directory for a PostgreSQL database NAME)")
	fs.StringVar(&mf.publicURL, "public-url", "", "where users reach skygrid, for links in notifications (default: the listen address) and TileJSON's tile URLs (default: relative ones)")
	fs.StringVar(&mf.watch, "watch", "", "a drop folder: fire files placed there are ingested once each, then moved to done/ or failed/")
	fs.BoolVar(&mf.secureCookies, "secure-cookies", false, "mark the session cookie Secure (sent over HTTPS only): for a deployment behind a TLS proxy, where skygrid itself sees plain HTTP (or [server] secure_cookies = true)")
	fs.StringVar(&mf.hj212, "hj212", "", "also receive site dust monitors' HJ 212-2017 packets on this TCP address (port 0 picks a free port; [hj212] sets the limits)")
	fs.BoolVar(&mf.accessLog, "access-log", false, "log a line per HTTP request (method, path, status, bytes, ms, ip, request_id)")
	fs.StringVar(&mf.logFormat, "log-format", "text", "log lines as text (key=value) or json (one object a line, for journald or a log collector)")
	fs.StringVar(&mf.firmsURL, "firms-url", "", "FIRMS API base URL (default: the config's [feed] base_url); pulls run when a MAP_KEY is set ($FIRMS_MAP_KEY or [feed] map_key)")
}

// ServeCommand is skygrid serve: the web app, API and tiles, with the
// jobs beside them (FIRMS pull, drop folder, notifications, escalation).
type ServeCommand struct{ *Main }

// Usage of skygrid serve.
func (m *ServeCommand) Usage() string {
	return `Usage: skygrid serve [--addr 127.0.0.1:8080] [--hj212 ADDR] [--public-url URL] [--watch DIR] [--basemap FILE.mbtiles] [flags]

Serves the web app, the JSON API and the map tiles on the database, and
runs beside them: the FIRMS pull every [feed] every (when a MAP_KEY is
set), the drop folder (--watch), the outbox worker, the escalation clock
and the photo sweep ([schedule] sets their ticks); with --hj212 ADDR, the
HJ 212-2017 receiver of site dust monitors on that TCP address. Stops on
Ctrl-C.

Examples:
  skygrid serve --db city.db --config skygrid.toml
  skygrid serve --hj212 0.0.0.0:9212
  skygrid serve --addr :8080 --public-url https://skygrid.example.cn --secure-cookies
  FIRMS_MAP_KEY=... skygrid serve --watch /srv/fires --set feed.every=15m
`
}

// Run serves until ctx ends.
func (m *ServeCommand) Run(ctx context.Context, args []string) error {
	var c common
	var mf mapFlags
	fs := m.newFlags("serve", "Usage: skygrid serve [--addr 127.0.0.1:8080] [flags]\n\nServes the JSON API and the map tiles on the database.", &c)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (port 0 picks a free port)")
	mf.register(fs, m.Getenv)
	if _, err := m.parse(fs, args); err != nil {
		return err
	}
	db, cfg, err := m.open(&c)
	if err != nil {
		return err
	}
	defer db.Close()
	return m.serve(ctx, db, cfg, *addr, mf)
}

// notifyWorker is the outbox worker with a sender per configured personal
// channel kind; it logs once what personal messages go out, or that none do.
func (m *Main) notifyWorker(db *store.DB, cfg config.Config) *notify.Worker {
	client := &http.Client{Timeout: 15 * time.Second}
	if d := cfg.Notify.Describe(); len(d) > 0 {
		m.Logger.Info("personal notifications to grid supervisors", "channels", strings.Join(d, "; "))
	} else {
		m.Logger.Info("personal notifications off: no [notify.sms] provider or [notify.dingtalk_app] configured, so supervisors are told through the group channels only and no personal message is queued")
	}
	// The senders sign with the real clock: providers check the time of
	// each request against theirs, whatever clock the server runs on.
	return &notify.Worker{Outbox: db, Client: client, Now: m.Now, Logger: m.Logger, Senders: cfg.Notify.Senders(client, m.Now),
		Poll: cfg.Schedule.NotifyPoll.Duration}
}

// serve runs the API and tiles on db with the configuration until ctx is
// done.
func (m *Main) serve(ctx context.Context, db *store.DB, cfg config.Config, addr string, mf mapFlags) error {
	if err := m.logFormat(mf.logFormat); err != nil {
		return err
	}
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
	ts, closeBasemap, err := tileServer(db, mf, now)
	if err != nil {
		return err
	}
	defer closeBasemap()
	dataDir, err := photoDir(db, mf.dataDir)
	if err != nil {
		return err
	}
	p, err := m.pipeline(db, cfg)
	if err != nil {
		return err
	}
	sink, err := m.readingSink(db, cfg)
	if err != nil {
		return err
	}
	sink.Now = now
	worker := m.notifyWorker(db, cfg)
	p.Now, worker.Now = now, now
	photos := cfg.Photos.Photos(dataDir)
	svc, err := m.apiServices(db, cfg, mf, p, sink, ts, photos, now)
	if err != nil {
		return err
	}
	jobs := m.jobLocks(db, cfg.Schedule.JobPoll.Duration)
	svc.Metrics.Registry.MustRegister(clusterCollector{tiles: ts, jobs: jobs})
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
	// The dust checks of the clock once before the first request: the
	// registry's inspection tasks are there when the web app is (the
	// demo's figures are the same whenever it is opened).
	if _, err := sink.Tick(ctx, now()); err != nil {
		m.Logger.Error("dust checks", "err", err)
	}
	srv.Serve(ln)
	stopHJ212, err := m.startReceiving(ctx, sink, cfg, mf, now, srv.URL())
	if err != nil {
		srv.Close()
		return err
	}
	defer stopHJ212()
	// The notification worker and the escalation clock run with the server.
	bg, stop := context.WithCancel(ctx)
	wait := m.runJobs(bg, db, p, sink, worker, photos, cfg, mf, now, jobs)
	listening := m.listenLayers(bg, db, ts, sink)
	go m.warmUp(bg, ts, srv)
	defer func() { stop(); wait(); listening() }()
	// The ready line: where to open the web app (and, for the demo, whom
	// to log in as); the browser tests wait for "listening on URL".
	fmt.Fprintf(m.Stdout, "skygrid listening on %s: open %s in a browser%s\n", srv.URL(), openURL(srv.Addr(), mf.publicURL), mf.login)
	if m.Ready != nil {
		m.Ready(srv.URL())
	}
	<-ctx.Done()
	return srv.Close()
}

// warmUp does while the server starts what the first map would wait for:
// the default layers (the fires, the events and the regions the base map
// is drawn from; on a province's data the first tiles waited 3-7 s for
// them), then the place names' points (1.5-2.7 s). Each step's time goes
// to the log; a step that fails is left to the first map.
func (m *Main) warmUp(ctx context.Context, ts *tiles.Server, srv *api.Server) {
	for _, step := range []struct {
		done, failed string
		attrs        []any
		run          func(context.Context) error
	}{
		{"map layers loaded", "map layers not loaded ahead: the first tiles load them", []any{"layers", "hotspots,events,regions"}, func(ctx context.Context) error {
			return ts.Warm(ctx, skygrid.LayerHotspots, skygrid.LayerEvents, skygrid.LayerRegions)
		}},
		{"place names placed", "place names not placed ahead: the first map places them", nil, srv.WarmLabels},
	} {
		t0 := time.Now()
		if err := step.run(ctx); err != nil {
			if ctx.Err() == nil {
				m.Logger.Warn(step.failed, "err", err)
			}
			return
		}
		m.Logger.Info(step.done, append(step.attrs, "took", time.Since(t0).Round(time.Millisecond))...)
	}
}

// photoDir is the report photos' folder under --data (made when
// missing; default defaultDataDir). With several servers on one
// PostgreSQL database it must be one folder they all share.
func photoDir(db *store.DB, dataDir string) (string, error) {
	if dataDir == "" {
		dataDir = defaultDataDir(db.DSN)
	}
	dir := filepath.Join(dataDir, "photos")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("serve: data directory: %w", err)
	}
	return dir, nil
}

// apiServices are what serve's API reads and writes: the store, the
// pipeline's placing, the reading sink, the tiles, the photos, the web app
// and the public page's services, with the limits of [server] and the
// deadlines of [public].
func (m *Main) apiServices(db *store.DB, cfg config.Config, mf mapFlags, p *dispatch.Pipeline, sink *dispatch.DustChecker,
	ts *tiles.Server, photos evidence.Photos, now func() time.Time) (api.Services, error) {
	limits := serverLimits(cfg.Server)
	metrics := api.NewMetrics(db)
	web, err := fs.Sub(frontend.Dist, "dist")
	if err != nil {
		return api.Services{}, err
	}
	svc := api.Services{Web: web, Hotspots: db, Events: db, Regions: db, Tasks: db, Ingest: db, Sites: db, Layers: db, Tiles: ts,
		Users: db, Photos: db, Audit: db, Outbox: db, Now: now, Feeds: db, Metrics: metrics, Stats: db, Monitors: db, Readings: sink, Demo: mf.demo, Air: db, AirNearestKm: cfg.Air.NearestKm,
		AirRanking: &airindex.Ranking{Source: db, NearestKm: cfg.Air.NearestKm, CacheFor: 10 * time.Minute, Now: now, Area: cfg.Server.AreaName},
		Evidence:   photos, Warnings: db, Imports: registry.Importer{Pipeline: p}, DustSilentAfter: cfg.Dust.SilentAfter.Duration,
		Limits: limits, PublicURL: mf.publicURL, SecureCookies: mf.secureCookies || cfg.Server.SecureCookies,
		Passes: &orbit.Service{Store: db}}
	m.logLimits(limits, svc.SecureCookies, mf.publicURL)
	svc.DemoSnapshot, svc.DemoHLS = mf.demoSnapshot, mf.demoHLS
	svc.Public = db // the public page (/public)
	svc.Store = db  // checked by /healthz
	svc.AccessLog = mf.accessLog
	svc.AreaName, svc.AreaNameEn = cfg.Server.AreaName, cfg.Server.AreaNameEn
	if mf.tiandituKey != "" {
		svc.Basemaps = append(svc.Basemaps, tiles.TiandituBasemaps(mf.tiandituKey)...)
	}
	if f := evidence.DefaultFont(); !f.CJK {
		m.Logger.Warn("photo stamps in Latin letters only: no font with Chinese characters found (install fonts-wqy-microhei or set SKYGRID_STAMP_FONT)",
			"tried", strings.Join(evidence.FontPaths, ", "))
	}
	// The site page's limit lines and alarms; the camera platforms its video comes from.
	svc.Dust, svc.VideoOrigins = &cfg.Dust, cfg.Server.VideoOrigins
	// Reports from the public: placed as fires are, limited per address and phone.
	svc.PublicReports, svc.PublicPlaces, svc.PublicLimits = db, &dispatch.Locator{Pipeline: p}, cfg.Public.Limits()
	ack, due := cfg.Public.Deadlines(cfg.FireAckDue.Duration, cfg.FireReportDue.Duration)
	db.Public = store.PublicConfig{Limits: cfg.Public.Limits(), AckDue: ack, ReportDue: due}
	return svc, nil
}

// tileServer is the tile server on db with the --tile-cache and
// --basemap of mf; close the basemap with the function it returns.
func tileServer(db *store.DB, mf mapFlags, now func() time.Time) (*tiles.Server, func(), error) {
	opt := tiles.Options{CacheTiles: mf.tileCache, Now: now}
	if mf.tileCache == 0 {
		opt.CacheTiles = -1
	}
	closeBasemap := func() {}
	if mf.basemap != "" {
		mb, err := store.OpenMBTiles(mf.basemap)
		if err != nil {
			return nil, nil, fmt.Errorf("serve: %w", err)
		}
		closeBasemap = func() { mb.Close() }
		opt.Basemap = mb
	}
	ts, err := tiles.NewServer(db, opt)
	if err != nil {
		closeBasemap()
		return nil, nil, err
	}
	return ts, closeBasemap, nil
}

// runJobs starts what runs beside the server until bg ends: the FIRMS
// pull (when configured), the drop-folder watcher (--watch), the photo
// sweep, the notification worker and the escalation clock; wait waits for
// them. With several servers on one PostgreSQL database each scheduled job
// runs on the one server holding its lock (store.Jobs); the drop folder is
// watched by every server given --watch.
func (m *Main) runJobs(bg context.Context, db *store.DB, p *dispatch.Pipeline, sink *dispatch.DustChecker, worker *notify.Worker, photos evidence.Photos,
	cfg config.Config, mf mapFlags, now func() time.Time, jobs *store.Jobs) (wait func()) {
	var wg sync.WaitGroup
	job := func(name string, fn func(ctx context.Context)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			jobs.Run(bg, name, fn)
		}()
	}
	if client, err := m.firmsClient(cfg.Feed, mf.firmsURL); err == nil {
		feed := &intake.Feed{Pipeline: p, Client: client, Status: db, Sources: cfg.Feed.Sources, Days: cfg.Feed.Days,
			Every: cfg.Feed.Every.Duration, Logger: m.Logger}
		job("firms-pull", func(ctx context.Context) {
			if err := feed.Run(ctx); err != nil && ctx.Err() == nil {
				m.Logger.Error("feed stopped", "err", err)
			}
		})
		fmt.Fprintf(m.Stdout, "pulling FIRMS every %s: %s\n", feed.Every, strings.Join(feed.Sources, ", "))
	}
	if cfg.Passes.TLEURL != "" && !mf.demo && !m.Offline {
		job("tle-feed", m.tleFeed(db, cfg.Passes, now))
	}
	if mf.watch != "" {
		w := m.watcher(mf.watch, p, cfg)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.Run(bg); err != nil && bg.Err() == nil {
				m.Logger.Error("watch stopped", "dir", mf.watch, "err", err)
			}
		}()
		fmt.Fprintf(m.Stdout, "watching %s for fire files\n", mf.watch)
	}
	job("prune-readings", func(ctx context.Context) { m.pruneReadings(ctx, db, now, cfg.Readings.KeepMinutes) })
	job("video-probe", m.videoProber(db, cfg.Video, now).Run)
	job("photo-sweep", func(ctx context.Context) {
		m.sweepPhotos(ctx, photos, db, now, cfg.Schedule.PhotoSweepEvery.Duration)
	})
	job("notify", func(ctx context.Context) {
		if err := worker.Run(ctx); err != nil && ctx.Err() == nil {
			m.Logger.Error("notify worker", "err", err)
		}
	})
	clock := &dispatch.Clock{Tasks: db, Feeds: db, Dust: sink, Warnings: db, Now: now, Every: cfg.Schedule.EscalateEvery.Duration,
		Policy: cfg.Escalation.Policy(), Logger: m.Logger}
	job("clock", clock.Run)
	return func() { wg.Wait(); jobs.Close() }
}

// jobLocks are the scheduled jobs' locks, asked for every poll, each
// taking and loss logged with the server's name (host and process id).
func (m *Main) jobLocks(db *store.DB, poll time.Duration) *store.Jobs {
	host, _ := os.Hostname()
	server := fmt.Sprintf("%s:%d", host, os.Getpid())
	jobs := db.Jobs()
	jobs.Poll = poll
	jobs.Changed = func(job string, held bool, err error) {
		switch {
		case held:
			m.Logger.Info("job lock held: this server runs the job", "job", job, "server", server)
		case err != nil:
			m.Logger.Warn("job lock lost", "job", job, "server", server, "err", err)
		}
	}
	return jobs
}

// listenLayers has, on PostgreSQL, the tile server load a layer's new
// version as soon as any server's change commits (the tiles it touched
// are then drawn again, the others kept), and has the dust checks read the
// monitors again when they or their places changed; done waits for it.
func (m *Main) listenLayers(bg context.Context, db *store.DB, ts *tiles.Server, sink *dispatch.DustChecker) (done func()) {
	if !db.Postgres() {
		return func() {}
	}
	ch := make(chan struct{})
	go func() {
		defer close(ch)
		db.ListenLayers(bg, func(c store.LayerChange) {
			ts.Changed(c.Layer, c.Version)
			if c.Layer != skygrid.LayerHotspots && c.Layer != skygrid.LayerEvents {
				sink.Forget()
			}
		}, func(err error) {
			m.Logger.Warn("layer changes: listener connection lost; connecting again (the tile caches drop stale tiles at the next request meanwhile)", "err", err)
		})
	}()
	return func() { <-ch }
}

// clusterCollector is the tile cache's and the job locks' part of
// /metrics: what this server keeps and which jobs it runs.
type clusterCollector struct {
	tiles *tiles.Server
	jobs  *store.Jobs
}

var (
	tileCacheTiles    = prometheus.NewDesc("skygrid_tile_cache_tiles", "Tiles kept in this server's cache.", nil, nil)
	tileLayerPreloads = prometheus.NewDesc("skygrid_tile_layer_preloads_total", "Layer versions this server loaded on the notice of a change (of any server), before a tile asked for them.", nil, nil)
	tileDrawing       = prometheus.NewDesc("skygrid_tile_drawing", "Tiles this server is drawing now (at most one per core).", nil, nil)
	tileDrawWaiting   = prometheus.NewDesc("skygrid_tile_draw_waiting", "Tiles waiting for their turn to be drawn on this server.", nil, nil)
	tileLayersLoaded  = prometheus.NewDesc("skygrid_tile_layers_loaded", "Map layers whose data this server holds in memory (the default ones are loaded at start).", nil, nil)
	jobHeld           = prometheus.NewDesc("skygrid_job_held", "1 for each scheduled job whose cluster-wide lock this server holds (it runs the job).", []string{"job"}, nil)
)

func (c clusterCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- tileCacheTiles
	ch <- tileLayerPreloads
	ch <- tileDrawing
	ch <- tileDrawWaiting
	ch <- tileLayersLoaded
	ch <- jobHeld
}

func (c clusterCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.tiles.Stats()
	ch <- prometheus.MustNewConstMetric(tileCacheTiles, prometheus.GaugeValue, float64(st.Tiles))
	ch <- prometheus.MustNewConstMetric(tileLayerPreloads, prometheus.CounterValue, float64(st.Preloads))
	ch <- prometheus.MustNewConstMetric(tileDrawing, prometheus.GaugeValue, float64(st.Drawing))
	ch <- prometheus.MustNewConstMetric(tileDrawWaiting, prometheus.GaugeValue, float64(st.Waiting))
	ch <- prometheus.MustNewConstMetric(tileLayersLoaded, prometheus.GaugeValue, float64(st.Layers))
	for _, job := range c.jobs.Held() {
		ch <- prometheus.MustNewConstMetric(jobHeld, prometheus.GaugeValue, 1, job)
	}
}

// tleFeed fetches the fire satellites' orbital elements every [passes]
// refresh from [passes] tle_url (skygrid demo does not: it is offline).
func (m *Main) tleFeed(db *store.DB, c config.Passes, now func() time.Time) func(ctx context.Context) {
	f := &intake.TLEFeed{URL: c.TLEURL, Store: db, Status: db, Every: c.Refresh.Duration, Now: now, Logger: m.Logger}
	fmt.Fprintf(m.Stdout, "fetching orbital elements every %s: %s\n", f.Every, c.TLEURL)
	return func(ctx context.Context) {
		if err := f.Run(ctx); err != nil && ctx.Err() == nil {
			m.Logger.Error("orbital elements feed stopped", "err", err)
		}
	}
}

// watcher is the drop-folder watcher of --watch dir, scanning every
// [schedule] watch_poll.
func (m *Main) watcher(dir string, p *dispatch.Pipeline, cfg config.Config) *intake.Watcher {
	return &intake.Watcher{Dir: dir, Pipeline: p, Logger: m.Logger, Poll: cfg.Schedule.WatchPoll.Duration, Settle: 500 * time.Millisecond}
}

// serverLimits are the api.Limits of the [server] section, the caps sized
// now.
func serverLimits(c config.Server) api.Limits {
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

// sweepPhotos sweeps the photo folder at start-up and then every tick
// ([schedule] photo_sweep_every, daily), at the server's clock: staged
// files and stored files no report holds, older than a day, are removed
// (evidence.Photos.Sweep).
func (m *Main) sweepPhotos(ctx context.Context, ev evidence.Photos, refs evidence.PhotoRefs, now func() time.Time, every time.Duration) {
	tick := time.NewTicker(every)
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

// logFormat sets the server's log lines to text (the default) or JSON,
// on the Main's standard error.
func (m *Main) logFormat(format string) error {
	switch format {
	case "", "text":
		return nil
	case "json":
		m.Logger = slog.New(slog.NewJSONHandler(m.Stderr, nil))
		return nil
	}
	return fmt.Errorf("serve: --log-format %q: want text or json", format)
}
