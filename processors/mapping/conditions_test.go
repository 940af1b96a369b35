package mapping

import (
	"testing"
)

// holds parses a mapping with one GL rule guarded by whenYAML and reports
// whether it matches f.
func holds(t *testing.T, whenYAML string, f Facts) bool {
	t.Helper()
	c := mustParse(t, doc("gl_rules:\n  - name: r\n    when: "+whenYAML+"\n    accounts: { revenue: \"X\" }\n"+defaultGL))
	_, name := c.Accounts(f)
	return name == "r"
}

func TestOperators(t *testing.T) {
	for _, tc := range []struct {
		name string
		when string
		f    Facts
		want bool
	}{
		{"scalar equals ignores case", `{ plan: Premium }`, Facts{Plan: "premium"}, true},
		{"scalar equals is whole value", `{ plan: premium }`, Facts{Plan: "premium-2"}, false},
		{"list is any of", `{ currency: [eur, SEK] }`, Facts{Currency: "SEK"}, true},
		{"list no match", `{ currency: [EUR, SEK] }`, Facts{Currency: "USD"}, false},
		{"equals op", `{ plan: { equals: gold } }`, Facts{Plan: "GOLD"}, true},
		{"in op", `{ plan: { in: [gold, silver] } }`, Facts{Plan: "silver"}, true},
		{"in op no match", `{ plan: { in: [gold, silver] } }`, Facts{Plan: "bronze"}, false},
		{"prefix", `{ price: { prefix: PRICE_EU } }`, Facts{Price: "price_eu_123"}, true},
		{"prefix no match", `{ price: { prefix: price_eu } }`, Facts{Price: "price_us_123"}, false},
		{"prefix list", `{ price: { prefix: [a, price_] } }`, Facts{Price: "price_1"}, true},
		{"suffix", `{ lookup_key: { suffix: _yearly } }`, Facts{LookupKey: "pro_YEARLY"}, true},
		{"suffix no match", `{ lookup_key: { suffix: _yearly } }`, Facts{LookupKey: "pro_monthly"}, false},
		{"contains", `{ description: { contains: shipping } }`, Facts{Description: "Express SHIPPING fee"}, true},
		{"contains no match", `{ description: { contains: shipping } }`, Facts{Description: "Express delivery"}, false},
		{"contains non-ASCII", `{ description: { contains: ØST } }`, Facts{Description: "Leverans østergade"}, true},
		{"prefix non-ASCII", `{ description: { prefix: ÄPFEL } }`, Facts{Description: "äpfel und birnen"}, true},
		{"suffix non-ASCII", `{ description: { suffix: "café" } }`, Facts{Description: "Le CAFÉ"}, true},
		{"regex unanchored ignores case", `{ product: { regex: "prod_(a|b)" } }`, Facts{Product: "x_PROD_B1"}, true},
		{"regex anchored", `{ product: { regex: "^prod_(a|b)$" } }`, Facts{Product: "prod_ab"}, false},
		{"exists true", `{ interval: { exists: true } }`, Facts{Interval: "month"}, true},
		{"exists true on empty", `{ interval: { exists: true } }`, Facts{}, false},
		{"exists false on empty", `{ interval: { exists: false } }`, Facts{}, true},
		{"exists false on value", `{ interval: { exists: false } }`, Facts{Interval: "year"}, false},
		{"not", `{ plan: { not: premium } }`, Facts{Plan: "basic"}, true},
		{"not no match", `{ plan: { not: [premium, gold] } }`, Facts{Plan: "Gold"}, false},
		{"not needs the field", `{ plan: { not: premium } }`, Facts{}, false},
		{"not exists", `{ plan: { not: { exists: true } } }`, Facts{Plan: "x"}, false},
		{"not of operators", `{ price: { not: { prefix: price_eu } } }`, Facts{Price: "price_us"}, true},
		{"operators are all of", `{ price: { prefix: price_, not: { equals: price_x } } }`, Facts{Price: "price_x"}, false},
		{"operators are all of, holds", `{ price: { prefix: price_, not: { equals: price_x } } }`, Facts{Price: "price_y"}, true},
		{"livemode true", `{ livemode: true }`, Facts{Livemode: true}, true},
		{"livemode true on test", `{ livemode: true }`, Facts{Livemode: false}, false},
		{"livemode false", `{ livemode: false }`, Facts{Livemode: false}, true},
		{"metadata", `{ metadata.tier: gold }`, Facts{Metadata: map[string]string{"tier": "GOLD"}}, true},
		{"metadata key is exact", `{ metadata.tier: gold }`, Facts{Metadata: map[string]string{"Tier": "gold"}}, false},
		{"metadata missing", `{ metadata.tier: gold }`, Facts{}, false},
		{"metadata absent", `{ metadata.tier: { exists: false } }`, Facts{Metadata: map[string]string{"other": "x"}}, true},
		{"metadata key with dots", `{ metadata.erp.cost_center: "42" }`, Facts{Metadata: map[string]string{"erp.cost_center": "42"}}, true},
		{"numbers compare as text", `{ metadata.cost_center: 042 }`, Facts{Metadata: map[string]string{"cost_center": "042"}}, true},
		{"all fields must hold", `{ currency: EUR, livemode: true }`, Facts{Currency: "EUR", Livemode: false}, false},
		{"all fields hold", `{ currency: EUR, livemode: true, payment_method: card, card_brand: visa }`,
			Facts{Currency: "EUR", Livemode: true, PaymentMethod: "card", CardBrand: "visa"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := holds(t, tc.when, tc.f); got != tc.want {
				t.Fatalf("when %s on %+v = %v, want %v", tc.when, tc.f, got, tc.want)
			}
		})
	}
}

