package tiles

import "time"

// The monitors layer (扬尘监测) is coloured by each monitor's latest
// hourly PM10 with HJ 633-2012's six air-quality levels, on the 24-hour
// PM10 breakpoints (the real-time hourly AQI applies them to hourly
// concentrations). This is the one place of those numbers here: point it
// at package aqi once that holds the HJ 633 tables.

// pm10Breakpoints are the upper PM10 bounds (µg/m³) of levels 1 to 5:
// 优, 良, 轻度, 中度, 重度 污染; above the last is 严重污染.
var pm10Breakpoints = []float64{50, 150, 250, 350, 420}

// LevelColours are HJ 633-2012's colours of levels 1 to 6; index 0 is
// the grey of a monitor with no recent reading.
var LevelColours = []string{"#9ca3af", "#00e400", "#ffff00", "#ff7e00", "#ff0000", "#99004c", "#7e0023"}

// MonitorStale: a monitor whose latest hourly PM10 ended longer ago than
// this is drawn grey.
const MonitorStale = 2 * time.Hour

// PM10Level is the level (1 to 6) of an hourly PM10 that started at hour,
// or 0 when there is none or it ended more than MonitorStale before now.
func PM10Level(pm10 *float64, hour, now time.Time) int {
	if pm10 == nil || now.Sub(hour.Add(time.Hour)) > MonitorStale {
		return 0
	}
	for i, bp := range pm10Breakpoints {
		if *pm10 <= bp {
			return i + 1
		}
	}
	return len(pm10Breakpoints) + 1
}
