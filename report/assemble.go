package report

import (
	"context"
	"time"

	"skygrid"
)

// BuildMonthly assembles a month's printable report (RenderMonthly) from
// the statistics of the month ("YYYY-MM", Beijing) by county, in scope
// (nil: the whole city). It is shared by `skygrid report --format html`
// and GET /api/reports/monthly; stats is the store, seen through the root
// package's interface. EINVALID when month is not a month.
func BuildMonthly(ctx context.Context, stats skygrid.StatsService, scope *skygrid.Scope, month string, now time.Time, demo bool) (*Monthly, error) {
	per, err := ParsePeriod(month, nil)
	if err != nil {
		return nil, err
	}
	if per.Until.Sub(per.Since) < 27*24*time.Hour || per.Until.Sub(per.Since) > 32*24*time.Hour {
		return nil, skygrid.Errorf(skygrid.EINVALID, "month %q: want YYYY-MM", month)
	}
	q := skygrid.StatsQuery{Since: per.Since, Until: per.Until, By: skygrid.ByCounty, Scope: scope}
	st, err := stats.Stats(ctx, q)
	if err != nil {
		return nil, err
	}
	sr, err := stats.Series(ctx, q)
	if err != nil {
		return nil, err
	}
	m := &Monthly{Month: per.Since, Stats: st, Ranking: Ranking(st), Generated: now, Demo: demo,
		ResponseMinutes: sr.ReportMinutes, Confirmed: sr.Confirmed}
	if m.Cities, err = cityRanking(ctx, stats, q, len(m.Ranking)); err != nil {
		return nil, err
	}
	// The store computes the dust figures too: the dust section.
	if ds, ok := stats.(skygrid.DustStatsService); ok {
		if m.Dust, err = ds.DustStats(ctx, skygrid.DustQuery{Since: per.Since, Until: per.Until, Scope: scope}); err != nil {
			return nil, err
		}
	}
	for _, d := range sr.Days {
		day, err := time.ParseInLocation("2006-01-02", d.Day, skygrid.Beijing)
		if err != nil {
			return nil, err
		}
		m.Daily = append(m.Daily, DayCount{Day: day, ByClass: d.ByClass})
	}
	return m, nil
}

// cityRanking is the month's ranking of the cities when the counties
// ranked (there are several) lie in two cities or more: a province's
// report. Nil otherwise (a city's counties, an official's one, an area
// the store groups finer than by city).
func cityRanking(ctx context.Context, stats skygrid.StatsService, q skygrid.StatsQuery, counties int) ([]Rank, error) {
	if counties < 2 {
		return nil, nil
	}
	q.By = skygrid.ByCity
	st, err := stats.Stats(ctx, q)
	if err != nil {
		return nil, err
	}
	if r := Ranking(st); len(r) >= 2 && st.Query.By == skygrid.ByCity {
		return r, nil
	}
	return nil, nil
}
