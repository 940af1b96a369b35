package transform

import (
	"strings"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/schemas"
)

// enriched builds the normalized event for the data team. It reads the
// object leniently: a field of the wrong shape is left out and flagged,
// never a reason to lose the event (the handler has already refused what
// the commands needed).
func (c *ectx) enriched(outcome string, receivedAt time.Time) schemas.EnrichedEvent {
	ev, o := c.ev, c.obj
	e := schemas.EnrichedEvent{
		EventID:        ev.ID,
		EventType:      ev.Type,
		APIVersion:     ev.APIVersion,
		Livemode:       ev.Livemode,
		Account:        ev.Account,
		Created:        c.base.OccurredAt,
		ObjectType:     o.Object,
		ObjectID:       o.ID,
		Status:         o.Status,
		Description:    o.Description,
		FailureCode:    o.FailureCode,
		FailureMessage: o.FailureMessage,
		Metadata:       o.Metadata,
		Outcome:        outcome,
		CommandIDs:     c.cmdIDs,
		GLRule:         strings.Join(c.glRules, ","),
	}
	if !receivedAt.IsZero() {
		e.ReceivedAt = receivedAt.UTC()
	}
	if e.CommandIDs == nil {
		e.CommandIDs = []string{}
	}
	if e.Metadata == nil {
		e.Metadata = map[string]string{}
	}

	e.CustomerID = o.Customer.ID
	if o.Object == "customer" {
		e.CustomerID = o.ID
	}
	e.ChargeID, e.PaymentIntentID = firstOf(o.Charge.ID, o.LatestCharge.ID), o.PaymentIntent.ID
	e.InvoiceID, e.SubscriptionID = o.Invoice.ID, o.Subscription.ID
	switch o.Object {
	case "charge":
		e.ChargeID = o.ID
	case "payment_intent":
		e.PaymentIntentID = o.ID
	case "invoice":
		e.InvoiceID = o.ID
	case "subscription":
		e.SubscriptionID = o.ID
	}

	switch o.Object {
	case "invoice":
		e.Amount = c.optInt(o.AmountDue)
	default:
		e.Amount = c.optInt(o.Amount)
	}
	if o.Object == "charge" {
		e.AmountRefunded = c.optInt(o.AmountRefunded)
	}
	if o.Currency != "" {
		e.Currency = upperCurrency(o.Currency)
		e.CurrencyExponent = int32(command.Exponent(e.Currency))
		apiExp := int32(command.APIExponent(e.Currency))
		e.AmountExponent = &apiExp
		if e.Amount != nil {
			e.AmountDecimal = command.Decimal(command.Money{Minor: *e.Amount, Currency: e.Currency})
		}
	}

	e.PaymentMethodType, e.CardBrand = paymentMethodOf(o)
	if e.PaymentMethodType != "" && (o.Object == "charge" || outcome == OutcomeMapped) {
		e.PaymentMethodCode = c.paymentMethodCode(o)
	}
	e.Flags = c.flags
	if e.Flags == nil {
		e.Flags = []command.Flag{}
	}
	return e
}
