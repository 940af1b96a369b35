package stripeapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

const (
	liveKey = "sk_live_51LiveSecretABCDEFGHIJKLMNOPQRSTUV"
	testKey = "sk_test_51TestSecretABCDEFGHIJKLMNOPQRSTUV"
)

// fakeStripe serves GET /v1/balance_transactions from a list of balance
// transactions (JSON objects), paginated as Stripe does, and records the
// requests it saw.
type fakeStripe struct {
	t    *testing.T
	txns []map[string]any // in list order
	// fail, when set, answers instead of the list.
	fail func(w http.ResponseWriter, r *http.Request) bool

	mu   sync.Mutex
	reqs []*http.Request
}

func (f *fakeStripe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.reqs = append(f.reqs, r.Clone(context.Background()))
	f.mu.Unlock()
	if f.fail != nil && f.fail(w, r) {
		return
	}
	if r.Method != http.MethodGet || r.URL.Path != "/v1/balance_transactions" {
		http.Error(w, `{"error":{"type":"invalid_request_error","message":"Unrecognized request URL"}}`, http.StatusNotFound)
		return
	}
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit < 1 || limit > 100 {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":{"type":"invalid_request_error","code":"parameter_invalid_integer","message":"limit %q"}}`, r.URL.Query().Get("limit"))
		return
	}
	start := 0
	if after := r.URL.Query().Get("starting_after"); after != "" {
		start = -1
		for i, tx := range f.txns {
			if tx["id"] == after {
				start = i + 1
			}
		}
		if start < 0 {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":{"type":"invalid_request_error","code":"resource_missing","message":"no such starting_after"}}`)
			return
		}
	}
	end := min(start+limit, len(f.txns))
	w.Header().Set("Request-Id", "req_fake")
	_ = json.NewEncoder(w).Encode(map[string]any{"object": "list", "url": "/v1/balance_transactions",
		"data": f.txns[start:end], "has_more": end < len(f.txns)})
}

func (f *fakeStripe) requests() []*http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*http.Request(nil), f.reqs...)
}

// txn is a balance transaction object as Stripe renders it; rate is the
// raw JSON of exchange_rate.
func txn(id, typ string, source any, amount, fee int64, currency, rate string) map[string]any {
	return map[string]any{"id": id, "object": "balance_transaction", "type": typ, "source": source,
		"amount": amount, "fee": fee, "net": amount - fee, "currency": currency,
		"exchange_rate": json.RawMessage(rate), "status": "available", "created": 1709251200}
}

