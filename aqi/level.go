package aqi

// Level is a row of Table 2 with its colour from Appendix A.
type Level struct {
	// Grade is 1 (一级) to 6 (六级); 0 for no value.
	Grade  int    `json:"grade"`
	Name   string `json:"name"`
	Colour string `json:"colour"`
	// Max is the largest AQI of the level (0 for the open sixth).
	Max int `json:"-"`
}

// Levels are Table 2's six levels in order.
var Levels = []Level{
	{1, "优", "#00e400", 50},
	{2, "良", "#ffff00", 100},
	{3, "轻度污染", "#ff7e00", 150},
	{4, "中度污染", "#ff0000", 200},
	{5, "重度污染", "#99004c", 300},
	{6, "严重污染", "#7e0023", 0},
}

// LevelOf is the level of an AQI (or of one IAQI).
func LevelOf(aqi int) Level {
	for _, l := range Levels[:len(Levels)-1] {
		if aqi <= l.Max {
			return l
		}
	}
	return Levels[len(Levels)-1]
}

// PM10Level is the level and colour of a PM10 concentration (µg/m³) by the
// 24-hour PM10 column, applied to hourly values as CNEMC's real-time AQI
// does: the colour of the monitors map layer. ok is false for a negative
// or NaN concentration.
func PM10Level(ugm3 float64) (l Level, ok bool) {
	v, _, ok := PM1024h.IAQI(ugm3)
	if !ok {
		return Level{}, false
	}
	return LevelOf(v), true
}
