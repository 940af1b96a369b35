package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

// Seed is the master data the emulator starts from, and what
// POST /_emulator/reset returns to. M3 keeps this data in its own programs
// (MMS001, CRS610 templates, OIS010, CRS075, CRS070, GLS010, CRS055); the
// emulator only reads it, so transactions can refuse unknown item numbers,
// currencies or accounts exactly where M3 would.
//
// Config.SeedFile is a JSON object with any of the keys below. A key that is
// present replaces that whole list of the built-in defaults (DefaultSeed); a
// key that is absent keeps the default. number_series merges per series: a
// series named in the file replaces that series only. Unknown keys are an
// error, so a typo does not silently fall back to a default.
//
//	{
//	  "currencies":         [{"CUCD": "USD", "TX40": "US dollar", "DCCD": 2}],
//	  "items":              [{"ITNO": "WIDGET", "ITDS": "Widget", "UNMS": "EA", "SAPR": "12.50"}],
//	  "customer_templates": [{"CUTM": "STRIPE", "default": true,
//	                          "fields": {"CUCD": "USD", "TEPY": "0", "PYCD": "CC", "ORTP": "WEB", "STAT": "20"}}],
//	  "order_types":        [{"ORTP": "WEB", "TX40": "Web order, paid in advance", "prepaid": true}],
//	  "payment_terms":      [{"TEPY": "30", "TX40": "30 days net"}],
//	  "payment_methods":    [{"PYCD": "CC", "TX40": "Card (Stripe)"}],
//	  "gl_accounts":        [{"AIT1": "1580", "TX40": "Stripe clearing", "role": "stripe_clearing"}],
//	  "bank_accounts":      [{"BKID": "STRIPE", "TX40": "Stripe balance", "AIT1": "1580"}],
//	  "customers":          [{"CUNO": "10000", "CUNM": "Walk-in customer", "CUCD": "USD"}],
//	  "number_series":      {"CUNO": {"prefix": "", "next": 10001, "width": 0}},
//	  "accounting":         {"receivable": "1510", "sales": "3010", "credit_notes": "3740",
//	                         "sales_by_order_type": {"SUB": "3020"}}
//	}
//
// Field names are M3's. DCCD is the number of decimals of a currency, which
// decides what amount strings are valid in it (JPY 0: "100"; KWD 3:
// "1.250"). SAPR on an item is the default unit price used when
// OIS100MI/AddBatchLine gives none. A customer template's fields are copied
// into every customer added with that CUTM (or with no CUTM, when the
// template is the default) before the transaction's own fields. An order
// type with prepaid true is invoiced at OIS100MI/Confirm. role on a GL
// account is documentation for people and the mapping rules; the emulator
// only checks that AIT1 exists. customers are present after every reset.
// number_series gives, per series (CUNO customers, TEMP temporary order
// numbers, ORNO final order numbers, CINO invoices, STNB bank statements,
// BCHN GL batches), the next number, a prefix and a zero-padded width.
type Seed struct {
	Currencies        []Currency              `json:"currencies"`
	Items             []Item                  `json:"items"`
	CustomerTemplates []CustomerTemplate      `json:"customer_templates"`
	OrderTypes        []OrderType             `json:"order_types"`
	PaymentTerms      []PaymentTerm           `json:"payment_terms"`
	PaymentMethods    []PaymentMethod         `json:"payment_methods"`
	GLAccounts        []GLAccount             `json:"gl_accounts"`
	BankAccounts      []BankAccount           `json:"bank_accounts"`
	Customers         []Customer              `json:"customers"`
	NumberSeries      map[string]NumberSeries `json:"number_series"`
	// Accounting names the accounts of the vouchers the emulator posts by
	// itself, as M3 does (see Accounting). The key replaces the whole
	// object; {"receivable": ""} turns automatic vouchers off.
	Accounting Accounting `json:"accounting"`
}

// Currency is a CRS055 currency. DCCD is its number of decimals.
type Currency struct {
	CUCD string `json:"CUCD"`
	TX40 string `json:"TX40"`
	DCCD int    `json:"DCCD"`
}

// Item is an MMS001 item. SAPR is its default unit sales price.
type Item struct {
	ITNO string `json:"ITNO"`
	ITDS string `json:"ITDS"`
	FUDS string `json:"FUDS,omitempty"`
	UNMS string `json:"UNMS"`
	STAT string `json:"STAT,omitempty"`
	SAPR string `json:"SAPR,omitempty"`
}

// CustomerTemplate holds the defaults of customers added with its CUTM.
// Default marks the template used when CRS610MI/Add names none.
type CustomerTemplate struct {
	CUTM    string            `json:"CUTM"`
	Default bool              `json:"default,omitempty"`
	Fields  map[string]string `json:"fields"`
}

