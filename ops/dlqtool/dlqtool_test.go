package dlqtool_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/dlq"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/ops/dlqtool"
	"github.com/stripe-infor/stripe-infor/ops/internal/opstest"
	"github.com/stripe-infor/stripe-infor/producer"
	"github.com/stripe-infor/stripe-infor/schemas"
)

var (
	payDLQ = kafka.DLQTopic(kafka.PaymentCommands)
	rawDLQ = kafka.DLQTopic(kafka.RawEvents)
	t0     = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
)

type fixture struct {
	e       *opstest.Env
	regURL  string
	serde   *schemas.Serde
	chargeC string // the raw entry's event id
}

// setup writes five DLQ entries, one hour apart from t0+1h:
//
//	A payDLQ/0@0  validation           "Invoice 1001 does not exist"  ch_A
//	B payDLQ/1@0  dependency           "Order for ch_B not in Infor yet"
//	C rawDLQ/0@0  validation           a charge.succeeded event (JSON)
//	D payDLQ/0@1  transient-exhausted  redrive.count 3 already
//	E rawDLQ/1@0  decode               a body that is not JSON
func setup(t *testing.T) *fixture {
	topics := map[string]int32{kafka.PaymentCommands: 3, kafka.RawEvents: 3, rawDLQ: 2}
	for _, t := range dlqtool.Topics() {
		if topics[t] == 0 {
			topics[t] = 2
		}
	}
	e := opstest.Start(t, topics)
	url, serde := opstest.Registry(t)
	f := &fixture{e: e, regURL: url, serde: serde}

	payment := func(ch string, srcOffset int64) *kgo.Record {
		v, err := serde.Encode(kafka.PaymentCommands, command.ApplyPayment{
			Meta:      command.Meta{StripeEventID: "evt_" + ch, StripeEventType: "charge.succeeded", StripeObjectIDs: []string{ch}, OccurredAt: t0},
			CommandID: "payment:" + ch, OrderRef: command.OrderRef{StripeObjectID: ch},
			Amount: command.Money{Minor: 1234, Currency: "KWD"}, StripeChargeID: ch,
		})
		if err != nil {
			t.Fatal(err)
		}
		return &kgo.Record{Topic: kafka.PaymentCommands, Partition: 2, Offset: srcOffset, Key: []byte("cus_" + ch), Value: v,
			Headers: []kgo.RecordHeader{{Key: "command-id", Value: []byte("payment:" + ch)}, {Key: "stripe-event-id", Value: []byte("evt_" + ch)}}}
	}
	fail := func(src *kgo.Record, topic string, p int32, at time.Time, class, msg string) *kgo.Record {
		r := dlq.Record(src, topic, dlq.Failure{Stage: "sink", Class: class, Message: msg, Code: "X1", Attempts: 2, LastFailedAt: at})
		r.Partition, r.Timestamp = p, at
		return r
	}

	body := stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: 7})
	env, err := producer.ParseEnvelope(body)
	if err != nil {
		t.Fatal(err)
	}
	f.chargeC = env.ID
	raw := producer.NewRecord(kafka.RawEvents, &env, body, t0)
	raw.Partition, raw.Offset = 1, 40

	d := payment("ch_D", 19)
	d.Headers = append(d.Headers, kgo.RecordHeader{Key: dlqtool.HeaderRedriveCount, Value: []byte("3")})
	garbage := &kgo.Record{Topic: kafka.RawEvents, Partition: 0, Offset: 41, Key: []byte("x"), Value: []byte{0xff, 0xfe, 'n', 'o'}}

	e.Produce(
		fail(payment("ch_A", 17), payDLQ, 0, t0.Add(1*time.Hour), dlq.ClassValidation, "Invoice 1001 does not exist"),
		fail(payment("ch_B", 18), payDLQ, 1, t0.Add(2*time.Hour), dlq.ClassDependency, "Order for ch_B not in Infor yet"),
		fail(raw, rawDLQ, 0, t0.Add(3*time.Hour), dlq.ClassValidation, "data.object.amount is not an integer"),
		fail(d, payDLQ, 0, t0.Add(4*time.Hour), dlq.ClassTransientExhausted, "HTTP 503 from ION API"),
		fail(garbage, rawDLQ, 1, t0.Add(5*time.Hour), dlq.ClassDecode, "not JSON"),
	)
	return f
}

