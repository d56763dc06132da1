package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"skygrid/api"
	"skygrid/internal/tsgen"
)

const typesFile = "../frontend/src/api/types.gen.ts"

// TestTypesCurrent fails when the checked-in TypeScript types differ from
// what the generator writes from the Go types now.
func TestTypesCurrent(t *testing.T) {
	var want bytes.Buffer
	if err := api.WriteTypes(&want); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(typesFile)
	if err != nil {
		t.Fatalf("%v: run `make types` (go run ./cmd/tsgen) and commit the file", err)
	}
	if bytes.Equal(got, want.Bytes()) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(want.String(), "\n")
	for i := range max(len(gl), len(wl)) {
		g, w := line(gl, i), line(wl, i)
		if g != w {
			t.Fatalf("%s is stale (line %d is %q, the Go types say %q): run `make types` (go run ./cmd/tsgen) and commit it",
				typesFile, i+1, g, w)
		}
	}
}

func line(ls []string, i int) string {
	if i < len(ls) {
		return ls[i]
	}
	return "(end of file)"
}

// oldNames are the JSON fields kept in another case for the scripts that
// read them; each has a snake_case twin.
var oldNames = map[string][]string{
	"RankView":  {"Rank", "RegionID", "RegionName", "Score", "Stats", "Reason"},
	"QueryView": {"Since", "Until", "By", "Region", "Class", "Scope"},
	"Scope":     {"All", "Regions"},
}

var snake = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

func contractInterfaces(t *testing.T) map[string]*tsgen.Interface {
	t.Helper()
	g := tsgen.New()
	for _, a := range api.Answers {
		g.Add(a.Type)
	}
	its, err := g.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*tsgen.Interface{}
	for _, it := range its {
		out[it.Name] = it
	}
	return out
}

// TestContractSnakeCase: every field of every answer is snake_case, but
// the old names kept beside their snake_case twins.
func TestContractSnakeCase(t *testing.T) {
	its := contractInterfaces(t)
	for name, it := range its {
		t.Run(name, func(t *testing.T) {
			var fields []string
			for _, f := range it.Fields {
				fields = append(fields, f.Name)
			}
			for _, f := range fields {
				if snake.MatchString(f) {
					continue
				}
				if !slices.Contains(oldNames[name], f) {
					t.Errorf("%s.%s is not snake_case (%s)", name, f, it.Go)
				} else if twin := snakeOf(f); name != "Scope" && !slices.Contains(fields, twin) {
					t.Errorf("%s.%s is kept without its snake_case twin %s", name, f, twin)
				}
			}
		})
	}
	for name, fs := range oldNames {
		for _, f := range fs {
			if it := its[name]; it == nil || !slices.ContainsFunc(it.Fields, func(x tsgen.Field) bool { return x.Name == f }) {
				t.Errorf("%s.%s is listed as kept but not in the answers: take it out of oldNames", name, f)
			}
		}
	}
}

