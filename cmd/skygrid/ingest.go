package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"

	"skygrid"
	"skygrid/dispatch"
	"skygrid/registry"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progressMin is the file size from which a terminal gets a progress bar.
const progressMin = 4 << 20

// IngestCommand is skygrid ingest: fire files into events and tasks.
type IngestCommand struct{ *Main }

// Usage of skygrid ingest.
func (m *IngestCommand) Usage() string {
	return `Usage: skygrid ingest FILE|DIR... [--reasons N] [flags]

Ingests NASA FIRMS CSV (any layout) and Himawari WLF files through the
pipeline (confidence, static heat, events, classes, tasks); a folder means
its .csv/.txt files in name order. Each file is one transaction; a refused
file leaves nothing behind and the command exits with status 1.

  skygrid ingest air FILE.csv... hourly air-quality concentrations: CNEMC's
  per-day layout (date,hour,type,<station codes>) or the per-station layout
  skygrid ingest readings FILE.csv ingests monitors' readings (see
'skygrid ingest readings -h').

Examples:
  skygrid ingest fire_nrt_J1V-C2_2023-10-24.csv
  skygrid ingest fires/ --reasons 20
  skygrid ingest fires/ --set detect.cluster_metres=800 --db city.db
  skygrid ingest air china_sites_20180220.csv
`
}

// Run ingests the files and prints each one's counts.
func (m *IngestCommand) Run(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "air" {
		return m.ingestAir(ctx, args[1:])
	}
	if len(args) > 0 && args[0] == "readings" {
		return m.readings(ctx, args[1:])
	}
	var c common
	fs := m.newFlags("ingest", "Usage: skygrid ingest FILE|DIR... [flags]\n\nIngests NASA FIRMS CSV (any layout) and Himawari WLF files; a folder means its .csv/.txt files in name order.", &c)
	reasons := fs.Int("reasons", 5, "how many row errors to print per file")
	files, err := m.parseFiles(fs, args, 1, -1)
	if err != nil {
		return err
	}
	paths, err := dispatch.ExpandPaths(files)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(ingestMemoryLimit(paths))
	}
	db, p, _, err := m.openPipeline(&c)
	if err != nil {
		return err
	}
	defer db.Close()
	pctx, err := p.LoadContext(ctx)
	if err != nil {
		return err
	}
	if pctx.Area == nil {
		fmt.Fprintln(m.Stderr, "warning: no regions imported, so every detection is kept; import regions first to keep only your area")
	}
	failed := 0
	var total skygrid.IngestBatch
	for _, path := range paths {
		opt := dispatch.IngestOptions{Context: pctx}
		bar := m.progressBar(path)
		if bar != nil {
			opt.Progress = func(n int64) { _ = bar.Set64(n) }
		}
		b, err := p.IngestFile(ctx, path, opt)
		if bar != nil {
			_ = bar.Finish()
			_ = bar.Clear()
		}
		if err != nil {
			failed++
			fmt.Fprintf(m.Stdout, "%s: REFUSED: %s\n", path, errorText(err))
			if ctx.Err() != nil {
				return ctx.Err()
			}
			continue
		}
		registry.WriteBatchText(m.Stdout, path, b, *reasons)
		total.AddCounts(b)
	}
	if len(paths) > 1 {
		fmt.Fprintf(m.Stdout, "total: %d files (%d refused), %d rows, %d new, %d duplicates, %d rejected, %d outside; %d new events, %d new tasks%s\n",
			len(paths), failed, total.Rows, total.New, total.Duplicates, total.Rejected, total.Outside, total.EventsNew, total.TasksNew, registry.NoTaskText(&total))
	}
	if failed > 0 {
		return fmt.Errorf("ingest: %d of %d files refused", failed, len(paths))
	}
	return nil
}

// ingestMemoryLimit is the soft memory limit of an ingest: 8 times its
// largest file, at least 768 MiB. A file where most of a million rows
// open their own event (84 MB) keeps about 430 MiB live at its peak, and
// the collector's default of letting the heap grow to twice the live
// data took the command to 1.04 GiB; with the limit it collects sooner
// near the peak. The limit is soft and grows with the file, so a larger
// file is not starved of memory ($GOMEMLIMIT overrides it).
func ingestMemoryLimit(paths []string) int64 {
	limit := int64(768 << 20)
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil {
			limit = max(limit, 8*fi.Size())
		}
	}
	return limit
}

// progressBar returns a bar on a terminal for a large file, else nil.
func (m *IngestCommand) progressBar(path string) *progressbar.ProgressBar {
	f, ok := m.Stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Size() < progressMin {
		return nil
	}
	return progressbar.NewOptions64(fi.Size(), progressbar.OptionSetWriter(f), progressbar.OptionShowBytes(true),
		progressbar.OptionSetDescription(filepath.Base(path)), progressbar.OptionThrottle(100_000_000))
}
