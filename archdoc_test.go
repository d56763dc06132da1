package skygrid_test

import (
	"os"
	"sort"
	"strings"
	"testing"
)

// TestArchitectureGraphCurrent: the import graph written in
// docs/ARCHITECTURE.md is the one go list sees, so the page stays true
// when a package gains or loses an import. On failure it prints the block
// to paste.
func TestArchitectureGraphCurrent(t *testing.T) {
	doc, err := os.ReadFile("docs/ARCHITECTURE.md")
	if err != nil {
		t.Fatal(err)
	}
	want := graphBlock(goList(t, "./..."))
	if !strings.Contains(string(doc), "```\n"+want+"```\n") {
		t.Errorf("docs/ARCHITECTURE.md: the go list graph is not current; it is now:\n```\n%s```", want)
	}
}

// graphBlock is each of our packages with the packages of ours it imports,
// as `go list -f '{{.ImportPath}}: {{join .Imports " "}}' ./...` kept to
// the skygrid imports prints it.
func graphBlock(pkgs []listedPackage) string {
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].ImportPath < pkgs[j].ImportPath })
	var b strings.Builder
	for _, p := range pkgs {
		var ours []string
		for _, imp := range p.Imports {
			if imp == "skygrid" || strings.HasPrefix(imp, "skygrid/") {
				ours = append(ours, imp)
			}
		}
		b.WriteString(p.ImportPath + ":")
		if len(ours) > 0 {
			b.WriteString(" " + strings.Join(ours, " "))
		}
		b.WriteString("\n")
	}
	return b.String()
}
