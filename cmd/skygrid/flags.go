package main

import (
	"flag"
	"fmt"
	"strings"
)

// common holds the flags every command takes.
type common struct {
	db     string
	config string
	sets   []string
	// dbGiven: --db or $SKYGRID_DB named the database (else the
	// configuration's [store] dsn may).
	dbGiven bool
}

// dbFlag is --db: the database, a SQLite file or a postgres:// URL.
type dbFlag struct{ c *common }

func (f dbFlag) String() string {
	if f.c == nil {
		return ""
	}
	return f.c.db
}

func (f dbFlag) Set(v string) error {
	f.c.db, f.c.dbGiven = v, true
	return nil
}

func (m *Main) commonFlags(fs *flag.FlagSet, c *common) {
	c.db, c.dbGiven = m.Getenv("SKYGRID_DB"), true
	if c.db == "" {
		c.db, c.dbGiven = "skygrid.db", false
	}
	fs.Var(dbFlag{c}, "db", "the database: a SQLite `FILE` or a PostgreSQL URL postgres://user@host/db (env SKYGRID_DB; else the configuration's [store] dsn)")
	fs.StringVar(&c.config, "config", m.Getenv("SKYGRID_CONFIG"), "TOML configuration file (env SKYGRID_CONFIG)")
	fs.Func("set", "override one configuration key, e.g. --set detect.cluster_metres=800 (repeatable; keys as in skygrid.example.toml)", func(v string) error {
		c.sets = append(c.sets, v)
		return nil
	})
}

// newFlags returns a command's flag set with the common flags and a usage
// text (its first line, a blank line, then the explanation); -h prints
// it, the flags and the command's examples.
func (m *Main) newFlags(name, usage string, c *common) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	m.commonFlags(fs, c)
	fs.Usage = func() {
		fmt.Fprintln(m.Stderr, usage)
		fs.PrintDefaults()
		if cmd := m.command(strings.Fields(name)[0]); cmd != nil {
			if ex := examplesOf(cmd.Usage()); ex != "" {
				fmt.Fprint(m.Stderr, "\n"+ex)
			}
		}
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
