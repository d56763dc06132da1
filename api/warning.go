package api

import (
	"net/http"
	"slices"
	"time"

	"skygrid"

	"github.com/labstack/echo/v4"
)

// warnings is the warning service or 404.
func (s *Server) warnings() (skygrid.WarningService, error) {
	if s.Warnings == nil {
		return nil, skygrid.Errorf(skygrid.ENOTFOUND, "heavy-pollution warnings are not available on this server")
	}
	return s.Warnings, nil
}

// warningID is the warning service and the path's warning id.
func (s *Server) warningID(c echo.Context) (skygrid.WarningService, int64, error) {
	ws, err := s.warnings()
	if err != nil {
		return nil, 0, err
	}
	id, err := pathID(c, "warning")
	return ws, id, err
}

// GET /api/warnings[?state=issued|active|lifted]: every warning, the
// latest first (every role).
func (s *Server) handleWarnings(c echo.Context) error {
	ws, err := s.warnings()
	if err != nil {
		return err
	}
	f := skygrid.WarningFilter{Limit: 200}
	if st := c.QueryParam("state"); st != "" {
		if !slices.Contains([]string{skygrid.WarningIssued, skygrid.WarningActive, skygrid.WarningLifted}, st) {
			return skygrid.Errorf(skygrid.EINVALID, "state %s: want issued, active or lifted", skygrid.Clip(st))
		}
		f.State = &st
	}
	list, err := ws.FindWarnings(c.Request().Context(), f)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*skygrid.Warning{}
	}
	counties, err := s.scopeCounties(c)
	if err != nil {
		return err
	}
	for _, w := range list {
		w.InArea = counties == nil || len(w.CountyIDs) == 0 || slices.ContainsFunc(w.CountyIDs, func(id string) bool { return counties[id] })
	}
	return c.JSON(http.StatusOK, WarningList{Warnings: list})
}

// GET /api/warnings/:id: the warning with its report's figures (every
// role, in the user's own area, as its report is read).
func (s *Server) handleWarning(c echo.Context) error {
	ws, id, err := s.warningID(c)
	if err != nil {
		return err
	}
	f, err := s.warningFiguresOf(c, ws, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, f)
}

// warningFiguresOf are a warning's figures in the user's area: its
// counties that are theirs (forbidden when none is), all for a city-wide
// user.
func (s *Server) warningFiguresOf(c echo.Context, ws skygrid.WarningService, id int64) (*skygrid.WarningFigures, error) {
	f, err := ws.WarningFigures(c.Request().Context(), id, s.now())
	if err != nil {
		return nil, err
	}
	counties, err := s.scopeCounties(c)
	if err != nil || counties == nil {
		return f, err
	}
	if f = warningFiguresIn(f, counties); f == nil {
		return nil, forbidden("the area of warning " + c.Param("id"))
	}
	return f, nil
}

// WarningRequest issues a warning (POST /api/warnings): level in English
// or Chinese, county ids (none: the whole city), times in RFC 3339.
type WarningRequest struct {
	Level        string    `json:"level"`
	CountyIDs    []string  `json:"county_ids"`
	Start        time.Time `json:"start"`
	ExpectedEnd  time.Time `json:"expected_end"`
	Reason       string    `json:"reason"`
	PublicAdvice string    `json:"public_advice"`
}

// POST /api/warnings (admins and auditors): issue a warning.
func (s *Server) handleIssueWarning(c echo.Context) error {
	ws, err := s.warnings()
	if err != nil {
		return err
	}
	var req WarningRequest
	if err := bindJSON(c, &req, `{"level", "county_ids", "start", "expected_end", "reason", "public_advice"}`); err != nil {
		return err
	}
	level, err := skygrid.ParseWarningLevel(req.Level)
	if err != nil {
		return err
	}
	if len(req.CountyIDs) > 100 {
		return skygrid.Errorf(skygrid.EINVALID, "county_ids: at most 100")
	}
	for _, id := range req.CountyIDs {
		if err := skygrid.LimitID.CheckField("county_ids", id); err != nil {
			return err
		}
	}
	w := &skygrid.Warning{Level: level, CountyIDs: req.CountyIDs, Start: req.Start, ExpectedEnd: req.ExpectedEnd,
		Reason: req.Reason, PublicAdvice: req.PublicAdvice}
	ctx := skygrid.WithActor(c.Request().Context(), userOf(c).Name)
	w, err = ws.IssueWarning(ctx, w, userOf(c).ID, s.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, w)
}

