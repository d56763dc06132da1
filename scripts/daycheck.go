//go:build ignore

// daycheck times the clock's daily capture check on a database holding a
// day of readings (docs/PERFORMANCE.md, "An idle province server's
// clock"): the way before 2026-12-07 (for each dust monitor, Latest
// before the day's end, then the day's Readings and
// Quality.CheckCapture) against dustrule.Checker.CheckDay (two
// statements for all monitors). Both give the alarms; it records none.
//
//	go run scripts/daycheck.go DB DAY     # DB: a file or postgres://…; DAY: a time in the Beijing day, RFC 3339
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"skygrid"
	"skygrid/dustrule"
	"skygrid/store"
)

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "daycheck:", err)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 3 {
		fatal(fmt.Errorf("usage: go run scripts/daycheck.go DB DAY"))
	}
	ctx := context.Background()
	db := store.NewDB(os.Args[1])
	if err := db.Open(); err != nil {
		fatal(err)
	}
	day, err := time.Parse(time.RFC3339, os.Args[2])
	if err != nil {
		fatal(fmt.Errorf("DAY: %w", err))
	}
	day = dustrule.DayOf(day)
	cfg := dustrule.DefaultConfig()
	cfg.Active = []string{dustrule.RuleLowCapture}
	ck := &dustrule.Checker{Rules: cfg.Rules(), Quality: cfg.Quality(), History: db}
	ms, err := db.ListMonitors(ctx, nil)
	if err != nil {
		fatal(err)
	}
	var subjects []dustrule.Subject
	for _, m := range ms {
		if m.Kind == skygrid.MonitorDust {
			subjects = append(subjects, cfg.Subject(m.Monitor, ""))
		}
	}
	for round := 0; round < 2; round++ {
		t0 := time.Now()
		old := 0
		for _, s := range subjects {
			_, ok, err := db.Latest(ctx, s.MonitorID, "", day.Add(24*time.Hour))
			if err != nil {
				fatal(err)
			}
			if !ok {
				continue
			}
			rs, err := db.Readings(ctx, s.MonitorID, day, day.Add(24*time.Hour))
			if err != nil {
				fatal(err)
			}
			old += len(ck.Quality.CheckCapture(s, day, rs))
		}
		t1 := time.Now()
		got, err := ck.CheckDay(ctx, subjects, day)
		if err != nil {
			fatal(err)
		}
		fmt.Printf("round %d: %d monitors; per monitor %d alarms in %s; two statements %d alarms in %s\n",
			round, len(subjects), old, t1.Sub(t0).Round(time.Millisecond), len(got), time.Since(t1).Round(time.Millisecond))
	}
}
