package hj212sim

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"skygrid"
)

// Roles of the demo's monitors.
const (
	RoleOrdinary = ""       // dusty in working hours, under the rules
	RoleExceed   = "exceed" // PM10 far above the ambient several hours a day
	RoleSilent   = "silent" // stops sending after DemoSilentAfter
	RoleStuck    = "stuck"  // particulates stuck 12:00 to 16:00
	RoleModbus   = "modbus" // sends a Modbus CRC (its monitor marked lenient)
	RoleOld      = "old"    // sends the 2005-era names in µg/m³
)

// DemoSilentAfter is when the demo's silent monitor stops, after the
// fleet's start (simulated time).
const DemoSilentAfter = 20 * time.Minute

// demoRoles are placed over the sites in order, spread evenly.
var demoRoles = []string{RoleExceed, RoleSilent, RoleExceed, RoleStuck, RoleModbus, RoleExceed, RoleOld}

// DemoPW is the demo monitors' access password (the standard's example).
const DemoPW = "123456"

// DemoScenario gives each construction site a monitor (示例): an invented
// MN (DEMO and the site's external id: DEMOC01 for DEMO-C01), the demo password, at the site's
// centre. Sorted by external id, a few sites exceed (PM10 150 to 250 µg/m³
// above the ambient from 09:00 to 12:00 and 14:00 to 16:00), one goes
// silent, one sticks, one sends a Modbus CRC, one speaks the 2005-era
// names; the others add 10 to 40 µg/m³ in working hours. Role says which.
func DemoScenario(sites []*skygrid.Site) []Device {
	var cs []*skygrid.Site
	for _, s := range sites {
		if s.Kind == skygrid.SiteConstruction && s.Geometry != nil {
			cs = append(cs, s)
		}
	}
	slices.SortFunc(cs, func(a, b *skygrid.Site) int { return strings.Compare(a.ExternalID, b.ExternalID) })
	roles := make([]string, len(cs))
	for k, r := range demoRoles {
		if i := (k*len(cs))/len(demoRoles) + 1; i < len(cs) && roles[i] == "" {
			roles[i] = r
		}
	}
	devs := make([]Device, 0, len(cs))
	for i, s := range cs {
		c := s.Geometry.Bound().Center()
		mn := "DEMO" + strings.ReplaceAll(strings.TrimPrefix(s.ExternalID, "DEMO-"), "-", "")
		devs = append(devs, Device{MN: mn, PW: DemoPW, Name: "示例扬尘监测仪 " + s.Name, Lon: c[0], Lat: c[1],
			Site: s.ExternalID, Role: roles[i], Profile: demoProfile(roles[i], i)})
		d := &devs[len(devs)-1]
		switch roles[i] {
		case RoleModbus:
			d.Lenient.ModbusCRC = true
		case RoleOld:
			d.OldStyle = true
		}
	}
	return devs
}

func demoProfile(role string, i int) Profile {
	p := Profile{Excess: 10 + float64(i*7%31)}
	switch role {
	case RoleExceed:
		p.ExceedHours, p.ExceedBy = []int{9, 10, 11, 14, 15}, 150+float64(i*37%101)
	case RoleSilent:
		p.SilentAfter = DemoSilentAfter
	case RoleStuck:
		p.StuckFrom, p.StuckTo = 12, 16
	}
	return p
}

// MonitorColumns are the columns of the monitors CSV.
var MonitorColumns = []string{"MN", "PW", "name", "lon", "lat", "site", "kind", "video_url", "snapshot_url", "lenient"}

// WriteMonitorsCSV writes the devices as the monitors CSV `skygrid import
// monitors` reads: kind dust, no video, lenient as the names of
// skygrid.MonitorLenient's JSON fields separated by commas.
func WriteMonitorsCSV(w io.Writer, devs []Device) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(MonitorColumns); err != nil {
		return err
	}
	for i := range devs {
		d := &devs[i]
		row := []string{d.MN, d.PW, d.Name, strconv.FormatFloat(d.Lon, 'f', 6, 64),
			strconv.FormatFloat(d.Lat, 'f', 6, 64), d.Site, skygrid.MonitorDust, "", "", LenientNames(d.Lenient)}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

type lenientField struct {
	name string
	get  func(*skygrid.MonitorLenient) *bool
}

// lenientNames are MonitorLenient's fields by their JSON names.
var lenientNames = []lenientField{
	{"length_counts_trailer", func(l *skygrid.MonitorLenient) *bool { return &l.LengthCountsTrailer }},
	{"modbus_crc", func(l *skygrid.MonitorLenient) *bool { return &l.ModbusCRC }},
	{"lowercase_hex", func(l *skygrid.MonitorLenient) *bool { return &l.LowercaseHex }},
}

// LenientNames writes a MonitorLenient as its set fields' JSON names,
// separated by commas.
func LenientNames(l skygrid.MonitorLenient) string {
	var names []string
	for _, n := range lenientNames {
		if *n.get(&l) {
			names = append(names, n.name)
		}
	}
	return strings.Join(names, ",")
}

// ParseLenient reads what LenientNames writes.
func ParseLenient(s string) (skygrid.MonitorLenient, error) {
	var l skygrid.MonitorLenient
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		i := slices.IndexFunc(lenientNames, func(n lenientField) bool { return n.name == f })
		if i < 0 {
			return l, fmt.Errorf("lenient %q: not one of length_counts_trailer, modbus_crc, lowercase_hex", f)
		}
		*lenientNames[i].get(&l) = true
	}
	return l, nil
}

// ReadMonitorsCSV reads devices from a monitors CSV (the columns of
// MonitorColumns, in any order; MN and PW required, the others optional):
// ordinary profiles, each adding 10 to 40 µg/m³ in working hours. Errors
// name the file, line and field.
func ReadMonitorsCSV(r io.Reader, name string) ([]Device, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: empty", name)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")] = i
	}
	for _, k := range []string{"MN", "PW"} {
		if _, ok := col[k]; !ok {
			return nil, fmt.Errorf("%s: line 1: no column %s", name, k)
		}
	}
	var devs []Device
	for n, row := range rows[1:] {
		d, err := monitorRow(row, col, n)
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: %w", name, n+2, err)
		}
		devs = append(devs, d)
	}
	return devs, nil
}

func monitorRow(row []string, col map[string]int, n int) (Device, error) {
	get := func(k string) string {
		if i, ok := col[k]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	d := Device{MN: get("MN"), PW: get("PW"), Name: get("name"), Site: get("site"), Profile: demoProfile(RoleOrdinary, n)}
	if d.MN == "" || d.PW == "" {
		return Device{}, fmt.Errorf("MN and PW are required")
	}
	for _, f := range []struct {
		k string
		v *float64
	}{{"lon", &d.Lon}, {"lat", &d.Lat}} {
		if s := get(f.k); s != "" {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return Device{}, fmt.Errorf("%s %q is not a number", f.k, s)
			}
			*f.v = v
		}
	}
	l, err := ParseLenient(get("lenient"))
	if err != nil {
		return Device{}, err
	}
	d.Lenient = l
	return d, nil
}
