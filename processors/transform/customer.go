package transform

import (
	"strings"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
)

// person is what Stripe knows of a customer in one object (a customer, a
// charge's billing details, an invoice's customer_* copy).
type person struct {
	name, email, phone string
	addr               address
}

func (p person) empty() bool {
	return p.name == "" && p.email == "" && p.phone == "" && p.addr == (address{})
}

// upsertCustomer emits UpsertCustomer "customer:<cus>" with the name and
// address fitted by the mapping. Version is the event's created time, so
// the adapter never lets an older event overwrite a newer one.
func (c *ectx) upsertCustomer(cusID, erpID string, p person, about ...string) {
	name, f := c.cfg.NormalizeName(strings.TrimSpace(p.name))
	c.flagp(f)
	addr, flags := c.cfg.NormalizeAddress(command.Address{
		Line1:      p.addr.Line1,
		Line2:      p.addr.Line2,
		City:       p.addr.City,
		PostalCode: p.addr.PostalCode,
		State:      p.addr.State,
		Country:    p.addr.Country,
	})
	for _, f := range flags {
		c.flag(f)
	}
	cmd := command.UpsertCustomer{
		CommandID:        "customer:" + cusID,
		StripeCustomerID: cusID,
		ERPCustomerID:    erpID,
		Name:             name,
		Email:            strings.TrimSpace(p.email),
		Phone:            strings.TrimSpace(p.phone),
		Address:          addr,
		Version:          c.base.OccurredAt.Unix(),
	}
	if c.base.OccurredAt.IsZero() {
		cmd.Version = 0
	}
	cmd.Meta = c.meta(append([]string{cusID}, about...)...)
	c.emit(kafka.CustomerCommands, cusID, cmd)
}

// customerUpserted handles customer.created and customer.updated.
func customerUpserted(c *ectx) {
	cu := c.obj
	if !c.requireID(cu) {
		return
	}
	c.begin()
	c.upsertCustomer(cu.ID, c.xref(cu.Metadata), person{name: cu.Name, email: cu.Email, phone: cu.Phone, addr: cu.Address})
}
