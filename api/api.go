// Package api serves skygrid's JSON API with echo v4. Every route is in
// Routes; handlers return errors, and one error handler maps skygrid error
// codes to HTTP statuses.
package api

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"skygrid"
	"skygrid/dustrule"
	"skygrid/netlimit"
	"skygrid/taskflow"
	"skygrid/tiles"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Services are what the API reads.
type Services struct {
	Hotspots skygrid.HotspotService
	Events   skygrid.EventService
	Regions  skygrid.RegionService
	Tasks    skygrid.TaskService
	Ingest   skygrid.IngestService
	Sites    skygrid.SiteService
	Layers   skygrid.LayerService
	// Tiles draws the map tiles; Basemaps are remote basemaps offered
	// to the browser besides the offline one.
	Tiles    *tiles.Server
	Basemaps []tiles.Basemap
	Users    skygrid.UserService
	// Evidence reads and stores report photos; Photos finds a photo's task.
	Evidence Evidence
	Photos   PhotoIndex
	Audit    AuditReader
	Outbox   skygrid.OutboxService
	Stats    skygrid.StatsService
	// DustSilentAfter is [dust] silent_after: a monitor silent this long
	// is offline in the dust figures (0: 30 minutes).
	DustSilentAfter time.Duration
	// Air keeps the air-quality stations and hours; AirNearestKm is
	// [air] nearest_km, the ambient mean's radius.
	Air          skygrid.AirService
	AirNearestKm float64
	// AirRanking is the counties' monthly air-quality ranking (nil: its
	// routes answer 404).
	AirRanking skygrid.AirRankingService
	// Imports imports uploaded registries and fire files (admins).
	Imports skygrid.ImportService
	// Monitors: dust monitors, their readings and the rejected-packet log
	// (nil: those routes answer 404).
	Monitors skygrid.MonitorService
	// Dust is the [dust] section: the site page's limit lines and alarms
	// (nil: dustrule.DefaultConfig).
	Dust *dustrule.Config
	// VideoOrigins are the camera platforms the web app may show video
	// and snapshots from ([server] video_origins, in the CSP).
	VideoOrigins []string
	// Readings takes POST /api/readings (the dust rules checked after
	// each commit); nil: Monitors.
	Readings skygrid.ReadingSink
	// Demo marks reports made from the demo database.
	Demo bool
	// DemoSnapshot draws the demo cameras' snapshots (示例) and DemoHLS
	// holds the demo's video stream, served under /demo/ (nil: 404).
	DemoSnapshot func(mn string, at time.Time) ([]byte, error)
	DemoHLS      fs.FS
	// Web is the built web app (frontend.Dist's dist/), served at /.
	Web fs.FS
	// Warnings runs heavy-pollution warnings and the emergency list (nil:
	// those routes answer 404, the public page none).
	Warnings skygrid.WarningService
	// Passes predicts the fire satellites' passes (nil: those routes
	// answer 404 and tasks say no pass).
	Passes skygrid.PassService
	// Feeds is the live feeds' health; Metrics the Prometheus registry.
	Feeds   skygrid.FeedService
	Metrics *Metrics
	// Now is the clock (sessions, throttling); nil: time.Now.
	Now func() time.Time
	// Limits are the timeouts, connection caps and per-address rates
	// (zero: none; serve uses DefaultLimits and the [server] keys).
	Limits Limits
	// PublicURL is where users reach skygrid (--public-url): TileJSON's
	// tile URLs start with it; empty, they are relative (/tiles/...).
	// Never the request's Host header, which the client chooses.
	PublicURL string
	// SecureCookies marks the session cookie Secure (--secure-cookies:
	// behind a TLS proxy skygrid sees plain HTTP).
	SecureCookies bool
	// Public reads what the public page shows and marks monthly reports
	// public (nil: the public page's data routes answer 404).
	Public skygrid.PublicService
	// PublicReports keeps the reports from the public (举报; nil: their
	// routes answer 404), PublicPlaces places them as fires are placed,
	// PublicLimits are [public]'s limits per address and phone.
	PublicReports skygrid.PublicReportService
	PublicPlaces  PublicLocator
	PublicLimits  skygrid.PublicLimits
	// Store is checked by GET /healthz (nil: not checked).
	Store StoreHealth
	// AccessLog logs a line per request (--access-log): method, path,
	// status, bytes, milliseconds, client address and request_id.
	AccessLog bool
	// AreaName is the area the deployment serves ([server] area_name;
	// "": skygrid.DefaultAreaName): the web app's and the public page's
	// titles, the reports' titles, the public's refusals name it.
	AreaName string
	// AreaNameEn is its name in the English web app ([server]
	// area_name_en; "": skygrid.AreaNameEn's default).
	AreaNameEn string
}

