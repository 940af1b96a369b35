package emulator

import (
	"math/big"
	"strings"
)

// Amounts and quantities are decimal strings on the wire, as in M3. They are
// held as exact rationals (math/big.Rat) and never as float64, so 0.10 + 0.20
// is 0.30 and a journal that balances on paper balances here too.

// parseDecimal parses M3's decimal notation strictly: an optional sign,
// digits, and optionally a '.' followed by digits ("12", "-0.50", "+3.125").
// big.Rat's own parser also takes fractions ("1/3") and exponents ("1e3"),
// which M3 does not, so the syntax is checked here first.
func parseDecimal(s string) (*big.Rat, bool) {
	body := s
	if strings.HasPrefix(body, "-") || strings.HasPrefix(body, "+") {
		body = body[1:]
	}
	intPart, frac, hasPoint := strings.Cut(body, ".")
	if intPart == "" || !allDigits(intPart) || (hasPoint && (frac == "" || !allDigits(frac))) {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(strings.TrimPrefix(s, "+"))
	return r, ok
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// fitsDecimals reports whether r has no more than decimals fractional digits
// (10.500 fits 2 decimals, 10.505 does not), i.e. whether it is a whole
// number of the currency's minor units.
func fitsDecimals(r *big.Rat, decimals int) bool {
	scaled := new(big.Rat).Mul(r, pow10(decimals))
	return scaled.IsInt()
}

// formatDecimal renders r with exactly decimals fractional digits. A value
// with more digits is rounded half away from zero (big.Rat.FloatString's
// rule), which is how a line amount of quantity × unit price is rounded to
// the currency.
func formatDecimal(r *big.Rat, decimals int) string {
	s := r.FloatString(decimals)
	if s == "-0" || strings.HasPrefix(s, "-0.") && strings.Trim(s[3:], "0") == "" {
		return s[1:] // no negative zero
	}
	return s
}

func pow10(n int) *big.Rat {
	return new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil))
}

// mustDecimal parses a value this package wrote itself (state amounts). A
// corrupt value reads as zero rather than crashing a request; loading
// state.json checks the amounts that are computed with, so this is not
// expected to happen.
func mustDecimal(s string) *big.Rat {
	if r, ok := parseDecimal(s); ok {
		return r
	}
	return new(big.Rat)
}
