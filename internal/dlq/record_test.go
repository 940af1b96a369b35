package dlq_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/dlq"
)

// source is a command record as the sink consumes it.
func source() *kgo.Record {
	return &kgo.Record{
		Topic: "infor.salesorder.commands", Partition: 3, Offset: 1207,
		Key:   []byte("cus_P1x"),
		Value: []byte{0, 0, 0, 0, 7, 0xff, 0x00, 'o', 'r', 'd'},
		Headers: []kgo.RecordHeader{
			{Key: "command-id", Value: []byte("order:ch_3OAbc")},
			{Key: "stripe-event-id", Value: []byte("evt_1")},
			{Key: "x-empty", Value: nil},
		},
	}
}

func hdr(r *kgo.Record, k string) (string, int) {
	var v string
	n := 0
	for _, h := range r.Headers {
		if h.Key == k {
			v, n = string(h.Value), n+1
		}
	}
	return v, n
}

// checkUnique fails when any header this package owns appears more than
// once.
func checkUnique(t *testing.T, r *kgo.Record) {
	t.Helper()
	seen := map[string]int{}
	for _, h := range r.Headers {
		seen[h.Key]++
	}
	for k, n := range seen {
		owned := strings.HasPrefix(k, "error.") || strings.HasPrefix(k, "original.") || strings.HasPrefix(k, "retry.") ||
			k == dlq.HeaderAttempts || k == dlq.HeaderFirstFailedAt || k == dlq.HeaderLastFailedAt
		if owned && n != 1 {
			t.Fatalf("header %s appears %d times: %v", k, n, r.Headers)
		}
	}
}

func TestRecordRoundTrip(t *testing.T) {
	src := source()
	at := time.Date(2026, 11, 25, 9, 30, 1, 234_567_000, time.FixedZone("CET", 3600))
	f := dlq.Failure{
		Stage: "sink", Class: dlq.ClassValidation, Code: "WITNO", Field: "ITNO",
		Message:  "Item number SKU-ÄÖ-1 does not exist",
		Attempts: 1, FirstFailedAt: at.Add(-time.Minute), LastFailedAt: at,
	}
	d := dlq.Record(src, "infor.salesorder.commands.dlq", f)

	if d.Topic != "infor.salesorder.commands.dlq" {
		t.Fatalf("topic %q", d.Topic)
	}
	if string(d.Key) != string(src.Key) || string(d.Value) != string(src.Value) {
		t.Fatalf("key/value not byte for byte: %q / %q", d.Key, d.Value)
	}
	for _, h := range src.Headers {
		if v, n := hdr(d, h.Key); n != 1 || v != string(h.Value) {
			t.Fatalf("original header %s: %q ×%d", h.Key, v, n)
		}
	}
	if d.Headers[0].Key != "command-id" {
		t.Fatalf("original headers should come first, got %v", d.Headers)
	}
	checkUnique(t, d)
	for k, want := range map[string]string{
		dlq.HeaderErrorStage:        "sink",
		dlq.HeaderErrorClass:        "validation",
		dlq.HeaderErrorMessage:      "Item number SKU-ÄÖ-1 does not exist",
		dlq.HeaderErrorCode:         "WITNO",
		dlq.HeaderErrorField:        "ITNO",
		dlq.HeaderOriginalTopic:     "infor.salesorder.commands",
		dlq.HeaderOriginalPartition: "3",
		dlq.HeaderOriginalOffset:    "1207",
		dlq.HeaderAttempts:          "1",
		dlq.HeaderFirstFailedAt:     "2026-11-25T08:29:01.234Z",
		dlq.HeaderLastFailedAt:      "2026-11-25T08:30:01.234Z",
	} {
		if v, n := hdr(d, k); n != 1 || v != want {
			t.Fatalf("%s = %q ×%d, want %q", k, v, n, want)
		}
	}

	got, o, err := dlq.Parse(d)
	if err != nil {
		t.Fatal(err)
	}
	want := f
	want.FirstFailedAt = f.FirstFailedAt.UTC().Truncate(time.Millisecond)
	want.LastFailedAt = f.LastFailedAt.UTC().Truncate(time.Millisecond)
	if got != want {
		t.Fatalf("Parse:\n got %+v\nwant %+v", got, want)
	}
	if o != (dlq.Origin{Topic: "infor.salesorder.commands", Partition: 3, Offset: 1207}) {
		t.Fatalf("origin %+v", o)
	}
	if _, n := hdr(d, dlq.HeaderRetryAttempt); n != 0 {
		t.Fatalf("a DLQ record carries retry headers")
	}
}

