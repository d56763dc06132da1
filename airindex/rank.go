package airindex

import (
	"sort"

	"skygrid"
)

// Rank orders counties by Index, smallest (cleanest) first, and numbers
// them from 1; equal indexes share a rank and the next rank skips (1, 2,
// 2, 4). Counties without an index come last, by id, with Rank 0.
func Rank(cs []*skygrid.CountyAir) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i].Index, cs[j].Index
		switch {
		case a == nil || b == nil:
			if (a == nil) != (b == nil) {
				return b == nil
			}
			return cs[i].CountyID < cs[j].CountyID
		case *a != *b:
			return *a < *b
		}
		return cs[i].CountyID < cs[j].CountyID
	})
	for i, c := range cs {
		switch {
		case c.Index == nil:
			c.Rank = 0
		case i > 0 && cs[i-1].Index != nil && *cs[i-1].Index == *c.Index:
			c.Rank = cs[i-1].Rank
		default:
			c.Rank = i + 1
		}
	}
}

// Change is cur/prev − 1 to four decimals, nil when either is missing or
// prev is 0.
func Change(cur, prev *float64) *float64 {
	if cur == nil || prev == nil || *prev == 0 {
		return nil
	}
	v := Round(*cur / *prev - 1, 4)
	return &v
}
