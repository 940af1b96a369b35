package transform

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
)

// An annual subscription invoice, paid: the order from its lines, the
// revenue deferred at payment and recognised over the 13 calendar months
// the period touches, summing exactly to the deferred amount.
func TestInvoicePaidAnnualDeferral(t *testing.T) {
	res := runFile(t, New(mapping.Default()), "invoice_paid_annual.json")
	order := one[command.CreateSalesOrder](t, res)
	wantLine := command.OrderLine{Item: "SUB-TEAM-Y", Quantity: 3, UnitPrice: command.Money{Minor: 39996, Currency: "USD"},
		Description: "3 × Team plan (annual) (at $399.96 / year)"}
	if order.CommandID != "order:in_1QAnnual00001aBcDeFgHiJ" || len(order.Lines) != 1 || order.Lines[0] != wantLine ||
		order.OrderType != "SUB" || order.OrderDate != "2026-11-25" ||
		order.CustomerRef != (command.CustomerRef{StripeCustomerID: "cus_PannualCust01"}) {
		t.Errorf("order %+v", order)
	}
	cus := one[command.UpsertCustomer](t, res)
	if cus.Name != "Northwind Traders" || cus.Address.City != "San Francisco" || cus.Address.State != "CA" {
		t.Errorf("customer %+v", cus)
	}
	if n := len(commandsOf[command.ApplyPayment](res)); n != 0 {
		t.Errorf("invoice.paid made %d payments (the charge books it)", n)
	}
	if n := len(commandsOf[command.ChangeOrderStatus](res)); n != 0 {
		t.Errorf("paid at the first attempt, yet %d status commands", n)
	}

	js := commandsOf[command.PostJournal](res)
	if len(js) != 14 {
		t.Fatalf("%d journals, want the deferral and 13 months: %v", len(js), commandIDs(res))
	}
	def := js[0]
	usd := func(m int64) command.Money { return command.Money{Minor: m, Currency: "USD"} }
	if def.CommandID != "journal:in_1QAnnual00001aBcDeFgHiJ:deferral" || def.AccountingDate != "2026-11-25" ||
		!sameLines(def.Lines, []command.JournalLine{{Account: "3020", Amount: usd(119988)}, {Account: "2450", Amount: usd(-119988)}}) {
		t.Errorf("deferral %+v", def)
	}
	var recognised int64
	months := []string{"2026-11", "2026-12", "2027-01", "2027-02", "2027-03", "2027-04", "2027-05", "2027-06", "2027-07", "2027-08", "2027-09", "2027-10", "2027-11"}
	for i, j := range js[1:] {
		if j.CommandID != "journal:in_1QAnnual00001aBcDeFgHiJ:recognition:"+months[i] {
			t.Errorf("journal %d: %s", i, j.CommandID)
		}
		first, _ := time.Parse("2006-01", months[i])
		wantDate := first.AddDate(0, 1, -1).Format(time.DateOnly)
		if i == len(months)-1 {
			wantDate = "2027-11-25" // the period ends within the month
		}
		if j.AccountingDate != wantDate {
			t.Errorf("%s dated %s, want %s", j.CommandID, j.AccountingDate, wantDate)
		}
		if j.Lines[0].Account != "2450" || j.Lines[1].Account != "3020" || j.Lines[0].Amount.Minor <= 0 {
			t.Errorf("%s lines %+v", j.CommandID, j.Lines)
		}
		recognised += j.Lines[0].Amount.Minor
	}
	if recognised != 119988 {
		t.Errorf("the schedule recognises %d of 119988", recognised)
	}
	// Days prorate: November 2026 has 6 of the 365 days, December 31.
	if got := js[1].Lines[0].Amount.Minor; got != 119988*6/365 {
		t.Errorf("November share %d", got)
	}
	if got := js[2].Lines[0].Amount.Minor; got != 119988*31/365 {
		t.Errorf("December share %d", got)
	}
	if e := enrichedOf(res); e.GLRule != "subscription-revenue" || e.SubscriptionID != "sub_1QAnnualSub001" || e.InvoiceID != "in_1QAnnual00001aBcDeFgHiJ" {
		t.Errorf("enriched rule %q sub %q", e.GLRule, e.SubscriptionID)
	}
}

