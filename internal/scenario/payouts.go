package scenario

import (
	"sort"
	"strings"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/stripefake"
)

// StripeFee is a fee Stripe takes from the balance outside any charge (a
// Billing or Radar fee): a stripe_fee balance transaction of -amount. It
// has no webhook event; the payout that pays it out books it.
func (b *Builder) StripeFee(livemode bool, currency string, amount int64, description string) string {
	cur := strings.ToLower(currency)
	id := b.ids.txn()
	b.book(stripefake.BalanceTransaction{
		ID: id, Type: "stripe_fee", Amount: -amount, Fee: 0, Net: -amount, Currency: cur,
		Created: b.now, AvailableOn: b.now, Livemode: livemode, ReportingCategory: "fee", Description: description,
	})
	b.now += step
	return id
}

// Payout is the automatic payout of the balance in currency that arrives
// today (at the clock): it was created two days ago and pays out every
// transaction of that currency and mode that was available by then and not
// paid out yet, the oldest first (never the most recent ones). Nil when
// that sums to nothing positive (Stripe then pays nothing). Events:
// payout.paid. Ledger: the payout's own transaction (type payout, -amount).
func (b *Builder) Payout(livemode bool, currency string) *Payout {
	cur := strings.ToLower(currency)
	created := b.now - payoutLead
	var idx []int
	var sum int64
	for i := range b.w.Ledger {
		bt := &b.w.Ledger[i]
		if bt.Livemode == livemode && bt.Currency == cur && bt.Payout == "" && bt.Type != "payout" && bt.AvailableOn <= created {
			idx = append(idx, i)
			sum += bt.Net
		}
	}
	if sum <= 0 {
		return nil
	}
	sort.SliceStable(idx, func(x, y int) bool { return b.w.Ledger[idx[x]].Created < b.w.Ledger[idx[y]].Created })
	p := &Payout{ID: b.ids.payout(), Currency: cur, Amount: sum, Livemode: livemode, Created: created,
		Arrival: time.Unix(b.now, 0).UTC().Truncate(24 * time.Hour).Unix(), Txn: b.ids.txn()}
	for _, i := range idx {
		b.w.Ledger[i].Payout = p.ID
		p.Txns = append(p.Txns, b.w.Ledger[i].ID)
	}
	b.book(stripefake.BalanceTransaction{
		ID: p.Txn, Type: "payout", Source: p.ID, Amount: -sum, Fee: 0, Net: -sum, Currency: cur,
		Created: created, AvailableOn: created, Payout: p.ID, Livemode: livemode, ReportingCategory: "payout",
		Description: "STRIPE PAYOUT",
	})
	b.w.Payouts = append(b.w.Payouts, p)
	b.emit(b.payoutEnv(p, "payout.paid"), "payout.paid", b.now, false)
	b.now += step
	return p
}

// FailPayout makes a paid payout fail (the bank returned it): payout.failed,
// and the money back in the balance as a payout_failure transaction that a
// later payout pays out again.
func (b *Builder) FailPayout(p *Payout) {
	if p.Failed {
		return
	}
	p.Failed, p.FailureTxn = true, b.ids.txn()
	b.book(stripefake.BalanceTransaction{
		ID: p.FailureTxn, Type: "payout_failure", Source: p.ID, Amount: p.Amount, Fee: 0, Net: p.Amount, Currency: p.Currency,
		Created: b.now, AvailableOn: b.now, Livemode: p.Livemode, ReportingCategory: "payout_reversal",
		Description: "Payout failure: the bank account has been closed",
	})
	b.emit(b.payoutEnv(p, "payout.failed"), "payout.failed", b.now, false)
	b.now += step
}

func (b *Builder) payoutEnv(p *Payout, typ string) jsonObj {
	env, o := template(typ, b.seq, p.Livemode, p.Currency, p.Amount, b.now)
	o["id"] = p.ID
	o["amount"] = p.Amount
	o["currency"] = p.Currency
	o["created"] = p.Created
	o["arrival_date"] = p.Arrival
	o["balance_transaction"] = p.Txn
	if p.Failed {
		o["failure_balance_transaction"] = p.FailureTxn
	}
	return env
}
