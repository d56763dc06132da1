package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"skygrid"
	"skygrid/store"
)

// randomReadings are n SYNTHETIC readings (made up for the test) of the
// monitors over three days from t0: minute, real-time, hour and day
// readings at random minutes (so copies of a data time), QNs drawn from a
// small range (so copies of a QN; some with a leading zero, stored as
// text, some with a plus sign, stored as the same integer as without;
// one in eight a copy of an earlier reading's data time and QN),
// values with more digits than hundredths, some flagged.
func randomReadings(ids []int64, n int) []skygrid.Reading {
	rng := rand.New(rand.NewPCG(17, 2))
	kinds := []string{skygrid.ReadingMinute, skygrid.ReadingMinute, skygrid.ReadingRealtime, skygrid.ReadingHour, skygrid.ReadingDay}
	flags := []string{"", "", "", "N", "D", "M"}
	factors := []string{skygrid.FactorPM10, skygrid.FactorPM25, skygrid.FactorTSP, skygrid.FactorTemperature, skygrid.FactorWindSpeed}
	var rs []skygrid.Reading
	for range n {
		r := skygrid.Reading{MonitorID: ids[rng.IntN(len(ids))], Kind: kinds[rng.IntN(len(kinds))], Source: skygrid.SourceHJ212,
			At: t0.Add(time.Duration(rng.IntN(3*24*60)) * time.Minute), Values: map[string]float64{}, Flags: map[string]string{}}
		switch rng.IntN(4) {
		case 1:
			r.QN = fmt.Sprint(20261105000000000 + rng.IntN(400))
		case 2:
			r.QN = fmt.Sprintf("0%d", rng.IntN(200))
		case 3:
			r.QN = fmt.Sprintf("+%d", 20261105000000000+rng.IntN(400))
		}
		for _, f := range factors[:1+rng.IntN(len(factors))] {
			r.Values[f] = rng.Float64() * 500
			if fl := flags[rng.IntN(len(flags))]; fl != "" {
				r.Flags[f] = fl
			}
		}
		if len(rs) > 0 && rng.IntN(8) == 0 { // a copy of an earlier reading's data time and QN, other values
			c := rs[rng.IntN(len(rs))]
			r.MonitorID, r.Kind, r.At, r.QN = c.MonitorID, c.Kind, c.At, c.QN
		}
		rs = append(rs, r)
	}
	return rs
}

// dumpReadings prints the tables StoreReadings writes, in key order.
func dumpReadings(t *testing.T, db *store.DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for name, q := range map[string]string{
		"readings":               `SELECT * FROM readings ORDER BY monitor_id, kind, at`,
		"readings_hourly":        `SELECT * FROM readings_hourly ORDER BY monitor_id, hour, factor, kind`,
		"readings_capture_daily": `SELECT * FROM readings_capture_daily ORDER BY monitor_id, day`,
	} {
		rows, err := db.DumpForTest(context.Background(), q)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = rows
	}
	return out
}

// StoreReadings writes a batch in multi-row statements: the same rows,
// hourly sums to the last bit, daily capture and counts as storing the
// readings one at a time, on stored hours and across the statements'
// chunks (500 readings, 1,000 hours).
func TestStoreReadingsBatchEqualsOneAtATime(t *testing.T) {
	ctx := context.Background()
	one, ids := monitorsDB(t)
	batch, _ := monitorsDB(t)
	rs := randomReadings(ids, 900)
	stored := func(db *store.DB, part []skygrid.Reading) int {
		n, err := db.StoreReadings(ctx, part)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// The first 150 in both, one at a time: hours already stored.
	for i := range 150 {
		stored(one, rs[i:i+1])
		stored(batch, rs[i:i+1])
	}
	nOne, nBatch := 0, 0
	for i := 150; i < len(rs); i++ {
		nOne += stored(one, rs[i:i+1])
	}
	for _, part := range [][2]int{{150, 151}, {151, 158}, {158, 760}, {760, 900}} {
		nBatch += stored(batch, rs[part[0]:part[1]])
	}
	if nOne != nBatch || nOne < 400 || nOne > 740 {
		t.Errorf("stored %d one at a time, %d in batches (of 750: some are copies)", nOne, nBatch)
	}
	a, b := dumpReadings(t, one), dumpReadings(t, batch)
	for name, rows := range a {
		if len(rows) == 0 || !slices.Equal(rows, b[name]) {
			t.Errorf("%s: %d rows one at a time, %d in batches", name, len(rows), len(b[name]))
			for i := range min(len(rows), len(b[name])) {
				if rows[i] != b[name][i] {
					t.Errorf("first difference: %s\n%s", rows[i], b[name][i])
					break
				}
			}
		}
	}
	// Storing the whole batch again stores nothing and changes nothing.
	if n := stored(batch, rs); n != 0 {
		t.Errorf("the batch again: %d stored", n)
	}
	if again := dumpReadings(t, batch); !slices.Equal(again["readings_hourly"], b["readings_hourly"]) {
		t.Errorf("the batch again changed the hourly aggregates")
	}
}
