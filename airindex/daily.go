package airindex

import (
	"time"

	"skygrid"
	"skygrid/aqi"
)

// Capture rules (GB 3095-2012 Table 4, HJ 663-2013 §6).
const (
	MinDayHours     = 20  // hourly means for a 24-hour mean
	Min8hHours      = 6   // hourly means for an 8-hour O3 mean
	MinDay8hWindows = 14  // valid 8-hour means (ending 08:00-24:00) for the daily max
	MinMonthDays    = 27  // valid daily values for a month
	MinFebDays      = 25  // for February
	MinYearDays     = 324 // for a year
	O38hLimit       = 160 // µg/m³, the daily max 8-hour secondary limit
)

// DailyMeans are the pollutants whose daily value is the 24-hour mean.
var DailyMeans = []string{aqi.SO2, aqi.NO2, aqi.CO, aqi.PM10, aqi.PM25}

// Six are the pollutants of the comprehensive index, O3 by its daily
// maximum 8-hour mean.
var Six = []string{aqi.PM25, aqi.PM10, aqi.SO2, aqi.NO2, aqi.CO, aqi.O38h}

// Hours are one station's hourly concentrations by hour label (UTC, the
// hour's end: skygrid.AirHourLabel) and pollutant key (aqi's keys; "o3"
// the 1-hour O3). A pollutant not measured that hour is absent.
type Hours map[time.Time]map[string]float64

// Day is the valid daily values of one Beijing day: the 24-hour means of
// DailyMeans, aqi.O3 the largest 1-hour O3 and aqi.O38h the daily maximum
// 8-hour O3. A value the capture rules refuse is absent.
type Day struct {
	// Date is the day's Beijing midnight.
	Date   time.Time
	Values map[string]float64
}

// DayOf computes the daily values of the Beijing day starting at date
// (its midnight) from hs. The day's hours are labelled date+1h to
// date+24h.
func DayOf(hs Hours, date time.Time) Day {
	d := Day{Date: date, Values: map[string]float64{}}
	at := func(h int, key string) (float64, bool) {
		v, ok := hs[date.Add(time.Duration(h)*time.Hour).UTC()][key]
		return v, ok
	}
	for _, key := range DailyMeans {
		sum, n := 0.0, 0
		for h := 1; h <= 24; h++ {
			if v, ok := at(h, key); ok {
				sum, n = sum+v, n+1
			}
		}
		if n >= MinDayHours {
			d.Values[key] = sum / float64(n)
		}
	}
	max1h, any1h := 0.0, false
	for h := 1; h <= 24; h++ {
		if v, ok := at(h, aqi.O3); ok && (!any1h || v > max1h) {
			max1h, any1h = v, true
		}
	}
	if any1h {
		d.Values[aqi.O3] = max1h
	}
	if v, ok := dailyMax8h(at); ok {
		d.Values[aqi.O38h] = v
	}
	return d
}

// dailyMax8h is the largest valid 8-hour O3 mean among the windows ending
// at the day's 08:00 to 24:00 (labels 1-8 to 17-24): valid with at least
// MinDay8hWindows of them, or with fewer when it exceeds O38hLimit.
func dailyMax8h(at func(h int, key string) (float64, bool)) (float64, bool) {
	best, windows := 0.0, 0
	for end := 8; end <= 24; end++ {
		sum, n := 0.0, 0
		for h := end - 7; h <= end; h++ {
			if v, ok := at(h, aqi.O3); ok {
				sum, n = sum+v, n+1
			}
		}
		if n < Min8hHours {
			continue
		}
		if m := sum / float64(n); windows == 0 || m > best {
			best = m
		}
		windows++
	}
	if windows >= MinDay8hWindows || (windows > 0 && best > O38hLimit) {
		return best, true
	}
	return 0, false
}

// MeanDay is the day of several stations (a county's): each pollutant the
// mean of the stations' valid values, absent when none is valid.
func MeanDay(date time.Time, days []Day) Day {
	out := Day{Date: date, Values: map[string]float64{}}
	sums, ns := map[string]float64{}, map[string]int{}
	for _, d := range days {
		for k, v := range d.Values {
			sums[k] += v
			ns[k]++
		}
	}
	for k, n := range ns {
		out.Values[k] = sums[k] / float64(n)
	}
	return out
}

// DailyAQI is the day's AQI (aqi.Daily) when all six pollutants are
// valid; ok is false otherwise.
func DailyAQI(d Day) (r aqi.Result, ok bool) {
	for _, k := range Six {
		if _, has := d.Values[k]; !has {
			return aqi.Result{}, false
		}
	}
	r, err := aqi.Daily(aqi.Concentrations(d.Values))
	return r, err == nil
}

// Days are the Beijing days of [from, to) (midnights), from a midnight.
func Days(from, to time.Time) []time.Time {
	var out []time.Time
	for d := from.In(skygrid.Beijing); d.Before(to); d = d.AddDate(0, 0, 1) {
		out = append(out, d)
	}
	return out
}
