package m3apply

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/stripe-infor/stripe-infor/infor/m3"
	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/sinks/inforsink"
)

// reconcilePayout fetches a payout's balance transactions when the command
// has none, then lets the adapter book the statement (paid) or the
// reversal (failed, canceled). A failed payout's transactions are fetched
// too when a Stripe API is configured, since their fees and conversions are
// booked either way (the adapter's settlement journal); without one its
// reversal is booked alone. See the package documentation.
func (a *Applier) reconcilePayout(ctx context.Context, ad *m3.Adapter, c command.ReconcilePayout) (inforsink.Applied, error) {
	status := strings.ToLower(c.Status)
	paid := status == "" || status == "paid"
	wantTxns := paid || (a.cfg.Payouts != nil && c.Accounts != (command.PayoutAccounts{}))
	if wantTxns && len(c.Transactions) == 0 {
		po := c.StripePayoutID
		if po == "" {
			po = strings.TrimSuffix(strings.TrimPrefix(c.CommandID, "payout:"), ":failed")
		}
		if po == "" {
			return inforsink.Applied{}, fmt.Errorf("%w: m3apply: %s: no payout id", m3.ErrInvalidCommand, c.CommandID)
		}
		if a.cfg.Payouts == nil {
			return inforsink.Applied{}, fmt.Errorf("%w: m3apply: %s: the payout's balance transactions must be fetched from Stripe and no Stripe API key is configured (STRIPE_API_KEY)",
				m3.ErrInvalidCommand, c.CommandID)
		}
		txns, err := a.cfg.Payouts.PayoutTransactions(ctx, po, c.Meta.StripeAccount, c.Meta.Livemode)
		switch {
		case err == nil:
			c.Transactions = txns
		case !paid && !isTransient(err):
			// A failed payout is reversed whatever Stripe says about its
			// transactions (a manual payout has no listable history): its
			// settlement is then left unbooked, which the log says.
			a.cfg.Logger.Warn("failed payout: its balance transactions could not be read; booking the reversal without their fees and conversions",
				"command_id", c.CommandID, "payout", po, "err", err)
		default:
			return inforsink.Applied{}, stripeError(c.CommandID, po, err)
		}
	}
	r, err := ad.ReconcilePayout(ctx, c)
	if err != nil {
		return inforsink.Applied{}, err
	}
	lines := strconv.Itoa(r.Lines) + " lines"
	written := state(r.Created, "written", "already there")
	switch {
	case r.Failed && status != "failed" && status != "canceled": // a paid command after its failure
		return inforsink.Applied{Detail: join("payout failed (reversal statement "+r.StatementNumber+")", "nothing booked")}, nil
	case r.Failed && r.ReversedStatement == "":
		return inforsink.Applied{Created: r.Created, Detail: join("payout failed before anything was booked", "marker statement "+r.StatementNumber, written)}, nil
	case r.Failed:
		return inforsink.Applied{Created: r.Created, Detail: join("reversal statement "+r.StatementNumber, "of statement "+r.ReversedStatement, lines, written)}, nil
	}
	return inforsink.Applied{Created: r.Created, Detail: join("payout statement "+r.StatementNumber, lines, written)}, nil
}

// stripeError adds the command's context to a Stripe error and keeps its
// type: the sink asks it whether it is Transient (retried, honouring
// RetryAfterHint) or not (dead-lettered at once with Stripe's message).
func stripeError(id, po string, err error) error {
	return fmt.Errorf("m3apply: %s: balance transactions of payout %s: %w", id, po, err)
}

// isTransient reports whether err says to try again later (a Stripe error
// that is transient; anything else that is not a Stripe API error is
// treated as transient too, as the sink would).
func isTransient(err error) bool {
	var t interface{ Transient() bool }
	if errors.As(err, &t) {
		return t.Transient()
	}
	return true
}