// TestEveryField: each condition field reads its own Facts field and no
// other.
func TestEveryField(t *testing.T) {
	set := map[string]func(*Facts, string){
		"event_type":     func(f *Facts, v string) { f.EventType = v },
		"object_type":    func(f *Facts, v string) { f.ObjectType = v },
		"product":        func(f *Facts, v string) { f.Product = v },
		"price":          func(f *Facts, v string) { f.Price = v },
		"lookup_key":     func(f *Facts, v string) { f.LookupKey = v },
		"plan":           func(f *Facts, v string) { f.Plan = v },
		"description":    func(f *Facts, v string) { f.Description = v },
		"payment_method": func(f *Facts, v string) { f.PaymentMethod = v },
		"card_brand":     func(f *Facts, v string) { f.CardBrand = v },
	}
	for _, name := range fieldNames {
		switch name {
		case "livemode", "currency", "interval":
			continue // closed value sets; covered by TestOperators
		}
		setter, ok := set[name]
		if !ok {
			t.Fatalf("field %s has no setter in this test", name)
		}
		when := "{ " + name + ": v1 }"
		var all Facts
		for other, s := range set {
			if other != name {
				s(&all, "v1")
			}
		}
		if holds(t, when, all) {
			t.Errorf("%s matched another field's value", name)
		}
		setter(&all, "v1")
		if !holds(t, when, all) {
			t.Errorf("%s did not match its own value", name)
		}
	}
	if !holds(t, "{ interval: month }", Facts{Interval: "month"}) || holds(t, "{ interval: month }", Facts{Plan: "month"}) {
		t.Error("interval")
	}
	if !holds(t, "{ currency: usd }", Facts{Currency: "USD"}) || holds(t, "{ currency: usd }", Facts{Description: "USD"}) {
		t.Error("currency")
	}
}

func TestFoldHelpers(t *testing.T) {
	for _, tc := range []struct {
		s, w     string
		pre, suf bool
		con      bool
	}{
		{"Hello World", "hello", true, false, true},
		{"Hello World", "world", false, true, true},
		{"Hello World", "o w", false, false, true},
		{"ab", "abc", false, false, false},
		{"", "a", false, false, false},
		{"ÉCOLE", "éc", true, false, true},
		{"x", "", true, true, true},
	} {
		if got := hasPrefixFold(tc.s, tc.w); got != tc.pre {
			t.Errorf("hasPrefixFold(%q, %q) = %v", tc.s, tc.w, got)
		}
		if got := hasSuffixFold(tc.s, tc.w); got != tc.suf {
			t.Errorf("hasSuffixFold(%q, %q) = %v", tc.s, tc.w, got)
		}
		if got := containsFold(tc.s, tc.w); got != tc.con {
			t.Errorf("containsFold(%q, %q) = %v", tc.s, tc.w, got)
		}
	}
}
