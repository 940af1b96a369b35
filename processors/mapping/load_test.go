package mapping

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidationErrors: each broken file is refused with an error that
// names the file, the line of the offending entry (marked #< in the file)
// and the entry, so a person can go straight to it.
func TestValidationErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		yaml string
		want string // what follows "t.yaml:<marked line>: "
	}{
		{"no default rule", doc(`gl_rules: #<
  - name: eu
    when: { currency: EUR }
    accounts: { revenue: "3011" }
`), `gl_rules: no default rule`},
		{"empty gl_rules", doc("gl_rules: [] #<\n"), `gl_rules: no rules`},
		{"default not last", doc(`gl_rules:
` + strings.Replace(defaultGL, "- name: default", "- name: default #<", 1) + `  - name: eu
    when: { currency: EUR }
    accounts: { revenue: "3011" }
`), `gl_rules[1] "default": the default rule must be the last rule`},
		{"default with conditions", doc(`gl_rules:
  - name: default #<
    default: true
    when: { currency: EUR }
    accounts: { clearing: "1930", receivable: "1510", revenue: "3010", deferred_revenue: "2970", refunds: "3090", disputes: "6390", fees: "6570", bank: "1940", fx_gain_loss: "7960" }
`), `gl_rules[1] "default": the default rule must not have conditions`},
		{"default missing roles", doc(`gl_rules:
  - name: default #<
    default: true
    accounts: { clearing: "1930", receivable: "1510", revenue: "3010", deferred_revenue: "2970", refunds: "3090", disputes: "6390", bank: "1940" }
`), `gl_rules[1] "default": the default rule must set every account role; missing: fees, fx_gain_loss`},
		{"second default", doc("gl_rules:\n" + defaultGL + strings.Replace(defaultGL, "name: default", "name: fallback #<", 1)),
			`gl_rules[2] "fallback": a second default rule (the first is gl_rules[1] "default" on line`},
		{"unknown account role", doc(`gl_rules:
  - name: eu
    when: { currency: EUR }
    accounts: { revenu: "3011" } #<
` + defaultGL), `gl_rules[1] "eu": accounts: unknown account role "revenu", did you mean "revenue"?`},
		{"empty account", doc(`gl_rules:
  - name: eu
    when: { currency: EUR }
    accounts: { revenue: "" } #<
` + defaultGL), `gl_rules[1] "eu": accounts.revenue: empty account`},
		{"null account", doc(`gl_rules:
  - name: eu
    when: { currency: EUR }
    accounts:
      revenue: #<
` + defaultGL), `gl_rules[1] "eu": accounts.revenue: empty account`},
		{"rule sets no account", doc(`gl_rules:
  - name: eu #<
    when: { currency: EUR }
` + defaultGL), `gl_rules[1] "eu": no accounts`},
		{"rule without conditions", doc(`gl_rules:
  - name: eu #<
    accounts: { revenue: "3011" }
` + defaultGL), `gl_rules[1] "eu": no conditions (when)`},
		{"empty when", doc(`gl_rules:
  - name: eu #<
    when: {}
    accounts: { revenue: "3011" }
` + defaultGL), `gl_rules[1] "eu": no conditions (when)`},
		{"order rule empty when", doc(`order_rules:
  - name: all #<
    when: {}
    set: { payment_terms: "030" }
`), `order_rules[1] "all": no conditions (when): use order_defaults`},
		{"rule not a mapping", doc("gl_rules:\n  - default #<\n" + defaultGL), `gl_rules[1]: want a rule (name, when, accounts), got "default"`},
		{"rule without name", doc(`gl_rules:
  - when: { currency: EUR } #<
    accounts: { revenue: "3011" }
` + defaultGL), `gl_rules[1]: no name`},
		{"duplicate rule names", doc(`gl_rules:
  - name: eu
    when: { currency: EUR }
    accounts: { revenue: "3011" }
  - name: eu #<
    when: { currency: SEK }
    accounts: { revenue: "3012" }
` + defaultGL), `gl_rules[2] "eu": duplicate rule name (also gl_rules[1] on line`},
		{"bad regex", doc(`gl_rules:
  - name: re
    when: { description: { regex: "([a-z" } } #<
    accounts: { revenue: "3011" }
` + defaultGL), `gl_rules[1] "re": when.description.regex: bad regular expression "([a-z"`},
		{"unknown condition field", doc(`gl_rules:
  - name: premium-eu
    when:
      prodcut: prod_1 #<
    accounts: { revenue: "3011" }
` + defaultGL), `gl_rules[1] "premium-eu": unknown condition field "prodcut", did you mean "product"? (known: event_type, object_type, currency, livemode, product, price`},
		{"nested metadata", doc(`gl_rules:
  - name: md
    when:
      metadata: { tier: gold } #<
    accounts: { revenue: "3011" }
` + defaultGL), `gl_rules[1] "md": when: write metadata conditions as metadata.<key>`},
		{"unknown operator", doc(`gl_rules:
  - name: op
    when:
      plan: { startswith: prem } #<
    accounts: { revenue: "3011" }
` + defaultGL), `gl_rules[1] "op": when.plan: unknown operator "startswith"`},
		{"livemode not a bool", doc(`gl_rules:
  - name: live
    when: { livemode: yes } #<
    accounts: { revenue: "3011" }
` + defaultGL), `gl_rules[1] "live": when.livemode: want true or false, got "yes"`},
		{"exists not a bool", doc(`gl_rules:
  - name: ex
    when: { plan: { exists: "maybe" } } #<
    accounts: { revenue: "3011" }
` + defaultGL), `gl_rules[1] "ex": when.plan.exists: want true or false, got "maybe"`},
		{"empty operator value", doc(`gl_rules:
  - name: ev
    when: { description: { contains: "" } } #<
    accounts: { revenue: "3011" }
` + defaultGL), `gl_rules[1] "ev": when.description.contains: is empty`},
		{"empty list", doc(`gl_rules:
  - name: el
    when: { currency: [] } #<
    accounts: { revenue: "3011" }
` + defaultGL), `gl_rules[1] "el": when.currency: empty list`},
		{"no operator", doc(`gl_rules:
  - name: no
    when: { plan: {} } #<
    accounts: { revenue: "3011" }
` + defaultGL), `gl_rules[1] "no": when.plan: no operator`},
		{"condition without value", doc(`gl_rules:
  - name: nv
    when:
      plan: #<
    accounts: { revenue: "3011" }
` + defaultGL), `gl_rules[1] "nv": when.plan: no value`},
		{"invalid currency in condition", doc(`gl_rules:
  - name: eu
    when:
      currency: [EUR, EURO] #<
    accounts: { revenue: "3011" }
` + defaultGL), `gl_rules[1] "eu": when.currency: "EURO" is not an ISO 4217 currency code`},
		{"invalid interval", doc(`gl_rules:
  - name: iv
    when:
      interval: monthly #<
    accounts: { revenue: "3011" }
` + defaultGL), `gl_rules[1] "iv": when.interval: "monthly" is not a Stripe interval`},
		{"accounts not a mapping", doc(`gl_rules:
  - name: eu
    when: { currency: EUR }
    accounts: ["3011"] #<
` + defaultGL), `gl_rules[1] "eu": accounts: want a mapping`},
		{"unknown rule key", doc(`gl_rules:
  - name: eu
    when: { currency: EUR }
    acounts: { revenue: "3011" } #<
` + defaultGL), `gl_rules[1] "eu": unknown key "acounts", did you mean "accounts"?`},
		{"invalid test_mode", doc("test_mode: sandbx #<\n"), `test_mode: want sandbox or drop, got "sandbx"`},
		{"invalid unknown_events", doc("unknown_events: ignore #<\n"), `unknown_events: want skip or dlq, got "ignore"`},
		{"unknown top-level key", doc("test_mod: drop #<\n"), `unknown key "test_mod", did you mean "test_mode"?`},
		{"duplicate key", doc("test_mode: drop\ntest_mode: sandbox #<\n"), `duplicate key "test_mode" (first on line`},
		{"version", strings.Replace(doc(""), "version: 1", "version: 2 #<", 1), `version: this build reads version 1, got 2`},
		{"non-positive length", doc("address:\n  lines: 4\n  line_length: 0 #<\n"), `address.line_length: must be a positive number of characters, got 0`},
		{"negative length", doc("address:\n  town_length: -3 #<\n"), `address.town_length: must be a positive number of characters, got -3`},
		{"length not a number", doc("address:\n  lines: four #<\n"), `address.lines: want a whole number, got "four"`},
		{"unknown address key", doc("address:\n  zip_length: 5 #<\n"), `address: unknown key "zip_length"`},
		{"deferral enabled not a bool", doc("deferral:\n  enabled: 1 #<\n"), `deferral.enabled: want true or false, got "1"`},
		{"negative min period", doc("deferral:\n  min_period_days: -1 #<\n"), `deferral.min_period_days: must not be negative`},
		{"empty xref key", doc("customer_xref: { metadata_key: \"\" } #<\n"), `customer_xref.metadata_key: is empty`},
		{"long default item", strings.Replace(doc(""), "default: ITEM", "default: THIS-IS-SIXTEEN-X #<", 1),
			`items.default: item "THIS-IS-SIXTEEN-X" is 17 characters, longer than 15 (M3 ITNO)`},
		{"long table item", strings.Replace(doc(""), "default: ITEM", "default: ITEM\n  by_price:\n    price_123: ABCDEFGHIJKLMNOP #<", 1),
			`items.by_price "price_123": item "ABCDEFGHIJKLMNOP" is 16 characters, longer than 15`},
		{"long charge rule item", strings.Replace(doc(""), "default: ITEM", `default: ITEM
  charge_rules:
    - name: ship
      when: { description: { contains: shipping } }
      item: SHIPPING-AND-HANDLING #<`, 1), `items.charge_rules[1] "ship": item: item "SHIPPING-AND-HANDLING" is 21 characters`},
		{"charge rule without conditions", strings.Replace(doc(""), "default: ITEM", `default: ITEM
  charge_rules:
    - name: ship #<
      item: SHIP`, 1), `items.charge_rules[1] "ship": no conditions (when)`},
		{"missing items default", strings.Replace(doc(""), "items:\n  default: ITEM\n", "items: #<\n  metadata_key: sku\n", 1),
			`items.default is missing`},
		{"missing payment default", strings.Replace(doc(""), "  default: STR\n", "", 1) + "#<", ""},
		{"bad payment method key", strings.Replace(doc(""), "codes: { card: CRD }", "codes:\n    credit card: CRD #<", 1),
			`payment_methods.codes "credit card": not a payment method type`},
		{"payment method keys differ only in case", strings.Replace(doc(""), "codes: { card: CRD }", "codes:\n    card: CRD\n    Card: CRX #<", 1),
			`payment_methods.codes "Card": the same type as the entry on line`},
		{"empty payment method code", strings.Replace(doc(""), "codes: { card: CRD }", "codes:\n    card: \" \" #<", 1),
			`payment_methods.codes "card": is empty`},
		{"order rule sets nothing", doc(`order_rules:
  - name: premium #<
    when: { plan: premium }
`), `order_rules[1] "premium": sets nothing`},
		{"order rule unknown field", doc(`order_rules:
  - name: premium
    when: { plan: premium }
    set: { payment_term: "030" } #<
`), `order_rules[1] "premium": set: unknown order field "payment_term", did you mean "payment_terms"?`},
		{"order rule duplicate", doc(`order_rules:
  - name: premium
    when: { plan: premium }
    set: { payment_terms: "030" }
  - name: premium #<
    when: { plan: gold }
    set: { payment_terms: "060" }
`), `order_rules[2] "premium": duplicate rule name`},
		{"rules not a list", doc("order_rules: { name: x } #<\n"), `order_rules: want a list, got a mapping`},
		{"yaml scanner error", doc("test_mode: drop\nunknown_events: skip: now #<\n"), `not valid YAML: mapping values are not allowed in this context`},
		{"yaml parser error", doc("test_mode: drop\n  unknown_events: skip #<\n"), `not valid YAML: `},
		{"yaml syntax", doc("test_mode: [sandbox #<\nunknown_events: skip\n"), `not valid YAML`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "t.yaml")
			if err == nil {
				t.Fatalf("no error for:\n%s", tc.yaml)
			}
			if tc.name == "missing payment default" {
				// The key line of payment_methods, not a marked line.
				want := fmt.Sprintf("t.yaml:%d: payment_methods.default is missing", 2)
				if !strings.Contains(err.Error(), want) {
					t.Fatalf("error:\n%v\nwant it to contain:\n%s", err, want)
				}
				return
			}
			want := fmt.Sprintf("t.yaml:%d: %s", markedLine(t, tc.yaml), tc.want)
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("error:\n%v\nwant it to contain:\n%s\nfile:\n%s", err, want, numbered(tc.yaml))
			}
		})
	}
}

