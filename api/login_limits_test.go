package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"skygrid"
	"skygrid/api"
	"skygrid/internal/storetest"
	"skygrid/password"
	"skygrid/store"
)

// loginServer is a server with users and nothing else, on a database
// file (so its size can be watched).
type loginServer struct {
	url   string
	db    *store.DB
	path  string
	clock *time.Time
}

func newLoginServer(t *testing.T, names ...string) *loginServer {
	t.Helper()
	path := storetest.DSN(t, "login.db")
	db := store.NewDB(path)
	now := time.Date(2023, 11, 1, 4, 0, 0, 0, time.UTC)
	ls := &loginServer{db: db, path: path, clock: &now}
	db.Now = func() time.Time { return *ls.clock }
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	hash, err := password.Hash(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if err := db.CreateUser(context.Background(), &skygrid.User{Name: n, Role: skygrid.RoleAuditor}, hash); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(api.NewServer(api.Services{Users: db, Now: db.Now}, nil).Handler())
	t.Cleanup(srv.Close)
	ls.url = srv.URL
	return ls
}

// login posts a name and password as JSON and returns the status and body.
func (ls *loginServer) login(t *testing.T, name, password string) (int, string) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"name": name, "password": password})
	status, body := ls.post(t, bytes.NewReader(b))
	if status < 0 {
		t.Fatal(body) // no answer: the test cannot go on
	}
	return status, body
}

// longName is a log-in body whose name is size bytes of unit repeated,
// read as it is sent (the test holds no copy of it).
func longName(unit string, size int) io.Reader {
	return io.MultiReader(strings.NewReader(`{"name":"`), io.LimitReader(repeat(unit), int64(size)), strings.NewReader(`","password":"wrong password"}`))
}

type repeat string

func (r repeat) Read(p []byte) (int, error) {
	for i := 0; i < len(p); i += copy(p[i:], r) {
	}
	return len(p) - len(p)%len(r), nil
}

// post sends a log-in body (with sendEarly: a long one is answered
// before it is all sent).
func (ls *loginServer) post(t *testing.T, body io.Reader) (int, string) {
	req, err := http.NewRequest("POST", ls.url+"/api/login", body)
	if err != nil {
		return -1, err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := sendEarly(req)
	if err != nil {
		return -1, err.Error()
	}
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// size is the database's size on disk, with its write-ahead log.
func (ls *loginServer) size(t *testing.T) int64 {
	t.Helper()
	var n int64
	for _, p := range []string{ls.path, ls.path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// A log-in with a 50 MiB name is refused before anything is stored: the
// database does not grow (it grew by twice the name on the old code,
// which stored the name in login_failures and its index).
func TestLoginHugeNameStoresNothing(t *testing.T) {
	ls := newLoginServer(t, "auditor")
	ls.login(t, "auditor", "warm up the database")
	before := ls.size(t)
	for _, tc := range []struct {
		name string
		size int
	}{
		{"50 MiB", 50 << 20},
		{"1 MiB", 1 << 20},
		{"65 characters", 65},
		{"a thousand Chinese characters", 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			unit := "a"
			if tc.size == 1000 {
				unit = "网"
			}
			status, body := ls.post(t, longName(unit, tc.size*len(unit)))
			if status != 400 || !strings.Contains(body, "name") {
				t.Errorf("%d %.300s, want 400 naming the name", status, body)
			}
		})
	}
	t.Run("the database file did not grow", func(t *testing.T) {
		storetest.SkipPostgres(t, "the size of the database file and its WAL")
		if grown := ls.size(t) - before; grown > 64<<10 {
			t.Errorf("the database grew by %d bytes", grown)
		}
	})
}

// Names at the limit and names with characters no user name holds.
func TestLoginNameChecks(t *testing.T) {
	ls := newLoginServer(t, "auditor")
	for _, tc := range []struct {
		name, login string
		want        int
	}{
		{"64 characters: a wrong password", strings.Repeat("a", 64), 401},
		{"64 Chinese characters", strings.Repeat("网", 64), 401},
		{"65 characters", strings.Repeat("a", 65), 400},
		{"empty", "", 400},
		{"NUL", "audi\x00tor", 400},
		{"control characters are not allowed", "audi\x1btor", 400},
		{"right-to-left override", "audi\u202etor", 400},
		{"an isolate", "\u2067auditor", 400},
		{"invalid UTF-8 read as U+FFFD", "audi\xfftor", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if status, body := ls.login(t, tc.login, "wrong password"); status != tc.want {
				t.Errorf("%d %.300s, want %d", status, body, tc.want)
			}
		})
	}
}

// Parallel bad log-ins from one address are each 401 or 429 (or 400 for a
// name that is not one), never a 500 from a busy database, and exactly
// the address's limit of them are counted: the right password from the
// same address is then 429 after the 40 names, 200 after the 9 MiB
// ones. On the old code, 30 parallel
// log-ins with 9 MiB names made 9 of them 500 "database is locked": each
// stored its name twice while the others waited.
func TestParallelBadLogins(t *testing.T) {
	for _, tc := range []struct {
		name    string
		n       int
		body    func(i int) io.Reader
		want    []int
		counted int // answered 401
		after   int // the right password from the same address, after them
	}{
		{"40 names", 40, func(i int) io.Reader {
			return strings.NewReader(fmt.Sprintf(`{"name":"guess%02d","password":"wrong password"}`, i))
		}, []int{401, 429}, 20, 429},
		{"30 names of 9 MiB", 30, func(i int) io.Reader { return longName(fmt.Sprintf("g%02d", i), 9<<20) }, []int{400}, 0, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls := newLoginServer(t, "auditor")
			var wg sync.WaitGroup
			codes := make([]int, tc.n)
			bodies := make([]string, tc.n)
			for i := range tc.n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					codes[i], bodies[i] = ls.post(t, tc.body(i))
				}()
			}
			wg.Wait()
			count := map[int]int{}
			for i, c := range codes {
				count[c]++
				if !slices.Contains(tc.want, c) {
					t.Errorf("log-in %d: %d %.200s", i, c, bodies[i])
				}
			}
			if count[401] != tc.counted {
				t.Errorf("%v: want %d counted (401)", count, tc.counted)
			}
			if status, body := ls.login(t, "auditor", testPassword); status != tc.after {
				t.Errorf("then the right password: %d %.200s, want %d", status, body, tc.after)
			}
		})
	}
}
