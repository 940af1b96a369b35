package inforsink_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/infor"
	"github.com/stripe-infor/stripe-infor/infor/emulator"
	"github.com/stripe-infor/stripe-infor/infor/m3"
	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
)

// An order with an item Infor does not know goes to the DLQ at once with
// Infor's exact message, code and field; the next record on the same
// partition is still applied, and the alert names the command.
func TestUnknownItemDeadLettersWithInforsMessage(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.produceCmds(customerCmd("cus_Sku1", "evt_c"))
	r := e.start(e.config())
	waitFor(t, "the customer", 30*time.Second, func() bool { return e.customers("cus_Sku1") == 1 })
	bad := orderCmd("ch_Sku1", "cus_Sku1", "NOSUCHITEM", "evt_bad")
	good := orderCmd("ch_Sku2", "cus_Sku1", "WIDGET", "evt_good")
	// Same key, same partition: the good order comes right after the bad one.
	e.produce(e.record(bad, "cus_Sku1", 1), e.record(good, "cus_Sku1", 1))
	waitFor(t, "the good order", 30*time.Second, func() bool {
		return e.count(kafka.SalesOrderCommands, "CreateSalesOrder", "applied") == 1
	})
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}

	want := inforAnswer(t, bad)
	dl := e.readTopic(kafka.DLQTopic(kafka.SalesOrderCommands))
	if len(dl) != 1 {
		t.Fatalf("%d DLQ records, want 1", len(dl))
	}
	rec := dl[0]
	for k, v := range map[string]string{
		"error.stage": "sink", "error.class": "validation",
		"error.message": want.Message, "error.code": want.Code, "error.field": want.Field,
		"original.topic": kafka.SalesOrderCommands, "original.partition": "1",
		"command-id": "order:ch_Sku1", "stripe-event-id": "evt_bad",
	} {
		if got := header(rec, k); got != v {
			t.Errorf("DLQ header %s = %q, want %q", k, got, v)
		}
	}
	if header(rec, "original.offset") != "0" || string(rec.Key) != "cus_Sku1" {
		t.Errorf("DLQ record: key %q, original.offset %s", rec.Key, header(rec, "original.offset"))
	}
	if src := e.readTopic(kafka.SalesOrderCommands); string(src[0].Value) != string(rec.Value) {
		t.Error("the DLQ record's value is not the original bytes")
	}
	if o, _, _ := e.orders("ch_Sku2"); o != 1 {
		t.Errorf("the order after the bad one: %d orders, want 1", o)
	}
	if got := e.dlqCount(kafka.SalesOrderCommands, "validation"); got != 1 {
		t.Errorf("dlq_records_total{validation} = %d", got)
	}
	alerts := e.alerts.all()
	if len(alerts) != 1 {
		t.Fatalf("%d alerts, want 1", len(alerts))
	}
	a := alerts[0]
	if a.Stage != "sink" || a.Class != "validation" || a.Message != want.Message || a.Code != want.Code ||
		a.Field != want.Field || a.CommandID != "order:ch_Sku1" || a.EventID != "evt_bad" || a.Topic != kafka.SalesOrderCommands ||
		len(a.StripeIDs) == 0 || a.StripeIDs[0] != "ch_Sku1" {
		t.Errorf("alert %+v does not carry Infor's answer and the Stripe ids", a)
	}
	if lines := e.logs.matching(`"msg":"dead-lettered"`); len(lines) != 1 {
		t.Errorf("%d dead-letter log lines, want 1", len(lines))
	}
}

// inforAnswer is the NOK the emulator gives for cmd, found by applying it
// directly against a fresh emulator: the oracle the DLQ headers must match.
func inforAnswer(t *testing.T, cmd command.CreateSalesOrder) *infor.NOKError {
	t.Helper()
	a := newBareAdapter(t)
	if _, err := a.UpsertCustomer(context.Background(), customerCmd(cmd.CustomerRef.StripeCustomerID, "x")); err != nil {
		t.Fatal(err)
	}
	_, err := a.CreateSalesOrder(context.Background(), cmd)
	var nok *infor.NOKError
	if !errors.As(err, &nok) {
		t.Fatalf("the emulator did not refuse the order: %v", err)
	}
	return nok
}

