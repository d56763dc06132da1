package api

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"

	"skygrid"
	"skygrid/geo"
	"skygrid/password"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
)

// AuditReader reads the audit log.
type AuditReader interface {
	FindAuditLog(ctx context.Context, f skygrid.AuditFilter) ([]*skygrid.AuditEntry, error)
}

// GET /api/audit?entity=task&id=12&actor=NAME&action=task.close|task.&since=&until=&before=ID&limit=
// (admins and auditors): who did what and when, by task or by user, newest
// first; before pages back (the id of the last line shown).
func (s *Server) handleAudit(c echo.Context) error {
	p := &params{c: c}
	f := skygrid.AuditFilter{Entity: c.QueryParam("entity"), EntityID: c.QueryParam("id"), Actor: c.QueryParam("actor"),
		Action: c.QueryParam("action"), Since: p.time("since"), Until: p.time("until"),
		BeforeID: int64(p.intv("before", 0, math.MaxInt32)), Limit: p.intv("limit", 500, 10000)}
	if p.err != nil {
		return p.err
	}
	es, err := s.Audit.FindAuditLog(c.Request().Context(), f)
	if err != nil {
		return err
	}
	if es == nil {
		es = []*skygrid.AuditEntry{}
	}
	var ids []string
	for _, e := range es {
		ids = append(ids, auditRegionIDs(e.Before)...)
		ids = append(ids, auditRegionIDs(e.After)...)
	}
	names, err := s.regionNames(c.Request().Context(), ids)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, AuditPage{Entries: es, Regions: names})
}

// auditRegion finds the region ids an audit line's change names:
// grid=ID, region=ID, regions=ID,ID, a warning's area=ID,ID and "grid ID
// (no supervisor)".
var auditRegion = regexp.MustCompile(`\b(?:grid|region|regions|area)=([^\s;]+)|\bgrid ([0-9][^\s;]*)`)

