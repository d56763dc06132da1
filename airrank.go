package skygrid

import (
	"context"
	"time"
)

// CountyAir is one county's air quality over a month (or a year) by HJ
// 663-2013 (环境空气质量评价技术规范): the evaluated concentrations of the
// six pollutants, the share of good days, and the comprehensive index
// (环境空气质量综合指数). Concentrations in µg/m³, CO in mg/m³; nil when
// the period's data do not meet the standard's capture requirements.
type CountyAir struct {
	CountyID   string `json:"county_id"`
	CountyName string `json:"county_name"`
	// Month is the first day of the month (Beijing) as UTC.
	Month time.Time `json:"month"`
	PM25  *float64  `json:"pm25"`
	PM10  *float64  `json:"pm10"`
	SO2   *float64  `json:"so2"`
	NO2   *float64  `json:"no2"`
	// CO95 is the 95th percentile of daily CO means; O3P90 the 90th
	// percentile of daily maximum 8-hour O3 means.
	CO95  *float64 `json:"co_95"`
	O3P90 *float64 `json:"o3_8h_90"`
	// ValidDays are days with a valid daily AQI; GoodDays those with AQI
	// at most 100 (优良); GoodShare = GoodDays / ValidDays.
	ValidDays int      `json:"valid_days"`
	GoodDays  int      `json:"good_days"`
	GoodShare *float64 `json:"good_share"`
	// Index is the 综合指数 (sum of the six single indexes); Rank from 1
	// (cleanest, smallest index); 0 when not ranked (no valid index).
	Index *float64 `json:"index"`
	Rank  int      `json:"rank"`
	// PrevIndex and YearAgoIndex are the index of the previous month and
	// of the same month a year before; Change* the relative change
	// (index/prev - 1), nil when either is missing.
	PrevIndex     *float64 `json:"prev_index"`
	YearAgoIndex  *float64 `json:"year_ago_index"`
	ChangePrev    *float64 `json:"change_prev"`
	ChangeYearAgo *float64 `json:"change_year_ago"`
	// Estimated: the county has no station of its own; Stations name the
	// stations its figures come from (its own, or the nearest within
	// [air] nearest_km, or all the city's).
	Estimated bool     `json:"estimated"`
	Stations  []string `json:"stations"`
	// Note says, in Chinese, why a figure is missing or estimated.
	Note string `json:"note,omitempty"`
}

// AirRankingService computes the counties' monthly air-quality ranking
// (plan §32) from the stations' hours.
type AirRankingService interface {
	// CountyAirRanking returns every county of the city for the month
	// holding t (Beijing), ranked by Index, with the previous month's and
	// the year-ago month's index.
	CountyAirRanking(ctx context.Context, month time.Time) ([]*CountyAir, error)
}
