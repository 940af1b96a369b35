package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/stripeapi"
	"github.com/stripe-infor/stripe-infor/internal/stripefake"
	"github.com/stripe-infor/stripe-infor/sinks/m3apply"
)

// DevStripeFakeAddr is where `stripe-infor dev` serves its fake Stripe API
// when STRIPE_API_KEY is not set.
const DevStripeFakeAddr = "127.0.0.1:8092"

// The keys dev's sink sends to the fake, one per mode: the client needs a
// key of the object's mode, and the fake takes a key's mode from its
// prefix. They are placeholders, not secrets; the fake accepts any
// sk_live_/sk_test_ key, so curl and scripts can use their own.
const (
	devStripeLiveKey = "sk_live_dev"
	devStripeTestKey = "sk_test_dev"
)

func bindStripeFakeFlag(fs *flag.FlagSet, addr *string) {
	fs.StringVar(addr, "stripe-fake-addr", DevStripeFakeAddr,
		`serve a fake Stripe API (balance transactions, loaded with POST /_fake/balance_transactions) here when STRIPE_API_KEY is not set; "" disables it`)
}

// devStripeAPI is where dev's sink fetches a payout's balance transactions,
// and sets the banner's Stripe API line. With STRIPE_API_KEY: the real API
// (or STRIPE_API_BASE), as the sink stage does. Without: the fake, so
// that a payout of a scenario whose ledger was loaded reconciles; with the
// fake disabled (--stripe-fake-addr "") or its address taken, nothing,
// and payouts are dead-lettered saying what to set. A taken address does
// not stop dev: the fake is a convenience, and the rest of the stack is
// still worth running.
func (d *devStack) devStripeAPI(key, testKey, base string) (m3apply.PayoutSource, error) {
	if key != "" {
		c, err := stripeapi.New(stripeapi.Config{Base: base, LiveKey: key, TestKey: testKey})
		if err != nil {
			return nil, fmt.Errorf("STRIPE_API_KEY / STRIPE_API_BASE: %w", err)
		}
		d.stripeAPI = base + " (payout balance transactions, key from STRIPE_API_KEY)"
		return c, nil
	}
	dlq := kafka.DLQTopic(kafka.BankCommands)
	if d.s.stripeFakeAddr == "" {
		d.stripeAPI = "not configured: payouts go to " + dlq + " (set STRIPE_API_KEY, and STRIPE_API_BASE for a stripe-mock)"
		return noStripeAPI{}, nil
	}
	url, err := d.startStripeFake(d.s.stripeFakeAddr)
	if err != nil {
		d.log.Warn("fake Stripe API not started; payouts will be dead-lettered", "err", err)
		d.stripeAPI = fmt.Sprintf("not configured: the fake could not start (%v); payouts go to %s (--stripe-fake-addr to move it, or set STRIPE_API_KEY)", err, dlq)
		return noStripeAPI{}, nil
	}
	c, err := stripeapi.New(stripeapi.Config{Base: url, LiveKey: devStripeLiveKey, TestKey: devStripeTestKey})
	if err != nil {
		return nil, fmt.Errorf("fake Stripe API client: %w", err)
	}
	d.stripeAPI = "fake at " + url + " (load balance transactions with POST /_fake/balance_transactions; set STRIPE_API_KEY for the real API)"
	return c, nil
}

// startStripeFake serves an empty fake Stripe API on addr until dev stops
// and returns its base URL. Its ledger is in memory: a restart of dev
// empties it.
func (d *devStack) startStripeFake(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: stripefake.New(), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.log.Error("fake Stripe API stopped", "err", err)
		}
	}()
	url := "http://" + ln.Addr().String()
	d.log.Info("fake Stripe API listening", "url", url)
	d.onClose(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	})
	return url, nil
}
