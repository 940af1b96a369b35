package stripeapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

// pageSize is Stripe's largest list page.
const pageSize = 100

// balanceTransaction is the part of Stripe's balance_transaction object the
// pipeline reads. Numbers stay JSON text until they are checked.
type balanceTransaction struct {
	ID           string          `json:"id"`
	Type         string          `json:"type"`
	Source       json.RawMessage `json:"source"`
	Amount       json.Number     `json:"amount"`
	Fee          json.Number     `json:"fee"`
	Net          json.Number     `json:"net"`
	Currency     string          `json:"currency"`
	ExchangeRate json.RawMessage `json:"exchange_rate"`
}

type balanceTransactionList struct {
	Data    []balanceTransaction `json:"data"`
	HasMore bool                 `json:"has_more"`
}

// PayoutTransactions returns the balance transactions payout payoutID paid
// out (GET /v1/balance_transactions?payout=…, every page), for the
// connected account stripeAccount ("" for the platform), with the key of
// the payout's mode.
//
// The payout's own balance transactions (type payout, and a
// payout_cancel or payout_failure of the same payout: source = the payout)
// are left out. Stripe lists the payout's own one (net = −the payout
// amount) among those it pays out, but it is the payout itself, not
// something paid out: with it the nets would sum to zero, and the M3
// adapter's ReconcilePayout checks that they sum to the payout amount and
// books each as a line of the bank statement. A payout_failure of an
// earlier payout that this one pays out again is kept: its source is that
// other payout.
func (c *Client) PayoutTransactions(ctx context.Context, payoutID, stripeAccount string, livemode bool) ([]command.BalanceTransaction, error) {
	if payoutID == "" {
		return nil, errors.New("stripeapi: payout transactions: no payout id")
	}
	var out []command.BalanceTransaction
	after := ""
	for {
		q := url.Values{"payout": {payoutID}, "limit": {strconv.Itoa(pageSize)}, "expand[]": {"data.source"}}
		if after != "" {
			q.Set("starting_after", after)
		}
		var page balanceTransactionList
		if err := c.get(ctx, "/v1/balance_transactions", q, stripeAccount, livemode, &page); err != nil {
			return nil, fmt.Errorf("stripeapi: balance transactions of payout %s: %w", payoutID, err)
		}
		for _, bt := range page.Data {
			m, err := bt.toCommand()
			if err != nil {
				return nil, fmt.Errorf("stripeapi: balance transactions of payout %s: %w", payoutID, err)
			}
			if m.Source == payoutID {
				continue
			}
			out = append(out, m)
		}
		if !page.HasMore {
			return out, nil
		}
		if len(page.Data) == 0 {
			return nil, fmt.Errorf("stripeapi: balance transactions of payout %s: has_more with an empty page", payoutID)
		}
		after = page.Data[len(page.Data)-1].ID
	}
}

// toCommand maps a balance transaction to the command's shape: amounts in
// minor units with the upper-cased currency, the source's id whether it
// came as an id or expanded, the exchange rate as its exact decimal text.
func (bt balanceTransaction) toCommand() (command.BalanceTransaction, error) {
	if bt.ID == "" {
		return command.BalanceTransaction{}, errors.New("a balance transaction without an id")
	}
	cur := strings.ToUpper(bt.Currency)
	if cur == "" {
		return command.BalanceTransaction{}, fmt.Errorf("balance transaction %s has no currency", bt.ID)
	}
	var amounts [3]int64
	for i, n := range []json.Number{bt.Amount, bt.Fee, bt.Net} {
		v, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil {
			return command.BalanceTransaction{}, fmt.Errorf("balance transaction %s: %s is not an integer amount", bt.ID, []string{"amount", "fee", "net"}[i])
		}
		amounts[i] = v
	}
	src, err := sourceID(bt.Source)
	if err != nil {
		return command.BalanceTransaction{}, fmt.Errorf("balance transaction %s: source: %w", bt.ID, err)
	}
	rate, err := exactDecimal(bt.ExchangeRate)
	if err != nil {
		return command.BalanceTransaction{}, fmt.Errorf("balance transaction %s: exchange_rate: %w", bt.ID, err)
	}
	srcAmount, err := sourceAmount(bt.Source)
	if err != nil {
		return command.BalanceTransaction{}, fmt.Errorf("balance transaction %s: source: %w", bt.ID, err)
	}
	return command.BalanceTransaction{
		ID: bt.ID, Type: bt.Type, Source: src,
		Amount:       command.Money{Minor: amounts[0], Currency: cur},
		Fee:          command.Money{Minor: amounts[1], Currency: cur},
		Net:          command.Money{Minor: amounts[2], Currency: cur},
		ExchangeRate: rate,
		SourceAmount: srcAmount,
	}, nil
}

// sourceAmount is what Infor booked for an expanded charge or refund, in
// its own currency: a charge's captured amount (its amount when the API
// version has no amount_captured), a refund's amount. Other sources, and a
// source that came as an id only, give the zero Money: only converted
// charges and refunds need it, and the M3 adapter refuses those without it.
func sourceAmount(raw json.RawMessage) (command.Money, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return command.Money{}, nil
	}
	var obj struct {
		Object         string      `json:"object"`
		Amount         json.Number `json:"amount"`
		AmountCaptured json.Number `json:"amount_captured"`
		Currency       string      `json:"currency"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return command.Money{}, fmt.Errorf("expanded source: %w", err)
	}
	n := obj.Amount
	switch obj.Object {
	case "charge":
		if obj.AmountCaptured != "" {
			n = obj.AmountCaptured
		}
	case "refund":
	default:
		return command.Money{}, nil
	}
	v, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil || obj.Currency == "" {
		return command.Money{}, fmt.Errorf("expanded %s: amount %q currency %q", obj.Object, n, obj.Currency)
	}
	return command.Money{Minor: v, Currency: strings.ToUpper(obj.Currency)}, nil
}

// sourceID reads an expandable field: an id, an object with an id, or
// null.
func sourceID(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	var obj struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return "", fmt.Errorf("neither an id nor an object: %w", err)
	}
	return obj.ID, nil
}

var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]{1,3})?$`) // a bounded exponent: 1e999999999 would be a huge number

// exactDecimal returns a JSON number token as exact decimal text: as sent
// when it has no exponent ("1.0876" stays "1.0876"), else expanded exactly
// ("1.0876e0" → "1.0876"). null or absent is "". Never through a float.
func exactDecimal(raw json.RawMessage) (string, error) {
	tok := string(bytes.TrimSpace(raw))
	if tok == "" || tok == "null" {
		return "", nil
	}
	if !jsonNumber.MatchString(tok) {
		return "", fmt.Errorf("%q is not a number", tok)
	}
	if !strings.ContainsAny(tok, "eE") {
		return tok, nil
	}
	r, ok := new(big.Rat).SetString(tok)
	if !ok {
		return "", fmt.Errorf("%q is not a number", tok)
	}
	// A decimal with an exponent is a finite decimal: find its digits.
	scaled := new(big.Rat).Set(r)
	ten := big.NewRat(10, 1)
	for places := 0; places <= 64; places++ {
		if scaled.IsInt() {
			return r.FloatString(places), nil
		}
		scaled.Mul(scaled, ten)
	}
	return "", fmt.Errorf("%q has more than 64 decimals", tok)
}
