package tiles

import (
	"time"

	"skygrid/aqi"
)

// The monitors layer (扬尘监测) is coloured by each monitor's latest
// hourly PM10 with HJ 633-2012's six air-quality levels (aqi.PM10Level:
// the 24-hour PM10 breakpoints applied to hourly concentrations, as the
// real-time hourly AQI does).

// LevelColours are HJ 633-2012's colours of levels 1 to 6 (aqi.Levels);
// index 0 is the grey of a monitor with no recent reading.
var LevelColours = levelColours()

func levelColours() []string {
	c := []string{"#9ca3af"}
	for _, l := range aqi.Levels {
		c = append(c, l.Colour)
	}
	return c
}

// MonitorStale: a monitor whose latest hourly PM10 ended longer ago than
// this is drawn grey.
const MonitorStale = 2 * time.Hour

// PM10Level is the level (1 to 6) of an hourly PM10 that started at hour,
// or 0 when there is none or it ended more than MonitorStale before now.
func PM10Level(pm10 *float64, hour, now time.Time) int {
	if pm10 == nil || now.Sub(hour.Add(time.Hour)) > MonitorStale {
		return 0
	}
	l, ok := aqi.PM10Level(*pm10)
	if !ok {
		return 0
	}
	return l.Grade
}
