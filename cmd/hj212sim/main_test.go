package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"skygrid/internal/hj212sim"
)

func TestArguments(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no monitors", []string{"-addr", "127.0.0.1:1"}, "choose the monitors"},
		{"two sources", []string{"-addr", "127.0.0.1:1", "-n", "3", "-scenario", "demo"}, "choose the monitors"},
		{"unknown scenario", []string{"-addr", "127.0.0.1:1", "-scenario", "storm"}, `-scenario "storm"`},
		{"no address", []string{"-n", "3"}, "-addr HOST:PORT is required"},
		{"stray argument", []string{"-n", "3", "x"}, `unexpected argument "x"`},
		{"missing file", []string{"-addr", "127.0.0.1:1", "-monitors", "/nonexistent.csv"}, "/nonexistent.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			err := run(context.Background(), tt.args, &out, &errs)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestHelpBilingual(t *testing.T) {
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"-h"}, &out, &errs); err == nil {
		t.Fatal("-h gave no error")
	}
	for _, s := range []string{"Usage: hj212sim", "接收端", "Connects to a running HJ 212 receiver", "-write-monitors", "Examples:"} {
		if !strings.Contains(errs.String(), s) {
			t.Errorf("help lacks %q", s)
		}
	}
}

func TestWriteDemoMonitors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "monitors.csv")
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"-scenario", "demo", "-write-monitors", file}, &out, &errs); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	devs, err := hj212sim.ReadMonitorsCSV(f, file)
	if err != nil {
		t.Fatal(err)
	}
	modbus := 0
	for i := range devs {
		if devs[i].Lenient.ModbusCRC {
			modbus++
		}
	}
	if len(devs) != 30 || modbus != 1 || devs[0].MN != "DEMOC01" {
		t.Errorf("%d monitors, %d lenient for a Modbus CRC, first %q; want 30, 1, DEMOC01", len(devs), modbus, devs[0].MN)
	}
}