func newFake(t *testing.T, f *fakeStripe, cfg Config) *Client {
	t.Helper()
	f.t = t
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg.Base = srv.URL
	if cfg.RatePerSecond == 0 {
		cfg.RatePerSecond = 10000 // the limiter has its own test
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func tctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// 250 transactions over three pages, plus the payout's own balance
// transaction, which is left out so that the nets sum to the payout.
func TestPayoutTransactionsPaginates(t *testing.T) {
	f := &fakeStripe{}
	var wantNet int64
	for i := range 250 {
		amt := int64(1000 + i)
		f.txns = append(f.txns, txn(fmt.Sprintf("txn_%03d", i), "charge", fmt.Sprintf("ch_%03d", i), amt, 59, "usd", "null"))
		wantNet += amt - 59
		if i == 120 {
			// Stripe lists the payout's own transaction among them.
			f.txns = append(f.txns, txn("txn_payout", "payout", "po_big", -999999, 0, "usd", "null"))
		}
	}
	c := newFake(t, f, Config{LiveKey: liveKey})
	got, err := c.PayoutTransactions(tctx(t), "po_big", "", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 250 {
		t.Fatalf("%d transactions, want 250", len(got))
	}
	var net int64
	for i, bt := range got {
		if bt.ID != fmt.Sprintf("txn_%03d", i) || bt.Source != fmt.Sprintf("ch_%03d", i) || bt.Type != "charge" {
			t.Fatalf("transaction %d: %+v", i, bt)
		}
		net += bt.Net.Minor
	}
	if net != wantNet {
		t.Fatalf("nets sum to %d, want %d", net, wantNet)
	}
	reqs := f.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3 pages", len(reqs))
	}
	for i, want := range []string{"", "txn_099", "txn_198"} {
		q := reqs[i].URL.Query()
		if q.Get("payout") != "po_big" || q.Get("limit") != "100" || q.Get("starting_after") != want {
			t.Fatalf("request %d: %s", i, reqs[i].URL.RawQuery)
		}
		h := reqs[i].Header
		if h.Get("Authorization") != "Bearer "+liveKey || h.Get("Stripe-Version") != "2023-10-16" || h.Get("Stripe-Account") != "" {
			t.Fatalf("request %d headers: version %q account %q", i, h.Get("Stripe-Version"), h.Get("Stripe-Account"))
		}
	}
}

func TestPayoutTransactionsConnectAndKeys(t *testing.T) {
	f := &fakeStripe{txns: []map[string]any{txn("txn_1", "charge", "ch_1", 500, 30, "usd", "null")}}
	c := newFake(t, f, Config{LiveKey: liveKey, TestKey: testKey, Version: "2024-06-20"})
	if _, err := c.PayoutTransactions(tctx(t), "po_c", "acct_1Connected", false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PayoutTransactions(tctx(t), "po_c", "", true); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if h := reqs[0].Header; h.Get("Stripe-Account") != "acct_1Connected" || h.Get("Authorization") != "Bearer "+testKey || h.Get("Stripe-Version") != "2024-06-20" {
		t.Fatalf("test-mode Connect request: account %q auth ok %v", h.Get("Stripe-Account"), h.Get("Authorization") == "Bearer "+testKey)
	}
	if h := reqs[1].Header; h.Get("Stripe-Account") != "" || h.Get("Authorization") != "Bearer "+liveKey {
		t.Fatalf("live request: account %q auth ok %v", h.Get("Stripe-Account"), h.Get("Authorization") == "Bearer "+liveKey)
	}

	// One test key for everything test mode; a live object then has no key.
	only := newFake(t, &fakeStripe{txns: f.txns}, Config{LiveKey: testKey})
	if _, err := only.PayoutTransactions(tctx(t), "po_c", "", false); err != nil {
		t.Fatalf("test key as STRIPE_API_KEY: %v", err)
	}
	_, err := only.PayoutTransactions(tctx(t), "po_c", "", true)
	var se *Error
	if !errors.As(err, &se) || se.Type != TypeConfiguration || se.Transient() || strings.Contains(err.Error(), testKey) {
		t.Fatalf("live object with a test key: %v", err)
	}
	liveOnly := newFake(t, &fakeStripe{}, Config{LiveKey: liveKey})
	if _, err := liveOnly.PayoutTransactions(tctx(t), "po_c", "", false); !errors.As(err, &se) || se.Transient() || strings.Contains(err.Error(), liveKey) {
		t.Fatalf("test object with a live key only: %v", err)
	}

	if _, err := New(Config{}); err == nil {
		t.Fatal("no key accepted")
	}
	if _, err := New(Config{TestKey: liveKey}); err == nil || strings.Contains(err.Error(), liveKey) {
		t.Fatalf("live key as test key: %v", err)
	}
	if _, err := New(Config{LiveKey: liveKey, Base: "ftp://x"}); err == nil {
		t.Fatal("ftp base accepted")
	}
}

// Zero- and three-decimal currencies stay in minor units, upper-cased;
// exchange rates keep their exact text; expanded sources give their id.
func TestPayoutTransactionsDecoding(t *testing.T) {
	f := &fakeStripe{txns: []map[string]any{
		txn("txn_jpy", "charge", "ch_jpy", 15000, 540, "jpy", "null"),
		txn("txn_kwd", "charge", map[string]any{"id": "ch_kwd", "object": "charge", "amount": 5000, "amount_captured": 4018, "currency": "usd"}, 1234, 37, "kwd", "0.30712"),
		txn("txn_re", "refund", map[string]any{"id": "re_fx", "object": "refund", "amount": 1000, "currency": "eur", "charge": "ch_fx"}, -1088, 0, "usd", "1.0876"),
		txn("txn_fx", "charge", "py_fx", 10876, 345, "usd", "1.0876"),
		txn("txn_exp", "charge", "ch_exp", 100, 0, "usd", "1.0876e0"),
		txn("txn_long", "charge", "ch_long", 100, 0, "usd", "0.012345678901234567890123"),
		txn("txn_adj", "adjustment", nil, -250, 0, "usd", "null"),
	}}
	c := newFake(t, f, Config{LiveKey: liveKey})
	got, err := c.PayoutTransactions(tctx(t), "po_d", "", true)
	if err != nil {
		t.Fatal(err)
	}
	want := []command.BalanceTransaction{
		{ID: "txn_jpy", Type: "charge", Source: "ch_jpy", Amount: command.Money{Minor: 15000, Currency: "JPY"}, Fee: command.Money{Minor: 540, Currency: "JPY"}, Net: command.Money{Minor: 14460, Currency: "JPY"}},
		{ID: "txn_kwd", Type: "charge", Source: "ch_kwd", Amount: command.Money{Minor: 1234, Currency: "KWD"}, Fee: command.Money{Minor: 37, Currency: "KWD"}, Net: command.Money{Minor: 1197, Currency: "KWD"}, ExchangeRate: "0.30712",
			SourceAmount: command.Money{Minor: 4018, Currency: "USD"}},
		{ID: "txn_re", Type: "refund", Source: "re_fx", Amount: command.Money{Minor: -1088, Currency: "USD"}, Fee: command.Money{Minor: 0, Currency: "USD"}, Net: command.Money{Minor: -1088, Currency: "USD"}, ExchangeRate: "1.0876",
			SourceAmount: command.Money{Minor: 1000, Currency: "EUR"}},
		{ID: "txn_fx", Type: "charge", Source: "py_fx", Amount: command.Money{Minor: 10876, Currency: "USD"}, Fee: command.Money{Minor: 345, Currency: "USD"}, Net: command.Money{Minor: 10531, Currency: "USD"}, ExchangeRate: "1.0876"},
		{ID: "txn_exp", Type: "charge", Source: "ch_exp", Amount: command.Money{Minor: 100, Currency: "USD"}, Fee: command.Money{Minor: 0, Currency: "USD"}, Net: command.Money{Minor: 100, Currency: "USD"}, ExchangeRate: "1.0876"},
		{ID: "txn_long", Type: "charge", Source: "ch_long", Amount: command.Money{Minor: 100, Currency: "USD"}, Fee: command.Money{Minor: 0, Currency: "USD"}, Net: command.Money{Minor: 100, Currency: "USD"}, ExchangeRate: "0.012345678901234567890123"},
		{ID: "txn_adj", Type: "adjustment", Amount: command.Money{Minor: -250, Currency: "USD"}, Fee: command.Money{Minor: 0, Currency: "USD"}, Net: command.Money{Minor: -250, Currency: "USD"}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d transactions: %+v", len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("transaction %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if command.Decimal(got[1].Net) != "1.197" || command.Decimal(got[0].Net) != "14460" {
		t.Fatalf("decimals: %s %s", command.Decimal(got[1].Net), command.Decimal(got[0].Net))
	}
	// The sources are asked for expanded: converted transactions need the
	// amount Infor booked in the source's currency.
	if q := f.requests()[0].URL.Query(); q.Get("expand[]") != "data.source" {
		t.Fatalf("request %s: want expand[]=data.source", f.requests()[0].URL.RawQuery)
	}

	// A fractional amount or a rate that is no number is refused, never rounded.
	for _, bad := range []map[string]any{
		{"id": "txn_bad", "type": "charge", "amount": 10.5, "fee": 0, "net": 10.5, "currency": "usd"},
		{"id": "txn_bad", "type": "charge", "amount": 10, "fee": 0, "net": 10, "currency": "usd", "exchange_rate": "1.08"},
		{"id": "txn_bad", "type": "charge", "amount": 10, "fee": 0, "net": 10, "currency": "usd", "exchange_rate": json.RawMessage("1e999999999")},
	} {
		c := newFake(t, &fakeStripe{txns: []map[string]any{bad}}, Config{LiveKey: liveKey})
		if _, err := c.PayoutTransactions(tctx(t), "po_bad", "", true); err == nil || !strings.Contains(err.Error(), "txn_bad") {
			t.Errorf("%v: want a decode error, got %v", bad, err)
		}
	}
}

func TestErrorsAreClassifiedAndCarryNoKey(t *testing.T) {
	for _, tc := range []struct {
		name       string
		status     int
		header     map[string]string
		body       string
		transient  bool
		retryAfter time.Duration
		code       string
	}{
		{"429 with Retry-After", 429, map[string]string{"Retry-After": "7"}, `{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests made to the API too quickly"}}`, true, 7 * time.Second, "rate_limit"},
		{"429 without Retry-After", 429, nil, `{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests"}}`, true, 0, "rate_limit"},
		{"401 echoing the key", 401, nil, `{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: ` + liveKey + ` (Authorization was 'Bearer ` + liveKey + `')"}}`, false, 0, ""},
		{"401 masked key", 401, nil, `{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_live_********************STUV"}}`, false, 0, ""},
		{"404 no such payout", 404, nil, `{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such payout: 'po_x'"}}`, false, 0, "resource_missing"},
		{"409 lock_timeout", 409, nil, `{"error":{"type":"invalid_request_error","code":"lock_timeout","message":"This object cannot be accessed right now"}}`, true, 0, "lock_timeout"},
		{"409 idempotency", 409, nil, `{"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be used with the same parameters"}}`, false, 0, ""},
		{"500", 500, nil, `{"error":{"type":"api_error","message":"Something went wrong on Stripe's end"}}`, true, 0, ""},
		{"502 html", 502, nil, `<html>Bad gateway</html>`, true, 0, ""},
		{"400 Stripe-Should-Retry", 400, map[string]string{"Stripe-Should-Retry": "true"}, `{"error":{"type":"invalid_request_error","message":"try again"}}`, true, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeStripe{fail: func(w http.ResponseWriter, r *http.Request) bool {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.Header().Set("Request-Id", "req_123")
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
				return true
			}}
			c := newFake(t, f, Config{LiveKey: liveKey})
			_, err := c.PayoutTransactions(tctx(t), "po_x", "acct_9", true)
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("not an *Error: %v", err)
			}
			var tr interface{ Transient() bool }
			var ra interface {
				RetryAfterHint() (time.Duration, bool)
			}
			if !errors.As(err, &tr) || tr.Transient() != tc.transient || !errors.As(err, &ra) {
				t.Fatalf("transient = %v, want %v: %v", se.Transient(), tc.transient, err)
			}
			if d, ok := ra.RetryAfterHint(); d != tc.retryAfter || ok != (tc.retryAfter > 0) {
				t.Fatalf("retry after %v %v, want %v", d, ok, tc.retryAfter)
			}
			if se.StatusCode != tc.status || se.RequestID != "req_123" || se.Code != tc.code {
				t.Fatalf("%+v", se)
			}
			if strings.Contains(err.Error(), liveKey) || strings.Contains(fmt.Sprintf("%+v %#v", err, se), liveKey) ||
				strings.Contains(err.Error(), "STUV") {
				t.Fatalf("a key in the error: %v", err)
			}
			if !strings.Contains(err.Error(), "req_123") || !strings.Contains(err.Error(), "po_x") {
				t.Fatalf("error lacks the request id or payout: %v", err)
			}
		})
	}
}

func TestNetworkErrorsAreTransient(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // connection refused from now on
	c, err := New(Config{Base: base, LiveKey: liveKey, RatePerSecond: 1000})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PayoutTransactions(tctx(t), "po_n", "", true)
	var se *Error
	if !errors.As(err, &se) || se.StatusCode != 0 || !se.Transient() || strings.Contains(err.Error(), liveKey) {
		t.Fatalf("connection refused: %v", err)
	}

	// A timeout: the server never answers within the client's timeout.
	block := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	t.Cleanup(func() { close(block); slow.Close() })
	c, err = New(Config{Base: slow.URL, LiveKey: liveKey, RatePerSecond: 1000, HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PayoutTransactions(tctx(t), "po_n", "", true)
	if !errors.As(err, &se) || se.StatusCode != 0 || !se.Transient() {
		t.Fatalf("timeout: %v", err)
	}
}

func TestKeysNeverPrinted(t *testing.T) {
	cfg := Config{LiveKey: liveKey, TestKey: testKey}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "stripe", cfg)
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprint(c), fmt.Sprintf("%v", c), buf.String()} {
		if strings.Contains(s, liveKey) || strings.Contains(s, testKey) || strings.Contains(s, "Secret") {
			t.Fatalf("a key printed: %s", s)
		}
	}
	if !strings.Contains(fmt.Sprint(cfg), "sk_live_[redacted]") {
		t.Fatalf("config string does not name the key kind: %s", cfg)
	}
}

// The limiter spaces requests: 5 pages at 20 requests/s cannot take less
// than 4 intervals (a lower bound only, so a slow machine cannot fail it).
func TestRateLimitSpacesRequests(t *testing.T) {
	f := &fakeStripe{}
	for i := range 450 {
		f.txns = append(f.txns, txn(fmt.Sprintf("txn_%03d", i), "charge", "ch_x", 100, 0, "usd", "null"))
	}
	c := newFake(t, f, Config{LiveKey: liveKey, RatePerSecond: 20})
	start := time.Now()
	if _, err := c.PayoutTransactions(tctx(t), "po_r", "", true); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 5 {
		t.Fatalf("%d requests", n)
	}
	if d := time.Since(start); d < 4*50*time.Millisecond {
		t.Fatalf("5 requests at 20/s took %v", d)
	}
	// A canceled context stops the wait.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c2 := newFake(t, &fakeStripe{}, Config{LiveKey: liveKey, RatePerSecond: 0.001})
	_, _ = c2.PayoutTransactions(tctx(t), "po_r", "", true) // takes the first slot
	if _, err := c2.PayoutTransactions(ctx, "po_r", "", true); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled wait: %v", err)
	}
}

func TestExactDecimal(t *testing.T) {
	for in, want := range map[string]string{
		"null": "", "": "", "1.0876": "1.0876", "1.0876e0": "1.0876", "10876E-4": "1.0876",
		"1.5e3": "1500", "-2.5e-2": "-0.025", "0.000001": "0.000001", "12": "12",
	} {
		got, err := exactDecimal(json.RawMessage(in))
		if err != nil || got != want {
			t.Errorf("exactDecimal(%q) = %q %v, want %q", in, got, err, want)
		}
	}
	for _, in := range []string{`"1.08"`, "01.5", "1.", "NaN", "1e-999"} {
		if got, err := exactDecimal(json.RawMessage(in)); err == nil {
			t.Errorf("exactDecimal(%q) = %q, want an error", in, got)
		}
	}
}
