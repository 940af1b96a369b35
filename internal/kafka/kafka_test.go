package kafka

import (
	"bytes"
	"context"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/embedded/broker"
)

func TestParsePartitions(t *testing.T) {
	const (
		raw  = "stripe.events.raw"
		enr  = "stripe.events.enriched"
		pay  = "infor.payment.commands"
		cust = "infor.customer.commands"
		dlq  = "stripe.events.raw.dlq"
	)
	tests := []struct {
		spec string
		want map[string]int32 // topic -> expected For(topic)
	}{
		{spec: "", want: map[string]int32{raw: 12, enr: 6, pay: 6, dlq: 6, "unknown.topic": 6}},
		{spec: " , ,", want: map[string]int32{raw: 12, enr: 6}},
		{spec: "stripe.events.raw=24", want: map[string]int32{raw: 24, enr: 6, dlq: 6}},
		{spec: "default=3", want: map[string]int32{raw: 12, enr: 3, pay: 3, dlq: 3, "unknown.topic": 3}},
		{spec: "infor.payment.commands=9", want: map[string]int32{raw: 12, pay: 9, cust: 6}},
		{spec: "stripe.events.raw=24,default=3", want: map[string]int32{raw: 24, enr: 3, pay: 3}},
		{spec: " stripe.events.raw = 24 , default = 2 ,infor.payment.commands=1,", want: map[string]int32{raw: 24, enr: 2, pay: 1, cust: 2}},
		{spec: "default=3,stripe.events.raw=1", want: map[string]int32{raw: 1, enr: 3}},
		{spec: "stripe.events.raw=5,stripe.events.raw=7", want: map[string]int32{raw: 7}},
		{spec: "stripe.events.raw=2147483647", want: map[string]int32{raw: 2147483647}},
	}
	for _, tc := range tests {
		p, err := ParsePartitions(tc.spec)
		if err != nil {
			t.Errorf("ParsePartitions(%q): %v", tc.spec, err)
			continue
		}
		for topic, want := range tc.want {
			if got := p.For(topic); got != want {
				t.Errorf("ParsePartitions(%q).For(%q) = %d, want %d", tc.spec, topic, got, want)
			}
		}
	}
}

func TestParsePartitionsErrors(t *testing.T) {
	tests := []struct {
		spec    string
		mention string // the offending item, which the message must show
	}{
		{spec: "x", mention: "x"},
		{spec: "x=0", mention: "x=0"},
		{spec: "x=-1", mention: "x=-1"},
		{spec: "x=abc", mention: "x=abc"},
		{spec: "x=", mention: "x="},
		{spec: "x=1.5", mention: "x=1.5"},
		{spec: "x=2147483648", mention: "x=2147483648"}, // overflows int32
		{spec: "default=0", mention: "default=0"},
		{spec: "stripe.events.raw=24,x=abc", mention: "x=abc"},
		{spec: "stripe.events.raw:24", mention: "stripe.events.raw:24"},
	}
	for _, tc := range tests {
		_, err := ParsePartitions(tc.spec)
		if err == nil {
			t.Errorf("ParsePartitions(%q): no error", tc.spec)
			continue
		}
		if !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("ParsePartitions(%q) error %q does not show %q", tc.spec, err, tc.mention)
		}
	}
}

// TestDefaultPartitionsNotShared guards against overrides leaking into the
// defaults through a shared map.
func TestDefaultPartitionsNotShared(t *testing.T) {
	if _, err := ParsePartitions("stripe.events.raw=1,other=2"); err != nil {
		t.Fatal(err)
	}
	d := DefaultPartitions()
	if d.For(RawEvents) != 12 || d.For("other") != 6 || d.Default != 6 {
		t.Fatalf("DefaultPartitions changed by ParsePartitions: %+v", d)
	}
	var zero Partitions
	if zero.For(RawEvents) != 0 {
		t.Fatalf("zero Partitions.For = %d", zero.For(RawEvents))
	}
}

