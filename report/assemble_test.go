package report_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"skygrid"
	"skygrid/report"
)

// monthStats answers BuildMonthly with plain values and keeps the
// queries it was asked.
type monthStats struct {
	asked []skygrid.StatsQuery
	fail  error
	// counties and cities are the areas by county and by city (nil: 浑源县
	// alone, no city).
	counties, cities []*skygrid.AreaStats
	// finer: the store groups by county what is asked by city (an area
	// finer than a city: a city bureau's counties).
	finer bool
}

func (m *monthStats) Stats(_ context.Context, q skygrid.StatsQuery) (*skygrid.Stats, error) {
	m.asked = append(m.asked, q)
	total := &skygrid.AreaStats{RegionName: "全市", Events: 3}
	areas := m.counties
	if areas == nil {
		areas = []*skygrid.AreaStats{{RegionID: "140225", RegionName: "浑源县", Events: 3}}
	}
	if q.By == skygrid.ByCity && m.finer {
		q.By = skygrid.ByCounty
	} else if q.By == skygrid.ByCity {
		areas = m.cities
	}
	return &skygrid.Stats{Query: q, Total: total, Areas: areas}, m.fail
}

func (m *monthStats) Series(_ context.Context, q skygrid.StatsQuery) (*skygrid.StatsSeries, error) {
	m.asked = append(m.asked, q)
	return &skygrid.StatsSeries{ReportMinutes: []float64{12, 40},
		Days: []skygrid.DayClasses{{Day: "2023-10-01", ByClass: map[string]int{skygrid.ClassStrawBurning: 2}}, {Day: "2023-10-02"}}}, nil
}

func TestBuildMonthly(t *testing.T) {
	now := time.Date(2023, 11, 2, 1, 0, 0, 0, time.UTC)
	scope := &skygrid.Scope{Regions: []string{"140225"}}
	for _, tc := range []struct {
		name, month string
		code        string // "" for a report
	}{
		{"October 2023", "2023-10", ""},
		{"February of a leap year", "2024-02", ""},
		{"a day", "2023-10-05", skygrid.EINVALID},
		{"a year", "2023", skygrid.EINVALID},
		{"not a month", "October", skygrid.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &monthStats{}
			m, err := report.BuildMonthly(context.Background(), st, scope, tc.month, now, true)
			if tc.code != "" {
				if skygrid.ErrorCode(err) != tc.code || len(st.asked) != 0 {
					t.Fatalf("err %v after %d queries, want %s before any", err, len(st.asked), tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range st.asked {
				if q.By != skygrid.ByCounty || q.Scope != scope || !q.Since.Equal(m.Month) || q.Until.Sub(q.Since) < 28*24*time.Hour {
					t.Errorf("asked %+v: want the month by county in the scope", q)
				}
			}
			if m.Month.In(skygrid.Beijing).Format("2006-01 15:04") != tc.month+" 00:00" || !m.Generated.Equal(now) || !m.Demo {
				t.Errorf("month %v generated %v demo %v", m.Month, m.Generated, m.Demo)
			}
			if len(m.Daily) != 2 || m.Daily[0].Day.In(skygrid.Beijing).Format("2006-01-02") != "2023-10-01" || m.Daily[0].ByClass[skygrid.ClassStrawBurning] != 2 {
				t.Errorf("daily %+v", m.Daily)
			}
			if len(m.Ranking) != 1 || m.Ranking[0].RegionID != "140225" || len(m.ResponseMinutes) != 2 {
				t.Errorf("ranking %+v, minutes %v", m.Ranking, m.ResponseMinutes)
			}
		})
	}
}

func TestBuildMonthlyStatsError(t *testing.T) {
	boom := errors.New("disk gone")
	if _, err := report.BuildMonthly(context.Background(), &monthStats{fail: boom}, nil, "2023-10", time.Now(), false); !errors.Is(err, boom) {
		t.Errorf("err %v, want the store's", err)
	}
}

// A province's report ranks its cities too; a city's (its counties under
// no city, or one) does not, nor one whose figures the store would not
// give by city (an area finer than a city: its counties' rows were
// ranked as cities).
func TestBuildMonthlyCities(t *testing.T) {
	counties := []*skygrid.AreaStats{{RegionID: "SX-1402-01", RegionName: "示例1县", Events: 3}, {RegionID: "SX-1405-01", RegionName: "示例2县", Events: 1}}
	for _, tc := range []struct {
		name   string
		cities []*skygrid.AreaStats
		finer  bool
		want   int
	}{
		{"an area finer than a city", nil, true, 0},
		{"two cities", []*skygrid.AreaStats{{RegionID: "SX-1402", RegionName: "大同市（示例）", Events: 3}, {RegionID: "SX-1405", RegionName: "晋城市（示例）", Events: 1}}, false, 2},
		{"one city", []*skygrid.AreaStats{{RegionID: "SX-1402", RegionName: "大同市（示例）", Events: 4}}, false, 0},
		{"no city", []*skygrid.AreaStats{{RegionID: "", RegionName: "未落入地市", Events: 4}}, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := report.BuildMonthly(context.Background(), &monthStats{counties: counties, cities: tc.cities, finer: tc.finer}, nil, "2023-10", time.Now(), false)
			if err != nil || len(m.Cities) != tc.want || len(m.Ranking) != 2 {
				t.Fatalf("%v: %d cities ranked, %d counties; want %d and 2", err, len(m.Cities), len(m.Ranking), tc.want)
			}
		})
	}
}
