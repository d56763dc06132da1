package api_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"skygrid"
	"skygrid/api"
	"skygrid/geo"

	"github.com/paulmach/orb"
)

// addDustDay gives grid A's monitor (on grid A's site) four hours of minute
// PM10 from 00:00Z: 200, 200, 200, 100 µg/m³, one flagged 9999 at 03:30
// (excluded), and an invented station (示例) in county A reading 50 each
// hour, and sets the clock to 04:00Z. With the Datong default (80 above ambient, 2 hours a day allowed)
// the third hour alarms.
func (w *world) addDustDay(t *testing.T, monitor int64) time.Time {
	t.Helper()
	ctx := context.Background()
	m, err := w.db.Monitor(ctx, monitor)
	if err != nil {
		t.Fatal(err)
	}
	st := &skygrid.AirStation{Code: "9999A", Name: "示例站", City: "大同市", Lon: m.Lon, Lat: m.Lat, Network: skygrid.AirNational}
	if _, err := w.db.ImportAirStations(ctx, []*skygrid.AirStation{st}); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2023, 11, 1, 0, 0, 0, 0, time.UTC)
	var hours []*skygrid.AirHour
	var rs []skygrid.Reading
	for h := range 4 {
		// The hour from day+h is labelled day+h+1h (CNEMC labels an hour by
		// its end); 01:00-02:00 is dustier at the station.
		amb := []float64{50, 60, 50, 50}[h]
		hours = append(hours, &skygrid.AirHour{Station: st.Code, Hour: skygrid.AirHourLabel(day.Add(time.Duration(h) * time.Hour)), Values: map[string]float64{"pm10": amb}})
		pm10 := []float64{200, 200, 200, 100}[h]
		for i := range 60 {
			at := day.Add(time.Duration(h*60+i) * time.Minute)
			rd := skygrid.Reading{MonitorID: monitor, At: at, Kind: skygrid.ReadingMinute, Source: skygrid.SourceFile, ReceivedAt: at,
				Values: map[string]float64{"pm10": pm10, "pm25": pm10 / 2, "tsp": pm10 * 2, "ws": 2.5, "wd": 270}}
			if h == 3 && i == 30 {
				rd.Values["pm10"], rd.Flags = 9999, map[string]string{"pm10": "D"}
			}
			rs = append(rs, rd)
		}
	}
	if _, _, err := w.db.IngestAirHours(ctx, hours); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.StoreReadings(ctx, rs); err != nil {
		t.Fatal(err)
	}
	*w.clock = day.Add(4 * time.Hour)
	return day
}