// OrderType is an OIS010 customer order type. Prepaid orders are invoiced
// when confirmed, the way a web shop paid by card is.
type OrderType struct {
	ORTP    string `json:"ORTP"`
	TX40    string `json:"TX40"`
	Prepaid bool   `json:"prepaid,omitempty"`
}

// PaymentTerm is a CRS075 payment term.
type PaymentTerm struct {
	TEPY string `json:"TEPY"`
	TX40 string `json:"TX40"`
}

// PaymentMethod is a CRS070 payment method.
type PaymentMethod struct {
	PYCD string `json:"PYCD"`
	TX40 string `json:"TX40"`
}

// GLAccount is a GLS010 account (accounting dimension 1).
type GLAccount struct {
	AIT1 string `json:"AIT1"`
	TX40 string `json:"TX40"`
	Role string `json:"role,omitempty"`
}

// BankAccount is a bank account identity that bank statements (ABS100MI)
// are booked on; AIT1 is its ledger account, for reference.
type BankAccount struct {
	BKID string `json:"BKID"`
	TX40 string `json:"TX40"`
	AIT1 string `json:"AIT1,omitempty"`
}

// NumberSeries hands out numbers Prefix + Next, left-padded with zeros to
// Width digits.
type NumberSeries struct {
	Prefix string `json:"prefix"`
	Next   int64  `json:"next"`
	Width  int    `json:"width"`
}

// Number series names, and the field whose length bounds them.
var seriesField = map[string]string{
	"CUNO": "CUNO", "TEMP": "ORNO", "ORNO": "ORNO", "CINO": "CINO", "STNB": "STNB", "BCHN": "BCHN",
}

// DefaultSeed is the built-in master data for dev: the currencies Stripe
// settles in, including the zero- and three-decimal ones that catch unit
// mistakes (JPY, KRW, ISK, UGX; KWD, BHD, JOD, OMR, TND), a few items, the
// GL accounts of DESIGN.md's accounting model, a prepaid web order type and
// the Stripe payment methods. Each call returns a fresh copy.
func DefaultSeed() Seed {
	return Seed{
		Currencies: []Currency{
			{"USD", "US dollar", 2}, {"EUR", "Euro", 2}, {"GBP", "Pound sterling", 2},
			{"SEK", "Swedish krona", 2}, {"NOK", "Norwegian krone", 2}, {"DKK", "Danish krone", 2},
			{"CHF", "Swiss franc", 2}, {"CAD", "Canadian dollar", 2}, {"AUD", "Australian dollar", 2},
			{"JPY", "Japanese yen", 0}, {"KRW", "South Korean won", 0}, {"ISK", "Icelandic krona", 0},
			{"UGX", "Ugandan shilling", 0}, {"KWD", "Kuwaiti dinar", 3}, {"BHD", "Bahraini dinar", 3},
			{"JOD", "Jordanian dinar", 3}, {"OMR", "Omani rial", 3}, {"TND", "Tunisian dinar", 3},
		},
		Items: []Item{
			{ITNO: "STRIPE-CHARGE", ITDS: "Stripe payment", FUDS: "Sale paid through Stripe, priced per charge", UNMS: "EA", SAPR: "0"},
			{ITNO: "SUBSCRIPTION", ITDS: "Subscription service", FUDS: "Monthly subscription", UNMS: "EA", SAPR: "29.00"},
			{ITNO: "WIDGET", ITDS: "Widget", UNMS: "EA", SAPR: "12.50"},
			{ITNO: "SHIPPING", ITDS: "Shipping and handling", UNMS: "EA", SAPR: "5.00"},
		},
		CustomerTemplates: []CustomerTemplate{
			{CUTM: "STRIPE", Default: true, Fields: map[string]string{
				"CUCD": "USD", "TEPY": "0", "PYCD": "CC", "ORTP": "WEB", "LNCD": "GB", "CUTP": "0", "STAT": "20", "CSCD": "US",
			}},
			{CUTM: "STRIPEEU", Fields: map[string]string{
				"CUCD": "EUR", "TEPY": "0", "PYCD": "CC", "ORTP": "WEB", "LNCD": "GB", "CUTP": "0", "STAT": "20", "CSCD": "DE",
			}},
		},
		OrderTypes: []OrderType{
			{ORTP: "WEB", TX40: "Web order, paid in advance (Stripe)", Prepaid: true},
			{ORTP: "SUB", TX40: "Subscription, paid in advance (Stripe)", Prepaid: true},
			{ORTP: "STD", TX40: "Standard order, invoiced on delivery"},
		},
		PaymentTerms: []PaymentTerm{
			{"0", "Paid in advance"}, {"14", "14 days net"}, {"30", "30 days net"},
		},
		PaymentMethods: []PaymentMethod{
			{"CC", "Card (Stripe)"}, {"SEP", "SEPA direct debit (Stripe)"}, {"BT", "Bank transfer"},
			// The rest of the built-in mapping's codes (processors/mapping/default.yaml).
			{"AMX", "American Express (Stripe)"}, {"ACH", "ACH debit (Stripe)"}, {"BAC", "Bacs direct debit (Stripe)"},
			{"BEC", "BECS direct debit (Stripe)"}, {"PAD", "Pre-authorized debit (Stripe)"}, {"LNK", "Link (Stripe)"},
			{"PPL", "PayPal (Stripe)"}, {"KLA", "Klarna (Stripe)"}, {"IDL", "iDEAL (Stripe)"}, {"BCT", "Bancontact (Stripe)"},
			{"SOF", "Sofort (Stripe)"}, {"GIR", "giropay (Stripe)"}, {"EPS", "EPS (Stripe)"}, {"P24", "Przelewy24 (Stripe)"},
			{"BNK", "Customer balance (Stripe)"},
		},
		GLAccounts: []GLAccount{
			{"1930", "Bank", "bank"},
			{"1580", "Stripe clearing", "stripe_clearing"},
			{"1510", "Accounts receivable", "accounts_receivable"},
			{"2450", "Deferred revenue", "deferred_revenue"},
			{"2610", "Output VAT", "output_vat"},
			{"3010", "Revenue", "revenue"},
			{"3020", "Subscription revenue", "revenue"},
			{"3040", "Services revenue", "revenue"},
			{"3094", "Services refunds", "refunds"},
			{"3740", "Refunds and returns", "refunds"},
			{"6570", "Stripe fees", "stripe_fees"},
			{"6580", "Disputes", "disputes"},
			{"7960", "Realized FX gain/loss", "fx"},
		},
		BankAccounts: []BankAccount{
			{"STRIPE", "Stripe balance", "1580"},
			{"BANK1", "Operating bank account", "1930"},
		},
		NumberSeries: map[string]NumberSeries{
			"CUNO": {Next: 10001},
			"TEMP": {Prefix: "T", Next: 1, Width: 9},
			"ORNO": {Next: 1000000001},
			"CINO": {Next: 40000001},
			"STNB": {Next: 1},
			"BCHN": {Next: 1},
		},
		Accounting: defaultAccounting(),
	}
}

