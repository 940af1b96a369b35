package main

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/stripe-infor/stripe-infor/infor/m3"
	icommand "github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/config"
	"github.com/stripe-infor/stripe-infor/internal/observability"
	"github.com/stripe-infor/stripe-infor/sinks/inforsink"
)

// devRetryTiers are shorter than production's 10s,1m,10m,1h: in dev the
// three commands of one charge arrive together on three topics, and a
// payment that came before its order should land seconds later, not after a
// minute. The last tier repeats until the dependency deadline.
var devRetryTiers = []time.Duration{time.Second, 5 * time.Second, 30 * time.Second, 5 * time.Minute}

// startSink runs the Infor sink in-process against the embedded broker,
// registry and Redis and the emulator, with its metrics on dev's /metrics
// and its readiness in dev's /readyz. Test-mode commands (what `send`
// makes by default) go to the emulator's one tenant as well: an emulator
// serves one tenant per instance, and a second instance (port, data dir,
// .ionapi, banner line) is more than dev needs to show the routing, which
// sinks/m3apply's tests cover with two emulators. Like the processor, a
// sink that stops on a client error is started again.
func (d *devStack) startSink(ctx context.Context, brokers, registryURL, redisURL string, reg prometheus.Registerer, health *observability.Health) error {
	s := sinkSettings{
		brokers:             brokers,
		registryURL:         registryURL,
		redisURL:            redisURL,
		ionapiFile:          d.emu.ionapiPath,
		group:               inforsink.DefaultGroup,
		concurrency:         inforsink.DefaultConcurrency,
		inPlaceAttempts:     inforsink.DefaultInPlaceAttempts,
		retryTiers:          devRetryTiers,
		dependencyDeadline:  inforsink.DefaultDependencyDeadline,
		dedupeLease:         defaultDedupeLease,
		dedupeTTL:           defaultDedupeTTL,
		sessionTimeout:      devSessionTimeout,
		rebalanceTimeout:    defaultSinkRebalanceTimeout,
		allowTestModeOnLive: true,
	}
	var err error
	if s.stripeKey, err = config.String("STRIPE_API_KEY", ""); err != nil {
		return err
	}
	if s.stripeTestKey, err = config.String("STRIPE_TEST_API_KEY", ""); err != nil {
		return err
	}
	if s.stripeBase, err = config.String("STRIPE_API_BASE", "https://api.stripe.com"); err != nil {
		return err
	}
	payouts, err := d.devStripeAPI(s.stripeKey, s.stripeTestKey, s.stripeBase)
	if err != nil {
		return err
	}
	st, err := newSinkStage(s, payouts, d.log, reg, health)
	if err != nil {
		return err
	}
	d.sink = fmt.Sprintf("group %s, concurrency %d, dedupe in %s", s.group, s.concurrency, redactURL(redisURL))
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			err := st.run(sctx)
			if sctx.Err() != nil {
				return
			}
			d.log.Error("sink stopped; restarting it in 2s", "err", err)
			select {
			case <-sctx.Done():
				return
			case <-time.After(2 * time.Second):
			}
		}
	}()
	d.onClose(func() {
		cancel()
		<-done
		st.close()
		d.log.Info("sink stopped")
	})
	return nil
}

// noStripeAPI stands in for the Stripe API when dev has neither
// STRIPE_API_KEY nor its fake (--stripe-fake-addr "", or its address
// taken): a payout cannot be reconciled without its balance transactions,
// and saying so in the DLQ record (as a validation error, so it is not
// retried for a day) is clearer than a 401 from api.stripe.com.
type noStripeAPI struct{}

func (noStripeAPI) PayoutTransactions(_ context.Context, payoutID, _ string, _ bool) ([]icommand.BalanceTransaction, error) {
	return nil, fmt.Errorf("%w: payout %s: dev has no Stripe API to fetch its balance transactions from; set STRIPE_API_KEY (and STRIPE_API_BASE for a stripe-mock), or let dev start its fake Stripe API (--stripe-fake-addr), and restart dev", m3.ErrInvalidCommand, payoutID)
}
