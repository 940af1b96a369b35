package scenario

import (
	"strings"

	"github.com/stripe-infor/stripe-infor/internal/stripefake"
)

// Expected is what Infor's books must say for one mode of the world once
// every event is applied, by the accounting model:
//
//   - M3 books a payment in the charge's currency (clearing Dr / receivable
//     Cr) and a refund as a credit note settled from the Stripe balance
//     (refunds Dr / clearing Cr); the integration books each dispute
//     balance transaction (disputes -amount, fees +fee, clearing +net).
//   - A paid payout books, per transaction it paid out, the Stripe fee
//     (fees Dr / clearing Cr), moves a converted charge's or refund's
//     clearing from the charge's currency to the settlement currency
//     through the FX account, books other fees (stripe_fee, …: fees Dr
//     -net), and the net to the bank (bank Dr / clearing Cr); a payout that
//     failed after it was paid goes back (clearing Dr / bank Cr), its fees
//     and FX stand.
//
// So clearing holds, per currency, the booked value of every transaction
// not paid out yet: a charge's captured amount (charge currency), a
// refund's negative amount (charge currency), a dispute transaction's or a
// payout failure's net; Stripe's fees on a charge are booked when the
// payout that lists them arrives.
func (w *World) Expected(livemode bool) Books {
	m := w.Mode(livemode)
	books := NewBooks(livemode)
	for _, ch := range m.Charges {
		if ch.Succeeded {
			books.In(ch.Currency).Charged += ch.Amount
		}
	}
	for _, re := range m.Refunds {
		books.In(re.Currency).Refunded += re.Amount
	}
	for _, in := range m.Invoices {
		if !in.Paid {
			books.In(in.Currency).Receivable += in.Amount
		}
	}
	paid := map[string]bool{}
	for _, p := range m.Payouts {
		paid[p.ID] = true // every payout of a world was paid; some failed later
		books.In(p.Currency).PaidOut += p.Amount
		if p.Failed {
			books.In(p.Currency).PaidOut -= p.Amount
		}
	}
	for i := range m.Ledger {
		expectTxn(books, &m.Ledger[i], paid[m.Ledger[i].Payout])
	}
	return books
}

// expectTxn adds one balance transaction's share of the books.
func expectTxn(books Books, bt *stripefake.BalanceTransaction, paidOut bool) {
	s := books.In(bt.Currency)
	switch {
	case bt.Type == "payout":
		// The payout itself: its bank side is PaidOut above.
	case bt.Type == "charge" || bt.Type == "payment" || bt.Type == "refund" || bt.Type == "payment_refund":
		cur, amount := sourceMoney(bt)
		refund := strings.Contains(bt.Type, "refund")
		if refund {
			amount = -amount
		}
		if !paidOut {
			books.In(cur).Clearing += amount
			return
		}
		s.Fees += bt.Fee
		if !strings.EqualFold(cur, bt.Currency) {
			books.In(cur).FX += amount
			s.FX -= bt.Amount
		}
	case isDispute(bt):
		s.Disputed -= bt.Amount
		s.Fees += bt.Fee
		if !paidOut {
			s.Clearing += bt.Net
		}
	case bt.Type == "payout_failure":
		if !paidOut {
			s.Clearing += bt.Net
		}
	default: // stripe_fee, adjustment, …: booked when paid out
		if paidOut {
			s.Fees -= bt.Net
		}
	}
}

// isDispute reports whether a balance transaction belongs to a dispute
// (its source is a dispute: du_ now, dp_ on older accounts).
func isDispute(bt *stripefake.BalanceTransaction) bool {
	return strings.HasPrefix(bt.Source, "du_") || strings.HasPrefix(bt.Source, "dp_")
}

// sourceMoney is the amount and currency of a charge's or refund's source
// object (the captured amount in the charge's currency), or the
// transaction's own when it has no source object.
func sourceMoney(bt *stripefake.BalanceTransaction) (string, int64) {
	cur, _ := bt.SourceObject["currency"].(string)
	amt, ok := intOf(bt.SourceObject["amount_captured"])
	if !ok {
		amt, ok = intOf(bt.SourceObject["amount"])
	}
	if cur == "" || !ok {
		if bt.Amount < 0 {
			return bt.Currency, -bt.Amount
		}
		return bt.Currency, bt.Amount
	}
	return cur, amt
}

func intOf(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	}
	return 0, false
}
