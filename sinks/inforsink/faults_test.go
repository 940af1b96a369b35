package inforsink_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/infor/emulator"
	"github.com/stripe-infor/stripe-infor/infor/m3"
	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
)

// With 30% of Infor calls failing (5xx and timeouts) and some answers lost
// after M3 carried the call out, everything is applied exactly once,
// eventually, and nothing reaches the DLQ.
func TestInjectedFaultsApplyExactlyOnce(t *testing.T) {
	e := newEnv(t, envOpts{inforTimeout: 300 * time.Millisecond})
	const n = 10
	var customers, orders, payments []command.Command
	for i := range n {
		cus, ch := fmt.Sprintf("cus_Flt%02d", i), fmt.Sprintf("ch_Flt%02d", i)
		customers = append(customers, customerCmd(cus, "evt_c"+cus))
		orders = append(orders, orderCmd(ch, cus, "WIDGET", "evt_o"+ch))
		payments = append(payments, paymentCmd(ch, "evt_p"+ch))
	}
	e.emu.SetFaults(emulator.Faults{ErrorRate: 0.2, TimeoutRate: 0.1, LostAnswerRate: 0.05, Seed: 7})
	cfg := e.config()
	cfg.Concurrency = 16
	cfg.InPlaceAttempts = 4
	// Plenty of short tiers: with ~5 MI calls a command and 35% of calls
	// failing, most attempts fail; the point is that they end well.
	cfg.RetryTiers = nil
	for range 40 {
		cfg.RetryTiers = append(cfg.RetryTiers, 20*time.Millisecond)
	}
	r := e.start(cfg)
	e.produceCmds(customers...)
	e.produceCmds(orders...)
	e.produceCmds(payments...)
	waitFor(t, "every command applied", 45*time.Second, func() bool {
		return e.count(kafka.CustomerCommands, "UpsertCustomer", "applied") == n &&
			e.count(kafka.SalesOrderCommands, "CreateSalesOrder", "applied") == n &&
			e.count(kafka.PaymentCommands, "ApplyPayment", "applied") == n
	}, func() string {
		return fmt.Sprintf("customers %d, orders %d, payments %d, dlq %d", e.count(kafka.CustomerCommands, "UpsertCustomer", "applied"),
			e.count(kafka.SalesOrderCommands, "CreateSalesOrder", "applied"), e.count(kafka.PaymentCommands, "ApplyPayment", "applied"),
			len(e.alerts.all()))
	})
	e.emu.SetFaults(emulator.Faults{})
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	for i := range n {
		cus, ch := fmt.Sprintf("cus_Flt%02d", i), fmt.Sprintf("ch_Flt%02d", i)
		if got := e.customers(cus); got != 1 {
			t.Errorf("%s: %d customers", cus, got)
		}
		if o, inv, paid := e.orders(ch); o != 1 || inv != 1 || !paid {
			t.Errorf("%s: %d orders, %d invoices, paid %v", ch, o, inv, paid)
		}
		if got := e.statements(m3.PaymentReference(ch)); got != 1 {
			t.Errorf("%s: %d payment statements", ch, got)
		}
	}
	if a := e.alerts.all(); len(a) > 0 {
		t.Errorf("%d DLQ alerts, first: %+v", len(a), a[0])
	}
	if e.retries(kafka.CustomerCommands, "in_place")+e.retries(kafka.SalesOrderCommands, "in_place") == 0 {
		t.Error("no in-place retry counted under 35% failures")
	}
}

// A 429 storm: the emulator admits 25 calls a second and answers the rest
// 429 with Retry-After. After the client learned of a 429 carrying
// Retry-After: N, no call of the sink reaches Infor before N has passed
// (the shared gate), and nothing is lost.
func TestRateLimitHoldsEveryCall(t *testing.T) {
	e := newEnv(t, envOpts{})
	const n = 20
	var cmds []command.Command
	for i := range n {
		cmds = append(cmds, customerCmd(fmt.Sprintf("cus_Rl%02d", i), fmt.Sprintf("evt_%d", i)))
	}
	e.emu.SetFaults(emulator.Faults{RateLimitRPS: 25})
	cfg := e.config()
	cfg.Concurrency = 16
	cfg.InPlaceAttempts = 10
	cfg.BackoffMax = 2 * time.Second // Retry-After: 1 is waited in place
	e.produceCmds(cmds...)
	r := e.start(cfg)
	waitFor(t, "every customer applied", 45*time.Second, func() bool {
		return e.count(kafka.CustomerCommands, "UpsertCustomer", "applied") == n
	})
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	calls, limited := e.calls.snapshot()
	if len(limited) == 0 {
		t.Fatalf("no 429 in %d calls: the test does not test the gate", len(calls))
	}
	held := 0
	for _, c := range calls {
		if c.holdUntil.IsZero() {
			continue
		}
		held++
		if c.at.Before(c.holdUntil) {
			t.Errorf("%s reached Infor %s before the Retry-After of a 429 the sink knew of had passed",
				c.path, c.holdUntil.Sub(c.at))
		}
	}
	if held == 0 {
		t.Fatal("no call was sent after a 429: the test does not test the gate")
	}
	for i := range n {
		if got := e.customers(fmt.Sprintf("cus_Rl%02d", i)); got != 1 {
			t.Errorf("cus_Rl%02d: %d customers", i, got)
		}
	}
	if a := e.alerts.all(); len(a) > 0 {
		t.Errorf("%d DLQ alerts, first: %+v", len(a), a[0])
	}
	t.Logf("%d MI calls, %d answered 429, %d sent after a 429", len(calls), len(limited), held)
}
