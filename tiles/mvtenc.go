package tiles

import (
	"encoding/binary"
	"math"
	"slices"
	"strconv"
	"sync"
)

// mvtEnc writes one Mapbox vector tile layer straight to protobuf bytes
// (spec 2.1): keys and values kept once each, features appended as they
// come. It replaces orb/encoding/mvt's path for drawing tiles (GeoJSON
// features with a map of properties each, a second copy as protobuf
// structs, then marshalling), which spent most of a tile's time
// allocating (docs/PERFORMANCE.md, issue 17). One encoder is reused from a
// pool; orb still decodes the tiles in the tests.
type mvtEnc struct {
	feats []byte // encoded features (field 2 of the layer)
	vals  []byte // encoded values (field 4 of the layer)
	keys  []string
	nvals uint32
	// the values written so far, by kind
	ints   map[int64]uint32
	floats map[uint64]uint32
	strs   map[string]uint32
	bools  [2]uint32 // index+1; 0: not written
	keyIdx map[string]uint32
	// one feature's tags and geometry commands
	tags, geom []uint32
}

var encPool = sync.Pool{New: func() any {
	return &mvtEnc{ints: map[int64]uint32{}, floats: map[uint64]uint32{}, strs: map[string]uint32{}, keyIdx: map[string]uint32{}}
}}

func getEnc() *mvtEnc {
	e := encPool.Get().(*mvtEnc)
	e.feats, e.vals, e.keys, e.nvals, e.bools = e.feats[:0], e.vals[:0], e.keys[:0], 0, [2]uint32{}
	clear(e.ints)
	clear(e.floats)
	clear(e.strs)
	clear(e.keyIdx)
	return e
}

func (e *mvtEnc) release() {
	if cap(e.feats) > 4<<20 || len(e.ints) > 1<<16 {
		return // a z10 tile's buffers: not kept for the small ones
	}
	encPool.Put(e)
}

// Geometry types and commands (spec 4.3).
const (
	geomPoint   = 1
	geomLine    = 2
	geomPolygon = 3
	cmdMoveTo   = 1
	cmdLineTo   = 2
	cmdClose    = 7
)

func cmd(id, count uint32) uint32 { return id&7 | count<<3 }

func zigzag(v int32) uint32 { return uint32((v << 1) ^ (v >> 31)) }

// key returns the index of a key, adding it the first time.
func (e *mvtEnc) key(k string) uint32 {
	if i, ok := e.keyIdx[k]; ok {
		return i
	}
	i := uint32(len(e.keys))
	e.keys = append(e.keys, k)
	e.keyIdx[k] = i
	return i
}

// value appends one Value message holding field f, written by put.
func (e *mvtEnc) value(f byte, put func([]byte) []byte) uint32 {
	start := len(e.vals)
	e.vals = append(e.vals, 4<<3|2, 0) // the length patched below (values are short)
	e.vals = append(e.vals, f)
	e.vals = put(e.vals)
	e.vals[start+1] = byte(len(e.vals) - start - 2)
	e.nvals++
	return e.nvals - 1
}

func (e *mvtEnc) intVal(v int64) uint32 {
	if i, ok := e.ints[v]; ok {
		return i
	}
	i := e.value(6<<3, func(b []byte) []byte { return binary.AppendUvarint(b, uint64((v<<1)^(v>>63))) })
	e.ints[v] = i
	return i
}

func (e *mvtEnc) floatVal(v float64) uint32 {
	bits := math.Float64bits(v)
	if i, ok := e.floats[bits]; ok {
		return i
	}
	i := e.value(3<<3|1, func(b []byte) []byte { return binary.LittleEndian.AppendUint64(b, bits) })
	e.floats[bits] = i
	return i
}

func (e *mvtEnc) strVal(s string) uint32 {
	if i, ok := e.strs[s]; ok {
		return i
	}
	if len(s) > 100 {
		// Long text: a length of more than one byte.
		e.vals = append(e.vals, 4<<3|2)
		e.vals = binary.AppendUvarint(e.vals, uint64(len(s)+1+len(binary.AppendUvarint(nil, uint64(len(s))))))
		e.vals = append(e.vals, 1<<3|2)
		e.vals = binary.AppendUvarint(e.vals, uint64(len(s)))
		e.vals = append(e.vals, s...)
		e.nvals++
		e.strs[s] = e.nvals - 1
		return e.nvals - 1
	}
	i := e.value(1<<3|2, func(b []byte) []byte { return append(binary.AppendUvarint(b, uint64(len(s))), s...) })
	e.strs[s] = i
	return i
}