// StoreHealth checks that the store answers (store.DB.CheckHealth).
type StoreHealth interface {
	CheckHealth(ctx context.Context) error
}

// Evidence reads, checks and stores report photos (evidence.Photos).
type Evidence interface {
	// Stage opens a staging folder for one report's photos: they reach
	// the store when the report is stored.
	Stage() (skygrid.PhotoStage, error)
	Path(sha string, thumb bool) (path, mime string, err error)
	// StampedPath is the copy stamped for a task (made now from the
	// original when it was stored without one).
	StampedPath(ctx context.Context, sha string, s skygrid.PhotoStamp) (string, error)
	// UploadWait is how long the user must wait before sending n more
	// photos (0: now); TakeUploads takes n of the user's allowance, or
	// takes none and says how long to wait.
	UploadWait(user int64, n int, now time.Time) time.Duration
	TakeUploads(user int64, n int, now time.Time) time.Duration
}

// PhotoIndex finds the task a stored photo belongs to.
type PhotoIndex interface {
	PhotoTasks(ctx context.Context, sha string) ([]*skygrid.Task, error)
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Server is the HTTP server.
type Server struct {
	Services
	Logger *slog.Logger
	echo   *echo.Echo
	ln     net.Listener
	srv    *http.Server
	// web is the web app's files, read and compressed once.
	web webFiles
	// csp is the Content-Security-Policy of every answer; public and
	// login limit requests per client address.
	csp           []string
	public, login *netlimit.Limiter
	// areas keeps the scoped users' areas (scopeArea).
	areas areaCache
	// labels keeps the regions' label points (GET /api/regions?labels=true).
	labels labelCache
	// flow takes the task actions (the report protocol).
	flow *taskflow.Service
}

// NewServer returns a server with every route registered.
func NewServer(svc Services, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.Default()
	}
	logger = withRequestIDs(logger)
	s := &Server{Services: svc, Logger: logger, echo: echo.New(), csp: []string{contentSecurityPolicy(svc.Basemaps, svc.VideoOrigins)},
		public: netlimit.NewLimiter(svc.Limits.PublicRate, svc.Limits.PublicBurst, nil),
		login:  netlimit.NewLimiter(svc.Limits.LoginRate, svc.Limits.LoginBurst, nil)}
	s.flow = &taskflow.Service{Tasks: svc.Tasks, Events: svc.Events, Now: s.now, Logger: logger}
	if svc.Evidence != nil {
		s.flow.Uploads = svc.Evidence
	}
	s.echo.HideBanner, s.echo.HidePort = true, true
	s.echo.HTTPErrorHandler = s.handleError
	var err error
	if s.echo.IPExtractor, err = ipExtractor(svc.Limits.TrustedProxies); err != nil {
		logger.Error("server: ignoring the trusted proxies", "err", err)
		s.echo.IPExtractor = echo.ExtractIPDirect()
	}
	// First of all, the request's id (X-Request-Id, and request_id on
	// every line logged with the request's context).
	s.echo.Pre(requestID)
	if svc.Metrics != nil {
		s.echo.Use(svc.Metrics.middleware)
	}
	if svc.AccessLog {
		s.echo.Use(s.accessLog)
	}
	s.echo.Use(middleware.Recover())
	// No body is larger than a report: five photos of 15 MiB and the form.
	s.echo.Use(middleware.BodyLimit(fmt.Sprintf("%dM", maxUpload>>20+1)))
	// API answers are one user's data: browsers must not keep them (the
	// service worker keeps a user's tasks itself, and forgets them at
	// log-out). Photos and exports set their own.
	s.echo.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if strings.HasPrefix(c.Request().URL.Path, "/api/") {
				c.Response().Header().Set("Cache-Control", "no-store")
			}
			return next(c)
		}
	})
	s.Routes()
	if svc.Web != nil {
		go s.web.load(svc.Web, s.area(), s.areaEn()) // compressed once, before the first visit
	}
	return s
}

