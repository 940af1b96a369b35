package scenario

import (
	"fmt"
	"strings"

	"github.com/stripe-infor/stripe-infor/internal/stripefake"
)

// ChargeOption changes how a charge is made.
type ChargeOption func(*chargeOpts)

type chargeOpts struct {
	settle, rate string
}

// SettledIn makes Stripe convert the charge into currency at rate (units
// of currency per unit of the charge's currency, Stripe's exchange_rate)
// for the balance: the balance transaction is in currency and carries the
// rate.
func SettledIn(currency, rate string) ChargeOption {
	return func(o *chargeOpts) { o.settle, o.rate = strings.ToLower(currency), rate }
}

// Charge is a one-off card payment of amount (minor units of currency) by
// c: charge.succeeded and payment_intent.succeeded, and a charge balance
// transaction with a Stripe fee, available two days later.
func (b *Builder) Charge(c *Customer, amount int64, currency string, opts ...ChargeOption) *Charge {
	ch := b.newCharge(c, amount, currency, "", true, opts...)
	b.now += step
	return ch
}

// FailedCharge is a declined one-off payment: charge.failed and
// payment_intent.payment_failed; no balance transaction.
func (b *Builder) FailedCharge(c *Customer, amount int64, currency string) *Charge {
	ch := b.newCharge(c, amount, currency, "", false)
	b.now += step
	return ch
}

// newCharge makes a charge (of invoice, when set) and its events at the
// clock.
func (b *Builder) newCharge(c *Customer, amount int64, currency, invoice string, ok bool, opts ...ChargeOption) *Charge {
	if amount <= 0 || amount%unit(currency) != 0 {
		panic(fmt.Sprintf("scenario: charge of %d %s: not a positive amount in whole units", amount, currency))
	}
	var o chargeOpts
	for _, f := range opts {
		f(&o)
	}
	cur := strings.ToLower(currency)
	ch := &Charge{
		ID: b.ids.charge(), PaymentIntent: b.ids.paymentIntent(), Customer: c.ID, Invoice: invoice,
		Currency: cur, Amount: amount, Succeeded: ok, Livemode: c.Livemode, Created: b.now, cus: c,
	}
	b.w.Charges = append(b.w.Charges, ch)
	b.byID[ch.ID] = ch
	if !ok {
		b.emit(b.chargeEnv(ch, "charge.failed"), "charge.failed", b.now, true)
		b.emit(b.intentEnv(ch, "payment_intent.payment_failed"), "payment_intent.payment_failed", b.now, true)
		return ch
	}
	settle := cur
	if o.settle != "" && o.settle != cur {
		settle = o.settle
		ch.ExchangeRate = o.rate
	}
	ch.SettlementCurrency = settle
	amountS := amount
	if ch.ExchangeRate != "" {
		var err error
		if amountS, err = Convert(amount, cur, settle, ch.ExchangeRate); err != nil {
			panic(err)
		}
	}
	ch.Txn = b.ids.txn()
	fee := Fee(amountS, settle)
	b.book(stripefake.BalanceTransaction{
		ID: ch.Txn, Type: "charge", Source: ch.ID,
		SourceObject: map[string]any{"id": ch.ID, "object": "charge", "amount": amount, "amount_captured": amount,
			"currency": cur, "customer": c.ID, "payment_intent": ch.PaymentIntent},
		Amount: amountS, Fee: fee, Net: amountS - fee, Currency: settle, ExchangeRate: ch.ExchangeRate,
		Created: b.now, AvailableOn: b.now + availableAfter, Livemode: ch.Livemode,
		ReportingCategory: "charge", Description: chargeDescription(ch),
		FeeDetails: []stripefake.FeeDetail{{Amount: fee, Currency: settle, Description: "Stripe processing fees", Type: "stripe_fee"}},
	})
	b.emit(b.chargeEnv(ch, "charge.succeeded"), "charge.succeeded", b.now, true)
	if invoice == "" {
		b.emit(b.intentEnv(ch, "payment_intent.succeeded"), "payment_intent.succeeded", b.now, true)
	}
	return ch
}

func chargeDescription(ch *Charge) string {
	if ch.Invoice != "" {
		return "Subscription update"
	}
	return "Order #" + strings.ToUpper(ch.ID[len(ch.ID)-8:])
}

// chargeEnv is a charge event with the world's ids and amounts.
func (b *Builder) chargeEnv(ch *Charge, typ string) jsonObj {
	env, o := template(typ, ch.cus.seq, ch.Livemode, ch.cus.home, ch.Amount, b.now)
	fillCharge(o, ch)
	return env
}

// fillCharge writes the charge's facts into a charge object.
func fillCharge(o jsonObj, ch *Charge) {
	o["id"] = ch.ID
	o["payment_intent"] = ch.PaymentIntent
	o["customer"] = ch.Customer
	o["currency"] = ch.Currency
	o["amount"] = ch.Amount
	o["created"] = ch.Created
	o["description"] = chargeDescription(ch)
	o["invoice"] = nullable(ch.Invoice)
	if ch.Succeeded {
		o["amount_captured"] = ch.Amount
		o["balance_transaction"] = ch.Txn
	}
	o["refunds"] = list("/v1/charges/" + ch.ID + "/refunds")
	if pmd, ok := o["payment_method_details"].(jsonObj); ok {
		if card, ok := pmd["card"].(jsonObj); ok {
			if ch.Succeeded {
				card["amount_authorized"] = ch.Amount
			}
			if oc, ok := card["overcapture"].(jsonObj); ok {
				oc["maximum_amount_capturable"] = ch.Amount
			}
		}
	}
}

// intentEnv is a payment intent event about ch.
func (b *Builder) intentEnv(ch *Charge, typ string) jsonObj {
	env, o := template(typ, ch.cus.seq, ch.Livemode, ch.cus.home, ch.Amount, b.now)
	o["id"] = ch.PaymentIntent
	o["amount"] = ch.Amount
	o["currency"] = ch.Currency
	o["customer"] = ch.Customer
	o["latest_charge"] = ch.ID
	o["invoice"] = nullable(ch.Invoice)
	o["description"] = chargeDescription(ch)
	o["client_secret"] = ch.PaymentIntent + "_secret_" + ch.ID[len(ch.ID)-12:]
	if ch.Succeeded {
		o["amount_received"] = ch.Amount
	} else if lpe, ok := o["last_payment_error"].(jsonObj); ok {
		lpe["charge"] = ch.ID
	}
	return env
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
