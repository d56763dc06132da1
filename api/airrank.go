package api

import (
	"context"
	"net/http"
	"time"

	"skygrid"

	"github.com/labstack/echo/v4"
)

// airRanking is the ranking service, or 404 when none is served.
func (s *Server) airRanking() (skygrid.AirRankingService, error) {
	if s.AirRanking == nil {
		return nil, skygrid.Errorf(skygrid.ENOTFOUND, "the air-quality ranking is not served here")
	}
	return s.AirRanking, nil
}

// GET /api/air/ranking?month=2026-11 (reviewers): the counties' air-quality
// ranking of the month (HJ 663-2013), with the previous month's and the
// year-ago month's index. Without month: the current month (Beijing), or
// the previous one while the current ranks no county (a month needs 27
// valid days).
func (s *Server) handleAirRanking(c echo.Context) error {
	out, err := s.airRankingOf(c.Request().Context(), c.QueryParam("month"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// GET /public/api/ranking?month=: the same list on the public page; it
// holds nothing personal (counties, figures, station names).
func (s *Server) handlePublicRanking(c echo.Context) error {
	return s.handleAirRanking(c)
}

func (s *Server) airRankingOf(ctx context.Context, month string) (*AirRankingAnswer, error) {
	svc, err := s.airRanking()
	if err != nil {
		return nil, err
	}
	at := s.now().In(skygrid.Beijing)
	if month != "" {
		if at, err = time.ParseInLocation("2006-01", month, skygrid.Beijing); err != nil {
			return nil, skygrid.Errorf(skygrid.EINVALID, "month %q: want YYYY-MM", month)
		}
	}
	cs, err := svc.CountyAirRanking(ctx, at)
	if err != nil {
		return nil, err
	}
	if month == "" && !anyRanked(cs) {
		at = time.Date(at.Year(), at.Month(), 1, 0, 0, 0, 0, skygrid.Beijing).AddDate(0, -1, 0)
		if cs, err = svc.CountyAirRanking(ctx, at); err != nil {
			return nil, err
		}
	}
	if cs == nil {
		cs = []*skygrid.CountyAir{}
	}
	return &AirRankingAnswer{Counties: cs, Demo: s.Demo, Month: at.Format("2006-01")}, nil
}

func anyRanked(cs []*skygrid.CountyAir) bool {
	for _, c := range cs {
		if c.Rank > 0 {
			return true
		}
	}
	return false
}
