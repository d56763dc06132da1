package config_test

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite README.md's configuration table from skygrid.example.toml")

const (
	configBegin = "<!-- config: generated from skygrid.example.toml by `go test ./config -run TestREADMEConfig -update` -->"
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

// The README's configuration table is the example file's keys.
func TestREADMEConfig(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	i, j := strings.Index(readme, configBegin), strings.Index(readme, configEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md has no configuration table between %q and %q", configBegin, configEnd)
	}
	want, err := configMarkdown(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	if got := readme[i : j+len(configEnd)]; got == want {
		return
	}
	if *update {
		if err := os.WriteFile("../README.md", []byte(readme[:i]+want+readme[j+len(configEnd):]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's configuration table is not skygrid.example.toml's keys: go test ./config -run TestREADMEConfig -update")
}