// loadSeed returns DefaultSeed overlaid with the file at path (if any), and
// checks it: a seed that would make transactions fail in confusing ways (a
// template pointing at a missing currency, two currencies with one code) is
// refused at start with the reason.
func loadSeed(path string) (Seed, error) {
	seed := DefaultSeed()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return Seed{}, fmt.Errorf("seed: %w", err)
		}
		if err := seed.overlay(b); err != nil {
			return Seed{}, fmt.Errorf("seed %s: %w", path, err)
		}
	}
	if err := seed.validate(); err != nil {
		return Seed{}, fmt.Errorf("seed: %w", err)
	}
	return seed, nil
}

// overlay replaces each list named in the JSON object b, and each number
// series named in it. Every list is decoded into a fresh slice: decoding into
// the default's slice would reuse its elements and keep default values for
// fields the file leaves out.
func (s *Seed) overlay(b []byte) error {
	var raw map[string]json.RawMessage
	if err := strictUnmarshal(b, &raw); err != nil {
		return err
	}
	setters := map[string]func(json.RawMessage) error{
		"currencies":         replaceList(&s.Currencies),
		"items":              replaceList(&s.Items),
		"customer_templates": replaceList(&s.CustomerTemplates),
		"order_types":        replaceList(&s.OrderTypes),
		"payment_terms":      replaceList(&s.PaymentTerms),
		"payment_methods":    replaceList(&s.PaymentMethods),
		"gl_accounts":        replaceList(&s.GLAccounts),
		"bank_accounts":      replaceList(&s.BankAccounts),
		"customers":          replaceList(&s.Customers),
		"accounting": func(m json.RawMessage) error {
			var a Accounting
			if err := strictUnmarshal(m, &a); err != nil {
				return err
			}
			s.Accounting = a
			return nil
		},
		"number_series": func(m json.RawMessage) error {
			var series map[string]NumberSeries
			if err := strictUnmarshal(m, &series); err != nil {
				return err
			}
			for k, v := range series {
				s.NumberSeries[k] = v
			}
			return nil
		},
	}
	for k, m := range raw {
		set, ok := setters[k]
		if !ok {
			return fmt.Errorf("unknown key %q", k)
		}
		if err := set(m); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	return nil
}

// replaceList decodes a JSON list into a fresh slice and stores it in dst.
func replaceList[T any](dst *[]T) func(json.RawMessage) error {
	return func(m json.RawMessage) error {
		var fresh []T
		if err := strictUnmarshal(m, &fresh); err != nil {
			return err
		}
		*dst = fresh
		return nil
	}
}

// strictUnmarshal decodes b into v, refusing unknown fields.
func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func (s *Seed) validate() error {
	if len(s.Currencies) == 0 {
		return fmt.Errorf("no currencies")
	}
	if err := uniqueKeys("currency", s.Currencies, func(c Currency) string { return c.CUCD }, 3); err != nil {
		return err
	}
	for _, c := range s.Currencies {
		if c.DCCD < 0 || c.DCCD > 6 {
			return fmt.Errorf("currency %s: DCCD %d is outside 0..6", c.CUCD, c.DCCD)
		}
	}
	checks := []error{
		uniqueKeys("item", s.Items, func(i Item) string { return i.ITNO }, 15),
		uniqueKeys("customer template", s.CustomerTemplates, func(t CustomerTemplate) string { return t.CUTM }, 10),
		uniqueKeys("order type", s.OrderTypes, func(o OrderType) string { return o.ORTP }, 3),
		uniqueKeys("payment term", s.PaymentTerms, func(p PaymentTerm) string { return p.TEPY }, 3),
		uniqueKeys("payment method", s.PaymentMethods, func(p PaymentMethod) string { return p.PYCD }, 3),
		uniqueKeys("GL account", s.GLAccounts, func(a GLAccount) string { return a.AIT1 }, 8),
		uniqueKeys("bank account", s.BankAccounts, func(b BankAccount) string { return b.BKID }, 10),
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	for _, it := range s.Items {
		if it.SAPR != "" {
			if _, ok := parseDecimal(it.SAPR); !ok {
				return fmt.Errorf("item %s: SAPR %q is not a decimal number", it.ITNO, it.SAPR)
			}
		}
	}
	defaults := 0
	m := masterData{seed: s}
	for _, t := range s.CustomerTemplates {
		if t.Default {
			defaults++
		}
		var c Customer
		for k, v := range t.Fields {
			p := c.field(k)
			if p == nil || k == "CUNO" {
				return fmt.Errorf("customer template %s: %s is not a customer field a template can set", t.CUTM, k)
			}
			*p = v
		}
		if err := m.checkCustomerRefs(&c); err != nil {
			return fmt.Errorf("customer template %s: %s", t.CUTM, err.Message)
		}
	}
	if defaults > 1 {
		return fmt.Errorf("more than one default customer template")
	}
	if err := s.Accounting.validate(m); err != nil {
		return err
	}
	for _, b := range s.BankAccounts {
		if b.AIT1 != "" && !m.hasAccount(b.AIT1) {
			return fmt.Errorf("bank account %s: AIT1 %s is not among gl_accounts", b.BKID, b.AIT1)
		}
	}
	for name, ns := range s.NumberSeries {
		f, ok := seriesField[name]
		if !ok {
			return fmt.Errorf("number series %q is unknown; known: CUNO, TEMP, ORNO, CINO, STNB, BCHN", name)
		}
		if ns.Next < 0 || ns.Width < 0 {
			return fmt.Errorf("number series %s: next and width must not be negative", name)
		}
		if l := len(ns.format(ns.Next)); l > fieldLength(f) {
			return fmt.Errorf("number series %s: %q is longer than %s allows (%d)", name, ns.format(ns.Next), f, fieldLength(f))
		}
	}
	for name := range seriesField {
		if _, ok := s.NumberSeries[name]; !ok {
			return fmt.Errorf("number series %s is missing", name)
		}
	}
	seen := map[string]bool{}
	for i := range s.Customers {
		c := &s.Customers[i]
		if c.CUNO == "" || c.CUNM == "" {
			return fmt.Errorf("seed customer %d: CUNO and CUNM are required", i+1)
		}
		if seen[c.CUNO] {
			return fmt.Errorf("seed customer %s appears twice", c.CUNO)
		}
		seen[c.CUNO] = true
		for _, f := range customerFields {
			if v := *c.field(f); len([]rune(v)) > fieldLength(f) {
				return fmt.Errorf("seed customer %s: %s %q is longer than %d", c.CUNO, f, v, fieldLength(f))
			}
		}
		if err := m.checkCustomerRefs(c); err != nil {
			return fmt.Errorf("seed customer %s: %s", c.CUNO, err.Message)
		}
	}
	return nil
}

func uniqueKeys[T any](what string, list []T, key func(T) string, maxLen int) error {
	seen := map[string]bool{}
	for _, v := range list {
		k := key(v)
		switch {
		case k == "":
			return fmt.Errorf("a %s has an empty key", what)
		case len(k) > maxLen:
			return fmt.Errorf("%s %q is longer than %d", what, k, maxLen)
		case seen[k]:
			return fmt.Errorf("%s %s appears twice", what, k)
		}
		seen[k] = true
	}
	return nil
}
