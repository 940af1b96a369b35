package producer

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Outcomes of a webhook request; the "outcome" label of requests_total.
const (
	OutcomeAccepted         = "accepted"
	OutcomeBadSignature     = "bad_signature"
	OutcomeBadRequest       = "bad_request"
	OutcomeTooLarge         = "too_large"
	OutcomeMethodNotAllowed = "method_not_allowed"
	OutcomeUnavailable      = "unavailable"
)

// Metrics are the producer's Prometheus series.
type Metrics struct {
	Requests             *prometheus.CounterVec
	VerificationFailures *prometheus.CounterVec
	ProduceLatency       prometheus.Histogram
	InFlight             prometheus.Gauge

	accepted prometheus.Counter // resolved once: the hot path skips the label lookup
}

// NewMetrics creates the series and registers them with reg (nil: not
// registered, useful in benchmarks).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "stripe_infor", Subsystem: "webhook", Name: "requests_total",
			Help: "Webhook requests by outcome (accepted, bad_signature, bad_request, too_large, method_not_allowed, unavailable).",
		}, []string{"outcome"}),
		VerificationFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "stripe_infor", Subsystem: "webhook", Name: "verification_failures_total",
			Help: "Refused webhooks by reason (signature and body checks).",
		}, []string{"reason"}),
		ProduceLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "stripe_infor", Subsystem: "webhook", Name: "produce_seconds",
			Help:    "Time from handing the record to the Kafka client until the broker acknowledged it (or it failed).",
			Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
		InFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "stripe_infor", Subsystem: "webhook", Name: "in_flight_requests",
			Help: "Webhook requests being handled now.",
		}),
	}
	// Pre-create the labelled series so dashboards show zeros, not gaps.
	for _, o := range []string{OutcomeAccepted, OutcomeBadSignature, OutcomeBadRequest, OutcomeTooLarge, OutcomeMethodNotAllowed, OutcomeUnavailable} {
		m.Requests.WithLabelValues(o)
	}
	for r := range verifyErrors {
		m.VerificationFailures.WithLabelValues(r)
	}
	m.VerificationFailures.WithLabelValues(ReasonMalformedJSON)
	m.VerificationFailures.WithLabelValues(ReasonNotAnEvent)
	m.accepted = m.Requests.WithLabelValues(OutcomeAccepted)
	if reg != nil {
		reg.MustRegister(m.Requests, m.VerificationFailures, m.ProduceLatency, m.InFlight)
	}
	return m
}
