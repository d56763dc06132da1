package skygrid_test

import (
	"testing"
	"time"

	"skygrid"
)

func TestYearBefore(t *testing.T) {
	bj := skygrid.Beijing
	for _, c := range []struct{ in, want time.Time }{
		{time.Date(2024, 2, 29, 0, 0, 0, 0, bj), time.Date(2023, 2, 28, 0, 0, 0, 0, bj)},
		{time.Date(2024, 3, 1, 0, 0, 0, 0, bj), time.Date(2023, 3, 1, 0, 0, 0, 0, bj)},
		{time.Date(2023, 10, 24, 8, 30, 0, 0, bj), time.Date(2022, 10, 24, 8, 30, 0, 0, bj)},
		{time.Date(2025, 2, 28, 0, 0, 0, 0, bj), time.Date(2024, 2, 28, 0, 0, 0, 0, bj)},
	} {
		if got := skygrid.YearBefore(c.in); !got.Equal(c.want) {
			t.Errorf("YearBefore(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
