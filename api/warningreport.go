package api

import (
	"bytes"
	"net/http"

	"skygrid"
	"skygrid/report"

	"github.com/labstack/echo/v4"
)

// GET /api/reports/warning/:id[?format=html|json] (reviewers): the
// warning's report (report.RenderWarning), one self-contained page to
// print to PDF as the monthly report is; json: its figures. An official
// sees the counties of the area in their own (forbidden when none is).
func (s *Server) handleWarningReport(c echo.Context) error {
	format := c.QueryParam("format")
	if format != "" && format != "html" && format != "json" {
		return skygrid.Errorf(skygrid.EINVALID, "format %q: want html or json", skygrid.Clip(format))
	}
	id, err := pathID(c, "warning")
	if err != nil {
		return err
	}
	ws, err := s.warnings()
	if err != nil {
		return err
	}
	f, err := s.warningFiguresOf(c, ws, id)
	if err != nil {
		return err
	}
	if format == "json" {
		return c.JSON(http.StatusOK, f)
	}
	var buf bytes.Buffer
	if err := report.RenderWarning(&buf, &report.WarningReport{Figures: f, Demo: s.Demo, Area: s.area()}); err != nil {
		return err
	}
	c.Response().Header()["Content-Security-Policy"] = reportCSP
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// warningFiguresIn keeps the counties of the figures (and their sites)
// in the set, the total summed over them; nil when none is.
func warningFiguresIn(f *skygrid.WarningFigures, in map[string]bool) *skygrid.WarningFigures {
	out := *f
	out.Counties, out.Sites = nil, []*skygrid.WarningSiteFigures{}
	out.Total = skygrid.WarningCountyFigures{CountyName: f.Total.CountyName}
	names := map[string]bool{}
	for _, c := range f.Counties {
		if c == nil || !in[c.CountyID] {
			continue
		}
		out.Counties = append(out.Counties, c)
		names[c.CountyName] = true
		t := &out.Total
		t.Listed, t.Tasks, t.Checked, t.Closed, t.Overdue = t.Listed+c.Listed, t.Tasks+c.Tasks, t.Checked+c.Checked, t.Closed+c.Closed, t.Overdue+c.Overdue
		t.Measures, t.MeasuresInPlace = t.Measures+c.Measures, t.MeasuresInPlace+c.MeasuresInPlace
		t.Exceedances, t.Fires = t.Exceedances+c.Exceedances, t.Fires+c.Fires
	}
	if len(out.Counties) == 0 {
		return nil
	}
	for _, st := range f.Sites {
		if st != nil && names[st.CountyName] {
			out.Sites = append(out.Sites, st)
		}
	}
	return &out
}
