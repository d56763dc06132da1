package dustrule

import (
	"testing"
	"time"

	"skygrid"
)

// day0 is a Beijing midnight: 2026-03-01 00:00 +08:00 (16:00 UTC the day before).
var day0 = time.Date(2026, 3, 1, 0, 0, 0, 0, Beijing)

// series is n minute readings of factor from start, the i-th valued v(i)
// and flagged flag(i) ("" is valid).
func series(start time.Time, n int, factor string, v func(i int) float64, flag func(i int) string) []skygrid.Reading {
	rs := make([]skygrid.Reading, n)
	for i := range rs {
		at := start.Add(time.Duration(i) * time.Minute).UTC()
		rs[i] = skygrid.Reading{MonitorID: 7, At: at, Kind: skygrid.ReadingMinute, Values: map[string]float64{factor: v(i)},
			Source: skygrid.SourceHJ212, ReceivedAt: at.Add(5 * time.Second)}
		if flag != nil && flag(i) != "" {
			rs[i].Flags = map[string]string{factor: flag(i)}
		}
	}
	return rs
}

func constant(x float64) func(int) float64 { return func(int) float64 { return x } }

// hours is h hours of minute readings from start, hour k's values all vs[k].
func hours(start time.Time, factor string, vs ...float64) []skygrid.Reading {
	return series(start, 60*len(vs), factor, func(i int) float64 { return vs[i/60] }, nil)
}

func datong() Rule {
	return DefaultConfig().rule("datong_default")
}

// rule is the named preset of c as a rule.
func (c Config) rule(name string) Rule {
	for _, r := range (Config{Active: []string{name}, Presets: c.Presets, MinValid: c.MinValid}).Rules() {
		return r
	}
	panic("no preset " + name)
}

// county100 is a county whose ambient PM10 is 100 µg/m³ every hour;
// noAmbient has none.
func county100(county string, hour time.Time) (float64, bool) { return 100, county == "平城区" }

var pingcheng = Subject{MonitorID: 7, County: "平城区"}

func TestJudgeWindow(t *testing.T) {
	start := day0.Add(8 * time.Hour).UTC()
	flaggedHigh := func(i int) string { // every fourth value is a calibration value
		if i%4 == 0 {
			return "C"
		}
		return ""
	}
	for _, tt := range []struct {
		name    string
		subject Subject
		rs      []skygrid.Reading
		status  string
		value   float64
	}{
		{"exactly 80 over the county mean does not exceed", pingcheng, hours(start, "pm10", 180), StatusWithin, 80},
		{"one above exceeds", pingcheng, hours(start, "pm10", 181), StatusExceeds, 81},
		{"the mean, not the peak", pingcheng, series(start, 60, "pm10", func(i int) float64 { return float64(150 + i%2*60) }, nil), StatusWithin, 80},
		{"flagged values excluded", pingcheng, series(start, 60, "pm10", func(i int) float64 {
			if i%4 == 0 {
				return 5000
			}
			return 170
		}, flaggedHigh), StatusWithin, 70},
		{"45 valid values of 60 count (75%)", pingcheng, series(start, 60, "pm10", constant(200), flaggedHigh), StatusExceeds, 100},
		{"44 valid values are too few", pingcheng, series(start, 60, "pm10", constant(200), func(i int) string {
			if i < 16 {
				return "D"
			}
			return ""
		}), StatusTooFew, 0},
		{"missing readings are too few", pingcheng, hours(start, "pm10", 500)[:44], StatusTooFew, 0},
		{"no ambient mean: not judged", Subject{MonitorID: 7, County: "云冈区"}, hours(start, "pm10", 500), StatusNoAmbient, 0},
		{"a resent reading counts once", pingcheng, append(hours(start, "pm10", 180), hours(start, "pm10", 900)[59]), StatusWithin, 80},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := datong().Judge(tt.subject, start, tt.rs, county100)
			if w.Status != tt.status || w.Value != tt.value {
				t.Errorf("got %s value %v (mean %v, %d valid), want %s value %v", w.Status, w.Value, w.Mean, w.Valid, tt.status, tt.value)
			}
		})
	}
}

