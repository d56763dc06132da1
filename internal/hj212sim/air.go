package hj212sim

import (
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strconv"
	"time"
)

//go:embed data/datong_stations_2018-02-20T07.csv
var dataFS embed.FS

// DatongStations is the embedded hour of Datong's six national stations.
const DatongStations = "data/datong_stations_2018-02-20T07.csv"

// beijing is China Standard Time (UTC+8), the devices' clock.
var beijing = time.FixedZone("CST", 8*3600)

// Air is the city's ambient particulates the sites stand in.
type Air struct {
	// PM10 is the daily mean ambient PM10, µg/m³.
	PM10 float64
	// PM25Ratio is ambient PM2.5 over PM10.
	PM25Ratio float64
}

// DatongAir reads the embedded Datong hour: the level is the mean of the
// stations' 24-hour PM10, the ratio that of their 24-hour PM2.5 over it.
func DatongAir() (Air, error) {
	f, err := dataFS.Open(DatongStations)
	if err != nil {
		return Air{}, err
	}
	defer f.Close()
	return ReadAir(f, DatongStations)
}

// ReadAir reads stations in the layout of data/ (pm10_24h and pm2_5_24h
// columns, `-;` for a missing value) into an Air.
func ReadAir(r io.Reader, name string) (Air, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return Air{}, fmt.Errorf("%s: %w", name, err)
	}
	if len(rows) < 2 {
		return Air{}, fmt.Errorf("%s: no stations", name)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	sums := map[string]float64{}
	for _, key := range []string{"pm10_24h", "pm2_5_24h"} {
		i, ok := col[key]
		if !ok {
			return Air{}, fmt.Errorf("%s: line 1: no column %s", name, key)
		}
		for line, row := range rows[1:] {
			if row[i] == "-;" {
				continue
			}
			v, err := strconv.ParseFloat(row[i], 64)
			if err != nil {
				return Air{}, fmt.Errorf("%s: line %d: %s %q is not a number", name, line+2, key, row[i])
			}
			sums[key] += v
			sums[key+"#"]++
		}
	}
	if sums["pm10_24h#"] == 0 || sums["pm2_5_24h#"] == 0 {
		return Air{}, fmt.Errorf("%s: no station gives pm10_24h and pm2_5_24h", name)
	}
	pm10 := sums["pm10_24h"] / sums["pm10_24h#"]
	return Air{PM10: pm10, PM25Ratio: sums["pm2_5_24h"] / sums["pm2_5_24h#"] / pm10}, nil
}

// Shape is the daily shape of ambient PM10 at Beijing clock hour h
// (0..24): a morning peak near 08:30 (traffic under the night's inversion),
// an evening peak near 21:00 (traffic, heating, the boundary layer
// sinking), a quiet afternoon near 15:00 (mixing), with a mean of about 1
// over the day. The shape is invented: it follows the bimodal pattern
// commonly described for northern Chinese cities in winter, not a fit to
// Datong's data.
func Shape(h float64) float64 {
	return (1 + 0.35*bump(h, 8.5, 1.6) + 0.45*bump(h, 21, 2.2) - 0.35*bump(h, 15, 2.5)) / shapeMean
}

// shapeMean makes Shape's daily mean 1 (the integral of the bumps over a
// day, computed once).
var shapeMean = func() float64 {
	s := 0.0
	for m := 0; m < 24*60; m++ {
		h := float64(m) / 60
		s += 1 + 0.35*bump(h, 8.5, 1.6) + 0.45*bump(h, 21, 2.2) - 0.35*bump(h, 15, 2.5)
	}
	return s / (24 * 60)
}()

// bump is a Gaussian of height 1 around hour mu, wrapping around midnight.
func bump(h, mu, sd float64) float64 {
	d := math.Abs(h - mu)
	d = math.Min(d, 24-d)
	return math.Exp(-d * d / (2 * sd * sd))
}

// clockHour is t's Beijing clock time in hours.
func clockHour(t time.Time) float64 {
	b := t.In(beijing)
	return float64(b.Hour()) + float64(b.Minute())/60 + float64(b.Second())/3600
}

// OpenDatongStations opens the embedded Datong hour (CNEMC's per-station
// layout): the demo imports its six stations from it.
func OpenDatongStations() (fs.File, error) { return dataFS.Open(DatongStations) }
