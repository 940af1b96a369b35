package processors_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/processors"
	"github.com/stripe-infor/stripe-infor/processors/transform"
)

// assignments returns each member's partition count of the raw topic, as
// the broker's group coordinator sees it.
func assignments(t *testing.T, addr, group string) (map[string]int, string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	groups, err := kadm.NewClient(cl).DescribeGroups(ctx, group)
	if err != nil {
		t.Fatal(err)
	}
	g := groups[group]
	out := map[string]int{}
	for _, m := range g.Members {
		n := 0
		if a, ok := m.Assigned.AsConsumer(); ok {
			for _, tp := range a.Topics {
				if tp.Topic == kafka.RawEvents {
					n += len(tp.Partitions)
				}
			}
		}
		out[m.MemberID] = n
	}
	return out, g.State
}

func TestTwoInstancesShareThePartitionsAndWriteEachOutputOnce(t *testing.T) {
	e := newEnv(t)
	a := e.start(e.config("tx-a"))
	b := e.start(e.config("tx-b"))

	// Wait until the group has both members, each with partitions.
	deadline := time.Now().Add(45 * time.Second)
	for {
		as, state := assignments(t, e.addr, processors.DefaultGroup)
		both := len(as) == 2 && state == "Stable"
		for _, n := range as {
			both = both && n > 0
		}
		if both {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("group never shared the partitions between two members: %v (%s)", as, state)
		}
		time.Sleep(100 * time.Millisecond)
	}

	const n = 60
	var recs []*kgo.Record
	want := map[string]bool{} // event ids
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for i := range n {
		typ := []string{"charge.succeeded", "customer.created", "refund.created", "payout.paid"}[i%4]
		rec := rawRecord(t, stripefixture.MustEvent(typ, stripefixture.Options{Seq: int64(100 + i), Livemode: true}), at)
		id, _ := hdr(rec, processors.HeaderEventID)
		want[id] = true
		recs = append(recs, rec)
	}
	e.produce(recs...)
	e.waitCount(kafka.EnrichedEvents, n)

	if err := a.stop(); err != nil {
		t.Fatal(err)
	}
	if err := b.stop(); err != nil {
		t.Fatal(err)
	}
	// Both did work: each committed events of its own partitions.
	ca, cb := sumCounter(t, a.p.Metrics()), sumCounter(t, b.p.Metrics())
	if ca == 0 || cb == 0 || ca+cb != n {
		t.Fatalf("instances committed %v and %v events, want both > 0 and %d in all", ca, cb, n)
	}

	got := byTopic(readAll(t, e.addr, outputTopics()...))
	enriched := map[string]int{}
	for _, rec := range got[kafka.EnrichedEvents] {
		id, _ := hdr(rec, processors.HeaderEventID)
		enriched[id]++
	}
	for id := range want {
		if enriched[id] != 1 {
			t.Fatalf("event %s: %d enriched events, want exactly 1", id, enriched[id])
		}
	}
	if len(enriched) != n {
		t.Fatalf("%d distinct enriched events, want %d", len(enriched), n)
	}
	seen := map[string]int{}
	for _, topic := range kafka.CommandTopics {
		for _, rec := range got[topic] {
			v, err := e.serde.Decode(context.Background(), rec.Value)
			if err != nil {
				t.Fatal(err)
			}
			c := v.(command.Command)
			seen[c.ID()+" "+c.Metadata().StripeEventID]++
		}
	}
	if len(seen) == 0 {
		t.Fatalf("no commands written")
	}
	for k, c := range seen {
		if c != 1 {
			t.Fatalf("command %s written %d times", k, c)
		}
	}
	if len(got[processors.RawDLQ]) != 0 {
		t.Fatalf("good events in the DLQ")
	}

	// Both left the group on shutdown.
	as, state := assignments(t, e.addr, processors.DefaultGroup)
	if len(as) != 0 {
		t.Fatalf("members left in the group after shutdown: %v (%s)", as, state)
	}
}

// sumCounter is the number of events an instance committed.
func sumCounter(t *testing.T, m *processors.Metrics) float64 {
	t.Helper()
	total := 0.0
	for _, typ := range []string{"charge.succeeded", "customer.created", "refund.created", "payout.paid"} {
		for _, o := range []string{transform.OutcomeMapped, transform.OutcomeNoCommands, transform.OutcomeUnknownType, transform.OutcomeTestModeDropped, processors.OutcomeDLQ} {
			total += testutil.ToFloat64(m.Events.WithLabelValues(typ, o))
		}
	}
	return total
}

func counter(m *processors.Metrics, typ, outcome string) float64 {
	return testutil.ToFloat64(m.Events.WithLabelValues(typ, outcome))
}
