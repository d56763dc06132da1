package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"skygrid"
	"skygrid/registry"
	"skygrid/store"
)

// readings is skygrid ingest readings: monitors' readings from CSV.
func (m *IngestCommand) readings(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("ingest readings", `Usage: skygrid ingest readings FILE.csv [flags]

Columns: mn/设备编号, time/时间 (Beijing time 2026-11-05 14:03, or RFC 3339),
kind (rtd, minute, hour or day; default minute), one column per factor named
by its key (`+fmt.Sprint(skygrid.Factors)+`; µg/m³ for particles) or its
HJ 212 code (a34002 etc.: mg/m³, converted), and optional <factor>_flag columns
(the HJ 212 data flag: only N is a valid reading). A reading already stored
(same monitor, kind and time) is a duplicate. A bad row or an unknown device is
refused alone, named by line and field; the others are stored in one
transaction. Exits with status 1 when any row was refused.`, &c)
	reasons := fs.Int("reasons", 20, "how many refused rows to print")
	files, err := m.parseFiles(fs, args, 1, 1)
	if err != nil {
		return err
	}
	var in *registry.ReadingsInput
	db, err := m.readThenOpen(&c, files[0], func(f io.Reader) (err error) {
		in, err = registry.ReadReadingsCSV(f, files[0])
		return err
	})
	if err != nil {
		return err
	}
	defer db.Close()
	cfg, err := m.config(&c)
	if err != nil {
		return err
	}
	sink, err := m.readingSink(db, cfg)
	if err != nil {
		return err
	}
	res, err := registry.StoreReadings(ctx, sink, in, skygrid.SourceFile, m.Now().UTC())
	if err != nil {
		return fmt.Errorf("ingest readings %s: %w", files[0], err)
	}
	fmt.Fprintf(m.Stdout, "%s: %d new, %d duplicates, %d refused\n", files[0], res.Stored, res.Duplicates, len(res.Refused))
	for i, r := range res.Refused {
		if i == *reasons {
			fmt.Fprintf(m.Stdout, "  ... and %d more\n", len(res.Refused)-i)
			break
		}
		fmt.Fprintf(m.Stdout, "  %s: line %d: field %s: %s\n", files[0], r.Line, r.Field, r.Message)
	}
	if len(res.Refused) > 0 {
		return fmt.Errorf("ingest readings: %d rows refused", len(res.Refused))
	}
	return nil
}

// pruneEvery is how often serve prunes old minute readings.
const pruneEvery = time.Hour

// pruneReadings deletes the minute readings older than keepDays, at
// start-up and then hourly, at the server's clock ([readings]
// keep_minutes; the hourly aggregates are kept).
func (m *Main) pruneReadings(ctx context.Context, db *store.DB, now func() time.Time, keepDays int) {
	tick := time.NewTicker(pruneEvery)
	defer tick.Stop()
	for {
		n, err := db.PruneReadings(ctx, now().AddDate(0, 0, -keepDays))
		switch {
		case err != nil && ctx.Err() == nil:
			m.Logger.Error("prune readings", "err", err)
		case n > 0:
			m.Logger.Info("prune readings", "deleted", n, "keep_days", keepDays)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
