package airindex

import (
	"fmt"
	"math"
	"sort"
	"time"

	"skygrid"
	"skygrid/aqi"
)

// Period is a month or a year of Beijing days, with the valid days its
// statistics need.
type Period struct {
	From, To time.Time // Beijing midnights, [From, To)
	MinDays  int
	Name     string // 月 or 年, for the notes
}

// Month is the Beijing month holding t: 27 valid days, February 25.
func Month(t time.Time) Period {
	b := t.In(skygrid.Beijing)
	from := time.Date(b.Year(), b.Month(), 1, 0, 0, 0, 0, skygrid.Beijing)
	min := MinMonthDays
	if b.Month() == time.February {
		min = MinFebDays
	}
	return Period{From: from, To: from.AddDate(0, 1, 0), MinDays: min, Name: "月"}
}

// Year is the Beijing year holding t: 324 valid days.
func Year(t time.Time) Period {
	from := time.Date(t.In(skygrid.Beijing).Year(), 1, 1, 0, 0, 0, 0, skygrid.Beijing)
	return Period{From: from, To: from.AddDate(1, 0, 0), MinDays: MinYearDays, Name: "年"}
}

// Limits are the S_i of the comprehensive index (GB 3095-2012 Table 1,
// secondary): annual SO2, NO2, PM10, PM2.5; CO 24-hour; O3 daily max 8-hour.
var Limits = map[string]float64{aqi.SO2: 60, aqi.NO2: 40, aqi.PM10: 70, aqi.PM25: 35, aqi.CO: 4, aqi.O38h: 160}

// Label names the pollutants' statistics in the notes.
var Label = map[string]string{aqi.PM25: "PM2.5", aqi.PM10: "PM10", aqi.SO2: "SO2", aqi.NO2: "NO2",
	aqi.CO: "CO 日均值第95百分位", aqi.O38h: "O3 日最大8小时第90百分位"}

// Evaluation is a period's figures; nil where the capture rules refuse.
type Evaluation struct {
	// Conc are the evaluated concentrations, rounded (GB/T 8170): the
	// means of PM2.5, PM10, SO2, NO2, CO's 95th and O3-8h's 90th
	// percentile (µg/m³; CO mg/m³).
	Conc      map[string]*float64
	ValidDays int // days with a daily AQI
	GoodDays  int
	GoodShare *float64
	// Index is the comprehensive index (two decimals), nil unless all six
	// concentrations are.
	Index *float64
	Notes []string
}

// Evaluate computes p's figures from its days (one per Beijing day held,
// missing days absent or with no values).
func Evaluate(p Period, days []Day) Evaluation {
	e := Evaluation{Conc: map[string]*float64{}}
	series := map[string][]float64{}
	for _, d := range days {
		if d.Date.Before(p.From) || !d.Date.Before(p.To) {
			continue
		}
		for k, v := range d.Values {
			series[k] = append(series[k], v)
		}
		if r, ok := DailyAQI(d); ok {
			e.ValidDays++
			if r.AQI <= 100 {
				e.GoodDays++
			}
		}
	}
	for _, k := range Six {
		n := len(series[k])
		if n < p.MinDays {
			e.Notes = append(e.Notes, fmt.Sprintf("%s有效日数%d天，少于%d天，不评价", Label[k], n, p.MinDays))
			continue
		}
		v := statistic(k, series[k])
		e.Conc[k] = &v
	}
	if e.ValidDays >= p.MinDays {
		s := float64(e.GoodDays) / float64(e.ValidDays)
		e.GoodShare = &s
	} else {
		e.Notes = append(e.Notes, fmt.Sprintf("有效AQI日数%d天，少于%d天，不计优良天数比例", e.ValidDays, p.MinDays))
	}
	if idx, ok := Index(e.Conc); ok {
		e.Index = &idx
	}
	return e
}

// statistic is the period's value of pollutant k from its daily values,
// rounded: the mean; CO's 95th percentile; O3-8h's 90th.
func statistic(k string, xs []float64) float64 {
	switch k {
	case aqi.CO:
		return Round(Percentile(xs, 95), 1)
	case aqi.O38h:
		return Round(Percentile(xs, 90), 0)
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return Round(sum/float64(len(xs)), 0)
}

// Percentile is the p-th percentile of xs by HJ 663-2013 Appendix A:
// sorted ascending X(1)..X(n), k = 1 + (n−1)·p/100, s = ⌊k⌋,
// m = X(s) + (X(s+1) − X(s))·(k − s). NaN for no values.
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	x := append([]float64(nil), xs...)
	sort.Float64s(x)
	k := 1 + float64(len(x)-1)*p/100
	s := int(math.Floor(k))
	if s >= len(x) {
		return x[len(x)-1]
	}
	return x[s-1] + (x[s]-x[s-1])*(k-float64(s))
}

// Index is the comprehensive index Σ C_i/S_i of the six, rounded to two
// decimals; ok is false when one is missing.
func Index(conc map[string]*float64) (float64, bool) {
	sum := 0.0
	for _, k := range Six {
		c := conc[k]
		if c == nil {
			return 0, false
		}
		sum += *c / Limits[k]
	}
	return Round(sum, 2), true
}

// Round rounds x to places decimals, half to even (GB/T 8170 修约). A
// tolerance absorbs binary error: 2.675 is taken as written.
func Round(x float64, places int) float64 {
	f := math.Pow(10, float64(places))
	v := x * f
	t := math.Trunc(v)
	if math.Abs(math.Abs(v-t)-0.5) < 1e-9 { // a half: to the even neighbour
		return math.RoundToEven(t+math.Copysign(0.5, v)) / f
	}
	return math.Round(v) / f
}
