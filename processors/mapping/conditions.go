package mapping

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// This file evaluates rule conditions (the `when:` of a rule) against Facts.
// It runs several times per event, so everything that can be decided once
// is decided at load: fields are small integers, values are lower-cased,
// regular expressions are compiled, and text is compared without
// allocating for ASCII input (the usual case for Stripe ids and codes).

// field is a Facts field a condition tests.
type field uint8

const (
	fEventType field = iota
	fObjectType
	fCurrency
	fLivemode
	fProduct
	fPrice
	fLookupKey
	fPlan
	fInterval
	fDescription
	fPaymentMethod
	fCardBrand
	fMetadata // metadata.<key>
)

// fieldNames are the condition field names of the file format, in the
// order of the field constants (fMetadata is written metadata.<key>).
var fieldNames = []string{
	"event_type", "object_type", "currency", "livemode", "product", "price", "lookup_key",
	"plan", "interval", "description", "payment_method", "card_brand",
}

// opKind is a condition operator.
type opKind uint8

const (
	opEquals   opKind = iota // equals / in: the value is one of vals
	opPrefix                 // the value starts with one of vals
	opSuffix                 // the value ends with one of vals
	opContains               // the value contains one of vals
	opRegex                  // the value matches re (unanchored, case-insensitive)
	opExists                 // the field has a value (want) or not (!want)
	opNot                    // the inner test does not hold
	opBool                   // livemode is want (livemode's only test)
)

// opNames are the operator keys of the file format.
var opNames = []string{"equals", "in", "prefix", "suffix", "contains", "regex", "exists", "not"}

// op is one compiled operator.
type op struct {
	kind opKind
	vals []string // lower case
	re   *regexp.Regexp
	want bool
	not  *test
}

// test is the conjunction of operators applied to one field's value.
type test struct{ ops []op }

// condition is one `field: test` entry of a `when:`.
type condition struct {
	field   field
	metaKey string // for fMetadata
	test    test
}

// when is a rule's conditions; all must hold. An empty when holds always
// (only default rules have one).
type when []condition

func (w when) holds(f *Facts) bool {
	for i := range w {
		if !w[i].holds(f) {
			return false
		}
	}
	return true
}

func (c *condition) holds(f *Facts) bool {
	if c.field == fLivemode {
		return c.test.matchBool(f.Livemode)
	}
	return c.test.match(c.value(f))
}

// value is the fact the condition tests.
func (c *condition) value(f *Facts) string {
	switch c.field {
	case fEventType:
		return f.EventType
	case fObjectType:
		return f.ObjectType
	case fCurrency:
		return f.Currency
	case fProduct:
		return f.Product
	case fPrice:
		return f.Price
	case fLookupKey:
		return f.LookupKey
	case fPlan:
		return f.Plan
	case fInterval:
		return f.Interval
	case fDescription:
		return f.Description
	case fPaymentMethod:
		return f.PaymentMethod
	case fCardBrand:
		return f.CardBrand
	case fMetadata:
		return f.Metadata[c.metaKey]
	}
	return ""
}

// matchBool tests livemode, which every event has; its only operator is
// the value itself (`livemode: true`).
func (t *test) matchBool(v bool) bool {
	for i := range t.ops {
		if o := &t.ops[i]; o.kind != opBool || v != o.want {
			return false
		}
	}
	return true
}

// match tests a text value. An empty value (the event does not have the
// field) matches only `exists: false`: in particular `not:` needs the field
// to be present, so "plan is not premium" does not hold for a one-off
// charge that has no plan at all.
func (t *test) match(v string) bool {
	for i := range t.ops {
		if !t.ops[i].match(v) {
			return false
		}
	}
	return true
}

func (o *op) match(v string) bool {
	if v == "" {
		return o.kind == opExists && !o.want
	}
	switch o.kind {
	case opEquals:
		for _, w := range o.vals {
			if strings.EqualFold(v, w) {
				return true
			}
		}
	case opPrefix:
		for _, w := range o.vals {
			if hasPrefixFold(v, w) {
				return true
			}
		}
	case opSuffix:
		for _, w := range o.vals {
			if hasSuffixFold(v, w) {
				return true
			}
		}
	case opContains:
		for _, w := range o.vals {
			if containsFold(v, w) {
				return true
			}
		}
	case opRegex:
		return o.re.MatchString(v)
	case opExists:
		return o.want
	case opNot:
		return !o.not.match(v)
	}
	return false
}

// The fold helpers compare s with a lower-case needle ignoring case. ASCII
// input is compared byte by byte without allocating; other input is
// lower-cased first, which is correct for every script.

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func lowerByte(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + ('a' - 'A')
	}
	return b
}

// equalLowerASCII reports whether ASCII s equals lower-case needle w
// ignoring case; the caller checked the lengths.
func equalLowerASCII(s, w string) bool {
	for i := 0; i < len(w); i++ {
		if lowerByte(s[i]) != w[i] {
			return false
		}
	}
	return true
}

func hasPrefixFold(s, w string) bool {
	if !isASCII(s) {
		return strings.HasPrefix(strings.ToLower(s), w)
	}
	return len(s) >= len(w) && equalLowerASCII(s[:len(w)], w)
}

func hasSuffixFold(s, w string) bool {
	if !isASCII(s) {
		return strings.HasSuffix(strings.ToLower(s), w)
	}
	return len(s) >= len(w) && equalLowerASCII(s[len(s)-len(w):], w)
}

func containsFold(s, w string) bool {
	if !isASCII(s) {
		return strings.Contains(strings.ToLower(s), w)
	}
	for i := 0; i+len(w) <= len(s); i++ {
		if equalLowerASCII(s[i:i+len(w)], w) {
			return true
		}
	}
	return false
}
