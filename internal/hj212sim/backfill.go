package hj212sim

import (
	"time"

	"skygrid"
)

// Backfill gives the readings the device would have sent from from
// (included) to to (excluded), one per step, as kind (skygrid.ReadingMinute
// or ReadingHour): each the mean of the minutes of its step, every factor
// flagged N, MonitorID left for the caller. The demo stores these through
// StoreReadings so that its charts have history (示例).
func (d *Device) Backfill(air Air, seed uint64, from, to time.Time, step time.Duration, kind string) []skygrid.Reading {
	key := deviceKey(seed, d.MN)
	from = from.Truncate(step)
	out := make([]skygrid.Reading, 0, int(to.Sub(from)/step)+1)
	for at := from; at.Before(to); at = at.Add(step) {
		var sum [9]float64
		n := 0
		for m := at; m.Before(at.Add(step)); m = m.Add(time.Minute) {
			v := d.Profile.At(air, key, m)
			for i, x := range [...]float64{v.PM10, v.PM25, v.TSP, v.Temp, v.RH, v.Pressure, v.WS, v.WD, v.Noise} {
				sum[i] += x
			}
			n++
		}
		r := skygrid.Reading{At: at.UTC(), Kind: kind, Values: make(map[string]float64, len(sum)),
			Flags: make(map[string]string, len(sum)), Source: skygrid.SourceFile}
		for i, f := range skygrid.Factors {
			r.Values[f], r.Flags[f] = sum[i]/float64(n), "N"
		}
		out = append(out, r)
	}
	return out
}
