package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"skygrid"
	"skygrid/geo"

	"github.com/paulmach/orb"
)

// The demo's clock: the registries are set up on Setup, each October
// 2023 file arrives ArrivalDelay after its newest detection, and the
// replay stops at Start (31 October, 17:30 Beijing, about an hour
// after the month's last file came), where the demo server's clock starts.
var (
	Setup = time.Date(2023, 9, 30, 9, 0, 0, 0, skygrid.Beijing)
	Start = time.Date(2023, 10, 31, 17, 30, 0, 0, skygrid.Beijing)
)

// ArrivalDelay is how long after its newest detection a daily FIRMS
// file reaches the demo's pipeline (NRT data come within about 3 hours).
const ArrivalDelay = 3 * time.Hour

// Who acts in an invented step.
const (
	DemoBySupervisor = "supervisor" // the grid's supervisor
	DemoByOfficial   = "official"   // the county's official
)

// Step is one invented action on a task, done through the task
// service by the grid's supervisor or the county's official at At.
type Step struct {
	At     time.Time
	TaskID int64
	Action string
	By     string
	Change skygrid.TaskChange
	// Photos: how many photos a report brings.
	Photos int
}

// demoFindings are the invented findings of a class, with weights.
var demoFindings = map[string][]struct {
	finding string
	weight  int
}{
	skygrid.ClassStrawBurning: {{skygrid.FindingStrawBurning, 72}, {skygrid.FindingNotFound, 12}, {skygrid.FindingOpenBurning, 9}, {skygrid.FindingFalseAlarm, 7}},
	skygrid.ClassOpenBurning: {{skygrid.FindingOpenBurning, 42}, {skygrid.FindingNotFound, 26}, {skygrid.FindingFalseAlarm, 22},
		{skygrid.FindingStrawBurning, 6}, {skygrid.FindingIndustrialHeat, 4}},
	skygrid.ClassLooseCoal: {{skygrid.FindingOpenBurning, 35}, {skygrid.FindingFalseAlarm, 35}, {skygrid.FindingIndustrialHeat, 15}, {skygrid.FindingNotFound, 15}},
	"":                     {{skygrid.FindingOpenBurning, 40}, {skygrid.FindingFalseAlarm, 40}, {skygrid.FindingNotFound, 20}},
}

// demoNotes are the invented notes of each finding; every one starts with
// 示例 (invented for the demo).
var demoNotes = map[string][]string{
	skygrid.FindingStrawBurning: {"示例：现场为玉米秸秆焚烧，过火约%d亩，已扑灭，已对农户宣传教育。", "示例：田间秸秆堆焚烧，约%d亩，已协同村委扑灭并登记农户。",
		"示例：秸秆焚烧余烬，过火约%d亩，已清理，村两委已签责任书。"},
	skygrid.FindingOpenBurning:    {"示例：现场为垃圾露天焚烧，已扑灭并清运。", "示例：田埂、沟渠杂草焚烧，约%d亩，已扑灭。", "示例：废旧物品露天焚烧，已制止并清理。"},
	skygrid.FindingFalseAlarm:     {"示例：现场为光伏板反光，无焚烧痕迹。", "示例：为养殖场锅炉烟囱，非焚烧火点。", "示例：温室大棚棚膜反光，无火情。"},
	skygrid.FindingNotFound:       {"示例：到场未发现明火及过火痕迹。", "示例：现场已无明火，未见新的过火痕迹，已走访周边农户。"},
	skygrid.FindingIndustrialHeat: {"示例：为企业生产热源（窑炉），非露天焚烧。"},
}

var (
	demoCloseNotes  = []string{"示例：核查属实，同意办结。", "示例：处置到位，办结。", "示例：照片与位置相符，办结。"}
	demoReturnNotes = []string{"示例：照片未拍到过火区域，请补拍。", "示例：请补充处置情况及涉事农户信息。", "示例：位置与火点不符，请到火点核实。"}
	demoAgainNotes  = "示例：已补充核查，"
)

// beijingClock is the hour and minute of t in Beijing.
func beijingClock(t time.Time) float64 {
	b := t.In(skygrid.Beijing)
	return float64(b.Hour()) + float64(b.Minute())/60
}

// nextBeijing is the first time at or after t that is h:m in Beijing.
func nextBeijing(t time.Time, h, m int) time.Time {
	b := t.In(skygrid.Beijing)
	n := time.Date(b.Year(), b.Month(), b.Day(), h, m, 0, 0, skygrid.Beijing)
	if n.Before(t) {
		n = n.AddDate(0, 0, 1)
	}
	return n
}

func minutes(rng *rand.Rand, lo, hi float64) time.Duration {
	return time.Duration((lo + rng.Float64()*(hi-lo)) * float64(time.Minute))
}

