package m3apply

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/infor"
	"github.com/stripe-infor/stripe-infor/infor/m3"
	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/stripeapi"
	"github.com/stripe-infor/stripe-infor/sinks/inforsink"
)

type setup struct {
	live, sandbox *tenant
	payouts       *fakePayouts
	ap            *Applier
}

func newSetup(t *testing.T) *setup {
	t.Helper()
	s := &setup{live: newTenant(t, "LIVE"), sandbox: newTenant(t, "SANDBOX"), payouts: &fakePayouts{txns: map[string][]command.BalanceTransaction{}}}
	ap, err := New(Config{Live: s.live.a, Sandbox: s.sandbox.a, Payouts: s.payouts})
	if err != nil {
		t.Fatal(err)
	}
	s.ap = ap
	return s
}

// applyTwice applies cmd, expects it to write, applies it again and
// expects Infor's lookup to find everything there.
func applyTwice(t *testing.T, ap *Applier, cmd command.Command) inforsink.Applied {
	t.Helper()
	first, err := ap.Apply(ctx(t), cmd)
	if err != nil {
		t.Fatalf("%s: %v", cmd.ID(), err)
	}
	if !first.Created || first.Detail == "" {
		t.Fatalf("%s first: %+v", cmd.ID(), first)
	}
	again, err := ap.Apply(ctx(t), cmd)
	if err != nil {
		t.Fatalf("%s again: %v", cmd.ID(), err)
	}
	if again.Created {
		t.Fatalf("%s applied twice: %+v", cmd.ID(), again)
	}
	return first
}

