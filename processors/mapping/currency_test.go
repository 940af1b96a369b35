package mapping

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

// Stripe's documented special currencies.
var (
	stripeZeroDecimal  = []string{"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}
	stripeThreeDecimal = []string{"BHD", "JOD", "KWD", "OMR", "TND"}
)

func TestCurrencyList(t *testing.T) {
	codes := listCodes(iso4217)
	if len(codes) < 175 {
		t.Fatalf("only %d ISO 4217 codes embedded", len(codes))
	}
	for _, c := range codes {
		if !KnownCurrency(c) {
			t.Errorf("%s from the list is not known", c)
		}
	}
	for _, c := range append(append([]string{"USD", "EUR", "GBP", "SEK", "ISK", "HUF", "TWD", "CHF"}, stripeZeroDecimal...), stripeThreeDecimal...) {
		if !KnownCurrency(c) {
			t.Errorf("Stripe currency %s is not known", c)
		}
	}
	for _, c := range []string{"usd", "EURO", "EU", "XYZ", "", "US1", "ÄÖÜ"} {
		if KnownCurrency(c) {
			t.Errorf("%q is known", c)
		}
	}
}

// amounts returns edge amounts and random amounts of every magnitude.
func amounts(rng *rand.Rand, n int) []int64 {
	out := []int64{0, 1, -1, 99, 100, -100, 101, 999, 1000, 1001, math.MaxInt64, math.MinInt64, math.MaxInt64 - 99, math.MinInt64 + 100}
	for i := 0; i < n; i++ {
		v := rng.Int64N(int64(math.Pow10(rng.IntN(19))) + 1)
		if rng.IntN(2) == 0 {
			v = -v
		}
		if rng.IntN(3) == 0 {
			v -= v % 100 // a whole amount, as ISK/UGX/HUF payouts should be
		}
		out = append(out, v)
	}
	return out
}

// TestDecimalProperties: for random amounts in every known currency, the
// decimal sent to the ERP is exactly the amount (checked with math/big, not
// by re-deriving the string), keeps its sign, and has the currency's number
// of decimals.
func TestDecimalProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(4217, 3166))
	for _, cur := range listCodes(iso4217) {
		for _, minor := range amounts(rng, 300) {
			m := command.Money{Minor: minor, Currency: cur}
			d := command.Decimal(m)

			got, ok := new(big.Rat).SetString(d)
			if !ok {
				t.Fatalf("%v: %q does not parse as a number", m, d)
			}
			want := new(big.Rat).SetFrac(big.NewInt(minor), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(command.APIExponent(cur))), nil))
			if got.Cmp(want) != 0 {
				t.Fatalf("%v: %q is %s, want %s", m, d, got.RatString(), want.RatString())
			}
			if strings.HasPrefix(d, "-") != (minor < 0) {
				t.Fatalf("%v: %q has the wrong sign", m, d)
			}
			intPart, frac, hasPoint := strings.Cut(strings.TrimPrefix(d, "-"), ".")
			if intPart == "" || (len(intPart) > 1 && intPart[0] == '0') {
				t.Fatalf("%v: %q has a malformed whole part", m, d)
			}
			var wantDecimals int
			switch {
			case cur == "ISK" || cur == "UGX":
				// Sent with two zero decimals: whole amounts drop them, others keep them exact.
				wantDecimals = 2
				if minor%100 == 0 {
					wantDecimals = 0
				}
			case slices.Contains(stripeZeroDecimal, cur):
				wantDecimals = 0
			case slices.Contains(stripeThreeDecimal, cur):
				wantDecimals = 3
			default:
				wantDecimals = 2
			}
			if len(frac) != wantDecimals || hasPoint != (wantDecimals > 0) {
				t.Fatalf("%v: %q has %d decimals, want %d", m, d, len(frac), wantDecimals)
			}
		}
	}
}

// TestCheckAmountProperties: the currency rules hold for random amounts.
func TestCheckAmountProperties(t *testing.T) {
	c := Default()
	rng := rand.New(rand.NewPCG(7, 11))
	for _, cur := range listCodes(iso4217) {
		for _, minor := range amounts(rng, 50) {
			for _, purpose := range []string{"charge", "refund", "payout"} {
				m := command.Money{Minor: minor, Currency: cur}
				err := c.CheckAmount(m, purpose)
				var wantRule string
				switch {
				case (cur == "ISK" || cur == "UGX") && minor%100 != 0:
					wantRule = RuleZeroDecimalFraction
				case purpose == "payout" && (cur == "HUF" || cur == "TWD") && minor%100 != 0:
					wantRule = RulePayoutWholeUnits
				}
				var ae *AmountError
				switch {
				case wantRule == "" && err != nil:
					t.Fatalf("CheckAmount(%v, %s) = %v, want nil", m, purpose, err)
				case wantRule != "" && (!errors.As(err, &ae) || ae.Rule != wantRule):
					t.Fatalf("CheckAmount(%v, %s) = %v, want rule %s", m, purpose, err, wantRule)
				}
			}
		}
	}
}

func TestCheckAmount(t *testing.T) {
	for _, tc := range []struct {
		m       command.Money
		purpose string
		rule    string
		msg     string
	}{
		{command.Money{Minor: 1234, Currency: "USD"}, "charge", "", ""},
		{command.Money{Minor: 1234, Currency: "usd"}, "charge", RuleUnknownCurrency, `must be upper case ("USD")`},
		{command.Money{Minor: 1234, Currency: "XYZ"}, "charge", RuleUnknownCurrency, `"XYZ" is not an ISO 4217 currency code`},
		{command.Money{Minor: 1234, Currency: ""}, "refund", RuleUnknownCurrency, `"" is not`},
		{command.Money{Minor: 500000, Currency: "ISK"}, "charge", "", ""},
		{command.Money{Minor: 5050, Currency: "ISK"}, "charge", RuleZeroDecimalFraction, "must be 00 (got 50.50)"},
		{command.Money{Minor: -5001, Currency: "UGX"}, "refund", RuleZeroDecimalFraction, "must be 00"},
		{command.Money{Minor: 150050, Currency: "HUF"}, "charge", "", ""},
		{command.Money{Minor: 150050, Currency: "HUF"}, "payout", RulePayoutWholeUnits, "whole units only: the amount must be divisible by 100 (got 1500.50)"},
		{command.Money{Minor: 150000, Currency: "HUF"}, "payout", "", ""},
		{command.Money{Minor: 99, Currency: "TWD"}, "payout", RulePayoutWholeUnits, "TWD"},
		{command.Money{Minor: 1234, Currency: "JPY"}, "payout", "", ""},
		{command.Money{Minor: 1, Currency: "KWD"}, "payout", "", ""},
	} {
		err := Default().CheckAmount(tc.m, tc.purpose)
		if tc.rule == "" {
			if err != nil {
				t.Errorf("CheckAmount(%v, %s) = %v", tc.m, tc.purpose, err)
			}
			continue
		}
		var ae *AmountError
		if !errors.As(err, &ae) || ae.Rule != tc.rule || ae.Purpose != tc.purpose || ae.Money != tc.m || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("CheckAmount(%v, %s) = %v, want rule %s with %q", tc.m, tc.purpose, err, tc.rule, tc.msg)
		}
	}
}