// Routes registers every route: those open to all, then those that need
// a session or a token.
func (s *Server) Routes() {
	s.openRoutes(s.echo)
	// Everything else needs a session or a token; each handler keeps to
	// the user's scope.
	s.sessionRoutes(s.echo.Group("", s.authenticate))
}

// openRoutes: no session needed, limited per client address (429 beyond).
func (s *Server) openRoutes(e *echo.Echo) {
	public, login := perAddress(s.public), perAddress(s.login)
	e.GET("/healthz", s.handleHealthz)
	e.GET("/", s.handleIndex, public)
	e.GET("/assets/*", s.handleAsset, public)
	e.GET("/sw.js", s.handleServiceWorker, public)
	e.GET("/manifest.webmanifest", s.handleAppFile, public)
	e.GET("/icons/:name", s.handleAppFile, public)
	e.GET("/favicon.ico", s.handleFavicon, public)
	e.POST("/api/login", s.handleLogin, login)
	e.POST("/api/logout", s.handleLogout, public)
	e.GET("/demo/snapshots/:mn", s.handleDemoSnapshot, public)
	e.GET("/demo/hls/*", s.handleDemoHLS, public)
	// The public page and its API (issue 16): no login, nothing personal,
	// nothing unconfirmed (public.go); limited per client address.
	e.GET("/public", s.handlePublicPage, public)
	// Its answers are compressed (phones on slow networks).
	pubgz := middleware.GzipWithConfig(middleware.GzipConfig{Level: 6, MinLength: 1024})
	e.GET("/public/api/fires", s.handlePublicFires, public, pubgz)
	e.GET("/public/api/counties", s.handlePublicCounties, public, pubgz)
	e.GET("/public/api/violations", s.handlePublicViolations, public, pubgz)
	e.GET("/public/api/reports", s.handlePublicReports, public, pubgz)
	e.GET("/public/reports/:month", s.handlePublicReport, public, pubgz)
	e.GET("/public/api/ranking", s.handlePublicRanking, public, pubgz)
	e.GET("/public/api/warning", s.handlePublicWarning, public, pubgz)
	e.POST("/public/api/reports", s.handleFilePublicReport, public)
	e.GET("/public/api/reports/:receipt", s.handlePublicReportOutcome, public)
	e.GET("/public/api/passes", s.handlePublicPasses, public, pubgz)
}