func TestSiteDustAPI(t *testing.T) {
	w := newWorld(t)
	ids := w.addMonitors(t)
	day := w.addDustDay(t, ids[0])
	site := w.sites[0]
	for _, tc := range []struct {
		name, user, url string
		want            int
	}{
		{"other county's site", "officialB", fmt.Sprintf("/api/sites/%d/dust", site), 403},
		{"own grid's site", "supervisorA", fmt.Sprintf("/api/sites/%d/dust", site), 200},
		{"unknown site", "admin", "/api/sites/99999/dust", 404},
		{"bad range", "admin", fmt.Sprintf("/api/sites/%d/dust?range=7d", site), 400},
		{"bad id", "admin", "/api/sites/x/dust", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if st := w.do(t, tc.user, "GET", tc.url, nil, nil); st != tc.want {
				t.Fatalf("%d, want %d", st, tc.want)
			}
		})
	}
	t.Run("24 hours of minutes", func(t *testing.T) {
		var d api.SiteDust
		if st := w.do(t, "officialA", "GET", fmt.Sprintf("/api/sites/%d/dust?range=24h", site), nil, &d); st != 200 {
			t.Fatalf("%d", st)
		}
		if d.Res != skygrid.ResMinute || len(d.Monitors) != 1 || d.Monitors[0].Monitor.ID != ids[0] || len(d.Monitors[0].Points) != 240 {
			t.Fatalf("monitors: %s %d", d.Res, len(d.Monitors))
		}
		p := d.Monitors[0].Points[210]
		if p.Values["pm10"] != 9999 || p.Flags["pm10"] != "D" || p.Values["wd"] != 270 {
			t.Errorf("flagged point: %+v", p)
		}
		if len(d.Ambient) != 4 || d.Ambient[0].Source != skygrid.AmbientCounty || d.Ambient[0].PM10 != 50 ||
			!d.Ambient[1].Hour.Equal(day.Add(time.Hour)) || d.Ambient[1].PM10 != 60 {
			t.Errorf("ambient: %+v", d.Ambient)
		}
		if len(d.Limits) != 1 || d.Limits[0].Rule != "datong_default" || !d.Limits[0].OverAmbient || len(d.Limits[0].Points) != 4 ||
			d.Limits[0].Points[2].Value != 130 || !d.Limits[0].Points[2].At.Equal(day.Add(2*time.Hour)) ||
			d.Limits[0].Points[1].Value != 140 || !d.Limits[0].Points[1].At.Equal(day.Add(time.Hour)) {
			t.Errorf("limits: %+v", d.Limits)
		}
		if len(d.Alarms) != 1 || !d.Alarms[0].Start.Equal(day.Add(2*time.Hour)) || d.Alarms[0].Value != 150 || d.Alarms[0].CountToday != 3 {
			t.Errorf("alarms: %+v", d.Alarms)
		}
		if d.Unjudged != nil {
			t.Errorf("every hour had its ambient and its minutes, yet unjudged: %+v", d.Unjudged)
		}
		// PM10 50 µg/m³ at the station in the latest hour (labelled day+4h): IAQI 50 by the 24-hour breakpoints, 优.
		if d.AQI == nil || d.AQI.Stations != 1 || !d.AQI.Hour.Equal(day.Add(4*time.Hour)) || d.AQI.Index.AQI != 50 || d.AQI.Index.Level.Name != "优" {
			t.Errorf("county AQI: %+v", d.AQI)
		}
	})
	t.Run("30 days of hours", func(t *testing.T) {
		var d api.SiteDust
		if st := w.do(t, "admin", "GET", fmt.Sprintf("/api/sites/%d/dust?range=30d", site), nil, &d); st != 200 {
			t.Fatalf("%d", st)
		}
		if d.Res != skygrid.ResHour || len(d.Monitors) != 1 || len(d.Monitors[0].Points) != 4 {
			t.Fatalf("%s %+v", d.Res, d.Monitors)
		}
		if v := d.Monitors[0].Points[3].Values["pm10"]; v != 100 {
			t.Errorf("hour 3's mean %v, want 100 (the flagged 9999 excluded)", v)
		}
		if len(d.Alarms) != 1 {
			t.Errorf("alarms: %+v", d.Alarms)
		}
	})
	// Two more hours of 300 µg/m³ with no ambient (the county's stations
	// silent): the page is told 2 hours could not be judged, not left to
	// say 无超标; with the minutes before 02:00 pruned, the 30 days' series
	// says the rules judged only from 02:00.
	t.Run("what could not be judged", func(t *testing.T) {
		var rs []skygrid.Reading
		for i := range 120 {
			at := day.Add(4*time.Hour + time.Duration(i)*time.Minute)
			rs = append(rs, skygrid.Reading{MonitorID: ids[0], At: at, Kind: skygrid.ReadingMinute, Source: skygrid.SourceFile, ReceivedAt: at,
				Values: map[string]float64{"pm10": 300}})
		}
		if _, err := w.db.StoreReadings(context.Background(), rs); err != nil {
			t.Fatal(err)
		}
		*w.clock = day.Add(6 * time.Hour)
		var d api.SiteDust
		if w.do(t, "officialA", "GET", fmt.Sprintf("/api/sites/%d/dust?range=24h", site), nil, &d); d.Unjudged == nil ||
			d.Unjudged.NoAmbientHours != 2 || d.Unjudged.MinutesFrom != nil || d.Unjudged.NoneJudged || len(d.Alarms) != 1 {
			t.Fatalf("24h: unjudged %+v, %d alarms; want 2 hours without ambient, 1 alarm", d.Unjudged, len(d.Alarms))
		}
		if _, err := w.db.PruneReadings(context.Background(), day.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		d = api.SiteDust{}
		if w.do(t, "officialA", "GET", fmt.Sprintf("/api/sites/%d/dust?range=30d", site), nil, &d); d.Unjudged == nil ||
			d.Unjudged.MinutesFrom == nil || !d.Unjudged.MinutesFrom.Equal(day.Add(2*time.Hour)) {
			t.Fatalf("30d: unjudged %+v, want minutes from %v", d.Unjudged, day.Add(2*time.Hour))
		}
	})
	t.Run("a monitor without readings", func(t *testing.T) {
		var d api.SiteDust
		if st := w.do(t, "admin", "GET", fmt.Sprintf("/api/sites/%d/dust", w.sites[1]), nil, &d); st != 200 || len(d.Monitors) != 1 ||
			d.Monitors[0].Monitor.ID != ids[1] || len(d.Monitors[0].Points) != 0 || d.Alarms == nil || len(d.Alarms) != 0 {
			t.Fatalf("%d %+v", st, d)
		}
	})
}

