package skygrid_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The import rules of docs/ARCHITECTURE.md ("Imports"). They hold for what
// is built into the programs: the packages' own imports, not their tests'
// (three tests open the SQLite file with database/sql to damage it on
// purpose). The hand-run programs in scripts/ are checked too, as commands.

// listedPackage is what `go list -json` says of a package.
type listedPackage struct {
	ImportPath string
	Name       string
	Imports    []string
}

// importRule forbids the packages it applies to some imports.
type importRule struct {
	name      string
	applies   func(pkg listedPackage) bool
	forbidden func(imp string) bool
}

// isCommand: a program (cmd/skygrid, the scripts), not a library.
func isCommand(p listedPackage) bool {
	return p.ImportPath == "skygrid/cmd/skygrid" || p.Name == "main"
}

// apiImporter: the packages that may import api: cmd/skygrid, which wires
// the store into it (serve, demo), and cmd/tsgen, which writes the web
// app's types from api's contract. The scripts (each its own main) do
// not: password hashing and the monthly report live outside api.
func apiImporter(p listedPackage) bool {
	return p.ImportPath == "skygrid/cmd/skygrid" || p.ImportPath == "skygrid/cmd/tsgen"
}

var importRules = []importRule{
	{"no SQL outside store",
		func(p listedPackage) bool { return p.ImportPath != "skygrid/store" },
		func(imp string) bool {
			return imp == "database/sql" || strings.HasPrefix(imp, "database/sql/") || strings.HasPrefix(imp, "github.com/mattn/go-sqlite3")
		}},
	{"detect, geo, tiles, taskflow, hj212, dustrule, receiver, aqi, airindex, airdata and orbit speak no HTTP",
		func(p listedPackage) bool {
			return slices.Contains([]string{"skygrid/detect", "skygrid/geo", "skygrid/tiles", "skygrid/taskflow", "skygrid/hj212",
				"skygrid/dustrule", "skygrid/receiver", "skygrid/aqi", "skygrid/airindex", "skygrid/airdata", "skygrid/orbit"}, p.ImportPath)
		},
		func(imp string) bool { return imp == "net/http" || strings.HasPrefix(imp, "net/http/") }},
	{"only cmd/skygrid (and cmd/tsgen, api's contract) import api",
		func(p listedPackage) bool { return !apiImporter(p) },
		func(imp string) bool { return imp == "skygrid/api" }},
	{"only the commands import config (each package is handed its own section)",
		func(p listedPackage) bool { return !isCommand(p) },
		func(imp string) bool { return imp == "skygrid/config" }},
	{"the root package imports nothing of ours",
		func(p listedPackage) bool { return p.ImportPath == "skygrid" },
		func(imp string) bool { return strings.HasPrefix(imp, "skygrid/") }},
}

// importViolations lists every forbidden import of pkgs, one line each.
func importViolations(pkgs []listedPackage) []string {
	var out []string
	for _, p := range pkgs {
		for _, r := range importRules {
			if !r.applies(p) {
				continue
			}
			for _, imp := range p.Imports {
				if r.forbidden(imp) {
					out = append(out, fmt.Sprintf("%s imports %s: %s", p.ImportPath, imp, r.name))
				}
			}
		}
	}
	return out
}

// goList runs `go list -json` on args and decodes its packages.
func goList(t *testing.T, args ...string) []listedPackage {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-json"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v\n%s", args, err, stderr.String())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return pkgs
		} else if err != nil {
			t.Fatalf("go list %v: %v", args, err)
		}
		pkgs = append(pkgs, p)
	}
}

