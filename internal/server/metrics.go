package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ordergraph/ordergraph"
)

// Metric names, exported so dashboards and tests agree on them.
const (
	MetricRequests        = "ordergraph_http_requests_total"
	MetricRequestDuration = "ordergraph_http_request_duration_seconds"
	MetricOrders          = "ordergraph_orders"
)

// orderCountTimeout bounds the database query one scrape makes.
const orderCountTimeout = 5 * time.Second

// Metrics holds the server's Prometheus metrics on a registry of its own,
// so that several servers in one process (tests, ordergraphtest) never
// collide on the global registry.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics registers the request metrics, the Go and process collectors,
// and, when orderCounts is not nil, a gauge of orders by state that calls
// orderCounts at each scrape (so it is never stale and costs nothing
// between scrapes).
func NewMetrics(orderCounts func(ctx context.Context) (map[ordergraph.OrderState]int, error)) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricRequests,
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    MetricRequestDuration,
			Help:    "Time to answer an HTTP request, by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
	}
	m.registry.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if orderCounts != nil {
		m.registry.MustRegister(&orderCollector{
			counts: orderCounts,
			desc:   prometheus.NewDesc(MetricOrders, "Orders by current state, across pages.", []string{"state"}, nil),
		})
	}
	return m
}

// Registry returns the registry the metrics live on, for callers that add
// their own collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// ObserveRequest counts one answered request and its latency. route must be
// a pattern (such as "/{id}/shipments"), never a raw path, to keep the
// number of series bounded.
func (m *Metrics) ObserveRequest(route, method string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

// Handler serves the metrics in the Prometheus exposition format. A failing
// collector does not hide the others.
func (m *Metrics) Handler(logger *slog.Logger) http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(logger.Handler(), slog.LevelError),
		ErrorHandling: promhttp.ContinueOnError,
	})
}

// orderCollector reads order counts from the database at scrape time.
type orderCollector struct {
	counts func(ctx context.Context) (map[ordergraph.OrderState]int, error)
	desc   *prometheus.Desc
}

func (c *orderCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *orderCollector) Collect(ch chan<- prometheus.Metric) {
	counts, err := c.read()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	// Every state is reported, zero included, so a state's series does not
	// vanish when its last order moves on.
	for _, st := range ordergraph.OrderStates {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(counts[st]), string(st))
	}
}

// read calls counts with a timeout. A panic is turned into an error: the
// registry collects on its own goroutines, where a panic would end the
// process rather than one scrape.
func (c *orderCollector) read() (counts map[ordergraph.OrderState]int, err error) {
	defer func() {
		if p := recover(); p != nil {
			counts, err = nil, fmt.Errorf("count orders: panic: %v", p)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), orderCountTimeout)
	defer cancel()
	return c.counts(ctx)
}
