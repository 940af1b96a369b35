package m3

import (
	"fmt"
	"testing"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

// miCalls is every MI call the adapter made so far.
func (d *dropper) miCalls() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for k, c := range d.seen {
		if k != "" {
			n += c
		}
	}
	return n
}

// BenchmarkChargeSucceeded applies what one charge.succeeded makes, in
// order and by one adapter: a new customer with its address, its order,
// the payment. Against the emulator over loopback HTTP, in memory (as
// bench/sink's), so the time is the adapter's, the client's and the
// emulator's CPU together; "calls/charge" is the MI calls it took.
func BenchmarkChargeSucceeded(b *testing.B) {
	v := newEnvWith(b, false)
	calls0 := v.rt.miCalls()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		cus, ch := fmt.Sprintf("cus_Bench%07d", i), fmt.Sprintf("ch_Bench%07d", i)
		if _, err := v.a.UpsertCustomer(ctx(b), command.UpsertCustomer{StripeCustomerID: cus, Name: "Bench Customer", Email: "bench@example.com",
			Version: 1700000000, Address: command.Address{Line1: "1 Bench Street", City: "Berlin", PostalCode: "10115", Country: "DE"}}); err != nil {
			b.Fatal(err)
		}
		if _, err := v.a.CreateSalesOrder(ctx(b), order(ch, command.CustomerRef{StripeCustomerID: cus}, usd(4999))); err != nil {
			b.Fatal(err)
		}
		if _, err := v.a.ApplyPayment(ctx(b), command.ApplyPayment{OrderRef: command.OrderRef{StripeObjectID: ch}, Amount: usd(4999),
			StripeChargeID: ch, BalanceTransactionID: "txn_" + ch[3:]}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(v.rt.miCalls()-calls0)/float64(i), "calls/charge")
}
