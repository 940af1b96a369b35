package transform

import (
	"time"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
	"github.com/stripe-infor/stripe-infor/schemas"
)

// Invoices are the canonical source of the orders of subscriptions (and of
// any invoiced sale): invoice.finalized, invoice.paid and
// invoice.payment_failed all make the same CreateSalesOrder "order:<in>",
// whichever arrives first creates it. They never make a payment: the
// invoice's charge.succeeded does, with the invoice as its order.

func invoiceFinalized(c *ectx) { c.invoice() }

// invoicePaid also handles invoice.payment_succeeded (Stripe sends both for
// one payment; their commands have the same ids).
func invoicePaid(c *ectx) {
	in, cur, ok := c.invoice()
	if !ok {
		return
	}
	attempts, _ := c.int(in.AttemptCount, "not_integer")
	if attempts > 1 {
		c.begin()
		st := command.ChangeOrderStatus{
			CommandID: "order-status:" + in.ID + ":paid",
			OrderRef:  command.OrderRef{StripeObjectID: in.ID},
			Status:    "paid",
			Reason:    "paid after " + itoa(attempts) + " attempts",
		}
		st.Meta = c.meta(in.ID, in.Charge.ID, in.Customer.ID)
		c.emit(kafka.SalesOrderCommands, in.ID, st)
	}
	if paid, _ := c.int(in.AmountPaid, "amount_not_integer"); paid > 0 && (in.PaidOutOfBand || in.Charge.ID == "") {
		c.flag(command.Flag{Code: "paid_out_of_band", Field: "data.object.amount_paid",
			Detail: "paid without a Stripe charge: no payment is booked from Stripe"})
	}
	if c.cfg.Deferral().Enabled {
		c.deferRevenue(in, cur)
	}
}

// invoicePaymentFailed puts the order into dunning and tells the customer.
func invoicePaymentFailed(c *ectx) {
	in, cur, ok := c.invoice()
	if !ok {
		return
	}
	attempts, _ := c.int(in.AttemptCount, "not_integer")
	var next *time.Time
	if t, ok := c.int(in.NextPaymentAttempt, "timestamp_not_integer"); ok && t > 0 {
		u := time.Unix(t, 0).UTC()
		next = &u
	}
	reason := "payment attempt " + itoa(attempts) + " failed; "
	if next != nil {
		reason += "next attempt " + next.Format(time.DateOnly)
	} else {
		reason += "no further attempts"
	}
	c.begin()
	st := command.ChangeOrderStatus{
		CommandID: "order-status:" + in.ID + ":dunning",
		OrderRef:  command.OrderRef{StripeObjectID: in.ID},
		Status:    "dunning",
		Reason:    reason,
	}
	st.Meta = c.meta(in.ID, in.Charge.ID, in.Customer.ID)
	c.emit(kafka.SalesOrderCommands, in.ID, st)

	p := c.invoicePerson(in)
	if in.Customer.ID == "" && p.email == "" {
		return
	}
	c.begin()
	due := in.AmountRemaining
	if due.St == numAbsent {
		due = in.AmountDue
	}
	failure := ""
	if ch := in.Charge.Obj; ch != nil {
		failure = firstOf(ch.FailureMessage, ch.FailureCode)
	}
	n := schemas.CustomerNotification{
		NotificationID:   "notification:" + in.ID + ":invoice_payment_failed",
		Kind:             "invoice_payment_failed",
		StripeCustomerID: in.Customer.ID,
		ERPCustomerID:    c.invoiceXref(in),
		Email:            p.email,
		Name:             p.name,
		Amount:           c.money(due, cur, in.Off, "amount_due", "invoice"),
		Reason:           firstOf(failure, reason),
		NextAttemptAt:    next,
	}
	n.Meta = c.meta(in.ID, in.Charge.ID, in.Customer.ID)
	c.notify(n)
}

// invoiceLine is an invoice line with what the transform derived from it.
type invoiceLine struct {
	ln    *line
	net   command.Money // amount less its discounts
	facts mapping.Facts
}

// invoice makes what every invoice event makes: the customer (from the
// invoice's copy of it) and the order.
func (c *ectx) invoice() (*object, string, bool) {
	in := c.obj
	if !c.requireID(in) {
		return in, "", false
	}
	cur := c.currency(in)
	cusID := in.Customer.ID
	erpID := c.invoiceXref(in)
	if p := c.invoicePerson(in); cusID != "" && !p.empty() {
		c.begin()
		c.upsertCustomer(cusID, erpID, p, in.ID)
	}
	if in.Lines.HasMore {
		c.fail(ClassValidation, "invoice_lines_truncated", c.fieldPath(in.Off, "lines.has_more"),
			"the event lists only part of the invoice's lines; an order from it would be incomplete")
		return in, cur, false
	}

	c.begin()
	lines := c.invoiceLines(in, cur)
	if c.err != nil {
		return in, cur, false
	}
	if len(lines) == 0 {
		c.flag(command.Flag{Code: "no_lines", Field: "data.object.lines", Detail: "the invoice has no lines: no order"})
		return in, cur, true
	}
	orderLines := make([]command.OrderLine, 0, len(lines))
	for i := range lines {
		orderLines = append(orderLines, c.orderLine(&lines[i]))
		c.accounts(lines[i].facts) // names the revenue rule for the enriched event
	}
	if tax, ok := c.int(in.Tax, "amount_not_integer"); ok && tax != 0 {
		c.flag(command.Flag{Code: "tax_not_in_lines", Field: "data.object.tax",
			Detail: "Stripe tax " + command.Decimal(command.Money{Minor: tax, Currency: cur}) + " " + cur + " is not an order line; Infor applies its own"})
	}
	attrs := c.cfg.OrderAttributes(lines[0].facts)
	for i := range lines { // the first subscription line decides, if any
		if lines[i].facts.Interval != "" {
			attrs = c.cfg.OrderAttributes(lines[i].facts)
			break
		}
	}
	pm := ""
	if ch := in.Charge.Obj; ch != nil {
		pm = c.paymentMethodCode(ch)
	}
	cus := command.CustomerRef{StripeCustomerID: cusID, ERPCustomerID: erpID}
	if cus == (command.CustomerRef{}) {
		c.flag(command.Flag{Code: "customer_default", Field: "customer_ref", Detail: "invoice without a customer: the order goes to the default customer"})
	}
	date := c.unix(in.StatusTransitions.FinalizedAt, c.unix(in.Created, c.base.OccurredAt.Unix()))
	order := command.CreateSalesOrder{
		CommandID:      "order:" + in.ID,
		StripeObjectID: in.ID,
		CustomerRef:    cus,
		Lines:          orderLines,
		Currency:       cur,
		OrderType:      attrs.OrderType,
		PaymentTerms:   attrs.PaymentTerms,
		PaymentMethod:  pm,
		OrderDate:      ymd(date),
	}
	order.Meta = c.meta(in.ID, in.Subscription.ID, cusID)
	c.emit(kafka.SalesOrderCommands, in.ID, order)
	return in, cur, true
}

