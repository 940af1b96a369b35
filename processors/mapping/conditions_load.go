package mapping

import (
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// intervals are Stripe's recurring price intervals.
var intervals = []string{"day", "week", "month", "year"}

// knownFields lists the condition fields for messages.
var knownFields = append(slices.Clone(fieldNames), "metadata.<key>")

// when compiles a rule's `when:` mapping. Every condition field, operator
// and value is checked; problems are reported against entry.
func (p *problems) when(n *yaml.Node, entry string) when {
	var w when
	for _, pr := range p.pairs(n, entry, "when", "", nil) {
		c := condition{}
		switch {
		case strings.HasPrefix(pr.key, "metadata."):
			c.field, c.metaKey = fMetadata, strings.TrimPrefix(pr.key, "metadata.")
			if strings.TrimSpace(c.metaKey) == "" {
				p.add(pr.k.Line, entry, "when: %q needs a metadata key after the dot, e.g. metadata.plan_tier", pr.key)
				continue
			}
		case pr.key == "metadata":
			p.add(pr.k.Line, entry, "when: write metadata conditions as metadata.<key>: value, e.g. metadata.plan_tier: gold")
			continue
		default:
			i := slices.Index(fieldNames, pr.key)
			if i < 0 {
				p.add(pr.k.Line, entry, "unknown condition field %q%s", pr.key, suggest(pr.key, knownFields))
				continue
			}
			c.field = field(i)
		}
		what := "when." + pr.key
		var ok bool
		if c.field == fLivemode {
			c.test, ok = p.livemodeTest(pr.v, entry, what)
		} else {
			c.test, ok = p.test(pr.v, entry, what, c.field)
		}
		if ok {
			w = append(w, c)
		}
	}
	return w
}

// livemodeTest reads `livemode: true|false`.
func (p *problems) livemodeTest(n *yaml.Node, entry, what string) (test, bool) {
	b, ok := p.boolean(n, entry, what)
	return test{ops: []op{{kind: opBool, want: b}}}, ok
}

// test compiles the value side of a condition: a scalar (equals), a list
// (any of) or a mapping of operators (all must hold).
func (p *problems) test(n *yaml.Node, entry, what string, f field) (test, bool) {
	n = deref(n)
	switch {
	case isNull(n):
		line := 0
		if n != nil {
			line = n.Line
		}
		p.add(line, entry, "%s: no value (to test that the field is absent write `exists: false`)", what)
		return test{}, false
	case n.Kind == yaml.ScalarNode, n.Kind == yaml.SequenceNode:
		vals, ok := p.values(n, entry, what, f, true)
		return test{ops: []op{{kind: opEquals, vals: vals}}}, ok
	case n.Kind != yaml.MappingNode:
		p.add(n.Line, entry, "%s: want a value, a list or operators, got %s", what, describe(n))
		return test{}, false
	}
	prs := p.pairs(n, entry, what, "operator", opNames)
	if len(prs) == 0 && len(n.Content) == 0 {
		p.add(n.Line, entry, "%s: no operator (known: %s)", what, strings.Join(opNames, ", "))
		return test{}, false
	}
	t := test{}
	ok := len(prs)*2 == len(n.Content)
	for _, pr := range prs {
		w := what + "." + pr.key
		switch pr.key {
		case "equals", "in":
			vals, good := p.values(pr.v, entry, w, f, true)
			ok = ok && good
			t.ops = append(t.ops, op{kind: opEquals, vals: vals})
		case "prefix", "suffix", "contains":
			vals, good := p.values(pr.v, entry, w, f, false)
			ok = ok && good
			kind := opContains
			switch pr.key {
			case "prefix":
				kind = opPrefix
			case "suffix":
				kind = opSuffix
			}
			t.ops = append(t.ops, op{kind: kind, vals: vals})
		case "regex":
			src, good := p.nonEmpty(pr.v, entry, w)
			if !good {
				ok = false
				continue
			}
			re, err := regexp.Compile("(?i)" + src)
			if err != nil {
				p.add(deref(pr.v).Line, entry, "%s: bad regular expression %q: %v", w, src, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
				ok = false
				continue
			}
			t.ops = append(t.ops, op{kind: opRegex, re: re})
		case "exists":
			b, good := p.boolean(pr.v, entry, w)
			ok = ok && good
			t.ops = append(t.ops, op{kind: opExists, want: b})
		case "not":
			inner, good := p.test(pr.v, entry, w, f)
			ok = ok && good
			t.ops = append(t.ops, op{kind: opNot, not: &inner})
		}
	}
	return t, ok
}

// values reads one value or a list of them, lower-cased. With exact set
// (equals/in), values of fields with a closed set (currency, interval) are
// checked against it, so a typo such as "EURO" fails at load instead of
// never matching.
func (p *problems) values(n *yaml.Node, entry, what string, f field, exact bool) ([]string, bool) {
	n = deref(n)
	var items []*yaml.Node
	if n != nil && n.Kind == yaml.SequenceNode {
		items = p.seq(n, entry, what)
		if len(items) == 0 {
			p.add(n.Line, entry, "%s: empty list", what)
			return nil, false
		}
	} else {
		items = []*yaml.Node{n}
	}
	ok := true
	vals := make([]string, 0, len(items))
	for _, it := range items {
		s, good := p.nonEmpty(it, entry, what)
		if !good {
			ok = false
			continue
		}
		if exact {
			switch f {
			case fCurrency:
				if !KnownCurrency(strings.ToUpper(s)) {
					p.add(it.Line, entry, "%s: %q is not an ISO 4217 currency code", what, s)
					ok = false
					continue
				}
			case fInterval:
				if !slices.Contains(intervals, strings.ToLower(s)) {
					p.add(it.Line, entry, "%s: %q is not a Stripe interval (want %s)", what, s, orList(intervals))
					ok = false
					continue
				}
			}
		}
		vals = append(vals, strings.ToLower(s))
	}
	return vals, ok
}