func (f *fixture) opts() dlqtool.Options { return dlqtool.Options{Kafka: f.e.Kafka()} }

func ids(es []*dlqtool.Entry) string {
	var s []string
	for _, e := range es {
		s = append(s, e.ID())
	}
	return strings.Join(s, " ")
}

func TestList(t *testing.T) {
	f := setup(t)
	ctx := opstest.Ctx(t)
	A, B, C, D, E := payDLQ+"/0@0", payDLQ+"/1@0", rawDLQ+"/0@0", payDLQ+"/0@1", rawDLQ+"/1@0"
	for _, tc := range []struct {
		name string
		f    dlqtool.Filter
		want string
	}{
		{"all", dlqtool.Filter{}, strings.Join([]string{A, D, B, C, E}, " ")},
		{"class", dlqtool.Filter{Class: dlq.ClassValidation}, A + " " + C},
		{"text, any case", dlqtool.Filter{Text: "NOT IN INFOR"}, B},
		{"time range", dlqtool.Filter{Since: t0.Add(90 * time.Minute), Until: t0.Add(4 * time.Hour)}, B + " " + C},
		{"since, from the time on", dlqtool.Filter{Since: t0.Add(4 * time.Hour)}, D + " " + E},
		{"stripe id in an Avro value and headers", dlqtool.Filter{StripeID: "ch_B"}, B},
		{"event id of a raw entry", dlqtool.Filter{StripeID: f.chargeC}, C},
		{"ids", dlqtool.Filter{IDs: []string{E, A}}, A + " " + E},
		{"conditions add up", dlqtool.Filter{Class: dlq.ClassValidation, StripeID: "ch_A"}, A},
	} {
		es, err := dlqtool.List(ctx, f.opts(), dlqtool.Topics(), tc.f)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := ids(es); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
	es, err := dlqtool.List(ctx, f.opts(), []string{payDLQ}, dlqtool.Filter{StripeID: "ch_A"})
	if err != nil || len(es) != 1 {
		t.Fatalf("%v %v", es, err)
	}
	a := es[0]
	if a.HeaderErr != nil || a.Failure.Class != "validation" || a.Failure.Code != "X1" || a.Failure.Attempts != 2 ||
		a.Origin != (dlq.Origin{Topic: kafka.PaymentCommands, Partition: 2, Offset: 17}) || a.CommandID() != "payment:ch_A" ||
		!a.FailedAt().Equal(t0.Add(time.Hour)) || a.RedriveCount != 0 {
		t.Fatalf("entry A: %+v", a)
	}
	// An id on a topic that is not a DLQ topic selects nothing.
	f.e.Produce(&kgo.Record{Topic: kafka.PaymentCommands, Partition: 0, Value: []byte("live")})
	if es, err := dlqtool.List(ctx, f.opts(), dlqtool.Topics(), dlqtool.Filter{IDs: []string{kafka.PaymentCommands + "/0@0"}}); err != nil || len(es) != 0 {
		t.Fatalf("a live record taken for a dead letter: %v %v", ids(es), err)
	}
	if _, err := dlqtool.List(ctx, f.opts(), nil, dlqtool.Filter{IDs: []string{"nonsense"}}); err == nil {
		t.Fatal("a malformed id accepted")
	}
}

func TestShow(t *testing.T) {
	f := setup(t)
	ctx := opstest.Ctx(t)
	dec, err := dlqtool.NewRegistryDecoder(f.regURL)
	if err != nil {
		t.Fatal(err)
	}
	e, d, err := dlqtool.Show(ctx, f.opts(), payDLQ+"/1@0", dec)
	if err != nil {
		t.Fatal(err)
	}
	if d.Format != "avro" || d.SchemaID != f.serde.SchemaID(kafka.PaymentCommands) || e.Failure.Class != "dependency" {
		t.Fatalf("avro entry: %s id %d class %s", d.Format, d.SchemaID, e.Failure.Class)
	}
	for _, want := range []string{`"command_id": "payment:ch_B"`, `"minor": 1234`, `"currency": "KWD"`, `"stripe_charge_id": "ch_B"`} {
		if !bytes.Contains(d.Body, []byte(want)) {
			t.Fatalf("decoded Avro lacks %s:\n%s", want, d.Body)
		}
	}

	// Fields come in the schema's order, every time (goavro alone writes
	// them in map order).
	order := []string{`"command_id"`, `"meta"`, `"order_ref"`, `"amount"`, `"stripe_charge_id"`}
	for i := 1; i < len(order); i++ {
		if a, b := bytes.Index(d.Body, []byte(order[i-1])), bytes.Index(d.Body, []byte(order[i])); a < 0 || b < a {
			t.Fatalf("%s should come before %s:\n%s", order[i-1], order[i], d.Body)
		}
	}
	for range 5 {
		if _, again, err := dlqtool.Show(ctx, f.opts(), payDLQ+"/1@0", dec); err != nil || !bytes.Equal(again.Body, d.Body) {
			t.Fatalf("a second decode differs (%v):\n%s", err, again.Body)
		}
	}

	_, d, err = dlqtool.Show(ctx, f.opts(), rawDLQ+"/0@0", dec)
	if err != nil || d.Format != "json" || !bytes.Contains(d.Body, []byte(`"id": "`+f.chargeC+`"`)) {
		t.Fatalf("json entry: %s %v\n%s", d.Format, err, d.Body)
	}
	_, d, err = dlqtool.Show(ctx, f.opts(), rawDLQ+"/1@0", dec)
	if err != nil || d.Format != "binary" || !bytes.Contains(d.Body, []byte("ff fe 6e 6f")) {
		t.Fatalf("binary entry: %s %v\n%s", d.Format, err, d.Body)
	}
	if _, _, err := dlqtool.Show(ctx, f.opts(), payDLQ+"/1@5", dec); err == nil {
		t.Fatal("an offset past the end shown")
	}

	// A schema id the registry does not have: headers still come back,
	// the value as a hex dump, and the error says why.
	bad := []byte{0, 0, 0, 0x7f, 0x7f, 1, 2}
	d, err = dlqtool.Decode(ctx, dec, bad)
	if err == nil || d.Format != "binary" || !strings.Contains(err.Error(), "schema id") {
		t.Fatalf("unknown schema: %s %v", d.Format, err)
	}
}

func TestRedrive(t *testing.T) {
	f := setup(t)
	ctx := opstest.Ctx(t)
	B, C, D := payDLQ+"/1@0", rawDLQ+"/0@0", payDLQ+"/0@1"
	sel, err := dlqtool.List(ctx, f.opts(), dlqtool.Topics(), dlqtool.Filter{IDs: []string{B, C, D}})
	if err != nil || len(sel) != 3 {
		t.Fatalf("%v %v", sel, err)
	}
	byID := map[string]*dlqtool.Entry{}
	for _, e := range sel {
		byID[e.ID()] = e
	}
	ro := dlqtool.RedriveOptions{Options: f.opts()}

	// Dry run: B and C would go, D is past the limit; nothing is written.
	dry := ro
	dry.DryRun = true
	rep, err := dlqtool.Redrive(ctx, dry, sel)
	if !errors.Is(err, dlqtool.ErrRefused) || len(rep.Redriven) != 2 || len(rep.Refused) != 1 || rep.Refused[0].Entry.ID() != D {
		t.Fatalf("dry run: %+v %v", rep, err)
	}
	if n := len(f.e.ReadAll(kafka.PaymentCommands)) + len(f.e.ReadAll(kafka.RawEvents)); n != 0 {
		t.Fatalf("dry run wrote %d records", n)
	}

	rep, err = dlqtool.Redrive(ctx, ro, sel)
	if !errors.Is(err, dlqtool.ErrRefused) || len(rep.Redriven) != 2 || !strings.Contains(rep.Refused[0].Reason, "limit 3") {
		t.Fatalf("redrive: %+v %v", rep, err)
	}
	pay := f.e.ReadAll(kafka.PaymentCommands)
	raws := f.e.ReadAll(kafka.RawEvents)
	if len(pay) != 1 || len(raws) != 1 {
		t.Fatalf("%d payment and %d raw records, want 1 and 1", len(pay), len(raws))
	}
	for _, c := range []struct {
		copy *kgo.Record
		src  *dlqtool.Entry
	}{{pay[0], byID[B]}, {raws[0], byID[C]}} {
		r, src := c.copy, c.src.Record
		if !bytes.Equal(r.Key, src.Key) || !bytes.Equal(r.Value, src.Value) {
			t.Fatalf("%s: key/value not byte for byte", c.src.ID())
		}
		if v, _ := opstest.Header(r, dlqtool.HeaderRedriveCount); v != "1" {
			t.Fatalf("%s: redrive.count %q", c.src.ID(), v)
		}
		if v, _ := opstest.Header(r, dlqtool.HeaderRedrivenFrom); v != c.src.ID() {
			t.Fatalf("redriven-from %q, want %s", v, c.src.ID())
		}
		for _, h := range src.Headers { // every DLQ header is kept
			if v, ok := opstest.Header(r, h.Key); !ok || v != string(h.Value) {
				t.Fatalf("%s: header %s = %q, want %q", c.src.ID(), h.Key, v, h.Value)
			}
		}
	}
	if v, _ := opstest.Header(raws[0], "stripe-event-id"); v != f.chargeC {
		t.Fatalf("raw copy: stripe-event-id %q", v)
	}

	// Again: B and C were redriven already and are skipped; nothing new.
	rep, err = dlqtool.Redrive(ctx, ro, []*dlqtool.Entry{byID[B], byID[C]})
	if err != nil || len(rep.Redriven) != 0 || len(rep.Skipped) != 2 {
		t.Fatalf("second run: %+v %v", rep, err)
	}
	if n := len(f.e.ReadAll(kafka.PaymentCommands)); n != 1 {
		t.Fatalf("second run wrote: %d payment records", n)
	}

	// list shows which were redriven, when asked.
	lo := f.opts()
	lo.CheckRedriven = true
	es, err := dlqtool.List(ctx, lo, dlqtool.Topics(), dlqtool.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		redriven := e.ID() == B || e.ID() == C
		if (len(e.RedrivenTo) > 0) != redriven {
			t.Fatalf("%s redriven to %v", e.ID(), e.RedrivenTo)
		}
	}

	// The copy of B fails again in the sink: its new DLQ entry keeps the
	// first origin and says it was redriven once.
	again := dlq.Record(pay[0], payDLQ, dlq.Failure{Stage: "sink", Class: dlq.ClassDependency, Message: "still no order", LastFailedAt: t0.Add(6 * time.Hour)})
	again.Partition = 1
	f.e.Produce(again)
	es, err = dlqtool.List(ctx, f.opts(), []string{payDLQ}, dlqtool.Filter{IDs: []string{payDLQ + "/1@1"}})
	if err != nil || len(es) != 1 || es[0].RedriveCount != 1 || es[0].Origin != byID[B].Origin {
		t.Fatalf("second failure: %+v %v", es, err)
	}

	// --force redrives D past the limit, with the count going on.
	force := ro
	force.Force = true
	rep, err = dlqtool.Redrive(ctx, force, []*dlqtool.Entry{byID[D]})
	if err != nil || len(rep.Redriven) != 1 || rep.Redriven[0].Count != 4 || rep.Redriven[0].At == "" {
		t.Fatalf("forced: %+v %v", rep, err)
	}
}

// An entry without original.topic cannot be redriven.
func TestRedriveNeedsOrigin(t *testing.T) {
	e := opstest.Start(t, map[string]int32{payDLQ: 1})
	e.Produce(&kgo.Record{Topic: payDLQ, Value: []byte("x"), Headers: []kgo.RecordHeader{{Key: dlq.HeaderErrorClass, Value: []byte("decode")}}})
	o := dlqtool.Options{Kafka: e.Kafka()}
	es, err := dlqtool.List(context.Background(), o, []string{payDLQ}, dlqtool.Filter{})
	if err != nil || len(es) != 1 || es[0].HeaderErr == nil {
		t.Fatalf("%+v %v", es, err)
	}
	rep, err := dlqtool.Redrive(context.Background(), dlqtool.RedriveOptions{Options: o, Force: true}, es)
	if !errors.Is(err, dlqtool.ErrRefused) || len(rep.Refused) != 1 || !strings.Contains(rep.Refused[0].Reason, "original.topic") {
		t.Fatalf("%+v %v", rep, err)
	}
}
