package mapping

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

// TestDefaultLoads guards the embedded default: Default() panics when it
// is invalid, which would stop every processor that has no MAPPING_FILE.
func TestDefaultLoads(t *testing.T) {
	if _, err := Parse(DefaultYAML, "default.yaml"); err != nil {
		t.Fatalf("default.yaml: %v", err)
	}
	c := Default()
	if c != Default() {
		t.Fatal("Default() parses again on every call")
	}
	s := c.Summary()
	if s.TestMode != TestModeSandbox || s.UnknownEvents != UnknownSkip || !s.Deferral.Enabled || s.Deferral.MinPeriodDays != 32 {
		t.Fatalf("summary %+v", s)
	}
	a, rule := c.Accounts(Facts{Currency: "USD", Livemode: true})
	// The built-in accounts are the dev emulator's chart (infor/emulator
	// seed), so `make run` books into accounts that exist.
	builtIn := Accounts{Clearing: "1580", Receivable: "1510", Revenue: "3010", DeferredRevenue: "2450",
		Refunds: "3740", Disputes: "6580", Fees: "6570", Bank: "1930", FXGainLoss: "7960"}
	if rule != "default" || a != builtIn {
		t.Fatalf("default accounts %+v %s", a, rule)
	}
	if code, flag := c.PaymentMethod("card", "amex"); code != "AMX" || flag != nil {
		t.Fatalf("amex: %s %v", code, flag)
	}
	if got := c.OrderAttributes(Facts{}); got.OrderType != "WEB" || got.PaymentTerms != "0" {
		t.Fatalf("order defaults %+v", got)
	}
	if c.CustomerXRefKey() != "erp_customer_id" {
		t.Fatal(c.CustomerXRefKey())
	}
	if item, flag := c.Item("prod_1", "price_1", "", map[string]string{"erp_item": "SKU-1"}); item != "SKU-1" || flag != nil {
		t.Fatalf("erp_item metadata: %s %v", item, flag)
	}
	if c.ChargeItem(Facts{}) != "STRIPE-CHARGE" {
		t.Fatal(c.ChargeItem(Facts{}))
	}
}

// TestDefaultPanicsOnBadFile: an invalid embedded default is a build
// mistake and must not start a processor with a half-read mapping.
func TestDefaultPanicsOnBadFile(t *testing.T) {
	saved, savedCfg := DefaultYAML, defaultCfg
	defer func() {
		DefaultYAML, defaultCfg, defaultOnce = saved, savedCfg, sync.Once{}
		if savedCfg != nil {
			defaultOnce.Do(func() {})
		}
	}()
	DefaultYAML, defaultCfg, defaultOnce = []byte("version: 1\n"), nil, sync.Once{}
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(strings.ToLower(toString(r)), "default.yaml") {
			t.Fatalf("recovered %v, want a panic naming default.yaml", r)
		}
	}()
	Default()
}

func toString(v any) string {
	if e, ok := v.(error); ok {
		return e.Error()
	}
	s, _ := v.(string)
	return s
}

// TestDocsCoverFormat: docs/mapping.md mentions every key, role, condition
// field and operator the loader accepts, so a finance reader never meets
// an undocumented one.
func TestDocsCoverFormat(t *testing.T) {
	b, err := os.ReadFile("../../docs/mapping.md")
	if err != nil {
		t.Fatal(err)
	}
	docText := string(b)
	words := append(append(append(append([]string{}, topKeys...), roles...), fieldNames...), opNames...)
	words = append(words, "metadata.<key>", "metadata_key", "by_price", "by_lookup_key", "by_product", "charge_default",
		"charge_rules", "line_length", "town_length", "postal_code_length", "state_length", "name_length", "min_period_days",
		"enabled", FlagTruncated, FlagMoved, FlagInvalidCountry, FlagItemUnmapped, FlagItemInvalid, FlagPaymentMethodUnmapped,
		"stripe-infor mapping check", "stripe-infor mapping preview")
	for _, w := range words {
		if !strings.Contains(docText, "`"+w) {
			t.Errorf("docs/mapping.md does not document `%s`", w)
		}
	}
}

// TestConcurrentUse: a Config is shared by every goroutine of a processor;
// the race detector holds it to being read-only after load.
func TestConcurrentUse(t *testing.T) {
	c := mustParse(t, rulesYAML)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				f := Facts{Currency: []string{"EUR", "USD"}[i%2], Plan: "premium", Livemode: g%2 == 0,
					Metadata: map[string]string{"stream": "services"}}
				c.Accounts(f)
				c.OrderAttributes(f)
				c.PaymentMethod("card", "amex")
				c.Item("prod_1", "price_1", "", nil)
				c.ChargeItem(f)
				c.NormalizeAddress(command.Address{Line1: "Kungsgatan 12, c/o Andersson Consulting AB", Country: "se"})
				c.NormalizeName("Grace Hopper")
			}
		}(g)
	}
	wg.Wait()
}

// TestDocsWorkedExample: the worked example in docs/mapping.md loads and
// gives the results its table promises.
func TestDocsWorkedExample(t *testing.T) {
	b, err := os.ReadFile("../../docs/mapping.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "## Worked example")
	if !ok {
		t.Fatal("no worked example")
	}
	_, block, _ := strings.Cut(after, "```yaml\n")
	block, _, _ = strings.Cut(block, "```")
	c := mustParse(t, block)

	f := Facts{EventType: "invoice.paid", ObjectType: "invoice", Currency: "EUR", Livemode: true,
		Price: "price_1", LookupKey: "premium_yearly", Plan: "Premium", Interval: "year",
		PaymentMethod: "card", CardBrand: "amex", Metadata: map[string]string{"revenue_stream": "services"}}
	if item, flag := c.Item("prod_1", f.Price, f.LookupKey, nil); item != "SUB-PREM-Y" || flag != nil {
		t.Errorf("item %s %v", item, flag)
	}
	if code, _ := c.PaymentMethod(f.PaymentMethod, f.CardBrand); code != "AMX" {
		t.Errorf("payment method %s", code)
	}
	if oa := c.OrderAttributes(f); oa.PaymentTerms != "030" || oa.OrderType != "SUB" {
		t.Errorf("order %+v", oa)
	}
	a, rule := c.Accounts(f)
	want := defaultAccounts
	want.Revenue, want.Clearing = "3011", "1931"
	if rule != "nordic-eu-live" || a != want {
		t.Errorf("accounts %+v %s", a, rule)
	}
	f.Currency = "USD"
	if a, rule := c.Accounts(f); rule != "services" || a.Revenue != "3040" {
		t.Errorf("USD: %+v %s", a, rule)
	}
	if c.TestMode() != TestModeDrop || c.UnknownEvents() != UnknownDLQ || c.CustomerXRefKey() != "m3_customer" ||
		c.Deferral() != (Deferral{Enabled: true, MinPeriodDays: 32}) {
		t.Errorf("settings %+v", c.Summary())
	}
}
