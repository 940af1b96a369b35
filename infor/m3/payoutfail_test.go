package m3

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/infor/emulator"
	"github.com/stripe-infor/stripe-infor/internal/command"
)

func paidPayout(po string) command.ReconcilePayout {
	return command.ReconcilePayout{CommandID: "payout:" + po, StripePayoutID: po, Amount: usd(9402), ArrivalDate: "2025-03-05", Status: "paid",
		Transactions: []command.BalanceTransaction{
			{ID: "txn_a", Type: "charge", Source: "ch_a", Amount: usd(5000), Fee: usd(175), Net: usd(4825)},
			{ID: "txn_b", Type: "charge", Source: "ch_b", Amount: usd(5000), Fee: usd(175), Net: usd(4825)},
			{ID: "txn_c", Type: "refund", Source: "re_c", Amount: usd(-248), Fee: usd(0), Net: usd(-248)},
		}}
}

func failedPayout(po string) command.ReconcilePayout {
	return command.ReconcilePayout{CommandID: "payout:" + po + ":failed", StripePayoutID: po, Amount: usd(9402), ArrivalDate: "2025-03-05", Status: "failed",
		Meta: command.Meta{OccurredAt: time.Date(2025, 3, 7, 9, 30, 0, 0, time.UTC)}}
}

// lineSum adds the statement lines' amounts in cents (USD only).
func lineSum(t *testing.T, bss ...*emulator.BankStatement) int64 {
	t.Helper()
	var sum int64
	for _, bs := range bss {
		for _, l := range bs.Lines {
			s := strings.Replace(l.ACAM, ".", "", 1)
			var n int64
			neg := strings.HasPrefix(s, "-")
			for _, r := range strings.TrimPrefix(s, "-") {
				n = n*10 + int64(r-'0')
			}
			if neg {
				n = -n
			}
			sum += n
		}
	}
	return sum
}

func lineRefs(bs *emulator.BankStatement) string {
	var out []string
	for _, l := range bs.Lines {
		out = append(out, l.REFE+"="+l.ACAM)
	}
	return strings.Join(out, " ")
}

// paid, then failed: the failure reverses every line of the paid
// statement, once, even across a lost answer, and a replayed paid command
// books nothing more.
func TestFailedPayoutReversesThePaidStatement(t *testing.T) {
	v := newEnv(t)
	paid := paidPayout("po_f1")
	if r, err := v.a.ReconcilePayout(ctx(t), paid); err != nil || !r.Created || r.Failed {
		t.Fatalf("paid: %+v %v", r, err)
	}
	failed := failedPayout("po_f1")
	failed.Transactions = paid.Transactions[:1] // ignored: the reversal mirrors M3's statement
	v.rt.loseAnswer("ABS100MI", "AddStatmtLine", 1)
	if _, err := v.a.ReconcilePayout(ctx(t), failed); err == nil {
		t.Fatal("lost answer: want an error")
	}
	r1, err := v.a.ReconcilePayout(ctx(t), failed)
	if err != nil || !r1.Created || !r1.Failed || r1.Lines != 3 || r1.ReversedStatement == "" || r1.StatementNumber == r1.ReversedStatement {
		t.Fatalf("failed: %+v %v", r1, err)
	}
	r2, err := v.a.ReconcilePayout(ctx(t), failed)
	if err != nil || r2.Created || r2.StatementNumber != r1.StatementNumber {
		t.Fatalf("failed again: %+v %v", r2, err)
	}
	// The paid command replayed (a redrive, a lost Redis) books nothing.
	r3, err := v.a.ReconcilePayout(ctx(t), paid)
	if err != nil || r3.Created || !r3.Failed {
		t.Fatalf("paid after failed: %+v %v", r3, err)
	}

	st := v.state()
	paidSt := statementsWith(st, PayoutReference("po_f1"))
	rev := statementsWith(st, PayoutReversalReference("po_f1"))
	if len(paidSt) != 1 || len(rev) != 1 {
		t.Fatalf("statements: paid %d, reversal %d", len(paidSt), len(rev))
	}
	if got := lineRefs(rev[0]); got != "txn_a=-48.25 txn_b=-48.25 txn_c=2.48" {
		t.Fatalf("reversal lines %s", got)
	}
	if rev[0].BKID != "BANK1" || rev[0].STDT != "20250307" || rev[0].CUCD != "USD" || rev[0].STNB != r1.StatementNumber {
		t.Fatalf("reversal %+v", rev[0])
	}
	if lineSum(t, paidSt[0]) != 9402 || lineSum(t, paidSt[0], rev[0]) != 0 {
		t.Fatalf("paid %d, paid+reversal %d", lineSum(t, paidSt[0]), lineSum(t, paidSt[0], rev[0]))
	}
}