// invoiceLines reads the lines' amounts and facts.
func (c *ectx) invoiceLines(in *object, cur string) []invoiceLine {
	out := make([]invoiceLine, 0, len(in.Lines.Data))
	for i := range in.Lines.Data {
		ln := &in.Lines.Data[i]
		amount := c.money(ln.Amount, cur, ln.Off, "amount", "invoice")
		for _, d := range ln.DiscountAmounts {
			if v, ok := c.int(d.Amount, "amount_not_integer"); ok {
				amount.Minor -= v
			}
		}
		amount = c.checkMoney(amount, ln.Off, "amount", "invoice")
		out = append(out, invoiceLine{ln: ln, net: amount, facts: c.lineFacts(in, ln, cur)})
	}
	return out
}

// lineFacts are the mapping facts of one invoice line: the invoice's, with
// the line's price (or plan) and product.
func (c *ectx) lineFacts(in *object, ln *line, cur string) mapping.Facts {
	f := c.facts(in)
	f.ObjectType = "invoice"
	f.Currency = cur
	f.Description = firstOf(ln.Description, in.Description)
	md := mergeMetadata(ln.Metadata, f.Metadata)
	p := ln.Price
	if p == nil {
		p = ln.Plan
	}
	if p != nil {
		f.Product = p.Product.ID
		f.Price = p.ID
		f.LookupKey = p.LookupKey
		f.Plan = p.Nickname
		if f.Plan == "" && p.Object == "plan" {
			f.Plan = p.ID
		}
		f.Interval = firstOf(p.Recurring.Interval, p.Interval)
		md = mergeMetadata(md, mergeMetadata(p.Metadata, p.Product.Metadata))
	}
	f.Metadata = md
	if ch := in.Charge.Obj; ch != nil {
		f.PaymentMethod, f.CardBrand = paymentMethodOf(ch)
	}
	return f
}

// orderLine maps an invoice line to an order line: the item from the
// mapping, and quantity × unit price when the amount divides exactly, else
// one unit at the whole amount (flagged), so the order's total is always
// the invoice's.
func (c *ectx) orderLine(l *invoiceLine) command.OrderLine {
	ln := l.ln
	var productID, priceID, lookupKey string
	var productMeta map[string]string
	if p := firstPrice(ln); p != nil {
		productID, priceID, lookupKey, productMeta = p.Product.ID, p.ID, p.LookupKey, p.Product.Metadata
	}
	item, f := c.cfg.Item(productID, priceID, lookupKey, productMeta)
	c.flagp(f)
	qty := int64(1)
	if ln.Quantity.St != numAbsent {
		q, _ := c.int(ln.Quantity, "not_integer")
		qty = q
	}
	unit := l.net
	switch {
	case qty == 1:
	case qty > 1 && l.net.Minor%qty == 0:
		unit.Minor = l.net.Minor / qty
	default:
		c.flag(command.Flag{Code: "quantity_folded", Field: joinPath(c.path(ln.Off), "quantity"),
			Detail: "amount " + command.Decimal(l.net) + " is not " + itoa(qty) + " equal unit prices: booked as 1 × the amount"})
		qty = 1
	}
	return command.OrderLine{Item: item, Quantity: qty, UnitPrice: unit, Description: ln.Description}
}

func firstPrice(ln *line) *price {
	if ln.Price != nil {
		return ln.Price
	}
	return ln.Plan
}

// invoicePerson is the invoice's copy of its customer, completed from the
// expanded customer.
func (c *ectx) invoicePerson(in *object) person {
	p := person{name: in.CustomerName, email: in.CustomerEmail, phone: in.CustomerPhone, addr: in.CustomerAddress}
	if cu := in.Customer.Obj; cu != nil {
		p.name = firstOf(p.name, cu.Name)
		p.email = firstOf(p.email, cu.Email)
		p.phone = firstOf(p.phone, cu.Phone)
		if p.addr == (address{}) {
			p.addr = cu.Address
		}
	}
	return p
}

// invoiceXref is the ERP customer number of an invoice's customer.
func (c *ectx) invoiceXref(in *object) string {
	if cu := in.Customer.Obj; cu != nil {
		return c.xref(in.Metadata, cu.Metadata)
	}
	return c.xref(in.Metadata)
}