// POST /api/warnings/:id/extend {"expected_end"} and /lift (admins and
// auditors).
func (s *Server) handleWarningAction(c echo.Context) error {
	ws, id, err := s.warningID(c)
	if err != nil {
		return err
	}
	ctx, u := skygrid.WithActor(c.Request().Context(), userOf(c).Name), userOf(c)
	var w *skygrid.Warning
	switch c.Param("action") {
	case "extend":
		var req struct {
			ExpectedEnd time.Time `json:"expected_end"`
		}
		if err := bindJSON(c, &req, `{"expected_end"}`); err != nil {
			return err
		}
		w, err = ws.ExtendWarning(ctx, id, req.ExpectedEnd, u.ID, s.now())
	case "lift":
		w, err = ws.LiftWarning(ctx, id, u.ID, s.now())
	default:
		return skygrid.Errorf(skygrid.ENOTFOUND, "no warning action %s (extend, lift)", skygrid.Clip(c.Param("action")))
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w)
}

// WarningList is the body of GET /api/warnings.
type WarningList struct {
	Warnings []*skygrid.Warning `json:"warnings"`
}

// EmergencyList is the body of GET /api/emergency-list: the rows and how
// many of them are unmatched.
type EmergencyList struct {
	Entries   []EmergencyRow `json:"entries"`
	Unmatched int            `json:"unmatched"`
}

// PublicWarningList is the body of GET /public/api/warning: the warnings
// in force (none: empty).
type PublicWarningList struct {
	Warnings []skygrid.PublicWarning `json:"warnings"`
	// Upcoming are the warnings issued to start later; Lifted those
	// lifted in the last day (after they had begun), each with lifted_at.
	Upcoming []skygrid.PublicWarning `json:"upcoming"`
	Lifted   []skygrid.PublicWarning `json:"lifted"`
}

// EmergencyRow is one row of the emergency list as listed: Unmatched
// marks a row no registry site was found for; CountyName names its
// county (a township official's page knows no county to name it by).
type EmergencyRow struct {
	*skygrid.EmergencyEntry
	Unmatched  bool   `json:"unmatched"`
	CountyName string `json:"county_name,omitempty"`
}

// GET /api/emergency-list (admins, auditors; officials: their counties'
// rows): the list with its unmatched rows marked.
func (s *Server) handleEmergencyList(c echo.Context) error {
	ws, err := s.warnings()
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	list, err := ws.FindEmergencyList(ctx)
	if err != nil {
		return err
	}
	counties, err := s.scopeCounties(c)
	if err != nil {
		return err
	}
	rows, unmatched, ids := []EmergencyRow{}, 0, []string{}
	for _, e := range list {
		if counties != nil && !counties[e.CountyID] {
			continue
		}
		rows = append(rows, EmergencyRow{EmergencyEntry: e, Unmatched: e.SiteID == nil})
		ids = append(ids, e.CountyID)
		if e.SiteID == nil {
			unmatched++
		}
	}
	names, err := s.regionNames(ctx, ids)
	if err != nil {
		return err
	}
	for i := range rows {
		rows[i].CountyName = names[rows[i].CountyID]
	}
	return c.JSON(http.StatusOK, EmergencyList{Entries: rows, Unmatched: unmatched})
}

// scopeCounties are the counties of a scoped user's regions (a
// township's county); nil for a city-wide user.
func (s *Server) scopeCounties(c echo.Context) (map[string]bool, error) {
	sc := skygrid.ScopeOf(userOf(c))
	if sc.All {
		return nil, nil
	}
	out := map[string]bool{}
	for _, id := range sc.Regions {
		for range 4 {
			r, err := s.Regions.FindRegionByID(c.Request().Context(), id)
			if err != nil {
				break
			}
			if r.Level == skygrid.LevelCounty {
				out[r.ID] = true
				break
			}
			id = r.ParentID
		}
	}
	return out, nil
}

// GET /public/api/warning: the warnings in force now, as the public page
// shows them (skygrid.PublicWarning: level, area, times, advice).
func (s *Server) handlePublicWarning(c echo.Context) error {
	out := PublicWarningList{Warnings: []skygrid.PublicWarning{}, Upcoming: []skygrid.PublicWarning{}, Lifted: []skygrid.PublicWarning{}}
	if s.Warnings == nil {
		return c.JSON(http.StatusOK, out)
	}
	now := s.now().UTC()
	dayAgo := now.Add(-24 * time.Hour)
	// Only those not lifted or lifted in the last day: the page is the public's, asked often.
	ws, err := s.Warnings.FindWarnings(c.Request().Context(), skygrid.WarningFilter{LiftedSince: &dayAgo})
	if err != nil {
		return err
	}
	for _, w := range ws {
		switch lifted := !w.LiftedAt.IsZero() && !w.LiftedAt.After(now); {
		case w.InForce(now):
			out.Warnings = append(out.Warnings, skygrid.PublicWarningOf(w))
		case !lifted && w.Start.After(now):
			out.Upcoming = append(out.Upcoming, skygrid.PublicWarningOf(w))
		case lifted && w.LiftedAt.After(w.Start):
			p := skygrid.PublicWarningOf(w)
			p.LiftedAt = &w.LiftedAt
			out.Lifted = append(out.Lifted, p)
		}
	}
	return c.JSON(http.StatusOK, out)
}