func TestRecordDefaults(t *testing.T) {
	before := time.Now().Truncate(time.Millisecond)
	d := dlq.Record(source(), "x.dlq", dlq.Failure{Stage: "sink", Class: dlq.ClassDecode, Message: "not Avro"})
	f, _, err := dlq.Parse(d)
	if err != nil {
		t.Fatal(err)
	}
	if f.Attempts != 1 {
		t.Fatalf("attempts %d, want 1 when not given", f.Attempts)
	}
	if f.LastFailedAt.Before(before) || !f.FirstFailedAt.Equal(f.LastFailedAt) {
		t.Fatalf("first %v / last %v: want both now when not given", f.FirstFailedAt, f.LastFailedAt)
	}
	if v, n := hdr(d, dlq.HeaderErrorCode); n != 1 || v != "" {
		t.Fatalf("error.code %q ×%d, want present and empty", v, n)
	}
}

// A record that went round the retry topic (or was redriven from the DLQ)
// keeps naming where it first was, and when it first failed.
func TestRedrivenRecordKeepsOriginAndFirstFailure(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	src := source()
	retry := dlq.WithRetry(src, "infor.salesorder.commands.retry", dlq.Failure{
		Stage: "sink", Class: dlq.ClassDependency, Code: "dependency", Message: "order ch_1 not in Infor yet",
		Attempts: 4, FirstFailedAt: t0, LastFailedAt: t0,
	}, 1, t0.Add(10*time.Second))
	// As consumed from the retry topic.
	retry.Topic, retry.Partition, retry.Offset = "infor.salesorder.commands.retry", 0, 17

	// Second tier.
	retry2 := dlq.WithRetry(retry, "infor.salesorder.commands.retry", dlq.Failure{
		Stage: "sink", Class: dlq.ClassDependency, Message: "order ch_1 not in Infor yet",
		Attempts: 8, FirstFailedAt: t0.Add(10 * time.Second), LastFailedAt: t0.Add(10 * time.Second),
	}, 2, t0.Add(70*time.Second))
	retry2.Topic, retry2.Partition, retry2.Offset = "infor.salesorder.commands.retry", 1, 40
	checkUnique(t, retry2)
	if a, nb, ok := dlq.RetryInfo(retry2); !ok || a != 2 || !nb.Equal(t0.Add(70*time.Second)) {
		t.Fatalf("RetryInfo = %d, %v, %v", a, nb, ok)
	}

	// Then the DLQ.
	last := t0.Add(2 * time.Hour)
	d := dlq.Record(retry2, "infor.salesorder.commands.dlq", dlq.Failure{
		Stage: "sink", Class: dlq.ClassDependency, Message: "order ch_1 not in Infor yet", Attempts: 9, LastFailedAt: last,
	})
	checkUnique(t, d)
	f, o, err := dlq.Parse(d)
	if err != nil {
		t.Fatal(err)
	}
	if o != (dlq.Origin{Topic: "infor.salesorder.commands", Partition: 3, Offset: 1207}) {
		t.Fatalf("origin %+v, want the command topic's position", o)
	}
	if !f.FirstFailedAt.Equal(t0) || !f.LastFailedAt.Equal(last) || f.Attempts != 9 {
		t.Fatalf("first %v last %v attempts %d", f.FirstFailedAt, f.LastFailedAt, f.Attempts)
	}
	if _, _, ok := dlq.RetryInfo(d); ok {
		t.Fatalf("the DLQ record kept retry headers")
	}
	for _, h := range src.Headers {
		if v, n := hdr(d, h.Key); n != 1 || v != string(h.Value) {
			t.Fatalf("original header %s: %q ×%d after two retries", h.Key, v, n)
		}
	}
	if string(d.Value) != string(src.Value) || string(d.Key) != string(src.Key) {
		t.Fatalf("key/value changed on the way")
	}

	// Redriven from the DLQ back to the source topic, failing again: the
	// DLQ still names the first position, and only one set of headers.
	d.Topic, d.Partition, d.Offset = "infor.salesorder.commands", 0, 99999
	again := dlq.Record(d, "infor.salesorder.commands.dlq", dlq.Failure{Stage: "sink", Class: dlq.ClassValidation, Message: "x", LastFailedAt: last.Add(time.Hour)})
	checkUnique(t, again)
	f, o, err = dlq.Parse(again)
	if err != nil || o.Offset != 1207 || o.Partition != 3 || !f.FirstFailedAt.Equal(t0) || f.Class != dlq.ClassValidation {
		t.Fatalf("redriven: %+v %+v %v", f, o, err)
	}
}

