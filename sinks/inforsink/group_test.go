package inforsink_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/infor/emulator"
	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
)

// Two instances share the partitions: a second one joining makes the first
// revoke partitions with commands running (they are drained and committed
// before the hand-over), then the first stops and the second takes
// everything. Every command lands in Infor exactly once and the committed
// offsets reach the end. Some dedupe hits are expected: records of other
// keys finished after the lowest unfinished offset of a revoked partition
// are read again by the new owner, and Redis says they are done.
func TestTwoInstancesHandOverPartitions(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.emu.SetFaults(emulator.Faults{LatencyMS: 15, JitterMS: 10})
	const n = 90
	var cmds []command.Command
	for i := range n {
		cus := fmt.Sprintf("cus_Grp%02d", i)
		cmds = append(cmds, customerCmd(cus, "evt_"+cus))
	}
	e.produceCmds(cmds...)
	applied := func() int { return e.count(kafka.CustomerCommands, "UpsertCustomer", "applied") }

	cfgA := e.config()
	cfgA.Concurrency = 4
	cfgA.MaxBuffered = 2 * n // A holds records of every partition when B joins
	a := e.start(cfgA)
	waitFor(t, "the first instance to make progress", 20*time.Second, func() bool { return applied() >= 10 })
	cfgB := e.config()
	cfgB.Concurrency = 4
	b := e.start(cfgB)
	waitFor(t, "progress with two instances", 20*time.Second, func() bool { return applied() >= 45 })
	if err := a.stop(); err != nil {
		t.Fatalf("first instance: %v", err)
	}
	waitFor(t, "every command", 30*time.Second, func() bool {
		return applied()+e.count(kafka.CustomerCommands, "UpsertCustomer", "duplicate") >= n &&
			e.customersWithPrefix("cus_Grp") == n
	})
	if err := b.stop(); err != nil {
		t.Fatalf("second instance: %v", err)
	}
	for i := range n {
		if got := e.customers(fmt.Sprintf("cus_Grp%02d", i)); got != 1 {
			t.Errorf("cus_Grp%02d: %d customers, want 1", i, got)
		}
	}
	for p, ce := range e.committedVsEnd("sink-test", kafka.CommandTopics...) {
		if ce[0] != ce[1] {
			t.Errorf("%s: committed %d, end %d", p, ce[0], ce[1])
		}
	}
	// A gave partition(s) of the customer topic to B while it held
	// unfinished records of them (a revoke of less than all partitions,
	// with records to drain or drop).
	partial := false
	for _, l := range e.logs.matching("partitions revoked; draining") {
		if !strings.Contains(l, `"infor.customer.commands":[0,1,2]`) && !strings.Contains(l, `"unfinished":0`) {
			partial = true
		}
	}
	if !partial {
		t.Errorf("no revoke of some partitions with unfinished records: the hand-over did not happen as the test intends")
	}
	t.Logf("applied %d, duplicates %d", applied(), e.count(kafka.CustomerCommands, "UpsertCustomer", "duplicate"))
}

func (e *env) customersWithPrefix(prefix string) int {
	n := 0
	for _, c := range e.emu.State().Customers {
		if len(c.YREF) >= len(prefix) && c.YREF[:len(prefix)] == prefix {
			n++
		}
	}
	return n
}
