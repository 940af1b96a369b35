package emulator

import "slices"

// masterData answers the lookups transactions make against the seed.
type masterData struct{ seed *Seed }

func (m masterData) currency(cucd string) (Currency, bool) {
	i := slices.IndexFunc(m.seed.Currencies, func(c Currency) bool { return c.CUCD == cucd })
	if i < 0 {
		return Currency{}, false
	}
	return m.seed.Currencies[i], true
}

func (m masterData) item(itno string) (Item, bool) {
	i := slices.IndexFunc(m.seed.Items, func(it Item) bool { return it.ITNO == itno })
	if i < 0 {
		return Item{}, false
	}
	return m.seed.Items[i], true
}

func (m masterData) template(cutm string) (CustomerTemplate, bool) {
	i := slices.IndexFunc(m.seed.CustomerTemplates, func(t CustomerTemplate) bool {
		return t.CUTM == cutm || (cutm == "" && t.Default)
	})
	if i < 0 {
		return CustomerTemplate{}, false
	}
	return m.seed.CustomerTemplates[i], true
}

func (m masterData) orderType(ortp string) (OrderType, bool) {
	i := slices.IndexFunc(m.seed.OrderTypes, func(o OrderType) bool { return o.ORTP == ortp })
	if i < 0 {
		return OrderType{}, false
	}
	return m.seed.OrderTypes[i], true
}

func (m masterData) hasPaymentTerm(tepy string) bool {
	return slices.ContainsFunc(m.seed.PaymentTerms, func(p PaymentTerm) bool { return p.TEPY == tepy })
}

func (m masterData) hasPaymentMethod(pycd string) bool {
	return slices.ContainsFunc(m.seed.PaymentMethods, func(p PaymentMethod) bool { return p.PYCD == pycd })
}

func (m masterData) hasAccount(ait1 string) bool {
	return slices.ContainsFunc(m.seed.GLAccounts, func(a GLAccount) bool { return a.AIT1 == ait1 })
}

func (m masterData) hasBankAccount(bkid string) bool {
	return slices.ContainsFunc(m.seed.BankAccounts, func(b BankAccount) bool { return b.BKID == bkid })
}

// checkCurrency is the NOK for an unknown currency, naming field.
func (m masterData) checkCurrency(field, cucd string) (Currency, *nok) {
	c, ok := m.currency(cucd)
	if !ok {
		return Currency{}, notFound(field, cucd, keysOf(m.seed.Currencies, func(c Currency) string { return c.CUCD }))
	}
	return c, nil
}

// checkCustomerRefs refuses a customer whose currency, payment terms,
// payment method or order type is not in the master data.
func (m masterData) checkCustomerRefs(c *Customer) *nok {
	if c.CUCD != "" {
		if _, err := m.checkCurrency("CUCD", c.CUCD); err != nil {
			return err
		}
	}
	if c.TEPY != "" && !m.hasPaymentTerm(c.TEPY) {
		return notFound("TEPY", c.TEPY, keysOf(m.seed.PaymentTerms, func(p PaymentTerm) string { return p.TEPY }))
	}
	if c.PYCD != "" && !m.hasPaymentMethod(c.PYCD) {
		return notFound("PYCD", c.PYCD, keysOf(m.seed.PaymentMethods, func(p PaymentMethod) string { return p.PYCD }))
	}
	if c.ORTP != "" {
		if _, ok := m.orderType(c.ORTP); !ok {
			return notFound("ORTP", c.ORTP, keysOf(m.seed.OrderTypes, func(o OrderType) string { return o.ORTP }))
		}
	}
	return nil
}

func keysOf[T any](list []T, key func(T) string) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = key(v)
	}
	return out
}
