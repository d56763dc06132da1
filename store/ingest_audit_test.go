package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"skygrid"
)

// An ingest's audit lines are written as they were queued, in order, with
// their ids, whether a statement writes their shared columns in as
// literals (runs of 100 alike: ingest_audit.go) or binds every value; a
// quote in a shared value stays a quote. Their ids come after the lines
// before, and the lines written after get later ids.
func TestIngestAuditLines(t *testing.T) {
	at := time.Date(2024, 3, 1, 4, 5, 6, 0, time.UTC)
	line := func(action, before string, i int, when time.Time) *skygrid.AuditEntry {
		return &skygrid.AuditEntry{At: when, Actor: "o'brien", Action: action, Entity: "event", EntityID: fmt.Sprint(i),
			Before: before, After: fmt.Sprintf("class=fire it's %d", i)}
	}
	for _, tt := range []struct {
		name  string
		lines func() []*skygrid.AuditEntry
	}{
		{"runs of alike lines and the rest", func() []*skygrid.AuditEntry {
			var es []*skygrid.AuditEntry
			for i := 0; i < 250; i++ {
				es = append(es, line("event.create", "", i, at))
			}
			for i := 250; i < 380; i++ {
				es = append(es, line("event.live", "history='old'", i, at))
			}
			for i := 380; i < 520; i++ { // alternating: no run of 100
				es = append(es, line("task.dispatch", fmt.Sprint(i%2), i, at))
			}
			for i := 520; i < 700; i++ { // a second time from line 560 on
				es = append(es, line("event.create", "", i, at.Add(time.Duration(i/560)*time.Second)))
			}
			return es
		}},
		{"fewer than a run", func() []*skygrid.AuditEntry {
			return []*skygrid.AuditEntry{line("event.create", "", 1, at), line("task.dispatch", "", 2, at)}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			ctx := context.Background()
			// a line before (the ingest counts on past it) and one after
			// (the store's own ids, PostgreSQL's identity, count on past
			// the ingest's)
			if err := db.ImportRegions(ctx, listRegions()); err != nil {
				t.Fatal(err)
			}
			channel := func(url string) {
				t.Helper()
				c := &skygrid.Channel{RegionID: "C1", Kind: skygrid.ChannelWebhook, URL: url}
				if err := db.AddChannel(ctx, c); err != nil {
					t.Fatal(err)
				}
			}
			channel("https://example.org/before")
			before, err := db.FindAuditLog(ctx, skygrid.AuditFilter{})
			if err != nil {
				t.Fatal(err)
			}
			want := tt.lines()
			err = db.InIngestTx(ctx, func(tx skygrid.IngestTx) error { return tx.Audit(ctx, want...) })
			if err != nil {
				t.Fatal(err)
			}
			channel("https://example.org/after")
			all, err := db.FindAuditLog(ctx, skygrid.AuditFilter{Limit: 10000})
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != len(before)+len(want)+1 || all[0].ID <= want[len(want)-1].ID || before[0].ID >= want[0].ID {
				t.Fatalf("%d lines, %d before, the last before %+v, the last %+v", len(all), len(before), before[0], all[0])
			}
			got, err := db.FindAuditLog(ctx, skygrid.AuditFilter{Entity: "event", Limit: 10000})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("%d lines stored, want %d", len(got), len(want))
			}
			for i, w := range want {
				g := got[len(got)-1-i] // newest first
				if w.ID == 0 || g.ID != w.ID || i > 0 && w.ID <= want[i-1].ID {
					t.Fatalf("line %d: id %d stored, %d given (previous %d)", i, g.ID, w.ID, want[max(i-1, 0)].ID)
				}
				if !g.At.Equal(w.At) || g.Actor != w.Actor || g.Action != w.Action || g.Entity != w.Entity || g.EntityID != w.EntityID ||
					g.Before != w.Before || g.After != w.After {
					t.Fatalf("line %d: stored %+v, want %+v", i, g, w)
				}
			}
		})
	}
}
