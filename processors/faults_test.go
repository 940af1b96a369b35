package processors_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/processors"
	"github.com/stripe-infor/stripe-infor/processors/transform"
)

// panicOn is the real transform, except that it panics on one event: a
// stand-in for a mapping bug that only one payload triggers.
type panicOn struct {
	inner processors.Transformer
	id    string
}

func (p panicOn) Transform(raw []byte, at time.Time) (transform.Result, error) {
	if bytes.Contains(raw, []byte(`"`+p.id+`"`)) {
		var lines []string
		_ = lines[len(raw)%7+1] // a genuine runtime panic: index out of range
	}
	return p.inner.Transform(raw, at)
}

// logBuffer keeps the processor's JSON log lines for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	t   *testing.T
}

func (l *logBuffer) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.t.Log(strings.TrimRight(string(b), "\n"))
	return l.buf.Write(b)
}

func (l *logBuffer) lines(substr string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range strings.Split(l.buf.String(), "\n") {
		if strings.Contains(line, substr) {
			out = append(out, line)
		}
	}
	return out
}

func TestATransformPanicGoesToTheDLQAndTheConsumerCarriesOn(t *testing.T) {
	e := newEnv(t)
	at := time.Date(2026, 11, 25, 11, 0, 0, 0, time.UTC)
	var recs []*kgo.Record
	var ids []string
	for i := range 5 {
		rec := rawRecord(t, stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: int64(200 + i), Livemode: true}), at)
		rec.Key = []byte("one-partition")
		id, _ := hdr(rec, processors.HeaderEventID)
		ids = append(ids, id)
		recs = append(recs, rec)
	}
	poison := ids[2]

	cfg := e.config("tx-panic")
	cfg.Transformer = panicOn{inner: e.tr, id: poison}
	logs := &logBuffer{t: t}
	cfg.Logger = slogJSON(logs)
	r := e.start(cfg)

	// Ready once the group is joined.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for r.p.Ready(ctx) != nil {
		if ctx.Err() != nil {
			t.Fatalf("never ready: %v", r.p.Ready(context.Background()))
		}
		time.Sleep(50 * time.Millisecond)
	}

	e.produce(recs...)
	e.waitCount(kafka.EnrichedEvents, 4)
	e.waitCount(processors.RawDLQ, 1)
	select {
	case err := <-r.done:
		t.Fatalf("Run returned after a transform panic: %v", err)
	default:
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	got := byTopic(readAll(t, e.addr, outputTopics()...))
	if len(got[processors.RawDLQ]) != 1 || len(got[kafka.EnrichedEvents]) != 4 {
		t.Fatalf("%d DLQ and %d enriched records, want 1 and 4", len(got[processors.RawDLQ]), len(got[kafka.EnrichedEvents]))
	}
	d := got[processors.RawDLQ][0]
	for k, want := range map[string]string{
		processors.HeaderEventID:    poison,
		processors.HeaderErrorClass: transform.ClassValidation,
		processors.HeaderErrorCode:  processors.CodePanic,
	} {
		if v, _ := hdr(d, k); v != want {
			t.Fatalf("DLQ %s = %q, want %q", k, v, want)
		}
	}
	if msg, _ := hdr(d, processors.HeaderErrorMessage); !strings.Contains(msg, "index out of range") {
		t.Fatalf("error.message %q does not say what panicked", msg)
	}
	if string(d.Value) != string(recs[2].Value) {
		t.Fatalf("DLQ value is not the original bytes")
	}
	// The stack is logged once; one DLQ line names the event, never the body.
	if l := logs.lines(`"msg":"transform panicked`); len(l) != 1 || !strings.Contains(l[0], "goroutine") {
		t.Fatalf("panic log lines: %q", l)
	}
	dl := logs.lines(`"msg":"raw record written to the DLQ"`)
	if len(dl) != 1 || !strings.Contains(dl[0], poison) || !strings.Contains(dl[0], `"error_code":"panic"`) || !strings.Contains(dl[0], `"offset":`) {
		t.Fatalf("DLQ log lines: %q", dl)
	}
	if strings.Contains(logs.buf.String(), "@example.com") { // the fixture customers' e-mail domain
		t.Fatalf("event payload (customer e-mail) reached the logs")
	}
}

func TestAFailedProduceAbortsTheTransactionAndTheBatchIsRedone(t *testing.T) {
	e := newEnv(t)
	// The broker refuses the first produce to the payment topic with a
	// non-retryable error: the transaction holding it must abort, and the
	// batch be processed again, without a duplicate of what it had
	// already produced to other topics.
	fault := e.broker.Cluster().Fault(kfake.Fault{
		Keys:  []kmsg.Key{kmsg.Produce},
		Topic: kafka.PaymentCommands,
		Err:   kerr.InvalidRecord,
		Count: 1,
	})
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	const n = 12
	var recs []*kgo.Record
	for i := range n {
		recs = append(recs, rawRecord(t, stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: int64(300 + i), Livemode: true}), at))
	}
	e.produce(recs...)
	r := e.start(e.config("tx-fail"))
	e.waitCount(kafka.EnrichedEvents, n)
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if fault.Hits() != 1 {
		t.Fatalf("the fault answered %d produce requests, want 1", fault.Hits())
	}
	m := r.p.Metrics()
	if a := testutil.ToFloat64(m.Transactions.WithLabelValues(processors.TxnAborted)); a < 1 {
		t.Fatalf("no aborted transaction counted")
	}
	got := byTopic(readAll(t, e.addr, outputTopics()...))
	if len(got[kafka.EnrichedEvents]) != n {
		t.Fatalf("%d enriched events, want %d (aborted records visible, or some lost)", len(got[kafka.EnrichedEvents]), n)
	}
	seen := map[string]int{}
	for _, topic := range kafka.CommandTopics {
		for _, rec := range got[topic] {
			v, err := e.serde.Decode(context.Background(), rec.Value)
			if err != nil {
				t.Fatal(err)
			}
			seen[fmt.Sprintf("%s %s", topic, v.(command.Command).ID())]++
		}
	}
	payments := 0
	for k, c := range seen {
		if c != 1 {
			t.Fatalf("%s written %d times", k, c)
		}
		if strings.HasPrefix(k, kafka.PaymentCommands) {
			payments++
		}
	}
	if payments < n {
		t.Fatalf("%d payment commands, want at least %d", payments, n)
	}
	// The events metric counts each event once, not once per attempt.
	if v := testutil.ToFloat64(m.Events.WithLabelValues("charge.succeeded", transform.OutcomeMapped)); v != n {
		t.Fatalf("events_total = %v, want %d", v, n)
	}
}
