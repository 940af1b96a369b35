package inforsink_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
)

// After a clean stop the committed offsets equal the end of every
// partition, also behind the transaction markers the processors' writes
// leave; a restart reads nothing again: only commands written after it
// are applied.
func TestOffsetsAfterCleanStopAndRestart(t *testing.T) {
	e := newEnv(t, envOpts{})
	// Commands written in transactions, as the processors write them.
	txp, err := kgo.NewClient(kgo.SeedBrokers(e.addr), kgo.TransactionalID("test-processor"),
		kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer txp.Close()
	const n = 24
	for batch := range 3 {
		if err := txp.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
		for i := batch * n / 3; i < (batch+1)*n/3; i++ {
			cus := fmt.Sprintf("cus_Off%02d", i)
			txp.Produce(e.ctx, e.record(customerCmd(cus, "evt_"+cus), cus, -1), nil)
		}
		// An aborted transaction in between: its commands must never apply.
		commit := kgo.TryCommit
		if batch == 1 {
			commit = kgo.TryAbort
			txp.Produce(e.ctx, e.record(customerCmd("cus_Aborted", "evt_x"), "cus_Aborted", -1), nil)
		}
		if err := txp.Flush(e.ctx); err != nil {
			t.Fatal(err)
		}
		if err := txp.EndTransaction(e.ctx, commit); err != nil {
			t.Fatal(err)
		}
	}
	want := n - n/3 // the aborted batch's customers are not applied

	r := e.start(e.config())
	waitFor(t, "the committed commands", 30*time.Second, func() bool {
		return e.count(kafka.CustomerCommands, "UpsertCustomer", "applied") == want
	})
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	all := append(append([]string{}, kafka.CommandTopics...), retryTopics()...)
	for p, ce := range e.committedVsEnd("sink-test", all...) {
		if ce[0] != ce[1] {
			t.Errorf("%s: committed %d, end %d", p, ce[0], ce[1])
		}
	}
	if got := e.customers("cus_Aborted"); got != 0 {
		t.Errorf("a command of an aborted transaction was applied (%d customers)", got)
	}

	// Restart; then one new command on every partition of every command
	// topic. A partition's new command is applied after anything read again
	// on that partition, so once all are applied, nothing was read again
	// if nothing but them was applied.
	base := e.finished()
	r2 := e.start(e.config())
	r2.waitReady(20 * time.Second)
	var fresh []*kgo.Record
	for _, topic := range kafka.CommandTopics {
		for p := int32(0); p < testPartitions; p++ {
			cus := fmt.Sprintf("cus_New%s%d", topic[6:9], p)
			rec := e.record(customerCmd(cus, "evt_"+cus), cus, p)
			if topic != kafka.CustomerCommands {
				rec = e.record(sentinelFor(topic, cus), cus, p)
			}
			fresh = append(fresh, rec)
		}
	}
	e.produce(fresh...)
	waitFor(t, "the new commands", 30*time.Second, func() bool {
		return e.finished()-base >= len(fresh)
	}, func() string { return fmt.Sprint(e.finished()-base, " of ", len(fresh)) })
	if err := r2.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := e.count(kafka.CustomerCommands, "UpsertCustomer", "applied"); got != want+testPartitions {
		t.Errorf("%d customers applied after the restart, want only the %d new ones", got-want, testPartitions)
	}
	if got := e.dedupeHits(kafka.CustomerCommands); got != 0 {
		t.Errorf("%d commands were read again after the restart", got)
	}
	if got := e.finished() - base; got != len(fresh) {
		t.Errorf("%d records finished after the restart, want only the %d new ones", got, len(fresh))
	}
	if got := len(e.alerts.all()); got != len(fresh)-testPartitions {
		t.Errorf("%d DLQ alerts, want one per invalid sentinel (%d)", got, len(fresh)-testPartitions)
	}
	for p, ce := range e.committedVsEnd("sink-test", all...) {
		if ce[0] != ce[1] {
			t.Errorf("after the restart: %s: committed %d, end %d", p, ce[0], ce[1])
		}
	}
}

// sentinelFor is a command for topic that is finished at its first try
// whatever Infor holds: the adapter refuses each as invalid (an order
// without lines, a payment of zero, an unbalanced journal, a payout not
// paid yet), so it goes straight to the DLQ.
func sentinelFor(topic, id string) command.Command {
	switch topic {
	case kafka.SalesOrderCommands:
		c := orderCmd("ch_"+id, "cus_Nobody", "WIDGET", "evt_"+id)
		c.Lines = nil
		return c
	case kafka.PaymentCommands:
		c := paymentCmd("ch_"+id, "evt_"+id)
		c.Amount.Minor = 0
		return c
	case kafka.JournalCommands:
		return command.PostJournal{Meta: meta("evt_"+id, "charge.succeeded", "ch_"+id), CommandID: "journal:" + id,
			AccountingDate: "2026-03-01", Lines: []command.JournalLine{{Account: "1930", Amount: command.Money{Minor: 100, Currency: "USD"}}}}
	default:
		c := payoutCmd("po_"+id, "evt_"+id)
		c.Status = "in_transit"
		return c
	}
}

// finished counts the records finished in any way, on every topic.
func (e *env) finished() int {
	n := 0
	for _, topic := range kafka.CommandTopics {
		for _, typ := range []string{"UpsertCustomer", "CreateSalesOrder", "ApplyPayment", "PostJournal", "ReconcilePayout"} {
			for _, out := range []string{"applied", "duplicate", "retried", "dlq"} {
				n += e.count(topic, typ, out)
			}
		}
	}
	return n
}

func retryTopics() []string {
	var out []string
	for _, t := range kafka.CommandTopics {
		out = append(out, kafka.RetryTopic(t))
	}
	return out
}
