package skygrid_test

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
)

// checkREADME holds README.md's generated section between begin and end
// equal to want, or with -update rewrites it; else the error says what.
func checkREADME(t *testing.T, begin, end, want, differs string) {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	i, j := strings.Index(readme, begin), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatalf("README.md has no section between %q and %q", begin, end)
	}
	if readme[i:j+len(end)] == want {
		return
	}
	if *update {
		if err := os.WriteFile("README.md", []byte(readme[:i]+want+readme[j+len(end):]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s\n%s", differs, want)
}

const (
	configBegin = "<!-- config: generated from skygrid.example.toml by `go test . -run TestREADMEConfig -update` -->"
	configEnd   = "<!-- config: end -->"
)

// configMarkdown is the README's table of the configuration: each key of
// the example file, its default and the comment just above it.
func configMarkdown(example string) (string, error) {
	f, err := os.Open(example)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var b strings.Builder
	b.WriteString(configBegin + "\n\n| key | default | what |\n|---|---|---|\n")
	table, comment := "", []string(nil)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
			comment = nil
		case strings.HasPrefix(line, "#"):
			comment = append(comment, strings.TrimSpace(strings.TrimPrefix(line, "#")))
		case strings.HasPrefix(line, "["):
			table, comment = strings.Trim(line, "[]")+".", nil
		default:
			key, value, _ := strings.Cut(line, "=")
			what := strings.ReplaceAll(strings.Join(comment, " "), "|", `\|`)
			fmt.Fprintf(&b, "| `%s%s` | `%s` | %s |\n", table, strings.TrimSpace(key), strings.TrimSpace(value), what)
			comment = nil
		}
	}
	b.WriteString("\n" + configEnd)
	return b.String(), sc.Err()
}

// The README's configuration table is skygrid.example.toml's keys (which
// config's tests hold equal to the defaults, naming every key).
func TestREADMEConfig(t *testing.T) {
	want, err := configMarkdown("skygrid.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	checkREADME(t, configBegin, configEnd, want,
		"README.md's configuration table is not skygrid.example.toml's keys: run go test . -run TestREADMEConfig -update")
}
