package skygrid

import (
	"reflect"
	"testing"
	"time"
)

func TestParseMeasures(t *testing.T) {
	for _, tt := range []struct {
		name, cell string
		want       []Measure
		bad        bool
	}{
		{"known words, every separator", "停止土石方作业；停止拆除;物料堆场覆盖、增加洒水降尘频次|停止渣土运输\n停产",
			[]Measure{{Code: MeasureStopEarthworks, Text: "停止土石方作业"}, {Code: MeasureStopDemolition, Text: "停止拆除"},
				{Code: MeasureCoverStockpile, Text: "物料堆场覆盖"}, {Code: MeasureSprinkle, Text: "增加洒水降尘频次"},
				{Code: MeasureStopTransport, Text: "停止渣土运输"}, {Code: MeasureStopProduction, Text: "停产"}}, false},
		{"限产 with a percent", "限产 30％", []Measure{{Code: MeasureLimitOutput, Text: "限产30%", Percent: 30}}, false},
		{"own words kept", " 夜间禁止施工 ；；", []Measure{{Text: "夜间禁止施工"}}, false},
		{"限产 over 100%", "限产300%", nil, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMeasures(tt.cell)
			if (err != nil) != tt.bad || (!tt.bad && !reflect.DeepEqual(got, tt.want)) {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestParseWarningLevel(t *testing.T) {
	for _, tt := range []struct{ in, want string }{{"橙色", WarningOrange}, {"Orange", WarningOrange}, {"黄色预警", WarningYellow},
		{"Ⅰ级", WarningRed}, {"蓝", WarningBlue}, {"紫色", ""}} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseWarningLevel(tt.in)
			if got != tt.want || (err != nil) != (tt.want == "") {
				t.Errorf("%q: %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// The rows a warning takes: per site the highest level at or below the
// warning's, in its area only, none without a county.
func TestWarningEntries(t *testing.T) {
	id := func(n int64) *int64 { return &n }
	row := func(site *int64, name, county, level string) *EmergencyEntry {
		return &EmergencyEntry{SiteID: site, Name: name, CountyID: county, Level: level}
	}
	list := []*EmergencyEntry{
		row(id(1), "A", "c1", WarningYellow), row(id(1), "A", "c1", WarningOrange), row(id(1), "A", "c1", WarningRed),
		row(id(2), "B", "c1", WarningYellow), row(id(3), "C", "c1", WarningRed), row(id(4), "D", "c2", WarningOrange),
		row(nil, "E", "c1", WarningOrange), row(nil, "F", "", WarningOrange),
	}
	names := func(es []*EmergencyEntry) (out []string) {
		for _, e := range es {
			out = append(out, e.Name+"/"+e.Level)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		w    Warning
		want []string
	}{
		{"orange in c1", Warning{Level: WarningOrange, CountyIDs: []string{"c1"}}, []string{"A/orange", "B/yellow", "E/orange"}},
		{"red, the city", Warning{Level: WarningRed}, []string{"A/red", "B/yellow", "C/red", "D/orange", "E/orange"}},
		{"blue", Warning{Level: WarningBlue}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := names(WarningEntries(list, &tt.w)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%v, want %v", got, tt.want)
			}
		})
	}
}

func TestWarningState(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	w := &Warning{Start: t0, ExpectedEnd: t0.Add(time.Hour)}
	for _, tt := range []struct {
		name   string
		at     time.Time
		lifted time.Time
		want   string
	}{
		{"before", t0.Add(-time.Second), time.Time{}, WarningIssued},
		{"from its start", t0, time.Time{}, WarningActive},
		{"past its expected end, not lifted", t0.Add(2 * time.Hour), time.Time{}, WarningActive},
		{"lifted", t0.Add(2 * time.Hour), t0.Add(time.Hour), WarningLifted},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w.LiftedAt = tt.lifted
			if got := WarningState(w, tt.at); got != tt.want {
				t.Errorf("%s, want %s", got, tt.want)
			}
		})
	}
}