// dustTaskAt makes one of grid A's tasks a dust task standing on a new
// construction site (示例) with a monitor, through the registry import's
// reclassification (the real store path until the dust alarms open their
// own events), and stores an hour of minute PM10 of 300 from its alarm.
func (w *world) dustTaskAt(t *testing.T) (*skygrid.Task, *skygrid.Site) {
	t.Helper()
	ctx := context.Background()
	ts, _, err := w.db.FindTasks(ctx, skygrid.TaskFilter{GridID: &w.gridA, Limit: 1})
	if err != nil || len(ts) == 0 {
		t.Fatalf("a task of grid A: %v %d", err, len(ts))
	}
	task := ts[0]
	pt := orb.Point{task.Lon, task.Lat}
	site := &skygrid.Site{Kind: skygrid.SiteConstruction, ExternalID: "DUST1", Name: "示例扬尘工地", Geometry: geo.Rect(pt, 60, 60)}
	site.AreaM2 = geo.AreaM2(site.Geometry)
	change := skygrid.EventClassChange{EventID: task.EventID, From: task.EventClass, To: skygrid.ClassDustExceedance, Site: "DUST1"}
	if _, err := w.db.ImportSites(ctx, []*skygrid.Site{site}, []skygrid.EventClassChange{change}); err != nil {
		t.Fatal(err)
	}
	m := []skygrid.MonitorImport{{Monitor: skygrid.Monitor{MN: "DUSTMN", Password: "123456", Name: "示例监测仪", Kind: skygrid.MonitorDust,
		Lon: pt[0], Lat: pt[1]}, Where: "item 0"}}
	if _, err := w.db.ImportMonitors(ctx, m); err != nil {
		t.Fatal(err)
	}
	var rs []skygrid.Reading
	start := task.FirstSeen.UTC().Truncate(time.Minute)
	for i := range 60 {
		at := start.Add(time.Duration(i) * time.Minute)
		rs = append(rs, skygrid.Reading{MonitorID: m[0].ID, At: at, Kind: skygrid.ReadingMinute, Source: skygrid.SourceFile, ReceivedAt: at,
			Values: map[string]float64{"pm10": 300}})
	}
	if _, err := w.db.StoreReadings(ctx, rs); err != nil {
		t.Fatal(err)
	}
	task.EventClass = skygrid.ClassDustExceedance
	return task, site
}

func TestTaskDustAPI(t *testing.T) {
	w := newWorld(t)
	task, site := w.dustTaskAt(t)
	fires, _, err := w.db.FindTasks(context.Background(), skygrid.TaskFilter{GridID: &w.gridA, Limit: 2})
	if err != nil || len(fires) < 2 {
		t.Fatalf("a second task of grid A: %v", err)
	}
	fire := fires[0]
	if fire.ID == task.ID {
		fire = fires[1]
	}
	for _, tc := range []struct {
		name, user, url string
		want            int
	}{
		{"the supervisor of the task's grid", "supervisorA", fmt.Sprintf("/api/tasks/%d/dust", task.ID), 200},
		{"another grid's supervisor", "supervisorB", fmt.Sprintf("/api/tasks/%d/dust", task.ID), 403},
		{"a fire task", "admin", fmt.Sprintf("/api/tasks/%d/dust", fire.ID), 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if st := w.do(t, tc.user, "GET", tc.url, nil, nil); st != tc.want {
				t.Fatalf("%d, want %d", st, tc.want)
			}
		})
	}
	var d api.SiteDust
	if st := w.do(t, "officialA", "GET", fmt.Sprintf("/api/tasks/%d/dust", task.ID), nil, &d); st != 200 {
		t.Fatalf("%d", st)
	}
	from := task.FirstSeen.UTC().Truncate(time.Minute)
	if d.SiteID != site.ID || !d.From.Equal(from) || d.To.After(from.Add(24*time.Hour)) || len(d.Monitors) != 1 || len(d.Monitors[0].Points) != 60 {
		t.Fatalf("since the alarm: site %d from %v to %v, %d monitors", d.SiteID, d.From, d.To, len(d.Monitors))
	}
}

