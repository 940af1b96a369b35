package stripefake

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stripe-infor/stripe-infor/internal/stripeapi"
)

// These tests drive the fake with the pipeline's own Stripe client, as the
// sink does in `stripe-infor dev`.

const (
	liveKey = "sk_live_51FakeLiveSecretDoNotPrint0123"
	testKey = "sk_test_51FakeTestSecretDoNotPrint0123"
)

func client(t *testing.T, base string, cfg stripeapi.Config) *stripeapi.Client {
	t.Helper()
	cfg.Base = base
	cfg.RatePerSecond = 100000 // the client's limiter is not under test
	c, err := stripeapi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// expandSent reports whether a request asked for the sources expanded
// (the client is moving to expand[]=data.source; either spelling counts).
func expandSent(r Request) bool {
	for k, vs := range r.Query {
		if expandKey.MatchString(k) {
			for _, v := range vs {
				if v == "data.source" {
					return true
				}
			}
		}
	}
	return false
}

// 250 charges of one payout, plus the payout's own transaction and
// transactions of another payout and of no payout: the client pages
// through three pages of 100 and gets exactly the payout's 250, newest
// first, with nets summing as the ledger's.
func TestClientPaginatesAPayout(t *testing.T) {
	s := New()
	var want []string
	var wantNet int64
	for i := range 250 {
		bt := charge(fmt.Sprintf("txn_%03d", i), fmt.Sprintf("ch_%03d", i), "po_big", int64(1000+i), 1709251200+int64(i/3)) // three per second: ties are ordered too
		bt.SourceObject = map[string]any{"id": bt.Source, "object": "charge", "amount": bt.Amount, "amount_captured": bt.Amount, "currency": "usd"}
		mustAdd(t, s, bt)
		want = append([]string{bt.ID}, want...)
		wantNet += bt.Net
	}
	mustAdd(t, s,
		BalanceTransaction{ID: "txn_payout", Type: "payout", Source: "po_big", Amount: -wantNet, Net: -wantNet, Currency: "usd", Created: 1709400000, AvailableOn: 1709400000, Payout: "po_big"},
		charge("txn_other_payout", "ch_other", "po_other", 5000, 1709250000),
		charge("txn_not_paid_out", "ch_pending", "", 7000, 1709500000))
	base := start(t, s)

	got, err := client(t, base, stripeapi.Config{LiveKey: testKey}).PayoutTransactions(tctx(t), "po_big", "", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 250 {
		t.Fatalf("%d transactions, want 250", len(got))
	}
	var net int64
	for i, bt := range got {
		if bt.ID != want[i] || bt.Type != "charge" || bt.Source != "ch_"+strings.TrimPrefix(bt.ID, "txn_") ||
			bt.Amount.Currency != "USD" || bt.Net.Minor != bt.Amount.Minor-bt.Fee.Minor {
			t.Fatalf("transaction %d: %+v (want id %s)", i, bt, want[i])
		}
		net += bt.Net.Minor
	}
	if net != wantNet {
		t.Fatalf("nets sum to %d, want %d", net, wantNet)
	}
	reqs := s.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3 pages: %+v", len(reqs), reqs)
	}
	// Page one holds the payout's own transaction (newest) and 99 charges.
	for i, after := range []string{"", want[98], want[198]} {
		r := reqs[i]
		if r.Status != 200 || r.Livemode || r.StripeAccount != "" || r.Query.Get("payout") != "po_big" || r.Query.Get("starting_after") != after {
			t.Fatalf("request %d: %+v, want starting_after %q", i, r, after)
		}
	}
	// The client asks for the sources expanded and reads the charge's
	// captured amount from them.
	if !expandSent(reqs[0]) {
		t.Fatalf("the client did not ask for expanded sources: %v", reqs[0].Query)
	}
	for i, bt := range got {
		if bt.SourceAmount.Minor != bt.Amount.Minor || bt.SourceAmount.Currency != "USD" {
			t.Fatalf("transaction %d: source amount %+v, want the expanded charge's %d USD", i, bt.SourceAmount, bt.Amount.Minor)
		}
	}
}

// One payout id in both modes and on a connected account: each key and
// Stripe-Account sees its own entries only.
func TestClientSeesItsModeAndAccount(t *testing.T) {
	s := New()
	live := charge("txn_live", "ch_live", "po_1", 1000, 100)
	live.Livemode = true
	test := charge("txn_test", "ch_test", "po_1", 2000, 100)
	connLive := charge("txn_conn_live", "ch_conn_live", "po_1", 3000, 100)
	connLive.Livemode, connLive.Account = true, "acct_1Connected"
	connTest := charge("txn_conn_test", "ch_conn_test", "po_1", 4000, 100)
	connTest.Account = "acct_1Connected"
	other := charge("txn_other_acct", "ch_other_acct", "po_1", 5000, 100)
	other.Account = "acct_1Other"
	mustAdd(t, s, live, test, connLive, connTest, other)
	c := client(t, start(t, s), stripeapi.Config{LiveKey: liveKey, TestKey: testKey})

	for _, tc := range []struct {
		account  string
		livemode bool
		want     string
	}{
		{"", true, "txn_live"},
		{"", false, "txn_test"},
		{"acct_1Connected", true, "txn_conn_live"},
		{"acct_1Connected", false, "txn_conn_test"},
		{"acct_1Other", false, "txn_other_acct"},
		{"acct_1Nobody", true, ""},
	} {
		got, err := c.PayoutTransactions(tctx(t), "po_1", tc.account, tc.livemode)
		if err != nil {
			t.Fatalf("%q live=%v: %v", tc.account, tc.livemode, err)
		}
		var gotIDs []string
		for _, bt := range got {
			gotIDs = append(gotIDs, bt.ID)
		}
		if tc.want == "" && len(gotIDs) != 0 || tc.want != "" && (len(gotIDs) != 1 || gotIDs[0] != tc.want) {
			t.Fatalf("account %q live=%v: %v, want [%s]", tc.account, tc.livemode, gotIDs, tc.want)
		}
	}
	reqs := s.Requests()
	if !reqs[0].Livemode || reqs[1].Livemode || reqs[2].StripeAccount != "acct_1Connected" {
		t.Fatalf("the request log does not show the key's mode and the account: %+v", reqs[:3])
	}
	for _, r := range reqs {
		if strings.Contains(fmt.Sprintf("%+v", r), "DoNotPrint") {
			t.Fatalf("the request log holds a key: %+v", r)
		}
	}
}

// The exchange rate keeps every digit from the ledger to the client's
// command, and an entry in another currency keeps its own.
func TestClientKeepsExchangeRateExact(t *testing.T) {
	s := New()
	eur := charge("txn_fx", "ch_fx", "po_fx", 10876, 100)
	eur.ExchangeRate = "1.08765432109876"
	jpy := BalanceTransaction{ID: "txn_jpy", Type: "charge", Source: "ch_jpy", Amount: 1500, Fee: 54, Net: 1446, Currency: "jpy",
		ExchangeRate: "0.0067123456789012345678", Created: 99, Payout: "po_fx"}
	mustAdd(t, s, eur, jpy)
	got, err := client(t, start(t, s), stripeapi.Config{LiveKey: testKey}).PayoutTransactions(tctx(t), "po_fx", "", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ExchangeRate != "1.08765432109876" || got[1].ExchangeRate != "0.0067123456789012345678" ||
		got[1].Amount.Currency != "JPY" || got[1].Amount.Minor != 1500 {
		t.Fatalf("exchange rates: %+v", got)
	}
}

// A key the fake does not accept is Stripe's 401, which the client
// reports as a Stripe error that is not transient and carries neither the
// key nor any part of it.
func TestClientGetsStripe401(t *testing.T) {
	s := New(WithKeys("sk_test_theRightOne"))
	base := start(t, s)
	_, err := client(t, base, stripeapi.Config{LiveKey: testKey}).PayoutTransactions(tctx(t), "po_1", "", false)
	var se *stripeapi.Error
	if !errors.As(err, &se) || se.StatusCode != 401 || se.Type != "invalid_request_error" || se.Transient() ||
		!strings.HasPrefix(se.RequestID, "req_") || !strings.Contains(se.Message, "Invalid API Key") {
		t.Fatalf("unknown key: %#v", err)
	}
	if strings.Contains(err.Error(), "DoNotPrint") || strings.Contains(err.Error(), "51Fake") {
		t.Fatalf("the key is in the error: %v", err)
	}
	// The accepted key works, and a live key is not accepted for being live.
	if _, err := client(t, base, stripeapi.Config{LiveKey: "sk_test_theRightOne"}).PayoutTransactions(tctx(t), "po_1", "", false); err != nil {
		t.Fatalf("accepted key: %v", err)
	}
	if _, err := client(t, base, stripeapi.Config{LiveKey: liveKey}).PayoutTransactions(tctx(t), "po_1", "", true); !errors.As(err, &se) || se.StatusCode != 401 {
		t.Fatalf("live key not in WithKeys: %v", err)
	}
}

// A path the fake does not serve is Stripe's 404 "Unrecognized request
// URL", and a cursor that vanished between two pages (the ledger was
// reset under the client) is Stripe's resource_missing: both reach the
// client as Stripe errors, not as undecodable answers.
func TestClientGetsStripe404AndResourceMissing(t *testing.T) {
	s := New()
	for i := range 150 {
		mustAdd(t, s, charge(fmt.Sprintf("txn_%03d", i), fmt.Sprintf("ch_%03d", i), "po_1", 1000, int64(i)))
	}
	var calls atomic.Int32
	base := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/balance_transactions" && calls.Add(1) == 2 {
			s.Reset() // a `DELETE /_fake/balance_transactions` between the pages
		}
		s.ServeHTTP(w, r)
	}))
	c := client(t, base, stripeapi.Config{LiveKey: testKey})

	_, err := c.PayoutTransactions(tctx(t), "po_1", "", false)
	var se *stripeapi.Error
	if !errors.As(err, &se) || se.StatusCode != 400 || se.Code != "resource_missing" || se.Type != "invalid_request_error" ||
		se.Transient() || !strings.Contains(se.Message, "No such balance_transaction: 'txn_050'") {
		t.Fatalf("vanished cursor: %v", err)
	}

	err = c.ListEvents(tctx(t), stripeapi.EventsQuery{}, func([]stripeapi.Event) error { return nil })
	if !errors.As(err, &se) || se.StatusCode != 404 || se.Type != "invalid_request_error" || se.Transient() ||
		!strings.Contains(se.Message, "Unrecognized request URL (GET: /v1/events)") {
		t.Fatalf("unknown path: %v", err)
	}
}
