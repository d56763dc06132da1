package store_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"skygrid"
	"skygrid/store"
)

// monitorsDB holds the sites of sitesDB and two monitors: M1 on site
// x-west-1 by reference, M2 inside x-east-1's polygon without one.
func monitorsDB(t *testing.T) (*store.DB, []int64) {
	t.Helper()
	db, sites := sitesDB(t)
	ms := []skygrid.MonitorImport{
		{Monitor: skygrid.Monitor{MN: "M1", Password: "pw", Name: "一号（示例）", Kind: skygrid.MonitorDust, Lon: 113.05, Lat: 40}, SiteRef: "x-west-1", Where: "line 2"},
		{Monitor: skygrid.Monitor{MN: "M2", Name: "二号（示例）", Kind: skygrid.MonitorDust, Lon: 113.1502, Lat: 40.0003}, Where: "line 3"},
	}
	n, err := db.ImportMonitors(context.Background(), ms)
	if err != nil || n != 2 {
		t.Fatalf("import monitors: %d, %v", n, err)
	}
	if ms[0].SiteID == nil || *ms[0].SiteID != sites["x-west-1"] || ms[1].SiteID == nil || *ms[1].SiteID != sites["x-east-1"] {
		t.Fatalf("sites: %v %v, want %d %d", ms[0].SiteID, ms[1].SiteID, sites["x-west-1"], sites["x-east-1"])
	}
	return db, []int64{ms[0].ID, ms[1].ID}
}

var t0 = time.Date(2026, 11, 5, 6, 0, 0, 0, time.UTC)

func minute(id int64, at time.Time, qn string, pm10 float64, flag string) skygrid.Reading {
	r := skygrid.Reading{MonitorID: id, At: at, Kind: skygrid.ReadingMinute, QN: qn, Source: skygrid.SourceHJ212,
		Values: map[string]float64{skygrid.FactorPM10: pm10, skygrid.FactorTSP: 2 * pm10}}
	if flag != "" {
		r.Flags = map[string]string{skygrid.FactorPM10: flag}
	}
	return r
}

func TestStoreReadingsDedupe(t *testing.T) {
	for _, tc := range []struct {
		name       string
		batches    [][]skygrid.Reading
		wantStored []int
		wantPM10   []float64 // the minute series, in time order
	}{
		{"same data time, later copy ignored", [][]skygrid.Reading{
			{minute(1, t0, "20261105140000001", 50, "")},
			{minute(1, t0, "20261105140000999", 70, "")},
		}, []int{1, 0}, []float64{50}},
		{"same QN, other data time ignored", [][]skygrid.Reading{
			{minute(1, t0, "20261105140000001", 50, "")},
			{minute(1, t0.Add(time.Minute), "20261105140000001", 70, "")},
		}, []int{1, 0}, []float64{50}},
		{"duplicate within one batch", [][]skygrid.Reading{
			{minute(1, t0, "", 50, ""), minute(1, t0, "", 60, ""), minute(1, t0.Add(time.Minute), "", 80, "")},
		}, []int{2}, []float64{50, 80}},
		{"no QN: only data time counts", [][]skygrid.Reading{
			{minute(1, t0, "", 50, ""), minute(1, t0.Add(time.Minute), "", 60, "")},
		}, []int{2}, []float64{50, 60}},
		{"QN with a leading zero kept as text", [][]skygrid.Reading{
			{minute(1, t0, "0123", 50, ""), minute(1, t0.Add(time.Minute), "123", 60, "")},
		}, []int{2}, []float64{50, 60}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, ids := monitorsDB(t)
			ctx := context.Background()
			for i, b := range tc.batches {
				for j := range b {
					b[j].MonitorID = ids[0]
				}
				n, err := db.StoreReadings(ctx, b)
				if err != nil || n != tc.wantStored[i] {
					t.Fatalf("batch %d: stored %d, %v; want %d", i, n, err, tc.wantStored[i])
				}
			}
			series, err := db.ReadingSeries(ctx, ids[0], t0, t0.Add(time.Hour), skygrid.ResMinute)
			if err != nil {
				t.Fatal(err)
			}
			var got []float64
			for _, p := range series {
				got = append(got, p.Values[skygrid.FactorPM10])
			}
			if !equalFloats(got, tc.wantPM10) {
				t.Fatalf("pm10 %v, want %v", got, tc.wantPM10)
			}
		})
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-9 {
			return false
		}
	}
	return true
}

