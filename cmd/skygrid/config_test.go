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

func TestConfigSetFlags(t *testing.T) {
	cfg, err := loadConfig("", "detect.cluster_metres=800", "detect.cluster_gap=6h", "area_margin_metres = 2000", "detect.time_zone=Asia/Urumqi")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Detect.ClusterMetres != 800 || cfg.Detect.ClusterGap.Hours() != 6 || cfg.AreaMarginMetres != 2000 || cfg.Detect.TimeZone != "Asia/Urumqi" {
		t.Errorf("got %+v", cfg)
	}
	for _, tt := range []struct{ set, want string }{
		{"detect.nope=1", "unknown keys: detect.nope"},
		{"cluster", "want key=value"},
		{"detect.cluster_gap=soon", "cluster_gap"},
	} {
		if _, err := loadConfig("", tt.set); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("--set %s: got %v, want %s", tt.set, err, tt.want)
		}
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