func (e *mvtEnc) boolVal(v bool) uint32 {
	k := 0
	if v {
		k = 1
	}
	if e.bools[k] == 0 {
		e.bools[k] = e.value(7<<3, func(b []byte) []byte { return append(b, byte(k)) }) + 1
	}
	return e.bools[k] - 1
}

// tag adds a property of the feature being built; values of other types
// than orb's encoder takes are left out.
func (e *mvtEnc) tag(k string, v any) {
	var vi uint32
	switch v := v.(type) {
	case string:
		vi = e.strVal(v)
	case int:
		vi = e.intVal(int64(v))
	case int64:
		vi = e.intVal(v)
	case int32:
		vi = e.intVal(int64(v))
	case float64:
		vi = e.floatVal(v)
	case float32:
		vi = e.floatVal(float64(v))
	case bool:
		vi = e.boolVal(v)
	default:
		return
	}
	e.tags = append(e.tags, e.key(k), vi)
}

// feature appends the feature built in tags and geom, with an id when
// hasID.
func (e *mvtEnc) feature(id uint64, hasID bool, typ uint32) {
	var n int
	if hasID {
		n += 1 + uvarintLen(id)
	}
	tl, gl := packedLen(e.tags), packedLen(e.geom)
	if len(e.tags) > 0 {
		n += 1 + uvarintLen(uint64(tl)) + tl
	}
	n += 2 + 1 + uvarintLen(uint64(gl)) + gl
	b := append(e.feats, 2<<3|2)
	b = binary.AppendUvarint(b, uint64(n))
	if hasID {
		b = binary.AppendUvarint(append(b, 1<<3), id)
	}
	if len(e.tags) > 0 {
		b = appendPacked(binary.AppendUvarint(append(b, 2<<3|2), uint64(tl)), e.tags)
	}
	b = append(b, 3<<3, byte(typ), 4<<3|2)
	b = appendPacked(binary.AppendUvarint(b, uint64(gl)), e.geom)
	e.feats = b
	e.tags, e.geom = e.tags[:0], e.geom[:0]
}

// point appends a point feature at tile coordinates x, y.
func (e *mvtEnc) point(x, y int32) {
	e.geom = append(e.geom, cmd(cmdMoveTo, 1), zigzag(x), zigzag(y))
}

// idOf is a feature id as orb writes it: integers, and strings that are
// whole numbers.
func idOf(v any) (uint64, bool) {
	switch v := v.(type) {
	case int64:
		return uint64(v), v >= 0
	case int:
		return uint64(v), v >= 0
	case string:
		n, err := strconv.ParseUint(v, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// layer appends the finished layer, as a tile of one layer, to out; out
// is unchanged when the layer has no feature.
func (e *mvtEnc) layer(out []byte, name string) []byte {
	if len(e.feats) == 0 {
		return out
	}
	n := 2 + 1 + uvarintLen(uint64(len(name))) + len(name) + len(e.feats) + len(e.vals) + 3 // version, name, extent
	for _, k := range e.keys {
		n += 1 + uvarintLen(uint64(len(k))) + len(k)
	}
	out = slices.Grow(out, 1+uvarintLen(uint64(n))+n) // one allocation (a zoom-10 tile is a megabyte)
	out = binary.AppendUvarint(append(out, 3<<3|2), uint64(n))
	out = append(out, 15<<3, 2) // version 2
	out = append(binary.AppendUvarint(append(out, 1<<3|2), uint64(len(name))), name...)
	out = append(out, e.feats...)
	for _, k := range e.keys {
		out = append(binary.AppendUvarint(append(out, 3<<3|2), uint64(len(k))), k...)
	}
	out = append(out, e.vals...)
	return append(out, 5<<3, 0x80, 0x20) // extent 4096
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

func packedLen(vs []uint32) int {
	n := 0
	for _, v := range vs {
		n += uvarintLen(uint64(v))
	}
	return n
}

func appendPacked(b []byte, vs []uint32) []byte {
	for _, v := range vs {
		b = binary.AppendUvarint(b, uint64(v))
	}
	return b
}
