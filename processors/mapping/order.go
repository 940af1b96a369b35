package mapping

import (
	"go.yaml.in/yaml/v3"
)

// orderFields are the keys of order_defaults and of an order rule's set.
var orderFields = []string{"order_type", "payment_terms"}

// orderRule is one conditional order rule: when its conditions hold, it
// sets the fields it names (an empty field is one it leaves alone).
type orderRule struct {
	name               string
	when               when
	orderType, payTerm string
}

func (c *config) orderAttributes(f Facts) OrderAttributes {
	var out OrderAttributes
	for i := range c.orderRules {
		r := &c.orderRules[i]
		setType := out.OrderType == "" && r.orderType != ""
		setTerms := out.PaymentTerms == "" && r.payTerm != ""
		if !setType && !setTerms || !r.when.holds(&f) {
			continue
		}
		if setType {
			out.OrderType = r.orderType
		}
		if setTerms {
			out.PaymentTerms = r.payTerm
		}
		if out.Rules == nil {
			out.Rules = make([]string, 0, len(orderFields)) // at most one rule per field
		}
		out.Rules = append(out.Rules, r.name)
		if out.OrderType != "" && out.PaymentTerms != "" {
			break
		}
	}
	if out.OrderType == "" {
		out.OrderType = c.orderDefaults.OrderType
	}
	if out.PaymentTerms == "" {
		out.PaymentTerms = c.orderDefaults.PaymentTerms
	}
	return out
}

// orderDefaults reads order_defaults. Both fields are optional: empty means
// the ERP customer's own defaults.
func (p *problems) orderDefaults(n *yaml.Node) OrderAttributes {
	var a OrderAttributes
	for _, pr := range p.pairs(n, "", "order_defaults", "key", orderFields) {
		if isNull(pr.v) {
			continue
		}
		v, _ := p.text(pr.v, "", "order_defaults."+pr.key)
		p.orderField(&a, pr.key, v)
	}
	return a
}

func (p *problems) orderField(a *OrderAttributes, key, v string) {
	switch key {
	case "order_type":
		a.OrderType = v
	case "payment_terms":
		a.PaymentTerms = v
	}
}

// orderRules reads order_rules.
func (p *problems) orderRules(n *yaml.Node) []orderRule {
	names := ruleNames{}
	var out []orderRule
	for i, it := range p.seq(n, "", "order_rules") {
		r := orderRule{}
		var entry string
		r.name, entry = names.read(p, it, "order_rules", i)
		hasWhen, hasSet := false, false
		for _, pr := range p.pairs(it, entry, "", "key", []string{"name", "when", "set"}) {
			switch pr.key {
			case "when":
				r.when = p.when(pr.v, entry)
				hasWhen = hasContent(pr.v)
			case "set":
				var a OrderAttributes
				for _, s := range p.pairs(pr.v, entry, "set", "order field", orderFields) {
					if v, ok := p.nonEmpty(s.v, entry, "set."+s.key); ok {
						p.orderField(&a, s.key, v)
					}
				}
				hasSet = hasContent(pr.v)
				r.orderType, r.payTerm = a.OrderType, a.PaymentTerms
			}
		}
		if it.Kind == yaml.MappingNode {
			if !hasWhen {
				p.add(it.Line, entry, "no conditions (when): use order_defaults for what always applies")
			}
			if !hasSet {
				p.add(it.Line, entry, "sets nothing: add set: with order_type and/or payment_terms")
			}
		}
		out = append(out, r)
	}
	return out
}
