package mapping

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

// iso4217 is the list of ISO 4217 codes the mapping knows (see the file's
// header for its source).
//
//go:embed iso4217.txt
var iso4217 string

// currencies holds every known code as a bit indexed by its three letters,
// so that checking a currency on the hot path is an index, not a map
// lookup or an allocation.
var currencies = func() (set [26 * 26 * 26]bool) {
	for _, code := range listCodes(iso4217) {
		if i, ok := currencyIndex(code); ok {
			set[i] = true
		}
	}
	return set
}()

// listCodes returns the first word of each non-comment line of an
// embedded code list.
func listCodes(list string) []string {
	var out []string
	for _, line := range strings.Split(list, "\n") {
		if line = strings.TrimSpace(line); line == "" || line[0] == '#' {
			continue
		}
		out = append(out, strings.Fields(line)[0])
	}
	return out
}

func currencyIndex(code string) (int, bool) {
	if len(code) != 3 {
		return 0, false
	}
	i := 0
	for j := 0; j < 3; j++ {
		c := code[j]
		if c < 'A' || c > 'Z' {
			return 0, false
		}
		i = i*26 + int(c-'A')
	}
	return i, true
}

// KnownCurrency reports whether code is an active ISO 4217 code, written
// in upper case as commands carry it ("USD", not "usd").
func KnownCurrency(code string) bool {
	i, ok := currencyIndex(code)
	return ok && currencies[i]
}

// Rules an amount can break (AmountError.Rule).
const (
	// RuleUnknownCurrency: the code is not an upper-case ISO 4217 code.
	RuleUnknownCurrency = "unknown_currency"
	// RuleZeroDecimalFraction: an ISK or UGX amount whose two API decimals
	// are not 00. Stripe carries these zero-decimal currencies with two
	// decimals for backwards compatibility, and they must always be 00.
	RuleZeroDecimalFraction = "zero_decimal_fraction"
	// RulePayoutWholeUnits: a HUF or TWD payout that is not a whole number
	// of units. Stripe pays these currencies out in whole units only
	// (amount divisible by 100).
	RulePayoutWholeUnits = "payout_whole_units"
)

// AmountError is an amount that breaks a currency rule (CheckAmount).
type AmountError struct {
	// Rule is one of the Rule constants; a stable code for DLQ headers.
	Rule    string
	Money   command.Money
	Purpose string
	// Msg explains the rule for people.
	Msg string
}

func (e *AmountError) Error() string {
	return fmt.Sprintf("%s amount %d %s: %s", e.Purpose, e.Money.Minor, e.Money.Currency, e.Msg)
}

// PurposePayout is the CheckAmount purpose of payout amounts, which have
// rules of their own.
const PurposePayout = "payout"

func pow10(n int) int64 {
	p := int64(1)
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

// payoutWholeUnits are the currencies Stripe pays out in whole units only,
// though their API amounts have two decimals.
func payoutWholeUnits(code string) bool { return code == "HUF" || code == "TWD" }

// checkAmount holds m to the currency rules. It does not depend on the
// mapping file: the rules are Stripe's and ISO's, the same for everyone.
func (c *config) checkAmount(m command.Money, purpose string) error { return CheckAmount(m, purpose) }

// CheckAmount is Config.CheckAmount without a mapping: the currency rules
// are Stripe's and ISO's, not the mapping's.
func CheckAmount(m command.Money, purpose string) error {
	if !KnownCurrency(m.Currency) {
		msg := fmt.Sprintf("%q is not an ISO 4217 currency code", m.Currency)
		if KnownCurrency(strings.ToUpper(m.Currency)) {
			msg = fmt.Sprintf("currency %q must be upper case (%q)", m.Currency, strings.ToUpper(m.Currency))
		}
		return &AmountError{Rule: RuleUnknownCurrency, Money: m, Purpose: purpose, Msg: msg}
	}
	if extra := command.APIExponent(m.Currency) - command.Exponent(m.Currency); extra > 0 && m.Minor%pow10(extra) != 0 {
		return &AmountError{Rule: RuleZeroDecimalFraction, Money: m, Purpose: purpose,
			Msg: fmt.Sprintf("%s is a zero-decimal currency that Stripe sends with two decimals, which must be 00 (got %s)",
				m.Currency, command.Decimal(m))}
	}
	if purpose == PurposePayout && payoutWholeUnits(m.Currency) && m.Minor%100 != 0 {
		return &AmountError{Rule: RulePayoutWholeUnits, Money: m, Purpose: purpose,
			Msg: fmt.Sprintf("Stripe pays %s out in whole units only: the amount must be divisible by 100 (got %s)",
				m.Currency, command.Decimal(m))}
	}
	return nil
}
