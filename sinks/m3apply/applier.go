package m3apply

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/stripe-infor/stripe-infor/infor/m3"
	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/sinks/inforsink"
)

// PayoutSource fetches a payout's balance transactions from Stripe;
// *stripeapi.Client implements it.
type PayoutSource interface {
	PayoutTransactions(ctx context.Context, payoutID, stripeAccount string, livemode bool) ([]command.BalanceTransaction, error)
}

// Config configures an Applier.
type Config struct {
	// Live is the adapter for the tenant of INFOR_IONAPI_FILE, for
	// livemode=true commands. Required.
	Live *m3.Adapter
	// Sandbox is the adapter for the tenant of INFOR_SANDBOX_IONAPI_FILE,
	// for livemode=false commands. nil: test-mode commands go to Live when
	// AllowTestModeOnLive, else they are invalid commands.
	Sandbox *m3.Adapter
	// AllowTestModeOnLive lets Live take test-mode commands when there is
	// no Sandbox (development: one emulator tenant takes both).
	AllowTestModeOnLive bool
	// Payouts fetches the balance transactions of paid payouts whose
	// command carries none. nil: such a command is an invalid command.
	Payouts PayoutSource
	// Logger receives what the applier decides on its own (a failed
	// payout reversed without its settlement); nil discards it.
	Logger *slog.Logger
}

// Applier carries commands out in M3. It is safe for concurrent use; the
// sink never applies one command twice at the same time.
type Applier struct {
	cfg Config
}

var _ inforsink.Applier = (*Applier)(nil)

