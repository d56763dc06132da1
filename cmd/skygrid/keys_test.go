package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"skygrid"
	"skygrid/data"
	"skygrid/internal/storetest"
	"skygrid/store"
)

// [sites] video_area_m2 reaches the import: a 4,500 m² site without video
// (示例) breaks a 4,000 m² rule, not the default 5,000 m² one.
func TestVideoAreaKey(t *testing.T) {
	dir := t.TempDir()
	csvFile := filepath.Join(dir, "工地.csv")
	if err := os.WriteFile(csvFile, []byte("项目编号,名称,占地面积,是否视频,平台,经度,纬度\nY1,示例工地,4500,否,,113.30,40.08\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		sets []string
		want string
	}{
		{"default 5000 m²", nil, "1 construction sites (1 new), 0 breaking a rule"},
		{"4000 m²", []string{"--set", "sites.video_area_m2=4000"}, "1 construction sites (1 new), 1 breaking a rule"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := storetest.DSN(t, "s.db")
			args := append([]string{"import", "sites", csvFile, "--kind", "construction", "--id-prop", "项目编号",
				"--prop", "video=是否视频", "--prop", "platform_id=平台"}, tc.sets...)
			out, err := run(t, db, args...)
			if err != nil || !strings.Contains(out, tc.want) {
				t.Errorf("%v: %v\n%s\nwant %q", tc.sets, err, out, tc.want)
			}
		})
	}
}

// escalationDB is a database with the tasks of 24 October 2023 in 浑源县
// (140225), made at 06:00 UTC (once per test process, copied per test);
// it returns the first task.
func escalationDB(t *testing.T) (string, *skygrid.Task) {
	t.Helper()
	db := storetest.Built(t, "escalation", "e.db", fillEscalation)
	return db, firstTask(t, db)
}

// fillEscalation makes escalationDB's database at db with the commands.
func fillEscalation(db string) error {
	dir, err := os.MkdirTemp("", "skygrid-escalation-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	files, err := embeddedFiles(dir, data.Districts, data.FIRMSOctober+"/2023-10-24.csv")
	if err != nil {
		return err
	}
	now := time.Date(2023, 10, 24, 6, 0, 0, 0, time.UTC)
	for _, args := range [][]string{
		{"import", "regions", files[0], "--level", "county", "--crs", "cgcs2000"},
		{"grid", "generate", "--cell", "3km"},
		{"ingest", files[1]},
	} {
		if out, err := runClock(now, db, args...); err != nil {
			return fmt.Errorf("%v: %w\n%s", args, err, out)
		}
	}
	return nil
}

func firstTask(t *testing.T, file string) *skygrid.Task {
	t.Helper()
	d := store.NewDB(file)
	if err := d.Open(); err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ts, _, err := d.FindTasks(context.Background(), skygrid.TaskFilter{})
	if err != nil || len(ts) == 0 {
		t.Fatalf("no tasks: %v", err)
	}
	return ts[len(ts)-1]
}

// [escalation] official_after and auditors_ratio reach skygrid escalate:
// a task a minute past its report deadline goes to the officials by
// default, not when they are told 2 hours late; late by 0.6 times the
// time it was given, it goes to the auditors only at a ratio of 0.5.
func TestEscalationKeys(t *testing.T) {
	for _, tc := range []struct {
		name  string
		sets  []string
		late  func(tk *skygrid.Task) time.Time
		level int
	}{
		{"default, a minute late", nil, func(tk *skygrid.Task) time.Time { return tk.ReportDue.Add(time.Minute) }, 1},
		{"officials after 2h, a minute late", []string{"--set", "escalation.official_after=2h"},
			func(tk *skygrid.Task) time.Time { return tk.ReportDue.Add(time.Minute) }, 0},
		{"default, late by 0.6 of the time given", nil, lateBy(0.6), 1},
		{"auditors at 0.5, late by 0.6 of the time given", []string{"--set", "escalation.auditors_ratio=0.5"}, lateBy(0.6), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, tk := escalationDB(t)
			out, err := runAt(t, tc.late(tk), db, append([]string{"escalate"}, tc.sets...)...)
			if err != nil {
				t.Fatalf("escalate: %v\n%s", err, out)
			}
			if got := firstTask(t, db); got.ID != tk.ID || got.Escalation != tc.level {
				t.Errorf("task %d escalation %d, want %d (%s)", got.ID, got.Escalation, tc.level, out)
			}
		})
	}
}

