package stripeapi

import (
	"errors"
	"strings"
	"testing"

	"github.com/stripe-infor/stripe-infor/internal/stripemocktest"
)

// stripe-mock validates the request against Stripe's OpenAPI spec (an
// unknown or malformed parameter is a 400) and answers with its fixture
// balance transaction: the request is well-formed and the answer decodes.
func TestPayoutTransactionsAgainstStripeMock(t *testing.T) {
	base := stripemocktest.Start(t)
	c, err := New(Config{Base: base, LiveKey: "sk_test_123", RatePerSecond: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, account := range []string{"", "acct_1Connected"} {
		got, err := c.PayoutTransactions(tctx(t), "po_1MockPayout", account, false)
		if err != nil {
			t.Fatalf("account %q: %v", account, err)
		}
		if len(got) == 0 {
			t.Fatalf("account %q: no transactions", account)
		}
		for _, bt := range got {
			if !strings.HasPrefix(bt.ID, "txn_") || bt.Type == "" || bt.Amount.Currency == "" ||
				bt.Amount.Currency != strings.ToUpper(bt.Amount.Currency) || bt.Net.Minor != bt.Amount.Minor-bt.Fee.Minor {
				t.Fatalf("account %q: %+v", account, bt)
			}
		}
	}

	// A live-mode object with a live key: stripe-mock accepts test keys only
	// and quotes the Authorization header it got in its message; the error
	// is not transient and does not carry the key.
	live := "sk_live_51ThisMustNeverBePrinted0123456789"
	c, err = New(Config{Base: base, LiveKey: live, RatePerSecond: 1000})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PayoutTransactions(tctx(t), "po_1MockPayout", "", true)
	var se *Error
	if !errors.As(err, &se) || se.StatusCode != 401 || se.Transient() {
		t.Fatalf("live key at stripe-mock: %v", err)
	}
	if strings.Contains(err.Error(), live) || strings.Contains(err.Error(), "ThisMustNever") {
		t.Fatalf("the key is in the error: %v", err)
	}
	t.Logf("stripe-mock's answer to a live key: %v", err)
}
