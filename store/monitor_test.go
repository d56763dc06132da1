package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/store"
)

// A refused packet is logged whatever bytes came off the wire: NUL bytes
// and bytes that are not UTF-8 (PostgreSQL's TEXT refuses both, and the
// log line was lost there) are kept as \xNN, the packet's text is at most
// 256 bytes, and a character is never cut in two.
func TestRejectPacketKeepsAnyBytes(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name           string
		in             skygrid.PacketReject
		mn, packet     string
		detail, remote string
	}{
		{"NUL bytes", skygrid.PacketReject{MN: "A", Reason: "crc", Packet: string(make([]byte, 400))},
			"A", strings.Repeat(`\x00`, 64), "", ""},
		{"not UTF-8", skygrid.PacketReject{MN: "M\xff1", Reason: "crc", Detail: "got \xfe\x00", Remote: "127.0.0.1:9",
			Packet: "##0101QN=\xc3(;CN=2011&&"}, `M\xff1`, `##0101QN=\xc3(;CN=2011&&`, `got \xfe\x00`, "127.0.0.1:9"},
		{"a character across the bound", skygrid.PacketReject{MN: "B", Reason: "length", Packet: strings.Repeat("a", 255) + "监测"},
			"B", strings.Repeat("a", 255), "", ""},
		{"an escape across the bound", skygrid.PacketReject{MN: "C", Reason: "length", Packet: strings.Repeat("a", 254) + "\x00b"},
			"C", strings.Repeat("a", 254), "", ""},
		{"text as it is", skygrid.PacketReject{MN: "D", Reason: "unknown mn", Packet: `##0101QN=1;ST=22;CN=2011;PW=\x;MN=监测1&&`},
			"D", `##0101QN=1;ST=22;CN=2011;PW=\x;MN=监测1&&`, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := db.RejectPacket(ctx, tt.in); err != nil {
				t.Fatal(err)
			}
			list, _, err := db.PacketRejects(ctx, 1)
			if err != nil || len(list) != 1 {
				t.Fatalf("rejects %+v, %v", list, err)
			}
			got := list[0]
			if got.MN != tt.mn || got.Packet != tt.packet || got.Detail != tt.detail || got.Remote != tt.remote || got.Reason != tt.in.Reason {
				t.Errorf("got mn %q packet %q detail %q remote %q reason %q,\nwant mn %q packet %q detail %q remote %q", got.MN, got.Packet,
					got.Detail, got.Remote, got.Reason, tt.mn, tt.packet, tt.detail, tt.remote)
			}
			if len(got.Packet) > 256 {
				t.Errorf("packet of %d bytes kept, want at most 256", len(got.Packet))
			}
		})
	}
}

// importSitesForMonitors stores the sites TestImportMonitorsPlaces puts
// monitors on: a stockpile stored before a construction site on the same
// spot and under the same id, and a site with a hole.
func importSitesForMonitors(t *testing.T, db *store.DB) map[string]int64 {
	t.Helper()
	hole := square(113.5, 40, 0.01)
	hole[0] = append(hole[0], square(113.5, 40, 0.002)[0][0].Clone())
	sites := []*skygrid.Site{
		{Kind: skygrid.SiteStockpile, ExternalID: "same", Name: "堆场（示例）", Geometry: square(113.1, 40, 0.01)},
		{Kind: skygrid.SiteConstruction, ExternalID: "same", Name: "工地（示例）", Geometry: square(113.1, 40, 0.01)},
		{Kind: skygrid.SiteConstruction, ExternalID: "holed", Name: "有洞的工地（示例）", Geometry: hole},
	}
	if _, err := db.ImportSites(context.Background(), sites, nil); err != nil {
		t.Fatal(err)
	}
	return map[string]int64{"stockpile": sites[0].ID, "construction": sites[1].ID, "holed": sites[2].ID}
}

