package scenario

import (
	"github.com/stripe-infor/stripe-infor/internal/stripefake"
)

// Event is one webhook delivery's content: the body Stripe POSTs and what
// a test needs to know about it without parsing it again.
type Event struct {
	ID       string
	Type     string
	Livemode bool
	Created  int64 // unix seconds, Stripe's clock
	Body     []byte
}

// Customer is a Stripe customer of the world.
type Customer struct {
	ID       string
	Livemode bool
	// seq and home pick the person (name, address, card) from
	// stripefixture, so every object of this customer shows the same
	// person whatever currency it pays in.
	seq  int64
	home string
}

// Charge is a card charge. Amounts are minor units of Currency (the
// presentment currency, lower case as Stripe writes it).
type Charge struct {
	ID            string
	PaymentIntent string
	Customer      string
	Invoice       string // the subscription invoice it pays, "" for a one-off charge
	Currency      string
	Amount        int64
	Succeeded     bool
	Livemode      bool
	Created       int64
	// Txn is the charge's balance transaction id ("" when it failed).
	Txn string
	// SettlementCurrency and ExchangeRate are set when Stripe converted
	// the charge into another currency for the balance.
	SettlementCurrency string
	ExchangeRate       string
	// Refunded is the sum of its refunds; Disputes its disputes.
	Refunded int64
	Disputes []*Dispute

	cus *Customer
}

// FullyRefunded reports whether refunds took back the whole charge.
func (c *Charge) FullyRefunded() bool { return c.Succeeded && c.Refunded >= c.Amount }

// Refund is a succeeded refund of (part of) a charge, in its currency.
type Refund struct {
	ID       string
	Charge   string
	Currency string
	Amount   int64
	Livemode bool
	Created  int64
	Txn      string
}

// Dispute is a chargeback of a whole charge.
type Dispute struct {
	ID       string
	Charge   string
	Currency string
	Amount   int64
	Won      bool
	Livemode bool
	// Txns are its balance transactions: the withdrawal, and for a won
	// dispute the reinstatement.
	Txns []string
}

// Invoice is a subscription invoice for a service period.
type Invoice struct {
	ID           string
	Customer     string
	Subscription string
	Charge       string // the charge that paid it, or the failed attempt
	Currency     string
	Amount       int64
	Paid         bool
	Livemode     bool
	// PeriodStart and PeriodEnd bound the service period (unix seconds).
	PeriodStart, PeriodEnd int64
}

// Payout is an automatic payout of the balance in one currency. Amount is
// the sum of the nets of the transactions it paid out.
type Payout struct {
	ID       string
	Currency string
	Amount   int64
	Livemode bool
	Created  int64
	Arrival  int64
	// Txns are the balance transactions it paid out (its own not counted).
	Txns []string
	// Txn is the payout's own balance transaction (type payout).
	Txn string
	// Failed is set when the payout failed after it was paid: the money
	// came back to the balance as FailureTxn (type payout_failure).
	Failed     bool
	FailureTxn string
}

// World is everything a Builder made: the events in the order Stripe sent
// them, the ledger behind them, and the facts, for assertions.
type World struct {
	Seed      int64
	Events    []Event
	Ledger    []stripefake.BalanceTransaction
	Customers []*Customer
	Charges   []*Charge
	Refunds   []*Refund
	Disputes  []*Dispute
	Invoices  []*Invoice
	Payouts   []*Payout
}

// Txn returns the ledger entry with id, or nil.
func (w *World) Txn(id string) *stripefake.BalanceTransaction {
	for i := range w.Ledger {
		if w.Ledger[i].ID == id {
			return &w.Ledger[i]
		}
	}
	return nil
}

// Mode returns the part of the world of one mode (live or test): the
// events, ledger entries and facts with that livemode. Infor keeps the two
// in different tenants.
func (w *World) Mode(livemode bool) *World {
	out := &World{Seed: w.Seed}
	for _, e := range w.Events {
		if e.Livemode == livemode {
			out.Events = append(out.Events, e)
		}
	}
	for _, bt := range w.Ledger {
		if bt.Livemode == livemode {
			out.Ledger = append(out.Ledger, bt)
		}
	}
	out.Customers = filter(w.Customers, func(c *Customer) bool { return c.Livemode == livemode })
	out.Charges = filter(w.Charges, func(c *Charge) bool { return c.Livemode == livemode })
	out.Refunds = filter(w.Refunds, func(r *Refund) bool { return r.Livemode == livemode })
	out.Disputes = filter(w.Disputes, func(d *Dispute) bool { return d.Livemode == livemode })
	out.Invoices = filter(w.Invoices, func(in *Invoice) bool { return in.Livemode == livemode })
	out.Payouts = filter(w.Payouts, func(p *Payout) bool { return p.Livemode == livemode })
	return out
}

func filter[T any](in []T, keep func(T) bool) []T {
	var out []T
	for _, v := range in {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}
