package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"skygrid"
	"skygrid/geo"
	"skygrid/internal/storetest"

	"github.com/paulmach/orb"
)

// While another connection holds the write lock for longer than the busy
// timeout (an ingest of a large file), parallel log-in attempts wait for
// it instead of failing: every attempt is recorded or refused by the
// limit, none fails "database is locked" (on the old code all 30 did).
func TestStartLoginWaitsOutABusyDatabase(t *testing.T) {
	db := storetest.NewDB(t, "busy.db")
	db.Now = func() time.Time { return now }
	db.BusyTimeout = 100 * time.Millisecond
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (key, at) VALUES ('held', '2023-11-01T04:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	go func() {
		time.Sleep(5 * db.BusyTimeout)
		tx.Commit()
		close(released)
	}()
	const n = 30
	var wg sync.WaitGroup
	errs := make([]error, n)
	oks := make([]bool, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, oks[i], errs[i] = db.StartLogin(ctx, []string{fmt.Sprintf("user:%02d", i), "ip:same"}, []int{5, 20}, now.Add(-15*time.Minute))
		}()
	}
	wg.Wait()
	<-released
	counted := 0
	for i, err := range errs {
		if err != nil {
			t.Errorf("attempt %d: %v", i, err)
		}
		if oks[i] {
			counted++
		}
	}
	if counted != 20 {
		t.Errorf("%d attempts counted, want the address's 20", counted)
	}
}

// Attempts older than the window are pruned as new ones come, a bounded
// number each time, and a key longer than a hash is refused.
func TestStartLoginPrunes(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	clock := now
	db.Now = func() time.Time { return clock }
	window := 15 * time.Minute
	for i := range 150 {
		if _, _, err := db.StartLogin(ctx, []string{fmt.Sprintf("user:%03d", i), fmt.Sprintf("ip:%03d", i)}, []int{5, 20}, clock.Add(-window)); err != nil {
			t.Fatal(err)
		}
	}
	if n := db.CountLoginFailures(t); n != 300 {
		t.Fatalf("%d failures stored, want 300", n)
	}
	clock = clock.Add(window + time.Minute)
	for i, want := range []int{300 - 100 + 2, 300 - 200 + 4, 6, 8} {
		if _, _, err := db.StartLogin(ctx, []string{"user:new", "ip:new"}, []int{50, 50}, clock.Add(-window)); err != nil {
			t.Fatal(err)
		}
		if n := db.CountLoginFailures(t); n != want {
			t.Errorf("after attempt %d: %d failures stored, want %d", i+1, n, want)
		}
	}
	if _, _, err := db.StartLogin(ctx, []string{"user:" + strings.Repeat("a", 1000)}, []int{5}, clock.Add(-window)); err == nil {
		t.Error("a 1000-byte key was taken")
	}
}

