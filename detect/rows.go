package detect

import (
	"cmp"
	"slices"
	"time"

	"skygrid"

	"github.com/paulmach/orb"
)

// row is the compact form of a hotspot read from a file: no pointers, so
// a million rows are one ~100 MB block that the garbage collector never
// scans, where a million *skygrid.Hotspot would be 250 MB of small objects.
// Strings are codes into the batch's dictionary.
type row struct {
	acq                            int64 // Unix seconds
	lat, lon                       float64
	bright, bt31, scan, track, frp float64
	event                          int64
	src, sat, conf, dn, ver        uint32
	reason                         uint32
	status                         uint8
	typ                            int8
}

var statusCodes = []string{skygrid.StatusPending, skygrid.StatusFire, skygrid.StatusLowConfidence, skygrid.StatusStatic}

func statusCode(s string) uint8 {
	for i, v := range statusCodes {
		if v == s {
			return uint8(i)
		}
	}
	return 0
}

// Rows holds hotspots read from a file in a compact form (see row) with
// the dictionary of their strings. The pipeline keeps a file's rows in it
// between reading and deciding.
type Rows struct {
	rows []row
	idx  map[string]uint32
	strs []string
}

// NewRows returns an empty set with room for capHint rows.
func NewRows(capHint int) *Rows {
	return &Rows{rows: make([]row, 0, capHint), idx: map[string]uint32{"": 0}, strs: []string{""}}
}

func (rs *Rows) code(s string) uint32 {
	if c, ok := rs.idx[s]; ok {
		return c
	}
	c := uint32(len(rs.strs))
	rs.idx[s] = c
	rs.strs = append(rs.strs, s)
	return c
}

// Add appends h.
func (rs *Rows) Add(h *skygrid.Hotspot) {
	rs.rows = append(rs.rows, row{
		acq: h.AcqTime.Unix(), lat: h.Point[1], lon: h.Point[0],
		bright: h.Brightness, bt31: h.BrightT31, scan: h.Scan, track: h.Track, frp: h.FRP, event: h.EventID,
		src: rs.code(h.Source), sat: rs.code(h.Satellite), conf: rs.code(h.Confidence), dn: rs.code(h.DayNight),
		ver: rs.code(h.Version), reason: rs.code(h.StatusReason), status: statusCode(h.Status), typ: int8(h.Type),
	})
}

// Fill sets h from row i (strings come from the dictionary: no allocation).
func (rs *Rows) Fill(i int, h *skygrid.Hotspot, batch int64) {
	r := &rs.rows[i]
	*h = skygrid.Hotspot{
		Source: rs.strs[r.src], Satellite: rs.strs[r.sat], AcqTime: unixUTC(r.acq), Point: orb.Point{r.lon, r.lat},
		Brightness: r.bright, BrightT31: r.bt31, Scan: r.scan, Track: r.track, FRP: r.frp,
		Confidence: rs.strs[r.conf], DayNight: rs.strs[r.dn], Version: rs.strs[r.ver], Type: int(r.typ),
		BatchID: batch, Status: statusCodes[r.status], StatusReason: rs.strs[r.reason], EventID: r.event,
	}
}

// Key is row i's dedupe key.
func (rs *Rows) Key(i int) skygrid.Key {
	r := &rs.rows[i]
	return skygrid.Key{Source: rs.strs[r.src], Satellite: rs.strs[r.sat], Minute: r.acq / 60, LatE5: skygrid.E5(r.lat), LonE5: skygrid.E5(r.lon)}
}

// merge appends o's rows, recoding their strings.
func (rs *Rows) merge(o *Rows) {
	recode := make([]uint32, len(o.strs))
	for i, s := range o.strs {
		recode[i] = rs.code(s)
	}
	if cap(rs.rows)-len(rs.rows) < len(o.rows) {
		rows := make([]row, len(rs.rows), len(rs.rows)+len(o.rows))
		copy(rows, rs.rows)
		rs.rows = rows
	}
	for _, r := range o.rows {
		r.src, r.sat, r.conf, r.dn, r.ver, r.reason = recode[r.src], recode[r.sat], recode[r.conf], recode[r.dn], recode[r.ver], recode[r.reason]
		rs.rows = append(rs.rows, r)
	}
}

