package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A refused log-in says when to try again: Retry-After is the seconds
// until the oldest counted failure leaves the 15-minute window, and the
// message gives the minutes; at that time the right password works.
func TestLoginThrottleSaysWhenToTryAgain(t *testing.T) {
	w := newWorld(t)
	login := func(password string) (*http.Response, string) {
		t.Helper()
		b, _ := json.Marshal(map[string]string{"name": "officialA", "password": password})
		resp, err := http.Post(w.srv.URL+"/api/login", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(body)
	}
	t0 := *w.clock
	for i := range 5 { // one wrong password a minute
		*w.clock = t0.Add(time.Duration(i) * time.Minute)
		if resp, b := login("wrong password"); resp.StatusCode != 401 {
			t.Fatalf("failure %d: %d %s", i, resp.StatusCode, b)
		}
	}
	for _, tc := range []struct {
		name      string
		at        time.Duration // after the first failure
		wantAfter string        // Retry-After
		wantMins  string
	}{
		{"a minute after the fifth", 5 * time.Minute, "601", "请 10 分钟后再试"},
		{"just before the first leaves the window", 15 * time.Minute, "1", "请 1 分钟后再试"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			*w.clock = t0.Add(tc.at)
			resp, b := login(testPassword)
			if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != tc.wantAfter || !strings.Contains(b, tc.wantMins) {
				t.Errorf("%d, Retry-After %q, %s; want 429, %s, %q", resp.StatusCode, resp.Header.Get("Retry-After"), b, tc.wantAfter, tc.wantMins)
			}
		})
	}
	*w.clock = t0.Add(15*time.Minute + time.Second)
	if resp, b := login(testPassword); resp.StatusCode != 200 {
		t.Errorf("at the time said: %d %s", resp.StatusCode, b)
	}
}

// A log-in sent as a form (curl -d without -H 'Content-Type:
// application/json') is told to send JSON, not that the password is wrong.
func TestLoginWantsJSON(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		name, contentType string
		want              int
	}{
		{"JSON", "application/json", 200},
		{"JSON with a charset", "application/json; charset=utf-8", 200},
		{"curl -d", "application/x-www-form-urlencoded", 400},
		{"no content type", "", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rq, _ := http.NewRequest("POST", w.srv.URL+"/api/login", strings.NewReader(`{"name":"officialA","password":"`+testPassword+`"}`))
			if tc.contentType != "" {
				rq.Header.Set("Content-Type", tc.contentType)
			}
			resp, err := http.DefaultClient.Do(rq)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want || (tc.want == 400 && !strings.Contains(string(b), "Content-Type: application/json")) {
				t.Errorf("%d %s, want %d", resp.StatusCode, b, tc.want)
			}
		})
	}
}