// designTopics is DESIGN.md's Topics table as it applies today: the raw topic
// and its DLQ, the enriched topic, every command topic with its retry and DLQ
// topics, and the customer notification topic.
var designTopics = []string{
	"stripe.events.raw",
	"stripe.events.raw.dlq",
	"stripe.events.enriched",
	"infor.customer.commands", "infor.customer.commands.retry", "infor.customer.commands.dlq",
	"infor.salesorder.commands", "infor.salesorder.commands.retry", "infor.salesorder.commands.dlq",
	"infor.payment.commands", "infor.payment.commands.retry", "infor.payment.commands.dlq",
	"infor.journal.commands", "infor.journal.commands.retry", "infor.journal.commands.dlq",
	"infor.bank.commands", "infor.bank.commands.retry", "infor.bank.commands.dlq",
	"notifications.customer",
}

func TestDesignTopics(t *testing.T) {
	got := DesignTopics()
	seen := map[string]int{}
	for _, tp := range got {
		seen[tp]++
		if tp == "" || strings.TrimSpace(tp) != tp {
			t.Errorf("bad topic name %q", tp)
		}
	}
	for tp, n := range seen {
		if n > 1 {
			t.Errorf("topic %q listed %d times", tp, n)
		}
	}
	for _, want := range designTopics {
		if seen[want] == 0 {
			t.Errorf("DesignTopics lacks %q", want)
		}
	}
	want := map[string]bool{}
	for _, tp := range designTopics {
		want[tp] = true
	}
	for _, tp := range got {
		if !want[tp] {
			t.Errorf("DesignTopics has %q, which DESIGN.md does not name", tp)
		}
	}
	if len(got) != len(designTopics) {
		t.Errorf("DesignTopics has %d entries, want %d", len(got), len(designTopics))
	}
	// A fresh slice each call: callers may append without corrupting it.
	got[0] = "mutated"
	if DesignTopics()[0] == "mutated" {
		t.Error("DesignTopics returns a shared slice")
	}
}