func numbered(s string) string {
	var b strings.Builder
	for i, l := range strings.Split(s, "\n") {
		fmt.Fprintf(&b, "%3d %s\n", i+1, l)
	}
	return b.String()
}

// TestAllErrorsCollected: one run reports every problem, in line order,
// as *Error values.
func TestAllErrorsCollected(t *testing.T) {
	src := doc(`test_mode: drp
unknown_events: later
gl_rules:
  - name: eu
    when: { currency: EURO, prodcut: x }
    accounts: { revenu: "1" }
  - name: default
    default: true
    accounts: { clearing: "1930" }
`)
	_, err := Parse([]byte(src), "m.yaml")
	errs := Errors(err)
	if len(errs) != 6 {
		t.Fatalf("%d errors, want 6:\n%v", len(errs), err)
	}
	for i, e := range errs {
		if e.File != "m.yaml" || e.Line < 1 || (i > 0 && e.Line < errs[i-1].Line) {
			t.Fatalf("error %d %+v: wrong file or not in line order", i, e)
		}
	}
	if got := strings.Count(err.Error(), "\n") + 1; got != 6 {
		t.Fatalf("err.Error() has %d lines, want one per problem:\n%v", got, err)
	}
	var one *Error
	if !errors.As(err, &one) || one.Line != errs[0].Line {
		t.Fatalf("errors.As gives %+v, want the first problem %+v", one, errs[0])
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mapping.yaml")
	src := doc("test_mode: drop\nunknown_events: dlq\ncustomer_xref: { metadata_key: m3_cuno }\ndeferral: { enabled: true, min_period_days: 60 }\n")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.TestMode() != TestModeDrop || c.UnknownEvents() != UnknownDLQ || c.CustomerXRefKey() != "m3_cuno" ||
		c.Deferral() != (Deferral{Enabled: true, MinPeriodDays: 60}) {
		t.Fatalf("loaded %+v xref %q", c.Summary(), c.CustomerXRefKey())
	}
	if c.Summary().Name != path {
		t.Fatalf("summary name %q", c.Summary().Name)
	}

	// Errors name the path as given.
	if err := os.WriteFile(path, []byte(doc("test_mode: off\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.HasPrefix(err.Error(), path+":7: test_mode:") {
		t.Fatalf("err = %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Fatalf("missing file: %v", err)
	}
}

// TestOptionalDefaults: settings left out take their documented defaults.
func TestOptionalDefaults(t *testing.T) {
	c := mustParse(t, doc(""))
	if c.TestMode() != TestModeSandbox || c.UnknownEvents() != UnknownSkip || c.CustomerXRefKey() != "erp_customer_id" {
		t.Fatalf("defaults: %+v %q", c.Summary(), c.CustomerXRefKey())
	}
	if c.Deferral() != (Deferral{Enabled: false, MinPeriodDays: 32}) {
		t.Fatalf("deferral default %+v", c.Deferral())
	}
	if c.impl.address != defaultAddressLimits {
		t.Fatalf("address default %+v", c.impl.address)
	}
	if got := c.ChargeItem(Facts{}); got != "ITEM" {
		t.Fatalf("charge_default defaults to items.default, got %q", got)
	}
}

func TestEmptyAndNonMappingFiles(t *testing.T) {
	for _, src := range []string{"", "# only a comment\n", "- a\n- b\n"} {
		if _, err := Parse([]byte(src), "x.yaml"); err == nil || !strings.HasPrefix(err.Error(), "x.yaml:1: ") {
			t.Fatalf("%q: %v", src, err)
		}
	}
	// A file missing every required section says so for each.
	_, err := Parse([]byte("test_mode: drop\n"), "x.yaml")
	for _, k := range []string{"version", "payment_methods", "items", "gl_rules"} {
		if !strings.Contains(err.Error(), k+" is missing") {
			t.Fatalf("no %q is missing in %v", k, err)
		}
	}
}

// TestAliases: YAML anchors and aliases work (a finance team may share one
// accounts block between rules).
func TestAliases(t *testing.T) {
	c := mustParse(t, doc(`gl_rules:
  - name: eu
    when: { currency: &eu [EUR] }
    accounts: &euacc { revenue: "3011" }
  - name: eu-test
    when: { currency: *eu, livemode: false }
    accounts: *euacc
`+defaultGL))
	if a, name := c.Accounts(Facts{Currency: "EUR"}); name != "eu" || a.Revenue != "3011" {
		t.Fatalf("%v %s", a, name)
	}
}
