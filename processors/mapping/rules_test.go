package mapping

import (
	"slices"
	"testing"
)

const rulesYAML = `version: 1
payment_methods:
  default: STR
  codes:
    card: CRD
    Card.Amex: AMX
    us_bank_account: ACH
    sepa_debit: SEP
items:
  metadata_key: sku
  default: DEF-ITEM
  by_price: { price_1: P-ITEM, price_both: P-WINS }
  by_lookup_key: { pro_monthly: L-ITEM, both: L-LOSES }
  by_product: { prod_1: PR-ITEM, prod_both: PR-LOSES }
  charge_default: CHG
  charge_rules:
    - name: ship
      when: { description: { contains: shipping } }
      item: SHIP
    - name: gift
      when: { metadata.kind: gift }
      item: GIFT
    - name: ship-late
      when: { description: { contains: ship } }
      item: NEVER
order_defaults: { order_type: SO1, payment_terms: "000" }
order_rules:
  - name: premium-terms
    when: { plan: premium }
    set: { payment_terms: "030" }
  - name: subscriptions
    when: { interval: { exists: true } }
    set: { order_type: SUB, payment_terms: "010" }
  - name: eu
    when: { currency: EUR }
    set: { order_type: EU1 }
gl_rules:
  - name: eu-live
    when: { currency: [EUR], livemode: true }
    accounts: { revenue: "3011", fees: "6571" }
  - name: eu-any
    when: { currency: EUR }
    accounts: { revenue: "3012" }
  - name: services
    when: { metadata.stream: services }
    accounts: { revenue: "3040", refunds: "3094", bank: "1941" }
  - name: default
    default: true
    accounts: { clearing: "1930", receivable: "1510", revenue: "3010", deferred_revenue: "2970", refunds: "3090", disputes: "6390", fees: "6570", bank: "1940", fx_gain_loss: "7960" }
`

var defaultAccounts = Accounts{Clearing: "1930", Receivable: "1510", Revenue: "3010", DeferredRevenue: "2970",
	Refunds: "3090", Disputes: "6390", Fees: "6570", Bank: "1940", FXGainLoss: "7960"}

// TestAccountsFirstMatchAndOverride: the first matching rule wins even when
// a later one also matches, and its roles replace the default rule's one by
// one, leaving the other roles at the default.
func TestAccountsFirstMatchAndOverride(t *testing.T) {
	c := mustParse(t, rulesYAML)
	with := func(mod func(*Accounts)) Accounts { a := defaultAccounts; mod(&a); return a }
	for _, tc := range []struct {
		f        Facts
		wantRule string
		want     Accounts
	}{
		{Facts{Currency: "EUR", Livemode: true}, "eu-live", with(func(a *Accounts) { a.Revenue, a.Fees = "3011", "6571" })},
		{Facts{Currency: "EUR", Livemode: false}, "eu-any", with(func(a *Accounts) { a.Revenue = "3012" })},
		// Both eu-any and services hold: the earlier rule wins, whole.
		{Facts{Currency: "EUR", Metadata: map[string]string{"stream": "services"}}, "eu-any", with(func(a *Accounts) { a.Revenue = "3012" })},
		{Facts{Currency: "USD", Metadata: map[string]string{"stream": "services"}}, "services",
			with(func(a *Accounts) { a.Revenue, a.Refunds, a.Bank = "3040", "3094", "1941" })},
		{Facts{Currency: "USD"}, "default", defaultAccounts},
		{Facts{}, "default", defaultAccounts},
	} {
		got, rule := c.Accounts(tc.f)
		if rule != tc.wantRule || got != tc.want {
			t.Errorf("Accounts(%+v) = %+v %q, want %+v %q", tc.f, got, rule, tc.want, tc.wantRule)
		}
	}
	if s := c.Summary(); s.GLRules != 4 || s.OrderRules != 3 || s.ChargeItemRules != 3 || s.PaymentMethodCodes != 4 || s.ItemMappings != 6 {
		t.Fatalf("summary %+v", s)
	}
}

// TestOrderAttributes: each field comes from the first matching rule that
// sets it, else from order_defaults, and Rules names the rules used.
func TestOrderAttributes(t *testing.T) {
	c := mustParse(t, rulesYAML)
	for _, tc := range []struct {
		f    Facts
		want OrderAttributes
	}{
		{Facts{}, OrderAttributes{OrderType: "SO1", PaymentTerms: "000"}},
		// premium-terms sets only the terms; the type comes from a later rule.
		{Facts{Plan: "Premium", Interval: "month"}, OrderAttributes{OrderType: "SUB", PaymentTerms: "030", Rules: []string{"premium-terms", "subscriptions"}}},
		{Facts{Plan: "premium", Currency: "EUR"}, OrderAttributes{OrderType: "EU1", PaymentTerms: "030", Rules: []string{"premium-terms", "eu"}}},
		// subscriptions sets both fields, so eu (which also holds) is not used.
		{Facts{Interval: "year", Currency: "EUR"}, OrderAttributes{OrderType: "SUB", PaymentTerms: "010", Rules: []string{"subscriptions"}}},
		{Facts{Currency: "EUR"}, OrderAttributes{OrderType: "EU1", PaymentTerms: "000", Rules: []string{"eu"}}},
	} {
		got := c.OrderAttributes(tc.f)
		if got.OrderType != tc.want.OrderType || got.PaymentTerms != tc.want.PaymentTerms || !slices.Equal(got.Rules, tc.want.Rules) {
			t.Errorf("OrderAttributes(%+v) = %+v, want %+v", tc.f, got, tc.want)
		}
	}
	// No order_defaults: fields no rule sets stay empty (the customer's defaults).
	c2 := mustParse(t, doc(""))
	if got := c2.OrderAttributes(Facts{Plan: "x"}); got.OrderType != "" || got.PaymentTerms != "" || got.Rules != nil {
		t.Fatalf("no defaults: %+v", got)
	}
}

