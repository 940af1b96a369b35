package processors_test

import (
	"context"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/processors"
	"github.com/stripe-infor/stripe-infor/processors/transform"
	"github.com/stripe-infor/stripe-infor/schemas"
)

// sent is one raw event the test wrote, with what the transform makes of
// it (the expectation) and the command id the design gives its main object.
type sent struct {
	rec    *kgo.Record
	res    transform.Result
	wantID string // a command id DESIGN.md's table promises for this event, "" if none
}

// e2eEvents are realistic events of the types the issue names, with
// options that exercise headers and money: a Connect account, test mode,
// a zero-decimal currency.
func e2eEvents(t *testing.T, e *testEnv) []sent {
	t.Helper()
	at := time.Date(2026, 11, 25, 17, 24, 7, 123_000_000, time.UTC)
	type ev struct {
		typ    string
		o      stripefixture.Options
		prefix string
	}
	evs := []ev{
		{"customer.created", stripefixture.Options{Seq: 1, Livemode: true}, "customer:"},
		{"charge.succeeded", stripefixture.Options{Seq: 1, Livemode: true}, "payment:"},
		{"refund.created", stripefixture.Options{Seq: 1, Livemode: true}, "refund:"},
		{"invoice.paid", stripefixture.Options{Seq: 2, Livemode: true}, "order:"},
		{"payout.paid", stripefixture.Options{Seq: 3, Livemode: true}, "payout:"},
		{"charge.succeeded", stripefixture.Options{Seq: 4, Currency: "jpy", Amount: 5000, Livemode: true}, "payment:"},
		{"charge.succeeded", stripefixture.Options{Seq: 5, Account: "acct_1OtherConnected0", Livemode: true}, "payment:"},
		{"charge.succeeded", stripefixture.Options{Seq: 6}, ""}, // test mode
		{"charge.failed", stripefixture.Options{Seq: 7, Livemode: true}, ""},
		{"customer.updated", stripefixture.Options{Seq: 8, Livemode: true}, "customer:"},
		{"balance.available", stripefixture.Options{Seq: 9, Livemode: true}, ""},
	}
	var out []sent
	for i, x := range evs {
		body, objID := fixture(t, x.typ, x.o)
		rec := rawRecord(t, body, at.Add(time.Duration(i)*time.Second))
		res, err := e.tr.Transform(body, at.Add(time.Duration(i)*time.Second))
		if err != nil {
			t.Fatalf("fixture %s does not transform: %v", x.typ, err)
		}
		s := sent{rec: rec, res: res}
		if x.prefix != "" {
			s.wantID = x.prefix + objID
		}
		out = append(out, s)
	}
	return out
}

