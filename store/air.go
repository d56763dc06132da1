package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"skygrid"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

var _ skygrid.AirService = (*DB)(nil)

// airCols are air_hourly's pollutant columns, in skygrid.AirPollutants
// order.
var airCols = strings.Join(skygrid.AirPollutants, ", ")

// ImportAirStations stores stations (a known code is updated), each with
// the county region holding it, and one audit line.
func (db *DB) ImportAirStations(ctx context.Context, stations []*skygrid.AirStation) (int, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("import air stations: %w", err)
	}
	defer tx.Rollback()
	level := skygrid.LevelCounty
	counties, _, err := findRegions(ctx, tx, skygrid.RegionFilter{Level: &level, WithGeometry: true, Neighbours: true})
	if err != nil {
		return 0, fmt.Errorf("import air stations: counties: %w", err)
	}
	placed := 0
	for _, s := range stations {
		s.CountyID = countyAt(counties, orb.Point{s.Lon, s.Lat})
		if s.CountyID != "" {
			placed++
		}
		if s.Network == "" {
			s.Network = skygrid.AirNational
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO air_stations (code, name, city, county_id, lon, lat, network, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET name = excluded.name, city = excluded.city,
			county_id = excluded.county_id, lon = excluded.lon, lat = excluded.lat, network = excluded.network, updated_at = excluded.updated_at`,
			s.Code, s.Name, s.City, s.CountyID, s.Lon, s.Lat, s.Network, ts(tx.now), ts(tx.now)); err != nil {
			return 0, fmt.Errorf("import air station %s: %w", s.Code, err)
		}
	}
	if err := insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: skygrid.ActorOf(ctx, "cli"), Action: "air.stations.import",
		Entity: "air_station", EntityID: "*", After: fmt.Sprintf("%d stations (%d in a county)", len(stations), placed)}); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("import air stations: commit: %w", err)
	}
	return len(stations), nil
}

// countyAt is the id of the county holding p, or "".
func countyAt(counties []*skygrid.Region, p orb.Point) string {
	for _, r := range counties {
		if r.Bound.Contains(p) && planar.MultiPolygonContains(r.Geometry, p) {
			return r.ID
		}
	}
	return ""
}

// IngestAirHours stores station hours in one transaction with one audit
// line. A stored hour is merged: a value given replaces the stored one, a
// value not given or missing keeps it. An unknown station refuses all.
// The stored hours the file touches are read once per station and the
// hours written in multi-row upserts (airHourChunk a statement): an
// hour at a time was two round trips an hour, the demo's 25,686 station
// hours 51,372 statements.
func (db *DB) IngestAirHours(ctx context.Context, hours []*skygrid.AirHour) (added, updated int, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("ingest air hours: %w", err)
	}
	defer tx.Rollback()
	if err := checkAirStations(ctx, tx, hours); err != nil {
		return 0, 0, err
	}
	cur, err := storedAirHours(ctx, tx, hours)
	if err != nil {
		return 0, 0, err
	}
	var order []airKey // the hours in the order the file first gives them
	put := map[airKey]bool{}
	for _, h := range hours {
		k := airKey{h.Station, ts(h.Hour)}
		if old := cur[k]; old != nil {
			h = mergeAirHour(old, h)
			updated++
		} else {
			added++
		}
		cur[k] = storedAirHour(h)
		if !put[k] {
			put[k] = true
			order = append(order, k)
		}
	}
	if err := writeAirHours(ctx, tx, order, cur); err != nil {
		return 0, 0, err
	}
	if err := insertAudit(ctx, tx, &skygrid.AuditEntry{Actor: skygrid.ActorOf(ctx, "cli"), Action: "air.hours.ingest",
		Entity: "air_hour", EntityID: "*", After: fmt.Sprintf("%d station hours (%d new, %d updated)", len(hours), added, updated)}); err != nil {
		return 0, 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, fmt.Errorf("ingest air hours: commit: %w", err)
	}
	return added, updated, nil
}

// airHourChunk is how many hours one upsert writes (20 parameters each).
const airHourChunk = 500

// airKey is a row of air_hourly: station and hour as stored.
type airKey struct{ station, hour string }

// checkAirStations refuses hours of a station not imported, naming the
// first.
func checkAirStations(ctx context.Context, tx *Tx, hours []*skygrid.AirHour) error {
	known := map[string]bool{}
	for _, h := range hours {
		if known[h.Station] {
			continue
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM air_stations WHERE code = ?`, h.Station).Scan(&n); err != nil {
			return fmt.Errorf("ingest air hours: find station %s: %w", h.Station, err)
		}
		if n == 0 {
			return skygrid.Errorf(skygrid.EINVALID, "station %s: unknown station (import stations first)", h.Station)
		}
		known[h.Station] = true
	}
	return nil
}

