package store_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"skygrid"
	"skygrid/store"
)

// randomAirHours are n SYNTHETIC station hours (made up for the test) of
// two stations over four days, so that a file gives an hour more than
// once: random pollutants given, some published missing, some with an
// AQI and primary pollutant.
func randomAirHours(n int) []*skygrid.AirHour {
	rng := rand.New(rand.NewPCG(17, 3))
	h0 := time.Date(2023, 10, 1, 0, 0, 0, 0, time.UTC)
	var hs []*skygrid.AirHour
	for range n {
		h := &skygrid.AirHour{Station: []string{"S1", "S2"}[rng.IntN(2)], Hour: h0.Add(time.Duration(rng.IntN(96)) * time.Hour), Values: map[string]float64{}}
		for _, p := range skygrid.AirPollutants {
			switch rng.IntN(4) {
			case 0:
				h.Values[p] = float64(rng.IntN(4000)) / 10
			case 1:
				h.Missing = append(h.Missing, p)
			}
		}
		if rng.IntN(2) == 0 {
			aqi := rng.IntN(300)
			h.AQI, h.Primary = &aqi, []string{"PM10", "PM2.5", "-;"}[rng.IntN(3)]
		}
		hs = append(hs, h)
	}
	return hs
}

// IngestAirHours reads the stored hours once and writes in multi-row
// upserts: the same air_hourly and the same counts as a file given an
// hour at a time, on stored hours, with hours the file repeats, across
// the statements' chunk (500 hours).
func TestIngestAirHoursBatchEqualsOneAtATime(t *testing.T) {
	ctx := context.Background()
	one, batch := airDB(t), airDB(t)
	hs := randomAirHours(900)
	ingest := func(db *store.DB, part []*skygrid.AirHour) (int, int) {
		added, updated, err := db.IngestAirHours(ctx, part)
		if err != nil {
			t.Fatal(err)
		}
		return added, updated
	}
	ingest(one, hs[:100])
	ingest(batch, hs[:100])
	var a1, u1, a2, u2 int
	for i := 100; i < len(hs); i++ {
		a, u := ingest(one, hs[i:i+1])
		a1, u1 = a1+a, u1+u
	}
	for _, part := range [][2]int{{100, 101}, {101, 790}, {790, 900}} {
		a, u := ingest(batch, hs[part[0]:part[1]])
		a2, u2 = a2+a, u2+u
	}
	if a1 != a2 || u1 != u2 || a1 == 0 || u1 == 0 {
		t.Errorf("an hour at a time: %d added, %d updated; in files: %d, %d", a1, u1, a2, u2)
	}
	q := `SELECT * FROM air_hourly ORDER BY station, hour`
	want, err := one.DumpForTest(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	got, err := batch.DumpForTest(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 150 || !slices.Equal(got, want) {
		t.Errorf("air_hourly: %d rows an hour at a time, %d in files", len(want), len(got))
		for i := range min(len(want), len(got)) {
			if want[i] != got[i] {
				t.Errorf("first difference:\n%s\n%s", want[i], got[i])
				break
			}
		}
	}
}
