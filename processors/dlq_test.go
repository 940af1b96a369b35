package processors_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/processors"
	"github.com/stripe-infor/stripe-infor/processors/transform"
)

// withAmount returns a charge event whose data.object.amount is the JSON
// string s (Stripe sends integers; a string like "20.5" cannot be money).
func withAmount(t *testing.T, body []byte, s string) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	ev["data"].(map[string]any)["object"].(map[string]any)["amount"] = s
	out, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// dlqCase is a bad raw record and the error the DLQ must carry.
type dlqCase struct {
	rec       *kgo.Record
	wantClass string
	wantErr   *transform.Error // from the transform itself; nil to check class only
}

func TestBadRecordsGoToTheDLQAndThePartitionKeepsMoving(t *testing.T) {
	e := newEnv(t)
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	good1 := rawRecord(t, stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: 11, Livemode: true}), at)
	key := good1.Key // every record on one partition, in this order

	notJSON := &kgo.Record{Topic: kafka.RawEvents, Key: key, Value: []byte("{not json at all"),
		Headers: []kgo.RecordHeader{{Key: processors.HeaderEventID, Value: []byte("evt_garbage")}, {Key: "x-original", Value: []byte("kept")}}}

	badBody := withAmount(t, stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: 12, Livemode: true}), "20.5")
	badAmount := rawRecord(t, badBody, at.Add(time.Second))
	badAmount.Key = key
	_, terr := e.tr.Transform(badBody, at)
	var wantAmountErr *transform.Error
	if !errors.As(terr, &wantAmountErr) {
		t.Fatalf("the transform accepts amount \"20.5\" (err %v); this test needs it refused", terr)
	}

	good2 := rawRecord(t, stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: 13, Livemode: true}), at.Add(2*time.Second))
	good2.Key = key

	e.produce(good1, notJSON, badAmount, good2)
	r := e.start(e.config("tx-dlq"))
	e.waitCount(kafka.EnrichedEvents, 2)
	e.waitCount(processors.RawDLQ, 2)
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := byTopic(readAll(t, e.addr, outputTopics()...))

	// Both good records were processed, the one after the bad ones too.
	enriched := map[string]int{}
	for _, rec := range got[kafka.EnrichedEvents] {
		id, _ := hdr(rec, processors.HeaderEventID)
		enriched[id]++
	}
	for _, g := range []*kgo.Record{good1, good2} {
		id, _ := hdr(g, processors.HeaderEventID)
		if enriched[id] != 1 {
			t.Fatalf("good event %s: %d enriched events, want 1 (got %v)", id, enriched[id], enriched)
		}
	}

	dlq := got[processors.RawDLQ]
	if len(dlq) != 2 {
		t.Fatalf("%d DLQ records, want 2", len(dlq))
	}
	cases := []dlqCase{
		{rec: notJSON, wantClass: transform.ClassDecode},
		{rec: badAmount, wantClass: transform.ClassValidation, wantErr: wantAmountErr},
	}
	for i, c := range cases {
		d := dlq[i]
		if string(d.Value) != string(c.rec.Value) || string(d.Key) != string(c.rec.Key) {
			t.Fatalf("DLQ record %d: key/value are not the original bytes:\n%q / %q", i, d.Key, d.Value)
		}
		for _, h := range c.rec.Headers {
			if v, ok := hdr(d, h.Key); !ok || v != string(h.Value) {
				t.Fatalf("DLQ record %d lost original header %s", i, h.Key)
			}
		}
		want := map[string]string{
			processors.HeaderErrorStage:        "processor",
			processors.HeaderErrorClass:        c.wantClass,
			processors.HeaderOriginalTopic:     kafka.RawEvents,
			processors.HeaderOriginalPartition: strconv.Itoa(int(c.rec.Partition)), // set by ProduceSync
			processors.HeaderOriginalOffset:    strconv.FormatInt(c.rec.Offset, 10),
			processors.HeaderAttempts:          "1",
		}
		if c.wantErr != nil {
			want[processors.HeaderErrorCode] = c.wantErr.Code
			want[processors.HeaderErrorField] = c.wantErr.Field
			want[processors.HeaderErrorMessage] = c.wantErr.Message
		}
		for k, w := range want {
			if v, ok := hdr(d, k); !ok || v != w {
				t.Fatalf("DLQ record %d: %s = %q (present %v), want %q", i, k, v, ok, w)
			}
		}
		for _, k := range []string{processors.HeaderErrorMessage, processors.HeaderErrorCode, processors.HeaderErrorField, processors.HeaderOriginalOffset} {
			if _, ok := hdr(d, k); !ok {
				t.Fatalf("DLQ record %d lacks %s", i, k)
			}
		}
		if v, _ := hdr(d, processors.HeaderErrorMessage); v == "" {
			t.Fatalf("DLQ record %d: empty error.message", i)
		}
		first, _ := hdr(d, processors.HeaderFirstFailedAt)
		last, _ := hdr(d, processors.HeaderLastFailedAt)
		ft, err := time.Parse(processors.TimeLayout, first)
		if err != nil || first != last || ft.Location() != time.UTC || len(first) != len("2006-01-02T15:04:05.000Z") {
			t.Fatalf("DLQ record %d: first.failed.at %q / last.failed.at %q are not one RFC 3339 UTC ms time", i, first, last)
		}
	}
	m := r.p.Metrics()
	if v := testutil.ToFloat64(m.DLQ.WithLabelValues(transform.ClassValidation, wantAmountErr.Code)); v != 1 {
		t.Fatalf("dlq_records_total{validation,%s} = %v, want 1", wantAmountErr.Code, v)
	}
	if v := testutil.ToFloat64(m.Events.WithLabelValues("charge.succeeded", processors.OutcomeDLQ)); v != 1 {
		t.Fatalf("events_total{charge.succeeded,dlq} = %v, want 1", v)
	}
}