// With deferral off, or a period shorter than min_period_days, revenue is
// recognised at once: no journals.
func TestDeferralThreshold(t *testing.T) {
	res := runFile(t, New(mapping.Default()), "invoice_paid_after_dunning.json") // 30 days < 32
	if n := len(commandsOf[command.PostJournal](res)); n != 0 {
		t.Errorf("monthly plan deferred: %v", commandIDs(res))
	}
	// The strict test mapping defers from 28 days: the 30-day period of
	// November 25 to December 25 splits 6 / 24 days.
	res = runFile(t, New(loadMapping(t, "mapping_strict.yaml")), "invoice_paid_after_dunning.json")
	js := commandsOf[command.PostJournal](res)
	if len(js) != 3 {
		t.Fatalf("journals %v", commandIDs(res))
	}
	eur := func(m int64) command.Money { return command.Money{Minor: m, Currency: "EUR"} }
	if !sameLines(js[0].Lines, []command.JournalLine{{Account: "3011", Amount: eur(4000)}, {Account: "2971", Amount: eur(-4000)}}) {
		t.Errorf("deferral %+v", js[0].Lines)
	}
	if js[1].Lines[0].Amount != eur(4000*6/30) || js[2].Lines[0].Amount != eur(4000-4000*6/30) || js[2].AccountingDate != "2026-12-25" {
		t.Errorf("schedule %+v / %+v", js[1], js[2])
	}
	off, err := mapping.Parse([]byte(strings.Replace(string(mapping.DefaultYAML), "enabled: true", "enabled: false", 1)), "no-deferral.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if res := runFile(t, New(off), "invoice_paid_annual.json"); len(commandsOf[command.PostJournal](res)) != 0 {
		t.Errorf("deferral disabled: %v", commandIDs(res))
	}
}

// Dunning: the order is put on hold with the attempt and the next try, the
// customer is told; paid after dunning releases it.
func TestInvoiceDunning(t *testing.T) {
	tr := New(mapping.Default())
	res := runFile(t, tr, "invoice_payment_failed_dunning.json")
	if got := commandIDs(res); !slices.Equal(got, []string{"customer:cus_PdunningCust1", "order:in_1QDunning0001aBcDeFgHiJ", "order-status:in_1QDunning0001aBcDeFgHiJ:dunning"}) {
		t.Fatalf("commands %v", got)
	}
	st := one[command.ChangeOrderStatus](t, res)
	if st.Status != "dunning" || !strings.Contains(st.Reason, "attempt 2") || !strings.Contains(st.Reason, "2026-11-30") {
		t.Errorf("status %+v", st)
	}
	// 45.00 less a 5.00 discount is 40.00, which 3 units cannot share
	// evenly: one line at the whole amount, flagged.
	order := one[command.CreateSalesOrder](t, res)
	if len(order.Lines) != 1 || order.Lines[0].Quantity != 1 || order.Lines[0].UnitPrice != (command.Money{Minor: 4000, Currency: "EUR"}) {
		t.Errorf("order lines %+v", order.Lines)
	}
	if !hasFlagCode(order.Meta.Flags, "quantity_folded", "data.object.lines.data[0].quantity") {
		t.Errorf("order flags %v", flagCodes(order.Meta.Flags))
	}
	notes := notificationsOf(res)
	if len(notes) != 1 {
		t.Fatalf("%d notifications", len(notes))
	}
	n := notes[0]
	next := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	if n.NotificationID != "notification:in_1QDunning0001aBcDeFgHiJ:invoice_payment_failed" || n.Kind != "invoice_payment_failed" ||
		n.Email != "jean.dupont@example.fr" || n.Amount != (command.Money{Minor: 4000, Currency: "EUR"}) ||
		n.NextAttemptAt == nil || !n.NextAttemptAt.Equal(next) {
		t.Errorf("notification %+v", n)
	}

	paid := runFile(t, tr, "invoice_paid_after_dunning.json")
	st = one[command.ChangeOrderStatus](t, paid)
	if st.CommandID != "order-status:in_1QDunning0001aBcDeFgHiJ:paid" || st.Status != "paid" {
		t.Errorf("paid status %+v", st)
	}
	if a, b := one[command.CreateSalesOrder](t, res), one[command.CreateSalesOrder](t, paid); a.CommandID != b.CommandID || !slices.Equal(a.Lines, b.Lines) {
		t.Errorf("the failed and the paid invoice describe different orders")
	}
}

// An invoice line of an old API version has a plan instead of a price.
func TestInvoiceLineWithPlan(t *testing.T) {
	res := runFile(t, New(mapping.Default()), "invoice_finalized_plan_2019.json")
	order := one[command.CreateSalesOrder](t, res)
	if len(order.Lines) != 1 || order.Lines[0].Quantity != 2 || order.Lines[0].UnitPrice != (command.Money{Minor: 2500, Currency: "GBP"}) ||
		order.OrderType != "SUB" || order.OrderDate != "2019-03-15" {
		t.Errorf("order %+v", order)
	}
	if !hasFlagCode(order.Meta.Flags, "item_unmapped", "") {
		t.Errorf("flags %v", flagCodes(order.Meta.Flags))
	}
	// The plan's lookup in the items table uses its id as the price.
	cfg, err := mapping.Parse([]byte(strings.Replace(string(mapping.DefaultYAML), "by_price: {}", "by_price: { gold-monthly: GOLD-M }", 1)), "plan.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if o := one[command.CreateSalesOrder](t, runFile(t, New(cfg), "invoice_finalized_plan_2019.json")); o.Lines[0].Item != "GOLD-M" {
		t.Errorf("item %q", o.Lines[0].Item)
	}
}

