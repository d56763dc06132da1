package receiver

import (
	"strconv"
	"time"

	"skygrid"
	"skygrid/hj212"
)

// kinds maps the data commands to reading kinds.
var kinds = map[string]string{
	hj212.CNRealtime: skygrid.ReadingRealtime,
	hj212.CNMinute:   skygrid.ReadingMinute,
	hj212.CNHour:     skygrid.ReadingHour,
	hj212.CNDay:      skygrid.ReadingDay,
}

// factors maps hj212's factors to the keys of Reading.Values. The gases of
// air-quality stations have no Factor* constant (nor a column) yet and
// keep lower-case names; a code hj212 does not know is kept under the code
// as sent. Neither is storable: both are left out and logged.
var factors = map[hj212.Factor]string{
	hj212.TSP: skygrid.FactorTSP, hj212.PM10: skygrid.FactorPM10, hj212.PM25: skygrid.FactorPM25,
	hj212.Temperature: skygrid.FactorTemperature, hj212.Humidity: skygrid.FactorHumidity,
	hj212.Pressure: skygrid.FactorPressure, hj212.WindSpeed: skygrid.FactorWindSpeed,
	hj212.WindDir: skygrid.FactorWindDir, hj212.Noise: skygrid.FactorNoise,
	hj212.SO2: "so2", hj212.NO2: "no2", hj212.CO: "co", hj212.O3: "o3",
}

// storable are the factors the store keeps (a column each): another
// factor of a packet is left out, and named in the refused-packets log.
var storable = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range skygrid.Factors {
		m[f] = true
	}
	return m
}()

// particulates are stored in µg/m³ whatever unit their code declares.
var particulates = map[hj212.Factor]bool{hj212.TSP: true, hj212.PM10: true, hj212.PM25: true}

// readings turns a data packet into the reading it carries (none when it
// carries no value: a heartbeat), and the codes of the factors it left
// out (not storable).
func readings(p hj212.Packet, m skygrid.Monitor, received time.Time) (rs []skygrid.Reading, left []string) {
	r := skygrid.Reading{MonitorID: m.ID, Kind: kinds[p.CN], Values: map[string]float64{},
		QN: p.QN, Source: skygrid.SourceHJ212, ReceivedAt: received, At: dataTime(p, received)}
	if p.Split() {
		// each part of a split message is its own reading under the same QN
		r.QN += "-" + strconv.Itoa(p.PNO)
	}
	for _, d := range p.Deviations {
		r.Deviations = append(r.Deviations, string(d))
	}
	for _, x := range p.CP.Readings {
		v := x.Avg
		if r.Kind == skygrid.ReadingRealtime || v == nil {
			v = x.Rtd
		}
		if v == nil {
			continue
		}
		key, val := factorKey(x), *v
		if !storable[key] {
			left = append(left, x.Code)
			continue
		}
		if particulates[x.Factor] {
			val, _ = hj212.Microgram(val, x.Unit)
		}
		r.Values[key] = val
		if x.Flag != "" {
			if r.Flags == nil {
				r.Flags = map[string]string{}
			}
			r.Flags[key] = x.Flag
		}
	}
	if len(r.Values) == 0 {
		return nil, left
	}
	return []skygrid.Reading{r}, left
}

func factorKey(x hj212.Reading) string {
	if k, ok := factors[x.Factor]; ok {
		return k
	}
	return x.Code
}

// dataTime is the packet's DataTime, else its QN, else when it arrived.
func dataTime(p hj212.Packet, received time.Time) time.Time {
	switch {
	case p.CP.HasDataTime:
		return p.CP.DataTime
	case p.HasQN:
		return p.QNTime
	}
	return received
}
