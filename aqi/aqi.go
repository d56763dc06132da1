package aqi

import (
	"fmt"
	"math"
	"sort"
)

// Grid is Table 1's IAQI column: the index at each breakpoint.
var Grid = [8]int{0, 50, 100, 150, 200, 300, 400, 500}

// A Column is one concentration column of Table 1: its breakpoints, one
// per index of Grid that the column reaches.
type Column struct {
	Name string
	Unit string
	// BP[i] is the concentration at IAQI Grid[i].
	BP []float64
}

// The columns of Table 1 (µg/m³; CO mg/m³).
var (
	SO224h  = Column{"SO2 24h", "µg/m³", []float64{0, 50, 150, 475, 800, 1600, 2100, 2620}}
	SO21h   = Column{"SO2 1h", "µg/m³", []float64{0, 150, 500, 650, 800}} // note (2)
	NO224h  = Column{"NO2 24h", "µg/m³", []float64{0, 40, 80, 180, 280, 565, 750, 940}}
	NO21h   = Column{"NO2 1h", "µg/m³", []float64{0, 100, 200, 700, 1200, 2340, 3090, 3840}}
	PM1024h = Column{"PM10 24h", "µg/m³", []float64{0, 50, 150, 250, 350, 420, 500, 600}}
	CO24h   = Column{"CO 24h", "mg/m³", []float64{0, 2, 4, 14, 24, 36, 48, 60}}
	CO1h    = Column{"CO 1h", "mg/m³", []float64{0, 5, 10, 35, 60, 90, 120, 150}}
	O31h    = Column{"O3 1h", "µg/m³", []float64{0, 160, 200, 300, 400, 800, 1000, 1200}}
	O38hCol = Column{"O3 8h", "µg/m³", []float64{0, 100, 160, 215, 265, 800}} // note (3)
	PM2524h = Column{"PM2.5 24h", "µg/m³", []float64{0, 35, 75, 115, 150, 250, 350, 500}}
)

// Columns lists every column of Table 1.
var Columns = []Column{SO224h, SO21h, NO224h, NO21h, PM1024h, CO24h, CO1h, O31h, O38hCol, PM2524h}

// Full reports whether the column reaches IAQI 500; SO2 1h and O3 8h stop
// at 800 µg/m³ (Table 1 notes (2) and (3)).
func (c Column) Full() bool { return len(c.BP) == len(Grid) }

// IAQI is the index of concentration conc in column c by formula (1),
// rounded up. ok is false when the column gives no index: a negative or
// NaN concentration, or one above the end of a short column (SO2 1h or
// O3 8h above 800: the caller applies the note). Above a full column it
// returns 500 with above set.
func (c Column) IAQI(conc float64) (iaqi int, above, ok bool) {
	if math.IsNaN(conc) || conc < 0 {
		return 0, false, false
	}
	for i := 1; i < len(c.BP); i++ {
		if conc <= c.BP[i] {
			lo, hi := c.BP[i-1], c.BP[i]
			v := float64(Grid[i]-Grid[i-1])*(conc-lo)/(hi-lo) + float64(Grid[i-1])
			return int(math.Ceil(v - 1e-9)), false, true
		}
	}
	if !c.Full() {
		return 0, false, false
	}
	return Grid[len(Grid)-1], true, true
}

// Pollutant keys of the concentrations given to Hourly and Daily.
const (
	SO2    = "so2"
	SO2Day = "so2_24h" // the 24-hour mean, for note (2) in Hourly
	NO2    = "no2"
	CO     = "co"
	O3     = "o3"
	O38h   = "o3_8h"
	PM10   = "pm10"
	PM25   = "pm25"
)

// Names are the pollutants' names as CNEMC publishes the primary pollutant.
var Names = map[string]string{
	SO2: "二氧化硫", NO2: "二氧化氮", CO: "一氧化碳", O3: "臭氧1小时",
	O38h: "臭氧8小时", PM10: "颗粒物(PM10)", PM25: "细颗粒物(PM2.5)",
}

// Result is an AQI with what it came from.
type Result struct {
	AQI   int   `json:"aqi"`
	Level Level `json:"level"`
	// IAQI per pollutant key (those given and computable).
	IAQI map[string]int `json:"iaqi"`
	// Primary pollutant keys (AQI > 50), sorted; empty otherwise.
	Primary []string `json:"primary,omitempty"`
	// Exceeding pollutant keys (IAQI > 100), sorted.
	Exceeding []string `json:"exceeding,omitempty"`
	// Above names pollutants whose concentration is above Table 1.
	Above []string `json:"above,omitempty"`
}

// Concentrations by pollutant key; a missing pollutant is absent.
type Concentrations map[string]float64

// Hourly is the real-time hourly AQI as CNEMC publishes it: SO2, NO2, CO
// and O3 by their 1-hour columns, the O3 8-hour moving mean by its column,
// PM10 and PM2.5 hourly concentrations by the 24-hour PM columns. SO2
// above 800 takes the IAQI of c[SO2Day] (note (2)); O3 8h above 800 takes
// the O3 1-hour IAQI (note (3)). An error when no pollutant gives an IAQI.
func Hourly(c Concentrations) (Result, error) {
	return compute(c, map[string]Column{SO2: SO21h, NO2: NO21h, CO: CO1h, O3: O31h, O38h: O38hCol,
		PM10: PM1024h, PM25: PM2524h})
}

// Daily is the daily AQI: SO2, NO2, CO, PM10 and PM2.5 24-hour means by the
// 24-hour columns, c[O3] the day's largest 1-hour mean and c[O38h] its
// largest 8-hour moving mean (O3 8h above 800 takes the O3 1-hour IAQI).
func Daily(c Concentrations) (Result, error) {
	return compute(c, map[string]Column{SO2: SO224h, NO2: NO224h, CO: CO24h, O3: O31h, O38h: O38hCol,
		PM10: PM1024h, PM25: PM2524h})
}

func compute(c Concentrations, cols map[string]Column) (Result, error) {
	r := Result{IAQI: map[string]int{}}
	for key, col := range cols {
		conc, given := c[key]
		if !given {
			continue
		}
		v, above, ok := col.IAQI(conc)
		if !ok {
			v, above, ok = noted(c, key, conc)
		}
		if !ok {
			continue
		}
		r.IAQI[key] = v
		if above {
			r.Above = append(r.Above, key)
		}
	}
	if len(r.IAQI) == 0 {
		return r, fmt.Errorf("no pollutant gives an IAQI")
	}
	for _, v := range r.IAQI {
		r.AQI = max(r.AQI, v)
	}
	for key, v := range r.IAQI {
		if r.AQI > 50 && v == r.AQI {
			r.Primary = append(r.Primary, key)
		}
		if v > 100 {
			r.Exceeding = append(r.Exceeding, key)
		}
	}
	sort.Strings(r.Primary)
	sort.Strings(r.Exceeding)
	sort.Strings(r.Above)
	r.Level = LevelOf(r.AQI)
	return r, nil
}

// noted applies Table 1's notes (2) and (3) to a concentration past the
// end of a short column.
func noted(c Concentrations, key string, conc float64) (int, bool, bool) {
	switch {
	case key == SO2 && conc > 800:
		if day, ok := c[SO2Day]; ok {
			return SO224h.IAQI(day)
		}
	case key == O38h && conc > 800:
		if hour, ok := c[O3]; ok {
			return O31h.IAQI(hour)
		}
	}
	return 0, false, false
}
