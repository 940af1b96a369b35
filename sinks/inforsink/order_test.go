package inforsink_test

import (
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/infor/m3"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
)

// A payment that arrives before its order, and the order before its
// customer, wait on the retry topics and are applied once their
// prerequisites are in Infor, without a DLQ entry.
func TestOutOfOrderWaitsOnRetryTopic(t *testing.T) {
	e := newEnv(t, envOpts{})
	r := e.start(e.config())
	r.waitReady(20 * time.Second)

	e.produceCmds(paymentCmd("ch_Late1", "evt_pay"))
	waitFor(t, "the payment to reach the retry topic", 20*time.Second, func() bool {
		return e.retries(kafka.PaymentCommands, "retry_topic") >= 1
	})
	e.produceCmds(orderCmd("ch_Late1", "cus_Late1", "WIDGET", "evt_order"))
	waitFor(t, "the order to reach the retry topic", 20*time.Second, func() bool {
		return e.retries(kafka.SalesOrderCommands, "retry_topic") >= 1
	})
	e.produceCmds(customerCmd("cus_Late1", "evt_cus"))

	waitFor(t, "the payment to be applied", 30*time.Second, func() bool {
		return e.count(kafka.PaymentCommands, "ApplyPayment", "applied") == 1
	})
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if o, inv, paid := e.orders("ch_Late1"); o != 1 || inv != 1 || !paid {
		t.Fatalf("ch_Late1: %d orders, %d invoices, paid %v; want one paid invoice", o, inv, paid)
	}
	if got := e.statements(m3.PaymentReference("ch_Late1")); got != 1 {
		t.Errorf("%d payment statements, want 1", got)
	}
	if got := e.customers("cus_Late1"); got != 1 {
		t.Errorf("%d customers, want 1", got)
	}
	for _, topic := range kafka.CommandTopics {
		if recs := e.readTopic(kafka.DLQTopic(topic)); len(recs) > 0 {
			t.Errorf("%s: %d records dead-lettered (%s)", kafka.DLQTopic(topic), len(recs), header(recs[0], "error.message"))
		}
	}
	// The retry record names where the command first was and why it waits.
	rs := e.readTopic(kafka.RetryTopic(kafka.PaymentCommands))
	if len(rs) == 0 {
		t.Fatal("no record on the payment retry topic")
	}
	first := rs[0]
	if c := header(first, "error.class"); c != "dependency" {
		t.Errorf("retry record error.class %q, want dependency", c)
	}
	if got := header(first, "original.topic"); got != kafka.PaymentCommands {
		t.Errorf("original.topic %q", got)
	}
	if header(first, "retry.attempt") != "1" || header(first, "retry.not-before") == "" || header(first, "first.failed.at") == "" {
		t.Errorf("retry headers missing: %v", first.Headers)
	}
	if e.count(kafka.PaymentCommands, "ApplyPayment", "retried") < 1 {
		t.Error("the payment's moves to the retry topic were not counted")
	}
}

// A payment whose order comes a moment later waits for it in place
// (Config.DependencyWaits) and is applied without a trip through the retry
// topic. The waits are long here so that the order surely arrives during
// the first one.
func TestPrerequisiteArrivingSoonIsWaitedForInPlace(t *testing.T) {
	e := newEnv(t, envOpts{})
	cfg := e.config()
	cfg.DependencyWaits = []time.Duration{10 * time.Second, 10 * time.Second, 10 * time.Second}
	r := e.start(cfg)
	r.waitReady(20 * time.Second)

	e.produceCmds(paymentCmd("ch_Soon1", "evt_pay"))
	waitFor(t, "the payment to wait for its order", 20*time.Second, func() bool {
		return e.retries(kafka.PaymentCommands, "dependency_wait") >= 1
	})
	e.produceCmds(customerCmd("cus_Soon1", "evt_cus"), orderCmd("ch_Soon1", "cus_Soon1", "WIDGET", "evt_order"))
	waitFor(t, "the payment to be applied", 30*time.Second, func() bool {
		return e.count(kafka.PaymentCommands, "ApplyPayment", "applied") == 1
	})
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := e.retries(kafka.PaymentCommands, "retry_topic") + e.retries(kafka.SalesOrderCommands, "retry_topic"); n != 0 {
		t.Errorf("%d moves to a retry topic, want none", n)
	}
	if recs := e.readTopic(kafka.RetryTopic(kafka.PaymentCommands)); len(recs) != 0 {
		t.Errorf("%d records on the payment retry topic", len(recs))
	}
	if got := e.statements(m3.PaymentReference("ch_Soon1")); got != 1 {
		t.Errorf("%d payment statements, want 1", got)
	}
}