func TestEndToEndWritesEveryEventsCommandsOnceWithHeaders(t *testing.T) {
	e := newEnv(t)
	evs := e2eEvents(t, e)
	var recs []*kgo.Record
	for _, s := range evs {
		recs = append(recs, s.rec)
	}
	e.produce(recs...)

	r := e.start(e.config("tx-e2e"))
	e.waitCount(kafka.EnrichedEvents, len(evs))
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := byTopic(readAll(t, e.addr, outputTopics()...))
	if n := len(got[processors.RawDLQ]); n != 0 {
		t.Fatalf("%d good events went to the DLQ", n)
	}

	// Index what was written by (topic, event id, key, command id or type).
	type outKey struct{ topic, eventID, key, id string }
	written := map[outKey][]*kgo.Record{}
	ctx := context.Background()
	for topic, rs := range got {
		for _, rec := range rs {
			ev, _ := hdr(rec, processors.HeaderEventID)
			v, err := e.serde.Decode(ctx, rec.Value)
			if err != nil {
				t.Fatalf("%s: undecodable value: %v", topic, err)
			}
			written[outKey{topic, ev, string(rec.Key), outputID(v)}] = append(written[outKey{topic, ev, string(rec.Key), outputID(v)}], rec)
		}
	}

	total := 0
	for _, s := range evs {
		ids := map[string]bool{}
		enriched := 0
		for _, o := range s.res.Outputs {
			total++
			k := outKey{o.Topic, s.res.EventID, o.Key, outputID(o.Value)}
			rs := written[k]
			if len(rs) != 1 {
				t.Fatalf("event %s (%s): output %+v written %d times, want once", s.res.EventID, s.res.EventType, k, len(rs))
			}
			rec := rs[0]
			// The value is what the transform made, through Avro.
			gotV, _ := e.serde.Decode(ctx, rec.Value)
			wantV := roundTrip(t, e, o.Topic, o.Value)
			if !reflect.DeepEqual(gotV, wantV) {
				t.Fatalf("event %s: %s value differs:\n got %+v\nwant %+v", s.res.EventID, o.Topic, gotV, wantV)
			}
			checkHeaders(t, s, rec, o.Value)
			if cmd, ok := o.Value.(command.Command); ok {
				ids[cmd.ID()] = true
				if want := commandTopic(cmd); want != o.Topic {
					t.Fatalf("%s %s written to %s, want %s", cmd.Type(), cmd.ID(), o.Topic, want)
				}
			}
			if o.Topic == kafka.EnrichedEvents {
				enriched++
				ee := gotV.(schemas.EnrichedEvent)
				if ee.EventID != s.res.EventID || ee.EventType != s.res.EventType {
					t.Fatalf("enriched event %s/%s for raw %s/%s", ee.EventID, ee.EventType, s.res.EventID, s.res.EventType)
				}
			}
		}
		if enriched != 1 {
			t.Fatalf("event %s: %d enriched events, want 1", s.res.EventID, enriched)
		}
		if s.wantID != "" && !ids[s.wantID] {
			t.Fatalf("event %s (%s): no command %s among %v", s.res.EventID, s.res.EventType, s.wantID, ids)
		}
	}
	var n int
	for _, rs := range got {
		n += len(rs)
	}
	if n != total {
		t.Fatalf("%d records written, the transform made %d", n, total)
	}

	// Metrics count committed work by type and outcome.
	m := r.p.Metrics()
	perTypeOutcome := map[[2]string]int{}
	commands := map[[2]string]int{}
	for _, s := range evs {
		perTypeOutcome[[2]string{s.res.EventType, s.res.Outcome}]++
		for _, o := range s.res.Outputs {
			if c, ok := o.Value.(command.Command); ok {
				commands[[2]string{o.Topic, c.Type()}]++
			}
		}
	}
	for k, want := range perTypeOutcome {
		if got := testutil.ToFloat64(m.Events.WithLabelValues(k[0], k[1])); int(got) != want {
			t.Fatalf("events_total{%s,%s} = %v, want %d", k[0], k[1], got, want)
		}
	}
	for k, want := range commands {
		if got := testutil.ToFloat64(m.Commands.WithLabelValues(k[0], k[1])); int(got) != want {
			t.Fatalf("commands_written_total{%s,%s} = %v, want %d", k[0], k[1], got, want)
		}
	}
	if c := testutil.ToFloat64(m.Transactions.WithLabelValues(processors.TxnCommitted)); c < 1 {
		t.Fatalf("no committed transaction counted")
	}
	if c := testutil.ToFloat64(m.Records.WithLabelValues(kafka.EnrichedEvents)); int(c) != len(evs) {
		t.Fatalf("records_written_total{enriched} = %v, want %d", c, len(evs))
	}
	if testutil.CollectAndCount(m.TransformSeconds) != 1 {
		t.Fatalf("transform latency histogram missing")
	}
}

// outputID names an output: a command's id, a notification's id, an
// enriched event's event id.
func outputID(v any) string {
	switch x := v.(type) {
	case command.Command:
		return x.Type() + " " + x.ID()
	case schemas.EnrichedEvent:
		return "EnrichedEvent " + x.EventID
	case schemas.CustomerNotification:
		return "CustomerNotification " + x.NotificationID
	}
	return "?"
}

// roundTrip is v as a reader sees it after Avro (times in UTC
// milliseconds, nil and empty lists alike).
func roundTrip(t *testing.T, e *testEnv, topic string, v any) any {
	t.Helper()
	b, err := e.serde.Encode(topic, v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.serde.Decode(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// commandTopic is DESIGN.md's topic of each command type.
func commandTopic(c command.Command) string {
	switch c.(type) {
	case command.UpsertCustomer:
		return kafka.CustomerCommands
	case command.CreateSalesOrder, command.ChangeOrderStatus:
		return kafka.SalesOrderCommands
	case command.ApplyPayment, command.CreateCreditMemo:
		return kafka.PaymentCommands
	case command.PostJournal:
		return kafka.JournalCommands
	case command.ReconcilePayout:
		return kafka.BankCommands
	}
	return "?"
}

// checkHeaders: every output carries the event's headers and the raw
// record's received-at; commands also their id and type.
func checkHeaders(t *testing.T, s sent, rec *kgo.Record, v any) {
	t.Helper()
	rawAccount, _ := hdr(s.rec, processors.HeaderAccount)
	rawReceived, _ := hdr(s.rec, processors.HeaderReceivedAt)
	want := map[string]string{
		processors.HeaderEventID:    s.res.EventID,
		processors.HeaderEventType:  s.res.EventType,
		processors.HeaderLivemode:   strconv.FormatBool(s.res.Livemode),
		processors.HeaderAccount:    rawAccount,
		processors.HeaderReceivedAt: rawReceived,
	}
	if c, ok := v.(command.Command); ok {
		want[processors.HeaderCommandID] = c.ID()
		want[processors.HeaderCommandType] = c.Type()
	} else if _, ok := hdr(rec, processors.HeaderCommandID); ok {
		t.Fatalf("%s record carries a command-id header", rec.Topic)
	}
	for k, w := range want {
		g, ok := hdr(rec, k)
		if !ok || g != w {
			t.Fatalf("%s record of %s: header %s = %q (present %v), want %q", rec.Topic, s.res.EventID, k, g, ok, w)
		}
	}
	if rawReceived == "" {
		t.Fatalf("the raw record lacks the producer's received-at header")
	}
}