func TestTopicNameHelpers(t *testing.T) {
	tests := []struct{ got, want string }{
		{RetryTopic(PaymentCommands), "infor.payment.commands.retry"},
		{DLQTopic(PaymentCommands), "infor.payment.commands.dlq"},
		{DLQTopic(RawEvents), "stripe.events.raw.dlq"},
		{RawEvents, "stripe.events.raw"},
		{EnrichedEvents, "stripe.events.enriched"},
		{CustomerNotifications, "notifications.customer"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	wantCmds := []string{"infor.customer.commands", "infor.salesorder.commands", "infor.payment.commands", "infor.journal.commands", "infor.bank.commands"}
	if strings.Join(CommandTopics, ",") != strings.Join(wantCmds, ",") {
		t.Errorf("CommandTopics = %q, want %q", CommandTopics, wantCmds)
	}
}

func TestClientsNeedBrokers(t *testing.T) {
	for _, brokers := range [][]string{nil, {}} {
		cl, err := NewProducer(ProducerConfig{Config: Config{Brokers: brokers, ClientID: "test"}, DeliveryTimeout: time.Second})
		if err == nil {
			cl.Close()
			t.Fatalf("NewProducer(brokers=%q): no error", brokers)
		}
		if cl != nil {
			t.Errorf("NewProducer returned a client with an error")
		}
		if !strings.Contains(err.Error(), "KAFKA_BROKERS") {
			t.Errorf("NewProducer error %q does not name KAFKA_BROKERS", err)
		}
		acl, err := NewAdminClient(Config{Brokers: brokers})
		if err == nil {
			acl.Close()
			t.Fatalf("NewAdminClient(brokers=%q): no error", brokers)
		}
		if !strings.Contains(err.Error(), "KAFKA_BROKERS") {
			t.Errorf("NewAdminClient error %q does not name KAFKA_BROKERS", err)
		}
	}
}

// syncBuffer is a log sink safe for franz-go's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startBroker starts the embedded broker and returns it with an admin client.
func startBroker(t *testing.T) (*broker.Broker, *kadm.Client) {
	t.Helper()
	b, err := broker.Start(broker.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b, newAdmin(t, b)
}

// newAdmin returns an admin client of its own. franz-go caches metadata per
// client for MetadataMinAge (5s), including "unknown topic" answers, and
// CreateTopics does not evict them; checks therefore look through a fresh
// client, as an operator's tool or a restarted stage would.
func newAdmin(t *testing.T, b *broker.Broker) *kadm.Client {
	t.Helper()
	cl, err := NewAdminClient(Config{Brokers: []string{b.Addr()}, ClientID: "kafka-test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return kadm.NewClient(cl)
}

// listPartitions returns the partition count of each topic that exists, as
// a fresh client sees it.
func listPartitions(t *testing.T, ctx context.Context, b *broker.Broker, topics []string) map[string]int {
	t.Helper()
	td, err := newAdmin(t, b).ListTopics(ctx, topics...)
	if err != nil {
		t.Fatalf("ListTopics: %v", err)
	}
	out := map[string]int{}
	for _, d := range td {
		if d.Err != nil {
			continue
		}
		out[d.Topic] = len(d.Partitions)
	}
	return out
}

func sorted(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}

func TestEnsureTopics(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	tests := []struct {
		name        string
		spec        string
		freshSecond bool // second run through a new client (a restart) rather than the same one
	}{
		{name: "defaults, rerun on same client", spec: ""},
		{name: "defaults, rerun after restart", spec: "", freshSecond: true},
		{name: "overrides", spec: "stripe.events.raw=4,default=2,infor.payment.commands=3"},
		{name: "overrides, rerun after restart", spec: "stripe.events.raw=4,default=2,infor.payment.commands=3", freshSecond: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, adm := startBroker(t)
			parts, err := ParsePartitions(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			topics := DesignTopics()

			if before := listPartitions(t, ctx, b, topics); len(before) != 0 {
				t.Fatalf("fresh broker already has %v", before)
			}
			created, err := EnsureTopics(ctx, adm, topics, parts, nil)
			if err != nil {
				t.Fatalf("first EnsureTopics: %v", err)
			}
			if got, want := strings.Join(sorted(created), ","), strings.Join(sorted(topics), ","); got != want {
				t.Fatalf("first EnsureTopics created\n %s\nwant\n %s", got, want)
			}

			have := listPartitions(t, ctx, b, topics)
			for _, tp := range topics {
				n, ok := have[tp]
				if !ok {
					t.Errorf("topic %s does not exist after EnsureTopics", tp)
					continue
				}
				if want := int(parts.For(tp)); n != want {
					t.Errorf("topic %s has %d partitions, want %d", tp, n, want)
				}
			}

			// Idempotent: a second run creates nothing and fails nothing.
			second := adm
			if tc.freshSecond {
				second = newAdmin(t, b)
			}
			created, err = EnsureTopics(ctx, second, topics, parts, nil)
			if err != nil {
				t.Fatalf("second EnsureTopics: %v", err)
			}
			if len(created) != 0 {
				t.Fatalf("second EnsureTopics created %q", created)
			}
			again := listPartitions(t, ctx, b, topics)
			if len(again) != len(topics) {
				t.Errorf("after second run %d topics exist, want %d", len(again), len(topics))
			}
			for tp, n := range have {
				if again[tp] != n {
					t.Errorf("topic %s changed from %d to %d partitions", tp, n, again[tp])
				}
			}
		})
	}
}

// TestEnsureTopicsLeavesExistingAlone: a topic that exists with another
// partition count is neither altered nor an error, and the mismatch is logged.
func TestEnsureTopicsLeavesExistingAlone(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	tests := []struct {
		name     string
		topic    string
		existing int32 // partitions the topic was created with beforehand
	}{
		{name: "fewer than configured", topic: RawEvents, existing: 3},
		{name: "more than configured", topic: PaymentCommands, existing: 9},
		{name: "one partition", topic: DLQTopic(RawEvents), existing: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, pre := startBroker(t)
			resp, err := pre.CreateTopic(ctx, tc.existing, -1, nil, tc.topic)
			if err == nil {
				err = resp.Err
			}
			if err != nil {
				t.Fatalf("pre-create %s: %v", tc.topic, err)
			}
			parts := DefaultPartitions()
			if parts.For(tc.topic) == tc.existing {
				t.Fatalf("test needs a count other than the configured %d", tc.existing)
			}

			logs := &syncBuffer{}
			log := slog.New(slog.NewTextHandler(logs, nil))
			topics := DesignTopics()
			adm := newAdmin(t, b) // a stage starting against a cluster that has the topic
			created, err := EnsureTopics(ctx, adm, topics, parts, log)
			if err != nil {
				t.Fatalf("EnsureTopics: %v", err)
			}
			for _, c := range created {
				if c == tc.topic {
					t.Errorf("EnsureTopics reports the pre-existing %s as created", tc.topic)
				}
			}
			if len(created) != len(topics)-1 {
				t.Errorf("created %d topics, want %d: %q", len(created), len(topics)-1, created)
			}
			have := listPartitions(t, ctx, b, topics)
			if have[tc.topic] != int(tc.existing) {
				t.Errorf("%s has %d partitions, want the pre-existing %d", tc.topic, have[tc.topic], tc.existing)
			}
			for _, tp := range topics {
				if tp == tc.topic {
					continue
				}
				if want := int(parts.For(tp)); have[tp] != want {
					t.Errorf("%s has %d partitions, want %d", tp, have[tp], want)
				}
			}
			out := logs.String()
			if !strings.Contains(out, "different partition count") || !strings.Contains(out, "topic="+tc.topic+" ") {
				t.Errorf("no warning about %s's partition count in the log:\n%s", tc.topic, out)
			}
			if n := strings.Count(out, "different partition count"); n != 1 {
				t.Errorf("%d partition-count warnings, want 1:\n%s", n, out)
			}

			// And again after a restart, with a nil logger: no error, nothing
			// created, the odd topic still as it was.
			created, err = EnsureTopics(ctx, newAdmin(t, b), topics, parts, nil)
			if err != nil || len(created) != 0 {
				t.Fatalf("second EnsureTopics = %q, %v", created, err)
			}
			if n := listPartitions(t, ctx, b, []string{tc.topic})[tc.topic]; n != int(tc.existing) {
				t.Errorf("after second run %s has %d partitions, want %d", tc.topic, n, tc.existing)
			}
		})
	}
}

// TestProducerAgainstBroker checks that NewProducer's client really produces
// to a topic EnsureTopics created.
func TestProducerAgainstBroker(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b, adm := startBroker(t)
	if _, err := EnsureTopics(ctx, adm, []string{RawEvents}, DefaultPartitions(), nil); err != nil {
		t.Fatal(err)
	}
	p, err := NewProducer(ProducerConfig{
		Config:          Config{Brokers: []string{b.Addr()}, ClientID: "kafka-test", Logger: slog.New(slog.DiscardHandler)},
		DeliveryTimeout: 10 * time.Second,
	}, kgo.DefaultProduceTopic(RawEvents))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.ProduceSync(ctx, &kgo.Record{Key: []byte("cus_1"), Value: []byte(`{"id":"evt_1"}`)}).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
	offs, err := newAdmin(t, b).ListEndOffsets(ctx, RawEvents)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	offs.Each(func(o kadm.ListedOffset) { total += o.Offset })
	if total != 1 {
		t.Fatalf("end offsets sum to %d after one record, want 1", total)
	}
}
