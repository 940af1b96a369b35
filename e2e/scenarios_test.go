package e2e

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/infor/m3"
	"github.com/stripe-infor/stripe-infor/internal/scenario"
)

const days = 24 * time.Hour

// logSummary logs the reconciliation a finance reader would see, for the
// tenant of each mode the world has.
func (s *stack) logSummary(t *testing.T, w *scenario.World) {
	t.Helper()
	for _, tn := range []*tenant{s.live, s.sandbox} {
		live := tn == s.live
		m := w.Mode(live)
		if len(m.Events) == 0 {
			continue
		}
		got, err := scenario.InforBooks(tn.state(t), live, scenario.DefaultAccounts)
		if err != nil {
			t.Errorf("%s books: %v", tn.name, err)
			continue
		}
		var b strings.Builder
		if _, err := scenario.Summary(&b, "Reconciliation, tenant "+tn.name, w.Expected(live), got); err != nil {
			t.Error(err)
		}
		t.Logf("\n%s", b.String())
	}
}

// runWorld plays w cleanly and checks every invariant.
func (s *stack) runWorld(t *testing.T, w *scenario.World) {
	t.Helper()
	dlq := s.fresh(t)
	s.play(t, w, scenario.SendOptions{})
	s.checkInvariants(t, w)
	s.noNewDLQ(t, dlq)
	s.logSummary(t, w)
}