func TestImportRules(t *testing.T) {
	pkgs := goList(t, "./...")
	if !slices.ContainsFunc(pkgs, func(p listedPackage) bool { return p.ImportPath == "skygrid/store" }) {
		t.Fatalf("go list found no skygrid/store among %d packages", len(pkgs))
	}
	scripts, err := filepath.Glob("scripts/*.go")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no scripts/*.go (%v)", err)
	}
	for _, s := range scripts { // each is its own main program
		p := goList(t, s)
		p[0].ImportPath = s
		pkgs = append(pkgs, p[0])
	}
	for _, v := range importViolations(pkgs) {
		t.Error(v)
	}
}

// Each rule catches what it forbids, and lets the allowed through.
func TestImportRulesCatch(t *testing.T) {
	for _, tc := range []struct {
		name string
		pkg  listedPackage
		want int
	}{
		{"SQL driver in dispatch", listedPackage{ImportPath: "skygrid/dispatch", Imports: []string{"github.com/mattn/go-sqlite3", "skygrid"}}, 1},
		{"database/sql in cmd", listedPackage{ImportPath: "skygrid/cmd/skygrid", Name: "main", Imports: []string{"database/sql"}}, 1},
		{"SQL in store", listedPackage{ImportPath: "skygrid/store", Imports: []string{"database/sql", "github.com/mattn/go-sqlite3"}}, 0},
		{"HTTP in detect", listedPackage{ImportPath: "skygrid/detect", Imports: []string{"net/http"}}, 1},
		{"httptest in geo", listedPackage{ImportPath: "skygrid/geo", Imports: []string{"net/http/httptest"}}, 1},
		{"HTTP in firms", listedPackage{ImportPath: "skygrid/firms", Imports: []string{"net/http"}}, 0},
		{"api in store", listedPackage{ImportPath: "skygrid/store", Imports: []string{"skygrid/api"}}, 1},
		{"api in cmd", listedPackage{ImportPath: "skygrid/cmd/skygrid", Name: "main", Imports: []string{"skygrid/api"}}, 0},
		{"config in dispatch", listedPackage{ImportPath: "skygrid/dispatch", Imports: []string{"skygrid/config", "skygrid/detect"}}, 1},
		{"config in cmd", listedPackage{ImportPath: "skygrid/cmd/skygrid", Name: "main", Imports: []string{"skygrid/config"}}, 0},
		{"api in the type generator", listedPackage{ImportPath: "skygrid/cmd/tsgen", Name: "main", Imports: []string{"skygrid/api"}}, 0},
		{"api in a script", listedPackage{ImportPath: "scripts/photoload.go", Name: "main", Imports: []string{"skygrid/api"}}, 1},
		{"api in report", listedPackage{ImportPath: "skygrid/report", Imports: []string{"skygrid/api"}}, 1},
		{"HTTP in tiles", listedPackage{ImportPath: "skygrid/tiles", Imports: []string{"net/http", "skygrid/geo"}}, 1},
		{"HTTP in taskflow", listedPackage{ImportPath: "skygrid/taskflow", Imports: []string{"net/http", "skygrid"}}, 1},
		{"HTTP in hj212", listedPackage{ImportPath: "skygrid/hj212", Imports: []string{"bufio", "net/http"}}, 1},
		{"SQL in hj212", listedPackage{ImportPath: "skygrid/hj212", Imports: []string{"database/sql"}}, 1},
		{"HTTP in dustrule", listedPackage{ImportPath: "skygrid/dustrule", Imports: []string{"net/http", "skygrid"}}, 1},
		{"SQL in dustrule", listedPackage{ImportPath: "skygrid/dustrule", Imports: []string{"database/sql"}}, 1},
		{"HTTP in aqi", listedPackage{ImportPath: "skygrid/aqi", Imports: []string{"math", "net/http"}}, 1},
		{"HTTP in airdata", listedPackage{ImportPath: "skygrid/airdata", Imports: []string{"net/http"}}, 1},
		{"HTTP in airindex", listedPackage{ImportPath: "skygrid/airindex", Imports: []string{"skygrid/aqi", "net/http"}}, 1},
		{"geo in the root", listedPackage{ImportPath: "skygrid", Imports: []string{"skygrid/geo", "github.com/paulmach/orb"}}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := importViolations([]listedPackage{tc.pkg}); len(got) != tc.want {
				t.Errorf("%d violations %q, want %d", len(got), got, tc.want)
			}
		})
	}
}
