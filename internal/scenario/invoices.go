package scenario

import (
	"fmt"
	"strings"
	"time"
)

// Subscription invoices c for a service period of months calendar months
// starting at the clock, and the invoice is paid by card: invoice.finalized,
// charge.succeeded (the invoice's charge), invoice.paid and
// invoice.payment_succeeded. The order is the invoice's; a period over a
// month is deferred revenue, recognised month by month.
func (b *Builder) Subscription(c *Customer, amount int64, currency string, months int) *Invoice {
	in := b.newInvoice(c, amount, currency, months)
	b.emit(b.invoiceEnv(c, in, "finalized"), "invoice.finalized", b.now, false)
	b.now++
	ch := b.newCharge(c, amount, currency, in.ID, true)
	in.Charge, in.Paid = ch.ID, true
	b.now++
	b.emit(b.invoiceEnv(c, in, "paid"), "invoice.paid", b.now, false)
	b.emit(b.invoiceEnv(c, in, "paid"), "invoice.payment_succeeded", b.now, false)
	b.now += step
	return in
}

// FailedInvoice invoices c as Subscription does, but the card is declined:
// invoice.finalized, charge.failed (the invoice's charge),
// payment_intent.payment_failed and invoice.payment_failed with the next
// attempt in three days. The invoice stays open: dunning.
func (b *Builder) FailedInvoice(c *Customer, amount int64, currency string, months int) *Invoice {
	in := b.newInvoice(c, amount, currency, months)
	b.emit(b.invoiceEnv(c, in, "finalized"), "invoice.finalized", b.now, false)
	b.now++
	ch := b.newCharge(c, amount, currency, in.ID, false)
	in.Charge = ch.ID
	b.now++
	b.emit(b.invoiceEnv(c, in, "failed"), "invoice.payment_failed", b.now, false)
	b.now += step
	return in
}

func (b *Builder) newInvoice(c *Customer, amount int64, currency string, months int) *Invoice {
	if amount <= 0 || amount%unit(currency) != 0 || months < 1 {
		panic(fmt.Sprintf("scenario: invoice of %d %s for %d months", amount, currency, months))
	}
	start := time.Unix(b.now, 0).UTC()
	in := &Invoice{
		ID: b.ids.invoice(), Customer: c.ID, Subscription: b.ids.subscription(), Currency: strings.ToLower(currency),
		Amount: amount, Livemode: c.Livemode, PeriodStart: start.Unix(), PeriodEnd: start.AddDate(0, months, 0).Unix(),
	}
	b.w.Invoices = append(b.w.Invoices, in)
	return in
}

// invoiceEnv is an invoice event in state "finalized" (open, not
// attempted), "paid" or "failed" (open, one attempt failed).
func (b *Builder) invoiceEnv(c *Customer, in *Invoice, state string) jsonObj {
	tmpl := "invoice.paid"
	if state == "failed" {
		tmpl = "invoice.payment_failed"
	}
	env, o := template(tmpl, c.seq, in.Livemode, c.home, in.Amount, b.now)
	// Stripe copies the customer's address and phone onto the invoice at
	// finalization; the fixture's invoice leaves them null.
	_, cus := template("customer.created", c.seq, in.Livemode, c.home, 0, b.now)
	o["customer_address"], o["customer_phone"] = cus["address"], cus["phone"]
	months := monthsBetween(in.PeriodStart, in.PeriodEnd)
	o["id"] = in.ID
	o["customer"] = in.Customer
	o["currency"] = in.Currency
	o["subscription"] = in.Subscription
	o["created"] = in.PeriodStart
	o["period_start"] = in.PeriodStart
	o["period_end"] = in.PeriodStart
	o["effective_at"] = in.PeriodStart
	for _, k := range []string{"amount_due", "subtotal", "subtotal_excluding_tax", "total", "total_excluding_tax"} {
		o[k] = in.Amount
	}
	o["charge"] = nullable(in.Charge)
	o["billing_reason"] = "subscription_create"
	st := sub(o, "status_transitions")
	st["finalized_at"] = in.PeriodStart
	switch state {
	case "paid":
		o["status"], o["paid"], o["amount_paid"], o["amount_remaining"] = "paid", true, in.Amount, int64(0)
		o["attempted"], o["attempt_count"] = true, 1
		st["paid_at"] = b.now
	case "failed":
		o["status"], o["paid"], o["amount_paid"], o["amount_remaining"] = "open", false, int64(0), in.Amount
		o["attempted"], o["attempt_count"] = true, 1
		o["next_payment_attempt"] = b.now + 3*day
		st["paid_at"] = nil
	default:
		o["status"], o["paid"], o["amount_paid"], o["amount_remaining"] = "open", false, int64(0), in.Amount
		o["attempted"], o["attempt_count"] = false, 0
		o["next_payment_attempt"] = b.now + 3600
		st["paid_at"] = nil
	}
	lines := sub(o, "lines")
	lines["url"] = "/v1/invoices/" + in.ID + "/lines"
	data, _ := lines["data"].([]any)
	if len(data) != 1 {
		panic("scenario: the fixture's invoice has no single line")
	}
	ln := data[0].(jsonObj)
	ln["amount"], ln["amount_excluding_tax"], ln["currency"] = in.Amount, in.Amount, in.Currency
	ln["unit_amount_excluding_tax"] = fmt.Sprint(in.Amount)
	ln["period"] = jsonObj{"start": in.PeriodStart, "end": in.PeriodEnd}
	ln["subscription"] = in.Subscription
	ln["description"] = fmt.Sprintf("1 × Subscription (at %s %s / %d months)", FormatAmount(in.Amount, in.Currency), strings.ToUpper(in.Currency), months)
	for _, k := range []string{"plan", "price"} {
		p, ok := ln[k].(jsonObj)
		if !ok {
			continue
		}
		p["currency"] = in.Currency
		if k == "plan" {
			p["amount"], p["amount_decimal"], p["interval_count"] = in.Amount, fmt.Sprint(in.Amount), months
		} else {
			p["unit_amount"], p["unit_amount_decimal"] = in.Amount, fmt.Sprint(in.Amount)
			sub(p, "recurring")["interval_count"] = months
		}
	}
	return env
}

// monthsBetween counts whole calendar months from a to b.
func monthsBetween(a, b int64) int {
	ta, tb := time.Unix(a, 0).UTC(), time.Unix(b, 0).UTC()
	return (tb.Year()-ta.Year())*12 + int(tb.Month()-ta.Month())
}