// User names are one user in any case or width: ADMIN beside admin is a
// conflict, and admin logs in as Admin or ＡＤＭＩＮ; names with control,
// format or bidi characters, or too long, are refused.
func TestUserNames(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	add := func(name string) error {
		return db.CreateUser(ctx, &skygrid.User{Name: name, Role: skygrid.RoleAuditor}, "$2a$04$notarealhash")
	}
	if err := add("admin"); err != nil {
		t.Fatal(err)
	}
	if err := add("  Ｌｉ　Ｗｅｉ "); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, add string
		code      string
		message   string
	}{
		{"the same name", "admin", skygrid.ECONFLICT, `user "admin" exists`},
		{"upper case", "ADMIN", skygrid.ECONFLICT, `user "admin" exists: "ADMIN" is the same name`},
		{"full width", "ａｄｍｉｎ", skygrid.ECONFLICT, `user "admin" exists`},
		{"the other name in another case", "li wei", skygrid.ECONFLICT, `user "Li Wei" exists`},
		{"NUL", "ad\x00min2", skygrid.EINVALID, "user name: control characters are not allowed: NUL"},
		{"escape", "ad\x1bmin2", skygrid.EINVALID, "control characters are not allowed"},
		{"right-to-left override", "ad\u202emin2", skygrid.EINVALID, "bidirectional override"},
		{"isolate", "\u2066admin2", skygrid.EINVALID, "bidirectional override"},
		{"zero-width space", "ad\u200bmin", skygrid.EINVALID, "invisible format characters are not allowed"},
		{"line separator", "ad\u2028min", skygrid.EINVALID, "control characters are not allowed"},
		{"invalid UTF-8", "ad\xffmin", skygrid.EINVALID, "invalid UTF-8"},
		{"65 characters", strings.Repeat("网", 65), skygrid.EINVALID, "at most 64 characters"},
		{"blank", " \t", skygrid.EINVALID, "a user needs a name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := add(tc.add)
			if skygrid.ErrorCode(err) != tc.code || !strings.Contains(skygrid.ErrorMessage(err), tc.message) {
				t.Errorf("%v, want %s %q", err, tc.code, tc.message)
			}
		})
	}
	for _, login := range []string{"admin", "ADMIN", "Admin", "ａｄｍｉｎ", " admin "} {
		u, _, err := db.UserLogin(ctx, login)
		if err != nil || u.Name != "admin" {
			t.Errorf("log in as %q: %v %v", login, u, err)
		}
	}
	if u, _, err := db.UserLogin(ctx, "LI WEI"); err != nil || u.Name != "Li Wei" {
		t.Errorf("log in as LI WEI: %v %v (the name is stored as NFKC, trimmed)", u, err)
	}
}

// A successful log-in takes back its own attempt's rows (by the ids
// StartLogin gave, SQLite's rowid on both stores) and the user's
// failures, and leaves another attempt's rows from the same address.
func TestLoginSucceededClearsItsAttempt(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	since := now.Add(-15 * time.Minute)
	mine, ok, err := db.StartLogin(ctx, []string{"user:a", "ip:x"}, []int{5, 20}, since)
	if err != nil || !ok || len(mine) != 2 || mine[0] == 0 || mine[0] == mine[1] {
		t.Fatalf("my attempt: ids %v, %t, %v", mine, ok, err)
	}
	other, _, err := db.StartLogin(ctx, []string{"user:b", "ip:x"}, []int{5, 20}, since)
	if err != nil || len(other) != 2 || other[0] == mine[0] || other[0] == mine[1] {
		t.Fatalf("the other attempt: ids %v (mine %v), %v", other, mine, err)
	}
	if err := db.LoginSucceeded(ctx, mine, "user:a"); err != nil {
		t.Fatal(err)
	}
	if n := db.CountLoginFailures(t); n != 2 {
		t.Errorf("%d failures stored after the log-in, want the other attempt's 2", n)
	}
	retry, err := db.LoginRetryAt(ctx, []string{"ip:x"}, []int{1}, since, 15*time.Minute)
	if err != nil || !retry.Equal(now.Add(15*time.Minute+time.Second)) {
		t.Errorf("ip:x may retry at %s (%v), want its one failure's window end", retry, err)
	}
}

