package api

import (
	"context"
	"strconv"
	"time"

	"skygrid"
	"skygrid/netlimit"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are skygrid's Prometheus metrics: HTTP requests as they happen,
// and feeds, ingest and dispatch read from the store at each scrape (so a
// CLI ingest or another process shows too).
type Metrics struct {
	Registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// StatsSource is what the metrics read from the store.
type StatsSource interface {
	FindFeeds(ctx context.Context) ([]*skygrid.FeedStatus, error)
	IngestStats(ctx context.Context) (*skygrid.IngestStats, error)
}

// NewMetrics registers the metrics over src.
func NewMetrics(src StatsSource) *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "skygrid_http_requests_total",
		Help: "HTTP requests by route, method and status."}, []string{"route", "method", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "skygrid_http_request_duration_seconds",
		Help: "HTTP request duration by route.", Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}},
		[]string{"route"})
	m.Registry.MustRegister(m.requests, m.duration, &storeCollector{src: src},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// middleware counts and times every request by its route pattern.
func (m *Metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		code := c.Response().Status
		if err != nil {
			if he, ok := err.(*echo.HTTPError); ok {
				code = he.Code
			} else {
				code = codeStatus[skygrid.ErrorCode(err)]
			}
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		method := c.Request().Method
		switch method {
		case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
		default:
			method = "other" // any word is a method to Go: no unbounded labels
		}
		m.requests.WithLabelValues(route, method, strconv.Itoa(code)).Inc()
		m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
		return err
	}
}

// handler serves the registry.
func (m *Metrics) handler() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
}

var (
	feedLastSuccess = prometheus.NewDesc("skygrid_feed_last_success_timestamp_seconds", "Time of the last successful pull.", []string{"source"}, nil)
	feedLastError   = prometheus.NewDesc("skygrid_feed_last_error_timestamp_seconds", "Time of the last failed pull.", []string{"source"}, nil)
	feedNewest      = prometheus.NewDesc("skygrid_feed_newest_detection_timestamp_seconds", "Acquisition time of the newest detection pulled.", []string{"source"}, nil)
	feedAdded       = prometheus.NewDesc("skygrid_feed_hotspots_added_total", "New hotspots from the source.", []string{"source"}, nil)
	feedPulls       = prometheus.NewDesc("skygrid_feed_pulls_total", "Pulls of the source.", []string{"source"}, nil)
	feedErrors      = prometheus.NewDesc("skygrid_feed_errors_total", "Failed pulls of the source.", []string{"source"}, nil)
	feedFailing     = prometheus.NewDesc("skygrid_feed_failing", "1 when the source has had no success for an hour.", []string{"source"}, nil)
	ingestBatches   = prometheus.NewDesc("skygrid_ingest_batches_total", "Ingested files and feed answers by origin.", []string{"origin"}, nil)
	ingestRows      = prometheus.NewDesc("skygrid_ingest_rows_total", "Rows by outcome.", []string{"outcome"}, nil)
	ingestLatency   = prometheus.NewDesc("skygrid_ingest_latency_seconds", "Arrival to tasks stored, the last batch of each origin.", []string{"origin"}, nil)
	dispatchTasks   = prometheus.NewDesc("skygrid_dispatch_tasks", "Tasks by state.", []string{"state"}, nil)
	dispatchEvents  = prometheus.NewDesc("skygrid_dispatch_events_total", "Events created.", nil, nil)
	dispatchOverdue = prometheus.NewDesc("skygrid_dispatch_tasks_escalated", "Open tasks by escalation level.", []string{"level"}, nil)
	outboxPending   = prometheus.NewDesc("skygrid_notify_outbox_pending", "Notifications not sent yet.", nil, nil)
)

type storeCollector struct{ src StatsSource }

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{feedLastSuccess, feedLastError, feedNewest, feedAdded, feedPulls, feedErrors, feedFailing,
		ingestBatches, ingestRows, ingestLatency, dispatchTasks, dispatchEvents, dispatchOverdue, outboxPending} {
		ch <- d
	}
}

func unix(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if feeds, err := c.src.FindFeeds(ctx); err == nil {
		for _, f := range feeds {
			constMetric(ch, feedLastSuccess, prometheus.GaugeValue, unix(f.LastSuccess), f.Source)
			constMetric(ch, feedLastError, prometheus.GaugeValue, unix(f.LastErrorAt), f.Source)
			constMetric(ch, feedNewest, prometheus.GaugeValue, unix(f.NewestDetection), f.Source)
			constMetric(ch, feedAdded, prometheus.CounterValue, float64(f.AddedTotal), f.Source)
			constMetric(ch, feedPulls, prometheus.CounterValue, float64(f.Pulls), f.Source)
			constMetric(ch, feedErrors, prometheus.CounterValue, float64(f.Errors), f.Source)
			failing := 0.0
			if f.Failing {
				failing = 1
			}
			constMetric(ch, feedFailing, prometheus.GaugeValue, failing, f.Source)
		}
	}
	st, err := c.src.IngestStats(ctx)
	if err != nil {
		return
	}
	for origin, n := range st.Batches {
		constMetric(ch, ingestBatches, prometheus.CounterValue, float64(n), origin)
	}
	for outcome, n := range st.Rows {
		constMetric(ch, ingestRows, prometheus.CounterValue, float64(n), outcome)
	}
	for origin, ms := range st.LastLatencyMS {
		constMetric(ch, ingestLatency, prometheus.GaugeValue, float64(ms)/1000, origin)
	}
	for state, n := range st.Tasks {
		constMetric(ch, dispatchTasks, prometheus.GaugeValue, float64(n), state)
	}
	for level, n := range st.Escalated {
		constMetric(ch, dispatchOverdue, prometheus.GaugeValue, float64(n), strconv.Itoa(level))
	}
	constMetric(ch, dispatchEvents, prometheus.CounterValue, float64(st.Events))
	constMetric(ch, outboxPending, prometheus.GaugeValue, float64(st.OutboxPending))
}

// constMetric sends a metric, skipping one that cannot be made (a label
// value that is not UTF-8): a scrape must never panic.
func constMetric(ch chan<- prometheus.Metric, d *prometheus.Desc, t prometheus.ValueType, v float64, labels ...string) {
	if m, err := prometheus.NewConstMetric(d, t, v, labels...); err == nil {
		ch <- m
	}
}

// connections exports the listener's connection counts: open (active or
// reserved, beyond the caps) and refused so far.
func (m *Metrics) connections(stats func() netlimit.Stats) {
	m.Registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "skygrid_http_connections", Help: "HTTP connections open within the caps.",
			ConstLabels: prometheus.Labels{"state": "active"}}, func() float64 { return float64(stats().Active) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "skygrid_http_connections", Help: "HTTP connections open within the caps.",
			ConstLabels: prometheus.Labels{"state": "reserved"}}, func() float64 { return float64(stats().Reserved) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "skygrid_http_connections_refused_total",
			Help: "HTTP connections closed at once (beyond the caps and the reserve) or evicted from the reserve."},
			func() float64 { return float64(stats().Refused) }))
}
