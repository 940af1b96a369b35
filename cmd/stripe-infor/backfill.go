package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/config"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/stripeapi"
	"github.com/stripe-infor/stripe-infor/ops/backfill"
	"github.com/stripe-infor/stripe-infor/ops/timespec"
)

const backfillHelp = `usage: stripe-infor backfill --since T [--until T] [--types a,b] [flags]

Fetches the events the webhook missed from Stripe's Events API
(GET /v1/events, created in [--since, --until], delivery_success=false:
the events still pending or failed at some webhook endpoint) and writes
them to stripe.events.raw exactly as the webhook would have: the event's
JSON as Stripe sent it, the same key and headers, received-at = now, plus
backfilled=true. Events already on stripe.events.raw are skipped: it is
read from (--since − 1h) to its end to find them, which costs a read of
the topic over that window. Stripe keeps events for 30 days: an older
--since is refused.

Keys: STRIPE_API_KEY for live mode, STRIPE_TEST_API_KEY (or a test
STRIPE_API_KEY) for --mode test; STRIPE_API_BASE to point elsewhere (for
example stripe-mock). Keys are never printed. --dry-run lists what would
be written and writes nothing.

flags:
`

// runBackfill is `stripe-infor backfill`.
func runBackfill(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backfill", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, backfillHelp); fs.PrintDefaults() }
	var k opsKafka
	if err := k.bind(fs); err != nil {
		return err
	}
	liveKey, _, err := config.Lookup("STRIPE_API_KEY")
	if err != nil {
		return err
	}
	testKey, _, err := config.Lookup("STRIPE_TEST_API_KEY")
	if err != nil {
		return err
	}
	apiBase, err := config.String("STRIPE_API_BASE", stripeapi.DefaultBase)
	if err != nil {
		return err
	}
	defMode := "live"
	if liveKey == "" || strings.HasPrefix(liveKey, "sk_test_") || strings.HasPrefix(liveKey, "rk_test_") {
		defMode = "test"
	}
	since := fs.String("since", "", "oldest event time (required): RFC 3339, a date, or a duration before now such as 6h")
	until := fs.String("until", "", "newest event time (default: now)")
	var types listFlag
	fs.Var(&types, "types", "event types, comma-separated or repeated (at most 20; default: all)")
	includeDelivered := fs.Bool("include-delivered", false, "also fetch events Stripe delivered (still skipping those on the topic)")
	account := fs.String("account", "", "a Connect account (acct_…) whose events to fetch")
	mode := fs.String("mode", defMode, "live or test: which events, and which key (default from the keys set)")
	rate := fs.Float64("rate", stripeapi.DefaultRatePerSecond, "most Stripe requests per second")
	base := fs.String("stripe-api-base", apiBase, "Stripe API base URL (STRIPE_API_BASE)")
	dryRun := fs.Bool("dry-run", false, "list what would be written; write nothing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	usage := func(format string, a ...any) error { return usagef(stderr, "backfill", format, a...) }
	now := time.Now()
	if *since == "" {
		return usage("--since is required")
	}
	from, err := timespec.Parse(*since, now)
	if err != nil {
		return usage("--since: %v", err)
	}
	var to time.Time
	if *until != "" {
		if to, err = timespec.Parse(*until, now); err != nil {
			return usage("--until: %v", err)
		}
	}
	if *mode != "live" && *mode != "test" {
		return usage("--mode is live or test, not %q", *mode)
	}
	if *rate <= 0 {
		return usage("--rate must be positive")
	}
	kc, err := k.config(stderr)
	if err != nil {
		return err
	}
	cl, err := stripeapi.New(stripeapi.Config{Base: *base, LiveKey: liveKey, TestKey: testKey, RatePerSecond: *rate})
	if err != nil {
		return err
	}
	rep, err := backfill.Run(ctx, backfill.Config{Kafka: kc, Stripe: cl, Since: from, Until: to, Types: types,
		IncludeDelivered: *includeDelivered, Account: *account, Livemode: *mode == "live", DryRun: *dryRun, Progress: stderr})
	if err == nil || rep.Listed > 0 {
		printBackfill(stdout, *mode, rep)
	}
	return err
}

func printBackfill(w io.Writer, mode string, rep backfill.Report) {
	note := ""
	if rep.DryRun {
		note = " (dry run: nothing written)"
	}
	fmt.Fprintf(w, "backfill %s-mode events created %s … %s%s\n", mode, rep.Since.Format(time.RFC3339), rep.Until.Format(time.RFC3339), note)
	verb := "written"
	if rep.DryRun {
		verb = "would write"
	}
	for _, it := range rep.Written {
		at := ""
		if it.At != "" {
			at = " at " + it.At
		}
		fmt.Fprintf(w, "%s  %s %s created %s key %s%s\n", verb, it.ID, it.Type, it.Created.Format(time.RFC3339), it.Key, at)
	}
	for _, r := range rep.Refused {
		fmt.Fprintf(w, "refused  %s: %s\n", r.ID, r.Reason)
	}
	fmt.Fprintf(w, "Stripe listed %d; %d already on %s (skipped, %d records read to check); %d %s; %d refused\n",
		rep.Listed, len(rep.Skipped), kafka.RawEvents, rep.Scanned, len(rep.Written), verb, len(rep.Refused))
}