// Every command type, on the live tenant, once each however often it is
// applied, with Infor's numbers in the detail; nothing on the sandbox.
func TestEveryCommandTypeOnTheLiveTenant(t *testing.T) {
	s := newSetup(t)
	live := meta(true, "ch_A", "cus_A")

	r := applyTwice(t, s.ap, command.UpsertCustomer{Meta: live, CommandID: "customer:cus_A", StripeCustomerID: "cus_A",
		Name: "Ada Lovelace", Email: "ada@example.com", Address: command.Address{Line1: "12 St James's Square", City: "London", PostalCode: "SW1Y 4JH", Country: "GB"}, Version: 100})
	cuno := m3.CustomerNumber("cus_A")
	if r.Detail != "CUNO "+cuno+", created, billing address written" {
		t.Fatalf("customer detail %q", r.Detail)
	}

	r = applyTwice(t, s.ap, command.CreateSalesOrder{Meta: live, CommandID: "order:ch_A", StripeObjectID: "ch_A",
		CustomerRef: command.CustomerRef{StripeCustomerID: "cus_A"}, Currency: "USD", OrderType: "WEB", PaymentMethod: "CC",
		Lines: []command.OrderLine{{Item: "WIDGET", Quantity: 2, UnitPrice: usd(1250)}}})
	o := orderOf(s.live.state(), "ch_A")
	if o == nil || o.CUNO != cuno || o.NTAM != "25.00" {
		t.Fatalf("order %+v", o)
	}
	invs := invoicesOf(s.live.state(), o.ORNO)
	if len(invs) != 1 || !strings.Contains(r.Detail, "ORNO "+o.ORNO) || !strings.Contains(r.Detail, "invoice "+invs[0].CINO) {
		t.Fatalf("order detail %q, order %s, invoices %+v", r.Detail, o.ORNO, invs)
	}
	cino := invs[0].CINO

	r = applyTwice(t, s.ap, command.ApplyPayment{Meta: live, CommandID: "payment:ch_A", OrderRef: command.OrderRef{StripeObjectID: "ch_A"},
		Amount: usd(2500), StripeChargeID: "ch_A", BalanceTransactionID: "txn_A", PaymentDate: "2025-03-02"})
	pay := statementOf(s.live.state(), m3.PaymentReference("ch_A"))
	if pay == nil || r.Detail != "statement "+pay.STNB+", ORNO "+o.ORNO+", invoice "+cino+", allocated" {
		t.Fatalf("payment detail %q, statement %+v", r.Detail, pay)
	}

	r = applyTwice(t, s.ap, command.ChangeOrderStatus{Meta: live, CommandID: "order-status:ch_A:disputed", OrderRef: command.OrderRef{StripeObjectID: "ch_A"},
		Status: "disputed", Reason: "fraudulent"})
	if r.Detail != "ORNO "+o.ORNO+", stop code 3, changed" || orderOf(s.live.state(), "ch_A").OBLC != "3" {
		t.Fatalf("status detail %q", r.Detail)
	}

	r = applyTwice(t, s.ap, command.CreateCreditMemo{Meta: live, CommandID: "refund:re_A", StripeRefundID: "re_A",
		OrderRef: command.OrderRef{StripeObjectID: "ch_A"}, Amount: usd(500), Reason: "requested_by_customer"})
	var note string
	for _, inv := range s.live.state().Invoices {
		if inv.CRIN == cino {
			note = inv.CINO
		}
	}
	if note == "" || r.Detail != "credit note "+note+", of invoice "+cino+", created" {
		t.Fatalf("credit memo detail %q, note %q", r.Detail, note)
	}

	r = applyTwice(t, s.ap, &command.PostJournal{Meta: live, CommandID: "journal:txn_D:dispute", AccountingDate: "2025-03-03",
		Lines: []command.JournalLine{{Account: "6580", Amount: usd(500)}, {Account: "1580", Amount: usd(-500)}}})
	st := s.live.state()
	journal := batchOf(st, m3.JournalReference("journal:txn_D:dispute"))
	if journal == nil || r.Detail != "GL batch "+journal.BCHN+", posted" || st.GLBalances["6580"]["USD"] != "5.00" {
		t.Fatalf("journal detail %q, batches %+v", r.Detail, st.GLBatches)
	}
	// M3 posted the invoice, the payment, the credit note and its
	// settlement itself: the refund left the Stripe clearing account.
	if st.GLBalances["1580"]["USD"] != "15.00" || st.GLBalances["1510"]["USD"] != "0.00" {
		t.Fatalf("GL balances %v", st.GLBalances)
	}

	// The payout's transactions come from Stripe, with the command's
	// account and mode.
	s.payouts.txns["po_A"] = []command.BalanceTransaction{bt("txn_A", "charge", "ch_A", 2500, 103), bt("txn_R", "refund", "re_A", -500, 0)}
	payout := command.ReconcilePayout{Meta: live, CommandID: "payout:po_A", StripePayoutID: "po_A", Amount: usd(1897), ArrivalDate: "2025-03-05", Status: "paid",
		Accounts: command.PayoutAccounts{Bank: "1930", Clearing: "1580", Fees: "6570", FX: "7960"}}
	payout.Meta.StripeAccount = "acct_1Conn"
	r = applyTwice(t, s.ap, payout)
	ps := statementOf(s.live.state(), m3.PayoutReference("po_A"))
	if ps == nil || len(ps.Lines) != 2 || ps.Lines[0].ACAM != "23.97" || ps.Lines[1].ACAM != "-5.00" || r.Detail != "payout statement "+ps.STNB+", 2 lines, written" {
		t.Fatalf("payout detail %q, statement %+v", r.Detail, ps)
	}
	if st := s.live.state(); st.GLBalances["1930"]["USD"] != "18.97" || st.GLBalances["6570"]["USD"] != "1.03" || st.GLBalances["1580"]["USD"] != "-5.00" {
		t.Fatalf("after the payout's journal: %v", st.GLBalances) // clearing: 15.00 − 5.00 dispute − 18.97 − 1.03 fee
	}
	if calls := s.payouts.called(); len(calls) != 2 || calls[0] != (payoutCall{"po_A", "acct_1Conn", true}) {
		t.Fatalf("Stripe calls %+v", calls)
	}

	sb := s.sandbox.state()
	if len(sb.Customers) != 1 || len(sb.Orders) != 0 || len(sb.Invoices) != 0 || len(sb.BankStatements) != 0 || len(sb.GLBatches) != 0 {
		t.Fatalf("the sandbox got live data: %+v", sb)
	}
}

