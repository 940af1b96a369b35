package mapping

import (
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// roles are the account roles of the file format, in Accounts' field order.
var roles = []string{
	"clearing", "receivable", "revenue", "deferred_revenue", "refunds", "disputes", "fees", "bank", "fx_gain_loss",
}

// role returns a pointer to the Accounts field of a role name.
func role(a *Accounts, name string) *string {
	switch name {
	case "clearing":
		return &a.Clearing
	case "receivable":
		return &a.Receivable
	case "revenue":
		return &a.Revenue
	case "deferred_revenue":
		return &a.DeferredRevenue
	case "refunds":
		return &a.Refunds
	case "disputes":
		return &a.Disputes
	case "fees":
		return &a.Fees
	case "bank":
		return &a.Bank
	case "fx_gain_loss":
		return &a.FXGainLoss
	}
	return nil
}

// glRule is one GL rule. For a rule before the default, accounts already
// holds the default rule's accounts with the rule's own roles laid over
// them, so deriving accounts is a copy.
type glRule struct {
	name     string
	when     when
	accounts Accounts
}

func (c *config) accounts(f Facts) (Accounts, string) {
	for i := range c.glRules {
		r := &c.glRules[i]
		if r.when.holds(&f) {
			return r.accounts, r.name
		}
	}
	return c.glDefault.accounts, c.glDefault.name
}

// glRules reads gl_rules: the rules in order, the last being the default
// rule (default: true, no conditions, every role set).
func (p *problems) glRules(key, n *yaml.Node) ([]glRule, glRule) {
	items := p.seq(n, "", "gl_rules")
	if len(items) == 0 {
		if nn := deref(n); isNull(nn) || nn.Kind == yaml.SequenceNode {
			p.add(key.Line, "", "gl_rules: no rules; the last rule must be the default rule (default: true) setting every account role")
		}
		return nil, glRule{}
	}
	type parsed struct {
		glRule
		set    []string // roles the rule sets
		line   int
		entry  string
		isDef  bool
		hasWhe bool
		hasAcc bool
	}
	names := ruleNames{}
	var rules []parsed
	for i, it := range items {
		r := parsed{line: it.Line}
		r.name, r.entry = names.read(p, it, "gl_rules", i)
		if it.Kind != yaml.MappingNode {
			p.add(it.Line, r.entry, "want a rule (name, when, accounts), got %s", describe(it))
			continue
		}
		for _, pr := range p.pairs(it, r.entry, "", "key", []string{"name", "when", "default", "accounts"}) {
			switch pr.key {
			case "default":
				r.isDef, _ = p.boolean(pr.v, r.entry, "default")
			case "when":
				r.hasWhe = hasContent(pr.v)
				r.when = p.when(pr.v, r.entry)
			case "accounts":
				r.set = p.accountRoles(pr.v, r.entry, &r.accounts)
				r.hasAcc = hasContent(pr.v)
			}
		}
		rules = append(rules, r)
	}

	var def *parsed
	for i := range rules {
		r := &rules[i]
		if !r.isDef {
			if !r.hasWhe {
				p.add(r.line, r.entry, "no conditions (when): only the default rule may have none, and it must come last")
			}
			if len(r.set) == 0 && !r.hasAcc { // a bad accounts entry is reported already
				p.add(r.line, r.entry, "no accounts: a rule must set at least one account role (%s)", strings.Join(roles, ", "))
			}
			continue
		}
		if def != nil {
			p.add(r.line, r.entry, "a second default rule (the first is %s on line %d)", def.entry, def.line)
			continue
		}
		def = r
		if i != len(rules)-1 {
			p.add(r.line, r.entry, "the default rule must be the last rule: the %d rule(s) after it could never match", len(rules)-1-i)
		}
		if r.hasWhe {
			p.add(r.line, r.entry, "the default rule must not have conditions (when): it is what applies when no other rule does")
		}
		var missing []string
		for _, name := range roles {
			if !slices.Contains(r.set, name) {
				missing = append(missing, name)
			}
		}
		if len(missing) > 0 {
			p.add(r.line, r.entry, "the default rule must set every account role; missing: %s", strings.Join(missing, ", "))
		}
	}
	if def == nil {
		p.add(key.Line, "", "gl_rules: no default rule; add a last rule with `default: true` that sets every account role (%s)", strings.Join(roles, ", "))
		return nil, glRule{}
	}
	out := make([]glRule, 0, len(rules)-1)
	for i := range rules {
		r := &rules[i]
		if r == def {
			continue
		}
		merged := def.accounts
		for _, name := range r.set {
			*role(&merged, name) = *role(&r.accounts, name)
		}
		out = append(out, glRule{name: r.name, when: r.when, accounts: merged})
	}
	return out, def.glRule
}

// accountRoles reads an accounts mapping into a and returns the roles set.
func (p *problems) accountRoles(n *yaml.Node, entry string, a *Accounts) []string {
	var set []string
	for _, pr := range p.pairs(n, entry, "accounts", "account role", roles) {
		if isNull(pr.v) {
			p.add(lineOf(pr.v), entry, "accounts.%s: empty account", pr.key)
			continue
		}
		v, ok := p.text(pr.v, entry, "accounts."+pr.key)
		if !ok {
			continue
		}
		if v = strings.TrimSpace(v); v == "" {
			p.add(deref(pr.v).Line, entry, "accounts.%s: empty account", pr.key)
			continue
		}
		*role(a, pr.key) = v
		set = append(set, pr.key)
	}
	return set
}

// lineOf is the line of a possibly missing node.
func lineOf(n *yaml.Node) int {
	if n = deref(n); n != nil {
		return n.Line
	}
	return 1
}
