package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	inforcmd "github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/dlq"
	"github.com/stripe-infor/stripe-infor/internal/embedded/registry"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/schemas"
)

func dlqCmd(ctx context.Context, args []string, out, errOut *bytes.Buffer) error {
	return runDLQ(ctx, args, out, errOut)
}

func TestDLQCommand(t *testing.T) {
	b := newOpsBroker(t)
	reg, err := registry.Start(registry.Config{Addr: "127.0.0.1:0", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = reg.Close(context.Background()) })
	rc, err := sr.NewClient(sr.URLs(reg.URL()))
	if err != nil {
		t.Fatal(err)
	}
	serde, err := schemas.Register(opsCtx(t), rc)
	if err != nil {
		t.Fatal(err)
	}
	v, err := serde.Encode(kafka.PaymentCommands, inforcmd.ApplyPayment{CommandID: "payment:ch_3Cli", StripeChargeID: "ch_3Cli",
		Amount: inforcmd.Money{Minor: 990, Currency: "JPY"}})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	src := &kgo.Record{Topic: kafka.PaymentCommands, Partition: 1, Offset: 77, Key: []byte("cus_Cli"), Value: v,
		Headers: []kgo.RecordHeader{{Key: "command-id", Value: []byte("payment:ch_3Cli")}}}
	entry := dlq.Record(src, kafka.DLQTopic(kafka.PaymentCommands), dlq.Failure{Stage: "sink", Class: dlq.ClassValidation,
		Code: "WCINO", Message: "Invoice\tnumber 1001\ndoes not exist", LastFailedAt: at})
	entry.Partition, entry.Timestamp = 0, at
	b.produce(t, entry)
	id := kafka.DLQTopic(kafka.PaymentCommands) + "/0@0"
	brokers := "--kafka-brokers=" + b.addr

	// list: the table, and JSON lines with every field.
	out, errOut, err := opsRun(t, dlqCmd, "list", brokers, "--class", "validation")
	if err != nil || !strings.Contains(out, id) || !strings.Contains(out, "Invoice number 1001 does not exist") ||
		!strings.Contains(out, "infor.payment.commands/1@77") || !strings.Contains(errOut, "1 entries") {
		t.Fatalf("list: %v\n%s\n%s", err, out, errOut)
	}
	out, _, err = opsRun(t, dlqCmd, "list", brokers, "--topic", kafka.PaymentCommands, "--json", "--redriven")
	var e map[string]any
	if err != nil || json.Unmarshal([]byte(out), &e) != nil || e["id"] != id || e["code"] != "WCINO" || e["command_id"] != "payment:ch_3Cli" {
		t.Fatalf("list --json: %v\n%s", err, out)
	}
	if out, _, _ = opsRun(t, dlqCmd, "list", brokers, "--class", "dependency"); strings.Contains(out, id) {
		t.Fatalf("class filter let it through:\n%s", out)
	}
	if _, _, err := opsRun(t, dlqCmd, "list", brokers, "--class", "oops"); !errors.Is(err, errUsage) {
		t.Fatalf("bad class: %v", err)
	}

	// show: headers and the Avro value decoded through the registry; the
	// flags may come after the id.
	out, _, err = opsRun(t, dlqCmd, "show", id, brokers, "--schema-registry-url", reg.URL())
	if err != nil || !strings.Contains(out, "value (Avro, schema id") || !strings.Contains(out, `"stripe_charge_id": "ch_3Cli"`) ||
		!strings.Contains(out, "error.code: WCINO") || !strings.Contains(out, "original.offset: 77") {
		t.Fatalf("show: %v\n%s", err, out)
	}
	out, _, err = opsRun(t, dlqCmd, "show", brokers, id)
	if err != nil || !strings.Contains(out, "SCHEMA_REGISTRY_URL") {
		t.Fatalf("show without a registry: %v\n%s", err, out)
	}

	// redrive: a selection is required; dry run writes nothing; then it
	// goes back to its topic, and a second run skips it.
	if _, _, err := opsRun(t, dlqCmd, "redrive", brokers); !errors.Is(err, errUsage) {
		t.Fatalf("redrive without a selection: %v", err)
	}
	out, _, err = opsRun(t, dlqCmd, "redrive", brokers, "--id", id, "--dry-run")
	if err != nil || !strings.Contains(out, "would redrive  "+id+" → infor.payment.commands (redrive.count 1)") || b.end(t, kafka.PaymentCommands) != 0 {
		t.Fatalf("redrive dry run: %v\n%s", err, out)
	}
	out, _, err = opsRun(t, dlqCmd, "redrive", brokers, "--id", id)
	if err != nil || !strings.Contains(out, "redriven  "+id) || b.end(t, kafka.PaymentCommands) != 1 {
		t.Fatalf("redrive: %v\n%s", err, out)
	}
	out, _, err = opsRun(t, dlqCmd, "redrive", brokers, "--stripe-id", "ch_3Cli")
	if err != nil || !strings.Contains(out, "skipped  "+id) || b.end(t, kafka.PaymentCommands) != 1 {
		t.Fatalf("second redrive: %v\n%s", err, out)
	}
	out, _, err = opsRun(t, dlqCmd, "redrive", brokers, "--id", id, "--max-redrives", "1", "--force")
	if err != nil || !strings.Contains(out, "redrive.count 1") || b.end(t, kafka.PaymentCommands) != 2 {
		t.Fatalf("forced redrive: %v\n%s", err, out)
	}
	if _, _, err := opsRun(t, dlqCmd, "redrive", brokers, "--id", kafka.DLQTopic(kafka.PaymentCommands)+"/0@9"); err == nil {
		t.Fatal("redrive of a missing entry succeeded")
	}
	if _, _, err := opsRun(t, dlqCmd, "nope"); !errors.Is(err, errUsage) {
		t.Fatalf("unknown subcommand: %v", err)
	}
}