func TestTaskListDustClasses(t *testing.T) {
	w := newWorld(t)
	task, _ := w.dustTaskAt(t)
	for _, tc := range []struct {
		name, class string
		want        bool // the dust task listed
		only        bool // and nothing else
	}{
		{"扬尘告警: every dust class", "dust", true, true},
		{"one dust class", skygrid.ClassDustExceedance, true, true},
		{"another dust class", skygrid.ClassMonitorOffline, false, true},
		{"a fire class", skygrid.ClassStrawBurning, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var list struct {
				Tasks []skygrid.Task `json:"tasks"`
				Total int            `json:"total"`
			}
			if st := w.do(t, "officialA", "GET", "/api/tasks?limit=500&class="+tc.class, nil, &list); st != 200 {
				t.Fatalf("%d", st)
			}
			found := false
			for _, x := range list.Tasks {
				found = found || x.ID == task.ID
				if tc.only && !skygrid.IsDust(x.EventClass) {
					t.Errorf("task %d of class %s listed", x.ID, x.EventClass)
				}
			}
			if found != tc.want {
				t.Errorf("dust task listed %v, want %v (%d tasks)", found, tc.want, list.Total)
			}
		})
	}
	if st := w.do(t, "officialA", "GET", "/api/tasks?class=dusty", nil, nil); st != 400 {
		t.Errorf("class=dusty: %d, want 400", st)
	}
}

// A silent monitor standing on no registered site: its task's dust part
// says what the task is about (the device, the rule, when) and answers
// 200 (it was a 404, a console error and a red 没有找到（no registered
// site at …） on the supervisor's page, and nothing said the device was
// silent).
func TestTaskDustSaysItsAlarms(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	grid, err := w.db.FindRegionByID(ctx, w.gridA)
	if err != nil {
		t.Fatal(err)
	}
	pt := orb.Point{grid.Bound.Min[0] + 0.0005, grid.Bound.Min[1] + 0.0005} // a corner of the grid, on no site
	m := []skygrid.MonitorImport{{Monitor: skygrid.Monitor{MN: "NOSITE01", Password: "123456", Name: "示例路边监测仪", Kind: skygrid.MonitorDust,
		Lon: pt[0], Lat: pt[1]}, Where: "item 0"}}
	if _, err := w.db.ImportMonitors(ctx, m); err != nil {
		t.Fatal(err)
	}
	at := w.clock.Add(-time.Hour)
	rec, err := w.db.RecordDustAlarms(ctx, []skygrid.DustAlarm{{MonitorID: m[0].ID, Rule: "silent", Class: skygrid.ClassMonitorOffline,
		Start: at, End: at.Add(30 * time.Minute), Value: 30, Limit: 30, Detail: "设备已 30 分钟未上报数据（示例）", Point: pt, GridID: w.gridA,
		AssignedBy: "contains", AckDue: w.clock.Add(time.Hour), ReportDue: w.clock.Add(2 * time.Hour)}})
	if err != nil || len(rec.TaskIDs) != 1 {
		t.Fatalf("the silent alarm's task: %+v %v", rec, err)
	}
	var d api.SiteDust
	if st := w.do(t, "supervisorA", "GET", fmt.Sprintf("/api/tasks/%d/dust", rec.TaskIDs[0]), nil, &d); st != 200 {
		t.Fatalf("%d, want 200", st)
	}
	if d.SiteID != 0 || len(d.TaskAlarms) != 1 || d.TaskAlarms[0].MN != "NOSITE01" || d.TaskAlarms[0].Rule != "silent" ||
		d.TaskAlarms[0].Detail != "设备已 30 分钟未上报数据（示例）" || d.TaskAlarms[0].MonitorName != "示例路边监测仪" {
		t.Errorf("site %d, the task's alarms %+v", d.SiteID, d.TaskAlarms)
	}
}
