package mapping

// config is the compiled mapping behind Config. It is built once by parse
// and never changed afterwards, which is what makes Config safe to share
// between goroutines without locks.
type config struct {
	name          string
	testMode      string
	unknownEvents string
	xrefKey       string
	deferral      Deferral

	payments payments
	items    items

	orderDefaults OrderAttributes
	orderRules    []orderRule

	// glRules are the rules before the default, each with its accounts
	// already laid over the default rule's; glDefault is the default rule.
	glRules   []glRule
	glDefault glRule

	address addressLimits
}

// Summary counts what a mapping holds, for `stripe-infor mapping check` and
// start-up logs.
type Summary struct {
	// Name is the file name the mapping was loaded under.
	Name string
	// GLRules counts the GL rules, the default rule included.
	GLRules int
	// OrderRules and ChargeItemRules count the conditional rules.
	OrderRules      int
	ChargeItemRules int
	// PaymentMethodCodes counts payment_methods.codes entries.
	PaymentMethodCodes int
	// ItemMappings counts the items.by_price, by_lookup_key and by_product
	// entries.
	ItemMappings  int
	TestMode      string
	UnknownEvents string
	Deferral      Deferral
}

// Summary describes the loaded mapping.
func (c *Config) Summary() Summary {
	x := c.impl
	return Summary{
		Name:               x.name,
		GLRules:            len(x.glRules) + 1,
		OrderRules:         len(x.orderRules),
		ChargeItemRules:    len(x.items.chargeRules),
		PaymentMethodCodes: len(x.payments.codes),
		ItemMappings:       len(x.items.byPrice) + len(x.items.byLookupKey) + len(x.items.byProduct),
		TestMode:           x.testMode,
		UnknownEvents:      x.unknownEvents,
		Deferral:           x.deferral,
	}
}
