package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sync"

	"skygrid"
	"skygrid/geo"

	"github.com/paulmach/orb"
)

// placeCache keeps where the dust monitors were placed (placeAll) at one
// version of the regions layer: a monitor at the same point stays in the
// same regions until the regions change, and every change of the regions
// raises that version in its own transaction (bumpLayers in
// ImportRegions), on every server sharing the store. A monitor not kept,
// or kept at another point (moved), is placed again.
type placeCache struct {
	mu      sync.Mutex
	version int64
	at      map[int64]placedAt
}

// placedAt is a monitor's place and the point it was placed at.
type placedAt struct {
	pt orb.Point
	p  placed
}

// placeMonitors places the points (monitor ids) as placeAll does, taking
// the places kept at the regions' current version and placing only the
// others. The version is read before the regions: on PostgreSQL (read
// committed) a change committed in between makes the places newer than
// their version, never older, and a reader of the new version finds
// them kept at the old one and places again.
func placeMonitors(ctx context.Context, tx *Tx, pts map[int64]orb.Point) (map[int64]placed, error) {
	var version int64
	if err := tx.QueryRowContext(ctx, `SELECT version FROM layer_versions WHERE layer = ?`, skygrid.LayerRegions).Scan(&version); err != nil {
		return nil, fmt.Errorf("dust stats: the regions' version: %w", err)
	}
	c := &tx.db.places
	out := make(map[int64]placed, len(pts))
	todo := map[int64]orb.Point{}
	c.mu.Lock()
	for id, pt := range pts {
		if e, ok := c.at[id]; ok && c.version == version && e.pt == pt {
			out[id] = e.p
		} else {
			todo[id] = pt
		}
	}
	c.mu.Unlock()
	if len(todo) == 0 {
		return out, nil
	}
	got, err := placeAll(ctx, tx, todo)
	if err != nil {
		return nil, err
	}
	at := make(map[int64]placedAt, len(pts))
	for id, pt := range pts {
		if _, ok := todo[id]; ok {
			out[id] = got[id] // the zero place where no region holds it
		}
		at[id] = placedAt{pt: pt, p: out[id]}
	}
	c.mu.Lock()
	c.version, c.at = version, at
	c.mu.Unlock()
	return out, nil
}

// placeAll finds the county, township and grid holding each point: at
// each level the first region in id order whose polygon holds it. The
// regions' bounds are read first and matched to the points through a
// bucket grid of the points; only the regions whose bound holds a point
// are read with their polygons (a province's 50,000 grids are not all
// decoded for 5,000 monitors), each decoded once and tested with its
// rings' bounds worked out once (geo.Shape).
func placeAll(ctx context.Context, tx *Tx, pts map[int64]orb.Point) (map[int64]placed, error) {
	out := make(map[int64]placed, len(pts))
	buckets := map[[2]int][]int64{}
	for id, p := range pts {
		k := placeBucket(p)
		buckets[k] = append(buckets[k], id)
	}
	for _, level := range []string{skygrid.LevelCounty, skygrid.LevelTownship, skygrid.LevelGrid} {
		cands, err := placeCandidates(ctx, tx, level, pts, buckets)
		if err != nil {
			return nil, err
		}
		if len(cands) == 0 {
			continue
		}
		ids := make([]string, 0, len(cands))
		for id := range cands {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		list, _ := json.Marshal(ids)
		done := map[int64]bool{}
		_, err = queryList(ctx, tx, &listQuery{what: "dust stats: region polygons", from: `SELECT r.id, r.geom FROM regions r`,
			conds: []string{"r.id IN (" + tx.db.jsonTexts() + ")"}, args: []any{string(list)}, order: " ORDER BY r.id"},
			func(rows *sql.Rows) (struct{}, error) { // in id order: the first holding a point wins
				var id string
				var wkb []byte
				if err := rows.Scan(&id, &wkb); err != nil {
					return struct{}{}, fmt.Errorf("read a region polygon: %w", err)
				}
				g, err := decodeGeom(wkb)
				if err != nil {
					return struct{}{}, fmt.Errorf("region %s: geometry: %w", id, err)
				}
				shape := geo.NewShape(toMultiPolygon(g))
				for _, pid := range cands[id] {
					if !done[pid] && shape.Contains(pts[pid]) {
						done[pid] = true
						out[pid] = out[pid].at(level, id)
					}
				}
				return struct{}{}, nil
			})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// placeCell is the side of placeAll's point buckets, in degrees.
const placeCell = 0.05

func placeBucket(p orb.Point) [2]int {
	return [2]int{int(math.Floor(p[0] / placeCell)), int(math.Floor(p[1] / placeCell))}
}

// placeCandidates reads the bounds of a level's regions and returns, by
// region id, the points (ids) inside each bound.
func placeCandidates(ctx context.Context, tx *Tx, level string, pts map[int64]orb.Point, buckets map[[2]int][]int64) (map[string][]int64, error) {
	out := map[string][]int64{}
	_, err := queryList(ctx, tx, &listQuery{what: "dust stats: region bounds", from: `SELECT id, min_lon, min_lat, max_lon, max_lat FROM regions`,
		conds: []string{"level = ?", "neighbour = 0"}, args: []any{level}}, func(rows *sql.Rows) (struct{}, error) {
		var id string
		var b orb.Bound
		if err := rows.Scan(&id, &b.Min[0], &b.Min[1], &b.Max[0], &b.Max[1]); err != nil {
			return struct{}{}, fmt.Errorf("read a region bound: %w", err)
		}
		lo, hi := placeBucket(b.Min), placeBucket(b.Max)
		for x := lo[0]; x <= hi[0]; x++ {
			for y := lo[1]; y <= hi[1]; y++ {
				for _, pid := range buckets[[2]int{x, y}] {
					if b.Contains(pts[pid]) {
						out[id] = append(out[id], pid)
					}
				}
			}
		}
		return struct{}{}, nil
	})
	return out, err
}
