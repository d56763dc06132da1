package dustrule

import (
	"testing"
	"time"

	"skygrid"
)

func quality() Quality { return DefaultConfig().Quality() }

func TestCheckSilent(t *testing.T) {
	last := day0.Add(9 * time.Hour)
	for _, tt := range []struct {
		name  string
		ok    bool
		now   time.Time
		alarm bool
	}{
		{"29m59s is not yet silent", true, last.Add(30*time.Minute - time.Second), false},
		{"30 minutes is silent", true, last.Add(30 * time.Minute), true},
		{"hours later still", true, last.Add(5 * time.Hour), true},
		{"never reported: not connected, no alarm", false, last.Add(5 * time.Hour), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := quality().CheckSilent(pingcheng, last, tt.ok, tt.now)
			if (len(got) == 1) != tt.alarm || len(got) > 1 {
				t.Fatalf("got %+v, want alarm %v", got, tt.alarm)
			}
			if tt.alarm && (got[0].Class != ClassMonitorOffline || got[0].Rule != RuleSilent || got[0].Limit != 30) {
				t.Errorf("got %+v", got[0])
			}
		})
	}
}

func TestCheckStuck(t *testing.T) {
	start := day0.Add(9 * time.Hour)
	changes := func(at int) func(int) float64 {
		return func(i int) float64 {
			if i == at {
				return 99
			}
			return 120
		}
	}
	for _, tt := range []struct {
		name string
		rs   []skygrid.Reading
		ends []int // minute of each alarm's end
	}{
		{"59 minutes the same is not stuck", series(start, 60, "pm10", constant(120), nil), nil},
		{"60 minutes the same is", series(start, 61, "pm10", constant(120), nil), []int{60}},
		{"once a run", series(start, 180, "pm10", constant(120), nil), []int{60}},
		{"a change starts a new run", series(start, 150, "pm10", changes(30), nil), []int{91}},
		{"flagged values do not count", series(start, 61, "pm10", constant(120), func(i int) string {
			if i%2 == 0 {
				return "M"
			}
			return ""
		}), nil},
		{"two values an hour apart are not a run", append(series(start, 1, "pm10", constant(120), nil),
			series(start.Add(time.Hour), 1, "pm10", constant(120), nil)...), nil},
		{"a factor not watched", series(start, 61, "temp", constant(3), nil), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := quality().CheckStuck(pingcheng, tt.rs)
			if len(got) != len(tt.ends) {
				t.Fatalf("got %+v, want ends %v", got, tt.ends)
			}
			for i, a := range got {
				if !a.End.Equal(start.Add(time.Duration(tt.ends[i])*time.Minute)) || a.Rule != RuleStuck {
					t.Errorf("alarm %d %+v, want end at minute %d", i, a, tt.ends[i])
				}
			}
		})
	}
}

func TestCheckRange(t *testing.T) {
	at := day0.Add(9 * time.Hour).UTC()
	for _, tt := range []struct {
		name   string
		values map[string]float64
		flags  map[string]string
		want   []float64
	}{
		{"in range at both ends", map[string]float64{"pm10": 0, "tsp": 20000}, nil, nil},
		{"negative", map[string]float64{"pm10": -1}, nil, []float64{-1}},
		{"above the top", map[string]float64{"pm10": 10001, "pm25": 10001}, nil, []float64{10001, 10001}},
		{"flagged values are the device's own", map[string]float64{"pm10": 99999}, map[string]string{"pm10": "D"}, nil},
		{"factors without a range", map[string]float64{"temp": -40, "noise": 200}, nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := skygrid.Reading{At: at, Kind: skygrid.ReadingMinute, Values: tt.values, Flags: tt.flags}
			got := quality().CheckRange(pingcheng, r)
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want values %v", got, tt.want)
			}
			for i, a := range got {
				if a.Value != tt.want[i] || a.Rule != RuleOutOfRange || a.Class != ClassMonitorOffline {
					t.Errorf("got %+v", a)
				}
			}
		})
	}
}

func TestCheckCapture(t *testing.T) {
	day := DayOf(day0)
	for _, tt := range []struct {
		name  string
		rs    []skygrid.Reading
		rate  float64
		alarm bool
	}{
		{"a whole day", series(day0, 1440, "pm10", constant(60), nil), 1, false},
		{"exactly 90%", series(day0, 1296, "pm10", constant(60), nil), 0.9, false},
		{"one value fewer", series(day0, 1295, "pm10", constant(60), nil), 1295.0 / 1440, true},
		{"flagged values count against it", series(day0, 1440, "pm10", constant(60), func(i int) string {
			if i < 145 {
				return "F"
			}
			return ""
		}), 1295.0 / 1440, true},
		{"the next Beijing day's values are not this day's", series(day0.Add(12*time.Hour), 1440, "pm10", constant(60), nil), 0.5, true},
		{"a silent day", nil, 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q := quality()
			if got := q.CaptureRate(day, tt.rs); got != tt.rate {
				t.Errorf("rate %v, want %v", got, tt.rate)
			}
			if got := q.CheckCapture(pingcheng, day, tt.rs); (len(got) == 1) != tt.alarm {
				t.Errorf("got %+v, want alarm %v", got, tt.alarm)
			}
		})
	}
}

// A rule switched off in [dust] active is not checked.
func TestQualitySwitchedOff(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Active = []string{"datong_default"}
	q := cfg.Quality()
	rs := series(day0, 600, "pm10", constant(-5), nil)
	if got := append(q.CheckSeries(pingcheng, rs), q.CheckSilent(pingcheng, day0, true, day0.Add(48*time.Hour))...); len(got) != 0 {
		t.Errorf("got %+v", got)
	}
	if got := quality().CheckSeries(pingcheng, rs); len(got) != 600+1+1 { // each value out of range, stuck, low capture
		t.Errorf("got %d alarms", len(got))
	}
}