// sessionRoutes: the app's API and tiles, each with the roles it allows.
func (s *Server) sessionRoutes(a *echo.Group) {
	a.GET("/api/me", s.handleMe)
	// The lists' JSON is gzip-compressed to a client that takes it: a
	// province's county outlines are 4.7 MB (1.5 compressed), a phone's
	// task list a few times less over a slow network. No secret in them.
	listgz := middleware.GzipWithConfig(middleware.GzipConfig{Level: 6, MinLength: 1024})
	a.GET("/api/hotspots", s.handleHotspots, listgz)
	a.GET("/api/events", s.handleEvents, listgz)
	a.GET("/api/events/:id", s.handleEvent)
	a.GET("/api/regions", s.handleRegions, listgz)
	a.GET("/api/regions/:id", s.handleRegion, listgz)
	a.GET("/api/search", s.handleSearch)
	reviewers := allow(skygrid.RoleAdmin, skygrid.RoleAuditor, skygrid.RoleOfficial)
	a.GET("/api/tasks", s.handleTasks, listgz)
	a.POST("/api/tasks/close", s.handleCloseTasks, reviewers)
	a.GET("/api/tasks/:id", s.handleTask)
	a.POST("/api/tasks/:id/:action", s.handleTaskAction)
	a.GET("/api/tasks/:id/dust", s.handleTaskDust)
	a.GET("/api/tasks/:id/candidates", s.handleTaskCandidates, allow(skygrid.RoleAdmin, skygrid.RoleAuditor, skygrid.RoleOfficial))
	a.GET("/api/photos/:sha", s.handlePhoto)
	a.GET("/api/sites", s.handleSites, listgz)
	a.GET("/api/sites/:id", s.handleSite)
	a.GET("/api/sites/:id/dust", s.handleSiteDust)
	a.GET("/api/air/stations", s.handleAirStations)
	a.GET("/api/air/ambient", s.handleAirAmbient)
	a.GET("/api/air/ranking", s.handleAirRanking, reviewers)
	a.GET("/api/passes", s.handlePasses)
	a.GET("/api/passes/coverage", s.handlePassCoverage)
	a.GET("/api/exports/sites.csv", s.handleSitesExport)
	a.GET("/api/layers", s.handleLayers)
	a.GET("/api/basemaps", s.handleBasemaps)
	a.GET("/tiles/:name", s.handleTileJSON)
	a.GET("/tiles/:layer/:z/:x/:y", s.handleTile)
	a.GET("/api/batches", s.handleBatches, allow(skygrid.RoleAdmin, skygrid.RoleAuditor))
	a.GET("/api/audit", s.handleAudit, allow(skygrid.RoleAdmin, skygrid.RoleAuditor))
	a.GET("/api/users", s.handleUsers, allow(skygrid.RoleAdmin), listgz)
	a.POST("/api/users", s.handleCreateUser, allow(skygrid.RoleAdmin))
	a.POST("/api/users/:id/disable", s.handleUserDisable, allow(skygrid.RoleAdmin))
	a.POST("/api/users/:id/enable", s.handleUserEnable, allow(skygrid.RoleAdmin))
	a.POST("/api/users/:id/password", s.handleUserPassword, allow(skygrid.RoleAdmin))
	a.GET("/api/tokens", s.handleTokens, allow(skygrid.RoleAdmin))
	a.POST("/api/tokens/:id/revoke", s.handleRevokeToken, allow(skygrid.RoleAdmin))
	a.POST("/api/me/password", s.handleMyPassword)
	a.GET("/api/outbox", s.handleOutbox, allow(skygrid.RoleAdmin))
	a.POST("/api/imports/:kind", s.handleImport, allow(skygrid.RoleAdmin))
	a.GET("/api/feeds", s.handleFeeds, allow(skygrid.RoleAdmin, skygrid.RoleAuditor))
	// The figures' JSON answer is gzip-compressed to a client that takes
	// it: a province's holds its 5,000 monitors (1.2 MB, 10 times less
	// compressed); no secret in it. The CSV and XLSX files are left alone.
	statsgz := middleware.GzipWithConfig(middleware.GzipConfig{Level: 6, MinLength: 1024,
		Skipper: func(c echo.Context) bool { f := c.QueryParam("format"); return f != "" && f != "json" }})
	a.GET("/api/stats", s.handleStats, reviewers, statsgz)
	a.GET("/api/stats/ranking", s.handleRanking, reviewers)
	a.GET("/api/stats/series", s.handleSeries, reviewers)
	a.GET("/api/exports/:file", s.handleExport, reviewers)
	a.GET("/api/reports/monthly", s.handleMonthly, reviewers)
	a.POST("/api/reports/monthly/publish", s.handlePublishReport, allow(skygrid.RoleAdmin, skygrid.RoleAuditor))
	a.GET("/api/reports/warning/:id", s.handleWarningReport, reviewers)
	a.GET("/metrics", s.handleMetrics, allow(skygrid.RoleAdmin))
	a.GET("/api/monitors", s.handleMonitors, listgz)
	a.GET("/api/monitors/:id", s.handleMonitor)
	a.GET("/api/monitors/:id/readings", s.handleMonitorReadings)
	a.POST("/api/readings", s.handleReadings, allow(skygrid.RoleAdmin))
	a.GET("/api/admin/packet-rejects", s.handlePacketRejects, allow(skygrid.RoleAdmin))
	a.GET("/api/warnings", s.handleWarnings)
	a.GET("/api/warnings/:id", s.handleWarning)
	a.POST("/api/warnings", s.handleIssueWarning, allow(skygrid.RoleAdmin, skygrid.RoleAuditor))
	a.POST("/api/warnings/:id/:action", s.handleWarningAction, allow(skygrid.RoleAdmin, skygrid.RoleAuditor))
	a.GET("/api/emergency-list", s.handleEmergencyList, reviewers)
	a.GET("/api/public-reports", s.handlePublicReportQueue, reviewers)
	a.POST("/api/public-reports/:id/:action", s.handleModeratePublicReport, reviewers)
	a.GET("/api/public-reports/:id/photos/:sha", s.handlePublicReportPhoto)
	a.GET("/api/tasks/:id/public-report", s.handleTaskPublicReport)
}

