package alert

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Results, the "result" label of stripe_infor_alerts_total. sent and failed
// count webhook posts; suppressed and dropped count alerts that got no post
// of their own.
const (
	ResultSent       = "sent"
	ResultFailed     = "failed"
	ResultSuppressed = "suppressed"
	ResultDropped    = "dropped"
)

// metrics are the Notifier's series.
type metrics struct {
	total                             *prometheus.CounterVec
	sent, failed, suppressed, dropped prometheus.Counter
}

// newMetrics creates stripe_infor_alerts_total and registers it with reg
// (nil: not registered). A series already registered (dev restarts a stage
// in one process) is reused, so its counts carry on.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	v := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "stripe_infor", Name: "alerts_total",
		Help: "Alert webhook outcomes: posts sent or failed (after retries), alerts suppressed by the rate limit " +
			"(counted in a later post) or dropped (queue full, notifier closed).",
	}, []string{"result"})
	if reg != nil {
		if err := reg.Register(v); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return nil, err
			}
			existing, ok := are.ExistingCollector.(*prometheus.CounterVec)
			if !ok {
				return nil, err
			}
			v = existing
		}
	}
	return &metrics{
		total:      v,
		sent:       v.WithLabelValues(ResultSent),
		failed:     v.WithLabelValues(ResultFailed),
		suppressed: v.WithLabelValues(ResultSuppressed),
		dropped:    v.WithLabelValues(ResultDropped),
	}, nil
}