// An invoice paid without a Stripe charge books no payment and says so; an
// invoice whose lines the event truncates is not turned into an order.
func TestInvoiceEdgeCases(t *testing.T) {
	tr := New(mapping.Default())
	oob := patch(t, readTestdata(t, "invoice_paid_annual.json"), func(ev map[string]any) {
		o := obj(ev)
		o["charge"], o["paid_out_of_band"], o["payment_intent"] = nil, true, nil
	})
	res := run(t, tr, oob)
	if !hasFlagCode(res.Flags, "paid_out_of_band", "") || len(commandsOf[command.ApplyPayment](res)) != 0 {
		t.Errorf("out of band: flags %v commands %v", flagCodes(res.Flags), commandIDs(res))
	}

	truncated := patch(t, readTestdata(t, "invoice_paid_annual.json"), func(ev map[string]any) {
		obj(ev)["lines"].(map[string]any)["has_more"] = true
	})
	if e := transformErr(t, tr, truncated); e.Class != ClassValidation || e.Code != "invoice_lines_truncated" || e.Field != "data.object.lines.has_more" {
		t.Errorf("truncated lines: %+v", e)
	}

	taxed := patch(t, readTestdata(t, "invoice_paid_annual.json"), func(ev map[string]any) { obj(ev)["tax"] = 9899 })
	if res := run(t, tr, taxed); !hasFlagCode(res.Flags, "tax_not_in_lines", "data.object.tax") {
		t.Errorf("tax: flags %v", flagCodes(res.Flags))
	}

	finalized := patch(t, readTestdata(t, "invoice_paid_annual.json"), func(ev map[string]any) { ev["type"] = "invoice.finalized" })
	if got := commandIDs(run(t, tr, finalized)); !slices.Equal(got, []string{"customer:cus_PannualCust01", "order:in_1QAnnual00001aBcDeFgHiJ"}) {
		t.Errorf("finalized: %v", got)
	}
}

// Property: for any amount and period, the schedule's shares sum exactly
// to the amount, each month's share is within one minor unit of its exact
// day-prorated value (the last takes the remainder), months are
// consecutive and dated within the period.
func TestScheduleSumsExactly(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 5000; i++ {
		amount := rng.Int64N(2*maxAmount) - maxAmount
		if i%3 == 0 {
			amount = rng.Int64N(1_000_000)
		}
		from := base.AddDate(0, 0, rng.IntN(3000))
		to := from.AddDate(0, 0, 1+rng.IntN(maxDeferralDays))
		shares := schedule(amount, from, to)
		var sum, days int64
		for k, s := range shares {
			sum += s.amount
			days += s.days
			if s.days <= 0 {
				t.Fatalf("%d over %s..%s: share %+v", amount, from, to, s)
			}
			if k < len(shares)-1 {
				exact := float64(amount) * float64(s.days) / float64(daysBetween(from, to))
				if math.Abs(float64(s.amount)-exact) > 1+math.Abs(exact)*1e-12 {
					t.Fatalf("share %d of %d over %d days: %d, exact %.2f", k, amount, daysBetween(from, to), s.amount, exact)
				}
			}
			if k > 0 {
				prev, _ := time.Parse("2006-01", shares[k-1].month)
				if cur, _ := time.Parse("2006-01", s.month); !cur.Equal(prev.AddDate(0, 1, 0)) {
					t.Fatalf("months %s then %s", shares[k-1].month, s.month)
				}
			}
			if s.date < from.Format(time.DateOnly) || s.date > to.Format(time.DateOnly) {
				t.Fatalf("share dated %s outside %s..%s", s.date, from, to)
			}
		}
		if sum != amount {
			t.Fatalf("schedule of %d over %s..%s sums to %d", amount, from.Format(time.DateOnly), to.Format(time.DateOnly), sum)
		}
		if days != daysBetween(from, to) {
			t.Fatalf("days %d of %d", days, daysBetween(from, to))
		}
	}
}

func TestProrate(t *testing.T) {
	for _, tc := range []struct{ amount, part, whole, want int64 }{
		{119988, 6, 365, 1972},
		{-119988, 6, 365, -1972},
		{math.MaxInt64, 3, 3, math.MaxInt64},
		{math.MaxInt64, 1, 2, math.MaxInt64 / 2},
		{math.MinInt64 + 1, 1, 1, math.MinInt64 + 1},
		{7, 0, 3, 0},
	} {
		if got := prorate(tc.amount, tc.part, tc.whole); got != tc.want {
			t.Errorf("prorate(%d, %d, %d) = %d, want %d", tc.amount, tc.part, tc.whole, got, tc.want)
		}
	}
}
