package transform

import (
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
)

// The enriched event says in which decimals its amount is: for ISK and
// UGX, Stripe's two zero decimals (amount_exponent 2) while the currency
// is booked without decimals (currency_exponent 0). Dividing amount by
// 10^amount_exponent gives amount_decimal for every currency.
func TestEnrichedAmountExponent(t *testing.T) {
	tr := New(mapping.Default())
	for _, tc := range []struct {
		currency      string
		amount        int64
		api, booked   int32
		decimalAmount string
	}{
		{"isk", 500000, 2, 0, "5000"},
		{"ugx", 370000, 2, 0, "3700"},
		{"jpy", 1500, 0, 0, "1500"},
		{"usd", 1999, 2, 2, "19.99"},
		{"kwd", 12345, 3, 3, "12.345"},
	} {
		raw := stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: 77, Livemode: true, Currency: tc.currency, Amount: tc.amount})
		res, err := tr.Transform(raw, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatalf("%s: %v", tc.currency, err)
		}
		e := enrichedOf(res)
		if e.AmountExponent == nil || *e.AmountExponent != tc.api || e.CurrencyExponent != tc.booked {
			t.Fatalf("%s: amount_exponent %v currency_exponent %d, want %d and %d", tc.currency, e.AmountExponent, e.CurrencyExponent, tc.api, tc.booked)
		}
		if e.AmountDecimal != tc.decimalAmount || command.APIExponent(e.Currency) != int(tc.api) {
			t.Fatalf("%s: amount_decimal %q, want %q", tc.currency, e.AmountDecimal, tc.decimalAmount)
		}
	}
}
