package inforsink_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/infor/m3"
	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
)

// Duplicate commands (the same record twice) and duplicate events (two
// Stripe events making the same command) land once each in Infor; the
// repeats are counted as dedupe hits, and the committed offsets reach the
// end of every partition.
func TestDuplicatesApplyOnce(t *testing.T) {
	e := newEnv(t, envOpts{})
	const n = 12
	var cmds []command.Command
	for i := range n {
		cus, ch, po := fmt.Sprintf("cus_Dup%02d", i), fmt.Sprintf("ch_Dup%02d", i), fmt.Sprintf("po_Dup%02d", i)
		c := customerCmd(cus, "evt_c"+cus)
		o := orderCmd(ch, cus, "WIDGET", "evt_o"+ch)
		p := payoutCmd(po, "evt_p"+po)
		cmds = append(cmds, c, o, p,
			c,                              // the same record again
			customerCmd(cus, "evt_c2"+cus), // a second event about the same change
			orderCmd(ch, cus, "WIDGET", "evt_o2"+ch),
			payoutCmd(po, "evt_p2"+po))
	}
	// Customers first, so orders find them without a retry.
	var customers, rest []command.Command
	for _, c := range cmds {
		if _, ok := c.(command.UpsertCustomer); ok {
			customers = append(customers, c)
		} else {
			rest = append(rest, c)
		}
	}
	e.produceCmds(customers...)
	r := e.start(e.config())
	waitFor(t, "the customers", 30*time.Second, func() bool {
		return e.count(kafka.CustomerCommands, "UpsertCustomer", "applied")+e.dedupeHits(kafka.CustomerCommands) == 3*n
	})
	e.produceCmds(rest...)
	waitFor(t, "every command finished", 30*time.Second, func() bool {
		return e.count(kafka.SalesOrderCommands, "CreateSalesOrder", "applied")+e.dedupeHits(kafka.SalesOrderCommands) == 2*n &&
			e.count(kafka.BankCommands, "ReconcilePayout", "applied")+e.dedupeHits(kafka.BankCommands) == 2*n
	})
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}

	for i := range n {
		cus, ch, po := fmt.Sprintf("cus_Dup%02d", i), fmt.Sprintf("ch_Dup%02d", i), fmt.Sprintf("po_Dup%02d", i)
		if got := e.customers(cus); got != 1 {
			t.Errorf("%s: %d customers in Infor, want 1", cus, got)
		}
		if o, inv, _ := e.orders(ch); o != 1 || inv != 1 {
			t.Errorf("%s: %d orders and %d invoices in Infor, want 1 and 1", ch, o, inv)
		}
		if got := e.statements(m3.PayoutReference(po)); got != 1 {
			t.Errorf("%s: %d bank statements, want 1", po, got)
		}
	}
	for topic, typ := range map[string]string{kafka.CustomerCommands: "UpsertCustomer", kafka.SalesOrderCommands: "CreateSalesOrder", kafka.BankCommands: "ReconcilePayout"} {
		want := n
		if topic == kafka.CustomerCommands {
			want = 2 * n
		}
		if got := e.count(topic, typ, "applied"); got != n {
			t.Errorf("%s: %d applied, want %d", topic, got, n)
		}
		if got := e.dedupeHits(topic); got != want {
			t.Errorf("%s: %d dedupe hits, want %d", topic, got, want)
		}
		if got := e.count(topic, typ, "duplicate"); got != want {
			t.Errorf("%s: %d commands counted duplicate, want %d", topic, got, want)
		}
	}
	for _, topic := range kafka.CommandTopics {
		if recs := e.readTopic(kafka.DLQTopic(topic)); len(recs) > 0 {
			t.Errorf("%s: %d records dead-lettered", kafka.DLQTopic(topic), len(recs))
		}
	}
	for p, ce := range e.committedVsEnd("sink-test", kafka.CommandTopics...) {
		if ce[0] != ce[1] {
			t.Errorf("%s: committed %d, end %d", p, ce[0], ce[1])
		}
	}
}
