package transform

import (
	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/schemas"
)

// chargeSucceeded handles charge.succeeded and charge.captured: the charge
// is the canonical source of a payment (payment intents and invoices only
// repeat it), so it alone makes ApplyPayment "payment:<ch>". A charge
// without an invoice is its own order; an invoice's order comes from the
// invoice events. An uncaptured charge makes its order but no payment:
// charge.captured books it later under the same command id.
func chargeSucceeded(c *ectx) {
	ch := c.obj
	if !c.requireID(ch) {
		return
	}
	cur := c.currency(ch)
	inID := ch.Invoice.ID
	orderObj := firstOf(inID, ch.ID)
	cus := c.chargeCustomer(ch)
	facts := c.facts(ch)
	c.accounts(facts) // names the GL rule for the enriched event

	if cus.StripeCustomerID != "" {
		c.begin()
		c.upsertCustomer(cus.StripeCustomerID, cus.ERPCustomerID, c.chargePerson(ch), ch.ID)
	}

	if inID == "" {
		c.begin()
		amount := c.money(ch.Amount, cur, ch.Off, "amount", "charge")
		if cus == (command.CustomerRef{}) {
			c.flag(command.Flag{Code: "customer_default", Field: "customer_ref",
				Detail: "guest charge without a Stripe customer or ERP id: the order goes to the default customer"})
		}
		attrs := c.cfg.OrderAttributes(facts)
		pm := c.paymentMethodCode(ch)
		order := command.CreateSalesOrder{
			CommandID:      "order:" + ch.ID,
			StripeObjectID: ch.ID,
			CustomerRef:    cus,
			Lines: []command.OrderLine{{
				Item:        c.cfg.ChargeItem(facts),
				Quantity:    1,
				UnitPrice:   amount,
				Description: ch.Description,
			}},
			Currency:      cur,
			OrderType:     attrs.OrderType,
			PaymentTerms:  attrs.PaymentTerms,
			PaymentMethod: pm,
			OrderDate:     ymd(c.unix(ch.Created, c.base.OccurredAt.Unix())),
		}
		order.Meta = c.meta(ch.ID, ch.PaymentIntent.ID, cus.StripeCustomerID)
		c.emit(kafka.SalesOrderCommands, ch.ID, order)
	}

	if ch.Captured != nil && !*ch.Captured {
		c.flag(command.Flag{Code: "uncaptured", Field: "data.object.captured",
			Detail: "authorized, not captured: no payment until charge.captured"})
		return
	}
	c.begin()
	amount := c.money(ch.Amount, cur, ch.Off, "amount", "charge")
	if ch.AmountCaptured.St != numAbsent {
		captured := c.money(ch.AmountCaptured, cur, ch.Off, "amount_captured", "charge")
		if captured.Minor < amount.Minor {
			c.flag(command.Flag{Code: "partial_capture", Field: "data.object.amount_captured",
				Detail: "captured " + command.Decimal(captured) + " of " + command.Decimal(amount) + " " + cur})
		}
		amount = captured
	}
	if amount.Minor <= 0 {
		c.flag(command.Flag{Code: "zero_payment", Field: "data.object.amount_captured", Detail: "nothing captured: no payment"})
		return
	}
	pay := command.ApplyPayment{
		CommandID:            "payment:" + ch.ID,
		OrderRef:             command.OrderRef{StripeObjectID: orderObj},
		Amount:               amount,
		PaymentMethod:        c.paymentMethodCode(ch),
		StripeChargeID:       ch.ID,
		BalanceTransactionID: ch.BalanceTransaction.ID,
		PaymentDate:          ymd(c.unix(ch.Created, c.base.OccurredAt.Unix())),
	}
	pay.Meta = c.meta(ch.ID, ch.PaymentIntent.ID, inID, cus.StripeCustomerID)
	c.emit(kafka.PaymentCommands, orderObj, pay)
}