// Handler is the http.Handler (for httptest): the routes with the
// security headers and each request's deadlines.
func (s *Server) Handler() http.Handler { return s }

// ServeHTTP sets the security headers of every answer (errors and 404s
// too), answers a connection beyond the caps on /healthz only, and sets
// the request's read and write deadlines by its route class.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header(), s.csp)
	if atConnLimit(w, r) {
		return
	}
	s.echo.ServeHTTP(w, s.Limits.deadlines(w, r))
}

// Open listens on addr ("127.0.0.1:0" picks a port) and serves in the background.
func (s *Server) Open(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.Serve(ln)
	return nil
}

// Serve serves on a listener in the background, within the Limits: the
// connection caps (netlimit.Listener), the header and idle timeouts, and
// the longest body and write timeouts as the server's own (each request's
// are set by its route class in ServeHTTP).
func (s *Server) Serve(ln net.Listener) {
	l := s.Limits
	if l.MaxConns > 0 || l.MaxConnsPerAddress > 0 {
		nl := netlimit.Listen(ln, netlimit.Options{Max: l.MaxConns, PerAddress: l.MaxConnsPerAddress, Reserve: l.ReserveConns})
		if s.Metrics != nil {
			s.Metrics.connections(nl.Stats)
		}
		ln = nl
	}
	s.ln = ln
	body, write := l.longest()
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: l.HeaderTimeout, ReadTimeout: body, WriteTimeout: write,
		IdleTimeout: l.IdleTimeout, ConnContext: connContext}
	go s.srv.Serve(ln)
}

// Addr is the address listened on.
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// URL is the server's base URL.
func (s *Server) URL() string { return "http://" + s.Addr() }

// Close shuts the server down gracefully.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.srv.Shutdown(ctx)
}

// ErrorResponse is the JSON body of every error.
type ErrorResponse struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		// Tasks are the tasks of a bulk action refused, and why.
		Tasks []skygrid.TaskRefusal `json:"tasks,omitempty"`
	} `json:"error"`
}

