package e2e

import (
	"io"
	"net/http"
	"testing"

	"github.com/stripe-infor/stripe-infor/internal/scenario"
	"github.com/stripe-infor/stripe-infor/internal/stripemocktest"
)

// The sink's Stripe API calls during a scenario, replayed against
// stripe-mock (which checks every request against Stripe's OpenAPI
// specification: an unknown parameter or a malformed value is a 400), must
// all be answered 200. stripe-mock takes test-mode keys only, so every
// call is replayed with one; the path, query, Stripe-Account and
// Stripe-Version are the sink's.
func TestStripeAPICallsAreWellFormed(t *testing.T) {
	mock := stripemocktest.Start(t)
	s := getStack(t)
	b := scenario.New(112)
	live, test := b.Customer(true, "usd"), b.Customer(false, "usd")
	b.Charge(live, 5000, "usd")
	b.Charge(live, 3000, "eur", scenario.SettledIn("usd", "1.0876"))
	b.Charge(test, 4000, "usd")
	b.Advance(5 * days)
	b.Payout(true, "usd")
	b.Payout(false, "usd")
	s.runWorld(t, b.World())

	reqs := s.stripeLog.take()
	if len(reqs) < 2 {
		t.Fatalf("the sink made %d Stripe API calls, want at least one per payout", len(reqs))
	}
	for _, r := range reqs {
		if r.Status != http.StatusOK {
			t.Errorf("the fake answered %s %s?%s with %d", r.Method, r.Path, r.RawQuery, r.Status)
		}
		req, err := http.NewRequest(r.Method, mock+r.Path+"?"+r.RawQuery, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer sk_test_123")
		if r.Account != "" {
			req.Header.Set("Stripe-Account", r.Account)
		}
		if r.Version != "" {
			req.Header.Set("Stripe-Version", r.Version)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("stripe-mock: %v", err)
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("stripe-mock refused %s %s?%s (Stripe-Version %q): %s %s", r.Method, r.Path, r.RawQuery, r.Version, resp.Status, body)
		}
	}
	t.Logf("%d Stripe API calls replayed against stripe-mock, e.g. %s %s?%s", len(reqs), reqs[0].Method, reqs[0].Path, reqs[0].RawQuery)
}