// SortDedupe orders the rows by dedupe key (so by minute) and keeps the
// first of each key in file order, counting the others.
func (rs *Rows) SortDedupe(dups *int) {
	type sortKey struct {
		minute   int64
		lat, lon int32
		pair     uint64 // source and satellite codes: any fixed order will do
		idx      int32
	}
	keys := make([]sortKey, len(rs.rows))
	for i := range rs.rows {
		r := &rs.rows[i]
		keys[i] = sortKey{minute: r.acq / 60, lat: int32(skygrid.E5(r.lat)), lon: int32(skygrid.E5(r.lon)), pair: uint64(r.src)<<32 | uint64(r.sat), idx: int32(i)}
	}
	compare := func(a, b sortKey) int {
		if c := cmp.Compare(a.minute, b.minute); c != 0 {
			return c
		}
		if c := cmp.Compare(a.pair, b.pair); c != 0 {
			return c
		}
		if c := cmp.Compare(a.lat, b.lat); c != 0 {
			return c
		}
		if c := cmp.Compare(a.lon, b.lon); c != 0 {
			return c
		}
		return cmp.Compare(a.idx, b.idx)
	}
	// FIRMS files come in acquisition order: then only the rows of each
	// minute need sorting, in place; otherwise sort everything.
	byMinute := slices.IsSortedFunc(keys, func(a, b sortKey) int { return cmp.Compare(a.minute, b.minute) })
	var out []row
	if byMinute {
		var tmp []row
		for start := 0; start < len(keys); {
			end := start + 1
			for end < len(keys) && keys[end].minute == keys[start].minute {
				end++
			}
			run := keys[start:end]
			if !slices.IsSortedFunc(run, compare) {
				slices.SortFunc(run, compare)
				tmp = tmp[:0]
				for _, k := range run {
					tmp = append(tmp, rs.rows[k.idx])
				}
				copy(rs.rows[start:end], tmp)
				for n := range run {
					run[n].idx = int32(start + n)
				}
			}
			start = end
		}
		out = rs.rows[:0]
	} else {
		slices.SortFunc(keys, compare)
		out = make([]row, 0, len(rs.rows))
	}
	for i, k := range keys {
		if i > 0 {
			p := keys[i-1]
			if k.minute == p.minute && k.lat == p.lat && k.lon == p.lon && k.pair == p.pair {
				*dups++
				continue
			}
		}
		// In place when sorted by minute: k.idx >= len(out).
		out = append(out, rs.rows[k.idx])
	}
	rs.rows = out
}

// Bound is the bound of every row (Len must be > 0).
func (rs *Rows) Bound() orb.Bound {
	b := orb.Point{rs.rows[0].lon, rs.rows[0].lat}.Bound()
	for i := range rs.rows[1:] {
		r := &rs.rows[i+1]
		b = b.Extend(orb.Point{r.lon, r.lat})
	}
	return b
}

// Len is how many rows there are.
func (rs *Rows) Len() int { return len(rs.rows) }

// Acq is row i's acquisition time.
func (rs *Rows) Acq(i int) time.Time { return unixUTC(rs.rows[i].acq) }

// Point is row i's position.
func (rs *Rows) Point(i int) orb.Point { return orb.Point{rs.rows[i].lon, rs.rows[i].lat} }

// minute is row i's acquisition minute (Unix minutes).
func (rs *Rows) minute(i int) int64 { return rs.rows[i].acq / 60 }

// Drop removes the rows for which drop is true, keeping the order; it
// returns how many it removed.
func (rs *Rows) Drop(drop func(i int) bool) int {
	kept := rs.rows[:0]
	for i := range rs.rows {
		if !drop(i) {
			kept = append(kept, rs.rows[i])
		}
	}
	n := len(rs.rows) - len(kept)
	rs.rows = kept
	return n
}

func unixUTC(s int64) time.Time { return time.Unix(s, 0).UTC() }
