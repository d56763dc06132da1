package report

import (
	"fmt"
	"strings"
	"time"

	"skygrid"
)

// Period is a named time range [Since, Until).
type Period struct {
	Name         string    `json:"name"`
	Since, Until time.Time `json:"-"`
}

// ParsePeriod reads a period: "2023-10" (a month), "2023-W43" (an ISO
// week), "2023-10-24" (a day), "2023" (a year), "2023-spring" or
// "2023-autumn" (the key periods), or "SINCE..UNTIL" (dates, until
// excluded). Days are skygrid.Beijing days.
func ParsePeriod(s string, keys []skygrid.KeyPeriod) (Period, error) {
	if len(keys) == 0 {
		keys = skygrid.DefaultKeyPeriods
	}
	s = strings.TrimSpace(s)
	day := func(v string) (time.Time, error) { return time.ParseInLocation("2006-01-02", v, skygrid.Beijing) }
	if a, b, ok := strings.Cut(s, ".."); ok {
		since, err1 := day(a)
		until, err2 := day(b)
		if err1 != nil || err2 != nil || !until.After(since) {
			return Period{}, skygrid.Errorf(skygrid.EINVALID, "period %q: want SINCE..UNTIL as dates, until after since", s)
		}
		return Period{Name: s, Since: since, Until: until}, nil
	}
	if t, err := time.ParseInLocation("2006-01", s, skygrid.Beijing); err == nil {
		return Period{Name: t.Format("2006年1月"), Since: t, Until: t.AddDate(0, 1, 0)}, nil
	}
	if t, err := day(s); err == nil {
		return Period{Name: t.Format("2006年1月2日"), Since: t, Until: t.AddDate(0, 0, 1)}, nil
	}
	var year, week int
	if n, _ := fmt.Sscanf(s, "%d-W%d", &year, &week); n == 2 && week >= 1 && week <= 53 {
		// 28 December is always in the year's last ISO week.
		if _, last := time.Date(year, 12, 28, 0, 0, 0, 0, skygrid.Beijing).ISOWeek(); week > last {
			return Period{}, skygrid.Errorf(skygrid.EINVALID, "period %q: %d has %d ISO weeks", s, year, last)
		}
		// ISO week: the week holding 4 January is week 1; weeks start Monday.
		jan4 := time.Date(year, 1, 4, 0, 0, 0, 0, skygrid.Beijing)
		monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)).AddDate(0, 0, 7*(week-1))
		return Period{Name: fmt.Sprintf("%d年第%d周", year, week), Since: monday, Until: monday.AddDate(0, 0, 7)}, nil
	}
	if y, name, ok := strings.Cut(s, "-"); ok {
		var yy int
		if _, err := fmt.Sscanf(y, "%d", &yy); err == nil {
			for i, k := range keys {
				if name == []string{"spring", "autumn"}[min(i, 1)] || name == k.Name {
					since, err1 := time.ParseInLocation("2006-01-02", fmt.Sprintf("%d-%s", yy, k.Start), skygrid.Beijing)
					end, err2 := time.ParseInLocation("2006-01-02", fmt.Sprintf("%d-%s", yy, k.End), skygrid.Beijing)
					if err1 != nil || err2 != nil {
						return Period{}, skygrid.Errorf(skygrid.EINVALID, "key period %s: bad dates %s..%s", k.Name, k.Start, k.End)
					}
					return Period{Name: fmt.Sprintf("%d年%s", yy, k.Name), Since: since, Until: end.AddDate(0, 0, 1)}, nil
				}
			}
		}
	}
	if t, err := time.ParseInLocation("2006", s, skygrid.Beijing); err == nil {
		return Period{Name: t.Format("2006年"), Since: t, Until: t.AddDate(1, 0, 0)}, nil
	}
	return Period{}, skygrid.Errorf(skygrid.EINVALID, "period %q: want 2023-10, 2023-W43, 2023-10-24, 2023, 2023-spring, 2023-autumn or 2023-10-01..2023-11-01", s)
}
