// Command skygrid turns satellite fire points into tasks for grid
// supervisors. One file per subcommand.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "time/tzdata" // Asia/Shanghai on machines without zoneinfo

	"skygrid"
	"skygrid/dispatch"
	"skygrid/notify"
	"skygrid/store"

	"github.com/BurntSushi/toml"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain()
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "skygrid:", errorText(err))
		os.Exit(1)
	}
}

// errorText shows an error with any application error in it by its
// message alone (not "skygrid error: code=..."), keeping the context
// wrapped around it ("--since: ...").
func errorText(err error) string {
	var e *skygrid.Error
	if errors.As(err, &e) {
		return strings.Replace(err.Error(), e.Error(), e.Message, 1)
	}
	return err.Error()
}

// Main is the program: its streams, environment and clock are fields so
// that tests run it in-process.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Now    func() time.Time
	// Ready, when set, receives the server's URL once serve or demo listens.
	Ready func(url string)
	// Logger for the server.
	Logger *slog.Logger
}

// NewMain returns a Main on the process's streams.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))}
}

const usage = `skygrid: satellite fire points to grid supervisors (天网格)

Usage: skygrid COMMAND [arguments] [flags]

Commands:
  demo                      build a demo database from the embedded Datong data and serve it
  serve                     serve the API and tiles; send notifications, escalate, pull FIRMS, watch a folder
  ingest FILE|DIR...        ingest FIRMS CSV / Himawari WLF files
  import regions FILE       import regions from GeoJSON (--level county|township|grid|city)
  import supervisors FILE   assign grid supervisors from CSV (grid_id,name,phone)
  import sites FILE         import a site registry (--kind construction|stockpile|nocoal|cropland|industrial)
  import heat-sources FILE  import known industrial heat sources (Global Power Plant Database CSV)
  grid generate             generate square grid cells (--cell 3km) clipped to each county
  events                    list events (火情)
  tasks                     list tasks (任务)
  user add|list             users and roles (--role admin|auditor|official|supervisor --region ID)
  user disable|enable|passwd NAME   stop or restore a user's access; set a new password
  token create|list|revoke  API tokens for scripts (expire after 90 days unless --expires); list them; revoke by id or name
  notify add|list|send      notification channels (DingTalk, WeCom, webhook) and the outbox
  escalate                  escalate overdue tasks once (serve does it every minute)
  fetch firms               pull the FIRMS area API once (--source, --days, --date); serve pulls on a schedule
  report                    statistics, county ranking, CSV/XLSX, the printable monthly report (--period, --format)

Every command takes --db FILE (default skygrid.db, or $SKYGRID_DB) and
--config FILE (TOML; default none, or $SKYGRID_CONFIG). Run
'skygrid COMMAND -h' for a command's flags.
`