// Test-mode commands go to the sandbox tenant; without one, to the live
// tenant only when allowed, else they are invalid and touch nothing.
func TestLivemodeRouting(t *testing.T) {
	s := newSetup(t)
	cust := func(id string, livemode bool) command.UpsertCustomer {
		return command.UpsertCustomer{Meta: meta(livemode, id), CommandID: "customer:" + id, StripeCustomerID: id, Name: id, Version: 1}
	}
	has := func(tn *tenant, cus string) bool {
		for _, c := range tn.state().Customers {
			if c.YREF == cus {
				return true
			}
		}
		return false
	}
	if _, err := s.ap.Apply(ctx(t), cust("cus_test", false)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ap.Apply(ctx(t), cust("cus_live", true)); err != nil {
		t.Fatal(err)
	}
	if !has(s.sandbox, "cus_test") || has(s.live, "cus_test") || !has(s.live, "cus_live") || has(s.sandbox, "cus_live") {
		t.Fatal("commands reached the wrong tenant")
	}

	// A test-mode payout is fetched with the test-mode key and booked in the sandbox.
	s.payouts.txns["po_T"] = []command.BalanceTransaction{bt("txn_T", "charge", "ch_T", 1000, 59)}
	if _, err := s.ap.Apply(ctx(t), command.ReconcilePayout{Meta: meta(false), CommandID: "payout:po_T", StripePayoutID: "po_T", Amount: usd(941), ArrivalDate: "2025-03-05", Status: "paid"}); err != nil {
		t.Fatal(err)
	}
	if c := s.payouts.called(); len(c) != 1 || c[0].livemode || statementOf(s.sandbox.state(), m3.PayoutReference("po_T")) == nil || statementOf(s.live.state(), m3.PayoutReference("po_T")) != nil {
		t.Fatalf("test-mode payout: calls %+v", c)
	}

	// No sandbox, not allowed: invalid, nothing written anywhere.
	strict, err := New(Config{Live: s.live.a, Payouts: s.payouts})
	if err != nil {
		t.Fatal(err)
	}
	_, err = strict.Apply(ctx(t), cust("cus_strict", false))
	if !errors.Is(err, m3.ErrInvalidCommand) || !strings.Contains(err.Error(), "INFOR_SANDBOX_IONAPI_FILE") {
		t.Fatalf("test mode without a sandbox: %v", err)
	}
	if has(s.live, "cus_strict") {
		t.Fatal("a test-mode command reached the live tenant")
	}
	// Live commands still go through.
	if _, err := strict.Apply(ctx(t), cust("cus_live2", true)); err != nil || !has(s.live, "cus_live2") {
		t.Fatalf("live command on the strict applier: %v", err)
	}

	// Development: one tenant takes both.
	dev, err := New(Config{Live: s.live.a, AllowTestModeOnLive: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dev.Apply(ctx(t), cust("cus_dev", false)); err != nil || !has(s.live, "cus_dev") {
		t.Fatalf("test mode on live when allowed: %v", err)
	}

	if _, err := New(Config{Sandbox: s.sandbox.a}); err == nil {
		t.Fatal("an applier without a live tenant")
	}
}

// A refund of an invoice's charge names the charge; the applier credits the
// invoice the charge's payment went to (the m3 fallback), once.
func TestRefundOfAnInvoicedChargeCreditsTheInvoice(t *testing.T) {
	s := newSetup(t)
	m := meta(true, "re_B", "ch_B")
	memo := command.CreateCreditMemo{Meta: m, CommandID: "refund:re_B", StripeRefundID: "re_B", OrderRef: command.OrderRef{StripeObjectID: "ch_B"}, Amount: usd(1000)}
	if _, err := s.ap.Apply(ctx(t), memo); !errors.Is(err, m3.ErrDependency) {
		t.Fatalf("refund before order and payment: %v", err)
	}
	if _, err := s.ap.Apply(ctx(t), command.CreateSalesOrder{Meta: m, CommandID: "order:in_B", StripeObjectID: "in_B", Currency: "USD", OrderType: "SUB",
		Lines: []command.OrderLine{{Item: "SUBSCRIPTION", Quantity: 1, UnitPrice: usd(2900)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ap.Apply(ctx(t), command.ApplyPayment{Meta: m, CommandID: "payment:ch_B", OrderRef: command.OrderRef{StripeObjectID: "in_B"}, Amount: usd(2900), StripeChargeID: "ch_B"}); err != nil {
		t.Fatal(err)
	}
	r := applyTwice(t, s.ap, memo)
	inv := invoicesOf(s.live.state(), orderOf(s.live.state(), "in_B").ORNO)
	var notes []string
	for _, i := range s.live.state().Invoices {
		if i.CRIN != "" {
			notes = append(notes, i.CRIN+":"+i.IVAM)
		}
	}
	if len(notes) != 1 || notes[0] != inv[0].CINO+":-10.00" || !strings.Contains(r.Detail, "of invoice "+inv[0].CINO) {
		t.Fatalf("credit notes %v, detail %q", notes, r.Detail)
	}
}

// Errors reach the sink with their class intact: a dependency, Infor's
// NOK with its field, an invalid command.
func TestErrorsKeepTheirClass(t *testing.T) {
	s := newSetup(t)
	_, err := s.ap.Apply(ctx(t), command.ApplyPayment{Meta: meta(true), CommandID: "payment:ch_early", OrderRef: command.OrderRef{StripeObjectID: "ch_early"}, Amount: usd(100), StripeChargeID: "ch_early"})
	var de *m3.DependencyError
	if !errors.As(err, &de) || de.Missing != "order" {
		t.Fatalf("payment before order: %v", err)
	}

	_, err = s.ap.Apply(ctx(t), command.CreateSalesOrder{Meta: meta(true), CommandID: "order:ch_sku", StripeObjectID: "ch_sku", Currency: "USD", OrderType: "WEB",
		Lines: []command.OrderLine{{Item: "NO-SUCH-SKU", Quantity: 1, UnitPrice: usd(100)}}})
	var nok *infor.NOKError
	if !errors.As(err, &nok) || nok.Field != "ITNO" || !strings.Contains(nok.Message, "NO-SUCH-SKU") || infor.Classify(err) != infor.ClassValidation {
		t.Fatalf("unknown item: %v", err)
	}

	_, err = s.ap.Apply(ctx(t), command.PostJournal{Meta: meta(true), CommandID: "journal:x:bad", AccountingDate: "2025-03-03",
		Lines: []command.JournalLine{{Account: "3740", Amount: usd(500)}, {Account: "1580", Amount: usd(-499)}}})
	if !errors.Is(err, m3.ErrInvalidCommand) {
		t.Fatalf("unbalanced journal: %v", err)
	}

	if _, err := s.ap.Apply(ctx(t), strangeCommand{}); !errors.Is(err, m3.ErrInvalidCommand) || !strings.Contains(err.Error(), "Teleport") {
		t.Fatalf("unknown type: %v", err)
	}
	if _, err := s.ap.Apply(ctx(t), nil); !errors.Is(err, m3.ErrInvalidCommand) {
		t.Fatalf("nil: %v", err)
	}
	var nilCmd *command.UpsertCustomer
	if _, err := s.ap.Apply(ctx(t), nilCmd); !errors.Is(err, m3.ErrInvalidCommand) {
		t.Fatalf("nil pointer: %v", err)
	}
}

type strangeCommand struct{}

func (strangeCommand) ID() string             { return "teleport:1" }
func (strangeCommand) Type() string           { return "Teleport" }
func (strangeCommand) Metadata() command.Meta { return command.Meta{Livemode: true} }

// Stripe's errors keep their type for the sink: transient ones with their
// Retry-After, permanent ones with Stripe's message; no Stripe client is an
// invalid command; transactions in the command mean no call.
func TestPayoutFetchErrors(t *testing.T) {
	s := newSetup(t)
	payout := command.ReconcilePayout{Meta: meta(true), CommandID: "payout:po_E", StripePayoutID: "po_E", Amount: usd(941), ArrivalDate: "2025-03-05", Status: "paid"}

	s.payouts.err = &stripeapi.Error{StatusCode: 429, Code: "rate_limit", Message: "Too many requests", RetryAfter: 3 * time.Second}
	_, err := s.ap.Apply(ctx(t), payout)
	var tr interface{ Transient() bool }
	var ra interface {
		RetryAfterHint() (time.Duration, bool)
	}
	if !errors.As(err, &tr) || !tr.Transient() || errors.Is(err, m3.ErrInvalidCommand) || !errors.As(err, &ra) {
		t.Fatalf("429: %v", err)
	}
	if d, ok := ra.RetryAfterHint(); !ok || d != 3*time.Second {
		t.Fatalf("retry after %v %v", d, ok)
	}

	s.payouts.err = &stripeapi.Error{StatusCode: 404, Type: "invalid_request_error", Code: "resource_missing", Message: "No such payout: 'po_E'"}
	_, err = s.ap.Apply(ctx(t), payout)
	var se *stripeapi.Error
	if !errors.As(err, &tr) || tr.Transient() || !errors.As(err, &se) || se.Code != "resource_missing" ||
		!strings.Contains(err.Error(), "No such payout") || !strings.Contains(err.Error(), "payout:po_E") {
		t.Fatalf("404: %v", err)
	}
	if len(s.live.state().BankStatements) != 0 {
		t.Fatal("a statement without transactions")
	}

	noStripe, err := New(Config{Live: s.live.a})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := noStripe.Apply(ctx(t), payout); !errors.Is(err, m3.ErrInvalidCommand) || !strings.Contains(err.Error(), "STRIPE_API_KEY") {
		t.Fatalf("no Stripe client: %v", err)
	}
	// A backfill that filled the transactions in needs no Stripe.
	filled := payout
	filled.Transactions = []command.BalanceTransaction{bt("txn_E", "charge", "ch_E", 1000, 59)}
	if r, err := noStripe.Apply(ctx(t), filled); err != nil || !r.Created {
		t.Fatalf("transactions in the command: %+v %v", r, err)
	}
	calls := len(s.payouts.called())
	s.payouts.err = nil
	if _, err := s.ap.Apply(ctx(t), filled); err != nil || len(s.payouts.called()) != calls {
		t.Fatalf("Stripe called although the command had the transactions: %v", err)
	}

	// Stripe's list does not add up to the payout: invalid, with both sums.
	s.payouts.txns["po_S"] = []command.BalanceTransaction{bt("txn_S", "charge", "ch_S", 1000, 59)}
	_, err = s.ap.Apply(ctx(t), command.ReconcilePayout{Meta: meta(true), CommandID: "payout:po_S", StripePayoutID: "po_S", Amount: usd(1000), ArrivalDate: "2025-03-05", Status: "paid"})
	if !errors.Is(err, m3.ErrInvalidCommand) || !strings.Contains(err.Error(), "9.41 USD") {
		t.Fatalf("sum mismatch: %v", err)
	}
}

// A failed payout reverses what its paid command booked, without asking
// Stripe; in the other order, the paid command books nothing.
func TestFailedPayout(t *testing.T) {
	s := newSetup(t)
	s.payouts.txns["po_F"] = []command.BalanceTransaction{bt("txn_F1", "charge", "ch_F1", 5000, 175), bt("txn_F2", "refund", "re_F2", -248, 0)}
	paid := command.ReconcilePayout{Meta: meta(true), CommandID: "payout:po_F", StripePayoutID: "po_F", Amount: usd(4577), ArrivalDate: "2025-03-05", Status: "paid"}
	failed := paid
	failed.CommandID, failed.Status = "payout:po_F:failed", "failed"

	if _, err := s.ap.Apply(ctx(t), paid); err != nil {
		t.Fatal(err)
	}
	calls := len(s.payouts.called())
	r := applyTwice(t, s.ap, failed)
	if len(s.payouts.called()) != calls {
		t.Fatal("a failed payout asked Stripe for its transactions")
	}
	st := s.live.state()
	ps, rev := statementOf(st, m3.PayoutReference("po_F")), statementOf(st, m3.PayoutReversalReference("po_F"))
	if ps == nil || rev == nil || len(rev.Lines) != 2 || rev.Lines[0].ACAM != "-48.25" || rev.Lines[1].ACAM != "2.48" || rev.Lines[0].REFE != "txn_F1" {
		t.Fatalf("paid %+v, reversal %+v", ps, rev)
	}
	if r.Detail != "reversal statement "+rev.STNB+", of statement "+ps.STNB+", 2 lines, written" {
		t.Fatalf("detail %q", r.Detail)
	}
	again, err := s.ap.Apply(ctx(t), paid)
	if err != nil || again.Created || !strings.Contains(again.Detail, "nothing booked") {
		t.Fatalf("paid after failed: %+v %v", again, err)
	}

	// The failure first: a marker, and the paid command books nothing.
	s.payouts.txns["po_G"] = []command.BalanceTransaction{bt("txn_G", "charge", "ch_G", 1000, 59)}
	first := command.ReconcilePayout{Meta: meta(true), CommandID: "payout:po_G:failed", StripePayoutID: "po_G", Amount: usd(941), ArrivalDate: "2025-03-05", Status: "failed"}
	r, err = s.ap.Apply(ctx(t), first)
	if err != nil || !r.Created || !strings.Contains(r.Detail, "before anything was booked") {
		t.Fatalf("failed first: %+v %v", r, err)
	}
	later := first
	later.CommandID, later.Status = "payout:po_G", "paid"
	if r, err := s.ap.Apply(ctx(t), later); err != nil || r.Created {
		t.Fatalf("paid after the failure: %+v %v", r, err)
	}
	if statementOf(s.live.state(), m3.PayoutReference("po_G")) != nil {
		t.Fatal("a failed payout was booked as paid")
	}
}

// A refund journal from processors older than the credit note's settlement
// is skipped: the settlement books the refund, and applying the journal too
// would take it out of clearing twice (an upgrade, a replay, a DLQ redrive).
func TestOldRefundJournalIsSuperseded(t *testing.T) {
	s := newSetup(t)
	j := command.PostJournal{Meta: command.Meta{Livemode: true}, CommandID: "journal:re_Old:refund", AccountingDate: "2025-03-03",
		Lines: []command.JournalLine{{Account: "3740", Amount: usd(500)}, {Account: "1580", Amount: usd(-500)}}}
	r, err := s.ap.Apply(ctx(t), j)
	if err != nil || !strings.Contains(r.Detail, "superseded") {
		t.Fatalf("%+v %v", r, err)
	}
	if st := s.live.state(); len(st.GLBatches) != 0 {
		t.Fatalf("the journal was posted: %+v", st.GLBatches)
	}
	// Other journals are posted as before.
	if supersededRefundJournal("journal:txn_1:dispute") || supersededRefundJournal("journal:in_1:deferral") || !supersededRefundJournal("journal:pyr_1:refund") {
		t.Fatal("supersededRefundJournal")
	}
}

// A failed payout whose balance transactions Stripe will not list (a manual
// payout) is reversed all the same; a transient Stripe error still retries.
func TestFailedPayoutWithoutListableTransactionsIsReversed(t *testing.T) {
	s := newSetup(t)
	acc := command.PayoutAccounts{Bank: "1930", Clearing: "1580", Fees: "6570", FX: "7960"}
	failed := command.ReconcilePayout{Meta: command.Meta{Livemode: true}, CommandID: "payout:po_M:failed", StripePayoutID: "po_M",
		Amount: usd(1000), ArrivalDate: "2025-03-05", Status: "failed", Accounts: acc}
	s.payouts.err = &stripeapi.Error{StatusCode: 429, Code: "rate_limit", Message: "Too many requests"}
	if _, err := s.ap.Apply(ctx(t), failed); err == nil {
		t.Fatal("a transient Stripe error was not returned")
	}
	s.payouts.err = &stripeapi.Error{StatusCode: 400, Type: "invalid_request_error", Message: "Balance transaction history can only be filtered on automatic transfers, not manual."}
	if _, err := s.ap.Apply(ctx(t), failed); err != nil {
		t.Fatalf("failed manual payout: %v", err)
	}
	if statementOf(s.live.state(), m3.PayoutReversalReference("po_M")) == nil {
		t.Fatal("no reversal marker for the failed payout")
	}
}
