package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/stripe-infor/stripe-infor/internal/config"
	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
)

// runSend is `stripe-infor send`: build (or read) an event, sign it exactly
// as Stripe does (stripe-go's signing helper: v1 HMAC-SHA256 over
// "timestamp.body"), and POST it. It is how to try the running stack by hand.
func runSend(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: stripe-infor send [flags] [EVENT_TYPE]\n\nEvent types: %s\n\nflags:\n", strings.Join(stripefixture.Types(), ", "))
		fs.PrintDefaults()
	}
	defSecret, err := config.String("STRIPE_WEBHOOK_SECRET", DevWebhookSecret)
	if err != nil {
		return err
	}
	url := fs.String("url", "http://127.0.0.1:8080/webhooks/stripe", "webhook endpoint")
	secret := fs.String("secret", "", "signing secret (default: first of STRIPE_WEBHOOK_SECRET, else "+DevWebhookSecret+")")
	file := fs.String("file", "", "send this JSON file as the body instead of a generated event")
	count := fs.Int("count", 1, "how many events to send (ids vary with each)")
	// Microseconds, so two sends in one second do not repeat ids.
	seq := fs.Int64("seq", time.Now().UnixMicro(), "first sequence number for generated ids; given, the events are reproducible (ids and dates follow from it), else dated now")
	live := fs.Bool("livemode", false, "generate a live-mode event")
	currency := fs.String("currency", "usd", "currency of generated amounts")
	amount := fs.Int64("amount", 0, "amount in minor units (0: varies)")
	account := fs.String("account", "", "Connect account id to set on the event")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *secret == "" {
		if list := config.List(defSecret); len(list) > 0 {
			*secret = list[0]
		}
	}
	eventType := "charge.succeeded"
	if fs.NArg() > 0 {
		eventType = fs.Arg(0)
	}
	var fileBody []byte
	if *file != "" {
		if fileBody, err = os.ReadFile(*file); err != nil {
			return fmt.Errorf("read event file: %w", err)
		}
	}
	client := &http.Client{Timeout: 30 * time.Second}
	failed := 0
	// Without --seq, events are dated now (the fixture would date them
	// 2026-11-25 plus seq seconds, decades ahead with the default seq);
	// with it, the same command sends the same events.
	var created time.Time
	seqGiven := false
	fs.Visit(func(f *flag.Flag) { seqGiven = seqGiven || f.Name == "seq" })
	if !seqGiven {
		created = time.Now().UTC().Truncate(time.Second)
	}
	for i := 0; i < *count; i++ {
		body := fileBody
		if body == nil {
			body, err = stripefixture.Event(eventType, stripefixture.Options{
				Seq: *seq + int64(i), Livemode: *live, Currency: *currency, Amount: *amount, Account: *account,
				Created: created,
			})
			if err != nil {
				return fmt.Errorf("%w (known types: %s)", err, strings.Join(stripefixture.Types(), ", "))
			}
		}
		signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: *secret})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, *url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		req.Header.Set("Stripe-Signature", signed.Header)
		req.Header.Set("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks) stripe-infor-send")
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("post %s: %w", *url, err)
		}
		reply, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			failed++
		}
		fmt.Fprintf(stdout, "%s %d bytes -> %s %s\n", eventType, len(body), resp.Status, bytes.TrimSpace(reply))
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d deliveries not accepted", failed, *count)
	}
	return nil
}
