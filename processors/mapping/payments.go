package mapping

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

// FlagPaymentMethodUnmapped is the flag code of a payment method type the
// mapping has no code for (the default code was used).
const FlagPaymentMethodUnmapped = "payment_method_unmapped"

// payments maps payment_method_details.type, optionally with the card
// brand ("card.amex"), to ERP payment method codes. Keys are lower case.
type payments struct {
	def   string
	codes map[string]string
}

func (c *config) paymentMethod(typ, brand string) (string, *command.Flag) {
	pm := &c.payments
	t := lowerASCII(strings.TrimSpace(typ))
	if t != "" {
		if brand != "" {
			// A brand-specific code wins over the type's: card.amex before card.
			if code, ok := pm.codes[t+"."+lowerASCII(brand)]; ok {
				return code, nil
			}
		}
		if code, ok := pm.codes[t]; ok {
			return code, nil
		}
	}
	detail := fmt.Sprintf("%q has no payment method code; used default %q", typ, pm.def)
	if t == "" {
		detail = fmt.Sprintf("the event names no payment method type; used default %q", pm.def)
	}
	return pm.def, &command.Flag{Code: FlagPaymentMethodUnmapped, Field: "payment_method_details.type", Detail: detail}
}

// lowerASCII lower-cases s, without allocating when it already is lower
// case (Stripe's types and brands always are).
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(s)
		}
	}
	return s
}

// pmKey is a payment method type, optionally with a card brand after a dot.
var pmKey = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_]+)?$`)

// payments reads payment_methods.
func (p *problems) payments(key, n *yaml.Node) payments {
	pm := payments{codes: map[string]string{}}
	hasDefault := false
	for _, pr := range p.pairs(n, "", "payment_methods", "key", []string{"default", "codes"}) {
		switch pr.key {
		case "default":
			pm.def, _ = p.nonEmpty(pr.v, "", "payment_methods.default")
			hasDefault = true // a bad value is reported by nonEmpty
		case "codes":
			lines := map[string]int{}
			for _, c := range p.pairs(pr.v, "", "payment_methods.codes", "", nil) {
				entry := fmt.Sprintf("payment_methods.codes %q", c.key)
				key := strings.ToLower(strings.TrimSpace(c.key))
				if !pmKey.MatchString(key) {
					p.add(c.k.Line, entry, "not a payment method type (card, sepa_debit, us_bank_account, …) or type.brand (card.amex)")
					continue
				}
				if first, dup := lines[key]; dup {
					p.add(c.k.Line, entry, "the same type as the entry on line %d (keys ignore case)", first)
					continue
				}
				lines[key] = c.k.Line
				if code, ok := p.nonEmpty(c.v, entry, ""); ok {
					pm.codes[key] = code
				}
			}
		}
	}
	if !hasDefault {
		p.add(key.Line, "", "payment_methods.default is missing: the code for payment method types without one")
	}
	return pm
}
