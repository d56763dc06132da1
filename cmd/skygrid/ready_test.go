package main

import (
	"context"
	"skygrid/internal/storetest"
	"strings"
	"testing"
)

// `skygrid serve` says on one line where to open the web app (the demo
// also whom to log in as: TestDemoServesOctoberEvents).
func TestServeReadyLine(t *testing.T) {
	m, out, _ := testMain()
	ready := make(chan string, 1)
	m.Ready = func(url string) { ready <- url }
	db := storetest.DSN(t, "empty.db")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- m.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--data", dataDir(t, db)})
	}()
	url := <-ready
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := "skygrid listening on " + url + ": open " + url + " in a browser\n"
	if !strings.Contains(out.String(), want) {
		t.Errorf("output %q lacks %q", out, want)
	}
}

func TestOpenURL(t *testing.T) {
	for _, tc := range []struct{ name, addr, public, want string }{
		{"loopback", "127.0.0.1:8080", "", "http://127.0.0.1:8080"},
		{"every IPv4 address", "0.0.0.0:8080", "", "http://127.0.0.1:8080"},
		{"every IPv6 address", "[::]:9000", "", "http://127.0.0.1:9000"},
		{"a host's address", "10.1.2.3:80", "", "http://10.1.2.3:80"},
		{"the public URL", "0.0.0.0:8080", "https://skygrid.datong.example", "https://skygrid.datong.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := openURL(tc.addr, tc.public); got != tc.want {
				t.Errorf("openURL(%q, %q) = %q, want %q", tc.addr, tc.public, got, tc.want)
			}
		})
	}
}