func TestHourlyAggregatesExcludeFlagged(t *testing.T) {
	db, ids := monitorsDB(t)
	ctx := context.Background()
	rs := []skygrid.Reading{
		minute(ids[0], t0, "", 40, "N"),
		minute(ids[0], t0.Add(time.Minute), "", 60, ""),
		minute(ids[0], t0.Add(2*time.Minute), "", 900, "D"), // fault: counted in all, not in the mean
		minute(ids[0], t0.Add(3*time.Minute), "", 80, ""),
		minute(ids[0], t0.Add(3*time.Minute), "", 10, ""),   // duplicate: not counted at all
		minute(ids[0], t0.Add(61*time.Minute), "", 10, "M"), // next hour: only flagged
	}
	if _, err := db.StoreReadings(ctx, rs); err != nil {
		t.Fatal(err)
	}
	series, err := db.ReadingSeries(ctx, ids[0], t0, t0.Add(2*time.Hour), skygrid.ResHour)
	if err != nil {
		t.Fatal(err)
	}
	if len(series) != 2 {
		t.Fatalf("%d hours, want 2: %+v", len(series), series)
	}
	h := series[0]
	pm := skygrid.FactorPM10
	if h.Values[pm] != 60 || h.N[pm] != 3 || h.All[pm] != 4 || h.Min[pm] != 40 || h.Max[pm] != 80 {
		t.Errorf("hour 1 pm10: mean %v n %d all %d min %v max %v; want 60 3 4 40 80", h.Values[pm], h.N[pm], h.All[pm], h.Min[pm], h.Max[pm])
	}
	if tsp := h.Values[skygrid.FactorTSP]; tsp != (80+120+1800+160)/4.0 || h.N[skygrid.FactorTSP] != 4 {
		t.Errorf("hour 1 tsp: mean %v n %d; want 540 4 (its flags are N)", tsp, h.N[skygrid.FactorTSP])
	}
	if _, ok := series[1].Values[pm]; ok || series[1].All[pm] != 1 || series[1].N[pm] != 0 {
		t.Errorf("hour 2 pm10: %+v; want no mean, 1 value, 0 valid", series[1])
	}
	db.Now = func() time.Time { return t0.Add(2 * time.Hour) } // the list's latest is at most the clock's
	list, err := db.ListMonitors(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := list[0]; m.MN != "M1" || m.PM10 == nil || *m.PM10 != 60 || !m.PM10Hour.Equal(t0) || !m.LastAt.Equal(t0.Add(61*time.Minute)) || m.SiteName != "x-west-1（示例）" {
		t.Errorf("list: %+v; want M1 pm10 60 at %v, last at %v", m, t0, t0.Add(61*time.Minute))
	}
}

func TestStoreReadingsFailedBatchStoresNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		bad  func(r *skygrid.Reading)
	}{
		{"unknown monitor", func(r *skygrid.Reading) { r.MonitorID = 999 }},
		{"unknown factor", func(r *skygrid.Reading) { r.Values["so2"] = 1 }},
		{"unknown kind", func(r *skygrid.Reading) { r.Kind = "week" }},
		{"not a number", func(r *skygrid.Reading) { r.Values[skygrid.FactorPM10] = math.NaN() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, ids := monitorsDB(t)
			ctx := context.Background()
			rs := []skygrid.Reading{minute(ids[0], t0, "", 50, ""), minute(ids[0], t0.Add(time.Minute), "", 50, "")}
			tc.bad(&rs[1])
			n, err := db.StoreReadings(ctx, rs)
			var se *skygrid.Error
			if err == nil || !errors.As(err, &se) || se.Code != skygrid.EINVALID {
				t.Fatalf("stored %d, err %v; want EINVALID", n, err)
			}
			for _, res := range []string{skygrid.ResMinute, skygrid.ResHour} {
				if s, err := db.ReadingSeries(ctx, ids[0], t0, t0.Add(time.Hour), res); err != nil || len(s) != 0 {
					t.Errorf("%s series %v, %v; want nothing stored", res, s, err)
				}
			}
		})
	}
}

