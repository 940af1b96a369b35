package transform

import (
	"strings"

	"github.com/stripe-infor/stripe-infor/processors/mapping"
)

// accounts derives GL accounts and remembers the rule for the enriched
// event.
func (c *ectx) accounts(f mapping.Facts) mapping.Accounts {
	acc, rule := c.cfg.Accounts(f)
	if rule != "" {
		dup := false
		for _, r := range c.glRules {
			dup = dup || r == rule
		}
		if !dup {
			c.glRules = append(c.glRules, rule)
		}
	}
	return acc
}

// facts are the mapping facts of a Stripe object.
func (c *ectx) facts(o *object) mapping.Facts {
	f := mapping.Facts{
		EventType:   c.ev.Type,
		ObjectType:  o.Object,
		Currency:    upperCurrency(o.Currency),
		Livemode:    c.ev.Livemode,
		Description: o.Description,
		Metadata:    o.Metadata,
	}
	if cu := o.Customer.Obj; cu != nil {
		f.Metadata = mergeMetadata(f.Metadata, cu.Metadata)
	}
	f.PaymentMethod, f.CardBrand = paymentMethodOf(o)
	return f
}

// mergeMetadata returns over's keys over under's. It copies only when both
// have keys (the mapping only reads the map).
func mergeMetadata(over, under map[string]string) map[string]string {
	if len(under) == 0 {
		return over
	}
	if len(over) == 0 {
		return under
	}
	m := make(map[string]string, len(over)+len(under))
	for k, v := range under {
		m[k] = v
	}
	for k, v := range over {
		m[k] = v
	}
	return m
}

// paymentMethodOf is how o was paid: payment_method_details since 2019,
// else the old source object.
func paymentMethodOf(o *object) (typ, brand string) {
	if t := o.PaymentMethodDetails.Type; t != "" {
		b := o.PaymentMethodDetails.Card.Brand
		if b == "" {
			b = o.PaymentMethodDetails.CardPresent.Brand
		}
		return t, b
	}
	switch o.Source.Object {
	case "card":
		return "card", oldBrand(o.Source.Brand)
	case "bank_account":
		return "ach_debit", ""
	case "source":
		return o.Source.Type, ""
	}
	return "", ""
}

// oldBrand turns the brand names old API versions wrote on card sources
// ("Visa", "American Express") into payment_method_details' ("visa",
// "amex").
func oldBrand(b string) string {
	switch b {
	case "American Express":
		return "amex"
	case "Diners Club":
		return "diners"
	case "MasterCard":
		return "mastercard"
	case "UnionPay":
		return "unionpay"
	}
	return strings.ToLower(b)
}

// xref is the ERP customer number kept in Stripe metadata.
func (c *ectx) xref(mds ...map[string]string) string {
	key := c.cfg.CustomerXRefKey()
	for _, md := range mds {
		if v := strings.TrimSpace(md[key]); v != "" {
			return v
		}
	}
	return ""
}