var codeStatus = map[string]int{
	skygrid.ECONFLICT:     http.StatusConflict,
	skygrid.EINVALID:      http.StatusBadRequest,
	skygrid.ENOTFOUND:     http.StatusNotFound,
	skygrid.EUNAUTHORIZED: http.StatusUnauthorized,
	skygrid.EFORBIDDEN:    http.StatusForbidden,
	skygrid.EINTERNAL:     http.StatusInternalServerError,
}

// handleError maps errors to JSON with a code and message and logs
// internal errors once.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if d := bodyTimedOut(c.Request()); d > 0 {
		// Sent too slowly (a byte now and then): cut, whatever the handler
		// made of the short read.
		c.Response().Header().Set("Connection", "close")
		_ = c.JSON(http.StatusRequestTimeout, errorBody(skygrid.EINVALID,
			fmt.Sprintf("请求内容未在 %s 内送达 (the request body did not arrive within %s)", d, d)))
		return
	}
	if errors.Is(err, context.Canceled) && c.Request().Context().Err() != nil {
		// The client went away (a map tile the user panned past): nothing
		// to answer and nothing wrong on our side.
		return
	}
	var he *echo.HTTPError
	var body ErrorResponse
	status := http.StatusInternalServerError
	if errors.As(err, &he) {
		status = he.Code
		body.Error.Code = httpCode(he.Code)
		if m, ok := he.Message.(string); ok {
			body.Error.Message = m
		} else {
			body.Error.Message = http.StatusText(he.Code)
		}
	} else {
		code := skygrid.ErrorCode(err)
		status = codeStatus[code]
		body.Error.Code, body.Error.Message = code, skygrid.ErrorMessage(err)
		var te *skygrid.TasksError
		if errors.As(err, &te) {
			body.Error.Tasks = te.Tasks
		}
		if code == skygrid.EINTERNAL {
			s.Logger.ErrorContext(c.Request().Context(), "internal error", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
		}
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	_ = c.JSON(status, body)
}

// errorBody is an ErrorResponse of a code and message.
func errorBody(code, message string) ErrorResponse {
	var body ErrorResponse
	body.Error.Code, body.Error.Message = code, message
	return body
}

func httpCode(status int) string {
	for code, st := range codeStatus {
		if st == status {
			return code
		}
	}
	if status >= 500 {
		return skygrid.EINTERNAL
	}
	return skygrid.EINVALID
}

// healthTimeout is how long GET /healthz waits for the store.
const healthTimeout = 2 * time.Second

// handleHealthz answers 200 when the store answers a trivial query within
// healthTimeout, 503 with the reason when not (closed, locked, gone).
// healthReason is what an unauthenticated caller learns of a failing
// store: whether it timed out, and the request id of the server's log
// line that has the error (which may name a file or a database host).
func healthReason(ctx context.Context, err error) string {
	what := "the store check failed"
	if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		what = fmt.Sprintf("the store did not answer within %s", healthTimeout)
	}
	return what + "; the error is in the server's log, request id " + RequestID(ctx)
}

func (s *Server) handleHealthz(c echo.Context) error {
	if s.Store == nil {
		return c.JSON(http.StatusOK, Health{Status: "ok"})
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), healthTimeout)
	defer cancel()
	if err := s.Store.CheckHealth(ctx); err != nil {
		if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			err = fmt.Errorf("the store did not answer within %s: %w", healthTimeout, err)
		}
		s.Logger.ErrorContext(ctx, "healthz: the store is failing", "err", err)
		return c.JSON(http.StatusServiceUnavailable, Health{Status: "unavailable", Store: "failing", Reason: healthReason(ctx, err)})
	}
	return c.JSON(http.StatusOK, Health{Status: "ok", Store: "ok"})
}

// area is the area the deployment serves.
func (s *Server) area() string { return skygrid.AreaOr(s.AreaName) }

// areaEn is the area's name in the English web app.
func (s *Server) areaEn() string { return skygrid.AreaNameEn(s.AreaName, s.AreaNameEn) }
