package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/embedded/broker"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
)

// opsBroker is an embedded broker with the design's topics (2 partitions
// each) for the SRE tools' tests.
type opsBroker struct {
	addr string
	cl   *kgo.Client
	adm  *kadm.Client
}

func newOpsBroker(t *testing.T) *opsBroker {
	t.Helper()
	b, err := broker.Start(broker.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addr()), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	adm := kadm.NewClient(cl)
	parts, _ := kafka.ParsePartitions("stripe.events.raw=2,default=2")
	if _, err := kafka.EnsureTopics(opsCtx(t), adm, kafka.DesignTopics(), parts, nil); err != nil {
		t.Fatal(err)
	}
	return &opsBroker{addr: b.Addr(), cl: cl, adm: adm}
}

func opsCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func (b *opsBroker) produce(t *testing.T, rs ...*kgo.Record) {
	t.Helper()
	if err := b.cl.ProduceSync(opsCtx(t), rs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

func (b *opsBroker) end(t *testing.T, topic string) int64 {
	t.Helper()
	ends, err := b.adm.ListEndOffsets(opsCtx(t), topic)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	ends.Each(func(o kadm.ListedOffset) { n += o.Offset })
	return n
}

// opsRun runs one SRE subcommand in process and returns stdout, stderr
// and the error.
func opsRun(t *testing.T, fn func(context.Context, []string, *bytes.Buffer, *bytes.Buffer) error, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := fn(opsCtx(t), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func replayCmd(ctx context.Context, args []string, out, errOut *bytes.Buffer) error {
	return runReplay(ctx, args, out, errOut)
}

func TestReplayCommand(t *testing.T) {
	b := newOpsBroker(t)
	const topic = "infor.payment.commands"
	for i := range 6 {
		b.produce(t, &kgo.Record{Topic: topic, Partition: int32(i % 2), Key: fmt.Appendf(nil, "k%d", i), Value: []byte("v")})
	}
	brokers := "--kafka-brokers=" + b.addr

	// Wrong combinations are usage errors (exit 2), before any Kafka call.
	for _, args := range [][]string{
		{brokers, "--from-earliest", "--to-topic", topic}, // no --topic
		{brokers, "--topic", topic, "--to-topic", topic},  // no start
		{brokers, "--topic", topic, "--from-offset", "1", "--from-time", "1h", "--to-topic", topic},
		{brokers, "--topic", topic, "--from-earliest"}, // no mode
		{brokers, "--topic", topic, "--from-earliest", "--to-topic", topic, "--reset-group", "g"},
		{brokers, "--topic", topic, "--from-earliest", "--to-offset", "3", "--reset-group", "g"},
		{brokers, "--topic", topic, "--from-time", "yesterday", "--to-topic", topic},
	} {
		if _, errOut, err := opsRun(t, replayCmd, args...); !errors.Is(err, errUsage) || errOut == "" {
			t.Fatalf("%v: %v %q", args, err, errOut)
		}
	}

	// Dry run: the plan on stdout, nothing written.
	out, _, err := opsRun(t, replayCmd, brokers, "--topic", topic, "--partition", "1", "--from-offset", "1", "--to-topic", topic, "--dry-run")
	if err != nil || !strings.Contains(out, "partition 1: offsets [1, 3)\n") || !strings.Contains(out, "2 would be copied") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	if n := b.end(t, topic); n != 6 {
		t.Fatalf("dry run wrote: %d records", n)
	}
	out, _, err = opsRun(t, replayCmd, brokers, "--topic", topic, "--from-earliest", "--to-topic", topic)
	if err != nil || !strings.Contains(out, "6 read (6 offsets), 6 written") || b.end(t, topic) != 12 {
		t.Fatalf("replay: %v\n%s", err, out)
	}

	// Reset a group that never ran: old offsets none, dry run commits nothing.
	out, _, err = opsRun(t, replayCmd, brokers, "--topic", topic, "--from-offset", "2", "--reset-group", "infor-sink", "--dry-run")
	if err != nil || !strings.Contains(out, "partition 0: (none) → 2") || !strings.Contains(out, "dry run") {
		t.Fatalf("reset dry run: %v\n%s", err, out)
	}
	if os, _ := b.adm.FetchOffsets(opsCtx(t), "infor-sink"); len(os) != 0 {
		t.Fatalf("dry run committed %v", os)
	}
	out, _, err = opsRun(t, replayCmd, brokers, "--topic", topic, "--from-offset", "2", "--reset-group", "infor-sink")
	if err != nil || !strings.Contains(out, "partition 1: (none) → 2") {
		t.Fatalf("reset: %v\n%s", err, out)
	}
	out, _, err = opsRun(t, replayCmd, brokers, "--topic", topic, "--from-earliest", "--reset-group", "infor-sink")
	if err != nil || !strings.Contains(out, "partition 1: 2 → 0") {
		t.Fatalf("reset back: %v\n%s", err, out)
	}

	// Through the binary's dispatcher: exit codes.
	var so, se bytes.Buffer
	if code := run([]string{"replay", brokers, "--topic", topic}, &so, &se); code != 2 {
		t.Fatalf("usage error exit %d: %s", code, se.String())
	}
	if code := run([]string{"replay", "-h"}, &so, &se); code != 0 || !strings.Contains(se.String(), "idempotent") {
		t.Fatalf("help exit %d: %s", code, se.String())
	}
	if code := run([]string{"replay", "--kafka-brokers", b.addr, "--topic", "no.such.topic", "--from-earliest", "--to-topic", topic}, &so, &se); code != 1 {
		t.Fatalf("missing topic exit %d", code)
	}
}

// TestOpsToolsUseKafkaSecurity: the SRE tools read KAFKA_SASL_* and
// KAFKA_TLS_* as the stages do (opsKafka.config), here `dlq list` and
// `replay --dry-run` against a cluster requiring SCRAM-SHA-512 over TLS.
func TestOpsToolsUseKafkaSecurity(t *testing.T) {
	sc := newSecureCluster(t)
	for _, kv := range sc.env() {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "KAFKA_") {
			t.Setenv(k, v)
		}
	}
	acl, err := kafka.NewAdminClient(kafka.Config{Brokers: []string{sc.addr}, Security: sc.admin})
	if err != nil {
		t.Fatal(err)
	}
	defer acl.Close()
	parts, _ := kafka.ParsePartitions("default=1")
	if _, err := kafka.EnsureTopics(opsCtx(t), kadm.NewClient(acl), kafka.DesignTopics(), parts, nil); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := opsRun(t, dlqCmd, "list")
	if err != nil || !strings.Contains(errOut, "0 entries") {
		t.Fatalf("dlq list over SCRAM/TLS: %v\n%s\n%s", err, out, errOut)
	}
	t.Setenv("KAFKA_SASL_MECHANISM", "KERBEROS")
	if _, _, err := opsRun(t, dlqCmd, "list"); err == nil || !strings.Contains(err.Error(), "KAFKA_SASL_MECHANISM") {
		t.Fatalf("a bad KAFKA_SASL_MECHANISM: %v", err)
	}
}
