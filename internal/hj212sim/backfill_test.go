package hj212sim

import (
	"testing"
	"time"

	"skygrid"
)

func TestBackfill(t *testing.T) {
	air, err := DatongAir()
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2023, 10, 30, 16, 0, 0, 0, time.UTC) // 00:00 in Datong
	exceed := Device{MN: "DEMOC02", Profile: demoProfile(RoleExceed, 1)}
	quiet := Device{MN: "DEMOC03", Profile: demoProfile(RoleOrdinary, 2)}
	tests := []struct {
		name string
		step time.Duration
		kind string
		n    int
	}{
		{"a day of hours", time.Hour, skygrid.ReadingHour, 24},
		{"two hours of minutes", time.Minute, skygrid.ReadingMinute, 120},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			to := from.Add(time.Duration(tt.n) * tt.step)
			rs := exceed.Backfill(air, 0, from, to, tt.step, tt.kind)
			if len(rs) != tt.n {
				t.Fatalf("%d readings, want %d", len(rs), tt.n)
			}
			for i, r := range rs {
				if !r.At.Equal(from.Add(time.Duration(i)*tt.step)) || r.Kind != tt.kind || len(r.Values) != len(skygrid.Factors) || r.Flags[skygrid.FactorPM10] != "N" {
					t.Fatalf("reading %d: %+v", i, r)
				}
			}
		})
	}
	// 10:00 Beijing is an exceedance hour of the demo's exceeding sites.
	at := from.Add(10 * time.Hour)
	hi := exceed.Backfill(air, 0, at, at.Add(time.Hour), time.Hour, skygrid.ReadingHour)[0].Values[skygrid.FactorPM10]
	lo := quiet.Backfill(air, 0, at, at.Add(time.Hour), time.Hour, skygrid.ReadingHour)[0].Values[skygrid.FactorPM10]
	if hi < lo+100 {
		t.Errorf("10:00 hourly PM10: exceeding site %.0f, ordinary site %.0f; want the exceedance (150+ µg/m³) in the hour's mean", hi, lo)
	}
}
