package api

import (
	"math"
	"strconv"
	"strings"
	"time"

	"skygrid"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
)

// params reads query parameters, collecting the first error.
type params struct {
	c   echo.Context
	err error
}

func (p *params) fail(name, format string, args ...any) {
	if p.err == nil {
		p.err = skygrid.Errorf(skygrid.EINVALID, "query parameter %s: "+format, append([]any{name}, args...)...)
	}
}

func (p *params) str(name string) *string {
	v := strings.TrimSpace(p.c.QueryParam(name))
	if v == "" {
		return nil
	}
	return &v
}

// bbox reads west,south,east,north.
func (p *params) bbox(name string) *orb.Bound {
	v := p.str(name)
	if v == nil {
		return nil
	}
	parts := strings.Split(*v, ",")
	if len(parts) != 4 {
		p.fail(name, "want west,south,east,north, got %q", *v)
		return nil
	}
	var f [4]float64
	for i, s := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(x) {
			p.fail(name, "not a number: %q", s)
			return nil
		}
		f[i] = x
	}
	if f[0] > f[2] || f[1] > f[3] || f[0] < -180 || f[2] > 180 || f[1] < -90 || f[3] > 90 {
		p.fail(name, "want west<=east and south<=north within -180..180, -90..90, got %q", *v)
		return nil
	}
	return &orb.Bound{Min: orb.Point{f[0], f[1]}, Max: orb.Point{f[2], f[3]}}
}

// time reads RFC 3339 or a date (YYYY-MM-DD, midnight Asia/Shanghai).
func (p *params) time(name string) *time.Time {
	v := p.str(name)
	if v == nil {
		return nil
	}
	t, err := ParseTime(*v)
	if err != nil {
		p.fail(name, "%v", err)
		return nil
	}
	return &t
}

// ParseTime reads RFC 3339 ("2023-10-24T05:00:00Z") or a date, taken as
// midnight in Asia/Shanghai ("2023-10-24").
func ParseTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	loc := skygrid.Beijing
	if t, err := time.ParseInLocation("2006-01-02", v, loc); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04", v, loc); err == nil {
		return t, nil
	}
	return time.Time{}, skygrid.Errorf(skygrid.EINVALID, "want a time like 2023-10-24T05:00:00Z or a date like 2023-10-24, got %q", v)
}

func (p *params) intv(name string, def, max int) int {
	v := p.str(name)
	if v == nil {
		return def
	}
	n, err := strconv.Atoi(*v)
	if err != nil || n < 0 {
		p.fail(name, "want a whole number >= 0, got %q", *v)
		return def
	}
	if max > 0 && n > max {
		p.fail(name, "at most %d, got %d", max, n)
		return def
	}
	return n
}

func (p *params) oneOf(name string, allowed []string) *string {
	v := p.str(name)
	if v == nil {
		return nil
	}
	for _, a := range allowed {
		if a == *v {
			return v
		}
	}
	p.fail(name, "want one of %s, got %q", strings.Join(allowed, ", "), *v)
	return nil
}

// optBool reads true or false; nil when absent.
func (p *params) optBool(name string) *bool {
	if p.str(name) == nil {
		return nil
	}
	b := p.boolv(name, false)
	return &b
}

func (p *params) boolv(name string, def bool) bool {
	v := p.str(name)
	if v == nil {
		return def
	}
	b, err := strconv.ParseBool(*v)
	if err != nil {
		p.fail(name, "want true or false, got %q", *v)
		return def
	}
	return b
}
