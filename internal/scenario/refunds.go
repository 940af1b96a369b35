package scenario

import (
	"fmt"

	"github.com/stripe-infor/stripe-infor/internal/stripefake"
)

// Refund refunds amount (minor units of the charge's currency; 0: all that
// is left) of ch: charge.refunded (2023-10-16 charges list no refunds) and
// refund.created, and a refund balance transaction (no fee; converted at
// the charge's rate when Stripe converted the charge).
func (b *Builder) Refund(ch *Charge, amount int64) *Refund {
	left := ch.Amount - ch.Refunded
	if amount == 0 {
		amount = left
	}
	if !ch.Succeeded || amount <= 0 || amount > left || amount%unit(ch.Currency) != 0 {
		panic(fmt.Sprintf("scenario: refund of %d %s of charge %s (%d left)", amount, ch.Currency, ch.ID, left))
	}
	re := &Refund{ID: b.ids.refund(), Charge: ch.ID, Currency: ch.Currency, Amount: amount, Livemode: ch.Livemode,
		Created: b.now, Txn: b.ids.txn()}
	prev := ch.Refunded
	ch.Refunded += amount
	b.w.Refunds = append(b.w.Refunds, re)

	amountS := amount
	if ch.ExchangeRate != "" {
		var err error
		if amountS, err = Convert(amount, ch.Currency, ch.SettlementCurrency, ch.ExchangeRate); err != nil {
			panic(err)
		}
	}
	b.book(stripefake.BalanceTransaction{
		ID: re.Txn, Type: "refund", Source: re.ID,
		SourceObject: map[string]any{"id": re.ID, "object": "refund", "amount": amount, "currency": ch.Currency,
			"charge": ch.ID, "status": "succeeded"},
		Amount: -amountS, Fee: 0, Net: -amountS, Currency: ch.SettlementCurrency, ExchangeRate: ch.ExchangeRate,
		Created: b.now, AvailableOn: b.now, Livemode: ch.Livemode, ReportingCategory: "refund",
		Description: "REFUND FOR CHARGE (" + chargeDescription(ch) + ")",
	})

	env, o := template("charge.refunded", ch.cus.seq, ch.Livemode, ch.cus.home, ch.Amount, b.now)
	fillCharge(o, ch)
	delete(o, "refunds")
	o["amount_refunded"] = ch.Refunded
	o["refunded"] = ch.Refunded == ch.Amount
	env["data"].(jsonObj)["previous_attributes"] = jsonObj{"amount_refunded": prev, "refunded": false}
	b.emit(env, "charge.refunded", b.now, true)

	env, o = template("refund.created", ch.cus.seq, ch.Livemode, ch.cus.home, amount, b.now)
	o["id"] = re.ID
	o["amount"] = amount
	o["currency"] = ch.Currency
	o["charge"] = ch.ID
	o["payment_intent"] = ch.PaymentIntent
	o["balance_transaction"] = re.Txn
	o["created"] = b.now
	o["status"] = "succeeded"
	b.emit(env, "refund.created", b.now, true)
	b.now += step
	return re
}