// failed before paid (Stripe does not order events), or a payout that
// failed without ever being paid: nothing is booked, the failure is marked
// by an empty reversal statement, and a paid command applied after it
// books nothing.
func TestFailedPayoutBeforePaidBooksNothing(t *testing.T) {
	v := newEnv(t)
	r1, err := v.a.ReconcilePayout(ctx(t), failedPayout("po_f2"))
	if err != nil || !r1.Failed || !r1.Created || r1.Lines != 0 || r1.ReversedStatement != "" {
		t.Fatalf("failed: %+v %v", r1, err)
	}
	if r, err := v.a.ReconcilePayout(ctx(t), failedPayout("po_f2")); err != nil || r.Created || r.StatementNumber != r1.StatementNumber {
		t.Fatalf("failed again: %+v %v", r, err)
	}
	r2, err := v.a.ReconcilePayout(ctx(t), paidPayout("po_f2"))
	if err != nil || r2.Created || !r2.Failed || r2.StatementNumber != r1.StatementNumber {
		t.Fatalf("paid after failed: %+v %v", r2, err)
	}
	st := v.state()
	if n := len(statementsWith(st, PayoutReference("po_f2"))); n != 0 {
		t.Fatalf("%d paid statements for a failed payout", n)
	}
	rev := statementsWith(st, PayoutReversalReference("po_f2"))
	if len(rev) != 1 || len(rev[0].Lines) != 0 || rev[0].TX40 != "Failed po_f2" {
		t.Fatalf("reversal %+v", rev)
	}
}

// A paid statement left incomplete (its command went to a retry topic) is
// reversed as far as it got; the paid command's retry then stops, so the
// two still sum to zero.
func TestFailedPayoutAfterAnIncompletePaidStatement(t *testing.T) {
	v := newEnv(t)
	v.rt.loseAnswer("ABS100MI", "AddStatmtLine", 1) // the first line is written, its answer lost
	if _, err := v.a.ReconcilePayout(ctx(t), paidPayout("po_f3")); err == nil {
		t.Fatal("want an error")
	}
	if r, err := v.a.ReconcilePayout(ctx(t), failedPayout("po_f3")); err != nil || r.Lines != 1 {
		t.Fatalf("failed: %+v %v", r, err)
	}
	if r, err := v.a.ReconcilePayout(ctx(t), paidPayout("po_f3")); err != nil || r.Created || !r.Failed {
		t.Fatalf("paid retry: %+v %v", r, err)
	}
	st := v.state()
	paidSt, rev := statementsWith(st, PayoutReference("po_f3")), statementsWith(st, PayoutReversalReference("po_f3"))
	if len(paidSt) != 1 || len(rev) != 1 || len(paidSt[0].Lines) != 1 || lineSum(t, paidSt[0], rev[0]) != 0 {
		t.Fatalf("paid %+v, reversal %+v", paidSt, rev)
	}
}

func TestPayoutStatusMustBeFinal(t *testing.T) {
	v := newEnv(t)
	p := paidPayout("po_f4")
	p.Status = "in_transit"
	if _, err := v.a.ReconcilePayout(ctx(t), p); !errors.Is(err, ErrInvalidCommand) {
		t.Fatalf("in_transit: %v", err)
	}
	if len(v.state().BankStatements) != 0 {
		t.Fatal("a statement for a payout that is not final")
	}
	// canceled is booked like failed; the payout id is read from the
	// command id when the field is empty.
	c := failedPayout("po_f4")
	c.Status, c.StripePayoutID = "canceled", ""
	if r, err := v.a.ReconcilePayout(ctx(t), c); err != nil || !r.Failed {
		t.Fatalf("canceled: %+v %v", r, err)
	}
	if len(statementsWith(v.state(), PayoutReversalReference("po_f4"))) != 1 {
		t.Fatal("no reversal for the canceled payout")
	}
}

func TestNegateDecimal(t *testing.T) {
	for in, want := range map[string]string{"48.25": "-48.25", "-2.48": "2.48", "+1.000": "-1.000", " 1500 ": "-1500"} {
		if got, ok := negateDecimal(in); !ok || got != want {
			t.Errorf("negateDecimal(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "1e3", "--1", "1.", "abc"} {
		if _, ok := negateDecimal(in); ok {
			t.Errorf("negateDecimal(%q) accepted", in)
		}
	}
}
