package main

import (
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/stripe-infor/stripe-infor/infor/emulator"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
)

// TestBuiltInMappingFitsTheDevTenant: every code and account the built-in
// mapping can put in a command exists in the dev emulator's seed, or
// `make run` would dead-letter orders and journals ("order type … does not
// exist"). A change to either side must keep them in step.
func TestBuiltInMappingFitsTheDevTenant(t *testing.T) {
	var doc struct {
		PaymentMethods struct {
			Default string            `yaml:"default"`
			Codes   map[string]string `yaml:"codes"`
		} `yaml:"payment_methods"`
		Items struct {
			Default       string `yaml:"default"`
			ChargeDefault string `yaml:"charge_default"`
			ChargeRules   []struct {
				Item string `yaml:"item"`
			} `yaml:"charge_rules"`
		} `yaml:"items"`
		OrderDefaults struct {
			OrderType    string `yaml:"order_type"`
			PaymentTerms string `yaml:"payment_terms"`
		} `yaml:"order_defaults"`
		OrderRules []struct {
			Set struct {
				OrderType    string `yaml:"order_type"`
				PaymentTerms string `yaml:"payment_terms"`
			} `yaml:"set"`
		} `yaml:"order_rules"`
		GLRules []struct {
			Accounts map[string]string `yaml:"accounts"`
		} `yaml:"gl_rules"`
	}
	if err := yaml.Unmarshal(mapping.DefaultYAML, &doc); err != nil {
		t.Fatal(err)
	}
	seed := emulator.DefaultSeed()
	known := func(kind string, codes ...string) map[string]bool {
		m := map[string]bool{}
		for _, c := range codes {
			m[c] = true
		}
		if len(m) == 0 {
			t.Fatalf("the seed has no %s", kind)
		}
		return m
	}
	var methods, items, types, terms, accounts []string
	for _, p := range seed.PaymentMethods {
		methods = append(methods, p.PYCD)
	}
	for _, i := range seed.Items {
		items = append(items, i.ITNO)
	}
	prepaid := map[string]bool{}
	for _, o := range seed.OrderTypes {
		types = append(types, o.ORTP)
		prepaid[o.ORTP] = o.Prepaid
	}
	for _, p := range seed.PaymentTerms {
		terms = append(terms, p.TEPY)
	}
	for _, a := range seed.GLAccounts {
		accounts = append(accounts, a.AIT1)
	}
	check := func(set map[string]bool, kind, code, where string) {
		t.Helper()
		if code != "" && !set[code] {
			t.Errorf("%s %q (%s) is not in the emulator seed", kind, code, where)
		}
	}
	km, ki, kt, kp, ka := known("payment methods", methods...), known("items", items...), known("order types", types...),
		known("payment terms", terms...), known("GL accounts", accounts...)
	check(km, "payment method", doc.PaymentMethods.Default, "payment_methods.default")
	for typ, code := range doc.PaymentMethods.Codes {
		check(km, "payment method", code, "payment_methods.codes."+typ)
	}
	check(ki, "item", doc.Items.Default, "items.default")
	check(ki, "item", doc.Items.ChargeDefault, "items.charge_default")
	for _, r := range doc.Items.ChargeRules {
		check(ki, "item", r.Item, "items.charge_rules")
	}
	check(kt, "order type", doc.OrderDefaults.OrderType, "order_defaults")
	check(kp, "payment terms", doc.OrderDefaults.PaymentTerms, "order_defaults")
	// Stripe orders are paid when they are made: a prepaid type, so that
	// confirming the order makes the invoice the payment is applied to.
	if !prepaid[doc.OrderDefaults.OrderType] {
		t.Errorf("order type %q is not prepaid in the seed", doc.OrderDefaults.OrderType)
	}
	for _, r := range doc.OrderRules {
		check(kt, "order type", r.Set.OrderType, "order_rules")
		check(kp, "payment terms", r.Set.PaymentTerms, "order_rules")
	}
	for _, r := range doc.GLRules {
		for role, acc := range r.Accounts {
			check(ka, "GL account", acc, "gl_rules "+role)
		}
	}
}
