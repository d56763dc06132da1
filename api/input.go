package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"skygrid"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
)

// maxJSONBody bounds the JSON body of a write (a task action, a bulk
// close, a new user): a note of 4000 bytes, 200 tasks, and room to spare.
const maxJSONBody = 1 << 20

// bindJSON binds a JSON body of at most maxJSONBody bytes into v; want
// says what the body should be, for the message.
func bindJSON(c echo.Context, v any, want string) error {
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxJSONBody)
	if err := c.Bind(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return skygrid.Errorf(skygrid.EINVALID, "the body is larger than %d KiB: want %s", maxJSONBody>>10, want)
		}
		return skygrid.Errorf(skygrid.EINVALID, "want a JSON body %s: %v", want, clipErr(err))
	}
	return nil
}

// clipErr is an error's text cut to 200 bytes (a binder's error may quote
// the body).
func clipErr(err error) string { return skygrid.ClipText(err.Error(), 200) }

// bindAction reads a task action's fields, from the multipart form of a
// report (already parsed) or a JSON body, and checks them (actionChange).
func bindAction(c echo.Context, multipart bool) (ActionRequest, skygrid.TaskChange, error) {
	var req ActionRequest
	if multipart {
		if err := (&echo.DefaultBinder{}).BindBody(c, &req); err != nil {
			return req, skygrid.TaskChange{}, skygrid.Errorf(skygrid.EINVALID, "form: %v", clipErr(err))
		}
	} else if err := bindJSON(c, &req, `{"version", "notes", "reason", "grid_id"}`); err != nil {
		return req, skygrid.TaskChange{}, err
	}
	change, err := actionChange(&req)
	return req, change, err
}

// actionChange checks a task action's fields and makes its change: text
// within its limit (skygrid.Limits), a known finding, the position given
// whole (lon and lat) and with the accuracy finite and in range. The
// error names the field.
func actionChange(req *ActionRequest) (skygrid.TaskChange, error) {
	for _, f := range []struct {
		field, value string
		lim          skygrid.Limit
	}{{"notes", req.Notes, skygrid.LimitNotes}, {"reason", req.Reason, skygrid.LimitReason}, {"grid_id", req.GridID, skygrid.LimitID}} {
		if err := f.lim.CheckField(f.field, f.value); err != nil {
			return skygrid.TaskChange{}, err
		}
	}
	// The finding is checked against the task's class (skygrid.FindingsFor)
	// when the report is applied; here only that it is a finding at all.
	if all := append(slices.Clone(skygrid.Findings), skygrid.DustFindings...); req.Finding != "" && !slices.Contains(all, req.Finding) {
		return skygrid.TaskChange{}, skygrid.Errorf(skygrid.EINVALID, "finding %s: want one of %s", skygrid.Clip(req.Finding), strings.Join(all, ", "))
	}
	change := skygrid.TaskChange{Finding: req.Finding, Notes: req.Notes, Reason: req.Reason, GridID: req.GridID, Accuracy: req.Accuracy,
		Checklist: req.Checklist}
	if err := skygrid.RangeAccuracy.CheckField("accuracy", req.Accuracy); err != nil {
		return skygrid.TaskChange{}, err
	}
	switch {
	case req.Lon == nil && req.Lat == nil:
	case req.Lon == nil || req.Lat == nil:
		return skygrid.TaskChange{}, skygrid.Errorf(skygrid.EINVALID, "lon and lat: give both or neither")
	default:
		if err := skygrid.RangeLon.CheckField("lon", *req.Lon); err != nil {
			return skygrid.TaskChange{}, err
		}
		if err := skygrid.RangeLat.CheckField("lat", *req.Lat); err != nil {
			return skygrid.TaskChange{}, err
		}
		change.Point = &orb.Point{*req.Lon, *req.Lat}
	}
	return change, nil
}

// Checklist is a report's checklist: a JSON array, or (a multipart form
// field) a string holding one.
type Checklist []skygrid.ChecklistItem

// maxChecklist bounds a checklist's items (a list row has a few measures).
const maxChecklist = 50

// UnmarshalJSON takes the array, or a string holding it.
func (l *Checklist) UnmarshalJSON(b []byte) error {
	var s string
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		return l.UnmarshalParam(s)
	}
	var items []skygrid.ChecklistItem
	if err := json.Unmarshal(b, &items); err != nil {
		return skygrid.Errorf(skygrid.EINVALID, "checklist: want a JSON array of {measure, in_place, note, photo_index}: %v", clipErr(err))
	}
	if len(items) > maxChecklist {
		return skygrid.Errorf(skygrid.EINVALID, "checklist: at most %d items, got %d", maxChecklist, len(items))
	}
	*l = items
	return nil
}

// UnmarshalParam takes the form field's text (echo.BindUnmarshaler).
func (l *Checklist) UnmarshalParam(s string) error {
	if strings.TrimSpace(s) == "" {
		*l = nil
		return nil
	}
	return l.UnmarshalJSON([]byte(s))
}
