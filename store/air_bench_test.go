package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"skygrid"
)

// BenchmarkAirYear: a year of hours of 60 stations (the four of airDB and
// 56 more, 示例 values), then a county's 31-day ambient series (the API's
// longest) and the stations' latest hours.
func BenchmarkAirYear(b *testing.B) {
	db := airDB(b)
	ctx := context.Background()
	var stations []*skygrid.AirStation
	for i := 0; i < 56; i++ {
		stations = append(stations, &skygrid.AirStation{Code: fmt.Sprintf("B%02d", i), Name: "示例站",
			Lon: 112 + float64(i%8)*0.3, Lat: 37.5 + float64(i/8)*0.4})
	}
	if _, err := db.ImportAirStations(ctx, stations); err != nil {
		b.Fatal(err)
	}
	codes := []string{"S1", "S2", "X1", "1081A"}
	for _, s := range stations {
		codes = append(codes, s.Code)
	}
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	for day := 0; day < 365; day++ {
		var hours []*skygrid.AirHour
		for h := 0; h < 24; h++ {
			at := start.Add(time.Duration(day*24+h) * time.Hour)
			for i, c := range codes {
				hours = append(hours, airHour(c, at, float64(30+(i*7+h*3+day)%120)))
			}
		}
		if _, _, err := db.IngestAirHours(ctx, hours); err != nil {
			b.Fatal(err)
		}
	}
	from := start.Add(200 * 24 * time.Hour)
	b.Run("ambient 31 days", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			as, err := db.AmbientPM10(ctx, "140214", from, from.Add(31*24*time.Hour), 30)
			if err != nil || len(as) != 31*24 {
				b.Fatal(len(as), err)
			}
		}
	})
	b.Run("latest hours", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			ss, err := db.FindAirStations(ctx)
			if err != nil || len(ss) != 60 || ss[0].Latest == nil {
				b.Fatal(len(ss), err)
			}
		}
	})
}
