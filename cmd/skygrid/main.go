// Command skygrid turns satellite fire points into tasks for grid
// supervisors. One type per subcommand (Command: Run and Usage), each in
// its own file; open.go is the preamble they share (the configuration,
// read once, and the database).
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
	"strings"
	"syscall"
	"time"

	_ "time/tzdata" // Asia/Shanghai on machines without zoneinfo

	"skygrid"
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
	// Offline: serve fetches nothing from outside on its own (the orbital
	// elements); the tests' Main is offline.
	Offline bool
}

// NewMain returns a Main on the process's streams.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))}
}

// Command is one subcommand of skygrid: a type per command, each in its
// own file (ingest.go holds IngestCommand), sharing the Main it runs in.
type Command interface {
	// Run runs the command on its arguments (those after its name).
	Run(ctx context.Context, args []string) error
	// Usage is the command's help: what it does, its forms, examples.
	Usage() string
}

// commandNames are the commands in the order of the usage text.
var commandNames = []string{"demo", "serve", "ingest", "import", "grid", "events", "tasks", "user", "token", "notify",
	"escalate", "fetch", "report", "backup", "migrate"}

// command returns the command called name, or nil.
func (m *Main) command(name string) Command {
	switch name {
	case "demo":
		return &DemoCommand{m}
	case "serve":
		return &ServeCommand{m}
	case "ingest":
		return &IngestCommand{m}
	case "import":
		return &ImportCommand{m}
	case "grid":
		return &GridCommand{m}
	case "events":
		return &EventsCommand{m}
	case "tasks":
		return &TasksCommand{m}
	case "user":
		return &UserCommand{m}
	case "token":
		return &TokenCommand{m}
	case "notify":
		return &NotifyCommand{m}
	case "escalate":
		return &EscalateCommand{m}
	case "fetch":
		return &FetchCommand{m}
	case "report":
		return &ReportCommand{m}
	case "alert":
		return &AlertCommand{m}
	case "backup":
		return &BackupCommand{m}
	case "migrate":
		return &MigrateCommand{m}
	}
	return nil
}

const usage = `skygrid: satellite fire points to grid supervisors (天网格)

Usage: skygrid COMMAND [arguments] [flags]

Commands:
  demo                      build a demo database from the embedded Datong data and serve it
  serve                     serve the API and tiles; send notifications, escalate, pull FIRMS, watch a folder
  ingest FILE|DIR...        ingest FIRMS CSV / Himawari WLF files
  ingest readings FILE      ingest monitors' readings from CSV (mn, time, factors)
  import regions FILE       import regions from GeoJSON (--level county|township|grid|city)
  import supervisors FILE   assign grid supervisors from CSV (grid_id,name,phone)
  import sites FILE         import a site registry (--kind construction|stockpile|nocoal|cropland|industrial)
  import heat-sources FILE  import known industrial heat sources (Global Power Plant Database CSV)
  import monitors FILE      import dust monitors and air stations (CSV or GeoJSON points)
  import emergency FILE     import the emergency list of heavy-pollution warnings (CSV or XLSX)
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
  alert issue|extend|lift|list  heavy-pollution warnings (--level orange --counties ID,ID --start --end)
  backup OUT                copy the database online to OUT while serve runs, check it (integrity_check); --force replaces OUT
  migrate sqlite-to-postgres  copy a city's SQLite database into an empty PostgreSQL one (--from FILE --to postgres://...), counts checked

Every command takes --db FILE or --db postgres://user@host/db (default
skygrid.db, or $SKYGRID_DB, or the configuration's [store] dsn) and
--config FILE (TOML; default none, or $SKYGRID_CONFIG). Run
'skygrid COMMAND -h' for a command's flags.
`

// usageExamples end the usage text of skygrid help.
const usageExamples = `
Examples:
  skygrid demo                                  # the October 2023 demo on http://127.0.0.1:8080
  skygrid import regions counties.geojson --level county
  skygrid ingest fires/ --config skygrid.toml
  skygrid serve --addr :8080 --set feed.every=15m
  skygrid help ingest                           # a command's usage with examples
`

// Run runs one command: skygrid COMMAND [arguments], or skygrid help
// [COMMAND].
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return flag.ErrHelp
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "--help":
		return m.help(rest)
	}
	if cmd := m.command(name); cmd != nil {
		return cmd.Run(ctx, rest)
	}
	fmt.Fprint(m.Stderr, usage)
	return fmt.Errorf("unknown command %q", name)
}

// help prints the usage with examples, or a command's (skygrid help CMD).
func (m *Main) help(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stdout, usage+usageExamples)
		return nil
	}
	cmd := m.command(args[0])
	if cmd == nil {
		fmt.Fprint(m.Stderr, usage)
		return fmt.Errorf("help: unknown command %q", args[0])
	}
	fmt.Fprint(m.Stdout, cmd.Usage())
	return nil
}

// isHelp is a first argument asking for a command's help.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "--help" || arg == "-help" || arg == "help"
}

// commandHelp prints the usage of a command with verbs (skygrid user -h)
// and ends it as the flag package does.
func (m *Main) commandHelp(cmd Command) error {
	fmt.Fprint(m.Stderr, cmd.Usage())
	return flag.ErrHelp
}

// examplesOf is the examples part of a command's usage.
func examplesOf(usage string) string {
	if i := strings.Index(usage, "Examples:"); i >= 0 {
		return usage[i:]
	}
	return ""
}