// TestCityOfficialTold: an official given a city (a province's city
// bureau) is refused and told the city's counties to give instead, in
// order, not a neighbour; a city with no county says so. Nothing is
// stored.
func TestCityOfficialTold(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	sq := func(x float64) orb.MultiPolygon { return geo.Rect(orb.Point{x, 37.5}, 5000, 5000) }
	if err := db.ImportRegions(ctx, []*skygrid.Region{
		{ID: "C1", Name: "示例市", Level: skygrid.LevelCity, Geometry: geo.Rect(orb.Point{112, 37.5}, 50000, 50000)},
		{ID: "C2", Name: "空市", Level: skygrid.LevelCity, Geometry: geo.Rect(orb.Point{113, 37.5}, 50000, 50000)},
		{ID: "C1-02", Name: "乙县", Level: skygrid.LevelCounty, ParentID: "C1", Geometry: sq(112.1)},
		{ID: "C1-01", Name: "甲县", Level: skygrid.LevelCounty, ParentID: "C1", Geometry: sq(111.9)},
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ city, message string }{
		{"C1", "region C1 is a city: an official is scoped to counties or townships; for the whole city give its counties: --region C1-01,C1-02"},
		{"C2", "region C2 is a city with no county imported under it"},
	} {
		err := db.CreateUser(ctx, &skygrid.User{Name: "official-" + tc.city, Role: skygrid.RoleOfficial, Regions: []string{tc.city}}, "$2a$04$notarealhash")
		if skygrid.ErrorCode(err) != skygrid.EINVALID || !strings.Contains(skygrid.ErrorMessage(err), tc.message) {
			t.Errorf("official of %s: %v, want EINVALID %q", tc.city, err, tc.message)
		}
		if _, _, err := db.UserLogin(ctx, "official-"+tc.city); skygrid.ErrorCode(err) != skygrid.ENOTFOUND {
			t.Errorf("official of %s stored: %v", tc.city, err)
		}
	}
}

// A page of users, found by name, phone, region (its id, its name or its
// parent's) and role, newest first, with how many match: a province's
// admin page asks for 100 of 50,000 (it fetched and drew them all).
func TestFindUserPage(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	sq := func(x float64) orb.MultiPolygon { return geo.Rect(orb.Point{x, 37.5}, 3000, 3000) }
	if err := db.ImportRegions(ctx, []*skygrid.Region{
		{ID: "140225", Name: "浑源县", Level: skygrid.LevelCounty, Geometry: geo.Rect(orb.Point{112, 37.5}, 50000, 50000)},
		{ID: "140225206", Name: "下韩村乡", Level: skygrid.LevelTownship, ParentID: "140225", Geometry: sq(112)},
		{ID: "140225-008-006", Name: "东坊城村网格", Level: skygrid.LevelGrid, ParentID: "140225206", Geometry: sq(112)},
		{ID: "140224", Name: "灵丘县", Level: skygrid.LevelCounty, Geometry: sq(113)},
	}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []*skygrid.User{
		{Name: "admin", Role: skygrid.RoleAdmin},
		{Name: "hunyuan", Role: skygrid.RoleOfficial, Regions: []string{"140225"}},
		{Name: "xiahancun", Role: skygrid.RoleOfficial, Regions: []string{"140225206"}},
		{Name: "张网格", Role: skygrid.RoleSupervisor, Regions: []string{"140225-008-006"}, Phone: "13812345678"},
		{Name: "lingqiu", Role: skygrid.RoleOfficial, Regions: []string{"140224"}},
		{Name: "50%_off", Role: skygrid.RoleAuditor},
	} {
		if err := db.CreateUser(ctx, u, "$2a$04$notarealhash"); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name  string
		f     skygrid.UserFilter
		want  string
		total int
	}{
		{"all, newest first", skygrid.UserFilter{}, "50%_off lingqiu 张网格 xiahancun hunyuan admin", 6},
		{"a page", skygrid.UserFilter{Limit: 2, Offset: 1}, "lingqiu 张网格", 6},
		{"a name, any case", skygrid.UserFilter{Search: "HunYuan"}, "hunyuan", 1},
		{"a county's name: its official, its township's (parent)", skygrid.UserFilter{Search: "浑源"}, "xiahancun hunyuan", 2},
		{"a township's name: its official and its grids' supervisors", skygrid.UserFilter{Search: "下韩村"}, "张网格 xiahancun", 2},
		{"a region code's beginning", skygrid.UserFilter{Search: "140225"}, "张网格 xiahancun hunyuan", 3},
		{"a phone", skygrid.UserFilter{Search: "1381234"}, "张网格", 1},
		{"a role", skygrid.UserFilter{Role: skygrid.RoleOfficial}, "lingqiu xiahancun hunyuan", 3},
		{"a role and a search", skygrid.UserFilter{Role: skygrid.RoleOfficial, Search: "140225", Limit: 1}, "xiahancun", 2},
		{"% and _ are letters", skygrid.UserFilter{Search: "%_"}, "50%_off", 1},
		{"none", skygrid.UserFilter{Search: "朔州"}, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			us, total, err := db.FindUserPage(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, u := range us {
				names = append(names, u.Name)
			}
			if got := strings.Join(names, " "); got != tc.want || total != tc.total {
				t.Errorf("%q, %d in all; want %q, %d", got, total, tc.want, tc.total)
			}
		})
	}
}
