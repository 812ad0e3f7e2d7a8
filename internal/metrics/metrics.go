// Package metrics defines the Prometheus series Buzón exports at /metrics.
// They live in one registry owned by the server, not in the global default,
// so tests can start several servers in one process.
package metrics

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the series that code updates as it works.
type Metrics struct {
	Registry     *prometheus.Registry
	HTTPRequests *prometheus.CounterVec   // route pattern, method, status
	HTTPDuration *prometheus.HistogramVec // route pattern, method
	JobsRun      *prometheus.CounterVec   // kind, outcome (done, retry, failed)
	MailsSent    prometheus.Counter
	MailsFailed  prometheus.Counter
}

// New registers the series, plus the Go runtime and process collectors.
func New() *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{
		Registry: r,
		HTTPRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "buzon_http_requests_total", Help: "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "status"}),
		HTTPDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "buzon_http_request_duration_seconds", Help: "HTTP request durations by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
		JobsRun: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "buzon_jobs_run_total", Help: "Job attempts by kind and outcome (done, retry, failed).",
		}, []string{"kind", "outcome"}),
		MailsSent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "buzon_mails_sent_total", Help: "Emails handed to the SMTP server (or the development mailbox).",
		}),
		MailsFailed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "buzon_mails_failed_total", Help: "Email send attempts that failed.",
		}),
	}
	r.MustRegister(m.HTTPRequests, m.HTTPDuration, m.JobsRun, m.MailsSent, m.MailsFailed,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveHTTP records one finished request.
func (m *Metrics) ObserveHTTP(route, method string, status int, d time.Duration) {
	m.HTTPRequests.WithLabelValues(route, method, statusText(status)).Inc()
	m.HTTPDuration.WithLabelValues(route, method).Observe(d.Seconds())
}

// WatchJobQueue exports the number of jobs in each state, read from counts
// when Prometheus scrapes (a gauge that is always current, never stale).
func (m *Metrics) WatchJobQueue(counts func(ctx context.Context) (map[string]int, error)) {
	desc := prometheus.NewDesc("buzon_jobs", "Jobs in the outbox by state.", []string{"state"}, nil)
	m.Registry.MustRegister(&queueCollector{desc: desc, counts: counts})
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

type queueCollector struct {
	desc   *prometheus.Desc
	counts func(ctx context.Context) (map[string]int, error)
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.counts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for state, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), state)
	}
}

func statusText(code int) string {
	const digits = "0123456789"
	if code < 100 || code > 999 {
		return "000"
	}
	return string([]byte{digits[code/100], digits[code/10%10], digits[code%10]})
}
