package m3

import (
	"errors"
	"math/big"
	"net/http"
	"testing"

	"github.com/stripe-infor/stripe-infor/infor/emulator"
	"github.com/stripe-infor/stripe-infor/internal/command"
)

var devAccounts = command.PayoutAccounts{Bank: "1930", Clearing: "1580", Fees: "6570", FX: "7960"}

// balance is account's GL balance in cur, as an exact rational ("" → 0).
func balance(t *testing.T, st emulator.State, account, cur string) *big.Rat {
	t.Helper()
	v := st.GLBalances[account][cur]
	if v == "" {
		return new(big.Rat)
	}
	r, ok := new(big.Rat).SetString(v)
	if !ok {
		t.Fatalf("balance %s %s = %q", account, cur, v)
	}
	return r
}

func wantBalance(t *testing.T, st emulator.State, account, cur, want string) {
	t.Helper()
	w, _ := new(big.Rat).SetString(want)
	if got := balance(t, st, account, cur); got.Cmp(w) != 0 {
		t.Errorf("GL %s %s = %s, want %s (all %v)", account, cur, got.FloatString(3), want, st.GLBalances)
	}
}

// TestBooksOfAChargeRefundAndConvertedPayout runs the accounting model
// through the adapter and the emulator: a USD charge and a EUR charge
// settled in USD, a partial refund of each, a payout of all four balance
// transactions and its failure. After each step the clearing account holds
// what Stripe has not paid out, every batch balances, and nothing is open
// below zero.
func TestBooksOfAChargeRefundAndConvertedPayout(t *testing.T) {
	v := newEnv(t)
	eur := func(minor int64) command.Money { return command.Money{Minor: minor, Currency: "EUR"} }
	for _, c := range []struct {
		ch    string
		price command.Money
	}{{"ch_usd", usd(10000)}, {"ch_eur", eur(5000)}} {
		if _, err := v.a.CreateSalesOrder(ctx(t), order(c.ch, command.CustomerRef{}, c.price)); err != nil {
			t.Fatal(err)
		}
		if _, err := v.a.ApplyPayment(ctx(t), command.ApplyPayment{OrderRef: command.OrderRef{StripeObjectID: c.ch}, Amount: c.price, StripeChargeID: c.ch}); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []struct {
		re, ch string
		amt    command.Money
	}{{"re_usd", "ch_usd", usd(2500)}, {"re_eur", "ch_eur", eur(1000)}} {
		cm := command.CreateCreditMemo{StripeRefundID: r.re, OrderRef: command.OrderRef{StripeObjectID: r.ch}, Amount: r.amt, RefundDate: "2026-03-02"}
		for range 2 { // the second is a replay: nothing more
			if _, err := v.a.CreateCreditMemo(ctx(t), cm); err != nil {
				t.Fatal(err)
			}
		}
	}
	st := v.state()
	// The refunds left the Stripe balance the day Stripe made them.
	for _, bs := range st.BankStatements {
		if bs.REFE == RefundSettlementReference("re_usd") && (bs.STDT != "20260302" || bs.Lines[0].VLDT != "20260302") {
			t.Errorf("refund settlement dated %s / %s, want 20260302", bs.STDT, bs.Lines[0].VLDT)
		}
	}
	bad := command.CreateCreditMemo{StripeRefundID: "re_bad", OrderRef: command.OrderRef{StripeObjectID: "ch_usd"}, Amount: usd(1), RefundDate: "02/03/2026"}
	if _, err := v.a.CreateCreditMemo(ctx(t), bad); !isInvalid(err) {
		t.Fatalf("a malformed refund date: %v", err)
	}
	if n := len(v.state().Invoices); n != len(st.Invoices) {
		t.Fatalf("a credit note was written for a refund with a malformed date")
	}
	// Before the payout: clearing holds what was charged minus what was
	// refunded, in each charge's currency; the receivable is zero.
	wantBalance(t, st, "1580", "USD", "75.00")
	wantBalance(t, st, "1580", "EUR", "40.00")
	wantBalance(t, st, "1510", "USD", "0")
	wantBalance(t, st, "1510", "EUR", "0")
	wantBalance(t, st, "3740", "USD", "25.00")
	wantBalance(t, st, "3010", "EUR", "-50.00")
	for _, inv := range st.Invoices {
		if inv.OPAM != "0.00" {
			t.Errorf("invoice %s (credit note of %q) open %s", inv.CINO, inv.CRIN, inv.OPAM)
		}
	}

	// The EUR charge was settled as 54.38 USD (rate 1.0876), fee 1.88; its
	// refund as −10.88 USD. Net 10000−320 −2500 +5438−188 −1088 = 11342.
	payout := command.ReconcilePayout{CommandID: "payout:po_fx", StripePayoutID: "po_fx", Amount: usd(11342), ArrivalDate: "2026-03-05", Status: "paid",
		Accounts: devAccounts,
		Transactions: []command.BalanceTransaction{
			{ID: "txn_usd", Type: "charge", Source: "ch_usd", Amount: usd(10000), Fee: usd(320), Net: usd(9680)},
			{ID: "txn_re_usd", Type: "refund", Source: "re_usd", Amount: usd(-2500), Fee: usd(0), Net: usd(-2500)},
			{ID: "txn_eur", Type: "charge", Source: "ch_eur", Amount: usd(5438), Fee: usd(188), Net: usd(5250), ExchangeRate: "1.0876", SourceAmount: eur(5000)},
			{ID: "txn_re_eur", Type: "refund", Source: "re_eur", Amount: usd(-1088), Fee: usd(0), Net: usd(-1088), ExchangeRate: "1.0876", SourceAmount: eur(1000)},
		}}
	for range 2 {
		if _, err := v.a.ReconcilePayout(ctx(t), payout); err != nil {
			t.Fatal(err)
		}
	}
	st = v.state()
	wantBalance(t, st, "1580", "USD", "0")
	wantBalance(t, st, "1580", "EUR", "0")
	wantBalance(t, st, "1930", "USD", "113.42")
	wantBalance(t, st, "6570", "USD", "5.08")
	// The FX account holds the position: 40 EUR bought for 43.50 USD.
	wantBalance(t, st, "7960", "EUR", "40.00")
	wantBalance(t, st, "7960", "USD", "-43.50")
	journals := 0
	for _, b := range st.GLBatches {
		sums := map[string]*big.Rat{}
		for _, l := range b.Lines {
			if sums[l.CUCD] == nil {
				sums[l.CUCD] = new(big.Rat)
			}
			r, _ := new(big.Rat).SetString(l.ACAM)
			sums[l.CUCD].Add(sums[l.CUCD], r)
		}
		for cur, s := range sums {
			if s.Sign() != 0 {
				t.Errorf("batch %s (%s) off by %s %s", b.BCHN, b.TX40, s.FloatString(2), cur)
			}
		}
		if b.REFE == JournalReference(payoutJournalID("po_fx")) {
			journals++
		}
	}
	if journals != 1 {
		t.Fatalf("payout journals: %d", journals)
	}

	// The payout fails after it was paid: the money is back in clearing;
	// fees and conversion stand.
	failed := command.ReconcilePayout{CommandID: "payout:po_fx:failed", StripePayoutID: "po_fx", Amount: usd(11342), ArrivalDate: "2026-03-05",
		Status: "failed", Accounts: devAccounts}
	for range 2 {
		if _, err := v.a.ReconcilePayout(ctx(t), failed); err != nil {
			t.Fatal(err)
		}
	}
	st = v.state()
	wantBalance(t, st, "1930", "USD", "0")
	wantBalance(t, st, "1580", "USD", "113.42")
	wantBalance(t, st, "6570", "USD", "5.08")
}

// A converted transaction without its source's amount cannot be booked
// (the clearing in the charge's currency would never be relieved), and a
// payout with half its accounts is refused before anything is written.
func TestPayoutJournalRefusals(t *testing.T) {
	v := newEnv(t)
	p := command.ReconcilePayout{CommandID: "payout:po_x", StripePayoutID: "po_x", Amount: usd(5250), Status: "paid", Accounts: devAccounts,
		Transactions: []command.BalanceTransaction{{ID: "txn_x", Type: "charge", Source: "ch_x", Amount: usd(5438), Fee: usd(188), Net: usd(5250), ExchangeRate: "1.0876"}}}
	if _, err := v.a.ReconcilePayout(ctx(t), p); !isInvalid(err) {
		t.Fatalf("no source amount: %v", err)
	}
	p.Transactions[0].SourceAmount = command.Money{Minor: 5000, Currency: "EUR"}
	p.Accounts.FX = ""
	if _, err := v.a.ReconcilePayout(ctx(t), p); !isInvalid(err) {
		t.Fatalf("no FX account: %v", err)
	}
	if st := v.state(); len(st.BankStatements) != 0 || len(st.GLBatches) != 0 {
		t.Fatalf("something was written: %d statements, %d batches", len(st.BankStatements), len(st.GLBatches))
	}
}

func isInvalid(err error) bool { return errors.Is(err, ErrInvalidCommand) }

// A payout that fails leaves the same books whichever of its two commands
// comes first: the fees of what it settled are booked, the bank holds
// nothing, and the money is back in clearing.
func TestFailedPayoutBooksDoNotDependOnOrder(t *testing.T) {
	for _, failedFirst := range []bool{false, true} {
		v := newEnv(t)
		if _, err := v.a.CreateSalesOrder(ctx(t), order("ch_f", command.CustomerRef{}, usd(10000))); err != nil {
			t.Fatal(err)
		}
		if _, err := v.a.ApplyPayment(ctx(t), command.ApplyPayment{OrderRef: command.OrderRef{StripeObjectID: "ch_f"}, Amount: usd(10000), StripeChargeID: "ch_f"}); err != nil {
			t.Fatal(err)
		}
		txns := []command.BalanceTransaction{{ID: "txn_f", Type: "charge", Source: "ch_f", Amount: usd(10000), Fee: usd(320), Net: usd(9680)}}
		paid := command.ReconcilePayout{CommandID: "payout:po_f", StripePayoutID: "po_f", Amount: usd(9680), ArrivalDate: "2026-03-05",
			Status: "paid", Accounts: devAccounts, Transactions: txns}
		failed := paid
		failed.CommandID, failed.Status = "payout:po_f:failed", "failed"
		order := []command.ReconcilePayout{paid, failed}
		if failedFirst {
			order = []command.ReconcilePayout{failed, paid}
		}
		for _, c := range order {
			if _, err := v.a.ReconcilePayout(ctx(t), c); err != nil {
				t.Fatal(err)
			}
		}
		st := v.state()
		wantBalance(t, st, "6570", "USD", "3.20")
		wantBalance(t, st, "1930", "USD", "0")
		wantBalance(t, st, "1580", "USD", "96.80")
	}
}

// The failed command runs while the paid one is between its look for a
// reversal and its writing (a retry-topic record and a main-topic record of
// one key can run at once): the books still end with the money back in
// clearing and nothing in the bank, and the reversal mirrors the paid
// statement.
func TestPayoutFailingWhilePaidIsWritten(t *testing.T) {
	v := newEnv(t)
	if _, err := v.a.CreateSalesOrder(ctx(t), order("ch_r", command.CustomerRef{}, usd(10000))); err != nil {
		t.Fatal(err)
	}
	if _, err := v.a.ApplyPayment(ctx(t), command.ApplyPayment{OrderRef: command.OrderRef{StripeObjectID: "ch_r"}, Amount: usd(10000), StripeChargeID: "ch_r"}); err != nil {
		t.Fatal(err)
	}
	txns := []command.BalanceTransaction{{ID: "txn_r", Type: "charge", Source: "ch_r", Amount: usd(10000), Fee: usd(320), Net: usd(9680)}}
	paid := command.ReconcilePayout{CommandID: "payout:po_r", StripePayoutID: "po_r", Amount: usd(9680), ArrivalDate: "2026-03-05",
		Status: "paid", Accounts: devAccounts, Transactions: txns}
	failed := paid
	failed.CommandID, failed.Status = "payout:po_r:failed", "failed"
	once := false
	v.rt.onAfter("ABS100MI", "LstStatmt", func(*http.Request) {
		if once {
			return
		}
		once = true // right after the paid command's first look for a reversal
		if _, err := v.a.ReconcilePayout(ctx(t), failed); err != nil {
			t.Errorf("failed: %v", err)
		}
	})
	if _, err := v.a.ReconcilePayout(ctx(t), paid); err != nil {
		t.Fatal(err)
	}
	st := v.state()
	wantBalance(t, st, "1930", "USD", "0")
	wantBalance(t, st, "1580", "USD", "96.80")
	wantBalance(t, st, "6570", "USD", "3.20")
	var paidSt, revSt *emulator.BankStatement
	for _, bs := range st.BankStatements {
		switch bs.REFE {
		case PayoutReference("po_r"):
			paidSt = bs
		case PayoutReversalReference("po_r"):
			revSt = bs
		}
	}
	if paidSt == nil || revSt == nil || len(revSt.Lines) != len(paidSt.Lines) || revSt.Lines[0].ACAM != "-96.80" {
		t.Fatalf("paid %+v, reversal %+v", paidSt, revSt)
	}
}
