package dustrule

import (
	"context"
	"math"
	"reflect"
	"sort"
	"testing"
	"time"

	"skygrid"
)

// memory is a History over a slice: the readings stored so far, and how
// many times each method was called.
type memory struct {
	rs             []skygrid.Reading
	reads, latests int
}

func (m *memory) Readings(_ context.Context, id int64, from, to time.Time) ([]skygrid.Reading, error) {
	m.reads++
	var out []skygrid.Reading
	for _, r := range m.rs {
		if r.MonitorID == id && !r.At.Before(from) && r.At.Before(to) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}

func (m *memory) Latest(_ context.Context, id int64, kind string, before time.Time) (skygrid.Reading, bool, error) {
	m.latests++
	var best skygrid.Reading
	ok := false
	for _, r := range m.rs {
		if r.MonitorID == id && (kind == "" || r.Kind == kind) && r.At.Before(before) && (!ok || r.At.After(best.At)) {
			best, ok = r, true
		}
	}
	return best, ok, nil
}

func (m *memory) LastHeard(_ context.Context, before time.Time) (map[int64]time.Time, error) {
	latest := map[int64]skygrid.Reading{}
	for _, r := range m.rs {
		if best, ok := latest[r.MonitorID]; r.At.Before(before) && (!ok || r.At.After(best.At)) {
			latest[r.MonitorID] = r
		}
	}
	out := map[int64]time.Time{}
	for id, r := range latest {
		out[id] = r.ReceivedAt
		if r.ReceivedAt.IsZero() {
			out[id] = r.At
		}
	}
	return out, nil
}

func (m *memory) ValidCounts(_ context.Context, kind, factor string, from, to time.Time) (map[int64]int, error) {
	out := map[int64]int{}
	for _, r := range m.rs {
		if r.Kind == kind && r.Valid(factor) && !r.At.Before(from) && r.At.Before(to) {
			out[r.MonitorID]++
		}
	}
	return out, nil
}

// arrive stores each reading in turn and checks it, as the receiver will.
func arrive(t *testing.T, c *Checker, rs []skygrid.Reading) []Alarm {
	t.Helper()
	m := c.History.(*memory)
	var out []Alarm
	for _, r := range rs {
		m.rs = append(m.rs, r)
		got, err := c.OnReading(context.Background(), pingcheng, r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got...)
	}
	return out
}

func checker(active ...string) *Checker {
	cfg := DefaultConfig()
	cfg.Active = active
	return &Checker{Rules: cfg.Rules(), Quality: cfg.Quality(), History: &memory{}, Ambient: county100}
}

// As readings arrive, the checker raises what the batch over the whole
// series raises, each alarm once, when the window's last reading comes.
func TestCheckerAsReadingsArrive(t *testing.T) {
	start := day0.Add(6 * time.Hour)
	pm10 := func(i int) float64 { // hours 07, 09, 10 and 12 exceed; stuck 13:00-14:30
		switch h := i / 60; {
		case h == 1 || h == 3 || h == 4 || h == 6:
			return 181 + float64(i%3)
		case h >= 7:
			return 120
		default:
			return 150 + float64(i%5)
		}
	}
	rs := series(start, 9*60, "pm10", pm10, nil)
	c := checker("datong_default", RuleStuck, RuleOutOfRange)
	got := arrive(t, c, rs)
	want := c.Series(pingcheng, rs)
	if len(want) != 3 || !reflect.DeepEqual(got, want) {
		t.Errorf("as they arrive:\n%+v\nbatch:\n%+v", got, want)
	}
}

// As readings arrive, the checker reads the past only when a window closes
// or a value repeats: a day of varying minute values within the limit is
// one Latest a reading and one Readings an hour.
func TestCheckerReadsLittle(t *testing.T) {
	c := checker("datong_default", RuleStuck, RuleOutOfRange)
	rs := series(day0, 1440, "pm10", func(i int) float64 { return 150 + float64(i%7) }, nil)
	if got := arrive(t, c, rs); len(got) != 0 {
		t.Fatalf("got %+v", got)
	}
	m := c.History.(*memory)
	if m.latests != 1440 || m.reads != 24 {
		t.Errorf("%d Latest and %d Readings calls, want 1440 and 24", m.latests, m.reads)
	}
}

// A window whose last minutes never came is closed by the next reading
// after it, however late.
func TestCheckerClosesWindowsAcrossGaps(t *testing.T) {
	c := checker("shaanxi_tsp_earthworks")
	c.Rules[0].Stages = nil
	first := series(day0.Add(8*time.Hour), 50, "tsp", constant(900), nil)
	if got := arrive(t, c, first); len(got) != 0 {
		t.Fatalf("before the window closed: %+v", got)
	}
	m := c.History.(*memory)
	reads := m.reads
	got := arrive(t, c, series(day0.Add(10*time.Hour+30*time.Minute), 1, "tsp", constant(100), nil))
	if len(got) != 1 || !got[0].Start.Equal(day0.Add(8*time.Hour)) || got[0].Value != 900 {
		t.Errorf("got %+v, want the 08:00 window", got)
	}
	// The 08:00 window and its day's recount; not the empty 09:00 window.
	if m.reads-reads != 2 {
		t.Errorf("%d Readings calls, want 2", m.reads-reads)
	}
}

func TestCheckerSilenceAndDay(t *testing.T) {
	c := checker(RuleSilent, RuleLowCapture)
	ctx := context.Background()
	arrive(t, c, series(day0, 600, "pm10", constant(60), nil)) // 00:00-09:59, received 5 s after each
	last := day0.Add(599*time.Minute + 5*time.Second)
	for _, tt := range []struct {
		name string
		now  time.Time
		n    int
	}{
		{"29 minutes after the last", last.Add(29 * time.Minute), 0},
		{"30 minutes after", last.Add(30 * time.Minute), 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			never := pingcheng
			never.MonitorID = pingcheng.MonitorID + 1 // never heard: not yet connected, not silent
			got, err := c.CheckSilence(ctx, []Subject{never, pingcheng}, tt.now)
			if err != nil || len(got) != tt.n || tt.n > 0 && got[0].MonitorID != pingcheng.MonitorID {
				t.Errorf("got %+v %v, want %d of monitor %d", got, err, tt.n, pingcheng.MonitorID)
			}
		})
	}
	never := pingcheng
	never.MonitorID = pingcheng.MonitorID + 1 // never heard: not yet connected, no capture rate
	got, err := c.CheckDay(ctx, []Subject{never, pingcheng}, day0.Add(23*time.Hour))
	if err != nil || len(got) != 1 || got[0].MonitorID != pingcheng.MonitorID || math.Abs(got[0].Value-600.0/1440*100) > 1e-9 || !got[0].Start.Equal(day0) {
		t.Errorf("capture of the day: %+v %v", got, err)
	}
}
