package skygrid

import (
	"context"
	"time"
)

// MonitorItem is a monitor as listed: with its site's name and its latest
// reading.
type MonitorItem struct {
	Monitor
	SiteName string `json:"site_name,omitempty"`
	// LastAt is the data time of the latest reading (any kind), zero when
	// none.
	LastAt time.Time `json:"last_at,omitzero"`
	// PM10 is the latest hour's mean PM10 (µg/m³) and PM10Hour that
	// hour's start, UTC; nil when no valid PM10 is stored.
	PM10     *float64  `json:"pm10,omitempty"`
	PM10Hour time.Time `json:"pm10_hour,omitzero"`
	// Level is the HJ 633-2012 level (1 优 to 6 严重) of PM10, 0 when it
	// is missing or more than 2 hours old, and Colour its colour (grey
	// for 0): set by the API at the time of the answer.
	Level  int    `json:"level"`
	Colour string `json:"colour"`
	// Silent: no data since LastAt for the dust rules' silent_after (an
	// air station, which may send hourly, 2 hours at least); set by the
	// API at the time of the answer. A monitor never heard has no LastAt.
	Silent bool `json:"silent,omitempty"`
}

// Reading resolutions of a series.
const (
	ResMinute = "minute"
	ResHour   = "hour"
)

// SeriesPoint is one time of a monitor's series: a minute (or real-time)
// reading, or an hour's aggregate (mean of the valid values; N counts
// them, All counts every value, flagged ones too).
type SeriesPoint struct {
	At time.Time `json:"at"`
	// Kind is the kind of the readings (minute, rtd; hour resolution: the
	// kind the hour's aggregate came from: minute, else rtd, else hour).
	Kind   string             `json:"kind"`
	Values map[string]float64 `json:"values"`
	Flags  map[string]string  `json:"flags,omitempty"`
	N      map[string]int     `json:"n,omitempty"`
	All    map[string]int     `json:"all,omitempty"`
	Min    map[string]float64 `json:"min,omitempty"`
	Max    map[string]float64 `json:"max,omitempty"`
}

// RejectCount is how many packets of one MN were refused, and when the
// last was.
type RejectCount struct {
	MN    string    `json:"mn"`
	Count int       `json:"count"`
	Last  time.Time `json:"last"`
}

// MonitorImport is one monitor of an import file: the monitor, the site
// it names (a site's external id; "" to find the construction site or
// stockpile whose polygon holds it) and where in the file it was
// ("line 3", "feature 2") for errors.
type MonitorImport struct {
	Monitor
	SiteRef string
	Where   string
}

// LayerMonitors is the map layer of monitors (扬尘监测); its version
// counts imports of monitors.
const LayerMonitors = "monitors"

// ReadingsResult is what an ingest of readings (POST /api/readings,
// skygrid ingest readings) did: new readings, duplicates of stored ones,
// and the refused rows or items with why.
type ReadingsResult struct {
	Stored     int              `json:"stored"`
	Duplicates int              `json:"duplicates"`
	Refused    []ReadingRefusal `json:"refused"`
}

// ReadingRefusal is one refused CSV row (Line, from 1 with the header) or
// JSON item (Index, from 0), the field at fault and why.
type ReadingRefusal struct {
	Line    int    `json:"line,omitempty"`
	Index   *int   `json:"index,omitempty"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// MonitorService reads and stores monitors, their readings and the
// rejected-packet log.
type MonitorService interface {
	ReadingSink
	// ListMonitors lists the monitors standing in the scope's regions
	// (every monitor for a city-wide scope or nil).
	ListMonitors(ctx context.Context, scope *Scope) ([]*MonitorItem, error)
	Monitor(ctx context.Context, id int64) (*MonitorItem, error)
	ReadingSeries(ctx context.Context, monitorID int64, from, to time.Time, res string) ([]SeriesPoint, error)
	PacketRejects(ctx context.Context, limit int) ([]PacketReject, []RejectCount, error)
	// EventAlarms are the alarms a dust event holds, newest first (20 at
	// most), each with its device: what its task is about.
	EventAlarms(ctx context.Context, eventID int64) ([]EventAlarm, error)
}

// EventAlarm is one alarm of a dust event as its task shows it.
type EventAlarm struct {
	MN          string    `json:"mn"`
	MonitorName string    `json:"monitor_name"`
	Rule        string    `json:"rule"`
	Class       string    `json:"class"`
	WindowStart time.Time `json:"window_start"`
	WindowEnd   time.Time `json:"window_end"`
	Value       float64   `json:"value"`
	Limit       float64   `json:"limit"`
	Detail      string    `json:"detail"`
}
