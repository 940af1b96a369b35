package m3

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

// snapshot copies the calls seen so far per "PROGRAM/Transaction".
func (d *dropper) snapshot() map[string]int {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make(map[string]int, len(d.seen))
	for k, n := range d.seen {
		out[k] = n
	}
	return out
}

// since lists the MI calls made after before, in a stable order, and their
// number.
func (d *dropper) since(before map[string]int) (string, int) {
	var parts []string
	total := 0
	for k, n := range d.snapshot() {
		if k == "" {
			continue // not an MI call (token endpoint)
		}
		if diff := n - before[k]; diff > 0 {
			parts = append(parts, fmt.Sprintf("%s×%d", k, diff))
			total += diff
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, " "), total
}

// The MI calls each command type takes, first time and replayed: what the
// latency of a Stripe event and the load on M3 are made of. A change that
// adds a call to a command shows here; so does a shortcut that stops
// looking something up. The sequence is one charge's life: customer,
// order, payment, refund, status, then a journal and a payout.
func TestMICallsPerCommand(t *testing.T) {
	v := newEnv(t)
	cust := command.UpsertCustomer{CommandID: "customer:cus_Calls1", StripeCustomerID: "cus_Calls1", Name: "Ada Lovelace",
		Email: "ada@example.com", Version: 1700000000,
		Address: command.Address{Line1: "1 Analytical Way", City: "London", PostalCode: "N1 9GU", Country: "GB"}}
	newer := cust
	newer.Version++
	newer.Name = "Ada King"
	ord := order("ch_Calls1", command.CustomerRef{StripeCustomerID: "cus_Calls1"}, usd(4200))
	pay := command.ApplyPayment{CommandID: "payment:ch_Calls1", OrderRef: command.OrderRef{StripeObjectID: "ch_Calls1"},
		Amount: usd(4200), StripeChargeID: "ch_Calls1", BalanceTransactionID: "txn_Calls1"}
	refund := command.CreateCreditMemo{CommandID: "refund:re_Calls1", StripeRefundID: "re_Calls1",
		OrderRef: command.OrderRef{StripeObjectID: "ch_Calls1"}, Amount: usd(1000), Reason: "requested_by_customer"}
	status := command.ChangeOrderStatus{CommandID: "order-status:ch_Calls1:disputed", OrderRef: command.OrderRef{StripeObjectID: "ch_Calls1"},
		Status: "disputed", Reason: "fraudulent"}
	journal := command.PostJournal{CommandID: "journal:du_Calls1:funds_withdrawn", AccountingDate: "2025-03-02", Text: "dispute",
		Lines: []command.JournalLine{{Account: "6570", Amount: usd(1500)}, {Account: "1580", Amount: usd(-1500)}}}
	payout := paidPayout("po_Calls1")
	payout.Accounts = devAccounts
	// The second charge's payment is applied by another adapter (another
	// sink process), which has not seen the order's invoice.
	ord2 := order("ch_Calls2", command.CustomerRef{StripeCustomerID: "cus_Calls1"}, usd(1500))
	pay2 := command.ApplyPayment{CommandID: "payment:ch_Calls2", OrderRef: command.OrderRef{StripeObjectID: "ch_Calls2"},
		Amount: usd(1500), StripeChargeID: "ch_Calls2"}
	other := New(v.c, v.a.cfg)

	steps := []struct {
		name  string
		apply func() error
		want  int
	}{
		{"UpsertCustomer new", func() error { _, err := v.a.UpsertCustomer(ctx(t), cust); return err }, 3},
		{"UpsertCustomer replay", func() error { _, err := v.a.UpsertCustomer(ctx(t), cust); return err }, 2},
		{"UpsertCustomer newer", func() error { _, err := v.a.UpsertCustomer(ctx(t), newer); return err }, 4},
		{"CreateSalesOrder new", func() error { _, err := v.a.CreateSalesOrder(ctx(t), ord); return err }, 7},
		{"CreateSalesOrder replay", func() error { _, err := v.a.CreateSalesOrder(ctx(t), ord); return err }, 2},
		{"ApplyPayment new", func() error { _, err := v.a.ApplyPayment(ctx(t), pay); return err }, 5},
		{"ApplyPayment replay", func() error { _, err := v.a.ApplyPayment(ctx(t), pay); return err }, 3},
		{"CreateSalesOrder new (2)", func() error { _, err := v.a.CreateSalesOrder(ctx(t), ord2); return err }, 7},
		{"ApplyPayment other sink", func() error { _, err := other.ApplyPayment(ctx(t), pay2); return err }, 6},
		{"ApplyPayment replay there", func() error { _, err := other.ApplyPayment(ctx(t), pay2); return err }, 3},
		{"CreateCreditMemo new", func() error { _, err := v.a.CreateCreditMemo(ctx(t), refund); return err }, 6},
		{"CreateCreditMemo replay", func() error { _, err := v.a.CreateCreditMemo(ctx(t), refund); return err }, 3},
		{"ChangeOrderStatus new", func() error { _, err := v.a.ChangeOrderStatus(ctx(t), status); return err }, 2},
		{"ChangeOrderStatus replay", func() error { _, err := v.a.ChangeOrderStatus(ctx(t), status); return err }, 1},
		{"PostJournal new", func() error { _, err := v.a.PostJournal(ctx(t), journal); return err }, 6},
		{"PostJournal replay", func() error { _, err := v.a.PostJournal(ctx(t), journal); return err }, 1},
		{"ReconcilePayout new", func() error { _, err := v.a.ReconcilePayout(ctx(t), payout); return err }, 19}, // 18 + the look for a failure written meanwhile
		{"ReconcilePayout replay", func() error { _, err := v.a.ReconcilePayout(ctx(t), payout); return err }, 6},
	}
	var report []string
	for _, s := range steps {
		before := v.rt.snapshot()
		if err := s.apply(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		calls, n := v.rt.since(before)
		report = append(report, fmt.Sprintf("%-26s %2d  %s", s.name, n, calls))
		if n != s.want {
			t.Errorf("%s: %d MI calls, want %d: %s", s.name, n, s.want, calls)
		}
	}
	t.Log("MI calls per command:\n" + strings.Join(report, "\n"))
}