// storedAirHours reads the stored hours of each station from the first
// to the last hour the file gives it.
func storedAirHours(ctx context.Context, tx *Tx, hours []*skygrid.AirHour) (map[airKey]*skygrid.AirHour, error) {
	span := map[string][2]string{}
	var stations []string
	for _, h := range hours {
		at := ts(h.Hour)
		s, ok := span[h.Station]
		if !ok {
			stations = append(stations, h.Station)
			s = [2]string{at, at}
		}
		span[h.Station] = [2]string{min(s[0], at), max(s[1], at)}
	}
	cur := map[airKey]*skygrid.AirHour{}
	for _, st := range stations {
		hs, err := queryList(ctx, tx, &listQuery{what: "ingest air hours: stored hours of " + st, from: airHourSelect,
			conds: []string{"station = ?", "hour >= ?", "hour <= ?"}, args: []any{st, span[st][0], span[st][1]}}, scanAirHour)
		if err != nil {
			return nil, err
		}
		for _, h := range hs {
			cur[airKey{h.Station, ts(h.Hour)}] = h
		}
	}
	return cur, nil
}

// storedAirHour is h as air_hourly keeps it and scanAirHour reads it back
// (the next hour of the same station and time in the file merges with it).
func storedAirHour(h *skygrid.AirHour) *skygrid.AirHour {
	s := &skygrid.AirHour{Station: h.Station, Hour: parseTS(ts(h.Hour)), Values: map[string]float64{}, Primary: h.Primary}
	for _, k := range skygrid.AirPollutants {
		if v, ok := h.Values[k]; ok {
			s.Values[k] = v
		}
	}
	if missing := strings.Join(h.Missing, ","); missing != "" {
		s.Missing = strings.Split(missing, ",")
	}
	if h.AQI != nil {
		v := *h.AQI
		s.AQI = &v
	}
	return s
}

// writeAirHours writes the hours in order, a stored one replaced whole.
func writeAirHours(ctx context.Context, tx *Tx, order []airKey, cur map[airKey]*skygrid.AirHour) error {
	cols := 2 + len(skygrid.AirPollutants) + 4
	for lo := 0; lo < len(order); lo += airHourChunk {
		hi := min(lo+airHourChunk, len(order))
		args := make([]any, 0, (hi-lo)*cols)
		for _, k := range order[lo:hi] {
			args = append(args, airHourArgs(cur[k], k.hour, tx.now)...)
		}
		q := `INSERT INTO air_hourly (station, hour, ` + airCols + `, missing, aqi, primary_pollutant, updated_at) VALUES ` +
			valuesRows(hi-lo, cols) + ` ON CONFLICT (station, hour) DO UPDATE SET ` +
			excludedSet(skygrid.AirPollutants, "missing", "aqi", "primary_pollutant", "updated_at")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("store air hours %s %s to %s %s: %w", order[lo].station, order[lo].hour, order[hi-1].station, order[hi-1].hour, err)
		}
	}
	return nil
}

// airHourArgs are an hour's values for the upsert.
func airHourArgs(h *skygrid.AirHour, hour string, now time.Time) []any {
	args := []any{h.Station, hour}
	for _, k := range skygrid.AirPollutants {
		if v, ok := h.Values[k]; ok {
			args = append(args, v)
		} else {
			args = append(args, nil)
		}
	}
	var aqi any
	if h.AQI != nil {
		aqi = *h.AQI
	}
	return append(args, strings.Join(h.Missing, ","), aqi, h.Primary, ts(now))
}

// mergeAirHour is the stored hour old updated by h.
func mergeAirHour(old, h *skygrid.AirHour) *skygrid.AirHour {
	m := *h
	m.Values = map[string]float64{}
	for k, v := range old.Values {
		m.Values[k] = v
	}
	for k, v := range h.Values {
		m.Values[k] = v
	}
	miss := map[string]bool{}
	for _, k := range append(append([]string{}, old.Missing...), h.Missing...) {
		if _, ok := m.Values[k]; !ok {
			miss[k] = true
		}
	}
	m.Missing = nil
	for _, k := range skygrid.AirPollutants {
		if miss[k] {
			m.Missing = append(m.Missing, k)
		}
	}
	if m.AQI == nil {
		m.AQI, m.Primary = old.AQI, old.Primary
	}
	return &m
}

// excludedSet is an upsert's SET list: each column from the row proposed
// (excluded.col), in both dialects.
func excludedSet(cols []string, more ...string) string {
	set := make([]string, 0, len(cols)+len(more))
	for _, c := range append(append([]string{}, cols...), more...) {
		set = append(set, c+" = excluded."+c)
	}
	return strings.Join(set, ", ")
}

