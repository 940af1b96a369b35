package scenario

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

// Money in this package is int64 minor units in Stripe's API convention
// (command.APIExponent: 2 for ISK and UGX although they are booked
// without decimals). Nothing here goes through a float.

// unit is the smallest amount a currency can be booked in, in API minor
// units: 1, except 100 for ISK and UGX (whose API decimals are always 00).
func unit(currency string) int64 {
	u := int64(1)
	for i := command.Exponent(currency); i < command.APIExponent(currency); i++ {
		u *= 10
	}
	return u
}

// Fee is a Stripe-like card processing fee on a charge of amount in the
// settlement currency: 2.9 % rounded half up to the currency's smallest
// booked unit, plus a fixed 30 of those units (30 cents, 30 yen, 30 fils,
// 30 krónur). Refunds cost no fee, as at Stripe.
func Fee(amount int64, currency string) int64 {
	if amount <= 0 {
		return 0
	}
	u := unit(currency)
	den := 1000 * u
	pct := (2*amount*29 + den) / (2 * den) * u
	return pct + 30*u
}

// DisputeFee is Stripe's dispute fee (15.00 in the currency's major unit,
// as in the US; 15 units for zero-decimal currencies).
func DisputeFee(currency string) int64 {
	return 15 * pow10(command.APIExponent(currency))
}

func pow10(n int) int64 {
	p := int64(1)
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

// Convert turns amount in currency from into currency to at rate (units of
// to per unit of from, as Stripe's exchange_rate), rounded half away from
// zero to to's smallest booked unit. Exact: the rate is read as the
// decimal it is written as.
func Convert(amount int64, from, to, rate string) (int64, error) {
	r, ok := new(big.Rat).SetString(rate)
	if !ok || r.Sign() <= 0 {
		return 0, fmt.Errorf("scenario: exchange rate %q is not a positive decimal", rate)
	}
	v := new(big.Rat).SetInt64(amount)
	v.Mul(v, r)
	// From API minor units of from to API minor units of to.
	v.Mul(v, new(big.Rat).SetFrac(big.NewInt(pow10(command.APIExponent(to))), big.NewInt(pow10(command.APIExponent(from)))))
	u := unit(to)
	v.Quo(v, new(big.Rat).SetInt64(u))
	// Round half away from zero: floor(|v| + 1/2).
	neg := v.Sign() < 0
	v.Abs(v)
	v.Add(v, big.NewRat(1, 2))
	q := new(big.Int).Quo(v.Num(), v.Denom())
	if !q.IsInt64() {
		return 0, fmt.Errorf("scenario: %d %s at %s overflows", amount, from, rate)
	}
	out := q.Int64() * u
	if neg {
		out = -out
	}
	return out, nil
}

// ParseAmount reads an exact decimal string in a currency's major units
// (as Infor M3 writes amounts: "12.34", "-0.050", "5000") into API minor
// units of that currency. More decimals than the currency is booked with
// (command.Exponent: none for ISK) are an error unless they are zeros:
// nothing is rounded away.
func ParseAmount(s, currency string) (int64, error) {
	booked, exp := command.Exponent(currency), command.APIExponent(currency)
	t := strings.TrimSpace(s)
	neg := false
	switch {
	case strings.HasPrefix(t, "-"):
		neg, t = true, t[1:]
	case strings.HasPrefix(t, "+"):
		t = t[1:]
	}
	whole, frac, _ := strings.Cut(t, ".")
	if whole == "" && frac == "" {
		return 0, fmt.Errorf("scenario: amount %q is not a decimal", s)
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > booked {
		return 0, fmt.Errorf("scenario: amount %q has more decimals than %s's %d", s, strings.ToUpper(currency), booked)
	}
	frac += strings.Repeat("0", exp-len(frac))
	digits := whole + frac
	if digits == "" {
		digits = "0"
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("scenario: amount %q is not a decimal", s)
		}
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) {
			return 0, fmt.Errorf("scenario: amount %q is out of range", s)
		}
		return 0, err
	}
	if neg {
		v = -v
	}
	return v, nil
}

// FormatAmount renders minor units of currency in major units with
// thousands separators, for people: 123456 USD → "1,234.56",
// 500000 ISK → "5,000", -1500 KWD → "-1.500".
func FormatAmount(minor int64, currency string) string {
	s := command.Decimal(command.Money{Minor: minor, Currency: strings.ToUpper(currency)})
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// decimalOf is minor units as an exact decimal string (command.Decimal).
func decimalOf(minor int64, currency string) string {
	return command.Decimal(command.Money{Minor: minor, Currency: strings.ToUpper(currency)})
}
