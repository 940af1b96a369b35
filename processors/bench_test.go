package processors_test

import (
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
)

// BenchmarkProcessor measures end-to-end throughput on the embedded broker:
// b.N raw events (a mix of types) are waiting, and the clock runs from the
// processor's start until every enriched event is committed. It includes
// the transform, Avro encoding, and the Kafka transactions (500 records
// each), on one instance.
func BenchmarkProcessor(b *testing.B) {
	e := newEnv(b)
	types := []string{"charge.succeeded", "customer.created", "refund.created", "invoice.paid", "payout.paid"}
	at := time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC)
	var recs []*kgo.Record
	for i := range b.N {
		recs = append(recs, rawRecord(b, stripefixture.MustEvent(types[i%len(types)], stripefixture.Options{Seq: int64(i), Livemode: true}), at))
	}
	for i := 0; i < len(recs); i += 1000 {
		e.produce(recs[i:min(i+1000, len(recs))]...)
	}
	cfg := e.config("tx-bench")
	cfg.MaxRecordsPerTxn = 500
	b.ResetTimer()
	start := time.Now()
	r := e.start(cfg)
	e.waitCount(kafka.EnrichedEvents, b.N)
	elapsed := time.Since(start)
	b.StopTimer()
	if err := r.stop(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
}
