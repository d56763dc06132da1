package skygrid_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocsStandAlone: the README and docs/ speak of the project alone. A
// user's clone has nothing beside it, so every relative link resolves to a
// file in the repository and no page sends the reader to a document outside
// it (the steering repository's DESIGN.md, ../shared).
func TestDocsStandAlone(t *testing.T) {
	pages, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	pages = append(pages, "README.md", "data/README.md")
	link := regexp.MustCompile(`\]\(([^)#\s]+)`)
	outside := regexp.MustCompile(`DESIGN\.md|\.\./shared|steering repository`)
	for _, page := range pages {
		t.Run(page, func(t *testing.T) {
			b, err := os.ReadFile(page)
			if os.IsNotExist(err) && page == "data/README.md" {
				t.Skip("no data/README.md")
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(string(b), "\n") {
				if m := outside.FindString(line); m != "" {
					t.Errorf("%s:%d: points outside the repository (%q)", page, i+1, m)
				}
				for _, m := range link.FindAllStringSubmatch(line, -1) {
					target := m[1]
					if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
						continue
					}
					if _, err := os.Stat(filepath.Join(filepath.Dir(page), target)); err != nil {
						t.Errorf("%s:%d: link to %s: no such file in the repository", page, i+1, target)
					}
				}
			}
		})
	}
}