func TestEvaluateExceedancesPerDay(t *testing.T) {
	at := func(h int) time.Time { return day0.Add(time.Duration(h) * time.Hour) }
	for _, tt := range []struct {
		name   string
		rs     []skygrid.Reading
		counts []int // CountToday of each alarm
	}{
		{"two exceeding hours are allowed", hours(at(8), "pm10", 181, 120, 181), nil},
		{"the third raises an alarm", hours(at(8), "pm10", 181, 181, 100, 181), []int{3}},
		{"and the fourth another", hours(at(8), "pm10", 181, 181, 181, 181), []int{3, 4}},
		{"three across Beijing midnight are two days", hours(at(22), "pm10", 181, 181, 181, 181), nil},
		{"three across UTC midnight are one Beijing day", hours(at(6), "pm10", 181, 181, 181), []int{3}},
		{"the next day counts from zero", append(hours(at(8), "pm10", 181, 181, 181), hours(at(32), "pm10", 181, 181, 181)...), []int{3, 3}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, alarms := datong().Evaluate(pingcheng, tt.rs, county100)
			if len(alarms) != len(tt.counts) {
				t.Fatalf("got %d alarms %+v, want counts %v", len(alarms), alarms, tt.counts)
			}
			for i, a := range alarms {
				if a.CountToday != tt.counts[i] || a.Class != ClassDustExceedance || a.Rule != "datong_default" || a.Limit != 80 || a.Value != 81 {
					t.Errorf("alarm %d: %+v, want count %d", i, a, tt.counts[i])
				}
			}
		})
	}
}

func TestAlarmDetail(t *testing.T) {
	_, alarms := datong().Evaluate(pingcheng, hours(day0.Add(8*time.Hour), "pm10", 181, 181, 200), county100)
	if len(alarms) != 1 {
		t.Fatalf("got %+v", alarms)
	}
	a := alarms[0]
	want := "PM10 03-01 10:00–11:00 小时均值 200 µg/m³，高于区县环境均值 100 µg/m³ 达 100 µg/m³，超过限值 80 µg/m³；今日第 3 次超标（允许 2 次）"
	if a.Detail != want || !a.Start.Equal(day0.Add(10*time.Hour)) || !a.End.Equal(day0.Add(11*time.Hour)) || a.MonitorID != 7 {
		t.Errorf("got %+v\nwant detail %s", a, want)
	}
}

// Each preset of skygrid.example.toml on hand-made series: windows exactly
// at the limit raise nothing however many; allowed_per_day windows one
// above raise nothing; one more raises one alarm.
func TestPresets(t *testing.T) {
	cfg := DefaultConfig()
	for _, tt := range []struct {
		preset  string
		subject Subject
		factor  string
		limit   float64
		window  time.Duration
		allowed int
	}{
		{"datong_default", pingcheng, "pm10", 80, time.Hour, 2},
		{"shaanxi_tsp_earthworks", Subject{MonitorID: 7, Stage: StageEarthworks}, "tsp", 800, time.Hour, 0},
		{"shaanxi_tsp_structure", Subject{MonitorID: 7, Stage: StageStructure}, "tsp", 700, time.Hour, 0},
		{"liaoning_tsp_built_up", Subject{MonitorID: 7, Area: AreaBuiltUp}, "tsp", 800, 5 * time.Minute, 0},
		{"liaoning_tsp_rural", Subject{MonitorID: 7, Area: AreaRural}, "tsp", 1000, 5 * time.Minute, 0},
		{"shanghai_15min", Subject{MonitorID: 7}, "tsp", 2000, 15 * time.Minute, 1},
	} {
		t.Run(tt.preset, func(t *testing.T) {
			r := cfg.rule(tt.preset)
			if r.Factor != tt.factor || r.Limit != tt.limit || r.Window != tt.window || r.AllowedPerDay != tt.allowed || !r.AppliesTo(tt.subject) {
				t.Fatalf("preset %+v is not %+v", r, tt)
			}
			base := 0.0
			if r.OverAmbient {
				base = 100
			}
			n := int(tt.window / time.Minute)
			windows := func(k int, v float64) []skygrid.Reading {
				return series(day0.Add(9*time.Hour), k*n, tt.factor, constant(base+v), nil)
			}
			// The first value of each window is 50 times the limit, flagged
			// (as a calibration) or not; the others are at the limit.
			spiked := func(flag string) []skygrid.Reading {
				return series(day0.Add(9*time.Hour), (tt.allowed+1)*n, tt.factor, func(i int) float64 {
					if i%n == 0 {
						return base + 50*tt.limit
					}
					return base + tt.limit
				}, func(i int) string {
					if i%n == 0 {
						return flag
					}
					return ""
				})
			}
			flagged := func(invalid int) []skygrid.Reading { // the first invalid values of each window flagged
				rs := windows(tt.allowed+1, tt.limit+1)
				for i := range rs {
					if i%n < invalid {
						rs[i].Flags = map[string]string{tt.factor: "D"}
					}
				}
				return rs
			}
			for _, c := range []struct {
				name   string
				rs     []skygrid.Reading
				alarms int
			}{
				{"at the limit", windows(tt.allowed+3, tt.limit), 0},
				{"allowed above", windows(tt.allowed, tt.limit+1), 0},
				{"one more", windows(tt.allowed+1, tt.limit+1), 1},
				{"a spike counts", spiked(""), 1},
				{"a flagged spike does not", spiked("C"), 0},
				{"N is a valid flag", spiked("N"), 1},
				{"just enough valid values", flagged(n - r.Needed()), 1},
				{"one too few", flagged(n - r.Needed() + 1), 0},
			} {
				if _, alarms := r.Evaluate(tt.subject, c.rs, county100); len(alarms) != c.alarms {
					t.Errorf("%s: got %d alarms %+v, want %d", c.name, len(alarms), alarms, c.alarms)
				}
			}
		})
	}
}

