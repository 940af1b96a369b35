package inforsink

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Outcomes, the "outcome" label of commands_total: what finished a record.
const (
	OutcomeApplied   = "applied"   // Infor confirmed it (created, or found it already there)
	OutcomeDuplicate = "duplicate" // Redis said done: skipped
	OutcomeRetried   = "retried"   // moved to <topic>.retry
	OutcomeDLQ       = "dlq"       // moved to <topic>.dlq
)

// Retry kinds, the "kind" label of retries_total.
const (
	RetryInPlace    = "in_place"
	RetryRetryTopic = "retry_topic"
	// RetryDependencyWait: a wait in place for a prerequisite
	// (Config.DependencyWaits).
	RetryDependencyWait = "dependency_wait"
)

// Metrics are the sink's Prometheus series, all prefixed
// stripe_infor_sink_. The "topic" label is the command topic, also for
// records read from its .retry topic.
type Metrics struct {
	// Commands counts finished records by topic, command type and outcome
	// (applied, duplicate, retried, dlq).
	Commands *prometheus.CounterVec
	// DedupeHits counts commands skipped because Redis had them done.
	DedupeHits *prometheus.CounterVec
	// Retries counts retries by topic and kind (in_place, retry_topic,
	// dependency_wait).
	Retries *prometheus.CounterVec
	// DLQ counts dead-lettered records by topic and error class.
	DLQ *prometheus.CounterVec
	// ApplySeconds is the duration of one Apply (Infor's latency, all of
	// the command's MI calls), by command type, failures included.
	ApplySeconds *prometheus.HistogramVec
	// ConsumerLag is, per consumed partition, the high watermark seen in
	// the last fetch minus the offset committed.
	ConsumerLag *prometheus.GaugeVec
	// InFlight is the number of Apply calls running (at most Concurrency).
	InFlight prometheus.Gauge
	// Buffered is the number of records fetched and not finished, retry
	// records held until their time aside (at most MaxBuffered, roughly).
	Buffered prometheus.Gauge
	// RedisUp is 1 while the dedupe store answers, 0 during an outage.
	RedisUp prometheus.Gauge
	// RetryHeld is the number of retry-topic records held until their
	// retry.not-before.
	RetryHeld prometheus.Gauge
	// CommitErrors counts offset commits the broker refused or that failed
	// (retried at the next interval).
	CommitErrors prometheus.Counter
}

// NewMetrics creates the series and registers them with reg (nil: not
// registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	const ns, sub = "stripe_infor", "sink"
	m := &Metrics{
		Commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "commands_total",
			Help: "Command records finished, by command topic, command type and outcome (applied, duplicate, retried, dlq).",
		}, []string{"topic", "type", "outcome"}),
		DedupeHits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "dedupe_hits_total",
			Help: "Commands skipped because the dedupe store had them done already, by command topic.",
		}, []string{"topic"}),
		Retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "retries_total",
			Help: "Retries by command topic and kind (in_place: tried again at once after a backoff; retry_topic: moved to <topic>.retry; dependency_wait: waited in place for a prerequisite, then tried again).",
		}, []string{"topic", "kind"}),
		DLQ: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "dlq_records_total",
			Help: "Records written to <topic>.dlq, by command topic and error class (validation, decode, dependency, transient-exhausted).",
		}, []string{"topic", "class"}),
		ApplySeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: ns, Subsystem: sub, Name: "apply_seconds",
			Help:    "Time to apply one command in Infor (all its MI calls), by command type, failures included.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"type"}),
		ConsumerLag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: ns, Subsystem: sub, Name: "consumer_lag",
			Help: "Records behind, per consumed partition: the high watermark of the last fetch minus the committed offset.",
		}, []string{"topic", "partition"}),
		InFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: ns, Subsystem: sub, Name: "in_flight",
			Help: "Apply calls running now (at most the configured concurrency).",
		}),
		Buffered: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: ns, Subsystem: sub, Name: "buffered_records",
			Help: "Records fetched and not finished yet (held retry records aside).",
		}),
		RedisUp: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: ns, Subsystem: sub, Name: "redis_up",
			Help: "1 while the dedupe store (Redis) answers, 0 during an outage (work on claims waits).",
		}),
		RetryHeld: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: ns, Subsystem: sub, Name: "retry_held",
			Help: "Retry-topic records held in memory until their retry.not-before.",
		}),
		CommitErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "commit_errors_total",
			Help: "Offset commits that failed (retried at the next commit interval).",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.Commands, m.DedupeHits, m.Retries, m.DLQ, m.ApplySeconds, m.ConsumerLag,
			m.InFlight, m.Buffered, m.RedisUp, m.RetryHeld, m.CommitErrors)
	}
	return m
}
