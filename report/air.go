package report

import (
	"fmt"
	"slices"

	"skygrid"
)

// monthlyAir is the section 环境空气质量排名: the counties by rank of the
// comprehensive index (HJ 663-2013), estimated ones marked with the
// stations they come from.
type monthlyAir struct {
	Rows []monthlyAirRow
	// Notes say which counties are estimated and from which stations, and
	// why a figure is missing.
	Notes []string
}

type monthlyAirRow struct {
	Rank, Name, Index, PM25, PM10, Good, ChangePrev, ChangeYearAgo string
	Estimated                                                      bool
}

// monthlyAirOf is the section of the ranking cs (nil: no section, also
// when no county has a station to draw on: no air data kept here).
func monthlyAirOf(cs []*skygrid.CountyAir) *monthlyAir {
	if !slices.ContainsFunc(cs, func(c *skygrid.CountyAir) bool { return len(c.Stations) > 0 }) {
		return nil
	}
	a := &monthlyAir{}
	for _, c := range cs {
		row := monthlyAirRow{Rank: "—", Name: c.CountyName, Index: airNum(c.Index, "%.2f"), PM25: airNum(c.PM25, "%.0f"),
			PM10: airNum(c.PM10, "%.0f"), Good: "—", ChangePrev: airChange(c.ChangePrev), ChangeYearAgo: airChange(c.ChangeYearAgo),
			Estimated: c.Estimated}
		if c.Rank > 0 {
			row.Rank = fmt.Sprint(c.Rank)
		}
		if c.GoodShare != nil {
			row.Good = pctText(*c.GoodShare)
		}
		a.Rows = append(a.Rows, row)
		if c.Note != "" { // estimated from which stations, or why a figure is missing
			a.Notes = append(a.Notes, c.CountyName+"："+c.Note+"。")
		}
	}
	return a
}

func airNum(v *float64, format string) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprintf(format, *v)
}

// airChange is a relative change as a signed percentage ("—" without).
func airChange(v *float64) string {
	if v == nil {
		return "—"
	}
	return monthlySigned(*v*100, "%")
}
