package mapping

import (
	"testing"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

// The hot-path calls run several times per event; the target is well
// under 1 µs each for a handful of rules (`go test -bench . ./processors/mapping`).

// benchFacts match no rule before the default, so every rule is tried:
// the worst case for first-match.
var benchFacts = Facts{
	EventType: "charge.succeeded", ObjectType: "charge", Currency: "USD", Livemode: true,
	Description: "Order 1234 for Example Corp", PaymentMethod: "card", CardBrand: "visa",
	Metadata: map[string]string{"order_id": "1234"},
}

func BenchmarkAccounts(b *testing.B) {
	c := mustParse(b, rulesYAML)
	b.ReportAllocs()
	for b.Loop() {
		c.Accounts(benchFacts)
	}
}

func BenchmarkAccountsRegex(b *testing.B) {
	c := mustParse(b, doc(`gl_rules:
  - name: r1
    when: { description: { regex: "^invoice [0-9]+ for acme" } }
    accounts: { revenue: "1" }
  - name: r2
    when: { product: { prefix: prod_eu }, currency: [EUR, SEK, NOK, DKK] }
    accounts: { revenue: "2" }
  - name: r3
    when: { metadata.channel: { in: [partner, reseller] } }
    accounts: { revenue: "3" }
  - name: r4
    when: { description: { contains: consulting } }
    accounts: { revenue: "4" }
`+defaultGL))
	b.ReportAllocs()
	for b.Loop() {
		c.Accounts(benchFacts)
	}
}

func BenchmarkOrderAttributes(b *testing.B) {
	c := mustParse(b, rulesYAML)
	f := benchFacts
	f.Plan, f.Interval = "premium", "month" // two rules set the fields
	b.ReportAllocs()
	for b.Loop() {
		c.OrderAttributes(f)
	}
}

func BenchmarkPaymentMethod(b *testing.B) {
	c := Default()
	b.ReportAllocs()
	for b.Loop() {
		c.PaymentMethod("card", "visa")
	}
}

func BenchmarkItem(b *testing.B) {
	c := mustParse(b, rulesYAML)
	b.ReportAllocs()
	for b.Loop() {
		c.Item("prod_1", "price_9", "pro_x", nil)
	}
}

func BenchmarkChargeItem(b *testing.B) {
	c := mustParse(b, rulesYAML)
	b.ReportAllocs()
	for b.Loop() {
		c.ChargeItem(benchFacts)
	}
}

func BenchmarkNormalizeAddressClean(b *testing.B) {
	c := Default()
	a := command.Address{Line1: "1 Navy Yard", Line2: "Building 7", City: "Arlington", PostalCode: "22202", State: "VA", Country: "US"}
	b.ReportAllocs()
	for b.Loop() {
		c.NormalizeAddress(a)
	}
}

func BenchmarkNormalizeAddressOverflow(b *testing.B) {
	c := Default()
	a := command.Address{Line1: "Kungsgatan 12, c/o Andersson Consulting AB", City: "Stockholm", PostalCode: "111 43", Country: "se"}
	b.ReportAllocs()
	for b.Loop() {
		c.NormalizeAddress(a)
	}
}

func BenchmarkCheckAmount(b *testing.B) {
	c := Default()
	m := command.Money{Minor: 150000, Currency: "HUF"}
	b.ReportAllocs()
	for b.Loop() {
		_ = c.CheckAmount(m, "payout")
	}
}

func BenchmarkParseDefault(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(DefaultYAML, "default.yaml"); err != nil {
			b.Fatal(err)
		}
	}
}
