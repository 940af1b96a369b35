package processors_test

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/processors"
	"github.com/stripe-infor/stripe-infor/processors/transform"
)

// slow is the real transform made slow, so that a shutdown lands in the
// middle of a batch.
type slow struct{ inner processors.Transformer }

func (s slow) Transform(raw []byte, at time.Time) (transform.Result, error) {
	time.Sleep(3 * time.Millisecond)
	return s.inner.Transform(raw, at)
}

func TestShutdownMidBatchThenRestartWritesEverythingOnce(t *testing.T) {
	e := newEnv(t)
	const n = 300
	at := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	var recs []*kgo.Record
	for i := range n {
		recs = append(recs, rawRecord(t, stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: int64(500 + i), Livemode: true}), at))
	}
	e.produce(recs...)

	cfg := e.config("tx-shutdown")
	cfg.Transformer = slow{e.tr}
	first := e.start(cfg)
	e.waitCount(kafka.EnrichedEvents, 60) // some batches committed, more under way
	if err := first.stop(); err != nil {
		t.Fatalf("Run after cancel: %v", err)
	}
	if err := first.p.Ready(context.Background()); err == nil {
		t.Fatalf("a stopped processor reports ready")
	}
	done := committedCharges(first.p.Metrics())
	if done >= n {
		t.Fatalf("the first instance finished everything (%v); the shutdown did not land mid-stream", done)
	}

	second := e.start(e.config("tx-shutdown"))
	e.waitCount(kafka.EnrichedEvents, n)
	if err := second.stop(); err != nil {
		t.Fatal(err)
	}
	got := byTopic(readAll(t, e.addr, outputTopics()...))
	if len(got[kafka.EnrichedEvents]) != n {
		t.Fatalf("%d enriched events after the restart, want exactly %d", len(got[kafka.EnrichedEvents]), n)
	}
	seen := map[string]int{}
	for _, topic := range kafka.CommandTopics {
		for _, rec := range got[topic] {
			v, err := e.serde.Decode(context.Background(), rec.Value)
			if err != nil {
				t.Fatal(err)
			}
			seen[topic+" "+v.(command.Command).ID()]++
		}
	}
	for k, c := range seen {
		if c != 1 {
			t.Fatalf("%s written %d times", k, c)
		}
	}
	if total := done + committedCharges(second.p.Metrics()); total != n {
		t.Fatalf("the two instances committed %v events, want %d", total, n)
	}
}

// committedCharges is how many charge.succeeded events an instance committed.
func committedCharges(m *processors.Metrics) float64 {
	return counter(m, "charge.succeeded", transform.OutcomeMapped)
}
