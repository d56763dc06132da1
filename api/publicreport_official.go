package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"skygrid"
)

// PublicReportsAnswer is the moderation queue.
type PublicReportsAnswer struct {
	Reports []*skygrid.PublicReport `json:"reports"`
}

// ModerateRequest is the body of accept {note}, reject {reason} and
// reward {yuan}.
type ModerateRequest struct {
	Note   string  `json:"note"`
	Reason string  `json:"reason"`
	Yuan   float64 `json:"yuan"`
}

var publicReportStates = []string{skygrid.PublicReportPending, skygrid.PublicReportAccepted, skygrid.PublicReportRejected, "all"}

// GET /api/public-reports?state=pending|accepted|rejected|all&limit=:
// the reports of the user's area (officials: their county's; admins and
// auditors: all), the pending ones oldest first.
func (s *Server) handlePublicReportQueue(c echo.Context) error {
	if _, err := s.publicReports(); err != nil {
		return err
	}
	p := &params{c: c}
	state := deref(p.oneOf("state", publicReportStates))
	limit := p.intv("limit", 50, 500)
	if p.err != nil {
		return p.err
	}
	if state == "all" {
		state = ""
	}
	rs, err := s.PublicReports.FindPublicReports(c.Request().Context(), scopeOf(c), state, limit)
	if err != nil {
		return err
	}
	if rs == nil {
		rs = []*skygrid.PublicReport{}
	}
	return c.JSON(http.StatusOK, PublicReportsAnswer{Reports: rs})
}

// POST /api/public-reports/:id/accept {note} | reject {reason} | reward {yuan}.
func (s *Server) handleModeratePublicReport(c echo.Context) error {
	if _, err := s.publicReports(); err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return skygrid.Errorf(skygrid.EINVALID, "report id must be a positive whole number, got %q", c.Param("id"))
	}
	action := c.Param("action")
	if !slices.Contains([]string{"accept", "reject", "reward"}, action) {
		return skygrid.Errorf(skygrid.ENOTFOUND, "no public report action %q (accept, reject, reward)", action)
	}
	var req ModerateRequest
	if err := bindJSON(c, &req, `{"note"}, {"reason"} or {"yuan"}`); err != nil {
		return err
	}
	for field, v := range map[string]string{"note": req.Note, "reason": req.Reason} {
		if err := skygrid.LimitNotes.CheckField(field, v); err != nil {
			return err
		}
	}
	ctx, u, now := c.Request().Context(), userOf(c), s.now()
	var r *skygrid.PublicReport
	switch action {
	case "accept":
		r, err = s.PublicReports.AcceptPublicReport(ctx, id, u, strings.TrimSpace(req.Note), now)
	case "reject":
		r, err = s.PublicReports.RejectPublicReport(ctx, id, u, strings.TrimSpace(req.Reason), now)
	default:
		r, err = s.PublicReports.RewardPublicReport(ctx, id, u, req.Yuan, now)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// reportVisible reads a report the user may see: an official, auditor or
// admin whose area holds it, or the people of its task (who see no phone).
func (s *Server) reportVisible(c echo.Context, id int64) (*skygrid.PublicReport, error) {
	pr, err := s.publicReports()
	if err != nil {
		return nil, err
	}
	r, err := pr.FindPublicReport(c.Request().Context(), id)
	if code := skygrid.ErrorCode(err); code == skygrid.ENOTFOUND && !scopeOf(c).All {
		return nil, forbidden("this report")
	} else if err != nil {
		return nil, err
	}
	u, sc := userOf(c), scopeOf(c)
	reviewer := slices.Contains([]string{skygrid.RoleAdmin, skygrid.RoleAuditor, skygrid.RoleOfficial}, u.Role)
	if reviewer && (sc.All || slices.ContainsFunc([]string{r.GridID, r.TownshipID, r.CountyID}, func(id string) bool {
		return id != "" && slices.Contains(sc.Regions, id)
	})) {
		return r, nil
	}
	if r.TaskID != 0 {
		if _, err := s.Tasks.FindTaskInScope(c.Request().Context(), r.TaskID, *sc); err == nil {
			r.Phone, r.PhoneMasked = "", ""
			return r, nil
		}
	}
	return nil, forbidden("this report")
}

// GET /api/public-reports/:id/photos/:sha?thumb=1: a report's photo, the
// copy stripped of EXIF (the only one kept).
func (s *Server) handlePublicReportPhoto(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return skygrid.Errorf(skygrid.EINVALID, "report id must be a positive whole number, got %q", c.Param("id"))
	}
	r, err := s.reportVisible(c, id)
	if err != nil {
		return err
	}
	sha := c.Param("sha")
	if !slices.Contains(r.Photos, sha) || s.Evidence == nil {
		return skygrid.Errorf(skygrid.ENOTFOUND, "report %d has no photo %s", id, skygrid.Clip(sha))
	}
	path, mime, err := s.Evidence.Path(sha, c.QueryParam("thumb") != "")
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, max-age=86400")
	c.Response().Header().Set("Content-Type", mime)
	return c.File(path)
}

// GET /api/tasks/:id/public-report: the report a task came from, for the
// task's people (no phone) and the officials (404 for another task).
func (s *Server) handleTaskPublicReport(c echo.Context) error {
	pr, err := s.publicReports()
	if err != nil {
		return err
	}
	t, err := s.visibleTask(c)
	if err != nil {
		return err
	}
	r, err := pr.PublicReportByTask(c.Request().Context(), t.ID)
	if err != nil {
		return err
	}
	if r, err = s.reportVisible(c, r.ID); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
