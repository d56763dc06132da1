package hj212sim_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/internal/hj212sim"
)

func demoSites(t *testing.T) []*skygrid.Site {
	t.Helper()
	sites, err := hj212sim.DemoSites()
	if err != nil {
		t.Fatal(err)
	}
	return sites
}

func TestDemoScenario(t *testing.T) {
	sites := demoSites(t)
	devs := hj212sim.DemoScenario(sites)
	construction := map[string]*skygrid.Site{}
	for _, s := range sites {
		if s.Kind == skygrid.SiteConstruction {
			construction[s.ExternalID] = s
		}
	}
	if len(devs) != len(construction) || len(devs) == 0 {
		t.Fatalf("%d monitors for %d construction sites", len(devs), len(construction))
	}
	roles := map[string]int{}
	mns := map[string]bool{}
	for i := range devs {
		d := &devs[i]
		roles[d.Role]++
		s := construction[d.Site]
		if s == nil || !strings.HasPrefix(d.Name, "示例") || !strings.HasPrefix(d.MN, "DEMO") || mns[d.MN] {
			t.Errorf("monitor %s %q on site %q: want a unique DEMO MN, a 示例 name, a construction site", d.MN, d.Name, d.Site)
			continue
		}
		mns[d.MN] = true
		if !s.Geometry.Bound().Contains([2]float64{d.Lon, d.Lat}) {
			t.Errorf("monitor %s at %g,%g is off its site", d.MN, d.Lon, d.Lat)
		}
		if d.Lenient.ModbusCRC != (d.Role == hj212sim.RoleModbus) || d.OldStyle != (d.Role == hj212sim.RoleOld) {
			t.Errorf("monitor %s (%s): lenient %+v, old style %v", d.MN, d.Role, d.Lenient, d.OldStyle)
		}
	}
	want := map[string]int{hj212sim.RoleExceed: 3, hj212sim.RoleSilent: 1, hj212sim.RoleStuck: 1, hj212sim.RoleModbus: 1,
		hj212sim.RoleOld: 1, hj212sim.RoleOrdinary: len(devs) - 7}
	for r, n := range want {
		if roles[r] != n {
			t.Errorf("%d monitors of role %q, want %d (all: %v)", roles[r], r, n, roles)
		}
	}
}

// TestDemoExceedance checks the demo against the Datong default rule's
// shape: hourly PM10 more than 80 µg/m³ above the ambient, more than 2
// such hours a day, for the exceeding sites only.
func TestDemoExceedance(t *testing.T) {
	devs := hj212sim.DemoScenario(demoSites(t))
	air, err := hj212sim.DatongAir()
	if err != nil {
		t.Fatal(err)
	}
	ambient := &hj212sim.Profile{}
	day := time.Date(2026, 3, 10, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	for i := range devs {
		d := &devs[i]
		hours := 0
		for h := range 24 {
			site, amb := 0.0, 0.0
			for m := range 60 {
				at := day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
				site += d.Profile.At(air, uint64(i), at).PM10 / 60
				amb += ambient.At(air, uint64(i), at).PM10 / 60
			}
			if site-amb > 80 {
				hours++
			}
		}
		if exceeds := hours > 2; exceeds != (d.Role == hj212sim.RoleExceed) {
			t.Errorf("%s (%q): %d hours over ambient+80", d.MN, d.Role, hours)
		}
	}
}

func TestMonitorsCSV(t *testing.T) {
	devs := hj212sim.DemoScenario(demoSites(t))
	var b bytes.Buffer
	if err := hj212sim.WriteMonitorsCSV(&b, devs); err != nil {
		t.Fatal(err)
	}
	if head, _, _ := strings.Cut(b.String(), "\n"); head != "MN,PW,name,lon,lat,site,kind,video_url,snapshot_url,lenient" {
		t.Errorf("header %q", head)
	}
	back, err := hj212sim.ReadMonitorsCSV(&b, "monitors.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(devs) {
		t.Fatalf("read %d monitors back, wrote %d", len(back), len(devs))
	}
	for i := range devs {
		a, b := &devs[i], &back[i]
		if a.MN != b.MN || a.PW != b.PW || a.Name != b.Name || a.Site != b.Site || a.Lenient != b.Lenient ||
			abs(a.Lon-b.Lon) > 1e-6 || abs(a.Lat-b.Lat) > 1e-6 {
			t.Errorf("monitor %d: wrote %+v, read %+v", i, a, b)
		}
	}
}

func abs(x float64) float64 { return max(x, -x) }

func TestReadMonitorsCSVErrors(t *testing.T) {
	tests := []struct{ name, csv, want string }{
		{"no PW column", "MN,name\nA,b\n", "monitors.csv: line 1: no column PW"},
		{"empty MN", "MN,PW\n,1\n", "monitors.csv: line 2: MN and PW are required"},
		{"bad lon", "MN,PW,lon\nA,1,east\n", `monitors.csv: line 2: lon "east" is not a number`},
		{"bad lenient", "MN,PW,lenient\nA,1,sloppy\n", `monitors.csv: line 2: lenient "sloppy"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := hj212sim.ReadMonitorsCSV(strings.NewReader(tt.csv), "monitors.csv")
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %v, want %s", err, tt.want)
			}
		})
	}
}

func TestLenientNames(t *testing.T) {
	tests := []struct {
		name string
		l    skygrid.MonitorLenient
		text string
	}{
		{"none", skygrid.MonitorLenient{}, ""},
		{"modbus", skygrid.MonitorLenient{ModbusCRC: true}, "modbus_crc"},
		{"all", skygrid.MonitorLenient{LengthCountsTrailer: true, ModbusCRC: true, LowercaseHex: true},
			"length_counts_trailer,modbus_crc,lowercase_hex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hj212sim.LenientNames(tt.l); got != tt.text {
				t.Errorf("LenientNames = %q, want %q", got, tt.text)
			}
			if l, err := hj212sim.ParseLenient(tt.text); err != nil || l != tt.l {
				t.Errorf("ParseLenient(%q) = %+v, %v", tt.text, l, err)
			}
		})
	}
}