// scanAirHour reads station, hour, the pollutants, missing, aqi, primary.
func scanAirHour(rows *sql.Rows) (*skygrid.AirHour, error) {
	h := &skygrid.AirHour{Values: map[string]float64{}}
	vals := make([]sql.NullFloat64, len(skygrid.AirPollutants))
	var hour, missing string
	var aqi sql.NullInt64
	dest := []any{&h.Station, &hour}
	for i := range vals {
		dest = append(dest, &vals[i])
	}
	if err := rows.Scan(append(dest, &missing, &aqi, &h.Primary)...); err != nil {
		return nil, fmt.Errorf("read an air hour row: %w", err)
	}
	h.Hour = parseTS(hour)
	for i, k := range skygrid.AirPollutants {
		if vals[i].Valid {
			h.Values[k] = vals[i].Float64
		}
	}
	if missing != "" {
		h.Missing = strings.Split(missing, ",")
	}
	if aqi.Valid {
		v := int(aqi.Int64)
		h.AQI = &v
	}
	return h, nil
}

var airHourSelect = `SELECT station, hour, ` + airCols + `, missing, aqi, primary_pollutant FROM air_hourly`

// FindAirStations returns every station with its latest hour, by code.
func (db *DB) FindAirStations(ctx context.Context) ([]*skygrid.AirStationLatest, error) {
	out, err := queryList(ctx, db.db, &listQuery{what: "find air stations",
		from:  `SELECT code, name, city, county_id, lon, lat, network FROM air_stations`,
		order: ` ORDER BY code`}, func(rows *sql.Rows) (*skygrid.AirStationLatest, error) {
		s := &skygrid.AirStationLatest{}
		if err := rows.Scan(&s.Code, &s.Name, &s.City, &s.CountyID, &s.Lon, &s.Lat, &s.Network); err != nil {
			return nil, fmt.Errorf("read an air station row: %w", err)
		}
		return s, nil
	})
	if err != nil {
		return nil, err
	}
	latest, err := queryList(ctx, db.db, &listQuery{what: "find air stations: latest hours",
		from: airHourSelect + ` WHERE (station, hour) IN
			(SELECT code, (SELECT MAX(hour) FROM air_hourly WHERE station = code) FROM air_stations)`}, scanAirHour)
	if err != nil {
		return nil, err
	}
	by := map[string]*skygrid.AirHour{}
	for _, h := range latest {
		by[h.Station] = h
	}
	for _, s := range out {
		s.Latest = by[s.Code]
	}
	return out, nil
}

// AmbientPM10 is a county's ambient PM10 for each hour of [from, to) in
// which a station has a PM10 (skygrid.ChooseAmbient). The city's stations
// are those in the county or in another of the same parent (none: every
// county without a parent), never a neighbouring city's.
func (db *DB) AmbientPM10(ctx context.Context, countyID string, from, to time.Time, nearestKm float64) ([]skygrid.Ambient, error) {
	county, err := db.FindRegionByID(ctx, countyID)
	if err != nil {
		return nil, fmt.Errorf("ambient pm10: %w", err)
	}
	if county.Level != skygrid.LevelCounty {
		return nil, skygrid.Errorf(skygrid.EINVALID, "region %s is a %s, not a county", countyID, county.Level)
	}
	centroid, _ := planar.CentroidArea(county.Geometry)
	rows, err := db.db.QueryContext(ctx, `SELECT h.hour, s.code, s.county_id, s.lon, s.lat, h.pm10,
		CASE WHEN r.id = ? OR (r.neighbour = 0 AND COALESCE(r.parent_id, '') = ?) THEN 1 ELSE 0 END
		FROM air_hourly h JOIN air_stations s ON s.code = h.station LEFT JOIN regions r ON r.id = s.county_id
		WHERE h.hour >= ? AND h.hour < ? AND h.pm10 IS NOT NULL
		ORDER BY h.hour, s.code`, countyID, county.ParentID, ts(from), ts(to))
	if err != nil {
		return nil, fmt.Errorf("ambient pm10: find station hours: %w", err)
	}
	defer rows.Close()
	byHour := map[string][]skygrid.StationPM10{}
	for rows.Next() {
		var hour string
		var s skygrid.StationPM10
		if err := rows.Scan(&hour, &s.Code, &s.CountyID, &s.Lon, &s.Lat, &s.PM10, &s.InCity); err != nil {
			return nil, fmt.Errorf("ambient pm10: read a station hour: %w", err)
		}
		byHour[hour] = append(byHour[hour], s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ambient pm10: read station hours: %w", err)
	}
	out := make([]skygrid.Ambient, 0, len(byHour))
	for hour, stations := range byHour {
		if a, ok := skygrid.ChooseAmbient(countyID, centroid, nearestKm, stations); ok {
			a.Hour = parseTS(hour)
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Hour.Before(out[j].Hour) })
	return out, nil
}

// FindAirHours returns every station's hours labelled in [from, to), by
// station and hour (the air ranking's read).
func (db *DB) FindAirHours(ctx context.Context, from, to time.Time) ([]*skygrid.AirHour, error) {
	return queryList(ctx, db.db, &listQuery{what: "find air hours", from: airHourSelect,
		conds: []string{"hour >= ?", "hour < ?"}, args: []any{ts(from), ts(to)}, order: ` ORDER BY station, hour`}, scanAirHour)
}