// chargeFailed: an invoice's failed charge puts the invoice's order on
// hold (a one-off charge that failed never had an order), and the customer
// is told when there is anyone to tell.
func chargeFailed(c *ectx) {
	ch := c.obj
	if !c.requireID(ch) {
		return
	}
	cur := c.currency(ch)
	cus := c.chargeCustomer(ch)
	reason := firstOf(ch.FailureMessage, ch.FailureCode)
	if inID := ch.Invoice.ID; inID != "" {
		c.begin()
		st := command.ChangeOrderStatus{
			CommandID: "order-status:" + inID + ":payment_failed",
			OrderRef:  command.OrderRef{StripeObjectID: inID},
			Status:    "payment_failed",
			Reason:    reason,
		}
		st.Meta = c.meta(inID, ch.ID, ch.PaymentIntent.ID, cus.StripeCustomerID)
		c.emit(kafka.SalesOrderCommands, inID, st)
	}
	p := c.chargePerson(ch)
	if cus.StripeCustomerID == "" && p.email == "" {
		return
	}
	c.begin()
	n := schemas.CustomerNotification{
		NotificationID:   "notification:" + ch.ID + ":payment_failed",
		Kind:             "payment_failed",
		StripeCustomerID: cus.StripeCustomerID,
		ERPCustomerID:    cus.ERPCustomerID,
		Email:            p.email,
		Name:             p.name,
		Amount:           c.money(ch.Amount, cur, ch.Off, "amount", "charge"),
		Reason:           reason,
	}
	n.Meta = c.meta(ch.ID, ch.PaymentIntent.ID, ch.Invoice.ID, cus.StripeCustomerID)
	c.notify(n)
}

// chargeExpired: an authorization that was never captured expired, so the
// order its charge.succeeded created (one-off charges only) is canceled.
func chargeExpired(c *ectx) {
	ch := c.obj
	if !c.requireID(ch) || ch.Invoice.ID != "" {
		return
	}
	c.begin()
	st := command.ChangeOrderStatus{
		CommandID: "order-status:" + ch.ID + ":canceled",
		OrderRef:  command.OrderRef{StripeObjectID: ch.ID},
		Status:    "canceled",
		Reason:    "authorization expired uncaptured",
	}
	st.Meta = c.meta(ch.ID, ch.PaymentIntent.ID, ch.Customer.ID)
	c.emit(kafka.SalesOrderCommands, ch.ID, st)
}

// chargeCustomer is the customer a charge's order belongs to: the Stripe
// customer and, when the charge (or its expanded customer) carries it, the
// ERP number.
func (c *ectx) chargeCustomer(ch *object) command.CustomerRef {
	ref := command.CustomerRef{StripeCustomerID: ch.Customer.ID, ERPCustomerID: c.xref(ch.Metadata)}
	if ref.ERPCustomerID == "" && ch.Customer.Obj != nil {
		ref.ERPCustomerID = c.xref(ch.Customer.Obj.Metadata)
	}
	return ref
}

// chargePerson is who paid: the billing details, completed from the
// receipt e-mail and the expanded customer.
func (c *ectx) chargePerson(ch *object) person {
	bd := ch.BillingDetails
	p := person{name: bd.Name, email: firstOf(bd.Email, ch.ReceiptEmail), phone: bd.Phone, addr: bd.Address}
	if cu := ch.Customer.Obj; cu != nil {
		p.name = firstOf(p.name, cu.Name)
		p.email = firstOf(p.email, cu.Email)
		p.phone = firstOf(p.phone, cu.Phone)
		if p.addr == (address{}) {
			p.addr = cu.Address
		}
	}
	return p
}

// paymentMethodCode is the Infor payment method of how o was paid.
func (c *ectx) paymentMethodCode(o *object) string {
	typ, brand := paymentMethodOf(o)
	if typ == "" {
		return ""
	}
	code, f := c.cfg.PaymentMethod(typ, brand)
	c.flagp(f)
	return code
}

// notify appends a customer notification, keyed like the raw record.
func (c *ectx) notify(n schemas.CustomerNotification) {
	c.notes = append(c.notes, Output{Topic: kafka.CustomerNotifications, Key: rawKey(c.ev), Value: n})
}
