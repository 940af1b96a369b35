package transform

import (
	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
)

// refundEvent handles refund.created, refund.updated, refund.failed and
// charge.refund.updated: data.object is the refund. Refund events are the
// canonical source of refunds since API 2022-11-15, when charges stopped
// listing them.
func refundEvent(c *ectx) {
	re := c.obj
	c.bookRefund(re, re.Charge.Obj)
}

// chargeRefunded books the refunds a charge.refunded lists. Since API
// 2022-11-15 it lists none (the refund.* events book them); older API
// versions, and payloads with refunds expanded, list them, and each is
// booked under the same command ids the refund events use, so one refund
// seen twice is booked once.
func chargeRefunded(c *ectx) {
	ch := c.obj
	if !ch.Refunds.Listed || len(ch.Refunds.Data) == 0 {
		return
	}
	for i := range ch.Refunds.Data {
		c.bookRefund(&ch.Refunds.Data[i], ch)
	}
}

// bookRefund books one refund of the charge ch (nil when only its id is
// known): a credit memo against the charge's order. There is no journal:
// the ERP posts the credit note (refunds Dr / receivable Cr) and the sink
// settles it out of the Stripe balance (receivable Dr / clearing Cr), as
// docs/accounting.md explains. Only a succeeded refund is booked: a
// pending one may still fail, and the commands have no reversal, so it is
// booked when refund.updated reports it succeeded (same command ids). Very
// old refunds have no status and were immediate.
func (c *ectx) bookRefund(re, ch *object) {
	if !c.requireID(re) {
		return
	}
	switch re.Status {
	case "succeeded", "":
	default:
		c.flag(command.Flag{Code: "refund_not_booked", Field: c.fieldPath(re.Off, "status"),
			Detail: "refund " + re.ID + " is " + re.Status + ": booked only once it has succeeded"})
		return
	}
	chargeID := re.Charge.ID
	if ch != nil && chargeID == "" {
		chargeID = ch.ID
	}
	if chargeID == "" {
		c.fail(ClassValidation, "missing_field", c.fieldPath(re.Off, "charge"), "the refund names no charge, so it has no order to credit")
		return
	}
	orderObj, piID := chargeID, re.PaymentIntent.ID
	facts := c.facts(re)
	if ch != nil {
		orderObj = firstOf(ch.Invoice.ID, chargeID)
		piID = firstOf(piID, ch.PaymentIntent.ID)
		chFacts := c.facts(ch)
		facts.Metadata = mergeMetadata(facts.Metadata, chFacts.Metadata)
		facts.Description = firstOf(facts.Description, chFacts.Description)
		facts.PaymentMethod, facts.CardBrand = chFacts.PaymentMethod, chFacts.CardBrand
	}
	facts.ObjectType = "refund"
	if re.Currency == "" && ch != nil {
		re.Currency = ch.Currency
	}
	cur := c.currency(re)
	facts.Currency = cur
	invoiceID := ""
	if ch != nil {
		invoiceID = ch.Invoice.ID
	}

	c.begin()
	amount := c.money(re.Amount, cur, re.Off, "amount", "refund")
	if amount.Minor <= 0 {
		if c.err == nil {
			c.fail(ClassValidation, "invalid_amount", c.path(re.Amount.Off), "a refund amount must be positive")
		}
		return
	}
	memo := command.CreateCreditMemo{
		CommandID:      "refund:" + re.ID,
		StripeRefundID: re.ID,
		OrderRef:       command.OrderRef{StripeObjectID: orderObj},
		Amount:         amount,
		Reason:         re.Reason,
		RefundDate:     ymd(c.unix(re.Created, c.base.OccurredAt.Unix())),
	}
	memo.Meta = c.meta(re.ID, chargeID, piID, invoiceID)
	c.accounts(facts) // names the GL rule for the enriched event
	c.emit(kafka.PaymentCommands, orderObj, memo)
}