func TestPruneReadingsKeepsHourly(t *testing.T) {
	db, ids := monitorsDB(t)
	ctx := context.Background()
	var rs []skygrid.Reading
	for i := range 150 {
		rs = append(rs, minute(ids[1], t0.Add(time.Duration(i)*time.Minute), "", float64(i), ""))
	}
	hour := skygrid.Reading{MonitorID: ids[1], At: t0, Kind: skygrid.ReadingHour, Source: skygrid.SourceHJ212, Values: map[string]float64{skygrid.FactorPM10: 7}}
	if _, err := db.StoreReadings(ctx, append(rs, hour)); err != nil {
		t.Fatal(err)
	}
	n, err := db.PruneReadings(ctx, t0.Add(2*time.Hour))
	if err != nil || n != 120 {
		t.Fatalf("pruned %d, %v; want 120", n, err)
	}
	left, err := db.ReadingSeries(ctx, ids[1], t0, t0.Add(3*time.Hour), skygrid.ResMinute)
	if err != nil || len(left) != 30 || !left[0].At.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("left %d minutes (%v); want 30 from %v", len(left), err, t0.Add(2*time.Hour))
	}
	hours, err := db.ReadingSeries(ctx, ids[1], t0, t0.Add(3*time.Hour), skygrid.ResHour)
	if err != nil || len(hours) != 3 || hours[0].Values[skygrid.FactorPM10] != 29.5 || hours[0].Kind != skygrid.ReadingMinute {
		t.Fatalf("hours %+v, %v; want 3 kept, the first a minute mean 29.5", hours, err)
	}
}

