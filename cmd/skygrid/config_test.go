package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"skygrid/dispatch"
)

// The example file documents every key with its default value.
func TestExampleConfigIsTheDefaults(t *testing.T) {
	cfg, err := loadConfig("../../skygrid.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	if def := dispatch.DefaultConfig(); !reflect.DeepEqual(cfg, def) {
		t.Errorf("example config\n%+v\ndiffers from the defaults\n%+v", cfg, def)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct{ name, text, want string }{
		{"unknown key", "area_margin = 5\n", "unknown keys: area_margin"},
		{"bad duration", "[detect]\ncluster_gap = \"soon\"\n", "cluster_gap"},
		{"bad confidence", "[detect]\nviirs_min_confidence = \"x\"\n", "viirs_min_confidence"},
		{"bad class", "fire_classes = [\"fire\"]\n", "unknown class"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, "c.toml")
			os.WriteFile(p, []byte(tt.text), 0o644)
			_, err := loadConfig(p)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), p) {
				t.Errorf("got %v, want %s naming the file", err, tt.want)
			}
		})
	}
}
