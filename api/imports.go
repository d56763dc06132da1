package api

import (
	"errors"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"skygrid"

	"github.com/labstack/echo/v4"
)

// POST /api/imports/:kind (admins): one uploaded file (multipart field
// "file") imported as `skygrid import KIND` or `skygrid ingest` would,
// with the same options as form fields: level, parent, parent_prop,
// id_prop, name_prop, crs (regions); site_kind, wkt_col, lon_col,
// lat_col, prop=attr=列名 (sites). The answer is the import's report and
// the CLI's summary text; a refused file is 400 with every refused row in
// the message, and nothing of it is stored.
func (s *Server) handleImport(c echo.Context) error {
	if s.Imports == nil {
		return skygrid.Errorf(skygrid.ENOTFOUND, "imports are not available on this server")
	}
	kind := c.Param("kind")
	if !slices.Contains(skygrid.ImportKinds, kind) {
		return skygrid.Errorf(skygrid.ENOTFOUND, "no import %q (want %s)", kind, strings.Join(skygrid.ImportKinds, ", "))
	}
	fh, err := c.FormFile("file")
	if err != nil {
		if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
			return skygrid.Errorf(skygrid.EINVALID, "no file: send the file as multipart form field \"file\"")
		}
		return skygrid.Errorf(skygrid.EINVALID, "reading the upload: %v", err)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	form := c.Request().MultipartForm
	val := func(k string) string {
		if v := form.Value[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	if err := checkImportForm(fh.Filename, form.Value); err != nil {
		return err
	}
	req := skygrid.ImportRequest{Kind: kind, Name: filepath.Base(fh.Filename), Body: f,
		Level: val("level"), ParentID: val("parent"), ParentProp: val("parent_prop"), IDProp: val("id_prop"), NameProp: val("name_prop"),
		CRS: val("crs"), SiteKind: val("site_kind"), WKTCol: val("wkt_col"), LonCol: val("lon_col"), LatCol: val("lat_col"), Reasons: 200}
	if v := val("neighbour"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return skygrid.Errorf(skygrid.EINVALID, "neighbour %s: want true or false", skygrid.Clip(v))
		}
		req.Neighbour = b
	}
	for _, p := range form.Value["prop"] {
		if strings.TrimSpace(p) == "" {
			continue
		}
		attr, name, err := skygrid.ParseProp(p)
		if err != nil {
			return skygrid.Errorf(skygrid.EINVALID, "prop %s: %v", skygrid.Clip(p), err)
		}
		if req.Props == nil {
			req.Props = map[string]string{}
		}
		req.Props[attr] = name
	}
	ctx := skygrid.WithActor(c.Request().Context(), userOf(c).Name)
	rep, err := s.Imports.Import(ctx, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

// importFields are the upload's option fields, each a column or property
// name (or a list of them), a level, a CRS or a kind; parent is an id.
var importFields = []string{"level", "parent_prop", "id_prop", "name_prop", "crs", "site_kind", "wkt_col", "lon_col", "lat_col", "neighbour", "prop"}

// checkImportForm checks the upload's file name and option fields against
// their limits (skygrid.Limits), before the file is read.
func checkImportForm(filename string, values map[string][]string) error {
	if err := skygrid.LimitFileName.CheckField("file name", filepath.Base(filename)); err != nil {
		return err
	}
	if err := checkValues("parent", values["parent"], skygrid.LimitID); err != nil {
		return err
	}
	for _, k := range importFields {
		if err := checkValues(k, values[k], skygrid.LimitPropName); err != nil {
			return err
		}
	}
	return nil
}

func checkValues(field string, vs []string, lim skygrid.Limit) error {
	if len(vs) > 100 {
		return skygrid.Errorf(skygrid.EINVALID, "%s: at most 100 values, got %d", field, len(vs))
	}
	for _, v := range vs {
		if err := lim.CheckField(field, strings.TrimSpace(v)); err != nil {
			return err
		}
	}
	return nil
}
