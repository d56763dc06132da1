package skygrid

import (
	"context"
	"time"
)

// Monitor kinds.
const (
	MonitorDust    = "dust"    // 工地扬尘在线监测仪
	MonitorStation = "station" // 空气质量监测站
)

// MonitorKindNames are the Chinese names shown to users.
var MonitorKindNames = map[string]string{
	MonitorDust:    "扬尘监测仪",
	MonitorStation: "空气质量站",
}

// Factors: what a reading measures, whatever code the device sent. Mass
// concentrations (TSP, PM10, PM2.5) are stored in µg/m³.
const (
	FactorTSP         = "tsp"      // 总悬浮颗粒物 µg/m³
	FactorPM10        = "pm10"     // µg/m³
	FactorPM25        = "pm25"     // µg/m³
	FactorTemperature = "temp"     // ℃
	FactorHumidity    = "rh"       // %
	FactorPressure    = "pressure" // kPa
	FactorWindSpeed   = "ws"       // m/s
	FactorWindDir     = "wd"       // °
	FactorNoise       = "noise"    // dB(A)
)

// Factors lists the factors a dust monitor reports, in the order shown.
var Factors = []string{FactorPM10, FactorPM25, FactorTSP, FactorTemperature, FactorHumidity,
	FactorPressure, FactorWindSpeed, FactorWindDir, FactorNoise}

// FactorNames are the Chinese names shown to users.
var FactorNames = map[string]string{
	FactorTSP: "TSP", FactorPM10: "PM10", FactorPM25: "PM2.5", FactorTemperature: "温度",
	FactorHumidity: "湿度", FactorPressure: "气压", FactorWindSpeed: "风速", FactorWindDir: "风向",
	FactorNoise: "噪声",
}

// Reading kinds: the HJ 212 data command a reading came with.
const (
	ReadingRealtime = "rtd"    // CN 2011 实时数据
	ReadingMinute   = "minute" // CN 2051 分钟数据
	ReadingHour     = "hour"   // CN 2061 小时数据
	ReadingDay      = "day"    // CN 2031 日数据
)

// Reading sources.
const (
	SourceHJ212 = "hj212" // the TCP receiver
	SourceHTTP  = "http"  // POST /api/readings
	SourceFile  = "file"  // skygrid ingest readings
)

// MonitorLenient are the deviations from HJ 212-2017 accepted from one
// monitor; readings that needed one are stored flagged with its name.
type MonitorLenient struct {
	LengthCountsTrailer bool `json:"length_counts_trailer,omitempty"`
	ModbusCRC           bool `json:"modbus_crc,omitempty"`
	LowercaseHex        bool `json:"lowercase_hex,omitempty"`
}

// Monitor is a registered dust monitor or air-quality station.
type Monitor struct {
	ID int64 `json:"id"`
	// MN is the device number (HJ 212 MN), unique.
	MN string `json:"mn"`
	// Password is the access password (HJ 212 PW); never sent to clients.
	Password string  `json:"-"`
	Name     string  `json:"name"`
	Kind     string  `json:"kind"`
	Lon      float64 `json:"lon"`
	Lat      float64 `json:"lat"`
	// SiteID is the site the monitor stands on, if any.
	SiteID      *int64         `json:"site_id,omitempty"`
	VideoURL    string         `json:"video_url,omitempty"`
	SnapshotURL string         `json:"snapshot_url,omitempty"`
	Lenient     MonitorLenient `json:"lenient"`
	Demo        bool           `json:"demo,omitempty"`
	// The snapshot URL's probing: when an image was last fetched, when it
	// was last tried, and why the last try failed ("" when it worked).
	VideoSeenAt    *time.Time `json:"video_seen_at,omitempty"`
	VideoCheckedAt *time.Time `json:"video_checked_at,omitempty"`
	VideoError     string     `json:"video_error,omitempty"`
}

// Reading is what one packet (or CSV row, or JSON item) says about one
// monitor at one data time.
type Reading struct {
	MonitorID int64 `json:"monitor_id"`
	// At is the data time (HJ 212 DataTime), UTC.
	At   time.Time `json:"at"`
	Kind string    `json:"kind"` // Reading*
	// Values by factor (Factor*): the real-time value for rtd readings,
	// the average for minute, hour and day readings.
	Values map[string]float64 `json:"values"`
	// Flags by factor: the data flag as sent; "" or "N" is a valid
	// reading, any other is stored but excluded from the rules.
	Flags map[string]string `json:"flags,omitempty"`
	// Deviations are the lenient rules the packet needed (hj212.Deviation
	// names); such readings are stored flagged.
	Deviations []string `json:"deviations,omitempty"`
	// QN is the packet's request number, "" when not from HJ 212.
	QN     string `json:"qn,omitempty"`
	Source string `json:"source"`
	// ReceivedAt is when skygrid received it, UTC.
	ReceivedAt time.Time `json:"received_at"`
}

// Valid reports whether the factor's value counts for the rules.
func (r *Reading) Valid(factor string) bool {
	if _, ok := r.Values[factor]; !ok {
		return false
	}
	f := r.Flags[factor]
	return f == "" || f == "N"
}

// PacketReject is a packet refused by the receiver, for the rejected-packet
// log admins read.
type PacketReject struct {
	At     time.Time `json:"at"`
	MN     string    `json:"mn"` // "" when the packet was too broken to say
	Remote string    `json:"remote"`
	Reason string    `json:"reason"` // hj212.Reason or "unknown mn", "wrong pw"
	Detail string    `json:"detail"`
	// Packet is the start of the raw packet (at most 256 bytes).
	Packet string `json:"packet"`
}

// ReadingSink stores what the receiver, the HTTP endpoint and the file
// ingest take in. StoreReadings stores each reading once: a reading of the
// same monitor with the same QN, or the same kind and data time, as one
// already stored is a duplicate. It returns how many were new; when it
// returns without error every reading is durable.
type ReadingSink interface {
	MonitorByMN(ctx context.Context, mn string) (Monitor, error)
	StoreReadings(ctx context.Context, rs []Reading) (stored int, err error)
	RejectPacket(ctx context.Context, r PacketReject) error
}
