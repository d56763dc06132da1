package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"skygrid"
)

// Rank is one county's place in the straw-burning ranking.
type Rank struct {
	Rank       int
	RegionID   string
	RegionName string
	// Score is the straw-burning events per 1000 ha of cropland when the
	// county has cropland (PerHa), else the count of them.
	Score float64
	Stats *skygrid.AreaStats
	// Reason is a short Chinese sentence with the figures behind the rank.
	Reason string
}

// PerHa reports whether the score is per 1000 ha of cropland (else it is
// a count of events).
func (r Rank) PerHa() bool { return r.Stats != nil && r.Stats.CroplandHa > 0 }

// Ranking ranks the counties of s, worst first, by their score (see
// Rank.Score); ties go to more unverified tasks, then the higher overdue
// share, then the region id. Events outside every county (region id "")
// are not ranked.
func Ranking(s *skygrid.Stats) []Rank {
	if s == nil {
		return nil
	}
	out := make([]Rank, 0, len(s.Areas))
	for _, a := range s.Areas {
		if a == nil || a.RegionID == "" {
			continue
		}
		name := a.RegionName
		if name == "" {
			name = a.RegionID
		}
		out = append(out, Rank{RegionID: a.RegionID, RegionName: name, Score: rankScore(a), Stats: a, Reason: rankReason(a)})
	}
	slices.SortFunc(out, func(x, y Rank) int {
		if c := cmp.Compare(y.Score, x.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(y.Stats.Unverified, x.Stats.Unverified); c != 0 {
			return c
		}
		if c := cmp.Compare(y.Stats.OverdueShare, x.Stats.OverdueShare); c != 0 {
			return c
		}
		return cmp.Compare(x.RegionID, y.RegionID)
	})
	for i := range out {
		out[i].Rank = i + 1
	}
	return out
}

func rankScore(a *skygrid.AreaStats) float64 {
	n := float64(a.ByClass[skygrid.ClassStrawBurning])
	if a.CroplandHa > 0 {
		return n / a.CroplandHa * 1000
	}
	return n
}

func rankReason(a *skygrid.AreaStats) string {
	var b strings.Builder
	fmt.Fprintf(&b, "疑似秸秆焚烧 %d 起", a.ByClass[skygrid.ClassStrawBurning])
	if a.CroplandHa > 0 {
		fmt.Fprintf(&b, "（每千公顷耕地 %.2f 起）", rankScore(a))
	}
	fmt.Fprintf(&b, "，核实 %d 起", a.ConfirmedStraw)
	if a.Unverified > 0 {
		fmt.Fprintf(&b, "，未核实任务 %d 件", a.Unverified)
	}
	fmt.Fprintf(&b, "，超时率 %s", pctText(a.OverdueShare))
	return b.String()
}

// pctText formats a share (0.2) as "20%", with one decimal when it is
// not a whole percent.
func pctText(share float64) string {
	return trimDotZero(fmt.Sprintf("%.1f", share*100)) + "%"
}

// trimDotZero drops a ".0" decimal.
func trimDotZero(s string) string { return strings.TrimSuffix(s, ".0") }
