package mapping

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The mapping is decoded by walking yaml.Node trees by hand rather than by
// yaml.Unmarshal into structs: only the nodes know their line numbers, and
// only a hand walk can report every unknown key, duplicate key and wrong
// type in one pass instead of stopping at the first.

// pair is one key/value entry of a YAML mapping.
type pair struct {
	key  string
	k, v *yaml.Node
}

// deref follows aliases (*anchor) to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// describe names a node's kind for messages ("a list", "text", …).
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "an unexpected value"
}

// where is the line and description of a possibly missing node, for
// messages (line 0 is reported as line 1).
func where(n *yaml.Node) (int, string) {
	if n == nil {
		return 0, "nothing"
	}
	return n.Line, describe(n)
}

// isNull reports a missing or null value (`key:` or `key: null`).
func isNull(n *yaml.Node) bool {
	n = deref(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// hasContent reports a value that is neither null nor an empty mapping or
// list: `when: {}` has no conditions, just like a missing when.
func hasContent(n *yaml.Node) bool {
	n = deref(n)
	if isNull(n) {
		return false
	}
	return n.Kind == yaml.ScalarNode || len(n.Content) > 0
}

// pairs returns the entries of mapping node n. It reports a node that is
// not a mapping, keys that are not plain text, duplicate keys, and — when
// known is not nil — keys not in known (label names them in the message,
// e.g. "key" or "condition field"); reported entries are left out.
func (p *problems) pairs(n *yaml.Node, entry, what, label string, known []string) []pair {
	n = deref(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.add(n.Line, entry, "%swant a mapping (key: value lines), got %s", prefix(what), describe(n))
		return nil
	}
	out := make([]pair, 0, len(n.Content)/2)
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.add(k.Line, entry, "%skeys must be plain text, got %s", prefix(what), describe(k))
			continue
		}
		key := k.Value
		if first, dup := seen[key]; dup {
			p.add(k.Line, entry, "%sduplicate key %q (first on line %d)", prefix(what), key, first)
			continue
		}
		seen[key] = k.Line
		if known != nil && !slices.Contains(known, key) {
			p.add(k.Line, entry, "%sunknown %s %q%s", prefix(what), label, key, suggest(key, known))
			continue
		}
		out = append(out, pair{key: key, k: k, v: v})
	}
	return out
}

// seq returns the items of list node n, reporting a node that is not a
// list.
func (p *problems) seq(n *yaml.Node, entry, what string) []*yaml.Node {
	n = deref(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.add(n.Line, entry, "%swant a list, got %s", prefix(what), describe(n))
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = deref(c)
	}
	return out
}

// text returns the text of a scalar, exactly as written: `terms: 030` is
// "030", not 30, so codes with leading zeros survive without quotes. Null
// and non-scalars are reported (what names the key).
func (p *problems) text(n *yaml.Node, entry, what string) (string, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		line, got := where(n)
		p.add(line, entry, "%swant a text value, got %s", prefix(what), got)
		return "", false
	}
	return n.Value, true
}

// nonEmpty is text that must not be blank; surrounding spaces are removed.
func (p *problems) nonEmpty(n *yaml.Node, entry, what string) (string, bool) {
	s, ok := p.text(n, entry, what)
	if !ok {
		return "", false
	}
	s = strings.TrimSpace(s)
	if s == "" {
		p.add(deref(n).Line, entry, "%sis empty", prefix(what))
		return "", false
	}
	return s, true
}

// boolean reads true or false; anything else (yes, on, "true" in quotes)
// is reported, so a file means exactly what it says.
func (p *problems) boolean(n *yaml.Node, entry, what string) (bool, bool) {
	n = deref(n)
	if n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		if b, err := strconv.ParseBool(strings.ToLower(n.Value)); err == nil {
			return b, true
		}
	}
	line, got := where(n)
	p.add(line, entry, "%swant true or false, got %s", prefix(what), got)
	return false, false
}

// integer reads a whole number.
func (p *problems) integer(n *yaml.Node, entry, what string) (int, bool) {
	n = deref(n)
	if n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		if v, err := strconv.ParseInt(n.Value, 0, 32); err == nil {
			return int(v), true
		}
	}
	line, got := where(n)
	p.add(line, entry, "%swant a whole number, got %s", prefix(what), got)
	return 0, false
}

// oneOf reads text that must be one of allowed.
func (p *problems) oneOf(n *yaml.Node, entry, what string, allowed ...string) (string, bool) {
	s, ok := p.text(n, entry, what)
	if !ok {
		return "", false
	}
	if !slices.Contains(allowed, s) {
		p.add(deref(n).Line, entry, "%swant %s, got %q", prefix(what), orList(allowed), s)
		return "", false
	}
	return s, true
}

func prefix(what string) string {
	if what == "" {
		return ""
	}
	return what + ": "
}

// orList renders ["a","b","c"] as `a, b or c`.
func orList(xs []string) string {
	if len(xs) == 1 {
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}