func TestPaymentMethod(t *testing.T) {
	c := mustParse(t, rulesYAML)
	for _, tc := range []struct {
		typ, brand string
		want       string
		flagged    bool
	}{
		{"card", "visa", "CRD", false},
		{"card", "amex", "AMX", false}, // brand-specific code (written Card.Amex in the file)
		{"card", "", "CRD", false},
		{"CARD", "AMEX", "AMX", false},
		{"us_bank_account", "", "ACH", false},
		{"sepa_debit", "visa", "SEP", false}, // no sepa_debit.visa: the type's code
		{"klarna", "", "STR", true},
		{"", "", "STR", true},
	} {
		code, flag := c.PaymentMethod(tc.typ, tc.brand)
		if code != tc.want || (flag != nil) != tc.flagged {
			t.Errorf("PaymentMethod(%q, %q) = %q %+v, want %q flagged=%v", tc.typ, tc.brand, code, flag, tc.want, tc.flagged)
		}
		if flag != nil && (flag.Code != FlagPaymentMethodUnmapped || flag.Field != "payment_method_details.type" || flag.Detail == "") {
			t.Errorf("flag %+v", flag)
		}
	}
}

func TestItem(t *testing.T) {
	c := mustParse(t, rulesYAML)
	for _, tc := range []struct {
		name                   string
		product, price, lookup string
		md                     map[string]string
		want                   string
		flag                   string
	}{
		{"metadata first", "prod_1", "price_1", "pro_monthly", map[string]string{"sku": " MD-ITEM "}, "MD-ITEM", ""},
		{"metadata key is configurable", "prod_x", "price_x", "", map[string]string{"erp_item": "NOT-USED"}, "DEF-ITEM", FlagItemUnmapped},
		{"by price", "prod_both", "price_both", "both", nil, "P-WINS", ""},
		{"by lookup key before product", "prod_both", "price_x", "both", nil, "L-LOSES", ""},
		{"by product", "prod_both", "", "", nil, "PR-LOSES", ""},
		{"by product only", "prod_1", "price_9", "", nil, "PR-ITEM", ""},
		{"ids are exact", "PROD_1", "", "", nil, "DEF-ITEM", FlagItemUnmapped},
		{"unmapped", "prod_9", "price_9", "", map[string]string{"sku": "  "}, "DEF-ITEM", FlagItemUnmapped},
		{"metadata too long, table", "prod_1", "", "", map[string]string{"sku": "A-VERY-LONG-ITEM-NUMBER"}, "PR-ITEM", FlagItemInvalid},
		{"metadata too long, default", "prod_9", "", "", map[string]string{"sku": "A-VERY-LONG-ITEM-NUMBER"}, "DEF-ITEM", FlagItemInvalid},
		{"metadata 15 characters", "", "", "", map[string]string{"sku": "ÅÄÖ-123456789AB"}, "ÅÄÖ-123456789AB", ""},
	} {
		got, flag := c.Item(tc.product, tc.price, tc.lookup, tc.md)
		gotFlag := ""
		if flag != nil {
			gotFlag = flag.Code
			if flag.Detail == "" || flag.Field == "" {
				t.Errorf("%s: flag without field or detail: %+v", tc.name, flag)
			}
		}
		if got != tc.want || gotFlag != tc.flag {
			t.Errorf("%s: Item = %q %q, want %q %q", tc.name, got, gotFlag, tc.want, tc.flag)
		}
	}
}

func TestChargeItem(t *testing.T) {
	c := mustParse(t, rulesYAML)
	for _, tc := range []struct {
		f    Facts
		want string
	}{
		{Facts{Description: "Shipping for order 12"}, "SHIP"}, // ship-late also matches: first wins
		{Facts{Description: "ship it"}, "NEVER"},
		{Facts{Metadata: map[string]string{"kind": "Gift"}}, "GIFT"},
		{Facts{Description: "Consulting"}, "CHG"},
		{Facts{}, "CHG"},
	} {
		if got := c.ChargeItem(tc.f); got != tc.want {
			t.Errorf("ChargeItem(%+v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}