// A value that is not a command (not the wire format, an unknown schema
// id) goes to the DLQ with class decode; the partition keeps moving.
func TestPoisonRecordsDeadLetterAsDecode(t *testing.T) {
	e := newEnv(t, envOpts{})
	good := customerCmd("cus_AfterPoison", "evt_good")
	unknownSchema := []byte{0, 0, 0, 0x7f, 0x33, 2, 4, 6}
	e.produce(
		&kgo.Record{Topic: kafka.CustomerCommands, Partition: 2, Key: []byte("k1"), Value: []byte(`{"not":"avro"}`),
			Headers: []kgo.RecordHeader{{Key: "command-id", Value: []byte("customer:cus_Poison")}, {Key: "command-type", Value: []byte("UpsertCustomer")}}},
		&kgo.Record{Topic: kafka.CustomerCommands, Partition: 2, Key: []byte("k2"), Value: unknownSchema},
		e.record(good, "k3", 2),
	)
	r := e.start(e.config())
	waitFor(t, "the record after the poison", 30*time.Second, func() bool {
		return e.count(kafka.CustomerCommands, "UpsertCustomer", "applied") == 1
	})
	waitFor(t, "both poison records dead-lettered", 10*time.Second, func() bool {
		return e.dlqCount(kafka.CustomerCommands, "decode") == 2
	})
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	dl := e.readTopic(kafka.DLQTopic(kafka.CustomerCommands))
	if len(dl) != 2 {
		t.Fatalf("%d DLQ records, want 2", len(dl))
	}
	byOffset := map[string]*kgo.Record{}
	for _, rec := range dl {
		byOffset[header(rec, "original.offset")] = rec
		if header(rec, "error.class") != "decode" || header(rec, "original.partition") != "2" ||
			header(rec, "original.topic") != kafka.CustomerCommands || header(rec, "error.message") == "" {
			t.Errorf("DLQ record: headers %v", rec.Headers)
		}
	}
	if r0, r1 := byOffset["0"], byOffset["1"]; r0 == nil || r1 == nil || string(r0.Value) != `{"not":"avro"}` ||
		string(r1.Value) != string(unknownSchema) || string(r0.Key) != "k1" {
		t.Errorf("DLQ records %v do not carry the original keys and bytes", byOffset)
	}
	if got := e.customers("cus_AfterPoison"); got != 1 {
		t.Errorf("%d customers after the poison, want 1", got)
	}
	if got := e.count(kafka.CustomerCommands, "UpsertCustomer", "dlq"); got != 1 {
		t.Errorf("the poison record with a command-type header counted %d times under its type", got)
	}
	alerts := e.alerts.all()
	if len(alerts) != 2 {
		t.Fatalf("%d alerts, want 2", len(alerts))
	}
	named := 0
	for _, a := range alerts {
		if a.Class != "decode" || a.Stage != "sink" || a.Partition != 2 {
			t.Errorf("alert %+v", a)
		}
		if a.CommandID == "customer:cus_Poison" && a.Offset == 0 && a.CommandType == "UpsertCustomer" {
			named++
		}
	}
	if named != 1 {
		t.Errorf("the poison record's alert does not name it by its headers: %+v", alerts)
	}
	ce := e.committedVsEnd("sink-test", kafka.CustomerCommands)
	if got := ce[kafka.CustomerCommands+"/2"]; got[0] != 3 || got[1] != 3 {
		t.Errorf("partition 2: committed %d of %d", got[0], got[1])
	}
}

// newBareAdapter is an M3 adapter on a fresh emulator, without the sink.
func newBareAdapter(t *testing.T) *m3.Adapter {
	t.Helper()
	emu, err := emulator.New(emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(func() { _ = emu.Close(); srv.Close() })
	path := filepath.Join(t.TempDir(), "bare.ionapi")
	if err := emu.WriteIONAPI(path, srv.URL); err != nil {
		t.Fatal(err)
	}
	cfg, err := infor.LoadIONAPI(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := infor.NewClient(cfg, infor.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	return m3.New(c, m3.Config{})
}