// Run runs one command.
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return flag.ErrHelp
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "demo":
		return m.runDemo(ctx, rest)
	case "serve":
		return m.runServe(ctx, rest)
	case "ingest":
		return m.runIngest(ctx, rest)
	case "import":
		return m.runImport(ctx, rest)
	case "grid":
		return m.runGrid(ctx, rest)
	case "events":
		return m.runEvents(ctx, rest)
	case "tasks":
		return m.runTasks(ctx, rest)
	case "user":
		return m.runUser(ctx, args[1:])
	case "token":
		return m.runToken(ctx, args[1:])
	case "notify":
		return m.runNotify(ctx, args[1:])
	case "escalate":
		return m.runEscalate(ctx, args[1:])
	case "fetch":
		return m.runFetch(ctx, args[1:])
	case "report":
		return m.runReport(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return nil
	}
	fmt.Fprint(m.Stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// common holds the flags every command takes.
type common struct {
	db     string
	config string
	sets   []string
}

func (m *Main) commonFlags(fs *flag.FlagSet, c *common) {
	def := m.Getenv("SKYGRID_DB")
	if def == "" {
		def = "skygrid.db"
	}
	fs.StringVar(&c.db, "db", def, "SQLite database file (env SKYGRID_DB)")
	fs.StringVar(&c.config, "config", m.Getenv("SKYGRID_CONFIG"), "TOML configuration file (env SKYGRID_CONFIG)")
	fs.Func("set", "override one configuration key, e.g. --set detect.cluster_metres=800 (repeatable; keys as in skygrid.example.toml)", func(v string) error {
		c.sets = append(c.sets, v)
		return nil
	})
}

// newFlags returns a command's flag set with the common flags and a usage
// text (its first line, a blank line, then the explanation).
func (m *Main) newFlags(name, usage string, c *common) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	m.commonFlags(fs, c)
	fs.Usage = func() {
		fmt.Fprintln(m.Stderr, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFiles parses flags and checks the number of file arguments
// (max < 0: no limit).
func (m *Main) parseFiles(fs *flag.FlagSet, args []string, min, max int) ([]string, error) {
	files, err := m.parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(files) < min || (max >= 0 && len(files) > max) {
		fs.Usage()
		switch {
		case min == max && min == 1:
			return nil, fmt.Errorf("%s: want one FILE, got %d", fs.Name(), len(files))
		case max == 0:
			return nil, fmt.Errorf("%s: takes no file, got %d", fs.Name(), len(files))
		}
		return nil, fmt.Errorf("%s: no files given", fs.Name())
	}
	return files, nil
}

// parse parses flags that may come before, between or after positional
// arguments ("import regions FILE --level county") and returns the positionals.
func (m *Main) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(m.Stderr)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// openDB opens (creating and migrating) the database.
func (m *Main) openDB(path string) (*store.DB, error) {
	db := store.NewDB(path)
	db.Now = m.Now
	if err := db.Open(); err != nil {
		return nil, err
	}
	return db, nil
}

// settings is the whole configuration file: the pipeline's keys and the
// [notify] section (who delivers personal messages).
type settings struct {
	dispatch.Config
	Notify notify.Config `toml:"notify"`
	Auth   authConfig    `toml:"auth"`
	Server serverConfig  `toml:"server"`
}

// authConfig is the [auth] section: accounts and API tokens.
type authConfig struct {
	// TokenExpiryDays is how long an API token made by `token create`
	// without --expires lasts.
	TokenExpiryDays int `toml:"token_expiry_days"`
}

func defaultAuth() authConfig {
	return authConfig{TokenExpiryDays: int(skygrid.DefaultTokenTTL / (24 * time.Hour))}
}

// Validate checks the [auth] section.
func (a authConfig) Validate() error {
	if a.TokenExpiryDays < 1 || a.TokenExpiryDays > 3650 {
		return fmt.Errorf("[auth] token_expiry_days: want 1 to 3650 days, got %d", a.TokenExpiryDays)
	}
	return nil
}

// secretEnv are the environment variables that override the secrets of
// the [notify] section, so that they need not be in the file.
var secretEnv = map[string]func(*notify.Config) *string{
	"SKYGRID_SMS_ACCESS_KEY_SECRET": func(c *notify.Config) *string { return &c.SMS.AccessKeySecret },
	"SKYGRID_SMS_SECRET_KEY":        func(c *notify.Config) *string { return &c.SMS.SecretKey },
	"SKYGRID_DINGTALK_APP_SECRET":   func(c *notify.Config) *string { return &c.DingTalkApp.AppSecret },
}

// loadConfig reads the TOML configuration over the defaults, then the
// --set overrides ("key=value" or "table.key=value").
func loadConfig(path string, sets ...string) (dispatch.Config, error) {
	s, err := loadSettings(path, nil, sets...)
	return s.Config, err
}

// settings reads the whole configuration with the secrets of the
// environment (secretEnv).
func (m *Main) settings(path string, sets []string) (settings, error) {
	return loadSettings(path, m.Getenv, sets...)
}

// loadSettings reads the TOML configuration over the defaults, then the
// --set overrides ("key=value" or "table.key=value"), then the secrets
// from getenv (when not nil), and checks it.
func loadSettings(path string, getenv func(string) string, sets ...string) (settings, error) {
	cfg := settings{Config: dispatch.DefaultConfig(), Notify: notify.DefaultConfig(), Auth: defaultAuth(), Server: defaultServerConfig()}
	if path != "" {
		md, err := toml.DecodeFile(path, &cfg)
		if err != nil {
			return cfg, fmt.Errorf("config %s: %w", path, err)
		}
		if err := undecoded(md); err != nil {
			return cfg, fmt.Errorf("config %s: %w", path, err)
		}
	}
	for _, set := range sets {
		if err := applySet(&cfg, set); err != nil {
			return cfg, err
		}
	}
	for name, field := range secretEnv {
		if v := envOf(getenv, name); v != "" {
			*field(&cfg.Notify) = v
		}
	}
	err := cfg.Config.Validate()
	if err == nil {
		err = cfg.Notify.Validate()
	}
	if err == nil {
		err = cfg.Auth.Validate()
	}
	if err == nil {
		err = cfg.Server.validate()
	}
	if err != nil {
		if path != "" {
			return cfg, fmt.Errorf("config %s: %w", path, err)
		}
		return cfg, fmt.Errorf("config: %w", err)
	}
	return cfg, nil
}

func envOf(getenv func(string) string, name string) string {
	if getenv == nil {
		return ""
	}
	return strings.TrimSpace(getenv(name))
}

// applySet applies one --set key=value.
func applySet(cfg *settings, set string) error {
	key, value, ok := strings.Cut(set, "=")
	key, value = strings.TrimSpace(key), strings.TrimSpace(value)
	if !ok || key == "" {
		return fmt.Errorf("--set %q: want key=value", set)
	}
	doc := key + " = " + value
	if table, k, dotted := strings.Cut(key, "."); dotted {
		doc = "[" + table + "]\n" + k + " = " + value
	}
	md, err := toml.Decode(doc, cfg)
	if err != nil {
		// A bare word is a string: --set detect.time_zone=Asia/Urumqi
		quoted := strings.Replace(doc, " = "+value, " = "+strconv.Quote(value), 1)
		if md, err = toml.Decode(quoted, cfg); err != nil {
			return fmt.Errorf("--set %s: %w", set, err)
		}
	}
	if err := undecoded(md); err != nil {
		return fmt.Errorf("--set %s: %w", set, err)
	}
	return nil
}

func undecoded(md toml.MetaData) error {
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return fmt.Errorf("unknown keys: %s", strings.Join(keys, ", "))
	}
	return nil
}

// openPipeline opens the database and the pipeline on it; close the DB.
func (m *Main) openPipeline(file string, c *common) (*store.DB, *dispatch.Pipeline, error) {
	db, err := m.openDB(file)
	if err != nil {
		return nil, nil, err
	}
	p, err := m.pipeline(db, c.config, c.sets)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, p, nil
}

// pipeline opens the pipeline on db with the configuration, and tells db
// which personal channel kinds have a provider (their messages are queued
// with the tasks).
func (m *Main) pipeline(db *store.DB, configPath string, sets []string) (*dispatch.Pipeline, error) {
	cfg, err := m.settings(configPath, sets)
	if err != nil {
		return nil, err
	}
	db.PersonalKinds = cfg.Notify.Kinds()
	p, err := dispatch.New(db, cfg.Config)
	if err != nil {
		return nil, err
	}
	p.Now = m.Now
	return p, nil
}
