package mapping

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// ruleNames checks the names of one list of rules: every rule has one
// (it is what traces, the enriched event's gl_rule and flags show), and no
// two share one (else a trace could not say which rule applied).
type ruleNames map[string]string

// read takes the name of rule i of list from its node it and returns it
// with the entry label used in messages: `gl_rules[3] "premium-eu"` (rules
// are counted from 1, as a person reading the file counts them). It runs
// before the rest of the rule is read, so that every problem in the rule
// names it.
func (rn ruleNames) read(p *problems, it *yaml.Node, list string, i int) (name, entry string) {
	entry = fmt.Sprintf("%s[%d]", list, i+1)
	if it.Kind != yaml.MappingNode {
		return "", entry // the caller reports it
	}
	for j := 0; j+1 < len(it.Content); j += 2 {
		if k := deref(it.Content[j]); k.Kind != yaml.ScalarNode || k.Value != "name" {
			continue
		}
		v := it.Content[j+1]
		s, ok := p.nonEmpty(v, entry, "name")
		if !ok {
			return "", entry
		}
		name = s
		labelled := fmt.Sprintf("%s %q", entry, name)
		if first, dup := rn[name]; dup {
			p.add(lineOf(v), labelled, "duplicate rule name (also %s)", first)
		} else {
			rn[name] = fmt.Sprintf("%s on line %d", entry, lineOf(v))
		}
		return name, labelled
	}
	p.add(it.Line, entry, "no name: every rule needs a name (traces and the enriched events show it)")
	return "", entry
}
