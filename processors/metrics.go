package processors

import (
	"github.com/prometheus/client_golang/prometheus"
)

// OutcomeDLQ is the outcome label of an event written to the DLQ, beside
// transform's outcomes (mapped, no_commands, unknown_type,
// test_mode_dropped).
const OutcomeDLQ = "dlq"

// Transaction results, the "result" label of transactions_total.
const (
	TxnCommitted = "committed"
	TxnAborted   = "aborted"
)

// Metrics are the processor's Prometheus series. Event, record, flag and DLQ
// counters move only when the transaction holding them commits, so an
// aborted and redone batch is counted once.
type Metrics struct {
	// Events counts raw events by Stripe event type and outcome.
	Events *prometheus.CounterVec
	// Commands counts commands written, by topic and command type.
	Commands *prometheus.CounterVec
	// Records counts every record written, by topic (commands, enriched
	// events, notifications, DLQ).
	Records *prometheus.CounterVec
	// Flags counts mapping flags by code.
	Flags *prometheus.CounterVec
	// DLQ counts dead-lettered raw records by error class and code.
	DLQ *prometheus.CounterVec
	// Transactions counts ended transactions by result.
	Transactions *prometheus.CounterVec
	// PollErrors counts fetch errors reported by the Kafka client.
	PollErrors prometheus.Counter
	// TransformSeconds is the time one Transform call takes (and encoding
	// its outputs).
	TransformSeconds prometheus.Histogram
}

// NewMetrics creates the series and registers them with reg (nil: not
// registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	const ns, sub = "stripe_infor", "processor"
	m := &Metrics{
		Events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "events_total",
			Help: "Raw Stripe events processed, by event type and outcome (mapped, no_commands, unknown_type, test_mode_dropped, dlq).",
		}, []string{"event_type", "outcome"}),
		Commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "commands_written_total",
			Help: "Infor commands written in committed transactions, by topic and command type.",
		}, []string{"topic", "type"}),
		Records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "records_written_total",
			Help: "Records written in committed transactions, by topic (commands, enriched events, notifications, DLQ).",
		}, []string{"topic"}),
		Flags: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "flags_total",
			Help: "Mapping flags raised on committed events, by code.",
		}, []string{"code"}),
		DLQ: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "dlq_records_total",
			Help: "Raw records written to the DLQ, by error class and code.",
		}, []string{"class", "code"}),
		Transactions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "transactions_total",
			Help: "Kafka transactions ended, by result (committed, aborted).",
		}, []string{"result"}),
		PollErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "poll_errors_total",
			Help: "Errors reported while fetching from stripe.events.raw (retried).",
		}),
		TransformSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: ns, Subsystem: sub, Name: "transform_seconds",
			Help:    "Time to transform one raw event and encode its outputs.",
			Buckets: []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1},
		}),
	}
	// Pre-create the label values we know so dashboards show zeros, not gaps.
	m.Transactions.WithLabelValues(TxnCommitted)
	m.Transactions.WithLabelValues(TxnAborted)
	if reg != nil {
		reg.MustRegister(m.Events, m.Commands, m.Records, m.Flags, m.DLQ, m.Transactions, m.PollErrors, m.TransformSeconds)
	}
	return m
}

// tally collects what a transaction did; it is added to the metrics, and
// its DLQ writes logged, only when the transaction commits.
type tally struct {
	events   map[[2]string]int // {event type, outcome}
	commands map[[2]string]int // {topic, type}
	records  map[string]int    // topic
	flags    map[string]int    // code
	dlq      []dlqEntry
}

func newTally() *tally {
	return &tally{events: map[[2]string]int{}, commands: map[[2]string]int{}, records: map[string]int{}, flags: map[string]int{}}
}

func (m *Metrics) add(t *tally) {
	for k, n := range t.events {
		m.Events.WithLabelValues(k[0], k[1]).Add(float64(n))
	}
	for k, n := range t.commands {
		m.Commands.WithLabelValues(k[0], k[1]).Add(float64(n))
	}
	for k, n := range t.records {
		m.Records.WithLabelValues(k).Add(float64(n))
	}
	for k, n := range t.flags {
		m.Flags.WithLabelValues(k).Add(float64(n))
	}
	for _, d := range t.dlq {
		m.DLQ.WithLabelValues(d.err.Class, d.err.Code).Inc()
	}
}