func auditRegionIDs(s string) []string {
	var ids []string
	for _, m := range auditRegion.FindAllStringSubmatch(s, -1) {
		for _, id := range strings.Split(m[1]+m[2], ",") {
			if id != "" {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// regionNames are the names of regions by id (one query), for pages that
// show stored ids: the audit log's changes, the users' areas.
func (s *Server) regionNames(ctx context.Context, ids []string) (map[string]string, error) {
	return s.regionNamesAs(ctx, ids, func(r *skygrid.Region) string { return r.Name })
}

// regionNamesAs is regionNames with each region named by name.
func (s *Server) regionNamesAs(ctx context.Context, ids []string, name func(*skygrid.Region) string) (map[string]string, error) {
	names := map[string]string{}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 || s.Regions == nil {
		return names, nil
	}
	rs, _, err := s.Regions.FindRegions(ctx, skygrid.RegionFilter{IDs: ids})
	if err != nil {
		return nil, fmt.Errorf("region names: %w", err)
	}
	for _, r := range rs {
		names[r.ID] = name(r)
	}
	return names, nil
}

// GET /api/users?q=&role=&limit=&offset= (admins): phones and DingTalk
// ids masked (138****5678). With any of the parameters, a page of the
// users found, newest first (skygrid.UserFilter); without, all of them by
// id. total: how many are found.
func (s *Server) handleUsers(c echo.Context) error {
	us, total, err := s.findUsers(c)
	if err != nil {
		return err
	}
	out := make([]*skygrid.User, len(us))
	for i, u := range us {
		m := *u
		m.Phone, m.DingTalkID = skygrid.MaskPhone(u.Phone), skygrid.MaskPhone(u.DingTalkID)
		out[i] = &m
	}
	var ids []string
	for _, u := range us {
		ids = append(ids, u.Regions...)
	}
	names, err := s.regionNames(c.Request().Context(), ids)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, UserList{Regions: names, Users: out, Total: total})
}

// findUsers reads the users GET /api/users asks for, and how many match.
func (s *Server) findUsers(c echo.Context) ([]*skygrid.User, int, error) {
	ctx := c.Request().Context()
	p := &params{c: c}
	f := skygrid.UserFilter{Limit: p.intv("limit", 0, 1000), Offset: p.intv("offset", 0, 0)}
	if q := p.str("q"); q != nil {
		f.Search = *q
	}
	if r := p.oneOf("role", skygrid.Roles); r != nil {
		f.Role = *r
	}
	if p.err != nil {
		return nil, 0, p.err
	}
	if f == (skygrid.UserFilter{}) && p.str("offset") == nil {
		us, err := s.Users.FindUsers(ctx)
		return us, len(us), err
	}
	return s.Users.FindUserPage(ctx, f)
}

// NewUser is the body of POST /api/users.
type NewUser struct {
	Name    string   `json:"name"`
	Role    string   `json:"role"`
	Regions []string `json:"regions"`
	Phone   string   `json:"phone"`
	// DingTalkID is the user's DingTalk user id, for work notices.
	DingTalkID string `json:"dingtalk_id"`
	Password   string `json:"password"`
}

// maxUserRegions bounds the regions of one user: every grid of a large
// county and more.
const maxUserRegions = 2000

// POST /api/users (admins): add a user, as `skygrid user add` does.
func (s *Server) handleCreateUser(c echo.Context) error {
	var req NewUser
	if err := bindJSON(c, &req, `{"name", "role", "regions", "phone", "dingtalk_id", "password"}`); err != nil {
		return err
	}
	if len(req.Regions) > maxUserRegions {
		return skygrid.Errorf(skygrid.EINVALID, "regions: at most %d, got %d", maxUserRegions, len(req.Regions))
	}
	hash, err := password.Hash(req.Password)
	if err != nil {
		return err
	}
	u := &skygrid.User{Name: strings.TrimSpace(req.Name), Role: req.Role, Phone: strings.TrimSpace(req.Phone), DingTalkID: strings.TrimSpace(req.DingTalkID)}
	for _, r := range req.Regions {
		for _, id := range strings.Split(r, ",") {
			if id = strings.TrimSpace(id); id != "" {
				u.Regions = append(u.Regions, id)
			}
		}
	}
	ctx := skygrid.WithActor(c.Request().Context(), userOf(c).Name)
	if err := s.Users.CreateUser(ctx, u, hash); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, u)
}

// GET /api/outbox?limit= (admins): the notifications queued and sent.
func (s *Server) handleOutbox(c echo.Context) error {
	p := &params{c: c}
	limit := p.intv("limit", 200, 5000)
	if p.err != nil {
		return p.err
	}
	ms, err := s.Outbox.FindOutbox(c.Request().Context(), limit)
	if err != nil {
		return err
	}
	if ms == nil {
		ms = []*skygrid.OutboxMessage{}
	}
	return c.JSON(http.StatusOK, OutboxList{Messages: ms})
}

// scopeArea is the area of a scoped user's regions at the regions' layer
// version (the tile server's, which it read for the tile anyway), for
// tiles, whose data carries no scope: it holds a point when one of the
// regions does. The indexes are kept by version and regions: the regions
// are read again only after an import changes them.
func (s *Server) scopeArea(ctx context.Context, version int64, regions []string) (func(orb.Point) bool, error) {
	key := fmt.Sprintf("%d/%s", version, strings.Join(regions, ","))
	if f := s.areas.get(key); f != nil {
		return f, nil
	}
	ix := geo.NewIndex()
	for _, id := range regions {
		r, err := s.Regions.FindRegionByID(ctx, id)
		if err != nil {
			return nil, err
		}
		ix.Add(id, r.Geometry)
	}
	ix.Build()
	f := func(p orb.Point) bool {
		_, ok := ix.Locate(p)
		return ok
	}
	s.areas.put(key, f)
	return f, nil
}

// areaCache keeps the scopes' area indexes (scopeArea).
type areaCache struct {
	mu sync.Mutex
	m  map[string]func(orb.Point) bool
}

func (a *areaCache) get(key string) func(orb.Point) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.m[key]
}

func (a *areaCache) put(key string, f func(orb.Point) bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil || len(a.m) >= 512 {
		a.m = map[string]func(orb.Point) bool{}
	}
	a.m[key] = f
}

// GET /api/feeds (admins and auditors): each source's health.
func (s *Server) handleFeeds(c echo.Context) error {
	if s.Feeds == nil {
		return c.JSON(http.StatusOK, FeedList{Feeds: []*skygrid.FeedStatus{}})
	}
	fs, err := s.Feeds.FindFeeds(c.Request().Context())
	if err != nil {
		return err
	}
	if fs == nil {
		fs = []*skygrid.FeedStatus{}
	}
	return c.JSON(http.StatusOK, FeedList{FailingAfter: skygrid.FeedFailingAfter.String(), Feeds: fs})
}

// GET /metrics (admins, e.g. Prometheus with an API token): Prometheus text.
func (s *Server) handleMetrics(c echo.Context) error {
	if s.Metrics == nil {
		return skygrid.Errorf(skygrid.ENOTFOUND, "metrics are off")
	}
	return s.Metrics.handler()(c)
}
