package mapping

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

// Item flag codes.
const (
	// FlagItemUnmapped: no metadata and no table entry named an item for
	// the product/price; the default item was used.
	FlagItemUnmapped = "item_unmapped"
	// FlagItemInvalid: the product's item metadata is longer than an item
	// number may be; the table or the default item was used instead.
	FlagItemInvalid = "item_invalid"
)

// MaxItemLength is the longest item number the ERP takes (M3 ITNO).
const MaxItemLength = 15

// items maps Stripe products and prices to ERP item numbers.
type items struct {
	metaKey     string
	def         string
	byPrice     map[string]string
	byLookupKey map[string]string
	byProduct   map[string]string
	chargeDef   string
	chargeRules []chargeRule
}

// chargeRule picks the item of a one-off charge.
type chargeRule struct {
	name string
	when when
	item string
}

func (c *config) item(product, price, lookupKey string, md map[string]string) (string, *command.Flag) {
	it := &c.items
	var bad string
	if v := strings.TrimSpace(md[it.metaKey]); v != "" {
		if utf8.RuneCountInString(v) <= MaxItemLength {
			return v, nil
		}
		bad = v
	}
	for _, t := range [...]struct {
		m   map[string]string
		key string
	}{{it.byPrice, price}, {it.byLookupKey, lookupKey}, {it.byProduct, product}} {
		if t.key == "" {
			continue
		}
		if v, ok := t.m[t.key]; ok {
			if bad != "" {
				return v, c.badItemFlag(bad, v)
			}
			return v, nil
		}
	}
	if bad != "" {
		return it.def, c.badItemFlag(bad, it.def)
	}
	return it.def, &command.Flag{
		Code:   FlagItemUnmapped,
		Field:  "item",
		Detail: fmt.Sprintf("no item for product %q price %q (metadata.%s or the items tables); used default %q", product, price, it.metaKey, it.def),
	}
}

func (c *config) badItemFlag(bad, used string) *command.Flag {
	return &command.Flag{
		Code:  FlagItemInvalid,
		Field: "metadata." + c.items.metaKey,
		Detail: fmt.Sprintf("item %q in metadata.%s is longer than %d characters; used %q",
			bad, c.items.metaKey, MaxItemLength, used),
	}
}

func (c *config) chargeItem(f Facts) string {
	for i := range c.items.chargeRules {
		if r := &c.items.chargeRules[i]; r.when.holds(&f) {
			return r.item
		}
	}
	return c.items.chargeDef
}

// items reads the items section.
func (p *problems) items(key, n *yaml.Node) items {
	it := items{metaKey: defaultItemMetaKey, byPrice: map[string]string{}, byLookupKey: map[string]string{}, byProduct: map[string]string{}}
	hasDefault := false
	for _, pr := range p.pairs(n, "", "items", "key", []string{
		"metadata_key", "default", "by_price", "by_lookup_key", "by_product", "charge_default", "charge_rules",
	}) {
		what := "items." + pr.key
		switch pr.key {
		case "metadata_key":
			if s, ok := p.nonEmpty(pr.v, "", what); ok {
				it.metaKey = s
			}
		case "default":
			it.def, _ = p.itemNumber(pr.v, "", what)
			hasDefault = true
		case "charge_default":
			it.chargeDef, _ = p.itemNumber(pr.v, "", what)
		case "by_price":
			p.itemTable(pr.v, what, it.byPrice)
		case "by_lookup_key":
			p.itemTable(pr.v, what, it.byLookupKey)
		case "by_product":
			p.itemTable(pr.v, what, it.byProduct)
		case "charge_rules":
			it.chargeRules = p.chargeRules(pr.v)
		}
	}
	if !hasDefault {
		p.add(key.Line, "", "items.default is missing: the item for products the mapping does not name")
	}
	if it.chargeDef == "" {
		it.chargeDef = it.def
	}
	return it
}

// itemTable reads one id → item table.
func (p *problems) itemTable(n *yaml.Node, what string, into map[string]string) {
	for _, pr := range p.pairs(n, "", what, "", nil) {
		key := strings.TrimSpace(pr.key)
		entry := fmt.Sprintf("%s %q", what, pr.key)
		if key == "" {
			p.add(pr.k.Line, entry, "empty key")
			continue
		}
		if v, ok := p.itemNumber(pr.v, entry, ""); ok {
			into[key] = v
		}
	}
}

// itemNumber reads an item number: not empty, at most MaxItemLength
// characters.
func (p *problems) itemNumber(n *yaml.Node, entry, what string) (string, bool) {
	s, ok := p.nonEmpty(n, entry, what)
	if !ok {
		return "", false
	}
	if l := utf8.RuneCountInString(s); l > MaxItemLength {
		p.add(lineOf(n), entry, "%sitem %q is %d characters, longer than %d (M3 ITNO)", prefix(what), s, l, MaxItemLength)
		return "", false
	}
	return s, true
}

// chargeRules reads items.charge_rules.
func (p *problems) chargeRules(n *yaml.Node) []chargeRule {
	names := ruleNames{}
	var out []chargeRule
	for i, it := range p.seq(n, "", "items.charge_rules") {
		r := chargeRule{}
		var entry string
		r.name, entry = names.read(p, it, "items.charge_rules", i)
		hasWhen, hasItem := false, false
		for _, pr := range p.pairs(it, entry, "", "key", []string{"name", "when", "item"}) {
			switch pr.key {
			case "when":
				r.when = p.when(pr.v, entry)
				hasWhen = hasContent(pr.v)
			case "item":
				r.item, _ = p.itemNumber(pr.v, entry, "item")
				hasItem = true
			}
		}
		if it.Kind == yaml.MappingNode {
			if !hasWhen {
				p.add(it.Line, entry, "no conditions (when): use items.charge_default for what always applies")
			}
			if !hasItem {
				p.add(it.Line, entry, "no item")
			}
		}
		out = append(out, r)
	}
	return out
}
