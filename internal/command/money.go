package command

import (
	"fmt"
	"strconv"
	"strings"
)

// Exponent returns the number of decimals a currency is booked with (ISO
// 4217 as Stripe applies it): 0 for Stripe's zero-decimal currencies, ISK
// and UGX; 3 for BHD, JOD, KWD, OMR and TND; 2 for every other currency. The
// code is matched case-insensitively.
func Exponent(code string) int {
	switch strings.ToUpper(code) {
	case "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF",
		"UGX", "VND", "VUV", "XAF", "XOF", "XPF", "ISK":
		return 0
	case "BHD", "JOD", "KWD", "OMR", "TND":
		return 3
	}
	return 2
}

// APIExponent returns the decimals of Stripe's API amounts for a currency.
// It equals Exponent except for Stripe's special cases ISK and UGX: they
// are zero-decimal currencies, but for backwards compatibility Stripe's API
// carries them with two decimals that are always 00 (5 ISK is amount 500).
func APIExponent(code string) int {
	switch strings.ToUpper(code) {
	case "ISK", "UGX":
		return 2
	}
	return Exponent(code)
}

// Decimal renders m (in Stripe's API units, see Money) as an exact decimal
// string in its currency's major units: {1234 USD} → "12.34",
// {1234 JPY} → "1234", {1234 KWD} → "1.234", {-5 USD} → "-0.05",
// {500000 ISK} → "5000". It uses integer arithmetic only, never floats. An
// ISK or UGX amount whose two API decimals are not 00 keeps them
// ({5050 ISK} → "50.50"): the value stays exact, and the ERP refuses it
// rather than anyone rounding money away.
func Decimal(m Money) string {
	api, booked := APIExponent(m.Currency), Exponent(m.Currency)
	s := decimal(m.Minor, api)
	if api > booked && strings.HasSuffix(s, "."+strings.Repeat("0", api)) {
		s = strings.TrimSuffix(s, "."+strings.Repeat("0", api))
		if s == "-0" {
			s = "0"
		}
	}
	return s
}

func decimal(minor int64, exp int) string {
	neg := minor < 0
	// Work on the decimal digits so math.MinInt64 needs no special case.
	digits := strconv.FormatInt(minor, 10)
	if neg {
		digits = digits[1:]
	}
	if exp > 0 {
		if len(digits) <= exp {
			digits = strings.Repeat("0", exp-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-exp] + "." + digits[len(digits)-exp:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}

// String renders m for people and logs, e.g. "12.34 USD".
func (m Money) String() string { return fmt.Sprintf("%s %s", Decimal(m), m.Currency) }
