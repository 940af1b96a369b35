package transform

import (
	"errors"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
)

// maxAmount bounds every amount the transform does arithmetic with (10^15
// minor units, far above any Stripe amount), so that sums, negations and
// prorations can never overflow int64.
const maxAmount = 1_000_000_000_000_000

// int returns an integer field the event needs: a coerced string is flagged,
// a value that is no whole number is a validation error (code notInt). ok
// is false when the field is absent (or bad).
func (c *ectx) int(n num, notInt string) (int64, bool) {
	switch n.St {
	case numOK:
		return n.V, true
	case numCoerced:
		c.flag(command.Flag{Code: "coerced", Field: c.path(n.Off), Detail: `string "` + n.Raw + `" read as the integer ` + itoa(n.V)})
		return n.V, true
	case numInvalid:
		c.fail(ClassValidation, notInt, c.path(n.Off), `"`+clip(n.Raw, 40)+`" is not a whole number within 64 bits`)
	}
	return 0, false
}

// optInt is an integer for the enriched event only: a bad value is left
// out (nil) and flagged instead of failing the event.
func (c *ectx) optInt(n num) *int64 {
	switch n.St {
	case numOK:
		v := n.V
		return &v
	case numCoerced:
		c.flag(command.Flag{Code: "coerced", Field: c.path(n.Off), Detail: `string "` + n.Raw + `" read as the integer ` + itoa(n.V)})
		v := n.V
		return &v
	case numInvalid:
		c.flag(command.Flag{Code: "ignored_field", Field: c.path(n.Off), Detail: `"` + clip(n.Raw, 40) + `" is not a whole number; left out`})
	}
	return nil
}

// unix returns a timestamp field, or def when it is absent.
func (c *ectx) unix(n num, def int64) int64 {
	if v, ok := c.int(n, "timestamp_not_integer"); ok {
		return v
	}
	return def
}

// currency returns o's currency upper-cased; a missing one is an error.
func (c *ectx) currency(o *object) string {
	if o.Currency == "" {
		c.fail(ClassValidation, "missing_currency", c.fieldPath(o.Off, "currency"), "the object has an amount but no currency")
		return ""
	}
	return upperCurrency(o.Currency)
}

// money returns a required amount (field name of the object at parent) in
// currency cur, checked by the mapping's currency rules for purpose.
func (c *ectx) money(n num, cur string, parent int32, field, purpose string) command.Money {
	if n.St == numAbsent {
		c.fail(ClassValidation, "missing_field", c.fieldPath(parent, field), "the "+field+" is missing")
		return command.Money{Currency: cur}
	}
	v, ok := c.int(n, "amount_not_integer")
	if !ok {
		return command.Money{Currency: cur}
	}
	return c.checkMoney(command.Money{Minor: v, Currency: cur}, n.Off, "", purpose)
}

// checkMoney applies the size bound and the mapping's currency rules to an
// amount read at off (plus field, when it is a member of the value there).
func (c *ectx) checkMoney(m command.Money, off int32, field, purpose string) command.Money {
	if m.Minor > maxAmount || m.Minor < -maxAmount {
		c.fail(ClassValidation, "amount_out_of_range", joinPath(c.path(off), field), itoa(m.Minor)+" is beyond any Stripe amount")
		return m
	}
	if m.Currency == "" {
		return m
	}
	if err := c.cfg.CheckAmount(m, purpose); err != nil {
		code := "currency_rule"
		var ae *mapping.AmountError
		if errors.As(err, &ae) && ae.Rule != "" {
			code = ae.Rule // unknown_currency, zero_decimal_fraction, payout_whole_units
		}
		c.fail(ClassValidation, code, joinPath(c.path(off), field), err.Error())
	}
	return m
}

// requireID fails when o has no id.
func (c *ectx) requireID(o *object) bool {
	if o.ID == "" {
		c.fail(ClassValidation, "missing_field", c.fieldPath(o.Off, "id"), "the object has no id")
		return false
	}
	return true
}