// lateBy is the time when a task's report is late by ratio times the time
// it was given, plus a minute.
func lateBy(ratio float64) func(tk *skygrid.Task) time.Time {
	return func(tk *skygrid.Task) time.Time {
		given := tk.ReportDue.Sub(tk.CreatedAt)
		return tk.ReportDue.Add(time.Duration(float64(given)*ratio) + time.Minute)
	}
}

// The new keys are checked with their names.
func TestNewKeysRefused(t *testing.T) {
	for _, tc := range []struct{ set, want string }{
		{"sites.video_area_m2=-1", "sites.video_area_m2 -1"},
		{"escalation.official_after=-5m", "escalation.official_after -5m0s"},
		{"escalation.auditors_ratio=nan", "escalation.auditors_ratio NaN"},
		{"schedule.escalate_every=0s", "schedule.escalate_every 0s: at least 10ms"},
		{"photos.max_photo_mib=20", "photos.max_photo_mib 20: between 1 and 15"},
		{"schedule.nope=1s", "unknown keys: schedule.nope"},
	} {
		t.Run(tc.set, func(t *testing.T) {
			out, err := run(t, storetest.DSN(t, "k.db"), "escalate", "--set", tc.set)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("--set %s: %v, want %q\n%s", tc.set, err, tc.want, out)
			}
		})
	}
}

// [schedule] escalate_every and photo_sweep_every reach serve's jobs. The
// jobs run once at start-up: the task a minute past its deadline goes to
// the officials and a two-day-old staging folder is swept. Then the
// server's clock moves two days on: with 50 ms ticks the task soon goes
// to the auditors and the next folder is swept; with the default ticks (a
// minute, a day) neither happens within the test's 20 s.
func TestScheduleKeys(t *testing.T) {
	db, tk := escalationDB(t)
	var clock atomic.Int64
	clock.Store(tk.ReportDue.Add(time.Minute).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	first := stageFolder(t, db, "1-0a0a", now().Add(-48*time.Hour))
	m, out, errb := testMain()
	m.Now = now
	ready := make(chan string, 1)
	m.Ready = func(url string) { ready <- url }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- m.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--data", dataDir(t, db),
			"--set", "schedule.escalate_every=50ms", "--set", "schedule.photo_sweep_every=50ms"})
	}()
	defer func() { cancel(); <-done }()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("serve ended: %v\n%s%s", err, out, errb)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	waitFor(t, db, first, 1)
	second := stageFolder(t, db, "2-0b0b", now())
	clock.Store(now().Add(48 * time.Hour).UnixNano())
	waitFor(t, db, second, 2)
}

// stageFolder makes a report's staging folder (示例) last written at mod.
func stageFolder(t *testing.T, db, name string, mod time.Time) string {
	t.Helper()
	dir := filepath.Join(dataDir(t, db), "photos", "staging", name)
	file := filepath.Join(dir, "upload-0")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte("示例"), 0o640); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{file, dir} {
		if err := os.Chtimes(p, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// waitFor waits up to 20 s for the first task to reach the escalation
// level and the staging folder to be swept.
func waitFor(t *testing.T, db, staged string, level int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := os.Stat(staged)
		esc := firstTask(t, db).Escalation
		if esc >= level && os.IsNotExist(err) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s: escalation %d (want %d), staging folder %s: %v", esc, level, filepath.Base(staged), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// [schedule] notify_poll and watch_poll reach the outbox worker and the
// drop-folder watcher serve runs (their packages' tests show what Poll
// does); the defaults are today's 1 s and 100 ms.
func TestPollKeys(t *testing.T) {
	for _, tc := range []struct {
		name         string
		sets         []string
		notify, scan time.Duration
	}{
		{"defaults", nil, time.Second, 100 * time.Millisecond},
		{"set", []string{"schedule.notify_poll=250ms", "schedule.watch_poll=3s"}, 250 * time.Millisecond, 3 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _, _ := testMain()
			c := common{db: storetest.DSN(t, "p.db"), sets: tc.sets}
			db, p, cfg, err := m.openPipeline(&c)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if w := m.notifyWorker(db, cfg); w.Poll != tc.notify {
				t.Errorf("notify worker polls every %s, want %s", w.Poll, tc.notify)
			}
			if w := m.watcher(t.TempDir(), p, cfg); w.Poll != tc.scan {
				t.Errorf("watcher scans every %s, want %s", w.Poll, tc.scan)
			}
		})
	}
}