// A partial original.* set (hand-edited, say) is not trusted: the record's
// own position is used.
func TestPartialOriginIsReplaced(t *testing.T) {
	src := source()
	src.Headers = append(src.Headers, kgo.RecordHeader{Key: dlq.HeaderOriginalTopic, Value: []byte("elsewhere")})
	_, o, err := dlq.Parse(dlq.Record(src, "t.dlq", dlq.Failure{Stage: "sink", Class: dlq.ClassDecode}))
	if err != nil || o != (dlq.Origin{Topic: src.Topic, Partition: src.Partition, Offset: src.Offset}) {
		t.Fatalf("origin %+v, %v", o, err)
	}
}

func TestLongMessageIsCutOnARuneBoundary(t *testing.T) {
	// 3-byte runes placed so byte MaxMessageBytes falls inside one.
	msg := "x" + strings.Repeat("€", dlq.MaxMessageBytes)
	d := dlq.Record(source(), "t.dlq", dlq.Failure{Stage: "sink", Class: dlq.ClassValidation, Message: msg})
	got, _ := hdr(d, dlq.HeaderErrorMessage)
	if !utf8.ValidString(got) {
		t.Fatalf("cut message is not valid UTF-8")
	}
	if !strings.HasSuffix(got, "…") || !strings.HasPrefix(msg, strings.TrimSuffix(got, "…")) {
		t.Fatalf("cut message is not a prefix plus …")
	}
	body := len(strings.TrimSuffix(got, "…"))
	if body > dlq.MaxMessageBytes || body < dlq.MaxMessageBytes-3 {
		t.Fatalf("kept %d bytes, want at most %d and within a rune of it", body, dlq.MaxMessageBytes)
	}

	exact := strings.Repeat("a", dlq.MaxMessageBytes)
	d = dlq.Record(source(), "t.dlq", dlq.Failure{Stage: "sink", Class: dlq.ClassValidation, Message: exact})
	if got, _ := hdr(d, dlq.HeaderErrorMessage); got != exact {
		t.Fatalf("a message of exactly MaxMessageBytes was changed")
	}
}

func TestParseNamesMissingAndBadHeaders(t *testing.T) {
	d := dlq.Record(source(), "t.dlq", dlq.Failure{Stage: "sink", Class: dlq.ClassDecode, Message: "m"})
	var kept []kgo.RecordHeader
	for _, h := range d.Headers {
		switch h.Key {
		case dlq.HeaderErrorStage:
		case dlq.HeaderOriginalOffset:
			kept = append(kept, kgo.RecordHeader{Key: h.Key, Value: []byte("12x")})
		default:
			kept = append(kept, h)
		}
	}
	d.Headers = kept
	f, o, err := dlq.Parse(d)
	if err == nil {
		t.Fatal("Parse accepted a record without error.stage and with a bad offset")
	}
	for _, s := range []string{dlq.HeaderErrorStage, dlq.HeaderOriginalOffset} {
		if !strings.Contains(err.Error(), s) {
			t.Fatalf("error %q does not name %s", err, s)
		}
	}
	if f.Class != dlq.ClassDecode || o.Topic != source().Topic {
		t.Fatalf("Parse dropped the readable headers: %+v %+v", f, o)
	}
	if _, _, err := dlq.Parse(source()); err == nil {
		t.Fatal("Parse accepted a record without DLQ headers")
	}
}