// PlanTask invents what happened to a task: acknowledged and reported
// mostly within minutes (some late, a few never), a finding that fits its
// class and how old the detection was, a review in office hours (08:00-
// 18:00 Beijing) that closes it or now and then returns it for another
// report. Steps after until are left out: the task is open there. The
// same task always gets the same plan.
func PlanTask(t *skygrid.Task, e *skygrid.Event, until time.Time) []Step {
	rng := rand.New(rand.NewPCG(2023, uint64(e.ID)))
	var steps []Step
	add := func(at time.Time, action, by string, c skygrid.TaskChange, photos int) bool {
		if at.After(until) {
			return false
		}
		steps = append(steps, Step{At: at.Truncate(time.Second), TaskID: t.ID, Action: action, By: by, Change: c, Photos: photos})
		return true
	}
	at := t.CreatedAt
	// Acknowledge: in the key period supervisors are on duty day and
	// night, slower at night.
	night := 0.0
	if h := beijingClock(at); h >= 22 || h < 6.5 {
		night = 8
	}
	switch r := rng.Float64(); {
	case r < 0.03:
		return steps // never acknowledged: overdue, escalated
	case r < 0.91:
		at = at.Add(minutes(rng, 3+night, 20+night))
	default:
		at = at.Add(minutes(rng, 31, 75))
	}
	if !add(at, skygrid.ActionAcknowledge, DemoBySupervisor, skygrid.TaskChange{}, 0) {
		return steps
	}
	// Report from the site.
	switch r := rng.Float64(); {
	case r < 0.02:
		return steps // acknowledged, never reported
	case r < 0.92:
		at = at.Add(minutes(rng, 12, 30))
	default:
		at = at.Add(minutes(rng, 40, 100))
	}
	finding := demoFinding(e, t.CreatedAt, rng)
	if !add(at, skygrid.ActionReport, DemoBySupervisor, demoReport(finding, e, rng), 1+rng.IntN(4)/3) {
		return steps
	}
	// Review in office hours; now and then returned, then reported again.
	if rng.Float64() < 0.05 {
		at = reviewTime(at, rng)
		if !add(at, skygrid.ActionReturn, DemoByOfficial, skygrid.TaskChange{Reason: demoReturnNotes[rng.IntN(len(demoReturnNotes))]}, 0) {
			return steps
		}
		at = at.Add(minutes(rng, 40, 240))
		if h := beijingClock(at); h >= 19 || h < 7 {
			at = nextBeijing(at, 7, 30).Add(minutes(rng, 0, 60))
		}
		c := demoReport(finding, e, rng)
		c.Notes = demoAgainNotes + c.Notes[len("示例："):]
		if !add(at, skygrid.ActionReport, DemoBySupervisor, c, 2) {
			return steps
		}
	}
	add(reviewTime(at, rng), skygrid.ActionClose, DemoByOfficial, skygrid.TaskChange{Notes: demoCloseNotes[rng.IntN(len(demoCloseNotes))]}, 0)
	return steps
}

// reviewTime is when an official reviews a report made at t: 15 minutes
// to 4 hours later, in office hours (08:00-18:00 Beijing).
func reviewTime(t time.Time, rng *rand.Rand) time.Time {
	at := t.Add(minutes(rng, 15, 240))
	if h := beijingClock(at); h >= 18 || h < 8 {
		at = nextBeijing(at, 8, 30).Add(minutes(rng, 0, 90))
	}
	return at
}

// demoFinding draws a finding for the event's class; a detection many
// hours old when dispatched is more often not found.
func demoFinding(e *skygrid.Event, dispatched time.Time, rng *rand.Rand) string {
	if dispatched.Sub(e.LastSeen) > 8*time.Hour && rng.Float64() < 0.35 {
		return skygrid.FindingNotFound
	}
	ws, ok := demoFindings[e.Class]
	if !ok {
		ws = demoFindings[""]
	}
	total := 0
	for _, w := range ws {
		total += w.weight
	}
	r := rng.IntN(total)
	for _, w := range ws {
		if r < w.weight {
			return w.finding
		}
		r -= w.weight
	}
	return ws[0].finding
}

// demoReport is a report's change: the finding, invented notes and the
// phone's position a few tens of metres from the fire.
func demoReport(finding string, e *skygrid.Event, rng *rand.Rand) skygrid.TaskChange {
	notes := demoNotes[finding]
	n := notes[rng.IntN(len(notes))]
	text := n
	if strings.Contains(n, "%d") {
		text = fmt.Sprintf(n, 2+rng.IntN(18))
	}
	p := jitter(e.Point, 20+rng.Float64()*120, rng)
	return skygrid.TaskChange{Finding: finding, Notes: text, Point: &p, Accuracy: float64(5 + rng.IntN(20))}
}

// jitter moves p by metres in a random direction.
func jitter(p orb.Point, metres float64, rng *rand.Rand) orb.Point {
	a := rng.Float64() * 2 * math.Pi
	dLat, dLon := geo.DegreesFor(metres, p[1])
	return orb.Point{p[0] + dLon*math.Cos(a), p[1] + dLat*math.Sin(a)}
}
