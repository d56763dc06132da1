package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"skygrid"
	"skygrid/tiles"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
)

// parseTileName reads "123.png", "123@2x.png" or "123.mvt".
func parseTileName(s string) (y, scale int, format string, err error) {
	name, format, ok := strings.Cut(s, ".")
	if !ok {
		return 0, 0, "", skygrid.Errorf(skygrid.EINVALID, "tile %q: want y.png, y@2x.png or y.mvt", s)
	}
	scale = 1
	if n, ok := strings.CutSuffix(name, "@2x"); ok {
		name, scale = n, 2
	}
	y, err = strconv.Atoi(name)
	if err != nil {
		return 0, 0, "", skygrid.Errorf(skygrid.EINVALID, "tile y %q is not a whole number", name)
	}
	return y, scale, format, nil
}

func tileInt(c echo.Context, name string) (int, error) {
	v, err := strconv.Atoi(c.Param(name))
	if err != nil {
		return 0, skygrid.Errorf(skygrid.EINVALID, "tile %s %q is not a whole number", name, c.Param(name))
	}
	return v, nil
}

// GET /tiles/:layer/:z/:x/:y.png|@2x.png|.mvt?since=&until=
func (s *Server) handleTile(c echo.Context) error {
	if s.Tiles == nil {
		return skygrid.Errorf(skygrid.ENOTFOUND, "tiles are not served")
	}
	r := tiles.Request{Layer: c.Param("layer")}
	var err error
	if r.Z, err = tileInt(c, "z"); err != nil {
		return err
	}
	if r.X, err = tileInt(c, "x"); err != nil {
		return err
	}
	if r.Y, r.Scale, r.Format, err = parseTileName(c.Param("y")); err != nil {
		return err
	}
	p := &params{c: c}
	r.Since, r.Until = p.time("since"), p.time("until")
	if p.err != nil {
		return p.err
	}
	if sc := scopeOf(c); !sc.All && r.Layer != tiles.LayerBase {
		area := func(ctx context.Context, version int64) (func(orb.Point) bool, error) {
			return s.scopeArea(ctx, version, sc.Regions)
		}
		r.Scope = &tiles.Scope{Key: strings.Join(sc.Regions, ","), Regions: sc.Regions, Area: area}
	}
	t, state, err := s.Tiles.Fetch(c.Request().Context(), r)
	if err != nil {
		if errors.Is(err, context.Canceled) && c.Request().Context().Err() != nil {
			return nil // the map dropped the request (panned away): nobody to answer
		}
		return err
	}
	h := c.Response().Header()
	h.Set("X-Tile-Cache", state) // hit, miss, or stale (see tiles.Server.Fetch)
	// Data layers change with every ingest: the browser keeps the tile but
	// asks again (a 304 when unchanged). The basemap changes rarely.
	if r.Layer == tiles.LayerBase {
		h.Set("Cache-Control", "private, max-age=3600")
	} else {
		h.Set("Cache-Control", "private, no-cache")
	}
	if t.Empty && r.Format == "mvt" {
		return c.NoContent(http.StatusNoContent)
	}
	h.Set("ETag", t.ETag)
	if noneMatch(c.Request().Header.Get("If-None-Match"), t.ETag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, t.ContentType, t.Data)
}

// GET /tiles/:name where name is LAYER.json: TileJSON (?format=png|mvt).
func (s *Server) handleTileJSON(c echo.Context) error {
	layer, ok := strings.CutSuffix(c.Param("name"), ".json")
	if !ok || s.Tiles == nil {
		return skygrid.Errorf(skygrid.ENOTFOUND, "no such tile resource %q (want /tiles/LAYER.json)", c.Param("name"))
	}
	format := c.QueryParam("format")
	if format == "" {
		format = "png"
	}
	bound, err := s.dataBound(c)
	if err != nil {
		return err
	}
	// The tiles' address: the public URL, else relative to this answer's
	// origin. Never the Host header: a forged one would be echoed to
	// whoever is served this answer (a shared cache, a poisoned link).
	tj, err := s.Tiles.TileJSON(c.Request().Context(), layer, format, strings.TrimSuffix(s.PublicURL, "/"), bound)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, tj)
}

// dataBound is the extent of the user's area: the imported regions for
// city-wide users, a scoped user's own regions.
func (s *Server) dataBound(c echo.Context) (orb.Bound, error) {
	ctx := c.Request().Context()
	var rs []*skygrid.Region
	if sc := scopeOf(c); sc.All {
		all, _, err := s.Regions.FindRegions(ctx, skygrid.RegionFilter{})
		if err != nil {
			return orb.Bound{}, err
		}
		rs = all
	} else {
		for _, id := range sc.Regions {
			r, err := s.Regions.FindRegionByID(ctx, id)
			if err != nil {
				return orb.Bound{}, err
			}
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		return orb.Bound{}, nil
	}
	b := rs[0].Bound
	for _, r := range rs[1:] {
		b = b.Union(r.Bound)
	}
	return b, nil
}

// GET /api/basemaps: the offline basemap first, then the remote ones
// configured (Tianditu's vector map and imagery with a key). tianditu says
// whether a Tianditu key is set; key_hint whether the map should say how
// to set one (no key, and the demo or an administrator, who can).
func (s *Server) handleBasemaps(c echo.Context) error {
	out := append([]tiles.Basemap{tiles.Offline}, s.Basemaps...)
	tianditu := slices.ContainsFunc(s.Basemaps, func(b tiles.Basemap) bool { return strings.HasPrefix(b.ID, "tianditu") })
	u := userOf(c)
	hint := !tianditu && (s.Demo || (u != nil && u.Role == skygrid.RoleAdmin))
	return c.JSON(http.StatusOK, BasemapList{Basemaps: out, KeyHint: hint, Tianditu: tianditu})
}

// LayerInfo describes a tile layer.
type LayerInfo struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version int64  `json:"version"`
	Timed   bool   `json:"timed"`
	PNG     string `json:"png"`
	MVT     string `json:"mvt,omitempty"`
}

// GET /api/layers: every tile layer with its data version.
func (s *Server) handleLayers(c echo.Context) error {
	vs, err := s.Layers.LayerVersions(c.Request().Context())
	if err != nil {
		return err
	}
	var out []LayerInfo
	for _, l := range tiles.Layers {
		li := LayerInfo{ID: l, Name: tiles.LayerNames[l], Version: vs[l], Timed: tiles.Timed(l), PNG: "/tiles/" + l + "/{z}/{x}/{y}.png"}
		if l == tiles.LayerBase {
			li.Version = vs[skygrid.LayerRegions]
		} else {
			li.MVT = "/tiles/" + l + "/{z}/{x}/{y}.mvt"
		}
		out = append(out, li)
	}
	return c.JSON(http.StatusOK, LayerList{Layers: out})
}