func TestPresetsApplyByStageAndArea(t *testing.T) {
	cfg := DefaultConfig()
	id := int64(12)
	cfg.Sites["12"] = SiteDust{Stage: StageDecoration, Area: AreaRural}
	s := cfg.Subject(skygrid.Monitor{ID: 7, SiteID: &id}, "平城区")
	applies := map[string]bool{}
	for name := range cfg.Presets {
		applies[name] = cfg.rule(name).AppliesTo(s)
	}
	want := map[string]bool{"datong_default": true, "shaanxi_tsp_earthworks": false, "shaanxi_tsp_structure": true,
		"liaoning_tsp_built_up": false, "liaoning_tsp_rural": true, "shanghai_15min": true}
	for name, w := range want {
		if applies[name] != w {
			t.Errorf("%s applies to a rural site in decoration: %v, want %v", name, applies[name], w)
		}
	}
	if unknown := cfg.Subject(skygrid.Monitor{ID: 8}, "平城区"); cfg.rule("shaanxi_tsp_structure").AppliesTo(unknown) {
		t.Error("a stage rule applies to a monitor on no site")
	}
}

// The ambient mean is the county's for the hour the window is in: a
// 15-minute window at 09:15 Beijing time is judged on the 09:00 mean.
func TestAmbientOfTheWindowsHour(t *testing.T) {
	byHour := func(county string, hour time.Time) (float64, bool) {
		if county != "平城区" || hour.Minute() != 0 || hour.Second() != 0 {
			return 0, false
		}
		return map[int]float64{8: 100, 9: 300}[hour.In(Beijing).Hour()], true
	}
	r := datong()
	r.Window = 15 * time.Minute
	for _, tt := range []struct {
		name   string
		start  time.Time
		mean   float64
		status string
		value  float64
	}{
		{"09:15 on 09:00's mean, exactly 80 above", day0.Add(9*time.Hour + 15*time.Minute), 380, StatusWithin, 80},
		{"one above", day0.Add(9*time.Hour + 15*time.Minute), 381, StatusExceeds, 81},
		{"08:45 on 08:00's mean", day0.Add(8*time.Hour + 45*time.Minute), 181, StatusExceeds, 81},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := r.Judge(pingcheng, tt.start.UTC(), series(tt.start, 15, "pm10", constant(tt.mean), nil), byHour)
			if w.Status != tt.status || w.Value != tt.value {
				t.Errorf("got %+v, want %s %v", w, tt.status, tt.value)
			}
		})
	}
}
