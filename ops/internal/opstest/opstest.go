// Package opstest is the test harness of the ops packages: a real broker
// (the embedded kfake), a real schema registry (the embedded srfake over
// HTTP) and helpers to write and read records. It is imported by tests
// only.
package opstest

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/stripe-infor/stripe-infor/internal/embedded/broker"
	"github.com/stripe-infor/stripe-infor/internal/embedded/registry"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/schemas"
)

// Env is a running broker with an admin client.
type Env struct {
	t     testing.TB
	Addr  string
	Admin *kadm.Client
	cl    *kgo.Client
}

// Ctx is a context that ends with the test (or after a minute).
func Ctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// Start starts a broker and creates topics with the given partition counts.
func Start(t testing.TB, topics map[string]int32) *Env {
	t.Helper()
	b, err := broker.Start(broker.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addr()), kgo.RequiredAcks(kgo.AllISRAcks()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	e := &Env{t: t, Addr: b.Addr(), Admin: kadm.NewClient(cl), cl: cl}
	for topic, n := range topics {
		e.CreateTopic(topic, n)
	}
	return e
}

// Kafka is the kafka.Config of the env.
func (e *Env) Kafka() kafka.Config {
	return kafka.Config{Brokers: []string{e.Addr}, ClientID: "opstest"}
}

// CreateTopic creates a topic.
func (e *Env) CreateTopic(topic string, partitions int32) {
	e.t.Helper()
	resp, err := e.Admin.CreateTopic(Ctx(e.t), partitions, -1, nil, topic)
	if err == nil {
		err = resp.Err
	}
	if err != nil {
		e.t.Fatalf("create %s: %v", topic, err)
	}
}

// Produce writes records synchronously (acks=all), each to the partition
// it names: tests need to know where a record lands.
func (e *Env) Produce(rs ...*kgo.Record) {
	e.t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.Addr), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		e.t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(Ctx(e.t), rs...).FirstErr(); err != nil {
		e.t.Fatalf("produce: %v", err)
	}
}

// ReadAll returns every committed record of a topic, by partition then
// offset.
func (e *Env) ReadAll(topic string) []*kgo.Record {
	e.t.Helper()
	ctx := Ctx(e.t)
	ends, err := e.Admin.ListEndOffsets(ctx, topic)
	if err != nil || ends.Error() != nil {
		e.t.Fatalf("end offsets of %s: %v %v", topic, err, ends.Error())
	}
	want := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) {
		if o.Offset > 0 {
			want[o.Partition] = o.Offset
		}
	})
	if len(want) == 0 {
		return nil
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.Addr), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.KeepControlRecords())
	if err != nil {
		e.t.Fatal(err)
	}
	defer cl.Close()
	byPart := map[int32][]*kgo.Record{}
	seen := map[int32]int64{}
	for len(want) > 0 {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			e.t.Fatalf("reading %s: %v (still waiting for %v)", topic, err, want)
		}
		fs.EachRecord(func(r *kgo.Record) {
			seen[r.Partition] = r.Offset + 1
			if !r.Attrs.IsControl() {
				byPart[r.Partition] = append(byPart[r.Partition], r)
			}
			if seen[r.Partition] >= want[r.Partition] {
				delete(want, r.Partition)
			}
		})
	}
	var out []*kgo.Record
	for p := int32(0); p < 1024; p++ {
		out = append(out, byPart[p]...)
	}
	return out
}

// Registry starts a schema registry and registers the pipeline's schemas;
// it returns the URL and the Serde.
func Registry(t testing.TB) (string, *schemas.Serde) {
	t.Helper()
	reg, err := registry.Start(registry.Config{Addr: "127.0.0.1:0", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = reg.Close(context.Background()) })
	rc, err := sr.NewClient(sr.URLs(reg.URL()))
	if err != nil {
		t.Fatal(err)
	}
	serde, err := schemas.Register(Ctx(t), rc)
	if err != nil {
		t.Fatal(err)
	}
	return reg.URL(), serde
}

// Header is the last value of header k on r, and whether there is one.
func Header(r *kgo.Record, k string) (string, bool) {
	for i := len(r.Headers) - 1; i >= 0; i-- {
		if r.Headers[i].Key == k {
			return string(r.Headers[i].Value), true
		}
	}
	return "", false
}
