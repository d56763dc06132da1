package registry

import (
	"fmt"
	"io"
	"net/url"
	"strings"

	"skygrid"

	"github.com/paulmach/orb"
)

// MonitorProps are the columns (CSV) or properties (GeoJSON) of a
// monitors file, English and Chinese, first found wins.
var MonitorProps = struct{ MN, PW, Name, Site, Kind, Video, Snapshot, Lenient string }{
	MN: "mn,MN,设备编号", PW: "pw,PW,password,访问密码", Name: "name,名称", Site: "site,所属工地",
	Kind: "kind,类型", Video: "video_url,视频流地址", Snapshot: "snapshot_url,快照地址", Lenient: "lenient,兼容协议偏差",
}

// monitorKinds maps the kind column's values to Monitor* kinds.
var monitorKinds = map[string]string{
	skygrid.MonitorDust: skygrid.MonitorDust, "扬尘监测仪": skygrid.MonitorDust,
	skygrid.MonitorStation: skygrid.MonitorStation, "空气质量站": skygrid.MonitorStation,
}

// ReadMonitors reads monitors from GeoJSON points or CSV rows with lon and
// lat (crs: wgs84, cgcs2000, gcj02 or bd09). Every row is checked; any bad
// one refuses the file, naming every refused row with its line and field.
func ReadMonitors(r io.Reader, name, crs string) ([]skygrid.MonitorImport, error) {
	opt, err := SiteImport{Kind: skygrid.SiteConstruction, CRS: crs, fixedColumns: true}.checked()
	if err != nil {
		return nil, err
	}
	var errs rowErrs
	recs, isGeoJSON, err := readRecords(r, name, opt, true, &errs)
	if err != nil {
		return nil, err
	}
	out := uniqueFrom(recs, name, &errs, "field mn:", func(rec siteRecord) (skygrid.MonitorImport, string, error) {
		m, err := monitorFrom(rec)
		m.Where = name + ": " + rec.where
		return m, m.MN, err
	})
	if err := refusedRows(name, &errs, isGeoJSON); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, skygrid.Errorf(skygrid.EINVALID, "%s: no monitors", name)
	}
	return out, nil
}

// monitorFrom checks a record's fields and makes a monitor of it.
func monitorFrom(rec siteRecord) (skygrid.MonitorImport, error) {
	pt := rec.geom.(orb.Point)
	m := skygrid.MonitorImport{Monitor: skygrid.Monitor{Lon: pt[0], Lat: pt[1], Kind: skygrid.MonitorDust}}
	p := MonitorProps
	var key string
	if m.MN, key = rec.get(p.MN); m.MN == "" {
		return m, fmt.Errorf("field mn: empty (the device number, HJ 212 MN; column mn or 设备编号)")
	} else if reason := checkMN(m.MN); reason != "" {
		return m, fmt.Errorf("field %s: %s", skygrid.ClipName(key), reason)
	}
	m.Password, key = rec.get(p.PW)
	if reason := checkMN(m.Password); m.Password != "" && reason != "" {
		return m, fmt.Errorf("field %s: %s", skygrid.ClipName(key), reason)
	}
	if m.Name, key = rec.get(p.Name); m.Name == "" {
		m.Name = m.MN
	}
	if err := checkText(skygrid.LimitSiteName, orDefault(key, "name"), m.Name); err != nil {
		return m, err
	}
	m.Demo = strings.Contains(m.Name, "示例")
	m.SiteRef, key = rec.get(p.Site)
	if err := checkText(skygrid.LimitID, orDefault(key, "site"), m.SiteRef); err != nil {
		return m, err
	}
	if v, key := rec.get(p.Kind); v != "" {
		if m.Kind = monitorKinds[strings.ToLower(v)]; m.Kind == "" {
			return m, fmt.Errorf("field %s: %q: want dust (扬尘监测仪) or station (空气质量站)", skygrid.ClipName(key), skygrid.ClipName(v))
		}
	}
	var err error
	if m.VideoURL, err = monitorURL(rec, p.Video, "http", "https", "rtsp", "rtmp"); err != nil {
		return m, err
	}
	if m.SnapshotURL, err = monitorURL(rec, p.Snapshot, "http", "https"); err != nil {
		return m, err
	}
	if v, key := rec.get(p.Lenient); v != "" {
		if m.Lenient, err = parseLenient(v); err != nil {
			return m, fmt.Errorf("field %s: %w", skygrid.ClipName(key), err)
		}
	}
	return m, nil
}

// checkMN checks a device number or password: printable ASCII without
// the packet's separators, at most 24 characters (HJ 212's MN).
func checkMN(s string) string {
	if len(s) > 24 {
		return fmt.Sprintf("%d characters: at most 24", len(s))
	}
	for _, c := range s {
		if c <= ' ' || c > '~' || strings.ContainsRune(";,=&", c) {
			return fmt.Sprintf("%q: letters, digits and -_. only", skygrid.ClipName(s))
		}
	}
	return ""
}

// monitorURL reads an optional URL column: absolute, with one of schemes.
func monitorURL(rec siteRecord, keys string, schemes ...string) (string, error) {
	v, key := rec.get(keys)
	if v == "" {
		return "", nil
	}
	if err := checkText(skygrid.LimitPropValue, key, v); err != nil {
		return "", err
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("field %s: not an absolute URL", skygrid.ClipName(key))
	}
	for _, s := range schemes {
		if strings.EqualFold(u.Scheme, s) {
			return v, nil
		}
	}
	return "", fmt.Errorf("field %s: scheme %q: want %s", skygrid.ClipName(key), u.Scheme, strings.Join(schemes, ", "))
}

// parseLenient reads the deviations accepted from a monitor, separated by
// | or ;.
func parseLenient(v string) (skygrid.MonitorLenient, error) {
	var l skygrid.MonitorLenient
	for _, s := range strings.FieldsFunc(v, func(r rune) bool { return r == '|' || r == ';' }) {
		switch strings.TrimSpace(s) {
		case "length_counts_trailer":
			l.LengthCountsTrailer = true
		case "modbus_crc":
			l.ModbusCRC = true
		case "lowercase_hex":
			l.LowercaseHex = true
		case "":
		default:
			return l, fmt.Errorf("%q: want length_counts_trailer, modbus_crc or lowercase_hex, separated by | or ;", skygrid.ClipName(s))
		}
	}
	return l, nil
}