// ImportMonitors places each monitor as the rules say, the same in a file
// of any length (more rows than one statement takes): by its reference a
// construction site before a stockpile of the same id, by its position
// the first of overlapping sites by kind and id, none in a site's hole or
// outside every site; a known device number is updated, not counted new;
// and a device number twice in one file is refused naming both lines,
// nothing of the file stored.
func TestImportMonitorsPlaces(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	site := importSitesForMonitors(t, db)
	var ms []skygrid.MonitorImport
	want := map[string]int64{}
	for i := range 1203 {
		m := skygrid.MonitorImport{Monitor: skygrid.Monitor{MN: fmt.Sprintf("IM%04d", i), Name: "示例", Kind: skygrid.MonitorDust, Lon: 113.1, Lat: 40},
			Where: fmt.Sprintf("line %d", i+2)}
		switch i % 4 {
		case 0:
			m.SiteRef, want[m.MN] = "same", site["construction"]
		case 1:
			want[m.MN] = site["construction"] // on both sites by position
		case 2:
			m.Lon, want[m.MN] = 113.5, 0 // in the hole
		case 3:
			m.Lon, m.Lat, want[m.MN] = 113.508, 40.008, site["holed"]
		}
		ms = append(ms, m)
	}
	ms[1202].Lon = 114 // outside every site
	want[ms[1202].MN] = 0
	checkPlaced := func(ms []skygrid.MonitorImport) {
		t.Helper()
		for _, m := range ms {
			got, err := db.MonitorByMN(ctx, m.MN)
			if err != nil || got.ID != m.ID || m.ID == 0 {
				t.Fatalf("%s: stored %+v (%v), import said id %d", m.MN, got, err, m.ID)
			}
			if id := ptrOr0(got.SiteID); id != want[m.MN] || ptrOr0(m.SiteID) != id {
				t.Fatalf("%s at %g,%g (ref %q): site %d, import said %d, want %d", m.MN, m.Lon, m.Lat, m.SiteRef, id, ptrOr0(m.SiteID), want[m.MN])
			}
		}
	}
	if n, err := db.ImportMonitors(ctx, ms); err != nil || n != 1203 {
		t.Fatalf("import: %d new, %v", n, err)
	}
	checkPlaced(ms)
	again := append([]skygrid.MonitorImport{}, ms[:600]...)
	again = append(again, skygrid.MonitorImport{Monitor: skygrid.Monitor{MN: "IMNEW", Name: "新", Kind: skygrid.MonitorDust, Lon: 114, Lat: 40}, Where: "line 602"})
	want["IMNEW"] = 0
	if n, err := db.ImportMonitors(ctx, again); err != nil || n != 1 {
		t.Fatalf("import again: %d new, want 1 (%v)", n, err)
	}
	checkPlaced(again)
	twice := []skygrid.MonitorImport{
		{Monitor: skygrid.Monitor{MN: "IMX", Name: "x", Kind: skygrid.MonitorDust, Lon: 114, Lat: 40}, Where: "m.csv: line 2"},
		{Monitor: skygrid.Monitor{MN: "IM0001", Name: "改名", Kind: skygrid.MonitorDust, Lon: 114, Lat: 40}, Where: "m.csv: line 3"},
		{Monitor: skygrid.Monitor{MN: "IMX", Name: "y", Kind: skygrid.MonitorDust, Lon: 114, Lat: 40}, Where: "m.csv: line 4"},
	}
	_, err := db.ImportMonitors(ctx, twice)
	if skygrid.ErrorCode(err) != skygrid.EINVALID || !strings.Contains(err.Error(), "line 4: field mn") || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("a device number twice: %v, want invalid naming line 4's mn and line 2", err)
	}
	if _, err := db.MonitorByMN(ctx, "IMX"); skygrid.ErrorCode(err) != skygrid.ENOTFOUND {
		t.Errorf("IMX stored from a refused file: %v", err)
	}
	if m, _ := db.MonitorByMN(ctx, "IM0001"); m.Name != "示例" {
		t.Errorf("IM0001 renamed %q by a refused file", m.Name)
	}
}

func ptrOr0(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// A monitors file without a password (no PW column, or an empty cell)
// keeps the device's stored one: a re-import to rename a device emptied
// every password, and the devices' next packets were refused as wrong PW
// until they were reported silent.
func TestImportMonitorsKeepsPasswords(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	imp := func(pw, name string) {
		t.Helper()
		if _, err := db.ImportMonitors(ctx, []skygrid.MonitorImport{{Monitor: skygrid.Monitor{MN: "PWKEEP0001", Password: pw, Name: name,
			Kind: skygrid.MonitorDust, Lon: 113.1, Lat: 40}, Where: "line 2"}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []struct{ pw, name, want string }{
		{"654321", "示例设备", "654321"},
		{"", "示例设备（改名）", "654321"},
		{"111111", "示例设备（改名）", "111111"},
	} {
		imp(step.pw, step.name)
		m, err := db.MonitorByMN(ctx, "PWKEEP0001")
		if err != nil || m.Password != step.want || m.Name != step.name {
			t.Errorf("imported PW %q: stored %q named %q (%v), want %q", step.pw, m.Password, m.Name, err, step.want)
		}
	}
}

// A device whose clock runs ahead (a dead clock battery, a wrong time
// zone) does not hide its real readings: the list's latest time and PM10
// are those at or before the clock's now (and 10 minutes' drift), not the
// reading dated next year.
func TestListMonitorsLatestNotAhead(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.ImportMonitors(ctx, []skygrid.MonitorImport{{Monitor: skygrid.Monitor{MN: "AHEAD0001", Name: "示例",
		Kind: skygrid.MonitorDust, Lon: 113.1, Lat: 40}, Where: "line 2"}}); err != nil {
		t.Fatal(err)
	}
	m, err := db.MonitorByMN(ctx, "AHEAD0001")
	if err != nil {
		t.Fatal(err)
	}
	clock := db.Now().UTC().Truncate(time.Minute)
	at := func(d time.Duration, pm10 float64) skygrid.Reading {
		return skygrid.Reading{MonitorID: m.ID, Kind: skygrid.ReadingMinute, At: clock.Add(d), ReceivedAt: clock,
			Values: map[string]float64{skygrid.FactorPM10: pm10}, Source: skygrid.SourceHJ212}
	}
	if _, err := db.StoreReadings(ctx, []skygrid.Reading{at(-65*time.Minute, 80), at(-5*time.Minute, 90), at(200*24*time.Hour, 50)}); err != nil {
		t.Fatal(err)
	}
	list, err := db.ListMonitors(ctx, nil)
	if err != nil || len(list) != 1 {
		t.Fatalf("%d monitors, %v", len(list), err)
	}
	if got := list[0]; !got.LastAt.Equal(clock.Add(-5*time.Minute)) || got.PM10 == nil || *got.PM10 != 90 {
		t.Errorf("latest %v, PM10 %v at %v; want %v and its hour's 90", got.LastAt, ptrOr0f(got.PM10), got.PM10Hour, clock.Add(-5*time.Minute))
	}
}

func ptrOr0f(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}