// New returns an Applier.
func New(cfg Config) (*Applier, error) {
	if cfg.Live == nil {
		return nil, errors.New("m3apply: no live tenant: set INFOR_IONAPI_FILE")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Applier{cfg: cfg}, nil
}

// Apply carries cmd out in the tenant of its mode. Errors come from the
// adapter as they are (m3.DependencyError, m3.ErrInvalidCommand, the
// errors of package infor) or from Stripe (see the package documentation),
// for the sink to classify.
func (a *Applier) Apply(ctx context.Context, cmd command.Command) (inforsink.Applied, error) {
	cmd, err := deref(cmd)
	if err != nil {
		return inforsink.Applied{}, err
	}
	ad, err := a.adapter(cmd)
	if err != nil {
		return inforsink.Applied{}, err
	}
	switch c := cmd.(type) {
	case command.UpsertCustomer:
		r, err := ad.UpsertCustomer(ctx, c)
		if err != nil {
			return inforsink.Applied{}, err
		}
		return customerApplied(r), nil
	case command.CreateSalesOrder:
		r, err := ad.CreateSalesOrder(ctx, c)
		if err != nil {
			return inforsink.Applied{}, err
		}
		return inforsink.Applied{Created: r.Created, Detail: join("ORNO "+r.OrderNumber, with("invoice ", r.InvoiceNumber), "CUOR "+r.CUOR, state(r.Created, "confirmed", "already there"))}, nil
	case command.ChangeOrderStatus:
		r, err := ad.ChangeOrderStatus(ctx, c)
		if err != nil {
			return inforsink.Applied{}, err
		}
		return inforsink.Applied{Created: r.Changed, Detail: join("ORNO "+r.OrderNumber, "stop code "+r.StopCode, state(r.Changed, "changed", "already set"))}, nil
	case command.ApplyPayment:
		r, err := ad.ApplyPayment(ctx, c)
		if err != nil {
			return inforsink.Applied{}, err
		}
		return inforsink.Applied{Created: r.Applied, Detail: join("statement "+r.StatementNumber, "ORNO "+r.OrderNumber, "invoice "+r.InvoiceNumber, state(r.Applied, "allocated", "already allocated"))}, nil
	case command.CreateCreditMemo:
		r, err := ad.CreateCreditMemo(ctx, c)
		if err != nil {
			return inforsink.Applied{}, err
		}
		return inforsink.Applied{Created: r.Created, Detail: join("credit note "+r.CreditNoteNumber, with("of invoice ", r.InvoiceNumber), state(r.Created, "created", "already there"))}, nil
	case command.PostJournal:
		if supersededRefundJournal(c.CommandID) {
			return inforsink.Applied{Detail: "superseded: a refund is booked by its credit note and the note's settlement, not by a journal"}, nil
		}
		r, err := ad.PostJournal(ctx, c)
		if err != nil {
			return inforsink.Applied{}, err
		}
		return inforsink.Applied{Created: r.Posted, Detail: join("GL batch "+r.BatchNumber, state(r.Posted, "posted", "already posted"))}, nil
	case command.ReconcilePayout:
		return a.reconcilePayout(ctx, ad, c)
	}
	return inforsink.Applied{}, fmt.Errorf("%w: m3apply: %s: command type %s has no M3 mapping", m3.ErrInvalidCommand, cmd.ID(), cmd.Type())
}

// deref accepts a command by value or by pointer (a decoder may return
// either) and refuses nil.
func deref(cmd command.Command) (command.Command, error) {
	var c command.Command
	switch p := cmd.(type) {
	case nil:
		return nil, fmt.Errorf("%w: m3apply: no command", m3.ErrInvalidCommand)
	case *command.UpsertCustomer:
		if p != nil {
			c = *p
		}
	case *command.CreateSalesOrder:
		if p != nil {
			c = *p
		}
	case *command.ChangeOrderStatus:
		if p != nil {
			c = *p
		}
	case *command.ApplyPayment:
		if p != nil {
			c = *p
		}
	case *command.CreateCreditMemo:
		if p != nil {
			c = *p
		}
	case *command.PostJournal:
		if p != nil {
			c = *p
		}
	case *command.ReconcilePayout:
		if p != nil {
			c = *p
		}
	default:
		return cmd, nil
	}
	if c == nil {
		return nil, fmt.Errorf("%w: m3apply: nil %T", m3.ErrInvalidCommand, cmd)
	}
	return c, nil
}

// adapter picks the tenant for cmd's mode.
func (a *Applier) adapter(cmd command.Command) (*m3.Adapter, error) {
	if cmd.Metadata().Livemode {
		return a.cfg.Live, nil
	}
	switch {
	case a.cfg.Sandbox != nil:
		return a.cfg.Sandbox, nil
	case a.cfg.AllowTestModeOnLive:
		return a.cfg.Live, nil
	}
	return nil, fmt.Errorf("%w: m3apply: %s: a test-mode command (livemode=false) and no sandbox tenant: set INFOR_SANDBOX_IONAPI_FILE, or drop test-mode events in the mapping (test_mode: drop)",
		m3.ErrInvalidCommand, cmd.ID())
}

func customerApplied(r m3.CustomerResult) inforsink.Applied {
	what := "unchanged"
	switch {
	case r.Created:
		what = "created"
	case r.Changed:
		what = "updated"
	}
	if r.AddressChanged {
		what += ", billing address written"
	}
	return inforsink.Applied{Created: r.Created || r.Changed || r.AddressChanged, Detail: join("CUNO "+r.CustomerNumber, what)}
}

// join makes a Detail: the non-empty parts, comma-separated.
func join(parts ...string) string {
	var out []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

// with is prefix+v, or "" when v is empty.
func with(prefix, v string) string {
	if v == "" {
		return ""
	}
	return prefix + v
}

func state(did bool, yes, no string) string {
	if did {
		return yes
	}
	return no
}

// supersededRefundJournal reports whether id is a refund journal
// ("journal:re_…:refund") as processors wrote them before the credit note
// was settled out of the Stripe balance by the sink (CreateCreditMemo):
// such a journal, still on a topic, a retry topic or a DLQ during an
// upgrade or a replay, would book the refund a second time. It is skipped
// (applied with nothing to do). Upgrade the sink before the processors, so
// that no refund is booked by neither.
func supersededRefundJournal(id string) bool {
	rest, ok := strings.CutPrefix(id, "journal:")
	if !ok {
		return false
	}
	src, purpose, ok := strings.Cut(rest, ":")
	return ok && purpose == "refund" && (strings.HasPrefix(src, "re_") || strings.HasPrefix(src, "pyr_"))
}
