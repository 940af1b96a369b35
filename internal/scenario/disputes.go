package scenario

import (
	"encoding/json"

	"github.com/stripe-infor/stripe-infor/internal/stripefake"
)

// Dispute disputes the whole of ch: the funds and a dispute fee are
// withdrawn (charge.dispute.created, charge.dispute.funds_withdrawn); a
// lost dispute then closes (charge.dispute.closed, lost), a won one gets
// the funds reinstated, the fee kept by Stripe
// (charge.dispute.funds_reinstated, charge.dispute.closed, won).
func (b *Builder) Dispute(ch *Charge, won bool) *Dispute {
	if !ch.Succeeded {
		panic("scenario: dispute of a failed charge " + ch.ID)
	}
	d := &Dispute{ID: b.ids.dispute(), Charge: ch.ID, Currency: ch.Currency, Amount: ch.Amount, Won: won, Livemode: ch.Livemode}
	ch.Disputes = append(ch.Disputes, d)
	b.w.Disputes = append(b.w.Disputes, d)
	cur := ch.SettlementCurrency
	amountS := ch.Amount
	if ch.ExchangeRate != "" {
		var err error
		if amountS, err = Convert(ch.Amount, ch.Currency, cur, ch.ExchangeRate); err != nil {
			panic(err)
		}
	}
	src := map[string]any{"id": d.ID, "object": "dispute", "amount": ch.Amount, "currency": ch.Currency, "charge": ch.ID}
	fee := DisputeFee(cur)
	withdrawal := stripefake.BalanceTransaction{
		ID: b.ids.txn(), Type: "adjustment", Source: d.ID, SourceObject: src,
		Amount: -amountS, Fee: fee, Net: -amountS - fee, Currency: cur, ExchangeRate: ch.ExchangeRate,
		Created: b.now, AvailableOn: b.now, Livemode: ch.Livemode, ReportingCategory: "dispute",
		Description: "Chargeback withdrawal for " + ch.ID,
		FeeDetails:  []stripefake.FeeDetail{{Amount: fee, Currency: cur, Description: "Dispute fee", Type: "stripe_fee"}},
	}
	b.book(withdrawal)
	d.Txns = append(d.Txns, withdrawal.ID)
	txns := []stripefake.BalanceTransaction{withdrawal}
	b.emit(b.disputeEnv(ch, d, "needs_response", txns), "charge.dispute.created", b.now, false)
	b.emit(b.disputeEnv(ch, d, "needs_response", txns), "charge.dispute.funds_withdrawn", b.now+1, false)
	b.now += step
	if !won {
		b.emit(b.disputeEnv(ch, d, "lost", txns), "charge.dispute.closed", b.now, false)
		b.now += step
		return d
	}
	reinstated := stripefake.BalanceTransaction{
		ID: b.ids.txn(), Type: "adjustment", Source: d.ID, SourceObject: src,
		Amount: amountS, Fee: 0, Net: amountS, Currency: cur, ExchangeRate: ch.ExchangeRate,
		Created: b.now, AvailableOn: b.now, Livemode: ch.Livemode, ReportingCategory: "dispute_reversal",
		Description: "Chargeback reversal for " + ch.ID,
	}
	b.book(reinstated)
	d.Txns = append(d.Txns, reinstated.ID)
	txns = append(txns, reinstated)
	b.emit(b.disputeEnv(ch, d, "won", txns), "charge.dispute.funds_reinstated", b.now, false)
	b.emit(b.disputeEnv(ch, d, "won", txns), "charge.dispute.closed", b.now+1, false)
	b.now += step
	return d
}

// disputeEnv is a dispute event listing txns expanded, as Stripe's
// dispute webhooks do.
func (b *Builder) disputeEnv(ch *Charge, d *Dispute, status string, txns []stripefake.BalanceTransaction) jsonObj {
	env, o := template("charge.dispute.created", ch.cus.seq, ch.Livemode, ch.cus.home, ch.Amount, b.now)
	o["id"] = d.ID
	o["amount"] = d.Amount
	o["currency"] = d.Currency
	o["charge"] = ch.ID
	o["payment_intent"] = ch.PaymentIntent
	o["status"] = status
	bts := make([]any, 0, len(txns))
	for _, bt := range txns {
		bts = append(bts, txnObject(bt))
	}
	o["balance_transactions"] = bts
	return env
}

// txnObject renders a ledger entry as Stripe's balance_transaction object
// (the source as its id, the exchange rate as the exact number token).
func txnObject(bt stripefake.BalanceTransaction) jsonObj {
	rate := any(nil)
	if bt.ExchangeRate != "" {
		rate = json.Number(bt.ExchangeRate)
	}
	fees := make([]any, 0, len(bt.FeeDetails))
	for _, fd := range bt.FeeDetails {
		fees = append(fees, jsonObj{"amount": fd.Amount, "application": nil, "currency": fd.Currency, "description": fd.Description, "type": fd.Type})
	}
	return jsonObj{
		"id": bt.ID, "object": "balance_transaction", "amount": bt.Amount, "available_on": bt.AvailableOn,
		"created": bt.Created, "currency": bt.Currency, "description": nullable(bt.Description), "exchange_rate": rate,
		"fee": bt.Fee, "fee_details": fees, "net": bt.Net, "reporting_category": bt.ReportingCategory,
		"source": nullable(bt.Source), "status": "available", "type": bt.Type,
	}
}