// Order to cash: customers pay, Infor invoices and is paid, Stripe takes
// its fees and pays the balance out; a charge after the payout stays in
// clearing, gross.
func TestOrderToCashWithPayout(t *testing.T) {
	s := getStack(t)
	b := scenario.New(101)
	ada, bob := b.Customer(true, "usd"), b.Customer(true, "gbp")
	b.Charge(ada, 12500, "usd")
	b.Charge(bob, 4999, "usd")
	b.Charge(ada, 3000, "usd")
	b.StripeFee(true, "usd", 300, "Billing usage fee")
	b.Advance(5 * days)
	po := b.Payout(true, "usd")
	b.Charge(bob, 2000, "usd")
	w := b.World()
	s.runWorld(t, w)

	// The sink fetched the payout's transactions from the Stripe API, with
	// the live key, by the payout's id.
	asked := false
	for _, r := range s.stripeLog.take() {
		q, _ := url.ParseQuery(r.RawQuery)
		if r.Method == "GET" && r.Path == "/v1/balance_transactions" && q.Get("payout") == po.ID && r.Live && r.Status == 200 {
			asked = true
		}
	}
	if !asked {
		t.Errorf("the sink never fetched payout %s's balance transactions", po.ID)
	}
	st := s.live.state(t)
	n := 0
	for _, c := range st.Customers {
		if c.YREF == ada.ID || c.YREF == bob.ID {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d of the 2 customers in Infor", n)
	}
}

// A payout that fails after it was paid: the bank side goes back, the
// money is at Stripe again (clearing), its fees and conversions stand; the
// next payout pays it out again.
func TestPayoutFailsAfterItWasPaid(t *testing.T) {
	s := getStack(t)
	b := scenario.New(102)
	c := b.Customer(true, "usd")
	b.Charge(c, 25000, "usd")
	b.Charge(c, 8000, "eur", scenario.SettledIn("usd", "1.0876"))
	b.Advance(5 * days)
	po := b.Payout(true, "usd")
	b.FailPayout(po)
	b.Charge(c, 1500, "usd")
	b.Advance(5 * days)
	again := b.Payout(true, "usd")
	if again == nil || again.Amount <= po.Amount {
		t.Fatalf("the second payout %+v does not pay the failed one again", again)
	}
	s.runWorld(t, b.World())
}

// charge.failed: a one-off charge leaves no order and tells the customer;
// a subscription's failed payment puts its order in dunning (stop code) and
// tells the customer when Stripe tries again.
func TestChargeFailed(t *testing.T) {
	s := getStack(t)
	b := scenario.New(103)
	c, d := b.Customer(true, "usd"), b.Customer(true, "eur")
	oneOff := b.FailedCharge(c, 4200, "usd")
	b.Charge(c, 4200, "usd") // the retry with another card
	in := b.FailedInvoice(d, 2900, "eur", 3)
	w := b.World()
	s.runWorld(t, w)

	st := indexOf(s.live.state(t))
	os := st.orders[m3.OrderReference(in.ID)]
	if len(os) != 1 || os[0].OBLC != m3.DefaultStatusCodes["dunning"] {
		t.Fatalf("the failed invoice's order: %+v, want stop code %s (dunning)", os, m3.DefaultStatusCodes["dunning"])
	}
	if invs := st.invoices[os[0].ORNO]; len(invs) != 1 || invs[0].STAT == "paid" || invs[0].OPAM != "29.00" {
		t.Errorf("the failed invoice in Infor: %+v, want open for 29.00", invs)
	}
	notes := s.notifications(t)
	for id, kind := range map[string]string{
		"notification:" + oneOff.ID + ":payment_failed":     "payment_failed",
		"notification:" + in.Charge + ":payment_failed":     "payment_failed",
		"notification:" + in.ID + ":invoice_payment_failed": "invoice_payment_failed",
	} {
		n, ok := notes[id]
		if !ok {
			t.Errorf("no customer notification %s", id)
			continue
		}
		if n.Kind != kind || n.Email == "" || n.StripeCustomerID == "" || n.Amount.Minor <= 0 || !n.Meta.Livemode {
			t.Errorf("notification %s: %+v", id, n)
		}
		if kind == "invoice_payment_failed" && (n.NextAttemptAt == nil || n.Amount.Minor != 2900 || n.Amount.Currency != "EUR") {
			t.Errorf("dunning notification %s: %+v", id, n)
		}
	}
}

// Full and partial refunds, in several currencies, one of an invoice's
// charge (Stripe names the charge; Infor credits the invoice), some paid
// out before, some after the payout.
func TestRefunds(t *testing.T) {
	s := getStack(t)
	b := scenario.New(104)
	us, jp := b.Customer(true, "usd"), b.Customer(true, "jpy")
	full := b.Charge(us, 15000, "usd")
	twice := b.Charge(us, 9999, "usd")
	yen := b.Charge(jp, 12000, "jpy")
	sub := b.Subscription(us, 6000, "usd", 1)
	b.Refund(full, 0)
	b.Refund(twice, 2500)
	b.Refund(twice, 1000)
	b.Refund(yen, 3000)
	b.Advance(5 * days)
	b.Payout(true, "usd")
	b.Payout(true, "jpy")
	b.Refund(twice, 0) // the rest, after the payout: still in clearing
	var subCharge *scenario.Charge
	for _, ch := range b.World().Charges {
		if ch.Invoice == sub.ID {
			subCharge = ch
		}
	}
	b.Refund(subCharge, 1500)
	s.runWorld(t, b.World())
}

// A dispute lost: the funds and the fee are gone; the invoice stays paid.
func TestDisputeLost(t *testing.T) {
	s := getStack(t)
	b := scenario.New(105)
	c := b.Customer(true, "usd")
	ch := b.Charge(c, 7500, "usd")
	b.Charge(c, 20000, "usd")
	b.Dispute(ch, false)
	b.Advance(5 * days)
	b.Payout(true, "usd")
	s.runWorld(t, b.World())
}

// A dispute won: the funds come back, Stripe keeps its fee; one dispute is
// settled before the payout, one after.
func TestDisputeWon(t *testing.T) {
	s := getStack(t)
	b := scenario.New(106)
	c, g := b.Customer(true, "usd"), b.Customer(true, "gbp")
	ch := b.Charge(c, 7500, "usd")
	gb := b.Charge(g, 30000, "gbp")
	b.Dispute(ch, true)
	b.Advance(5 * days)
	b.Payout(true, "usd")
	b.Payout(true, "gbp")
	b.Dispute(gb, true)
	s.runWorld(t, b.World())
}

// A subscription invoiced for a service period is deferred revenue,
// recognised month by month; the monthly journals sum to the deferred
// amount exactly (invariants), an amount that does not divide by the days.
func TestSubscriptionDeferredRevenue(t *testing.T) {
	s := getStack(t)
	b := scenario.New(107)
	c, e := b.Customer(true, "usd"), b.Customer(true, "eur")
	b.Subscription(c, 10001, "usd", 3)
	b.Advance(9 * days)
	b.Subscription(e, 119988, "eur", 12)
	b.Subscription(c, 2900, "usd", 1) // a month: revenue at once
	w := b.World()
	s.runWorld(t, w)

	x := indexOf(s.live.state(t))
	for _, in := range w.Invoices {
		n := 0
		for refe := range x.batches {
			for _, m := range serviceMonths(in.PeriodStart, in.PeriodEnd) {
				if refe == m3.JournalReference("journal:"+in.ID+":recognition:"+m) {
					n++
				}
			}
		}
		months := serviceMonths(in.PeriodStart, in.PeriodEnd)
		if in.PeriodEnd-in.PeriodStart < 32*86400 {
			if n != 0 || len(x.batches[m3.JournalReference("journal:"+in.ID+":deferral")]) != 0 {
				t.Errorf("a one-month invoice %s was deferred", in.ID)
			}
		} else if n != len(months) || len(months) < 2 {
			t.Errorf("invoice %s: %d recognition journals, want %d (%v)", in.ID, n, len(months), months)
		}
	}
}

// Multi-currency: charges in EUR and JPY settled in USD at Stripe's rate
// (clearing moves from the charge's currency to USD through the FX account
// at the payout), KWD (three decimals), ISK (no decimals, two in Stripe's
// API), GBP; a refund of a converted charge; a converted charge after the
// payout stays in EUR clearing.
func TestMultiCurrency(t *testing.T) {
	s := getStack(t)
	b := scenario.New(108)
	de, jp, kw, is, gb := b.Customer(true, "eur"), b.Customer(true, "jpy"), b.Customer(true, "kwd"), b.Customer(true, "isk"), b.Customer(true, "gbp")
	eur := b.Charge(de, 5000, "eur", scenario.SettledIn("usd", "1.0876"))
	b.Charge(jp, 7777, "jpy", scenario.SettledIn("usd", "0.0067"))
	b.Charge(kw, 12345, "kwd")
	b.Charge(is, 1234500, "isk")
	b.Charge(gb, 4321, "gbp")
	b.Refund(eur, 1000)
	b.Advance(5 * days)
	for _, cur := range []string{"usd", "kwd", "isk", "gbp"} {
		if b.Payout(true, cur) == nil {
			t.Fatalf("no %s payout", cur)
		}
	}
	b.Charge(de, 2500, "eur", scenario.SettledIn("usd", "1.0912"))
	w := b.World()
	s.runWorld(t, w)

	// The EUR and JPY money ended up in USD: FX holds the position, the
	// converted charge after the payout is still in EUR clearing.
	books, err := scenario.InforBooks(s.live.state(t), true, scenario.DefaultAccounts)
	if err != nil {
		t.Fatal(err)
	}
	if eur := books.Get("EUR"); eur.Clearing != 2500 || eur.FX != 4000 {
		t.Errorf("EUR: clearing %d, FX %d; want 25.00 still at Stripe and 40.00 converted", eur.Clearing, eur.FX)
	}
	if jpy := books.Get("JPY"); jpy.Clearing != 0 || jpy.FX != 7777 {
		t.Errorf("JPY: clearing %d, FX %d", jpy.Clearing, jpy.FX)
	}
}

// Test-mode objects reach the sandbox tenant only, live ones the live
// tenant only; the test-mode payout is fetched with the test-mode key.
func TestTestModeReachesTheSandboxOnly(t *testing.T) {
	s := getStack(t)
	b := scenario.New(109)
	live, test := b.Customer(true, "usd"), b.Customer(false, "usd")
	b.Charge(live, 5000, "usd")
	tc := b.Charge(test, 6000, "usd")
	b.Charge(test, 3000, "eur")
	b.Refund(tc, 1000)
	b.FailedCharge(test, 1200, "usd")
	b.Advance(5 * days)
	b.Payout(true, "usd")
	tp := b.Payout(false, "usd")
	w := b.World()
	s.runWorld(t, w) // checkInvariants also looks for each mode's objects in the other tenant

	sb := s.sandbox.state(t)
	if len(indexOf(sb).orders) != 2 {
		t.Errorf("the sandbox has %d orders, want the 2 test-mode charges'", len(indexOf(sb).orders))
	}
	var fetched []stripeRequest
	for _, r := range s.stripeLog.take() {
		if strings.Contains(r.RawQuery, tp.ID) {
			fetched = append(fetched, r)
		}
	}
	if len(fetched) == 0 || fetched[0].Live {
		t.Errorf("the test-mode payout's transactions were fetched as %+v, want with the test-mode key", fetched)
	}
}

// mixedWorld has a bit of every story, in both modes, for the
// duplicated-and-shuffled run. A subscription in dunning is left out: the
// order of its two status events decides its stop code, which
// TestOrderStatusDoesNotDependOnArrivalOrder holds on its own
// (deterministically, where a shuffle would make this test flaky).
func mixedWorld(seed int64) *scenario.World {
	b := scenario.New(seed)
	us, de, jp, kw := b.Customer(true, "usd"), b.Customer(true, "eur"), b.Customer(true, "jpy"), b.Customer(true, "kwd")
	a := b.Charge(us, 12000, "usd")
	e := b.Charge(de, 4500, "eur", scenario.SettledIn("usd", "1.0876"))
	b.Charge(jp, 9000, "jpy", scenario.SettledIn("usd", "0.0067"))
	k := b.Charge(kw, 25250, "kwd")
	lost := b.Charge(us, 3300, "usd")
	b.FailedCharge(de, 1800, "eur")
	b.Subscription(us, 8700, "usd", 3)
	b.Refund(a, 2000)
	b.Refund(e, 0)
	b.Dispute(lost, false)
	b.Dispute(k, true)
	b.StripeFee(true, "usd", 250, "Radar screening fees")
	tst := b.Customer(false, "gbp")
	b.Refund(b.Charge(tst, 6400, "gbp"), 400)
	b.Advance(5 * days)
	b.Payout(true, "usd")
	b.Payout(true, "kwd")
	b.Payout(false, "gbp")
	b.Refund(a, 0)
	b.Charge(jp, 3000, "jpy")
	return b.World()
}

// Stripe delivers at least once and in no order: every event twice, the
// whole stream shuffled, must end in the same books and documents as the
// clean stream (compared by business references, not M3's numbers), and
// hold every invariant.
func TestDuplicatedAndShuffledEqualsClean(t *testing.T) {
	s := getStack(t)
	w := mixedWorld(110)

	s.runWorld(t, w)
	clean := [2][]string{projection(s.live.state(t)), projection(s.sandbox.state(t))}

	dlq := s.fresh(t)
	s.play(t, w, scenario.SendOptions{Twice: true, Shuffle: true, Seed: 110, Concurrency: 4})
	s.checkInvariants(t, w)
	s.noNewDLQ(t, dlq)
	for i, tn := range []*tenant{s.live, s.sandbox} {
		onlyClean, onlyShuffled := diff(clean[i], projection(tn.state(t)))
		for _, l := range onlyClean {
			t.Errorf("%s: only after the clean stream: %s", tn.name, l)
		}
		for _, l := range onlyShuffled {
			t.Errorf("%s: only after the duplicated, shuffled stream: %s", tn.name, l)
		}
	}
}

// A declined subscription payment makes two status events about one
// failure: charge.failed (payment failed) and invoice.payment_failed
// (dunning). Stripe does not order them; the order's stop code must not
// depend on which came first.
func TestOrderStatusDoesNotDependOnArrivalOrder(t *testing.T) {
	s := getStack(t)
	b := scenario.New(111)
	c := b.Customer(true, "eur")
	in := b.FailedInvoice(c, 2900, "eur", 3)
	w := b.World()
	var setup, failed []scenario.Event
	for _, e := range w.Events {
		switch e.Type {
		case "charge.failed", "invoice.payment_failed":
			failed = append(failed, e)
		default:
			setup = append(setup, e)
		}
	}
	if len(failed) != 2 || failed[0].Type != "charge.failed" {
		t.Fatalf("the world's failure events: %+v", failed)
	}
	stop := map[string]string{}
	for _, order := range [][]scenario.Event{failed, {failed[1], failed[0]}} {
		name := order[0].Type + " first"
		dlq := s.fresh(t)
		s.play(t, &scenario.World{Events: setup}, scenario.SendOptions{})
		s.play(t, &scenario.World{Events: order}, scenario.SendOptions{})
		s.noNewDLQ(t, dlq)
		os := indexOf(s.live.state(t)).orders[m3.OrderReference(in.ID)]
		if len(os) != 1 {
			t.Fatalf("%s: %d orders for %s", name, len(os), in.ID)
		}
		stop[name] = os[0].OBLC + " (" + os[0].OBTX + ")"
	}
	if a, b := stop["charge.failed first"], stop["invoice.payment_failed first"]; a != b {
		t.Errorf("the order's stop code depends on which status event arrived last: %s when charge.failed came first, %s when invoice.payment_failed did", a, b)
	}
}

// A realistic day of a merchant (the world `make demo` sends, smaller):
// customers in six currencies, converted charges, declines, refunds, a
// lost dispute, subscriptions, a dunning invoice, a payout per currency.
func TestRealisticDay(t *testing.T) {
	s := getStack(t)
	w := scenario.Day(113, 40, true)
	if len(w.Payouts) == 0 || len(w.Refunds) == 0 || len(w.Disputes) == 0 {
		t.Fatalf("the day has %d payouts, %d refunds, %d disputes", len(w.Payouts), len(w.Refunds), len(w.Disputes))
	}
	s.runWorld(t, w)
}
