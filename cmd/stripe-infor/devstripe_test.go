package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/stripeapi"
)

// TestDevServesTheFakeStripeAPI is `make run` without STRIPE_API_KEY: dev
// serves the fake Stripe API, says where in its banner, takes a ledger on
// /_fake/balance_transactions and serves it to a Stripe client with the
// keys dev's sink uses, each mode its own entries, the exchange rate
// exact. The fake stops with dev.
func TestDevServesTheFakeStripeAPI(t *testing.T) {
	ports := devPorts{freePort(t), freePort(t), freePort(t), freePort(t), freePort(t)}
	fakeAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	p := start(t, baseEnv(), append(ports.args(filepath.Join(t.TempDir(), "data")), "--stripe-fake-addr", fakeAddr)...)
	waitHTTP(t, p, fmt.Sprintf("http://127.0.0.1:%d/readyz", ports.web), 200)
	fake := "http://" + fakeAddr
	want := "Stripe API         fake at " + fake + " (load balance transactions with POST /_fake/balance_transactions; set STRIPE_API_KEY for the real API)"
	if !strings.Contains(p.out(), want) {
		t.Fatalf("banner lacks %q:\n%s", want, p.out())
	}

	ledger := `[
	  {"id":"txn_dev_fx","type":"charge","source":"ch_dev_fx","amount":10876,"fee":345,"net":10531,"currency":"usd",
	   "exchange_rate":"1.08765432109876","created":1709251200,"available_on":1709424000,"payout":"po_dev_1"},
	  {"id":"txn_dev_live","type":"charge","source":"ch_dev_live","amount":5000,"fee":175,"net":4825,"currency":"usd",
	   "created":1709251300,"available_on":1709424000,"payout":"po_dev_1","livemode":true},
	  {"id":"txn_dev_po","type":"payout","source":"po_dev_1","amount":-10531,"fee":0,"net":-10531,"currency":"usd",
	   "created":1709500000,"available_on":1709500000,"payout":"po_dev_1"}
	]`
	resp, err := http.Post(fake+"/_fake/balance_transactions", "application/json", strings.NewReader(ledger))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("loading the ledger: %d", resp.StatusCode)
	}

	c, err := stripeapi.New(stripeapi.Config{Base: fake, LiveKey: devStripeLiveKey, TestKey: devStripeTestKey})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	test, err := c.PayoutTransactions(ctx, "po_dev_1", "", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(test) != 1 || test[0].ID != "txn_dev_fx" || test[0].ExchangeRate != "1.08765432109876" || test[0].Net.Minor != 10531 || test[0].Net.Currency != "USD" {
		t.Fatalf("test-mode payout transactions: %+v", test)
	}
	live, err := c.PayoutTransactions(ctx, "po_dev_1", "", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(live) != 1 || live[0].ID != "txn_dev_live" {
		t.Fatalf("live-mode payout transactions: %+v", live)
	}

	if err := p.stop(t, os.Interrupt); err != nil {
		t.Fatalf("dev did not exit cleanly: %v\n%s", err, p.errOut())
	}
	if conn, err := net.DialTimeout("tcp", fakeAddr, time.Second); err == nil {
		conn.Close()
		t.Fatalf("the fake still listens on %s after dev stopped", fakeAddr)
	}
}

// With STRIPE_API_KEY set dev uses the API it names and starts no fake.
func TestDevWithStripeKeyStartsNoFake(t *testing.T) {
	ports := devPorts{freePort(t), freePort(t), freePort(t), freePort(t), freePort(t)}
	fakeAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	p := start(t, baseEnv("STRIPE_API_KEY=sk_test_fromEnvironment123", "STRIPE_API_BASE=http://127.0.0.1:1"),
		append(ports.args(filepath.Join(t.TempDir(), "data")), "--stripe-fake-addr", fakeAddr)...)
	waitHTTP(t, p, fmt.Sprintf("http://127.0.0.1:%d/readyz", ports.web), 200)
	if want := "Stripe API         http://127.0.0.1:1 (payout balance transactions, key from STRIPE_API_KEY)"; !strings.Contains(p.out(), want) {
		t.Fatalf("banner lacks %q:\n%s", want, p.out())
	}
	if conn, err := net.DialTimeout("tcp", fakeAddr, time.Second); err == nil {
		conn.Close()
		t.Fatalf("a fake listens on %s although STRIPE_API_KEY is set", fakeAddr)
	}
	if strings.Contains(p.out()+p.errOut(), "fromEnvironment123") {
		t.Fatal("the key is in dev's output")
	}
	if err := p.stop(t, os.Interrupt); err != nil {
		t.Fatalf("dev did not exit cleanly: %v\n%s", err, p.errOut())
	}
}

// A taken --stripe-fake-addr does not stop dev: the banner and the log say
// the fake could not start, and payouts are dead-lettered saying what to
// set, as without a fake.
func TestDevRunsWhenTheFakeAddressIsTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	ports := devPorts{freePort(t), freePort(t), freePort(t), freePort(t), freePort(t)}
	p := start(t, baseEnv(), append(ports.args(filepath.Join(t.TempDir(), "data")), "--stripe-fake-addr", taken.Addr().String())...)
	waitHTTP(t, p, fmt.Sprintf("http://127.0.0.1:%d/readyz", ports.web), 200)
	if want := "Stripe API         not configured: the fake could not start (listen on " + taken.Addr().String(); !strings.Contains(p.out(), want) {
		t.Fatalf("banner lacks %q:\n%s", want, p.out())
	}
	if !strings.Contains(p.errOut(), "fake Stripe API not started") {
		t.Fatalf("no warning in the log:\n%s", p.errOut())
	}
	if err := p.stop(t, os.Interrupt); err != nil {
		t.Fatalf("dev did not exit cleanly: %v\n%s", err, p.errOut())
	}
}
