package processors_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/stripe-infor/stripe-infor/internal/embedded/broker"
	"github.com/stripe-infor/stripe-infor/internal/embedded/registry"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/processors"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
	"github.com/stripe-infor/stripe-infor/processors/transform"
	"github.com/stripe-infor/stripe-infor/producer"
	"github.com/stripe-infor/stripe-infor/schemas"
)

// testEnv is a real broker (kfake) with the design's topics, a real schema
// registry (srfake over HTTP) with the schemas registered, and the real
// transform with the built-in mapping.
type testEnv struct {
	t      testing.TB
	broker *broker.Broker
	reg    *registry.Registry
	serde  *schemas.Serde
	tr     *transform.Transformer
	addr   string
}

// rawPartitions is the raw topic's partition count in tests: several, so
// the group tests have something to share.
const rawPartitions = 4

func newEnv(t testing.TB) *testEnv {
	t.Helper()
	b, err := broker.Start(broker.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	parts, err := kafka.ParsePartitions(fmt.Sprintf("%s=%d,default=3", kafka.RawEvents, rawPartitions))
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := kafka.EnsureTopics(ctx, kadm.NewClient(cl), kafka.DesignTopics(), parts, nil); err != nil {
		t.Fatal(err)
	}
	reg, err := registry.Start(registry.Config{Addr: "127.0.0.1:0", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = reg.Close(context.Background()) })
	rc, err := sr.NewClient(sr.URLs(reg.URL()))
	if err != nil {
		t.Fatal(err)
	}
	serde, err := schemas.Register(ctx, rc)
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{t: t, broker: b, reg: reg, serde: serde, tr: transform.New(mapping.Default()), addr: b.Addr()}
}

// config is a processor configuration against the env.
func (e *testEnv) config(txnID string) processors.Config {
	return processors.Config{
		Brokers:          []string{e.addr},
		TransactionalID:  txnID,
		MaxRecordsPerTxn: 50,
		SessionTimeout:   6 * time.Second,
		Transformer:      e.tr,
		Encoder:          e.serde,
		Logger:           slog.New(slog.NewJSONHandler(testWriter{e.t}, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
}

// testWriter sends log lines to t.Log, so they show only for failures.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// running is a processor running in the background.
type running struct {
	p      *processors.Processor
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

func (e *testEnv) start(cfg processors.Config) *running {
	e.t.Helper()
	p, err := processors.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{p: p, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- p.Run(ctx) }()
	e.t.Cleanup(func() { r.stop() })
	return r
}

// stop cancels Run and returns what it returned.
func (r *running) stop() error {
	r.once.Do(func() {
		r.cancel()
		select {
		case r.err = <-r.done:
		case <-time.After(60 * time.Second):
			r.err = errors.New("Run did not return within 60s of the cancel")
		}
	})
	return r.err
}

// rawRecord is what the webhook producer writes for body: same key, value
// and headers (the producer's own NewRecord).
func rawRecord(t testing.TB, body []byte, receivedAt time.Time) *kgo.Record {
	t.Helper()
	envl, err := producer.ParseEnvelope(body)
	if err != nil {
		t.Fatalf("fixture is not an event: %v", err)
	}
	return producer.NewRecord(kafka.RawEvents, &envl, body, receivedAt)
}

// produce writes records to the raw topic in order, synchronously.
func (e *testEnv) produce(recs ...*kgo.Record) {
	e.t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.addr))
	if err != nil {
		e.t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		e.t.Fatalf("produce raw: %v", err)
	}
}

// waitCount reads topic (read_committed) until it holds at least n
// records. It waits for the processor; counts are checked afterwards with
// readAll, which sees everything committed.
func (e *testEnv) waitCount(topic string, n int) {
	e.t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.addr), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		e.t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	got := 0
	for got < n {
		f := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			e.t.Fatalf("%s: %d records after 60s, want %d", topic, got, n)
		}
		got += f.NumRecords()
	}
}

// sentinelHeader marks the records readAll writes to find the end of each
// partition.
const sentinelHeader = "test-sentinel"

// readAll returns every committed record of topics. It appends a sentinel
// to each partition and reads (read_committed) until it has met them all:
// a read_committed reader cannot see a record behind an open transaction,
// so meeting the sentinel proves that everything before it is committed or
// aborted, and nothing is still pending.
func readAll(t *testing.T, addr string, topics ...string) []*kgo.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	admCl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer admCl.Close()
	md, err := kadm.NewClient(admCl).Metadata(ctx, topics...)
	if err != nil {
		t.Fatal(err)
	}
	pcl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer pcl.Close()
	want := 0
	for _, topic := range topics {
		td, ok := md.Topics[topic]
		if !ok || td.Err != nil {
			t.Fatalf("topic %s missing", topic)
		}
		for p := range td.Partitions {
			rec := &kgo.Record{Topic: topic, Partition: p, Value: []byte("sentinel"), Headers: []kgo.RecordHeader{{Key: sentinelHeader, Value: []byte("1")}}}
			if err := pcl.ProduceSync(ctx, rec).FirstErr(); err != nil {
				t.Fatalf("sentinel %s[%d]: %v", topic, p, err)
			}
			want++
		}
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topics...),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var out []*kgo.Record
	seen := 0
	for seen < want {
		f := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %v: met %d of %d partition ends (a transaction left open?)", topics, seen, want)
		}
		f.EachRecord(func(r *kgo.Record) {
			if _, ok := hdr(r, sentinelHeader); ok {
				seen++
				return
			}
			out = append(out, r)
		})
	}
	return out
}

// hdr returns a record's header value.
func hdr(r *kgo.Record, key string) (string, bool) {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value), true
		}
	}
	return "", false
}

// byTopic groups records by topic.
func byTopic(recs []*kgo.Record) map[string][]*kgo.Record {
	m := map[string][]*kgo.Record{}
	for _, r := range recs {
		m[r.Topic] = append(m[r.Topic], r)
	}
	return m
}

// outputTopics are every topic the processor may write.
func outputTopics() []string {
	return append(append([]string(nil), schemas.Topics...), processors.RawDLQ)
}

// fixture renders a stripefixture event and returns it with its
// data.object id.
func fixture(t *testing.T, typ string, o stripefixture.Options) ([]byte, string) {
	t.Helper()
	body := stripefixture.MustEvent(typ, o)
	var ev struct {
		Data struct {
			Object struct {
				ID string `json:"id"`
			} `json:"object"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	return body, ev.Data.Object.ID
}

// slogJSON is a JSON logger at debug level on w.
func slogJSON(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