func TestReadingSeriesBounds(t *testing.T) {
	db, ids := monitorsDB(t)
	for _, tc := range []struct {
		name string
		span time.Duration
		res  string
		ok   bool
	}{
		{"2 days of minutes", 48 * time.Hour, skygrid.ResMinute, true},
		{"more than 2 days of minutes", 49 * time.Hour, skygrid.ResMinute, false},
		{"400 days of hours", 400 * 24 * time.Hour, skygrid.ResHour, true},
		{"401 days of hours", 401 * 24 * time.Hour, skygrid.ResHour, false},
		{"unknown res", time.Hour, "week", false},
		{"empty span", 0, skygrid.ResHour, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.ReadingSeries(context.Background(), ids[0], t0, t0.Add(tc.span), tc.res)
			if (err == nil) != tc.ok {
				t.Fatalf("err %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestMonitorsAndRejects(t *testing.T) {
	db, ids := monitorsDB(t)
	ctx := context.Background()
	if _, err := db.MonitorByMN(ctx, "nope"); skygrid.ErrorCode(err) != skygrid.ENOTFOUND {
		t.Errorf("unknown MN: %v, want not found", err)
	}
	if m, err := db.MonitorByMN(ctx, "M1"); err != nil || m.ID != ids[0] || m.Password != "pw" {
		t.Errorf("M1: %+v, %v", m, err)
	}
	if _, err := db.Monitor(ctx, 999); skygrid.ErrorCode(err) != skygrid.ENOTFOUND {
		t.Errorf("unknown id: %v, want not found", err)
	}
	bad := []skygrid.MonitorImport{{Monitor: skygrid.Monitor{MN: "M3", Name: "x", Kind: "dust", Lon: 113, Lat: 40}, SiteRef: "nope", Where: "line 7"}}
	if _, err := db.ImportMonitors(ctx, bad); skygrid.ErrorCode(err) != skygrid.EINVALID {
		t.Errorf("unknown site: %v, want invalid naming line 7", err)
	}
	for _, r := range []skygrid.PacketReject{{MN: "A", Reason: "crc"}, {MN: "B", Reason: "wrong pw"}, {MN: "A", Reason: "unknown mn", Packet: string(make([]byte, 400))}} {
		if err := db.RejectPacket(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	list, counts, err := db.PacketRejects(ctx, 2)
	if err != nil || len(list) != 2 || list[0].Reason != "unknown mn" || len(list[0].Packet) != 256 {
		t.Fatalf("rejects %+v, %v", list, err)
	}
	if len(counts) != 2 || counts[0].MN != "A" || counts[0].Count != 2 || counts[1].Count != 1 {
		t.Fatalf("counts %+v", counts)
	}
}

// monitorsAndStationDB is monitorsDB with an air-quality station too
// (S1), which the dust checks leave out.
func monitorsAndStationDB(t *testing.T) (*store.DB, []int64, int64) {
	t.Helper()
	db, ids := monitorsDB(t)
	station := []skygrid.MonitorImport{{Monitor: skygrid.Monitor{MN: "S1", Name: "站（示例）", Kind: skygrid.MonitorStation, Lon: 113.3, Lat: 40.1}, Where: "line 4"}}
	if _, err := db.ImportMonitors(context.Background(), station); err != nil {
		t.Fatal(err)
	}
	return db, ids, station[0].ID
}

// LastHeard gives, in one statement, what Latest of any kind gives monitor
// by monitor: the received time of the latest reading with a data time
// before the given one (a later kind loses a tie, a reading ahead of the
// time is not counted); only dust monitors, and only those heard.
func TestLastHeard(t *testing.T) {
	db, ids, station := monitorsAndStationDB(t)
	ctx := context.Background()
	at := func(id int64, kind string, data, received time.Duration) skygrid.Reading {
		r := minute(id, t0.Add(data), "", 50, "")
		r.Kind, r.ReceivedAt = kind, t0.Add(received)
		return r
	}
	rs := []skygrid.Reading{
		at(ids[0], skygrid.ReadingMinute, 0, 5*time.Second),
		at(ids[0], skygrid.ReadingRealtime, 2*time.Minute, 2*time.Minute+time.Second),
		at(ids[0], skygrid.ReadingHour, time.Hour, time.Hour), // ahead of before
		at(ids[1], skygrid.ReadingMinute, 0, 10*time.Second),
		at(ids[1], skygrid.ReadingRealtime, 0, 20*time.Second), // a tie: the real-time reading is Latest's
		at(ids[1], skygrid.ReadingDay, -24*time.Hour, -23*time.Hour),
		at(station, skygrid.ReadingHour, 0, time.Minute),
	}
	if _, err := db.StoreReadings(ctx, rs); err != nil {
		t.Fatal(err)
	}
	before := t0.Add(30 * time.Minute)
	heard, err := db.LastHeard(ctx, before)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]time.Time{ids[0]: t0.Add(2*time.Minute + time.Second), ids[1]: t0.Add(20 * time.Second)}
	if len(heard) != len(want) || !heard[ids[0]].Equal(want[ids[0]]) || !heard[ids[1]].Equal(want[ids[1]]) {
		t.Errorf("last heard %v, want %v", heard, want)
	}
	for _, id := range ids {
		r, ok, err := db.Latest(ctx, id, "", before)
		if err != nil || !ok || !r.ReceivedAt.Equal(heard[id]) {
			t.Errorf("monitor %d: Latest %v %v %v, LastHeard %v", id, r.ReceivedAt, ok, err, heard[id])
		}
	}
	if heard, err = db.LastHeard(ctx, t0.Add(-48*time.Hour)); err != nil || len(heard) != 0 {
		t.Errorf("before any reading: %v %v, want none", heard, err)
	}
}

// ValidCounts counts from the hourly aggregates what the readings hold:
// per dust monitor, the readings of the kind in [from, to) with a valid
// value of the factor (a flagged value, another kind, a copy of a stored
// reading, an hour outside are not counted); a dust monitor without any
// has 0, a station is left out; from and to must be whole hours.
func TestValidCounts(t *testing.T) {
	db, ids, station := monitorsAndStationDB(t)
	ctx := context.Background()
	from, to := t0, t0.Add(3*time.Hour)
	var rs []skygrid.Reading
	for i := -30; i < 200; i += 7 { // from half an hour before to past the end
		flag := ""
		if i%3 == 0 {
			flag = "D"
		}
		rs = append(rs, minute(ids[0], t0.Add(time.Duration(i)*time.Minute), "", 50, flag))
	}
	rtd := minute(ids[0], t0.Add(time.Minute), "", 50, "")
	rtd.Kind = skygrid.ReadingRealtime
	rs = append(rs, rtd, minute(station, t0, "", 50, ""))
	if _, err := db.StoreReadings(ctx, rs); err != nil {
		t.Fatal(err)
	}
	if _, err := db.StoreReadings(ctx, rs[5:6]); err != nil { // a copy: not stored again
		t.Fatal(err)
	}
	stored, err := db.Readings(ctx, ids[0], from, to)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, r := range stored {
		if r.Kind == skygrid.ReadingMinute && r.Valid(skygrid.FactorPM10) {
			want++
		}
	}
	got, err := db.ValidCounts(ctx, skygrid.ReadingMinute, skygrid.FactorPM10, from, to)
	if err != nil || len(got) != 2 || got[ids[0]] != want || want == 0 || got[ids[1]] != 0 {
		t.Errorf("valid counts %v %v; want %d for monitor %d, 0 for %d, no station", got, err, want, ids[0], ids[1])
	}
	if _, err := db.ValidCounts(ctx, skygrid.ReadingMinute, skygrid.FactorPM10, from.Add(time.Minute), to); err == nil {
		t.Error("a period not on whole hours: no error")
	}
}