// snakeOf is a Go name in snake_case (RegionID -> region_id).
func snakeOf(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 && !(s[i-1] >= 'A' && s[i-1] <= 'Z') {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TestContractAnswers reads real answers of the routes and checks each
// against its generated type: every key is a field, every required field
// is there, and the values have the field's type.
func TestContractAnswers(t *testing.T) {
	ts := newTestServer(t)
	its := contractInterfaces(t)
	routeType := map[string]string{}
	g := tsgen.New()
	for _, a := range api.Answers {
		g.Add(a.Type)
		routeType[a.Route] = g.Name(a.Type)
	}
	var tasks api.TaskList
	get(t, ts.URL+"/api/tasks?limit=1", 200, &tasks)
	var sites fc
	get(t, ts.URL+"/api/sites?limit=1", 200, &sites)
	if len(tasks.Tasks) == 0 || len(sites.Features) == 0 {
		t.Fatal("no task or site to read")
	}
	task, event, site := tasks.Tasks[0].ID, tasks.Tasks[0].EventID, sites.Features[0].ID
	tests := []struct{ route, url string }{
		{"GET /healthz", "/healthz"},
		{"GET /api/me", "/api/me"},
		{"GET /api/hotspots", "/api/hotspots?limit=20"},
		{"GET /api/events", "/api/events?limit=50"},
		{"GET /api/events?compact=true", "/api/events?limit=50&compact=true"},
		{"GET /api/events/:id", fmt.Sprintf("/api/events/%d", event)},
		{"GET /api/regions", "/api/regions?level=county&labels=true"},
		{"GET /api/regions", "/api/regions?geometry=false"},
		{"GET /api/regions/:id", "/api/regions/140225"},
		{"GET /api/search", "/api/search?q=" + "%E6%B5%91"},
		{"GET /api/tasks", "/api/tasks?limit=50"},
		{"GET /api/tasks?compact=true", "/api/tasks?limit=50&compact=true"},
		{"GET /api/tasks/:id", fmt.Sprintf("/api/tasks/%d", task)},
		{"GET /api/tasks/:id/candidates", fmt.Sprintf("/api/tasks/%d/candidates?geometry=true", task)},
		{"GET /api/sites", "/api/sites"},
		{"GET /api/sites/:id", fmt.Sprintf("/api/sites/%v", site)},
		{"GET /api/layers", "/api/layers"},
		{"GET /api/basemaps", "/api/basemaps"},
		{"GET /tiles/:name", "/tiles/events.json?format=mvt"},
		{"GET /api/batches", "/api/batches"},
		{"GET /api/audit", "/api/audit?limit=50"},
		{"GET /api/users", "/api/users"},
		{"GET /api/tokens", "/api/tokens"},
		{"GET /api/outbox", "/api/outbox"},
		{"GET /api/feeds", "/api/feeds"},
		{"GET /api/stats", "/api/stats?period=2023-10"},
		{"GET /api/stats", "/api/stats?period=2023-10&by=township"},
		{"GET /api/stats/ranking", "/api/stats/ranking?period=2023-10"},
		{"GET /api/stats/series", "/api/stats/series?period=2023-10"},
		{"GET /api/passes", "/api/passes"},
		{"GET /public/api/passes", "/public/api/passes?lon=113.3&lat=40.08"},
		{"GET /api/passes/coverage", "/api/passes/coverage"},
		{"every error", "/api/events/nope"},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			name := routeType[tc.route]
			if its[name] == nil {
				t.Fatalf("route %q has no answer type", tc.route)
			}
			rq, _ := http.NewRequest("GET", ts.URL+tc.url, nil)
			rq.Header.Set("Authorization", "Bearer "+adminToken)
			resp, err := http.DefaultClient.Do(rq)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var v any
			if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
				t.Fatalf("status %d: %v", resp.StatusCode, err)
			}
			c := &conform{t: t, its: its}
			c.value(name, name, v)
		})
	}
}

// conform checks decoded JSON against generated TypeScript types.
type conform struct {
	t   *testing.T
	its map[string]*tsgen.Interface
}

func (c *conform) value(path, typ string, v any) {
	if base, ok := strings.CutSuffix(typ, " | null"); ok {
		if v == nil {
			return
		}
		typ = base
	}
	switch {
	case typ == "string" || typ == "number" || typ == "boolean":
		if got := jsonKind(v); got != typ {
			c.t.Errorf("%s: a %s, want a %s (%v)", path, got, typ, v)
		}
	case strings.HasPrefix(typ, "'"):
		if v != strings.Trim(typ, "'") {
			c.t.Errorf("%s = %v, want %s", path, v, typ)
		}
	case strings.HasSuffix(typ, "[]"):
		c.list(path, strings.Trim(strings.TrimSuffix(typ, "[]"), "()"), v)
	case strings.HasPrefix(typ, "Record<string, "):
		m, ok := v.(map[string]any)
		if !ok {
			c.t.Errorf("%s: %T, want an object", path, v)
		}
		for k, e := range m {
			c.value(path+"."+k, strings.TrimSuffix(strings.TrimPrefix(typ, "Record<string, "), ">"), e)
		}
	case strings.HasPrefix(typ, "["):
		l, ok := v.([]any)
		if n := strings.Count(typ, ",") + 1; !ok || len(l) != n {
			c.t.Errorf("%s: %v, want %s", path, v, typ)
		}
	case c.its[typ] != nil:
		c.object(path, c.its[typ], v)
	}
}

func (c *conform) list(path, elem string, v any) {
	if v == nil {
		return // a Go nil slice
	}
	l, ok := v.([]any)
	if !ok {
		c.t.Errorf("%s: %T, want a list", path, v)
		return
	}
	for i, e := range l[:min(len(l), 30)] {
		c.value(fmt.Sprintf("%s[%d]", path, i), elem, e)
	}
}

func (c *conform) object(path string, it *tsgen.Interface, v any) {
	m, ok := v.(map[string]any)
	if !ok {
		c.t.Errorf("%s: %T, want an object (%s)", path, v, it.Name)
		return
	}
	for _, f := range it.Fields {
		e, ok := m[f.Name]
		switch {
		case ok:
			c.value(path+"."+f.Name, f.Type, e)
		case !f.Optional:
			c.t.Errorf("%s: no %s, which %s requires", path, f.Name, it.Name)
		}
	}
	for k := range m {
		if !slices.ContainsFunc(it.Fields, func(f tsgen.Field) bool { return f.Name == k }) {
			c.t.Errorf("%s.%s: not a field of %s (%s)", path, k, it.Name, it.Go)
		}
	}
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	}
	return fmt.Sprintf("%T", v)
}
