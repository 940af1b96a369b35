package command

import (
	"fmt"
	"strconv"
	"strings"
)

// Exponent returns the number of decimals of currency code (ISO 4217 as
// Stripe applies it): 0 for Stripe's zero-decimal currencies and ISK, 3 for
// BHD, JOD, KWD, OMR and TND, 2 for every other currency. The code is
// matched case-insensitively.
func Exponent(code string) int {
	switch strings.ToUpper(code) {
	case "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF",
		"UGX", "VND", "VUV", "XAF", "XOF", "XPF", "ISK":
		// ISK is booked without decimals (ISO 4217 exponent 0); Stripe's
		// special handling of ISK/UGX amounts (multiples of 100 in some
		// flows) is the processors' concern: Minor here is in whole units.
		return 0
	case "BHD", "JOD", "KWD", "OMR", "TND":
		return 3
	}
	return 2
}

// Decimal renders m as an exact decimal string in its currency's major
// units: {1234 USD} → "12.34", {1234 JPY} → "1234", {1234 KWD} → "1.234",
// {-5 USD} → "-0.05". It uses integer arithmetic only, never floats.
func Decimal(m Money) string {
	return decimal(m.Minor, Exponent(m.Currency))
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
