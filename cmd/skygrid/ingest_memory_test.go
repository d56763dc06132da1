package main

import (
	"os"
	"path/filepath"
	"testing"
)

// The ingest's soft memory limit grows with its largest file, so a big
// file is not held to the floor that keeps a million rows under 1 GiB.
func TestIngestMemoryLimit(t *testing.T) {
	dir := t.TempDir()
	file := func(name string, size int64) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.Truncate(size); err != nil { // sparse: no bytes written
			t.Fatal(err)
		}
		return p
	}
	small, season, big := file("small.csv", 1<<20), file("season.csv", 84<<20), file("big.csv", 300<<20)
	for _, c := range []struct {
		name  string
		paths []string
		want  int64
	}{
		{"a small file: the floor", []string{small}, 768 << 20},
		{"a million rows (84 MB): the floor", []string{small, season}, 768 << 20},
		{"a 300 MB file: 8 times it", []string{small, big, season}, 2400 << 20},
		{"a file gone: the floor", []string{filepath.Join(dir, "gone.csv")}, 768 << 20},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := ingestMemoryLimit(c.paths); got != c.want {
				t.Errorf("limit %d MiB, want %d MiB", got>>20, c.want>>20)
			}
		})
	}
}
